/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_map_file.h -- the file sources of CORSAllowOriginMap: what a spec
 * "[txt:|dbm[=TYPE]:]path" names, what identifies the file's content
 * without reading it, and the reading of a whole version into a builder.
 *
 * Pure code on APR (apr_dbm) and libc: the map core (cors_map.c) decides
 * when to read; this file only reads, and says whether what it read is
 * complete and valid.
 */
#ifndef CORS_MAP_FILE_H
#define CORS_MAP_FILE_H

#include "apr_pools.h"

#include "cors_image.h"

/* Bounds of a txt map, checked while it is read: a longer line or a bigger
 * file is an error (and CORS_MAP_ENTRIES_MAX, cors_image.h). */
#define CORS_MAP_LINE_MAX 1024                   /* bytes, without "\n" */
#define CORS_MAP_FILE_MAX (256L * 1024 * 1024)  /* bytes */

/* The identity of a file's content (a token), NUL included. */
#define CORS_MAP_TOKEN_MAX CORS_IMAGE_TOKEN_MAX

typedef enum {
    CORS_MAP_TXT,
    CORS_MAP_DBM,
    CORS_MAP_DBD                /* not a file: rows of a SQL database */
} cors_map_kind;

typedef struct {
    cors_map_kind kind;
    const char *path;
    const char *dbm_type;       /* as apr_dbm_open_ex() names it */
    const char *files[2];       /* what is looked at: the file(s) on disk */
} cors_map_file;

/* Parses spec into f; a relative path is taken from root.  Returns NULL or
 * an error (from p). */
const char *cors_map_file_parse(apr_pool_t *p, const char *spec,
                                const char *root, cors_map_file *f);

/* The identity of the file(s), as a token of at most CORS_MAP_TOKEN_MAX
 * bytes (device, inode, size, times), and the newest modification time.
 * Returns NULL, or what is wrong: missing, not a regular file.  Never
 * blocks (stat(2), not open(2)). */
const char *cors_map_file_identity(apr_pool_t *p, const cors_map_file *f,
                                   char *token, apr_int64_t *mtime_ns);

/* A builder for the entries f may hold (dbm keys are exact origins). */
cors_map_builder *cors_map_file_builder(const cors_map_file *f,
                                        apr_pool_t *p);

typedef enum {
    CORS_READ_OK,
    CORS_READ_UNSETTLED,        /* changed since token, or while read */
    CORS_READ_FAILED            /* invalid or unreadable: *err says why */
} cors_read_result;

/* Reads the whole version into b.  token: the identity it was settled at,
 * or NULL to read whatever is there (apachectl -t).  A txt file must end
 * with a newline and hold an entry or a comment line (*comments_only is
 * set for a file of comments only: a map that allows nothing); a dbm file
 * must hold a key.  *err names the file, and for a bad entry its line and
 * value. */
cors_read_result cors_map_file_read(const cors_map_file *f, apr_pool_t *p,
                                    const char *token, cors_map_builder *b,
                                    int *comments_only, const char **err);

/* The txt parser on a buffer, as it runs on a file (for the fuzzer and the
 * unit tests): adds each entry of buf[0..len) to b.  Returns NULL or an
 * error naming name, the line and the value.  chunk > 0 feeds the buffer
 * in pieces of that size, the way a file is read.  *comments tells
 * whether a comment line was seen. */
const char *cors_map_parse_txt(apr_pool_t *p, const char *name,
                               const char *buf, apr_size_t len,
                               apr_size_t chunk, cors_map_builder *b,
                               int *comments);

#endif /* CORS_MAP_FILE_H */
