/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fetch_messages.c -- what cors-check says of a verdict (see fetch_model.h):
 * the console message Chromium prints for each failure, the directive that
 * fixes it, and each failure's name in the JSON report.
 */
#include <stdio.h>
#include <string.h>

#include "fetch_model.h"

/* Chromium 156 no longer suggests mode 'no-cors' in these messages. */
static const char kNoCors[] = " Have the server send the header with a valid value.";

static void reason_text(const fm_failure *f, char *out, size_t outlen)
{
    switch (f->error) {
    case FM_OK:
        snprintf(out, outlen, "%s", "");
        break;
    case FM_ERR_WILDCARD_ORIGIN_NOT_ALLOWED:
        snprintf(out, outlen, "%s", "The value of the 'Access-Control-Allow-Origin' header "
                 "in the response must not be the wildcard '*' when the request's "
                 "credentials mode is 'include'.");
        break;
    case FM_ERR_MISSING_ALLOW_ORIGIN:
        snprintf(out, outlen, "%s", "No 'Access-Control-Allow-Origin' header is present on "
                 "the requested resource.");
        break;
    case FM_ERR_MULTIPLE_ALLOW_ORIGIN_VALUES:
        snprintf(out, outlen, "The 'Access-Control-Allow-Origin' header contains "
                 "multiple values '%s', but only one is allowed.%s", f->hint, kNoCors);
        break;
    case FM_ERR_INVALID_ALLOW_ORIGIN_VALUE:
        snprintf(out, outlen, "The 'Access-Control-Allow-Origin' header contains the "
                 "invalid value '%s'.%s", f->hint, kNoCors);
        break;
    case FM_ERR_ALLOW_ORIGIN_MISMATCH:
        snprintf(out, outlen, "The 'Access-Control-Allow-Origin' header has a value "
                 "'%s' that is not equal to the supplied origin.%s", f->hint, kNoCors);
        break;
    case FM_ERR_INVALID_ALLOW_CREDENTIALS:
        snprintf(out, outlen, "The value of the 'Access-Control-Allow-Credentials' "
                 "header in the response is '%s' which must be 'true' when the "
                 "request's credentials mode is 'include'.", f->hint);
        break;
    case FM_ERR_PREFLIGHT_INVALID_STATUS:
        snprintf(out, outlen, "%s", "It does not have HTTP ok status.");
        break;
    case FM_ERR_PREFLIGHT_DISALLOWED_REDIRECT:
        snprintf(out, outlen, "%s", "Redirect is not allowed for a preflight request.");
        break;
    case FM_ERR_INVALID_ALLOW_METHODS:
        snprintf(out, outlen, "%s", "Cannot parse Access-Control-Allow-Methods response "
                 "header field in preflight response.");
        break;
    case FM_ERR_INVALID_ALLOW_HEADERS:
        snprintf(out, outlen, "%s", "Cannot parse Access-Control-Allow-Headers response "
                 "header field in preflight response.");
        break;
    case FM_ERR_METHOD_DISALLOWED:
        snprintf(out, outlen, "Method %s is not allowed by "
                 "Access-Control-Allow-Methods in preflight response.", f->hint);
        break;
    case FM_ERR_HEADER_DISALLOWED:
        snprintf(out, outlen, "Request header field %s is not allowed by "
                 "Access-Control-Allow-Headers in preflight response.", f->hint);
        break;
    case FM_ERR_REDIRECT_CONTAINS_CREDENTIALS:
        snprintf(out, outlen, "Redirect location '%s' contains a username and "
                 "password, which is disallowed for cross-origin requests.", f->hint);
        break;
    case FM_ERR_TOO_MANY_REDIRECTS:
    case FM_ERR_REDIRECT_BAD_LOCATION:
        snprintf(out, outlen, "%s", "");
        break;
    }
}

void fm_console_message(const fm_failure *fail, const char *initial_url,
                        const char *last_url, const char *page_origin,
                        char *out, size_t outlen)
{
    char reason[1536];
    /* errors that are network errors, not CORS errors, in Chromium */
    if (fail->error == FM_ERR_TOO_MANY_REDIRECTS) {
        snprintf(out, outlen, "net::ERR_TOO_MANY_REDIRECTS");
        return;
    }
    if (fail->error == FM_ERR_REDIRECT_BAD_LOCATION) {
        snprintf(out, outlen, "net::ERR_INVALID_REDIRECT");
        return;
    }
    reason_text(fail, reason, sizeof(reason));
    if (strcmp(initial_url, last_url) != 0) {
        snprintf(out, outlen, "Access to fetch at '%s' (redirected from '%s') from "
                 "origin '%s' has been blocked by CORS policy: %s%s", last_url,
                 initial_url, page_origin,
                 fail->preflight ? "Response to preflight request doesn't pass "
                                   "access control check: " : "", reason);
    } else {
        snprintf(out, outlen, "Access to fetch at '%s' from origin '%s' has been "
                 "blocked by CORS policy: %s%s", last_url, page_origin,
                 fail->preflight ? "Response to preflight request doesn't pass "
                                   "access control check: " : "", reason);
    }
}

void fm_fix_hint(const fm_failure *fail, const fm_request *req,
                 const char *origin, char *out, size_t outlen)
{
    const char *where = fail->preflight
        ? "the preflight (OPTIONS) response must carry it too; mod_cors answers "
          "preflights in every scope with a policy"
        : "the response must carry it";

    switch (fail->error) {
    case FM_OK:
        snprintf(out, outlen, "%s", "");
        break;
    case FM_ERR_WILDCARD_ORIGIN_NOT_ALLOWED:
        snprintf(out, outlen, "With credentials the server must name the origin: "
                 "CORSAllowOrigin %s (not *) together with CORSAllowCredentials On",
                 origin);
        break;
    case FM_ERR_MISSING_ALLOW_ORIGIN:
        if (fail->preflight) {
            char acrh[1024];

            fm_request_headers_value(req, acrh, sizeof(acrh));
            snprintf(out, outlen, "Allow the origin in the scope that serves this URL: "
                     "CORSAllowOrigin %s (%s). If it is allowed already, mod_cors "
                     "refused the preflight's method or headers: CORSAllowMethods %s%s%s",
                     origin, where, req->method, *acrh ? ", CORSAllowHeaders " : "", acrh);
        } else {
            snprintf(out, outlen, "Allow the origin in the scope that serves this URL: "
                     "CORSAllowOrigin %s (%s)", origin, where);
        }
        break;
    case FM_ERR_MULTIPLE_ALLOW_ORIGIN_VALUES:
        snprintf(out, outlen, "Access-Control-Allow-Origin is sent more than once or "
                 "with a list: remove the other source of the header (a mod_headers "
                 "'Header add/set' line or the application) and let CORSAllowOrigin "
                 "%s send exactly one value", origin);
        break;
    case FM_ERR_INVALID_ALLOW_ORIGIN_VALUE:
    case FM_ERR_ALLOW_ORIGIN_MISMATCH:
        snprintf(out, outlen, "The server answers with another origin: list this one, "
                 "CORSAllowOrigin %s (mod_cors echoes the request's origin when it "
                 "is allowed)", origin);
        break;
    case FM_ERR_INVALID_ALLOW_CREDENTIALS:
        snprintf(out, outlen, "Requests with credentials need "
                 "Access-Control-Allow-Credentials: true: CORSAllowCredentials On "
                 "(%s)", where);
        break;
    case FM_ERR_PREFLIGHT_INVALID_STATUS:
        snprintf(out, outlen, "The OPTIONS request got an error status (often from "
                 "authentication or a handler that refuses OPTIONS): let mod_cors "
                 "answer the preflight (CORSAllowOrigin %s in that scope answers it "
                 "with 204 before authentication)", origin);
        break;
    case FM_ERR_PREFLIGHT_DISALLOWED_REDIRECT:
        snprintf(out, outlen, "%s", "The preflight was redirected (http to https, a "
                 "trailing slash, a login page): request the final URL directly, "
                 "or let mod_cors answer OPTIONS before the redirect");
        break;
    case FM_ERR_INVALID_ALLOW_METHODS:
        snprintf(out, outlen, "%s", "Access-Control-Allow-Methods must be a comma-separated "
                 "list of method names: CORSAllowMethods GET PUT ...");
        break;
    case FM_ERR_INVALID_ALLOW_HEADERS:
        snprintf(out, outlen, "%s", "Access-Control-Allow-Headers must be a comma-separated "
                 "list of header names: CORSAllowHeaders Content-Type ...");
        break;
    case FM_ERR_METHOD_DISALLOWED:
        snprintf(out, outlen, "Allow the method (case matters): CORSAllowMethods %s",
                 req->method);
        break;
    case FM_ERR_HEADER_DISALLOWED:
        snprintf(out, outlen, "Allow the request header: CORSAllowHeaders %s",
                 fail->hint);
        break;
    case FM_ERR_REDIRECT_CONTAINS_CREDENTIALS:
        snprintf(out, outlen, "%s", "Redirect to a URL without user:password@");
        break;
    case FM_ERR_TOO_MANY_REDIRECTS:
        snprintf(out, outlen, "%s", "The server redirects in a loop (or more than 20 times)");
        break;
    case FM_ERR_REDIRECT_BAD_LOCATION:
        snprintf(out, outlen, "%s", "The Location header is not a usable http(s) URL");
        break;
    }
}

const char *fm_error_name(fm_error e)
{
    switch (e) {
    case FM_OK: return "ok";
    case FM_ERR_WILDCARD_ORIGIN_NOT_ALLOWED: return "wildcard-origin-not-allowed";
    case FM_ERR_MISSING_ALLOW_ORIGIN: return "missing-allow-origin";
    case FM_ERR_MULTIPLE_ALLOW_ORIGIN_VALUES: return "multiple-allow-origin-values";
    case FM_ERR_INVALID_ALLOW_ORIGIN_VALUE: return "invalid-allow-origin-value";
    case FM_ERR_ALLOW_ORIGIN_MISMATCH: return "allow-origin-mismatch";
    case FM_ERR_INVALID_ALLOW_CREDENTIALS: return "invalid-allow-credentials";
    case FM_ERR_PREFLIGHT_INVALID_STATUS: return "preflight-invalid-status";
    case FM_ERR_PREFLIGHT_DISALLOWED_REDIRECT: return "preflight-disallowed-redirect";
    case FM_ERR_INVALID_ALLOW_METHODS: return "invalid-allow-methods";
    case FM_ERR_INVALID_ALLOW_HEADERS: return "invalid-allow-headers";
    case FM_ERR_METHOD_DISALLOWED: return "method-disallowed";
    case FM_ERR_HEADER_DISALLOWED: return "header-disallowed";
    case FM_ERR_REDIRECT_CONTAINS_CREDENTIALS: return "redirect-contains-credentials";
    case FM_ERR_TOO_MANY_REDIRECTS: return "too-many-redirects";
    case FM_ERR_REDIRECT_BAD_LOCATION: return "invalid-redirect";
    }
    return "?";
}
