/* Links against a library that add_grpc_c_service() built from a proto
 * without services (tests/golden/protos/common/types.proto): its messages
 * pack and unpack, and the generated (empty) gRPC header is harmless. */
#include <stdint.h>
#include <stdio.h>

#include "common/types.grpc-c.h"

int main(void) {
  Common__Point point = COMMON__POINT__INIT;
  point.x = 3;
  point.y = -4;
  uint8_t buffer[32];
  size_t length = common__point__pack(&point, buffer);
  Common__Point *copy = common__point__unpack(NULL, length, buffer);
  int ok = copy && copy->x == 3 && copy->y == -4;
  common__point__free_unpacked(copy, NULL);
  printf("no-services library: %s\n", ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
