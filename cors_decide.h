/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_decide.h -- the CORS decision: what a request in a policy's scope
 * gets back, as pure code.
 *
 * A cors_policy is what a scope's directives compile to; a cors_input is
 * what the decision needs of a request (five header values); a
 * cors_decision is the outcome: the request note, why it was refused
 * (a reason code and the offending value), the Vary tokens and exactly the
 * Access-Control-* headers to send.  Nothing here includes an httpd
 * header or allocates: the httpd glue (mod_cors.c) gathers the inputs and
 * writes the decision into the response; unit tests and fuzzers call the
 * same functions without a server.
 *
 * Origins that a regex or a map allows come in through cors_matcher, a
 * callback with its own data, so that neither ap_regex nor a map's
 * storage is known here (the way modules/md keeps httpd out of md_*.c).
 */
#ifndef CORS_DECIDE_H
#define CORS_DECIDE_H

#include <stddef.h>

#include "apr_tables.h"

#include "cors_logic.h"

/* A setting that is On, Off, or not set in a scope (inherited). */
typedef enum {
    CORS_UNSET = -1,
    CORS_OFF = 0,
    CORS_ON = 1
} cors_flag;

/* The request note "cors" (for %{cors}n), one per decision. */
typedef enum {
    CORS_NOTE_PREFLIGHT_OK,
    CORS_NOTE_PREFLIGHT_DENIED_ORIGIN,
    CORS_NOTE_PREFLIGHT_DENIED_METHOD,
    CORS_NOTE_PREFLIGHT_DENIED_HEADERS,
    CORS_NOTE_ALLOWED,
    CORS_NOTE_DENIED_ORIGIN,
    CORS_NOTE_NO_ORIGIN,
    CORS_NOTE_COUNT
} cors_note;

/* The note's text: "preflight-ok", "denied-origin", ... */
const char *cors_note_name(cors_note note);

/* Why a request was refused (or CORS_REASON_NONE). */
typedef enum {
    CORS_REASON_NONE,
    CORS_REASON_ORIGIN_INVALID,     /* not a serialized origin */
    CORS_REASON_ORIGIN_NOT_ALLOWED,
    CORS_REASON_MERGED_CONFLICT,    /* merging joined '*'/null, credentials */
    CORS_REASON_METHOD_NOT_ALLOWED,
    CORS_REASON_METHOD_CASE,        /* allowed only in another case */
    CORS_REASON_METHOD_NOT_BROWSER, /* a case no browser sends ("Delete") */
    CORS_REASON_HEADER_NOT_ALLOWED,
    CORS_REASON_HEADER_MALFORMED,
    CORS_REASON_HEADERS_TOO_LONG,
    CORS_REASON_ORIGIN_MATCH_LIMIT, /* a regex reached a limit on it */
    CORS_REASON_COUNT
} cors_reason;

/* What a refusal says, the one table of it: the token of CORS-Debug's
 * reason= and, for the debug log, the text before and after the offending
 * value ("origin '" ... "' not allowed"). */
typedef struct {
    const char *token;
    const char *before;
    const char *after;
} cors_reason_text;

const cors_reason_text *cors_reason_describe(cors_reason reason);

/* What a matcher says of an origin.  CORS_MATCH_LIMIT: it could not tell
 * within its bounds of work (a regex reached a PCRE2 limit); the decision
 * refuses the origin and asks no other matcher. */
enum {
    CORS_MATCH_NO = 0,
    CORS_MATCH_YES = 1,
    CORS_MATCH_LIMIT = 2
};

/* An origin source beyond the compiled set (CORSAllowOriginMatch, a map):
 * match() says CORS_MATCH_YES when it allows origin, a valid serialized
 * origin other than "null" (any other non-zero value is not a "yes"). It
 * must be safe to call from any thread. */
typedef int cors_match_fn(const void *data, const char *origin);

typedef struct {
    cors_match_fn *match;
    const void *data;
    const char *source;         /* as configured, for messages */
    /* An origin of a site the source does not name that it allows, found
     * at config time (cors_probe.h), or NULL. */
    const char *lets_in;
} cors_matcher;

/* A scope's policy.  Pointers are NULL and flags CORS_UNSET where the
 * scope does not set them; the decision reads a NULL list as "none
 * configured" and an unset flag as Off. */
typedef struct {
    const cors_origins *origins;        /* NULL: no policy */
    const apr_array_header_t *matchers; /* of cors_matcher, or NULL */
    const cors_list *methods;
    const cors_list *allow_headers;
    const cors_list *expose_headers;
    cors_flag credentials;
    cors_flag private_network;
    const char *max_age;                /* the header value, or NULL */
    /* What a matcher lets in ("CORSAllowOriginMatch '...' matches ..."),
     * or NULL: it cannot go with credentials. */
    const char *matcher_conflict;
} cors_policy;

/* What the decision needs of a request: header values, NULL when absent.
 * An actual request's decision reads only origin, and a preflight's reads
 * request_private_network only where policy->private_network is On, so
 * the caller need not look the others up. */
typedef struct {
    const char *origin;
    const char *request_method;         /* Access-Control-Request-Method */
    const char *request_headers;        /* Access-Control-Request-Headers */
    const char *request_private_network;
} cors_input;

/* The most headers a decision sends: a successful preflight's ACAO, ACAC,
 * ACAM, ACAH, ACMA and ACAPN. */
#define CORS_DECISION_MAX_HEADERS 6

typedef struct {
    const char *name;
    const char *value;
} cors_header;

typedef struct {
    cors_note note;
    cors_reason reason;
    /* The value that failed (the Origin, the method, one header name of
     * Access-Control-Request-Headers), pointing into the input; or, for
     * CORS_REASON_MERGED_CONFLICT, what conflicts ("CORSAllowOrigin *"). */
    const char *offending;
    size_t offending_len;
    /* Tokens for Vary, joined ("Origin, Access-Control-Request-Method,
     * ..."), or NULL when the response is the same for every origin. */
    const char *vary;
    int nheaders;
    cors_header headers[CORS_DECISION_MAX_HEADERS];
} cors_decision;

/* Is the request a preflight: Origin and a non-empty
 * Access-Control-Request-Method (the method being OPTIONS is the
 * caller's to check). */
static APR_INLINE int cors_is_preflight(const cors_input *in)
{
    return in->origin != NULL && in->request_method != NULL
           && in->request_method[0] != '\0';
}

/* Decide a preflight / an actual request under policy (policy->origins
 * must not be NULL).  Thread-safe; allocates nothing; the decision points
 * into policy and in. */
void cors_decide_preflight(const cors_policy *policy, const cors_input *in,
                           cors_decision *d);
void cors_decide_actual(const cors_policy *policy, const cors_input *in,
                        cors_decision *d);

/* Did the decision allow the request (preflight-ok or allowed)? */
static APR_INLINE int cors_decision_allowed(const cors_decision *d)
{
    return d->note == CORS_NOTE_PREFLIGHT_OK || d->note == CORS_NOTE_ALLOWED;
}

/* What in the policy cannot go with credentials ("CORSAllowOrigin *",
 * "CORSAllowMethods *", a loose CORSAllowOriginMatch ...), or NULL: with
 * credentials On such a policy is refused at config time in one scope and
 * denied per request when merging joins them. */
const char *cors_credentials_conflict(const cors_policy *policy);

/* The Access-Control-* names the decision uses (one source for each). */
#define CORS_ACAO "Access-Control-Allow-Origin"
#define CORS_ACAC "Access-Control-Allow-Credentials"
#define CORS_ACAM "Access-Control-Allow-Methods"
#define CORS_ACAH "Access-Control-Allow-Headers"
#define CORS_ACEH "Access-Control-Expose-Headers"
#define CORS_ACMA "Access-Control-Max-Age"
#define CORS_ACAPN "Access-Control-Allow-Private-Network"
#define CORS_ACRM "Access-Control-Request-Method"
#define CORS_ACRH "Access-Control-Request-Headers"
#define CORS_ACRPN "Access-Control-Request-Private-Network"

#endif /* CORS_DECIDE_H */
