/* SPDX-License-Identifier: Apache-2.0 */
/*
 * propose.h -- `cors-check propose`: from the cross-origin traffic an
 * access log shows to the mod_cors policy it needs, and no more.
 *
 * Two halves, both pure (APR, libpsl and cors_logic.h; no I/O):
 *  - the tally: each log line (log_line.h) counted under its virtual host
 *    and Origin value.  Memory grows with the distinct origins only: one
 *    entry per (virtual host, Origin value), and per origin at most
 *    PP_NAMES_MAX methods and as many header names from its preflights;
 *  - the proposal: per virtual host, the origins to allow, the subdomain
 *    patterns that stand for three or more of them, the origins left out
 *    and why, the methods and headers the allowed origins' preflights
 *    asked for, and the directives that say it.
 */
#ifndef PROPOSE_H
#define PROPOSE_H

#include "apr_pools.h"
#include "apr_tables.h"

#include "log_line.h"

/* Per origin, the distinct methods (and, apart, header names) kept from
 * its preflights; more are not recorded (a browser asks for a few). */
#define PP_NAMES_MAX 64

/* An Origin value is kept up to this many bytes: anything longer is not
 * a serialized origin, and values that share their first bytes are
 * counted together (shown ending in "..."). */
#define PP_VALUE_MAX 330

/* Three or more subdomains of one registrable domain, with one scheme and
 * port, become one "scheme://(star).domain" pattern. */
#define PP_COLLAPSE_MIN 3

#define PP_MIN_REQUESTS_DEFAULT 3

typedef struct pp_tally pp_tally;

/* prefix: only requests under it count (NULL: every request). */
pp_tally *pp_tally_make(apr_pool_t *p, const char *prefix);

/* Counts one parsed line. */
void pp_tally_add(pp_tally *t, const ll_fields *f);

/* Lines counted, and why the others were not. */
typedef struct {
    apr_uint64_t counted;           /* with an Origin, under the prefix */
    apr_uint64_t no_origin;
    apr_uint64_t outside_prefix;
} pp_counts;

const pp_counts *pp_tally_counts(const pp_tally *t);

typedef enum {
    PP_REASON_NULL,         /* the opaque origin "null" */
    PP_REASON_INVALID,      /* not a serialized origin */
    PP_REASON_LOOKALIKE,    /* a lookalike of an allowed site */
    PP_REASON_RARE          /* fewer requests than the minimum */
} pp_reason;

/* "null", "invalid", "lookalike", "rare": the JSON's "reason". */
const char *pp_reason_name(pp_reason r);

typedef struct {
    const char *origin;
    apr_uint64_t requests;
} pp_origin;

typedef struct {
    const char *pattern;            /* "https://(star).app.example.com" */
    int origins;                    /* distinct origins seen that it allows */
    apr_uint64_t requests;          /* theirs */
    const char *examples;           /* "https://a..., https://b... and 2 more" */
} pp_pattern;

typedef struct {
    const char *origin;             /* printable: other bytes as \xhh */
    apr_uint64_t requests;
    pp_reason reason;
    const char *like;               /* lookalike: the allowed domain */
} pp_left_out;

typedef struct {
    int min_requests;               /* an origin needs this many */
    int credentials;                /* add CORSAllowCredentials On */
    const char *prefix;             /* wrap in <Location "prefix"> */
} pp_options;

typedef struct {
    const char *vhost;
    apr_uint64_t requests;          /* with an Origin, under the prefix */
    apr_array_header_t *origins;    /* of pp_origin: allowed exactly */
    apr_array_header_t *patterns;   /* of pp_pattern */
    apr_array_header_t *left_out;   /* of pp_left_out */
    apr_array_header_t *methods;    /* of const char *, as CORSAllowMethods */
    apr_array_header_t *headers;    /* of const char *, as CORSAllowHeaders */
    const char *directives;         /* ready to paste, one per line */
} pp_proposal;

/* One proposal per virtual host seen, sorted by name (of pp_proposal *). */
apr_array_header_t *pp_propose(apr_pool_t *p, const pp_tally *t,
                               const pp_options *o);

#endif /* PROPOSE_H */
