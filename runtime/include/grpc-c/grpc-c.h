/**
 * @file grpc-c/grpc-c.h
 * @brief Umbrella header of libgrpc-c, the C runtime for gRPC.
 *
 * Topic headers:
 *  - status.h  status codes, ::grpc_c_status, local error codes
 *  - method.h  method and service descriptors (emitted by protoc-gen-grpc-c)
 *  - channel.h client channels and their options
 *  - client.h  call options, unary calls, client streams
 *  - server.h  servers, the server call context, server streams
 *  - health.h  the grpc.health.v1.Health service
 *  - reflection.h server reflection (v1 and v1alpha)
 *  - metadata.h metadata a server sent back
 *  - log.h     where the runtime's log lines go
 *  - process.h process-wide effects of the runtime and their opt-out
 *  - version.h versions
 */
#ifndef GRPC_C_GRPC_C_H
#define GRPC_C_GRPC_C_H

#include <grpc-c/channel.h>
#include <grpc-c/client.h>
#include <grpc-c/health.h>
#include <grpc-c/log.h>
#include <grpc-c/metadata.h>
#include <grpc-c/method.h>
#include <grpc-c/process.h>
#include <grpc-c/reflection.h>
#include <grpc-c/security.h>
#include <grpc-c/server.h>
#include <grpc-c/status.h>
#include <grpc-c/version.h>

#endif /* GRPC_C_GRPC_C_H */
