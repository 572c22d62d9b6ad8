/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_map.h -- CORSAllowOriginMap: allowed origins kept in a file that
 * may change while httpd runs.
 *
 *   txt:path        one entry per line (exact origins and "*." / ":*"
 *                   patterns, as CORSAllowOrigin takes them), compiled into
 *                   a cors_origins set: a lookup costs the same for ten
 *                   entries or a million;
 *   dbm[=TYPE]:path an apr_dbm file (sdbm, gdbm, db, or APR's default)
 *                   whose keys are exact origins, e.g. built by httxt2dbm:
 *                   one key lookup per request, nothing loaded.
 *
 * The file is looked at once a second: by a watcher thread in a threaded
 * child, else by the request that asks the map (the others go on),
 * and a changed file is loaded off to the side and swapped in whole.  A
 * file that cannot be read or has a bad entry at a reload leaves the last
 * good state in force and is logged once per change.
 *
 * Nothing here includes an httpd header: messages go to the logger that the
 * glue sets (cors_map_set_logger), so the unit tests and the fuzzer run
 * this code without a server.
 */
#ifndef CORS_MAP_H
#define CORS_MAP_H

#include "apr_pools.h"
#include "apr_time.h"

#include "cors_logic.h"

/* Bounds of a txt map, checked while it is read so that a runaway file is
 * refused in bounded time and memory: a longer line, a bigger file or more
 * entries is an error (use a dbm map for more). */
#define CORS_MAP_LINE_MAX 1024                   /* bytes, without "\n" */
#define CORS_MAP_FILE_MAX (256L * 1024 * 1024)  /* bytes */
#define CORS_MAP_ENTRIES_MAX 2000000

/* How often a process looks at a map's file, at most (seconds). */
#define CORS_MAP_CHECK_INTERVAL 1

typedef enum {
    CORS_MAP_TXT,
    CORS_MAP_DBM
} cors_map_kind;

typedef enum {
    CORS_MAP_LOG_ERROR,
    CORS_MAP_LOG_WARNING,
    CORS_MAP_LOG_INFO
} cors_map_log_level;

/* The glue's logger (ap_log_error with the module's tag).  Called from
 * whichever request thread does a reload; msg is only valid during the
 * call. */
typedef void cors_map_log_fn(void *baton, cors_map_log_level level,
                             const char *msg);

typedef struct cors_map cors_map;

/* What a map holds now, for -D DUMP_CORS and LogLevel cors:info. */
typedef struct {
    cors_map_kind kind;
    const char *spec;           /* as configured */
    const char *path;
    const char *dbm_type;       /* dbm: "sdbm", "default", ...; txt: NULL */
    long entries;               /* -1: not counted (a dbm after a reload) */
    apr_time_t loaded;          /* when the file in force was read */
    apr_interval_time_t took;   /* how long that took */
    unsigned long reloads;      /* in this process, after the first load */
} cors_map_info;

/* Parses spec ("[txt:|dbm[=TYPE]:]path"), loads the file and returns the
 * map in *out.  A relative path is taken from root (httpd's ServerRoot;
 * NULL: the current directory).  Maps are shared: a second directive with
 * the same spec in the same configuration gets the same map.  Returns
 * NULL, or an error (from pconf) naming the spec and, for a bad entry, its
 * line and value.  The map lives until pconf is cleared. */
const char *cors_map_open(apr_pool_t *pconf, const char *spec,
                          const char *root, cors_map **out);

/* Where a map's messages go (the default drops them). */
void cors_map_set_logger(cors_map *map, cors_map_log_fn *fn, void *baton);

/* In each child process, before it serves requests: opens the dbm maps of
 * the configuration anew, so that no two processes share a file offset (a
 * txt map needs nothing: the child has its copy of the parent's set).  In
 * a threaded child (threaded != 0) it also starts a thread, stopped with
 * pchild, that looks at every map once a second; a single-threaded child
 * looks at a map in the request that asks it, at most once a second. */
void cors_map_child_init(apr_pool_t *pconf, apr_pool_t *pchild,
                         int threaded);

/* Does the map allow origin (a valid serialized origin, not "null")?  A
 * cors_match_fn (cors_decide.h): thread-safe, allocates nothing, and in a
 * process without a watcher thread (cors_map_child_init) it also looks for
 * a change of the file, at most once a second. */
int cors_map_match(const void *map, const char *origin);

/* Fills info with what the map holds now. */
void cors_map_describe(cors_map *map, cors_map_info *info);

/* Looks for a change now (what cors_map_match does once a second); for
 * tests.  Returns 1 when a new version was swapped in. */
int cors_map_check_now(cors_map *map);

/* The txt parser on a buffer, as the loader runs it on a file (for the
 * fuzzer and the unit tests): adds each entry of buf[0..len) to set and
 * counts them in *entries.  Returns NULL or an error naming name, the
 * line and the value.  chunk > 0 feeds the buffer in pieces of that size,
 * the way the loader reads a file. */
const char *cors_map_parse_txt(apr_pool_t *p, const char *name,
                               const char *buf, apr_size_t len,
                               apr_size_t chunk, cors_origins *set,
                               long *entries);

#endif /* CORS_MAP_H */
