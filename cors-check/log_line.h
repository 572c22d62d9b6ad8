/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log_line.h -- reads one access-log line written with the cors_observe
 * format (docs/moving-to-mod_cors.md):
 *
 *   LogFormat "%v \"%r\" %>s \"%{Origin}i\" \"%{Access-Control-Request-Method}i\"
 *              \"%{Access-Control-Request-Headers}i\" %{cors}n" cors_observe
 *
 * Pure: no allocation, no I/O.  The fields point into the line, which is
 * not changed.  Quoted fields keep httpd's escapes (\" \\ \xhh): a value
 * that holds one is never a serialized origin, a method or a header name,
 * so nothing needs them undone.
 */
#ifndef LOG_LINE_H
#define LOG_LINE_H

#include <stddef.h>

/* A piece of the line: len bytes at s (not NUL-terminated). */
typedef struct {
    const char *s;
    size_t len;
} ll_span;

typedef struct {
    ll_span vhost;      /* %v */
    ll_span method;     /* %r's first word */
    ll_span path;       /* %r's second word, up to '?' */
    int status;         /* %>s */
    ll_span origin;     /* %{Origin}i; len 0 with has_origin 0 for "-" */
    ll_span acrm;       /* Access-Control-Request-Method; "-" -> len 0 */
    ll_span acrh;       /* Access-Control-Request-Headers; "-" -> len 0 */
    ll_span note;       /* %{cors}n; "-" -> len 0 */
    int has_origin;     /* the request had an Origin header */
} ll_fields;

typedef enum {
    LL_OK = 0,
    LL_BLANK,           /* an empty line (or only white space) */
    LL_MALFORMED        /* not a cors_observe line */
} ll_result;

/* Reads line (len bytes, the end of line not included) into *f. */
ll_result ll_parse(const char *line, size_t len, ll_fields *f);

/* Is the request a CORS preflight: OPTIONS with a non-empty
 * Access-Control-Request-Method (what mod_cors answers as one)? */
int ll_is_preflight(const ll_fields *f);

/* Is the path under prefix, as <Location "prefix"> takes it (len 0: every
 * path is)? */
int ll_path_under(const ll_fields *f, const char *prefix, size_t prefix_len);

#endif /* LOG_LINE_H */
