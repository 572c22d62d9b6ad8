/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_cors_explain.c -- the CORS-Debug header value (cors_explain.h):
 * real decisions of real compiled policies, explained; sf-string
 * escaping and cutting; the origins summary; and which CORSDebug
 * expressions count as true for everyone.
 */
#include <stdio.h>
#include <string.h>

#include "apr_general.h"
#include "apr_strings.h"
#include "apr_tables.h"

#include "cors_explain.h"
#include "check.h"

/* ------------------------------------------------------------------------
 * Policies, compiled with the functions the directives use
 */

static const cors_list *list_of(apr_pool_t *p, const char *words, int methods)
{
    cors_list *list;
    const char *warning;
    char **argv;
    int argc;

    if (words == NULL) {
        return NULL;
    }
    list = cors_list_make(p);
    argv = mkargv(p, words, &argc);
    CHECK_NOERRM(methods ? cors_list_add_methods(list, p, argc, argv, &warning)
                         : cors_list_add_allow_headers(list, p, argc, argv),
                 words);
    return list;
}

static cors_policy make_policy(apr_pool_t *p, const char *origins,
                               const char *methods, const char *headers,
                               cors_flag credentials)
{
    cors_origins *set = cors_origins_make(p);
    cors_policy policy;
    char **argv;
    int argc, i;

    argv = mkargv(p, origins, &argc);
    for (i = 0; *origins && i < argc; i++) {
        CHECK_NOERRM(cors_origins_add(set, p, argv[i]), argv[i]);
    }
    memset(&policy, 0, sizeof(policy));
    policy.origins = set;
    policy.methods = list_of(p, methods, 1);
    policy.allow_headers = list_of(p, headers, 0);
    policy.credentials = credentials;
    policy.private_network = CORS_UNSET;
    return policy;
}

static int never(const void *data, const char *origin)
{
    (void)data;
    (void)origin;
    return 0;
}

static void add_matcher(apr_pool_t *p, cors_policy *policy, const char *src)
{
    apr_array_header_t *m = (apr_array_header_t *)policy->matchers;
    cors_matcher *matcher;

    if (m == NULL) {
        m = apr_array_make(p, 1, sizeof(cors_matcher));
        policy->matchers = m;
    }
    matcher = apr_array_push(m);
    matcher->match = never;
    matcher->data = NULL;
    matcher->source = src;
}

static const cors_explain_context AT = { "/etc/apache2/api.conf:12", 0 };

static const char *explain(apr_pool_t *p, const cors_policy *policy,
                           const char *origin, const char *acrm,
                           const char *acrh, const cors_explain_context *ctx)
{
    cors_input in = { origin, acrm, acrh, NULL };
    cors_decision d;

    if (cors_is_preflight(&in)) {
        cors_decide_preflight(policy, &in, &d);
    }
    else {
        cors_decide_actual(policy, &in, &d);
    }
    return cors_explain(p, policy, &in, &d, ctx);
}

/* ------------------------------------------------------------------------
 * Tests
 */

static void test_sf_string(apr_pool_t *p)
{
    char long_value[300];

    CHECK_STREQ(cors_sf_string(p, "x-secret", 8, 128), "\"x-secret\"");
    CHECK_STREQ(cors_sf_string(p, "", 0, 128), "\"\"");
    CHECK_STREQ(cors_sf_string(p, "a\"b\\c", 5, 128), "\"a\\\"b\\\\c\"");
    /* control bytes, DEL and non-ASCII become '?'; a NUL inside too */
    CHECK_STREQ(cors_sf_string(p, "a\tb\x7f\xc3\xa9\r\n", 8, 128),
                "\"a?b?????\"");
    CHECK_STREQ(cors_sf_string(p, "a\0b", 3, 128), "\"a?b\"");
    /* only len bytes are read */
    CHECK_STREQ(cors_sf_string(p, "abcdef", 3, 128), "\"abc\"");
    /* cut: max bytes, then "..." */
    memset(long_value, 'a', sizeof(long_value));
    CHECK_STREQ(cors_sf_string(p, long_value, 129, 128),
                apr_pstrcat(p, "\"", apr_pstrmemdup(p, long_value, 128),
                            "...\"", NULL));
    CHECK_STREQ(cors_sf_string(p, long_value, 128, 128),
                apr_pstrcat(p, "\"", apr_pstrmemdup(p, long_value, 128),
                            "\"", NULL));
    /* escaping never breaks out of the cut: the worst case fits */
    memset(long_value, '"', sizeof(long_value));
    CHECK_INTEQ(strlen(cors_sf_string(p, long_value, 300, 128)),
                2 * 128 + 5);
}

static void test_origins_summary(apr_pool_t *p)
{
    cors_policy policy;

    policy = make_policy(p, "*", NULL, NULL, CORS_UNSET);
    CHECK_STREQ(cors_explain_origins(p, &policy), "*");
    policy = make_policy(p, "https://b.example|https://a.example", NULL, NULL,
                         CORS_UNSET);
    CHECK_STREQ(cors_explain_origins(p, &policy),
                "https://a.example, https://b.example");
    /* sorted whatever the order written; the rest only counted */
    policy = make_policy(p, "https://e.example|https://c.example|"
                         "https://*.d.example|http://localhost:*|"
                         "https://a.example", NULL, NULL, CORS_UNSET);
    CHECK_STREQ(cors_explain_origins(p, &policy),
                "http://localhost:*, https://*.d.example, https://a.example "
                "and 2 more");
    /* null and regexes come after the listed origins */
    policy = make_policy(p, "null|https://a.example", NULL, NULL, CORS_UNSET);
    add_matcher(p, &policy, "https://[a-z]+\\.example\\.net");
    CHECK_STREQ(cors_explain_origins(p, &policy),
                "https://a.example, null, https://[a-z]+\\.example\\.net");
    add_matcher(p, &policy, "https://x\\.example");
    CHECK_STREQ(cors_explain_origins(p, &policy),
                "https://a.example, null, https://[a-z]+\\.example\\.net "
                "and 1 more");
    /* only a regex (CORSAllowOriginMatch makes an empty set) */
    policy = make_policy(p, "", NULL, NULL, CORS_UNSET);
    CHECK_STREQ(cors_explain_origins(p, &policy), "(none)");
    add_matcher(p, &policy, "https://[a-z]+\\.example");
    CHECK_STREQ(cors_explain_origins(p, &policy), "https://[a-z]+\\.example");
}

static void test_allowed_and_no_origin(apr_pool_t *p)
{
    cors_policy policy = make_policy(p, "https://app.example.com", "PUT",
                                     "X-Request-ID", CORS_ON);
    cors_explain_context report_only = { "/srv/.htaccess:3", 1 };
    cors_explain_context nowhere = { NULL, 0 };

    CHECK_STREQ(explain(p, &policy, "https://app.example.com", "PUT",
                        "x-request-id", &AT),
                "preflight-ok; policy=\"/etc/apache2/api.conf:12\"");
    CHECK_STREQ(explain(p, &policy, "https://app.example.com", NULL, NULL,
                        &AT),
                "allowed; policy=\"/etc/apache2/api.conf:12\"");
    CHECK_STREQ(explain(p, &policy, NULL, NULL, NULL, &AT),
                "no-origin; policy=\"/etc/apache2/api.conf:12\"");
    CHECK_STREQ(explain(p, &policy, "https://app.example.com", NULL, NULL,
                        &report_only),
                "allowed; policy=\"/srv/.htaccess:3\"; report-only");
    CHECK_STREQ(explain(p, &policy, NULL, NULL, NULL, &nowhere), "no-origin");
}

static void test_origin_refusals(apr_pool_t *p)
{
    cors_policy policy = make_policy(p, "https://app.example.com|"
                                     "https://b.example.com", NULL, NULL,
                                     CORS_UNSET);
    cors_policy any = make_policy(p, "*", NULL, NULL, CORS_UNSET);
    cors_policy merged = make_policy(p, "*", NULL, NULL, CORS_ON);
    cors_explain_context report_only = { "/a.conf:1", 1 };
    char long_origin[400];

    CHECK_STREQ(explain(p, &policy, "https://evil.example", "GET", NULL, &AT),
                "preflight-denied-origin; origin=\"https://evil.example\"; "
                "allowed=\"https://app.example.com, https://b.example.com\"; "
                "reason=not-allowed; policy=\"/etc/apache2/api.conf:12\"");
    CHECK_STREQ(explain(p, &policy, "https://evil.example", NULL, NULL, &AT),
                "denied-origin; origin=\"https://evil.example\"; "
                "allowed=\"https://app.example.com, https://b.example.com\"; "
                "reason=not-allowed; policy=\"/etc/apache2/api.conf:12\"");
    CHECK_STREQ(explain(p, &policy, "https://APP.example.com", NULL, NULL,
                        &report_only),
                "denied-origin; origin=\"https://APP.example.com\"; "
                "allowed=\"https://app.example.com, https://b.example.com\"; "
                "reason=invalid; policy=\"/a.conf:1\"; report-only");
    /* a '*' policy answers '*' to an invalid origin, but notes it */
    CHECK_STREQ(explain(p, &any, "https://a.example/x", NULL, NULL, &AT),
                "denied-origin; origin=\"https://a.example/x\"; "
                "allowed=\"*\"; reason=invalid; "
                "policy=\"/etc/apache2/api.conf:12\"");
    /* merging joined '*' and credentials */
    CHECK_STREQ(explain(p, &merged, "https://app.example.com", "GET", NULL,
                        &AT),
                "preflight-denied-origin; origin=\"https://app.example.com\"; "
                "allowed=\"*\"; reason=merged-conflict; "
                "conflict=\"CORSAllowOrigin *\"; "
                "policy=\"/etc/apache2/api.conf:12\"");
    /* a hostile origin: escaped, cut */
    CHECK_STREQ(explain(p, &policy, "https://e\"v\\il\x01.example", NULL, NULL,
                        &AT),
                "denied-origin; origin=\"https://e\\\"v\\\\il?.example\"; "
                "allowed=\"https://app.example.com, https://b.example.com\"; "
                "reason=invalid; policy=\"/etc/apache2/api.conf:12\"");
    memset(long_origin, 'a', sizeof(long_origin) - 1);
    memcpy(long_origin, "https://", 8);
    long_origin[sizeof(long_origin) - 1] = '\0';
    CHECK_STRSTR(explain(p, &policy, long_origin, NULL, NULL, &AT),
                 apr_pstrcat(p, "origin=\"",
                             apr_pstrmemdup(p, long_origin, 128), "...\"; ",
                             NULL));
}

static void test_method_refusals(apr_pool_t *p)
{
    cors_policy listed = make_policy(p, "https://app.example.com",
                                     "GET|POST|PATCH", NULL, CORS_UNSET);
    cors_policy unlisted = make_policy(p, "https://app.example.com", NULL,
                                       NULL, CORS_UNSET);

    CHECK_STREQ(explain(p, &listed, "https://app.example.com", "DELETE", NULL,
                        &AT),
                "preflight-denied-method; method=\"DELETE\"; "
                "allowed=\"GET, POST, PATCH\"; reason=not-allowed; "
                "policy=\"/etc/apache2/api.conf:12\"");
    CHECK_STREQ(explain(p, &listed, "https://app.example.com", "patch", NULL,
                        &AT),
                "preflight-denied-method; method=\"patch\"; "
                "allowed=\"GET, POST, PATCH\"; reason=case; "
                "policy=\"/etc/apache2/api.conf:12\"");
    CHECK_STREQ(explain(p, &listed, "https://app.example.com", "Delete", NULL,
                        &AT),
                "preflight-denied-method; method=\"Delete\"; "
                "allowed=\"GET, POST, PATCH\"; reason=not-browser; "
                "policy=\"/etc/apache2/api.conf:12\"");
    CHECK_STREQ(explain(p, &unlisted, "https://app.example.com", "PUT", NULL,
                        &AT),
                "preflight-denied-method; method=\"PUT\"; "
                "allowed=\"GET, HEAD, POST\"; reason=not-allowed; "
                "policy=\"/etc/apache2/api.conf:12\"");
    CHECK_STREQ(explain(p, &unlisted, "https://app.example.com",
                        "GET, DELETE", NULL, &AT),
                "preflight-denied-method; method=\"GET, DELETE\"; "
                "allowed=\"GET, HEAD, POST\"; reason=not-allowed; "
                "policy=\"/etc/apache2/api.conf:12\"");
}

/* Every reason a decision can give has its reason= token: a decision
 * made by hand for each, so that a reason added later without a name
 * fails here rather than printing a bare "reason". */
static void test_every_reason_named(apr_pool_t *p)
{
    cors_policy policy = make_policy(p, "https://app.example.com", NULL, NULL,
                                     CORS_UNSET);
    cors_input in = { "https://app.example.com", "PUT", NULL, NULL };
    int r;

    for (r = CORS_REASON_NONE + 1; r < CORS_REASON_COUNT; r++) {
        cors_decision d;
        const char *v;

        memset(&d, 0, sizeof(d));
        d.note = CORS_NOTE_PREFLIGHT_DENIED_METHOD;
        d.reason = (cors_reason)r;
        d.offending = "PUT";
        d.offending_len = 3;
        v = cors_explain(p, &policy, &in, &d, &AT);
        CHECKM(strstr(v, "; reason=") != NULL,
               apr_psprintf(p, "reason %d: %s", r, v));
    }
}

static void test_header_refusals(apr_pool_t *p)
{
    cors_policy listed = make_policy(p, "https://app.example.com", NULL,
                                     "Content-Type|X-Request-ID", CORS_UNSET);
    cors_policy unlisted = make_policy(p, "https://app.example.com", NULL,
                                       NULL, CORS_UNSET);
    cors_explain_context htaccess = { "/srv/app/.htaccess:3", 0 };
    char *many;
    int i;

    CHECK_STREQ(explain(p, &listed, "https://app.example.com", "GET",
                        "content-type, x-secret", &htaccess),
                "preflight-denied-headers; header=\"x-secret\"; "
                "allowed=\"Content-Type, X-Request-ID\"; reason=not-allowed; "
                "policy=\"/srv/app/.htaccess:3\"");
    CHECK_STREQ(explain(p, &unlisted, "https://app.example.com", "GET",
                        "x-request-id", &AT),
                "preflight-denied-headers; header=\"x-request-id\"; "
                "allowed=\"Accept, Accept-Language, Content-Language, "
                "Content-Type, Range\"; reason=not-allowed; "
                "policy=\"/etc/apache2/api.conf:12\"");
    CHECK_STREQ(explain(p, &listed, "https://app.example.com", "GET",
                        "content-type, x(y)", &AT),
                "preflight-denied-headers; header=\"x(y)\"; "
                "allowed=\"Content-Type, X-Request-ID\"; reason=malformed; "
                "policy=\"/etc/apache2/api.conf:12\"");
    many = "";
    for (i = 0; i < CORS_ACRH_MAX_NAMES + 1; i++) {
        many = apr_pstrcat(p, many, i ? "," : "", "content-type", NULL);
    }
    CHECK_STREQ(explain(p, &listed, "https://app.example.com", "GET", many,
                        &AT),
                "preflight-denied-headers; "
                "allowed=\"Content-Type, X-Request-ID\"; reason=too-long; "
                "limit=\"64 names, 4096 bytes\"; "
                "policy=\"/etc/apache2/api.conf:12\"");
}

static void test_always_true(apr_pool_t *p)
{
    static const char *const always[] = {
        "true", " true ", "(true)", "((true))", "!false", "!!true",
        "1 == 1", "1==1", "'a' == 'a'", "\"x\" = \"x\"", "1 -eq 1",
        "0 -le 0", "'a' != 'b'", "!(1 == 2)", "true || -R '10.0.0.0/8'",
        "%{HTTP:X} == 'a' || true", "true && 1 == 1",
        "(-R '10.0.0.0/8' || true) && !false",
    };
    static const char *const not_always[] = {
        "false", "!true", "1 == 2", "-R '127.0.0.0/8'",
        "%{HTTP:X-CORS-Debug} == 'secret'", "'%{REMOTE_ADDR}' == '%{REMOTE_ADDR}'",
        "true && -R '10.0.0.0/8'", "-R '10.0.0.0/8' || false",
        "1 -eq 01", "1 -lt 2", "'a\\'' == 'a\\''", "true 1", "(true",
        "req('X') == req('X')", "", "'a' =~ /a/",
    };
    size_t i;

    (void)p;
    for (i = 0; i < N_ELEMS(always); i++) {
        CHECKM(cors_expr_always_true(always[i]), always[i]);
    }
    for (i = 0; i < N_ELEMS(not_always); i++) {
        CHECKM(!cors_expr_always_true(not_always[i]), not_always[i]);
    }
}

static const check_test tests[] = {
    { "sf_string", test_sf_string },
    { "origins_summary", test_origins_summary },
    { "allowed_and_no_origin", test_allowed_and_no_origin },
    { "origin_refusals", test_origin_refusals },
    { "method_refusals", test_method_refusals },
    { "header_refusals", test_header_refusals },
    { "every_reason_named", test_every_reason_named },
    { "always_true", test_always_true },
};

int main(int argc, char **argv)
{
    return check_main(tests, N_ELEMS(tests), argc, argv);
}
