/*
 * The feature database of the route_guide example: named places with their
 * positions in E7 (degrees times 10^7), compiled into the program.
 */
#ifndef ROUTE_GUIDE_DB_H
#define ROUTE_GUIDE_DB_H

#include <stddef.h>
#include <stdint.h>

/** One named place. */
typedef struct route_guide_place {
  const char *name;  /**< never NULL, never empty */
  int32_t latitude;  /**< E7 */
  int32_t longitude; /**< E7 */
} route_guide_place;

/** The places, in no particular order; static storage. */
extern const route_guide_place route_guide_db[];

/** Number of entries in route_guide_db. */
extern const size_t route_guide_db_count;

/**
 * The place at exactly (latitude, longitude), or NULL when there is none.
 */
const route_guide_place *route_guide_db_find(int32_t latitude,
                                             int32_t longitude);

#endif /* ROUTE_GUIDE_DB_H */
