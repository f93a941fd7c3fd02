/* Writes the file descriptors a build of tests/descriptors/protos embeds,
 * for check_descriptors.py: one block per file, in this format:
 *
 *   file <name>
 *   package <package>
 *   descriptor <size> <hex bytes, or NULL>
 *   dependency <the imported structure's name>        (one per import)
 *   symbol <full name>                                 (one per symbol)
 *   extension <extendee> <number> <full name>          (one per extension)
 *   service <service name> <its file's name>          (services only)
 *   end
 *
 * Services are listed with the file their descriptor points to, which must
 * be the file that declares them. */
#include <inttypes.h>
#include <stdio.h>

#include "descr/dep.grpc-c.h"
#include "descr/main.grpc-c.h"
#include "google/protobuf/descriptor.grpc-c.h"
#include "google/protobuf/timestamp.grpc-c.h"
#include "nopkg.grpc-c.h"

static void dump_file(const grpc_c_file_descriptor *file,
                      const grpc_c_service *const *services,
                      size_t service_count) {
  size_t i;
  printf("file %s\n", file->name);
  printf("package %s\n", file->package);
  printf("descriptor %zu ", file->descriptor_size);
  if (file->descriptor == NULL) {
    printf("NULL");
  } else {
    for (i = 0; i < file->descriptor_size; ++i) {
      printf("%02x", (unsigned)file->descriptor[i]);
    }
  }
  printf("\n");
  if ((file->dependencies == NULL) != (file->dependency_count == 0) ||
      (file->symbols == NULL) != (file->symbol_count == 0) ||
      (file->extensions == NULL) != (file->extension_count == 0)) {
    printf("inconsistent NULL and count\n");
  }
  for (i = 0; i < file->dependency_count; ++i) {
    printf("dependency %s\n", file->dependencies[i]->name);
  }
  for (i = 0; i < file->symbol_count; ++i) {
    printf("symbol %s\n", file->symbols[i]);
  }
  for (i = 0; i < file->extension_count; ++i) {
    printf("extension %s %" PRId32 " %s\n", file->extensions[i].extendee,
           file->extensions[i].number, file->extensions[i].name);
  }
  for (i = 0; i < service_count; ++i) {
    printf("service %s %s\n", services[i]->name,
           services[i]->file == NULL ? "NULL" : services[i]->file->name);
  }
  printf("end\n");
}

int main(void) {
  static const grpc_c_service *const catalog[] = {
      &descr__v1__catalog__servicer__service};
  static const grpc_c_service *const notes[] = {&notes__servicer__service};
  dump_file(&grpc_c_file__descr_2fmain_2eproto, catalog, 1);
  dump_file(&grpc_c_file__descr_2fdep_2eproto, NULL, 0);
  dump_file(&grpc_c_file__nopkg_2eproto, notes, 1);
  /* From libgrpc-c-wkt, whatever the option of the services' build. */
  dump_file(&grpc_c_file__google_2fprotobuf_2ftimestamp_2eproto, NULL, 0);
  dump_file(&grpc_c_file__google_2fprotobuf_2fdescriptor_2eproto, NULL, 0);
  return ferror(stdout) ? 1 : 0;
}
