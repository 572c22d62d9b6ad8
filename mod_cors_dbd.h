/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mod_cors_dbd.h -- CORSAllowOriginMap "dbd:QUERY" ["CHANGE-QUERY"]: the
 * origins of a map read from a SQL database through mod_dbd.
 *
 * The statements are prepared with mod_dbd when the directive is read
 * and run by the map core's loader (cors_source.h), in a process of its
 * own, never in a request: CHANGE-QUERY about once a second and QUERY
 * only when CHANGE-QUERY's answer changed (every
 * CORS_DBD_REREAD_INTERVAL seconds without one).  Each row's first
 * column is one entry; a row that is not a valid entry is skipped and
 * logged, the others load.
 */
#ifndef MOD_CORS_DBD_H
#define MOD_CORS_DBD_H

#include "httpd.h"
#include "http_config.h"

#include "cors_source.h"

/* Seconds between two runs of QUERY when there is no CHANGE-QUERY. */
#define CORS_DBD_REREAD_INTERVAL 10

/* Skipped rows named in the error log per load; the rest are counted. */
#define CORS_DBD_SKIPPED_LOGGED 10

/* CHANGE-QUERY answers up to this long are their own token; a longer
 * one is replaced by its SHA-1 (the core keeps 255 bytes of a token). */
#define CORS_DBD_TOKEN_MAX 255

typedef struct cors_dbd_source cors_dbd_source;

/* For a directive being read in cmd: checks that it may name queries here
 * (not in .htaccess), that mod_dbd is loaded and the virtual host has a
 * DBDriver (mod_dbd checks that APR-util has it), and prepares query (the text
 * after "dbd:") and change_query (NULL: none) with mod_dbd.  Returns NULL
 * and the source in *out, or what is wrong, without the directive's name
 * (the caller adds it).  Nothing connects to the database here. */
const char *cors_dbd_source_make(cmd_parms *cmd, const char *query,
                                 const char *change_query,
                                 cors_dbd_source **out);

/* The source's cors_source_poll_fn: run by the loader with the
 * source from cors_dbd_source_make. */
cors_source_result cors_dbd_poll(void *source, cors_source_poll *poll);

/* What identifies the source across restarts, for the name of its last
 * good version on disk: a hex SHA-1 of the driver, DBDParams and both
 * queries (the parameters may hold a password: they never appear in
 * clear). */
const char *cors_dbd_source_id(const cors_dbd_source *src);

/* The source for -D DUMP_CORS and mod_status: the queries, the driver,
 * rows skipped by the version in force, and how long ago the database
 * last answered (answered: cors_source_poll's, 0 for never). */
const char *cors_dbd_describe(apr_pool_t *p, const cors_dbd_source *src,
                              long skipped, apr_time_t answered,
                              apr_time_t now);

#endif /* MOD_CORS_DBD_H */
