/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_source.h -- where the entries of a CORSAllowOriginMap come from.
 *
 * A map is a sequence of versions.  One process per server (the loader)
 * polls each map's source about once a second; a source that has
 * something new adds every entry to a builder, and the map core turns a
 * complete, valid result into the next version (cors_map.h).  A source
 * never runs in a request.
 *
 * The txt and dbm sources are part of the map core; others (the SQL
 * source of mod_cors_dbd.c) plug in through cors_source_poll_fn.
 */
#ifndef CORS_SOURCE_H
#define CORS_SOURCE_H

#include "apr_pools.h"
#include "apr_time.h"

/* The longest token (cors_source_poll's new_token) a version keeps, in
 * bytes: a longer one is cut. */
#define CORS_SOURCE_TOKEN_MAX 255

/* Receives a version's entries while a source is read. */
typedef struct cors_map_builder cors_map_builder;

/* Checks value (len bytes, need not be NUL-terminated) as a txt map
 * entry and adds it.  Returns NULL, or why the value is not a valid
 * entry (allocated from the builder's pool): the file sources stop there,
 * the SQL source skips the row. */
const char *cors_map_builder_add(cors_map_builder *b, const char *value,
                                 apr_size_t len);

typedef enum {
    CORS_SOURCE_UNCHANGED,      /* nothing new: the version in force stays */
    CORS_SOURCE_READ,           /* every entry was added to the builder */
    CORS_SOURCE_FAILED          /* unreachable or invalid: see error */
} cors_source_result;

/* One poll of a source, filled by the loader; the source sets the out
 * fields. */
typedef struct {
    apr_pool_t *pool;           /* for this poll only */
    void *server;               /* the glue's server_rec of the map */
    const char *token;          /* what the version in force was read at
                                 * ("" for none), as new_token said then */
    apr_time_t read_at;         /* when the version in force was read (0:
                                 * never) */
    cors_map_builder *builder;  /* where the entries go */

    const char *new_token;      /* out, with READ: identifies what was read,
                                 * e.g. CHANGE-QUERY's answer (at most
                                 * CORS_SOURCE_TOKEN_MAX bytes are kept) */
    long skipped;               /* out, with READ: entries left out */
    apr_time_t answered;        /* out: when the source last answered (0:
                                 * not in this poll) */
    const char *error;          /* out, with FAILED */
} cors_source_poll;

typedef cors_source_result cors_source_poll_fn(void *source,
                                               cors_source_poll *poll);

#endif /* CORS_SOURCE_H */
