/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fetch_model.h -- the CORS protocol of the Fetch standard as Chromium
 * plays it, as pure functions: no I/O, no libcurl, no allocation.
 *
 * cors-check.c drives these with the requests it sends and the responses
 * it reads (net_io.c); the unit tests (test_fetch_model.c) drive them with
 * made-up responses.  Where Chromium and the Fetch standard disagree, the
 * functions here do what Chromium does and say so in the check's note.
 */
#ifndef FETCH_MODEL_H
#define FETCH_MODEL_H

#include <stddef.h>

/* Bounds: a request has at most this many headers, a response keeps at
 * most this many (the rest are counted as dropped). */
#define FM_MAX_REQ_HEADERS 64
#define FM_MAX_RESP_HEADERS 128
#define FM_MAX_REDIRECTS 20
#define FM_HINT_MAX 512

/* A header as a field of a request or a response: both point into memory
 * the caller owns. */
typedef struct {
    const char *name;
    const char *value;
} fm_header;

typedef enum {
    FM_CREDENTIALS_SAME_ORIGIN = 0, /* fetch()'s default */
    FM_CREDENTIALS_INCLUDE          /* credentials: 'include' */
} fm_credentials;

/* What the page's script asked fetch() for. */
typedef struct {
    char method[64];                 /* as fetch() normalizes it */
    fm_header headers[FM_MAX_REQ_HEADERS];
    size_t nheaders;
    fm_credentials credentials;
} fm_request;

/* A response as read from the wire: duplicates and order kept. */
typedef struct {
    int status;
    fm_header headers[FM_MAX_RESP_HEADERS];
    size_t nheaders;
} fm_response;

/* The ways Chromium blocks a fetch(); each has one console message. */
typedef enum {
    FM_OK = 0,
    FM_ERR_WILDCARD_ORIGIN_NOT_ALLOWED,
    FM_ERR_MISSING_ALLOW_ORIGIN,
    FM_ERR_MULTIPLE_ALLOW_ORIGIN_VALUES,
    FM_ERR_INVALID_ALLOW_ORIGIN_VALUE,
    FM_ERR_ALLOW_ORIGIN_MISMATCH,
    FM_ERR_INVALID_ALLOW_CREDENTIALS,
    FM_ERR_PREFLIGHT_INVALID_STATUS,
    FM_ERR_PREFLIGHT_DISALLOWED_REDIRECT,
    FM_ERR_INVALID_ALLOW_METHODS,
    FM_ERR_INVALID_ALLOW_HEADERS,
    FM_ERR_METHOD_DISALLOWED,
    FM_ERR_HEADER_DISALLOWED,
    FM_ERR_REDIRECT_CONTAINS_CREDENTIALS,
    FM_ERR_TOO_MANY_REDIRECTS,       /* a network error in Chromium */
    FM_ERR_REDIRECT_BAD_LOCATION
} fm_error;

/* A failed check: the error, whether it was the preflight's, and the
 * value Chromium quotes in its message. */
typedef struct {
    fm_error error;
    int preflight;
    char hint[FM_HINT_MAX];
} fm_failure;

/* One check as the report lists it. */
typedef struct {
    const char *what;       /* "Access-Control-Allow-Origin", "status", ... */
    int passed;
    char detail[384];       /* what was seen, why it passes or fails */
} fm_check;

#define FM_MAX_CHECKS 16
typedef struct {
    fm_check items[FM_MAX_CHECKS];
    size_t n;
} fm_checks;

/* ---- requests ---------------------------------------------------------- */

/* fetch()'s method normalization: DELETE, GET, HEAD, OPTIONS, POST and PUT
 * in any case become uppercase; other methods are kept as written. */
void fm_normalize_method(const char *method, char *out, size_t outlen);

/* CONNECT, TRACE and TRACK: fetch() throws a TypeError. */
int fm_method_is_forbidden(const char *method);

/* GET, HEAD, POST (case-sensitive after normalization). */
int fm_method_is_safelisted(const char *method);

/* A name fetch() silently drops from the request (Cookie, Host, Origin,
 * Sec-*, Proxy-*, ...). */
int fm_header_is_forbidden(const char *name);

/* Is (name, value) a CORS-safelisted request header (value rules and the
 * 128-byte limit included)?  The 1024-byte total is fm_unsafe_names'. */
int fm_header_is_safelisted(const char *name, const char *value);

/* The names that make the request need a preflight and that the preflight
 * names in Access-Control-Request-Headers: lowercased, sorted, each once.
 * Returns their count; out receives up to outmax pointers to static or
 * request-owned lowercase copies in buf (bufsize bytes). */
size_t fm_unsafe_names(const fm_request *req, const char **out, size_t outmax,
                       char *buf, size_t bufsize);

/* Does the request need a preflight (when its mode is CORS)? */
int fm_needs_preflight(const fm_request *req);

/* Access-Control-Request-Headers as Chromium sends it ("" when none). */
void fm_request_headers_value(const fm_request *req, char *out,
                              size_t outlen);

/* ---- responses --------------------------------------------------------- */

/* The value of a response header as Chromium's network stack combines
 * repeated fields: values joined with ", ".  Returns NULL when absent. */
const char *fm_response_get(const fm_response *resp, const char *name,
                            char *buf, size_t buflen);

/* Is status a redirect status fetch() follows (301, 302, 303, 307, 308)? */
int fm_is_redirect_status(int status);

/* Chromium's CORS check of one response (the actual one, or a redirect):
 * Access-Control-Allow-Origin against origin ("null" once tainted) and,
 * with credentials, Access-Control-Allow-Credentials. */
fm_error fm_check_access(const fm_response *resp, fm_credentials cred,
                         const char *origin, fm_failure *fail,
                         fm_checks *checks);

/* The preflight response: its CORS check, its ok status, then the method
 * and the header names of req against Allow-Methods / Allow-Headers. */
fm_error fm_check_preflight(const fm_response *resp, const fm_request *req,
                            const char *origin, fm_failure *fail,
                            fm_checks *checks);

/* Chromium's preflight cache: may a cached preflight answer (its
 * Allow-Methods and Allow-Headers, and whether it was for credentials)
 * stand for a new preflight of req? */
int fm_preflight_cache_allows(const char *acam, const char *acah,
                              fm_credentials entry_cred, const fm_request *req);

/* How long Chromium keeps a preflight answer, from its Max-Age value
 * (NULL: absent): 5 s by default, at most 7200 s, 0 for a value that is
 * not a number. */
int fm_preflight_cache_seconds(const char *max_age);

/* Can the script read response header `name` (exposed and present)?
 * Returns 1 readable, 0 not exposed, -1 exposed but absent. */
int fm_header_readable(const fm_response *resp, fm_credentials cred,
                       const char *name);

/* ---- redirects --------------------------------------------------------- */

/* What a redirect does to the method: 303 makes anything but GET/HEAD a
 * GET, 301/302 make POST a GET.  Returns 1 when the method changed (the
 * request's body headers are then dropped). */
int fm_redirect_method(int status, char *method, size_t len);

/* Drops Content-Type, Content-Language, Content-Encoding and
 * Content-Location, as a redirect that changes the method to GET does. */
void fm_drop_body_headers(fm_request *req);

/* A redirect to another origin drops Authorization (Fetch's CORS
 * non-wildcard request-header names; Chromium does it too). */
void fm_drop_authorization(fm_request *req);

/* Fetch's tainted-origin rule: the request's origin becomes "null" when it
 * is redirected from one origin to another while already cross-origin. */
int fm_redirect_taints(const char *request_origin, const char *current_origin,
                       const char *location_origin);

/* ---- messages ---------------------------------------------------------- */

/* The message Chromium prints in the console for a blocked fetch(). */
void fm_console_message(const fm_failure *fail, const char *initial_url,
                        const char *last_url, const char *page_origin,
                        char *out, size_t outlen);

/* A likely fix for the failure, naming the mod_cors directive when one
 * applies. */
void fm_fix_hint(const fm_failure *fail, const fm_request *req,
                 const char *origin, char *out, size_t outlen);

/* Short stable name of an error, for --json ("missing-allow-origin"...). */
const char *fm_error_name(fm_error e);

#endif /* FETCH_MODEL_H */
