/**
 * @file grpc-c/version.h
 * @brief Version of the runtime, and the ABI version generated code checks.
 */
#ifndef GRPC_C_VERSION_H
#define GRPC_C_VERSION_H

#ifdef __cplusplus
extern "C" {
#endif

/** Release version of libgrpc-c. */
#define GRPC_C_VERSION_MAJOR 0
#define GRPC_C_VERSION_MINOR 1
#define GRPC_C_VERSION_PATCH 0
#define GRPC_C_VERSION_STRING "0.1.0"

/**
 * Version of the contract between generated code and the runtime (the
 * structures in method.h and the generic functions the stubs call).
 * Generated files refuse to compile with an `#error` when it differs from
 * the one they were generated for.
 */
#define GRPC_C_ABI_VERSION 2

/**
 * The runtime's version string, for checking the library linked at run time.
 * Threads: any thread.
 */
const char *grpc_c_version(void);

#ifdef __cplusplus
}
#endif

#endif /* GRPC_C_VERSION_H */
