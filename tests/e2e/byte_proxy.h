/* A TCP proxy on 127.0.0.1 that counts the bytes it forwards each way, so
 * tests can see what really crossed the wire (e.g. compression). */
#ifndef BYTE_PROXY_H
#define BYTE_PROXY_H

#include <stdatomic.h>
#include <stdint.h>

typedef struct byte_proxy byte_proxy;

/* Starts a proxy to 127.0.0.1:`target_port`; returns NULL on failure. */
byte_proxy *byte_proxy_start(int target_port);
/* The port the proxy listens on. */
int byte_proxy_port(const byte_proxy *proxy);
/* Bytes forwarded client->server and server->client so far. */
uint64_t byte_proxy_upstream_bytes(byte_proxy *proxy);
uint64_t byte_proxy_downstream_bytes(byte_proxy *proxy);
/* Stops, joins its threads, frees. */
void byte_proxy_stop(byte_proxy *proxy);

#endif
