/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_explain.h -- CORSDebug: a decision explained as the value of a
 * CORS-Debug response header, in Structured Field form (RFC 8941, an
 * sf-item: a Token with parameters):
 *
 *   preflight-denied-headers; header="x-secret";
 *       allowed="Content-Type, X-Request-ID"; reason=not-allowed;
 *       policy="/srv/app/.htaccess:3"
 *
 * The note comes first; a refusal adds the offending value (origin=,
 * method= or header=), what the policy allows for it (allowed=) and why
 * (reason=); every value says where the policy was written (policy=) and,
 * under CORSEngine ReportOnly, report-only.
 *
 * Pure code: APR and libc only, like cors_decide.c, so that it is unit
 * tested without a server.  The httpd side (mod_cors.c) decides whether a
 * request gets the header (the CORSDebug expression) and writes it.
 */
#ifndef CORS_EXPLAIN_H
#define CORS_EXPLAIN_H

#include <stddef.h>

#include "apr_pools.h"

#include "cors_decide.h"

/* The response header. */
#define CORS_DEBUG_HEADER "CORS-Debug"

/* The most bytes of a client's value (Origin, a method, a header name) an
 * explanation repeats; a longer one is cut and ends in "...". */
#define CORS_EXPLAIN_VALUE_MAX 128

/* The most bytes of a fact of the configuration (allowed=, policy=). */
#define CORS_EXPLAIN_POLICY_MAX 512

/* How many origins allowed= names for an origin refusal before it only
 * counts the rest. */
#define CORS_EXPLAIN_ORIGINS_SHOWN 3

/* What the explanation says besides the decision. */
typedef struct {
    const char *defined_at;     /* "file:line" of the policy's scope, or NULL */
    int report_only;            /* CORSEngine ReportOnly */
} cors_explain_context;

/* The CORS-Debug value of decision d, made by policy for input in. */
const char *cors_explain(apr_pool_t *p, const cors_policy *policy,
                         const cors_input *in, const cors_decision *d,
                         const cors_explain_context *ctx);

/* An RFC 8941 sf-string of the len bytes at s: double-quoted, '"' and '\'
 * escaped with '\', any byte outside 0x20-0x7E replaced by '?', and cut
 * after max bytes with a closing "..." inside the quotes. */
const char *cors_sf_string(apr_pool_t *p, const char *s, size_t len,
                           size_t max);

/* A short, stable summary of the origins a policy allows: "*", or the
 * first CORS_EXPLAIN_ORIGINS_SHOWN in order (exact origins and patterns
 * sorted, then null, then each CORSAllowOriginMatch source) and how many
 * there are in all. */
const char *cors_explain_origins(apr_pool_t *p, const cors_policy *policy);

/* Is the CORSDebug expression source obviously true for every request
 * ("true", "1 == 1", "'a' = 'a'", "!false", "(true) || ...")?  Only
 * constants are judged; anything that reads the request is not. */
int cors_expr_always_true(const char *source);

#endif /* CORS_EXPLAIN_H */
