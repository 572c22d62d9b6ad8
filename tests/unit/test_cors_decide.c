/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_cors_decide.c -- whole decisions: policy x request -> note, reason,
 * offending value, Vary and exactly the headers sent (cors_decide.h).
 *
 * Each row names a policy (compiled with the same functions the
 * directives use) and a request, and says everything the decision must
 * be.  CORSAllowOriginMatch is played by a POSIX regex matcher, anchored
 * as the module anchors it, so no httpd is needed.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apr_general.h"
#include "apr_strings.h"
#include "apr_tables.h"

#include "cors_decide.h"
#include "check.h"

/* ------------------------------------------------------------------------
 * Policies, written as directives would be
 */

typedef struct {
    const char *origins;        /* CORSAllowOrigin words, '|'-separated */
    const char *regex;          /* CORSAllowOriginMatch, or NULL */
    const char *methods;        /* CORSAllowMethods, or NULL */
    const char *allow_headers;  /* CORSAllowHeaders, or NULL */
    const char *expose;         /* CORSExposeHeaders, or NULL */
    cors_flag credentials;
    const char *max_age;
    cors_flag private_network;
} policy_spec;

enum {
    P_EXACT,        /* two origins, credentials, lists, max-age */
    P_PATTERNS,     /* subdomain and port patterns, no lists */
    P_ANY,          /* '*' */
    P_ANY_EXPOSE,   /* '*' with expose headers */
    P_REGEX,        /* a regex beside one exact origin */
    P_NULL,         /* null named */
    P_STAR_LISTS,   /* '*' methods and headers, no credentials */
    P_STAR_AUTH,    /* '*' headers plus Authorization */
    P_PNA,          /* Private Network Access on */
    P_MERGED_ANY,   /* '*' origin with credentials: only merging can */
    P_MERGED_METHODS, /* '*' methods with credentials, likewise */
    P_LOWER,        /* a method kept lowercase: "patch" */
    P_COUNT
};

static const policy_spec specs[P_COUNT] = {
    [P_EXACT] = { "https://app.example.com|http://localhost:3000", NULL,
                  "PUT|DELETE|PATCH", "Content-Type|X-Request-ID", "X-Total",
                  CORS_ON, "600", CORS_UNSET },
    [P_PATTERNS] = { "https://*.example.org|http://localhost:*", NULL, NULL,
                     NULL, NULL, CORS_UNSET, NULL, CORS_UNSET },
    [P_ANY] = { "*", NULL, NULL, NULL, NULL, CORS_OFF, NULL, CORS_UNSET },
    [P_ANY_EXPOSE] = { "*", NULL, "PUT", NULL, "X-Total|X-Page", CORS_UNSET,
                       NULL, CORS_UNSET },
    [P_REGEX] = { "https://app.example.com", "https://[a-z]+\\.example\\.net",
                  NULL, NULL, NULL, CORS_UNSET, NULL, CORS_UNSET },
    [P_NULL] = { "null", NULL, NULL, NULL, NULL, CORS_UNSET, NULL,
                 CORS_UNSET },
    [P_STAR_LISTS] = { "https://app.example.com", NULL, "*", "*", "*",
                       CORS_OFF, NULL, CORS_UNSET },
    [P_STAR_AUTH] = { "https://app.example.com", NULL, NULL,
                      "*|Authorization", NULL, CORS_UNSET, NULL, CORS_UNSET },
    [P_PNA] = { "https://app.example.com", NULL, NULL, NULL, NULL, CORS_UNSET,
                NULL, CORS_ON },
    [P_MERGED_ANY] = { "*", NULL, NULL, NULL, NULL, CORS_ON, NULL,
                       CORS_UNSET },
    [P_MERGED_METHODS] = { "https://app.example.com", NULL, "*", NULL, NULL,
                           CORS_ON, NULL, CORS_UNSET },
    [P_LOWER] = { "https://app.example.com", NULL, "patch|PUT", NULL, NULL,
                  CORS_UNSET, NULL, CORS_UNSET },
};

static cors_policy policies[P_COUNT];

static int posix_match(const void *data, const char *origin)
{
    return regexec(data, origin, 0, NULL, 0) == 0;
}

static const cors_list *compile_list(apr_pool_t *p, const char *words,
                                     const char *(*add)(cors_list *,
                                                        apr_pool_t *, int,
                                                        char *const *))
{
    cors_list *list;
    int argc;
    char **argv;

    if (words == NULL) {
        return NULL;
    }
    list = cors_list_make(p);
    argv = mkargv(p, words, &argc);
    CHECK_NOERRM(add(list, p, argc, argv), words);
    return list;
}

static const char *add_methods(cors_list *l, apr_pool_t *p, int argc,
                               char *const *argv)
{
    const char *warning;
    return cors_list_add_methods(l, p, argc, argv, &warning);
}

static void compile_policy(apr_pool_t *p, const policy_spec *spec,
                           cors_policy *policy)
{
    cors_origins *origins = cors_origins_make(p);
    int argc, i;
    char **argv = mkargv(p, spec->origins, &argc);

    for (i = 0; i < argc; i++) {
        CHECK_NOERRM(cors_origins_add(origins, p, argv[i]), argv[i]);
    }
    memset(policy, 0, sizeof(*policy));
    policy->origins = origins;
    if (spec->regex) {
        apr_array_header_t *m = apr_array_make(p, 1, sizeof(cors_matcher));
        cors_matcher *matcher = apr_array_push(m);
        regex_t *re = apr_palloc(p, sizeof(*re));
        CHECK_INTEQ(regcomp(re, apr_pstrcat(p, "^(", spec->regex, ")$", NULL),
                            REG_EXTENDED | REG_NOSUB), 0);
        matcher->match = posix_match;
        matcher->data = re;
        matcher->source = spec->regex;
        policy->matchers = m;
    }
    policy->methods = compile_list(p, spec->methods, add_methods);
    policy->allow_headers = compile_list(p, spec->allow_headers,
                                         cors_list_add_allow_headers);
    policy->expose_headers = compile_list(p, spec->expose,
                                          cors_list_add_expose_headers);
    policy->credentials = spec->credentials;
    policy->max_age = spec->max_age;
    policy->private_network = spec->private_network;
}

/* ------------------------------------------------------------------------
 * The table of decisions
 */

#define VARY_PF "Origin, Access-Control-Request-Method, " \
                "Access-Control-Request-Headers"
#define VARY_PNA VARY_PF ", Access-Control-Request-Private-Network"
#define SAFE "Accept, Accept-Language, Content-Language, Content-Type, Range"

typedef enum { PREFLIGHT, ACTUAL } kind;

typedef struct {
    int policy;
    kind kind;
    const char *origin, *acrm, *acrh, *acrpn;
    cors_note note;
    cors_reason reason;
    const char *offending;      /* NULL: none */
    const char *vary;           /* NULL: no Vary */
    const char *headers;        /* "Name: value|Name: value", in order */
} decision_case;

static const decision_case cases[] = {
    /* --- preflights that succeed ------------------------------------ */
    { P_EXACT, PREFLIGHT, "https://app.example.com", "PUT", NULL, NULL,
      CORS_NOTE_PREFLIGHT_OK, CORS_REASON_NONE, NULL, VARY_PF,
      "Access-Control-Allow-Origin: https://app.example.com|"
      "Access-Control-Allow-Credentials: true|"
      "Access-Control-Allow-Methods: PUT, DELETE, PATCH|"
      "Access-Control-Allow-Headers: Content-Type, X-Request-ID|"
      "Access-Control-Max-Age: 600" },
    /* GET, HEAD and POST always; listed headers case-insensitively */
    { P_EXACT, PREFLIGHT, "http://localhost:3000", "POST",
      "x-request-id,CONTENT-TYPE", NULL,
      CORS_NOTE_PREFLIGHT_OK, CORS_REASON_NONE, NULL, VARY_PF,
      "Access-Control-Allow-Origin: http://localhost:3000|"
      "Access-Control-Allow-Credentials: true|"
      "Access-Control-Allow-Methods: PUT, DELETE, PATCH|"
      "Access-Control-Allow-Headers: Content-Type, X-Request-ID|"
      "Access-Control-Max-Age: 600" },
    /* a safelisted name the list lacks: the answer names it */
    { P_EXACT, PREFLIGHT, "https://app.example.com", "DELETE",
      "accept-language", NULL,
      CORS_NOTE_PREFLIGHT_OK, CORS_REASON_NONE, NULL, VARY_PF,
      "Access-Control-Allow-Origin: https://app.example.com|"
      "Access-Control-Allow-Credentials: true|"
      "Access-Control-Allow-Methods: PUT, DELETE, PATCH|"
      "Access-Control-Allow-Headers: Content-Type, X-Request-ID, Accept, "
      "Accept-Language, Content-Language, Range|"
      "Access-Control-Max-Age: 600" },
    /* patterns: any depth of subdomain, any port */
    { P_PATTERNS, PREFLIGHT, "https://a.b.example.org", "GET", NULL, NULL,
      CORS_NOTE_PREFLIGHT_OK, CORS_REASON_NONE, NULL, VARY_PF,
      "Access-Control-Allow-Origin: https://a.b.example.org" },
    { P_PATTERNS, PREFLIGHT, "http://localhost:8080", "GET", "range", NULL,
      CORS_NOTE_PREFLIGHT_OK, CORS_REASON_NONE, NULL, VARY_PF,
      "Access-Control-Allow-Origin: http://localhost:8080|"
      "Access-Control-Allow-Headers: " SAFE },
    { P_PATTERNS, PREFLIGHT, "http://localhost", "GET", NULL, NULL,
      CORS_NOTE_PREFLIGHT_OK, CORS_REASON_NONE, NULL, VARY_PF,
      "Access-Control-Allow-Origin: http://localhost" },
    /* '*' without credentials answers '*' */
    { P_ANY, PREFLIGHT, "https://any.example", "POST", NULL, NULL,
      CORS_NOTE_PREFLIGHT_OK, CORS_REASON_NONE, NULL, VARY_PF,
      "Access-Control-Allow-Origin: *" },
    { P_REGEX, PREFLIGHT, "https://abc.example.net", "GET", NULL, NULL,
      CORS_NOTE_PREFLIGHT_OK, CORS_REASON_NONE, NULL, VARY_PF,
      "Access-Control-Allow-Origin: https://abc.example.net" },
    { P_NULL, PREFLIGHT, "null", "GET", NULL, NULL,
      CORS_NOTE_PREFLIGHT_OK, CORS_REASON_NONE, NULL, VARY_PF,
      "Access-Control-Allow-Origin: null" },
    /* '*' lists without credentials: any method, any name */
    { P_STAR_LISTS, PREFLIGHT, "https://app.example.com", "PURGE",
      "x-anything,x-else", NULL,
      CORS_NOTE_PREFLIGHT_OK, CORS_REASON_NONE, NULL, VARY_PF,
      "Access-Control-Allow-Origin: https://app.example.com|"
      "Access-Control-Allow-Methods: *|Access-Control-Allow-Headers: *" },
    { P_STAR_AUTH, PREFLIGHT, "https://app.example.com", "GET",
      "authorization,x-a", NULL,
      CORS_NOTE_PREFLIGHT_OK, CORS_REASON_NONE, NULL, VARY_PF,
      "Access-Control-Allow-Origin: https://app.example.com|"
      "Access-Control-Allow-Headers: *, Authorization" },
    /* Private Network Access: granted only when asked for */
    { P_PNA, PREFLIGHT, "https://app.example.com", "GET", NULL, "true",
      CORS_NOTE_PREFLIGHT_OK, CORS_REASON_NONE, NULL, VARY_PNA,
      "Access-Control-Allow-Origin: https://app.example.com|"
      "Access-Control-Allow-Private-Network: true" },
    { P_PNA, PREFLIGHT, "https://app.example.com", "GET", NULL, NULL,
      CORS_NOTE_PREFLIGHT_OK, CORS_REASON_NONE, NULL, VARY_PNA,
      "Access-Control-Allow-Origin: https://app.example.com" },
    { P_EXACT, PREFLIGHT, "https://app.example.com", "GET", NULL, "true",
      CORS_NOTE_PREFLIGHT_OK, CORS_REASON_NONE, NULL, VARY_PF,
      "Access-Control-Allow-Origin: https://app.example.com|"
      "Access-Control-Allow-Credentials: true|"
      "Access-Control-Allow-Methods: PUT, DELETE, PATCH|"
      "Access-Control-Allow-Headers: Content-Type, X-Request-ID|"
      "Access-Control-Max-Age: 600" },
    { P_LOWER, PREFLIGHT, "https://app.example.com", "patch", NULL, NULL,
      CORS_NOTE_PREFLIGHT_OK, CORS_REASON_NONE, NULL, VARY_PF,
      "Access-Control-Allow-Origin: https://app.example.com|"
      "Access-Control-Allow-Methods: patch, PUT" },

    /* --- preflights refused for the origin -------------------------- */
    { P_EXACT, PREFLIGHT, "https://evil.example", "PUT", NULL, NULL,
      CORS_NOTE_PREFLIGHT_DENIED_ORIGIN, CORS_REASON_ORIGIN_NOT_ALLOWED,
      "https://evil.example", VARY_PF, "" },
    { P_EXACT, PREFLIGHT, "https://APP.example.com", "PUT", NULL, NULL,
      CORS_NOTE_PREFLIGHT_DENIED_ORIGIN, CORS_REASON_ORIGIN_INVALID,
      "https://APP.example.com", VARY_PF, "" },
    { P_EXACT, PREFLIGHT, "https://app.example.com/", "PUT", NULL, NULL,
      CORS_NOTE_PREFLIGHT_DENIED_ORIGIN, CORS_REASON_ORIGIN_INVALID,
      "https://app.example.com/", VARY_PF, "" },
    { P_EXACT, PREFLIGHT, "https://app.example.com, https://evil.example",
      "PUT", NULL, NULL, CORS_NOTE_PREFLIGHT_DENIED_ORIGIN,
      CORS_REASON_ORIGIN_INVALID,
      "https://app.example.com, https://evil.example", VARY_PF, "" },
    { P_PATTERNS, PREFLIGHT, "https://example.org", "GET", NULL, NULL,
      CORS_NOTE_PREFLIGHT_DENIED_ORIGIN, CORS_REASON_ORIGIN_NOT_ALLOWED,
      "https://example.org", VARY_PF, "" },
    { P_PATTERNS, PREFLIGHT, "https://a.example.org.evil.net", "GET", NULL,
      NULL, CORS_NOTE_PREFLIGHT_DENIED_ORIGIN,
      CORS_REASON_ORIGIN_NOT_ALLOWED, "https://a.example.org.evil.net",
      VARY_PF, "" },
    { P_PATTERNS, PREFLIGHT, "https://a.example.org:8443", "GET", NULL, NULL,
      CORS_NOTE_PREFLIGHT_DENIED_ORIGIN, CORS_REASON_ORIGIN_NOT_ALLOWED,
      "https://a.example.org:8443", VARY_PF, "" },
    /* null only when named; a regex never sees it */
    { P_PATTERNS, PREFLIGHT, "null", "GET", NULL, NULL,
      CORS_NOTE_PREFLIGHT_DENIED_ORIGIN, CORS_REASON_ORIGIN_NOT_ALLOWED,
      "null", VARY_PF, "" },
    { P_REGEX, PREFLIGHT, "null", "GET", NULL, NULL,
      CORS_NOTE_PREFLIGHT_DENIED_ORIGIN, CORS_REASON_ORIGIN_NOT_ALLOWED,
      "null", VARY_PF, "" },
    { P_REGEX, PREFLIGHT, "https://abc.example.net.evil.example", "GET",
      NULL, NULL, CORS_NOTE_PREFLIGHT_DENIED_ORIGIN,
      CORS_REASON_ORIGIN_NOT_ALLOWED, "https://abc.example.net.evil.example",
      VARY_PF, "" },
    /* a regex is matched only against valid origins */
    { P_REGEX, PREFLIGHT, "https://ABC.example.net", "GET", NULL, NULL,
      CORS_NOTE_PREFLIGHT_DENIED_ORIGIN, CORS_REASON_ORIGIN_INVALID,
      "https://ABC.example.net", VARY_PF, "" },
    { P_ANY, PREFLIGHT, "not an origin", "GET", NULL, NULL,
      CORS_NOTE_PREFLIGHT_DENIED_ORIGIN, CORS_REASON_ORIGIN_INVALID,
      "not an origin", VARY_PF, "" },
    /* merging joined '*' and credentials: nothing is allowed */
    { P_MERGED_ANY, PREFLIGHT, "https://app.example.com", "GET", NULL, NULL,
      CORS_NOTE_PREFLIGHT_DENIED_ORIGIN, CORS_REASON_MERGED_CONFLICT,
      "CORSAllowOrigin *", VARY_PF, "" },
    { P_MERGED_METHODS, PREFLIGHT, "https://app.example.com", "GET", NULL,
      NULL, CORS_NOTE_PREFLIGHT_DENIED_ORIGIN, CORS_REASON_MERGED_CONFLICT,
      "CORSAllowMethods *", VARY_PF, "" },

    /* --- preflights refused for the method -------------------------- */
    { P_EXACT, PREFLIGHT, "https://app.example.com", "PURGE", NULL, NULL,
      CORS_NOTE_PREFLIGHT_DENIED_METHOD, CORS_REASON_METHOD_NOT_ALLOWED,
      "PURGE", VARY_PF, "" },
    /* "patch" where PATCH is listed: the page wrote it so */
    { P_EXACT, PREFLIGHT, "https://app.example.com", "patch", NULL, NULL,
      CORS_NOTE_PREFLIGHT_DENIED_METHOD, CORS_REASON_METHOD_CASE, "patch",
      VARY_PF, "" },
    /* "Delete": no browser sends it (it would send DELETE), no case hint */
    { P_EXACT, PREFLIGHT, "https://app.example.com", "Delete", NULL, NULL,
      CORS_NOTE_PREFLIGHT_DENIED_METHOD, CORS_REASON_METHOD_NOT_BROWSER,
      "Delete", VARY_PF, "" },
    { P_LOWER, PREFLIGHT, "https://app.example.com", "PATCH", NULL, NULL,
      CORS_NOTE_PREFLIGHT_DENIED_METHOD, CORS_REASON_METHOD_NOT_ALLOWED,
      "PATCH", VARY_PF, "" },
    { P_PATTERNS, PREFLIGHT, "http://localhost:1", "PUT", NULL, NULL,
      CORS_NOTE_PREFLIGHT_DENIED_METHOD, CORS_REASON_METHOD_NOT_ALLOWED,
      "PUT", VARY_PF, "" },
    /* one method token only */
    { P_EXACT, PREFLIGHT, "https://app.example.com", "GET, DELETE", NULL,
      NULL, CORS_NOTE_PREFLIGHT_DENIED_METHOD,
      CORS_REASON_METHOD_NOT_ALLOWED, "GET, DELETE", VARY_PF, "" },

    /* --- preflights refused for a header ---------------------------- */
    { P_EXACT, PREFLIGHT, "https://app.example.com", "PUT",
      "content-type, x-secret", NULL, CORS_NOTE_PREFLIGHT_DENIED_HEADERS,
      CORS_REASON_HEADER_NOT_ALLOWED, "x-secret", VARY_PF, "" },
    { P_EXACT, PREFLIGHT, "https://app.example.com", "PUT",
      "content-type,x y", NULL, CORS_NOTE_PREFLIGHT_DENIED_HEADERS,
      CORS_REASON_HEADER_MALFORMED, "x y", VARY_PF, "" },
    /* '*' never covers Authorization */
    { P_STAR_LISTS, PREFLIGHT, "https://app.example.com", "GET",
      "x-a,authorization", NULL, CORS_NOTE_PREFLIGHT_DENIED_HEADERS,
      CORS_REASON_HEADER_NOT_ALLOWED, "authorization", VARY_PF, "" },
    { P_PATTERNS, PREFLIGHT, "http://localhost:1", "GET", "x-custom", NULL,
      CORS_NOTE_PREFLIGHT_DENIED_HEADERS, CORS_REASON_HEADER_NOT_ALLOWED,
      "x-custom", VARY_PF, "" },

    /* --- actual requests --------------------------------------------- */
    { P_EXACT, ACTUAL, "https://app.example.com", NULL, NULL, NULL,
      CORS_NOTE_ALLOWED, CORS_REASON_NONE, NULL, "Origin",
      "Access-Control-Allow-Origin: https://app.example.com|"
      "Access-Control-Allow-Credentials: true|"
      "Access-Control-Expose-Headers: X-Total" },
    { P_EXACT, ACTUAL, "https://evil.example", NULL, NULL, NULL,
      CORS_NOTE_DENIED_ORIGIN, CORS_REASON_ORIGIN_NOT_ALLOWED,
      "https://evil.example", "Origin", "" },
    { P_EXACT, ACTUAL, NULL, NULL, NULL, NULL,
      CORS_NOTE_NO_ORIGIN, CORS_REASON_NONE, NULL, "Origin", "" },
    { P_PATTERNS, ACTUAL, "https://x.example.org", NULL, NULL, NULL,
      CORS_NOTE_ALLOWED, CORS_REASON_NONE, NULL, "Origin",
      "Access-Control-Allow-Origin: https://x.example.org" },
    { P_REGEX, ACTUAL, "https://q.example.net", NULL, NULL, NULL,
      CORS_NOTE_ALLOWED, CORS_REASON_NONE, NULL, "Origin",
      "Access-Control-Allow-Origin: https://q.example.net" },
    /* '*': the same answer for every request, no Vary */
    { P_ANY, ACTUAL, "https://any.example", NULL, NULL, NULL,
      CORS_NOTE_ALLOWED, CORS_REASON_NONE, NULL, NULL,
      "Access-Control-Allow-Origin: *" },
    { P_ANY, ACTUAL, NULL, NULL, NULL, NULL,
      CORS_NOTE_NO_ORIGIN, CORS_REASON_NONE, NULL, NULL,
      "Access-Control-Allow-Origin: *" },
    { P_ANY_EXPOSE, ACTUAL, NULL, NULL, NULL, NULL,
      CORS_NOTE_NO_ORIGIN, CORS_REASON_NONE, NULL, NULL,
      "Access-Control-Allow-Origin: *|"
      "Access-Control-Expose-Headers: X-Total, X-Page" },
    { P_ANY, ACTUAL, "HTTPS://ANY.EXAMPLE", NULL, NULL, NULL,
      CORS_NOTE_DENIED_ORIGIN, CORS_REASON_ORIGIN_INVALID,
      "HTTPS://ANY.EXAMPLE", NULL, "Access-Control-Allow-Origin: *" },
    { P_STAR_LISTS, ACTUAL, "https://app.example.com", NULL, NULL, NULL,
      CORS_NOTE_ALLOWED, CORS_REASON_NONE, NULL, "Origin",
      "Access-Control-Allow-Origin: https://app.example.com|"
      "Access-Control-Expose-Headers: *" },
    { P_MERGED_ANY, ACTUAL, "https://app.example.com", NULL, NULL, NULL,
      CORS_NOTE_DENIED_ORIGIN, CORS_REASON_MERGED_CONFLICT,
      "CORSAllowOrigin *", "Origin", "" },
    { P_MERGED_ANY, ACTUAL, NULL, NULL, NULL, NULL,
      CORS_NOTE_NO_ORIGIN, CORS_REASON_NONE, NULL, "Origin", "" },
    { P_NULL, ACTUAL, "null", NULL, NULL, NULL,
      CORS_NOTE_ALLOWED, CORS_REASON_NONE, NULL, "Origin",
      "Access-Control-Allow-Origin: null" },
};

static const char *render_headers(apr_pool_t *p, const cors_decision *d)
{
    const char *s = "";
    int i;

    for (i = 0; i < d->nheaders; i++) {
        s = apr_pstrcat(p, s, i ? "|" : "", d->headers[i].name, ": ",
                        d->headers[i].value, NULL);
    }
    return s;
}

static const char *describe(apr_pool_t *p, size_t i, const decision_case *c)
{
    return apr_psprintf(p, "row %d: policy %d %s Origin=%s ACRM=%s ACRH=%s",
                        (int)i, c->policy,
                        c->kind == PREFLIGHT ? "preflight" : "actual",
                        show(c->origin), show(c->acrm), show(c->acrh));
}

static void test_decisions(apr_pool_t *p)
{
    size_t i;

    for (i = 0; i < N_ELEMS(cases); i++) {
        const decision_case *c = &cases[i];
        cors_input in = { c->origin, c->acrm, c->acrh, c->acrpn };
        const char *ctx = describe(p, i, c);
        cors_decision d;

        if (c->kind == PREFLIGHT) {
            CHECKM(cors_is_preflight(&in), ctx);
            cors_decide_preflight(&policies[c->policy], &in, &d);
        }
        else {
            cors_decide_actual(&policies[c->policy], &in, &d);
        }
        CHECK_STREQM(cors_note_name(d.note), cors_note_name(c->note), ctx);
        CHECK_INTEQM(d.reason, c->reason, ctx);
        CHECK_STREQM(d.offending ? apr_pstrmemdup(p, d.offending,
                                                  d.offending_len) : NULL,
                     c->offending, ctx);
        CHECK_STREQM(d.vary, c->vary, ctx);
        CHECK_STREQM(render_headers(p, &d), c->headers, ctx);
        CHECK_INTEQM(cors_decision_allowed(&d),
                     c->note == CORS_NOTE_PREFLIGHT_OK
                         || c->note == CORS_NOTE_ALLOWED, ctx);
    }
}

/* Access-Control-Request-Headers over its bounds fails, whatever it
 * holds. */
static void test_headers_too_long(apr_pool_t *p)
{
    const char *many = "x0";
    cors_input in = { "https://app.example.com", "GET", NULL, NULL };
    cors_decision d;
    int i;

    for (i = 1; i <= CORS_ACRH_MAX_NAMES; i++) {
        many = apr_psprintf(p, "%s,x%d", many, i);
    }
    in.request_headers = many;
    cors_decide_preflight(&policies[P_STAR_LISTS], &in, &d);
    CHECK_INTEQ(d.note, CORS_NOTE_PREFLIGHT_DENIED_HEADERS);
    CHECK_INTEQ(d.reason, CORS_REASON_HEADERS_TOO_LONG);
    CHECK_INTEQ(d.nheaders, 0);
}

static void test_is_preflight(apr_pool_t *p)
{
    cors_input in = { "https://a.example", "PUT", NULL, NULL };

    (void)p;
    CHECK(cors_is_preflight(&in));
    in.request_method = "";
    CHECK(!cors_is_preflight(&in));
    in.request_method = NULL;
    CHECK(!cors_is_preflight(&in));
    in.request_method = "PUT";
    in.origin = NULL;
    CHECK(!cors_is_preflight(&in));
}

static void test_notes_and_conflicts(apr_pool_t *p)
{
    static const char *const names[CORS_NOTE_COUNT] = {
        "preflight-ok", "preflight-denied-origin", "preflight-denied-method",
        "preflight-denied-headers", "allowed", "denied-origin", "no-origin",
    };
    int i;

    (void)p;
    for (i = 0; i < CORS_NOTE_COUNT; i++) {
        CHECK_STREQ(cors_note_name((cors_note)i), names[i]);
    }
    CHECK_STREQ(cors_credentials_conflict(&policies[P_EXACT]), NULL);
    CHECK_STREQ(cors_credentials_conflict(&policies[P_ANY]),
                "CORSAllowOrigin *");
    CHECK_STREQ(cors_credentials_conflict(&policies[P_NULL]),
                "CORSAllowOrigin null");
    CHECK_STREQ(cors_credentials_conflict(&policies[P_STAR_LISTS]),
                "CORSAllowMethods *");
    CHECK_STREQ(cors_credentials_conflict(&policies[P_STAR_AUTH]),
                "CORSAllowHeaders *");
}

/* Every refusal has its token and its log text in the one table. */
static void test_reason_texts(apr_pool_t *p)
{
    int i;

    (void)p;
    for (i = CORS_REASON_NONE + 1; i < CORS_REASON_COUNT; i++) {
        const cors_reason_text *t = cors_reason_describe((cors_reason)i);
        CHECK(t->token != NULL && *t->token != '\0');
        CHECK(t->before != NULL && *t->before != '\0');
        CHECK(t->after != NULL);
    }
    CHECK_STREQ(cors_reason_describe(CORS_REASON_ORIGIN_MATCH_LIMIT)->token,
                "match-limit");
    CHECK_STREQ(cors_reason_describe(CORS_REASON_METHOD_NOT_ALLOWED)->after,
                "' not allowed");
}

static const check_test tests[] = {
    { "decisions", test_decisions },
    { "reason_texts", test_reason_texts },
    { "headers_too_long", test_headers_too_long },
    { "is_preflight", test_is_preflight },
    { "notes_and_conflicts", test_notes_and_conflicts },
};

int main(int argc, char **argv)
{
    apr_pool_t *pool;
    size_t i;

    if (!check_start()) {
        return 1;
    }
    apr_pool_create(&pool, NULL);   /* the policies, for every test */
    for (i = 0; i < P_COUNT; i++) {
        compile_policy(pool, &specs[i], &policies[i]);
    }
    check_run(tests, N_ELEMS(tests), argc > 1 ? argv[1] : NULL);
    apr_pool_destroy(pool);
    apr_terminate();
    return check_report();
}
