/* Counting TCP proxy for tests; loopback only, every loop bounded by a stop
 * flag checked at least every 100 ms. */
#define _GNU_SOURCE
#include "byte_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { MAX_CONNECTIONS = 16 };

typedef struct connection {
  byte_proxy *proxy;
  int client_fd;
  int server_fd;
  pthread_t thread;
} connection;

struct byte_proxy {
  int listen_fd;
  int port;
  int target_port;
  atomic_bool stop;
  _Atomic uint64_t upstream;
  _Atomic uint64_t downstream;
  pthread_t accept_thread;
  connection connections[MAX_CONNECTIONS];
  int connection_count;
};

/* Moves what is readable on `from` to `to`; false when the peer closed. */
static bool pump(int from, int to, _Atomic uint64_t *counter) {
  char buf[65536];
  ssize_t n = read(from, buf, sizeof buf);
  if (n <= 0) return false;
  /* Count first: once written, the receiver may act (and a test may read
   * the counter) before this thread runs again. */
  atomic_fetch_add(counter, (uint64_t)n);
  for (ssize_t off = 0; off < n;) {
    ssize_t w = write(to, buf + off, (size_t)(n - off));
    if (w <= 0) return false;
    off += w;
  }
  return true;
}

static void *connection_loop(void *arg) {
  connection *c = arg;
  struct pollfd fds[2] = {{.fd = c->client_fd, .events = POLLIN},
                          {.fd = c->server_fd, .events = POLLIN}};
  while (!atomic_load(&c->proxy->stop)) {
    int n = poll(fds, 2, 100);
    if (n < 0) break;
    if (n == 0) continue;
    if (fds[0].revents &&
        !pump(c->client_fd, c->server_fd, &c->proxy->upstream))
      break;
    if (fds[1].revents &&
        !pump(c->server_fd, c->client_fd, &c->proxy->downstream))
      break;
  }
  close(c->client_fd);
  close(c->server_fd);
  return NULL;
}

static int connect_target(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    close(fd);
    fd = -1;
  }
  return fd;
}

static void *accept_loop(void *arg) {
  byte_proxy *p = arg;
  struct pollfd pfd = {.fd = p->listen_fd, .events = POLLIN};
  while (!atomic_load(&p->stop)) {
    if (poll(&pfd, 1, 100) <= 0) continue;
    int client = accept4(p->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (client < 0) continue;
    int server = connect_target(p->target_port);
    if (server < 0 || p->connection_count == MAX_CONNECTIONS) {
      close(client);
      if (server >= 0) close(server);
      continue;
    }
    connection *c = &p->connections[p->connection_count];
    *c = (connection){p, client, server, 0};
    if (pthread_create(&c->thread, NULL, connection_loop, c) == 0)
      p->connection_count++;
    else {
      close(client);
      close(server);
    }
  }
  return NULL;
}

byte_proxy *byte_proxy_start(int target_port) {
  byte_proxy *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->target_port = target_port;
  p->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (p->listen_fd < 0 ||
      bind(p->listen_fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
      listen(p->listen_fd, 8) != 0 ||
      getsockname(p->listen_fd, (struct sockaddr *)&addr, &len) != 0 ||
      pthread_create(&p->accept_thread, NULL, accept_loop, p) != 0) {
    if (p->listen_fd >= 0) close(p->listen_fd);
    free(p);
    return NULL;
  }
  p->port = ntohs(addr.sin_port);
  return p;
}

int byte_proxy_port(const byte_proxy *p) { return p->port; }

uint64_t byte_proxy_upstream_bytes(byte_proxy *p) {
  return atomic_load(&p->upstream);
}

uint64_t byte_proxy_downstream_bytes(byte_proxy *p) {
  return atomic_load(&p->downstream);
}

void byte_proxy_stop(byte_proxy *p) {
  if (!p) return;
  atomic_store(&p->stop, true);
  pthread_join(p->accept_thread, NULL);
  for (int i = 0; i < p->connection_count; i++)
    pthread_join(p->connections[i].thread, NULL);
  close(p->listen_fd);
  free(p);
}
