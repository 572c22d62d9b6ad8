/*
 * mod_cors.h -- the per-directory configuration of mod_cors.
 */
#ifndef MOD_CORS_H
#define MOD_CORS_H

#include "httpd.h"
#include "http_config.h"
#include "ap_regex.h"

#include "cors_logic.h"
#include "cors_map.h"

/* Tri-state and numeric settings start here, meaning "not set in this
 * scope: inherit". */
#define CORS_UNSET (-1)

/* One scope's settings (<Directory>, <Location>, .htaccess, vhost ...).
 * Everything is compiled when the directive is read; the merge only picks
 * pointers and integers, and a request only reads. */
typedef struct {
    /* CORSAllowOrigin, CORSAllowOriginMatch and CORSAllowOriginMap together
     * form the origin setting: a scope that has any replaces all three
     * inherited ones. */
    cors_origins *origins;              /* NULL: inherited */
    apr_array_header_t *origin_regexes; /* of cors_regex, or NULL */
    apr_array_header_t *origin_maps;    /* of cors_map *, or NULL */

    cors_list *methods;                 /* NULL: inherited */
    cors_list *allow_headers;           /* NULL: inherited */
    cors_list *expose_headers;          /* NULL: inherited */

    int credentials;                    /* CORS_UNSET, 0 or 1 */
    int max_age;                        /* CORS_UNSET or 0..86400 */
    const char *max_age_value;          /* max_age as the header value */
    int private_network;                /* CORS_UNSET, 0 or 1 */
    int preflight_status;               /* CORS_UNSET, 200 or 204 */
    int preflight_continue;             /* CORS_UNSET, 0 or 1 */
    int backend_keep;                   /* CORS_UNSET, 0 (replace), 1 */
    int engine;                         /* CORS_UNSET or a CORS_ENGINE_ */

    /* Where this scope was written, for startup warnings and DUMP_CORS:
     * set by the first CORS directive of a section, never merged. */
    const char *section;                /* e.g. <Location "/api/"> */
    const char *defined_at;             /* file:line */
    apr_array_header_t *warnings;       /* of const char *, for startup */
} cors_dir_conf;

#define CORS_ENGINE_OFF 0
#define CORS_ENGINE_ON 1
#define CORS_ENGINE_REPORT_ONLY 2

/* A CORSAllowOriginMatch regex, compiled anchored, and as written. */
typedef struct {
    ap_regex_t *re;
    const char *source;
} cors_regex;

#endif /* MOD_CORS_H */
