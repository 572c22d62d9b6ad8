/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_map.h -- CORSAllowOriginMap: allowed origins that live in a file or
 * a database and change while httpd runs, served as published versions.
 *
 *   txt:path         one entry per line (exact origins and subdomain or
 *                    port patterns, as CORSAllowOrigin takes them);
 *   dbm[=TYPE]:path  an apr_dbm file whose keys are exact origins (e.g.
 *                    built by httxt2dbm);
 *   dbd:QUERY        rows of a SQL database (mod_cors_dbd.c plugs in a
 *                    source through cors_source.h).
 *
 * A map is a sequence of versions.  One process per server, the loader,
 * reads the source when it changes and accepts what it read only when it
 * is complete and valid; it compiles that into an image (cors_image.h),
 * writes it to a file in httpd's runtime directory under a temporary name
 * and renames it over the map's image file, then raises the map's
 * generation in memory that every child shares.  Each child maps the
 * newest image (at its start, and when the generation moves), so a server
 * holds one copy of a map, every child answers from the same version, and
 * the image file is the last good version a restart starts from.  A
 * request only reads the image in use: no lock, no file, no database.
 *
 * Nothing here includes an httpd header: messages go to the logger the
 * glue sets, so the unit tests run this code without a server.
 */
#ifndef CORS_MAP_H
#define CORS_MAP_H

#include "apr_pools.h"
#include "apr_time.h"

#include "cors_image.h"
#include "cors_log.h"
#include "cors_map_file.h"
#include "cors_source.h"

/* How a file is known complete: unchanged (size, times, inode) for this
 * long before it is read, and unchanged while it is read. */
#define CORS_MAP_SETTLE_MS 500

/* How often the loader polls a map's source: a file's identity on every
 * tick, a failed load again after a second, a SQL source's CHANGE-QUERY
 * once a second and its QUERY without one every 10 seconds. */
#define CORS_MAP_TICK_MS 200
#define CORS_MAP_RETRY_MS 1000
#define CORS_MAP_DBD_POLL_MS 1000
#define CORS_MAP_DBD_FULL_MS 10000

/* How many invalid rows of one load are named in the log. */
#define CORS_MAP_SKIP_LOG_MAX 10

typedef struct cors_map cors_map;

/* What every process of a server shares about a map (in shared memory the
 * glue allocates, cors_map_shared_size() bytes each).  Only the loader
 * writes it. */
typedef struct cors_map_shared cors_map_shared;

/* What a map holds now, for -D DUMP_CORS and mod_status. */
typedef struct {
    cors_map_kind kind;
    const char *spec;           /* as configured */
    const char *dbm_type;       /* dbm: "SDBM", "default", ...; else NULL */
    int in_use;                 /* 0: no version yet (allows nothing) */
    apr_uint64_t generation;    /* of the version in use */
    long entries;
    long skipped;
    apr_time_t read_at;         /* when its source was read */
    unsigned long failures;     /* failed loads since start */
    const char *error;          /* the last failure, or NULL */
    apr_time_t error_at;
    apr_time_t answered;        /* when the source last answered (dbd) */
    long tested;                /* entries apachectl -t read, or -1 */
    apr_uint64_t last_good;     /* -t: the version on disk (0: none) */
} cors_map_info;

/* ------------------------------------------------------------------------
 * Configuration time: no file or database is read here.
 */

/* Parses spec ("[txt:|dbm[=TYPE]:]path"; "dbd:" specs go through
 * cors_map_define_source()) into *out.  A relative path is taken from
 * root.  A second directive with the same spec in the same configuration
 * gets the same map.  Returns NULL or an error (from pconf). */
const char *cors_map_define(apr_pool_t *pconf, const char *spec,
                            const char *root, cors_map **out);

/* A map whose source is polled through fn (e.g. dbd:).  key tells maps of
 * the same spec apart (a query of two virtual hosts). */
cors_map *cors_map_define_source(apr_pool_t *pconf, const char *spec,
                                 const char *key, cors_source_poll_fn *fn,
                                 void *source, void *server);

/* The map's messages go to fn (cors_log.h) with baton. */
void cors_map_set_logger(cors_map *map, cors_log_fn *fn, void *baton);

/* The maps of the configuration, in the order defined (NULL: none). */
apr_array_header_t *cors_map_all(apr_pool_t *pconf);

cors_map_kind cors_map_kind_of(const cors_map *map);
const char *cors_map_spec(const cors_map *map);

/* Where the map was first defined ("file:line"), for messages. */
void cors_map_set_defined_at(cors_map *map, const char *where);
const char *cors_map_defined_at(const cors_map *map);

/* ------------------------------------------------------------------------
 * Startup, in the parent
 */

/* The size of one map's shared state. */
apr_size_t cors_map_shared_size(void);

/* Where a map keeps its image (a file of its own in dir) and its shared
 * state (zeroed memory of cors_map_shared_size() bytes). */
void cors_map_attach(cors_map *map, const char *dir, void *shared);

/* Removes the temporary images in dir (the images' directory) whose writer
 * is gone: a loader killed (SIGKILL, a crash) while it published leaves its
 * temporary file, which nothing else would remove.  The file of a writer
 * still alive (an old generation's loader ending its tick) stays.  Returns
 * how many were removed. */
int cors_map_remove_orphans(apr_pool_t *p, const char *dir);

/* apachectl -t: reads a file source whole and checks it, changing
 * nothing.  Returns NULL or what is wrong (file, line and value). */
const char *cors_map_test(cors_map *map, apr_pool_t *ptemp);

/* A start or restart: reads a file source and publishes what it read, or
 * where it is invalid or missing, starts with the last good image (and
 * logs why).  Returns NULL, or an error when there is no good version at
 * all (a configuration error).  A source polled through a function is not
 * read here: its last good image is used, or it allows nothing until the
 * loader's first load. */
const char *cors_map_start(cors_map *map, apr_pool_t *ptemp);

/* ------------------------------------------------------------------------
 * The loader: one process per server, from a thread of its own.
 */

/* Looks at the map's source and, when a new complete and valid version is
 * there, publishes it.  Call it every CORS_MAP_TICK_MS; it decides what
 * to read when.  server is handed to a polled source.  Returns 1 when a
 * version was published. */
int cors_map_poll(cors_map *map, apr_pool_t *ptemp);

/* ------------------------------------------------------------------------
 * Every child
 */

/* Maps the newest published image when it is newer than the one in use.
 * Call it when a child starts (before it serves) and then from one thread
 * every CORS_MAP_TICK_MS; never from two threads at once. */
void cors_map_follow(cors_map *map);

/* The same for a child the MPM is stopping (a graceful restart): it may
 * still finish requests, while the next generation's loader publishes
 * under shared state this child does not see.  It follows the image file
 * itself, one stat(2) a tick. */
void cors_map_follow_file(cors_map *map);

/* Does the map allow origin (a valid serialized origin, not "null")?  A
 * cors_match_fn (cors_decide.h): reads the image in use, allocates
 * nothing, takes no lock; safe from any thread. */
int cors_map_match(const void *map, const char *origin);

/* Fills info with what the map holds now. */
void cors_map_describe(apr_pool_t *p, cors_map *map, cors_map_info *info);

#endif /* CORS_MAP_H */
