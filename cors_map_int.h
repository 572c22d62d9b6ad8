/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_map_int.h -- what cors_map.c (the versions, the loader, startup)
 * and cors_map_disk.c (the image files) share of a map: not for other
 * files, which use cors_map.h.
 */
#ifndef CORS_MAP_INT_H
#define CORS_MAP_INT_H

#include <sys/types.h>
#include <time.h>

#include "apr_pools.h"

#include "cors_map.h"

/* An image file's name ends so (cors_map.c names them, cors_map_disk.c
 * writes them and finds its temporary ones). */
#define IMAGE_EXT ".map"

#define ERROR_MAX 512
#define TOKEN_MAX CORS_MAP_TOKEN_MAX

/* What the loader remembers between its ticks.  Kept in the shared state,
 * so that the next loader goes on where the last one stopped: prefork
 * children that live for a few requests would otherwise each start the
 * settle interval anew, and none would ever read a change. */
typedef struct {
    char settling[TOKEN_MAX];   /* the identity seen last, and since when */
    apr_time_t settling_since;
    char failed[TOKEN_MAX];     /* the identity whose read failed */
    apr_time_t retry_at;        /* and when it is tried again */
    apr_time_t next_poll;       /* a polled source */
} loader_state;

struct cors_map_shared {
    loader_state loader;                /* only the loader reads or writes */
    volatile apr_uint32_t generation;   /* the newest published */
    volatile apr_uint32_t issued;       /* the last generation handed out */
    volatile apr_uint32_t failures;     /* failed loads since start */
    volatile apr_uint32_t seq;          /* odd while the loader writes */
    apr_time_t error_at;
    apr_time_t answered;                /* the source last answered */
    apr_time_t polled;                  /* a polled source was last read */
    char error[ERROR_MAX];              /* the last failure, "" when none */
};

/* A version in use in this process: a mapped image. */
typedef struct {
    apr_pool_t *pool;           /* unmanaged: holds the mapping */
    cors_image img;
} map_version;

struct cors_map {
    const char *spec;
    cors_map_file file;         /* kind CORS_MAP_DBD: the rest unused */
    cors_source_poll_fn *poll_fn;
    void *source;
    void *server;
    const char *key;            /* tells maps apart: names the image */
    apr_pool_t *pool;           /* pconf */
    const char *defined_at;
    long tested;                /* entries cors_map_test() read, or -1 */

    const char *image_path;
    cors_map_shared *shared;

    /* The version in use, for requests: see enter_version(). */
    void *volatile current;     /* map_version *, or NULL: allows nothing */
    volatile apr_uint32_t epoch;
    volatile apr_uint32_t readers[2];
    map_version *retired;
    apr_uint32_t retired_epoch;
    apr_uint32_t followed;      /* the shared generation last acted on */
    ino_t followed_inode;       /* the image file last acted on, when */
    struct timespec followed_mtime;     /* followed by the file itself */
    int follow_logged;
    apr_time_t follow_retry_at; /* a failed mapping is tried again then */

    loader_state own_loader;    /* without shared state (unit tests) */

    cors_log_fn *log;
    void *log_baton;
};

/* A pool of its own for a version or a load; cors_map_drop_pool() hands
 * back its memory (see cors_map_disk.c). */
apr_pool_t *cors_map_own_pool(void);
void cors_map_drop_pool(apr_pool_t *p);

/* Maps the map's image file and checks it whole: 0 and the version, or
 * -1 and what is wrong in err. */
int cors_map_map_image(const cors_map *m, char *err, apr_size_t errlen,
                       map_version **out);

/* Raises the shared generation to g (never lowers it). */
void cors_map_announce(cors_map *m, apr_uint64_t g);

/* Writes b as the version after newest (meta->generation is set), and
 * announces it.  Returns NULL or what went wrong. */
const char *cors_map_publish(cors_map *m, apr_pool_t *p,
                             const cors_map_builder *b, cors_image_meta *meta,
                             apr_uint64_t newest);

#endif /* CORS_MAP_INT_H */
