/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_cors_logic.c -- unit tests of the origin and list logic (see
 * cors_logic.h and the headers it includes).
 *
 * Built and run by `make unit`.  No framework: the CHECK* macros below
 * count passes and failures, print every failure with file:line and the
 * values involved, and main() ends the output with exactly one line
 * "N passed, N failed" (numbers of checks); exit status 1 if any failed.
 *
 * Expectations follow the contract in docs/contract.md and docs/requests.md; vectors marked
 * Exx/Kxx are the test vectors listed in docs/test-vectors.md.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apr_general.h"
#include "apr_pools.h"
#include "apr_hash.h"
#include "apr_strings.h"
#include "apr_tables.h"  /* cors_logic.h uses apr_array_header_t */

#include "cors_logic.h"

#include "check.h"


static const char *add_methods(cors_list *l, apr_pool_t *p, const char *s,
                               const char **warning)
{
    int argc;
    char **argv = mkargv(p, s, &argc);
    *warning = NULL;
    return cors_list_add_methods(l, p, argc, argv, warning);
}

static const char *add_allow(cors_list *l, apr_pool_t *p, const char *s)
{
    int argc;
    char **argv = mkargv(p, s, &argc);
    return cors_list_add_allow_headers(l, p, argc, argv);
}

static const char *add_expose(cors_list *l, apr_pool_t *p, const char *s)
{
    int argc;
    char **argv = mkargv(p, s, &argc);
    return cors_list_add_expose_headers(l, p, argc, argv);
}

/* Builds an origin set from '|'-separated values; every one must add. */
static cors_origins *mkset(apr_pool_t *p, const char *s)
{
    cors_origins *set = cors_origins_make(p);
    int argc, i;
    char **argv = mkargv(p, s, &argc);

    for (i = 0; i < argc; i++) {
        CHECK_NOERRM(cors_origins_add(set, p, argv[i]), argv[i]);
    }
    return set;
}

/* As the module decides: allowed iff the verdict is a match, and then the
 * origin is a valid serialization (the listed-origin shortcut skips the
 * check because it cannot matter). */
static int allowed(const cors_origins *set, const char *origin)
{
    int m = cors_origins_match(set, origin) == CORS_ORIGIN_MATCH;

    if (m && !cors_origin_is_valid(origin)) {
        char msg[512];
        snprintf(msg, sizeof(msg), "matched but not valid: %.400s", origin);
        CHECKM(0, msg);
    }
    return m;
}

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *acrh_name(cors_acrh_result r)
{
    switch (r) {
    case CORS_ACRH_OK: return "OK";
    case CORS_ACRH_DENIED: return "DENIED";
    case CORS_ACRH_MALFORMED: return "MALFORMED";
    case CORS_ACRH_TOO_LONG: return "TOO_LONG";
    }
    return "?";
}

/* ------------------------------------------------------------------------
 * cors_origin_normalize / cors_origins_add: accepted values
 */

static void test_origin_normalize_ok(apr_pool_t *p)
{
    static const struct { const char *in, *out; } cases[] = {
        /* exact origins */
        { "https://app.example.com",        "https://app.example.com" },
        { "HTTPS://APP.EXAMPLE.COM",        "https://app.example.com" },
        { "Https://App.Example.Com",        "https://app.example.com" },
        { "https://app.example.com:443",    "https://app.example.com" },
        { "http://app.example.com:80",      "http://app.example.com" },
        { "HTTP://App.Example.com:80",      "http://app.example.com" },
        { "https://app.example.com:80",     "https://app.example.com:80" },
        { "http://app.example.com:443",     "http://app.example.com:443" },
        { "https://app.example.com:8443",   "https://app.example.com:8443" },
        { "https://a.example.com:1",        "https://a.example.com:1" },
        { "https://a.example.com:65535",    "https://a.example.com:65535" },
        { "http://localhost",               "http://localhost" },
        { "http://localhost:8080",          "http://localhost:8080" },
        { "http://[::1]:3000",              "http://[::1]:3000" },
        { "http://[::1]",                   "http://[::1]" },
        { "http://[::1]:80",                "http://[::1]" },
        { "http://[2001:DB8::1]",           "http://[2001:db8::1]" },
        { "capacitor://localhost",          "capacitor://localhost" },
        { "http://127.0.0.1:8080",          "http://127.0.0.1:8080" },
        { "http://127.0.0.1",               "http://127.0.0.1" },
        { "http://10.0.0.1:80",             "http://10.0.0.1" },
        { "https://xn--bcher-kva.example",  "https://xn--bcher-kva.example" },
        { "https://XN--BCHER-KVA.example",  "https://xn--bcher-kva.example" },
        { "https://a-b.example.com",        "https://a-b.example.com" },
        /* patterns */
        { "https://*.example.com",          "https://*.example.com" },
        { "https://*.EXAMPLE.com",          "https://*.example.com" },
        { "https://*.example.com:443",      "https://*.example.com" },
        { "https://*.example.com:8443",     "https://*.example.com:8443" },
        { "https://*.example.com:*",        "https://*.example.com:*" },
        { "http://localhost:*",             "http://localhost:*" },
        { "HTTP://LOCALHOST:*",             "http://localhost:*" },
        { "http://[::1]:*",                 "http://[::1]:*" },
        { "https://*.corp",                 "https://*.corp" },
        { "https://*.a.b.example.com",      "https://*.a.b.example.com" },
    };
    size_t i;

    {
        const char *norm = NULL;
        CHECK_NOERR(cors_origin_normalize(p, "*", &norm));
        CHECK_STREQ(norm, "*");
        norm = NULL;
        CHECK_NOERR(cors_origin_normalize(p, "null", &norm));
        CHECK_STREQ(norm, "null");
    }
    for (i = 0; i < N_ELEMS(cases); i++) {
        const char *norm = NULL;
        const char *err = cors_origin_normalize(p, cases[i].in, &norm);
        if (CHECK_NOERRM(err, cases[i].in)) {
            CHECK_STREQM(norm, cases[i].out, cases[i].in);
        }
        /* and cors_origins_add accepts the same values */
        {
            cors_origins *set = cors_origins_make(p);
            CHECK_NOERRM(cors_origins_add(set, p, cases[i].in),
                         cases[i].in);
        }
    }
}

/* ------------------------------------------------------------------------
 * cors_origin_normalize / cors_origins_add: errors
 */

static void test_origin_normalize_errors(apr_pool_t *p)
{
    static const char *const bad[] = {
        /* path, query, fragment (K03, E10/E11 in config) */
        "https://a.com/x",
        "https://a.com/",
        "https://app.example.com/",
        "https://a.com/x/y",
        "https://a.com?x",
        "https://a.com/?x=1",
        "https://a.com#x",
        "https://a.com#",
        "https://a.com?",
        /* userinfo */
        "https://user@a.com",
        "https://user:pw@a.com",
        "https://@a.com",
        /* empty host */
        "https://",
        "https://:8080",
        "http://:*",
        /* non-ASCII host (K09) */
        "https://b\xc3\xbc" "cher.example",
        "https://\xc3\xa9xample.com",
        /* ports (K06) */
        "https://a.com:0",
        "https://a.com:65536",
        "https://a.com:99999",
        "https://a.com:06060",
        "https://a.com:0443",
        "https://a.com:-1",
        "https://a.com:",
        "https://a.com:8a",
        "https://a.com:+80",
        "https://a.com: 80",
        /* no scheme, wrong shape (K04, K12) */
        "example.com",
        "a.com:443",
        "//a.com",
        "file:///x",
        "file://",
        "https:a.com",
        "https:/a.com",
        "://a.com",
        "",
        " ",
        "https://a.com https://b.com",
        "https://a .com",
        /* non-canonical IP literals (K10) */
        "http://127.1",
        "http://0x7f000001",
        "http://127.000.0.1",
        "http://2130706433",
        "http://0177.0.0.1",
        "http://[0:0::1]",
        "http://[0:0:0:0:0:0:0:1]",
        "http://[::0001]",
        "http://[::1",
        "http://::1",
        /* bad patterns (K11) */
        "https://*",
        "https://*:*",
        "https://*example.com",
        "https://a*.example.com",
        "https://a.*.example.com",
        "https://*.*.example.com",
        "https://**.example.com",
        "https://example.*",
        "https://*.",
        "*://a.com",
        "https://a.com:*8",
        "https://a.com:8*",
        /* public suffixes (K08) */
        "https://*.com",
        "https://*.co.uk",
        "https://*.github.io",
        "https://*.COM",
        "https://*.com:*",
        /* subdomain patterns need a domain name */
        "https://*.127.0.0.1",
        "https://*.0.0.1",
        "http://*.[::1]",
        "https://a.com:000443",
        "https://a.com.",
        "https://a..com",
    };
    size_t i;

    for (i = 0; i < N_ELEMS(bad); i++) {
        const char *norm = NULL;
        const char *err = cors_origin_normalize(p, bad[i], &norm);
        cors_origins *set = cors_origins_make(p);
        const char *err2;

        if (CHECK_ERRM(err, bad[i]) && bad[i][0] && bad[i][0] != ' ') {
            /* the message names the value */
            CHECK_STRSTRM(err, bad[i], bad[i]);
        }
        err2 = cors_origins_add(set, p, bad[i]);
        if (CHECK_ERRM(err2, bad[i]) && bad[i][0] && bad[i][0] != ' ') {
            CHECK_STRSTRM(err2, bad[i], bad[i]);
        }
        /* a refused value must not have been added */
        CHECKM(!set->any && !set->null && cors_set_count(&set->exact) == 0
               && cors_set_count(&set->patterns) == 0,
               bad[i]);
    }
}

/* ------------------------------------------------------------------------
 * cors_origins_add: the set's flags
 */

static void test_origins_add_flags(apr_pool_t *p)
{
    cors_origins *set = cors_origins_make(p);

    CHECK(set != NULL);
    CHECK(!set->any && !set->null && !set->shape.port_any && !set->shape.subdomains);
    CHECK(set->insecure == NULL);
    CHECK_INTEQ(cors_set_count(&set->exact), 0);
    CHECK_INTEQ(cors_set_count(&set->patterns), 0);

    CHECK_NOERR(cors_origins_add(set, p, "https://app.example.com"));
    CHECK(!set->any && !set->null && !set->shape.port_any && !set->shape.subdomains);
    CHECK(set->insecure == NULL);

    /* loopback plain-http origins are not "insecure" (K07) */
    CHECK_NOERR(cors_origins_add(set, p, "http://localhost:*"));
    CHECK(set->shape.port_any);
    CHECK_NOERR(cors_origins_add(set, p, "http://localhost"));
    CHECK_NOERR(cors_origins_add(set, p, "http://127.0.0.1:8080"));
    CHECK_NOERR(cors_origins_add(set, p, "http://127.0.0.1"));
    CHECK_NOERR(cors_origins_add(set, p, "http://[::1]:3000"));
    CHECK_NOERR(cors_origins_add(set, p, "http://[::1]"));
    CHECK_STREQ(set->insecure, NULL);

    CHECK_NOERR(cors_origins_add(set, p, "https://*.example.org"));
    CHECK(set->shape.subdomains);
    CHECK(!set->any);
    CHECK(!set->null);

    /* first plain-http non-loopback entry is remembered */
    CHECK_NOERR(cors_origins_add(set, p, "http://plain.example.com"));
    CHECK_STRSTR(set->insecure, "plain.example.com");
    CHECK_NOERR(cors_origins_add(set, p, "http://second.example.com"));
    CHECK_STRSTR(set->insecure, "plain.example.com");

    {
        cors_origins *s2 = cors_origins_make(p);
        CHECK_NOERR(cors_origins_add(s2, p, "https://*.example.com:*"));
        CHECK(s2->shape.port_any);
        CHECK(s2->shape.subdomains);
        CHECK(s2->insecure == NULL);
    }
    {
        cors_origins *s2 = cors_origins_make(p);
        CHECK_NOERR(cors_origins_add(s2, p, "http://*.example.com"));
        CHECK(s2->shape.subdomains);
        CHECK_STRSTR(s2->insecure, "example.com");
    }
    {
        /* Potentially trustworthy (Secure Contexts): every name under
         * .localhost, all of 127.0.0.0/8; a name that only ends in
         * "localhost" is not. */
        static const char *const loopback[] = {
            "http://app.localhost", "http://a.b.localhost:5173",
            "http://*.localhost", "HTTP://*.App.LocalHost:*",
            "http://127.0.0.2", "http://127.255.255.254:8080",
        };
        static const char *const not_loopback[] = {
            "http://evillocalhost", "http://localhost.evil.example",
            "http://128.0.0.1", "http://*.evillocalhost",
        };
        size_t i;
        for (i = 0; i < N_ELEMS(loopback); i++) {
            cors_origins *s2 = cors_origins_make(p);
            CHECK_NOERRM(cors_origins_add(s2, p, loopback[i]), loopback[i]);
            CHECKM(s2->insecure == NULL, loopback[i]);
        }
        for (i = 0; i < N_ELEMS(not_loopback); i++) {
            cors_origins *s2 = cors_origins_make(p);
            CHECK_NOERRM(cors_origins_add(s2, p, not_loopback[i]),
                         not_loopback[i]);
            CHECKM(s2->insecure != NULL, not_loopback[i]);
        }
        CHECK(cors_host_is_loopback("localhost", 9));
        CHECK(cors_host_is_loopback("x.localhost", 11));
        CHECK(cors_host_is_loopback("[::1]", 5));
        CHECK(cors_host_is_loopback("127.0.0.1", 9));
        CHECK(!cors_host_is_loopback(".localhost", 10));
        CHECK(!cors_host_is_loopback("127.0.0.01", 10));
        CHECK(!cors_host_is_loopback("127.evil.example", 16));
        CHECK(!cors_host_is_loopback("[::2]", 5));
    }
    {
        /* a value already as browsers send it is its own key (kept, not
         * copied); any other is normalized; both kinds of pattern go to
         * the patterns; an origin listed twice is kept twice */
        static const char app[] = "https://app.example.com";
        static const char sub[] = "https://*.tenant.example.org";
        cors_origins *s2 = cors_origins_make(p);
        CHECK_NOERR(cors_origins_add(s2, p, app));
        CHECK_NOERR(cors_origins_add(s2, p, "HTTPS://App.Example.COM:443"));
        CHECK_NOERR(cors_origins_add(s2, p, sub));
        CHECK_NOERR(cors_origins_add(s2, p, "https://*.Other.example.org"));
        CHECK_NOERR(cors_origins_add(s2, p, "http://localhost:*"));
        CHECK_INTEQ(cors_set_count(&s2->exact), 2);
        CHECK_INTEQ(cors_set_count(&s2->patterns), 3);
        CHECK(APR_ARRAY_IDX(s2->exact.names, 0, cors_name).key == app);
        CHECK_STREQ(APR_ARRAY_IDX(s2->exact.names, 1, cors_name).key, app);
        CHECK(APR_ARRAY_IDX(s2->patterns.names, 0, cors_name).key == sub);
        CHECK_STREQ(APR_ARRAY_IDX(s2->patterns.names, 1, cors_name).key,
                    "https://*.other.example.org");
        CHECK(s2->shape.subdomains && s2->shape.port_any && s2->insecure == NULL);
        CHECK(cors_origins_match(s2, app) == CORS_ORIGIN_MATCH);
        CHECK(cors_origins_match(s2, "https://a.tenant.example.org")
              == CORS_ORIGIN_MATCH);
        CHECK(cors_origins_match(s2, "https://a.other.example.org")
              == CORS_ORIGIN_MATCH);
        CHECK(cors_origins_match(s2, "https://tenant.example.org")
              == CORS_ORIGIN_NO_MATCH);
        CHECK(cors_origins_match(s2, "http://localhost:8080")
              == CORS_ORIGIN_MATCH);
    }
    {
        /* past CORS_SET_LINEAR_MAX names a hash finds them, the same */
        cors_origins *s2 = cors_origins_make(p);
        int i;
        for (i = 0; i < 3 * CORS_SET_LINEAR_MAX; i++) {
            CHECK_NOERR(cors_origins_add(s2, p, apr_psprintf(
                p, "https://site%d.example.com", i)));
        }
        CHECK(s2->exact.index != NULL);
        CHECK(cors_origins_match(s2, "https://site0.example.com")
              == CORS_ORIGIN_MATCH);
        CHECK(cors_origins_match(s2, apr_psprintf(
                  p, "https://site%d.example.com", 3 * CORS_SET_LINEAR_MAX - 1))
              == CORS_ORIGIN_MATCH);
        CHECK(cors_origins_match(s2, "https://site.example.com")
              == CORS_ORIGIN_NO_MATCH);
    }
    {
        cors_origins *s2 = cors_origins_make(p);
        CHECK_NOERR(cors_origins_add(s2, p, "*"));
        CHECK(s2->any);
        CHECK(!s2->null);
    }
    {
        cors_origins *s2 = cors_origins_make(p);
        CHECK_NOERR(cors_origins_add(s2, p, "null"));
        CHECK(s2->null);
        CHECK(!s2->any);
    }
    {
        /* a capacitor:// or https origin is not insecure */
        cors_origins *s2 = cors_origins_make(p);
        CHECK_NOERR(cors_origins_add(s2, p, "capacitor://localhost"));
        CHECK_NOERR(cors_origins_add(s2, p, "https://a.example.com"));
        CHECK(s2->insecure == NULL);
    }
}

/* ------------------------------------------------------------------------
 * cors_origin_is_valid
 */

static void test_origin_is_valid(apr_pool_t *p)
{
    static const char *const good[] = {
        "https://app.example.com",
        "https://a.example.com:8443",
        "https://app.example.com:80",
        "http://app.example.com:443",
        "http://localhost",
        "http://localhost:8080",
        "http://localhost:5173",
        "http://127.0.0.1",
        "http://127.0.0.1:8080",
        "http://[::1]",
        "http://[::1]:3000",
        "http://[2001:db8::1]",
        "capacitor://localhost",
        "https://xn--bcher-kva.example",
        "https://a-b.example.com",
        "https://a.b.c.example.com",
        "https://example.com:65535",
        "null",
    };
    static const char *const bad[] = {
        "",
        " ",
        "HTTPS://app.example.com",
        "Https://app.example.com",
        "https://App.example.com",
        "https://API.EXAMPLE.COM",
        "https://app.example.com/",
        "https://app.example.com/path",
        "https://app.example.com?x",
        "https://app.example.com#x",
        "https://app .example.com",
        " https://app.example.com",
        "https://app.example.com ",
        "https://app.example.com\t",
        "https://app.example.com\r\n",
        "https://a.com, https://b.com",
        "https://a.com,https://b.com",
        "https://app.example.com.",
        "https://app.example.com:443",
        "http://app.example.com:80",
        "https://app.example.com:",
        "https://app.example.com:65536",
        "https://app.example.com:06060",
        "https://app.example.com:-1",
        "https://user@app.example.com",
        "https://user:pw@app.example.com",
        "https://",
        "https://:8080",
        "app.example.com",
        "//app.example.com",
        "file:///x",
        "https://b\xc3\xbc" "cher.example",
        "http://127.1",
        "http://0x7f000001",
        "http://127.000.0.1",
        "http://[0:0::1]",
        "http://[0:0:0:0:0:0:0:1]",
        "http://[::1]:80",
        "http://[2001:DB8::1]",
        "https://*.example.com",
        "http://localhost:*",
        "*",
        "Null",
        "NULL",
        "null ",
        "nullx",
    };
    size_t i;
    char *big;

    for (i = 0; i < N_ELEMS(good); i++) {
        CHECKM(cors_origin_is_valid(good[i]), good[i]);
    }
    for (i = 0; i < N_ELEMS(bad); i++) {
        CHECKM(!cors_origin_is_valid(bad[i]), bad[i]);
    }

    /* CORS_ORIGIN_MAX: 64-byte scheme, "://", 253-byte host, ":65535" */
    {
        char scheme[65], host[254];
        const char *o;
        memset(scheme, 'a', 64);
        scheme[64] = '\0';
        memset(host, 'h', 253);
        host[63] = host[127] = host[191] = '.';
        host[253] = '\0';
        o = apr_pstrcat(p, scheme, "://", host, ":65535", NULL);
        CHECK_INTEQ(strlen(o), CORS_ORIGIN_MAX);
        CHECKM(cors_origin_is_valid(o), "326-byte origin");
        o = apr_pstrcat(p, "b", scheme, "://", host, ":65535", NULL);
        CHECK_INTEQ(strlen(o), CORS_ORIGIN_MAX + 1);
        CHECKM(!cors_origin_is_valid(o), "327-byte origin");
        o = apr_pstrcat(p, "https://", host, NULL);
        CHECKM(cors_origin_is_valid(o), "253-byte host");
        o = apr_pstrcat(p, "https://h", host, NULL);
        CHECKM(!cors_origin_is_valid(o), "254-byte host");
    }

    /* E18: 5,000-byte Origin */
    big = apr_palloc(p, 5001);
    memcpy(big, "https://", 8);
    memset(big + 8, 'a', 5000 - 8);
    big[5000] = '\0';
    CHECKM(!cors_origin_is_valid(big), "5000-byte origin");
}

/* ------------------------------------------------------------------------
 * cors_origins_match
 */

struct match_case {
    const char *origin;
    int expect;
};

static void run_match(const cors_origins *set, const char *setname,
                      const struct match_case *c, size_t n, apr_pool_t *p)
{
    size_t i;
    for (i = 0; i < n; i++) {
        const char *ctx = apr_psprintf(p, "%s vs %s", setname, c[i].origin);
        CHECK_INTEQM(allowed(set, c[i].origin), c[i].expect, ctx);
    }
}

/* The exact-list fast path: only listed origins, never a pattern key. */
static void test_origins_listed(apr_pool_t *p)
{
    cors_origins *set = cors_origins_make(p);

    CHECK_NOERR(cors_origins_add(set, p, "https://app.example.com"));
    CHECK_NOERR(cors_origins_add(set, p, "https://*.example.org"));
    CHECK_NOERR(cors_origins_add(set, p, "http://localhost:*"));
    CHECK_INTEQ(cors_origins_match(set, "https://app.example.com"),
                CORS_ORIGIN_MATCH);
    CHECK_INTEQ(cors_origins_match(set, "https://a.example.org"),
                CORS_ORIGIN_MATCH);
    /* an Origin spelled like a pattern key must not hit it */
    CHECK_INTEQ(cors_origins_match(set, "https://*.example.org"),
                CORS_ORIGIN_INVALID);
    CHECK_INTEQ(cors_origins_match(set, "http://localhost:*"),
                CORS_ORIGIN_INVALID);
    CHECK_INTEQ(cors_origins_match(set, "https://APP.example.com"),
                CORS_ORIGIN_INVALID);
    /* valid, and allowed by no entry */
    CHECK_INTEQ(cors_origins_match(set, "http://localhost:3000"),
                CORS_ORIGIN_MATCH);
    CHECK_INTEQ(cors_origins_match(set, "https://example.org"),
                CORS_ORIGIN_NO_MATCH);
    CHECK_INTEQ(cors_origins_match(set, "https://other.example.com"),
                CORS_ORIGIN_NO_MATCH);
    /* a pattern already in browser form is refused for a file: scheme too
     * (file: pages send "null"), as the parser refuses it */
    CHECK_ERR(cors_origins_add(set, p, "file://*.example.com"));
    CHECK_ERR(cors_origins_add(set, p, "file://app.example.com"));
}

static void test_origins_match(apr_pool_t *p)
{
    {
        static const struct match_case c[] = {
            { "https://app.example.com", 1 },
            { "https://app.example.co", 0 },
            { "https://app.example.comx", 0 },
            { "https://xapp.example.com", 0 },
            { "https://a.app.example.com", 0 },
            { "http://app.example.com", 0 },
            { "https://app.example.com:8443", 0 },
            { "https://app.example.com:443", 0 },
            { "https://app.example.com/", 0 },
            { "null", 0 },
        };
        cors_origins *set = mkset(p, "https://app.example.com");
        run_match(set, "exact", c, N_ELEMS(c), p);
        /* match alone (valid input): exact only */
        CHECK(cors_origins_match(set, "https://app.example.com")
              == CORS_ORIGIN_MATCH);
        CHECK(cors_origins_match(set, "https://other.example.com")
              == CORS_ORIGIN_NO_MATCH);
    }
    {
        /* configured with uppercase and default port: normalized */
        static const struct match_case c[] = {
            { "https://app.example.com", 1 },
            { "https://App.Example.com", 0 },
        };
        cors_origins *set = mkset(p, "HTTPS://App.Example.COM:443");
        run_match(set, "normalized", c, N_ELEMS(c), p);
    }
    {
        static const struct match_case c[] = {
            { "https://a.example.com", 1 },
            { "https://api.example.com", 1 },
            { "https://a.b.example.com", 1 },
            { "https://x.y.z.example.com", 1 },
            { "https://evil.com.example.com", 1 },
            { "https://example.com", 0 },
            { "https://evilexample.com", 0 },
            { "https://a.evilexample.com", 0 },
            { "https://evil-example.com", 0 },
            { "https://a.example.com.evil.net", 0 },
            { "https://example.com.evil.com", 0 },
            { "https://api.example.com:8443", 0 },
            { "https://api.example.com:443", 0 },
            { "http://a.example.com", 0 },
            { "https://.example.com", 0 },
            { "https://a.example.org", 0 },
            { "https://a.example.co", 0 },
            { "https://a.xexample.com", 0 },
            { "null", 0 },
        };
        cors_origins *set = mkset(p, "https://*.example.com");
        run_match(set, "*.example.com", c, N_ELEMS(c), p);
    }
    {
        static const struct match_case c[] = {
            { "https://api.example.com:8443", 1 },
            { "https://a.b.example.com:8443", 1 },
            { "https://api.example.com", 0 },
            { "https://api.example.com:8444", 0 },
            { "https://example.com:8443", 0 },
        };
        cors_origins *set = mkset(p, "https://*.example.com:8443");
        run_match(set, "*.example.com:8443", c, N_ELEMS(c), p);
    }
    {
        static const struct match_case c[] = {
            { "https://api.example.com:8443", 1 },
            { "https://api.example.com", 1 },
            { "https://a.b.example.com:1", 1 },
            { "https://example.com:8443", 0 },
            { "https://example.com", 0 },
            { "http://api.example.com:8443", 0 },
            { "https://evilexample.com:8443", 0 },
        };
        cors_origins *set = mkset(p, "https://*.example.com:*");
        run_match(set, "*.example.com:*", c, N_ELEMS(c), p);
    }
    {
        static const struct match_case c[] = {
            { "http://localhost", 1 },
            { "http://localhost:5173", 1 },
            { "http://localhost:1", 1 },
            { "http://localhost:65535", 1 },
            { "http://localhost:443", 1 },
            { "http://127.0.0.1:5173", 0 },
            { "http://127.0.0.1", 0 },
            { "http://[::1]:5173", 0 },
            { "https://localhost:5173", 0 },
            { "https://localhost", 0 },
            { "http://localhostx:5173", 0 },
            { "http://a.localhost:5173", 0 },
            { "http://localhost.evil.com:5173", 0 },
        };
        cors_origins *set = mkset(p, "http://localhost:*");
        run_match(set, "localhost:*", c, N_ELEMS(c), p);
    }
    {
        static const struct match_case c[] = {
            { "http://[::1]:3000", 1 },
            { "http://[::1]", 1 },
            { "http://localhost:3000", 0 },
        };
        cors_origins *set = mkset(p, "http://[::1]:*");
        run_match(set, "[::1]:*", c, N_ELEMS(c), p);
    }
    {
        static const struct match_case c[] = {
            { "https://app.example.com", 1 },
            { "http://evil.test:8080", 1 },
            { "capacitor://localhost", 1 },
            { "https://anything.test", 1 },
            { "HTTPS://anything.test", 0 },
            { "https://a.com, https://b.com", 0 },
        };
        cors_origins *set = mkset(p, "*");
        run_match(set, "*", c, N_ELEMS(c), p);
    }
    {
        cors_origins *without = mkset(p, "https://app.example.com");
        cors_origins *with = mkset(p, "https://app.example.com|null");
        CHECK(!allowed(without, "null"));
        CHECK(allowed(with, "null"));
        CHECK(allowed(with, "https://app.example.com"));
        CHECK(!allowed(with, "Null"));
    }
    {
        /* "*.corp" accepted (not an explicit PSL entry) and works */
        static const struct match_case c[] = {
            { "https://intranet.corp", 1 },
            { "https://corp", 0 },
        };
        cors_origins *set = mkset(p, "https://*.corp");
        run_match(set, "*.corp", c, N_ELEMS(c), p);
    }
    {
        /* several entries of several kinds in one set */
        static const struct match_case c[] = {
            { "https://app.example.com", 1 },
            { "https://x.example.org", 1 },
            { "https://example.org", 0 },
            { "http://localhost:3000", 1 },
            { "http://[::1]:3000", 1 },
            { "http://[::1]:3001", 0 },
            { "capacitor://localhost", 1 },
            { "https://xn--bcher-kva.example", 1 },
            { "https://evil.example", 0 },
        };
        cors_origins *set = mkset(p, "https://app.example.com"
                                  "|https://*.example.org"
                                  "|http://localhost:*"
                                  "|http://[::1]:3000"
                                  "|capacitor://localhost"
                                  "|https://xn--bcher-kva.example");
        run_match(set, "mixed", c, N_ELEMS(c), p);
    }
}

static void test_origins_match_many(apr_pool_t *p)
{
    cors_origins *set = cors_origins_make(p);
    int i, errs = 0, misses = 0, false_hits = 0;
    double t0, t;

    for (i = 0; i < 10000; i++) {
        const char *o = apr_psprintf(p, "https://host%d.example.com", i);
        if (cors_origins_add(set, p, o) != NULL) {
            errs++;
        }
    }
    CHECK_INTEQ(errs, 0);
    t0 = now_sec();
    for (i = 0; i < 10000; i++) {
        char o[64];
        snprintf(o, sizeof(o), "https://host%d.example.com", i);
        if (!allowed(set, o)) {
            misses++;
        }
        snprintf(o, sizeof(o), "https://host%d.example.com:8443", i);
        if (allowed(set, o)) {
            false_hits++;
        }
    }
    t = now_sec() - t0;
    CHECK_INTEQ(misses, 0);
    CHECK_INTEQ(false_hits, 0);
    CHECK(!allowed(set, "https://host10000.example.com"));
    CHECK(!allowed(set, "https://example.com"));
    CHECK(!allowed(set, "http://host1.example.com"));
    /* 20,000 lookups in a hash: far below a second */
    CHECKM(t < 0.5, apr_psprintf(p, "20000 matches took %.3f s", t));
}

/* Subdomain patterns are looked up only for the host suffixes whose length
 * some pattern has: patterns of many lengths, written both as browsers
 * send them and in forms the parser normalizes (ports, uppercase), must
 * still match every subdomain depth, and nothing else. */
static void test_patterns_by_suffix_length(apr_pool_t *p)
{
    cors_origins *set = cors_origins_make(p);
    char host[300];
    int i;

    for (i = 0; i < 100; i++) {
        CHECK_NOERR(cors_origins_add(
            set, p, apr_psprintf(p, "https://*.tenant%d.example.org", i)));
    }
    CHECK_NOERR(cors_origins_add(set, p, "HTTPS://*.Upper.Example.NET:8443"));
    CHECK_NOERR(cors_origins_add(set, p, "https://*.any-port.example.com:*"));
    CHECK_NOERR(cors_origins_add(set, p, "http://*.b.c"));
    CHECK(allowed(set, "https://a.tenant0.example.org"));
    CHECK(allowed(set, "https://x.y.z.tenant99.example.org"));
    CHECK(!allowed(set, "https://tenant5.example.org"));
    CHECK(!allowed(set, "https://a.tenant100.example.org"));
    CHECK(!allowed(set, "https://a.tenant1.example.com"));
    CHECK(!allowed(set, "https://a.tenant1.example.org:444"));
    CHECK(!allowed(set, "http://a.tenant1.example.org"));
    CHECK(allowed(set, "https://api.upper.example.net:8443"));
    CHECK(!allowed(set, "https://api.upper.example.net"));
    CHECK(allowed(set, "https://x.any-port.example.com"));
    CHECK(allowed(set, "https://x.any-port.example.com:1"));
    CHECK(allowed(set, "http://a.b.c"));
    CHECK(allowed(set, "http://z.y.a.b.c"));
    CHECK(!allowed(set, "http://b.c"));
    CHECK(!allowed(set, "http://a.bb.c"));
    /* a long host: 4 labels of 63 bytes, 255 in all, is no host at all */
    for (i = 0; i < 4; i++) {
        memset(host + 64 * i, 'a', 63);
        host[64 * i + 63] = '.';
    }
    memcpy(host + 192, "tenant1.example.org", sizeof("tenant1.example.org"));
    CHECK(allowed(set, apr_pstrcat(p, "https://", host, NULL)));
    memcpy(host + 252, "b.c", 4);
    CHECK(!allowed(set, apr_pstrcat(p, "http://", host, NULL)));
}

/* Vectors E01-E29 (docs/test-vectors.md) that concern the origin decision. */
static void test_origins_vectors_E(apr_pool_t *p)
{
    static const struct {
        const char *id, *policy, *origin;
        int expect;
    } v[] = {
        { "E01", "https://*.example.com", "https://example.com", 0 },
        { "E02", "https://*.example.com", "https://evil.com.example.com", 1 },
        { "E03", "https://*.example.com", "https://example.com.evil.com", 0 },
        { "E04", "https://*.example.com", "https://evilexample.com", 0 },
        { "E05", "https://*.example.com", "https://evil-example.com", 0 },
        { "E06", "https://*.example.com", "https://notexample.com", 0 },
        { "E07", "https://*.example.com", "http://api.example.com", 0 },
        { "E08", "https://*.example.com", "https://api.example.com:8443", 0 },
        { "E09", "https://*.example.com", "https://API.EXAMPLE.COM", 0 },
        { "E10", "https://app.example.com", "https://app.example.com/", 0 },
        { "E11", "https://app.example.com", "https://app.example.com/path",
          0 },
        { "E12", "https://app.example.com", "https://app.example.com:443",
          0 },
        { "E13", "https://app.example.com", "null", 0 },
        { "E15", "https://app.example.com",
          "https://app.example.com, https://evil.com", 0 },
        { "E16", "https://app.example.com", "https://app.example.com.", 0 },
        { "E17", "https://app.example.com", "https://user@app.example.com",
          0 },
        { "E19", "https://foo.com|https://bar.com", "https://barfoo.com", 0 },
        { "E20", "https://foo.com|https://bar.com", "https://foobar.com", 0 },
        { "E21", "https://foo.com|https://bar.com", "https://bar.com", 1 },
        { "E22", "https://www.example.com", "https://www.example.co", 0 },
        { "E23", "https://api.example.com", "https://api-example.com", 0 },
        { "E24", "https://app.example.com",
          "https://app.example.com.attacker.io", 0 },
        { "E25", "https://app.example.com", "HTTPS://app.example.com", 0 },
        { "E26", "https://xn--bcher-kva.example",
          "https://xn--bcher-kva.example", 1 },
        { "E27", "http://localhost:*", "http://127.0.0.1:5173", 0 },
        { "E28", "http://localhost:*", "https://localhost:5173", 0 },
        { "E29", "https://app.example.com", "https://app .example.com", 0 },
        { "E29b", "https://app.example.com", "  https://app.example.com ",
          0 },
        /* positive controls for the policies above */
        /* E14: a "*" policy answers ACAO * to any origin, null included */
        { "E14", "*", "null", 1 },
        { "P1", "https://app.example.com", "https://app.example.com", 1 },
        { "P4", "http://localhost:*", "http://localhost:5173", 1 },
        { "P4b", "http://localhost:*", "http://localhost", 1 },
        { "P9", "https://*.example.com", "https://api.example.com", 1 },
        { "P12", "http://[::1]:*", "http://[::1]:3000", 1 },
        { "P2", "https://app.example.com|https://*.example.com",
          "https://a.b.example.com", 1 },
    };
    size_t i;
    char *big;
    cors_origins *p1;

    for (i = 0; i < N_ELEMS(v); i++) {
        cors_origins *set = mkset(p, v[i].policy);
        const char *ctx = apr_psprintf(p, "%s: %s vs %s", v[i].id,
                                       v[i].policy, v[i].origin);
        CHECK_INTEQM(allowed(set, v[i].origin), v[i].expect, ctx);
    }

    /* E18: 5,000-byte Origin */
    p1 = mkset(p, "https://app.example.com");
    big = apr_palloc(p, 5001);
    memcpy(big, "https://app.example.com", 23);
    memset(big + 23, 'a', 5000 - 23);
    big[5000] = '\0';
    CHECKM(!allowed(p1, big), "E18: 5000-byte origin");
}

/* ------------------------------------------------------------------------
 * cors_list_add_methods
 */

static void test_list_add_methods(apr_pool_t *p)
{
    const char *w;
    const char *err;
    cors_list *l;

    l = cors_list_make(p);
    CHECK(l != NULL);
    CHECK(!l->any && !l->authorization);

    /* K14: the six Fetch-normalized names are uppercased */
    l = cors_list_make(p);
    CHECK_NOERR(add_methods(l, p, "get|delete|head|options|post|put", &w));
    CHECK_STREQ(l->value, "GET, DELETE, HEAD, OPTIONS, POST, PUT");
    CHECK(w == NULL);
    CHECK(cors_set_lookup(&l->names, "DELETE", 6) != NULL);
    CHECK(cors_set_lookup(&l->names, "delete", 6) == NULL);
    CHECK(!l->any);

    l = cors_list_make(p);
    CHECK_NOERR(add_methods(l, p, "Get|DeLeTe|pUT", &w));
    CHECK_STREQ(l->value, "GET, DELETE, PUT");

    /* order as written; other names kept as written */
    l = cors_list_make(p);
    CHECK_NOERR(add_methods(l, p, "PUT|PATCH|GET|PURGE|delete", &w));
    CHECK_STREQ(l->value, "PUT, PATCH, GET, PURGE, DELETE");
    CHECK(w == NULL);
    CHECK(cors_set_lookup(&l->names, "PATCH", 5) != NULL);
    CHECK(cors_set_lookup(&l->names, "PURGE", 5) != NULL);

    /* lowercase patch: kept, with a warning suggesting PATCH */
    l = cors_list_make(p);
    CHECK_NOERR(add_methods(l, p, "patch", &w));
    CHECK_STREQ(l->value, "patch");
    CHECK(w != NULL);
    CHECK_STRSTR(w, "PATCH");
    CHECK(cors_set_lookup(&l->names, "patch", 5) != NULL);
    CHECK(cors_set_lookup(&l->names, "PATCH", 5) == NULL);

    l = cors_list_make(p);
    CHECK_NOERR(add_methods(l, p, "GET|PATCH|patch", &w));
    CHECK_STREQ(l->value, "GET, PATCH, patch");
    CHECK_STRSTR(w, "PATCH");

    /* lines add up */
    l = cors_list_make(p);
    CHECK_NOERR(add_methods(l, p, "GET", &w));
    CHECK_STREQ(l->value, "GET");
    CHECK_NOERR(add_methods(l, p, "put|DELETE", &w));
    CHECK_STREQ(l->value, "GET, PUT, DELETE");
    CHECK(cors_set_lookup(&l->names, "GET", 3) != NULL);
    CHECK(cors_set_lookup(&l->names, "PUT", 3) != NULL);

    /* "*" alone */
    l = cors_list_make(p);
    CHECK_NOERR(add_methods(l, p, "*", &w));
    CHECK(l->any);
    CHECK_STREQ(l->value, "*");

    /* errors; the message names the value (K13) */
    {
        static const struct { const char *argv, *named; } bad[] = {
            { "CONNECT", "CONNECT" },
            { "TRACE", "TRACE" },
            { "TRACK", "TRACK" },
            { "track", "track" },
            { "connect", "connect" },
            { "Trace", "Trace" },
            { "GET|TRACE", "TRACE" },
            { "GET|a,b", "a,b" },
            { "G T", "G T" },
            { "GET,PUT", "GET,PUT" },
            { "x@y", "x@y" },
            { "P\xc3\x9cT", "P\xc3\x9cT" },
            { "*|GET", "*" },
            { "GET|*", "*" },
        };
        size_t i;
        for (i = 0; i < N_ELEMS(bad); i++) {
            l = cors_list_make(p);
            err = add_methods(l, p, bad[i].argv, &w);
            if (CHECK_ERRM(err, bad[i].argv)) {
                CHECK_STRSTRM(err, bad[i].named, bad[i].argv);
            }
        }
        l = cors_list_make(p);
        CHECK_ERRM(add_methods(l, p, "", &w), "(empty argument)");
    }

    /* "*" must stand alone across lines of one scope too */
    l = cors_list_make(p);
    CHECK_NOERR(add_methods(l, p, "GET", &w));
    CHECK_ERR(add_methods(l, p, "*", &w));
    l = cors_list_make(p);
    CHECK_NOERR(add_methods(l, p, "*", &w));
    CHECK_ERR(add_methods(l, p, "PUT", &w));
}

/* ------------------------------------------------------------------------
 * cors_list_add_allow_headers
 */

static void test_list_add_allow_headers(apr_pool_t *p)
{
    static const char *const safelisted_tail =
        "Accept, Accept-Language, Content-Language, Content-Type, Range";
    cors_list *l;
    const char *err;

    l = cors_list_make(p);
    CHECK_NOERR(add_allow(l, p, "Content-Type|X-Requested-With"));
    CHECK_STREQ(l->value, "Content-Type, X-Requested-With");
    /* the safelisted names follow, those already listed not repeated */
    CHECK_STREQ(l->value_safelisted,
                "Content-Type, X-Requested-With, Accept, Accept-Language, "
                "Content-Language, Range");
    CHECK(cors_set_lookup(&l->names, "x-requested-with", 16)
          != NULL);
    CHECK(cors_set_lookup(&l->names, "content-type", 12)
          != NULL);
    CHECK(cors_set_lookup(&l->names, "X-Requested-With", 16)
          == NULL);
    CHECK(!l->any && !l->authorization);

    /* lines add up */
    l = cors_list_make(p);
    CHECK_NOERR(add_allow(l, p, "X-A"));
    CHECK_NOERR(add_allow(l, p, "x-b|X-C"));
    CHECK_STREQ(l->value, "X-A, x-b, X-C");
    CHECK_STREQ(l->value_safelisted,
                apr_pstrcat(p, "X-A, x-b, X-C, ", safelisted_tail, NULL));
    CHECK(cors_set_lookup(&l->names, "x-c", 3) != NULL);

    /* Authorization */
    l = cors_list_make(p);
    CHECK_NOERR(add_allow(l, p, "Authorization"));
    CHECK(l->authorization);
    CHECK(!l->any);
    CHECK_STREQ(l->value, "Authorization");

    l = cors_list_make(p);
    CHECK_NOERR(add_allow(l, p, "*"));
    CHECK(l->any);
    CHECK(!l->authorization);
    CHECK_STREQ(l->value, "*");

    l = cors_list_make(p);
    CHECK_NOERR(add_allow(l, p, "*|Authorization"));
    CHECK(l->any);
    CHECK(l->authorization);
    CHECK_STREQ(l->value, "*, Authorization");

    l = cors_list_make(p);
    CHECK_NOERR(add_allow(l, p, "*|authorization"));
    CHECK(l->any && l->authorization);

    /* odd-looking but allowed names */
    l = cors_list_make(p);
    CHECK_NOERR(add_allow(l, p, "X-Sec-Foo|X-Proxy-Foo|X-Access-Control-Foo"
                          "|Accept|Content-Type|X-Custom.Dotted|a!#$%&'*+-.^_`~"));

    /* forbidden names (K15, K16) and non-tokens: errors naming the value */
    {
        static const char *const bad[] = {
            "Cookie", "cookie", "COOKIE", "Host", "Content-Length", "Sec-Foo",
            "sec-fetch-mode", "Proxy-Foo", "proxy-authorization",
            "Access-Control-Allow-Origin", "access-control-request-method",
            "Origin", "Accept-Charset", "Accept-Encoding", "Connection",
            "Cookie2", "Date", "DNT", "Expect", "Keep-Alive", "Referer",
            "Set-Cookie", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
            "Via", "X Foo", "a,b", "x@y", "x:y", "\"x\"", "X-\xc3\xa9",
        };
        size_t i;
        for (i = 0; i < N_ELEMS(bad); i++) {
            l = cors_list_make(p);
            err = add_allow(l, p, bad[i]);
            if (CHECK_ERRM(err, bad[i])) {
                CHECK_STRSTRM(err, bad[i], bad[i]);
            }
            /* also when after a good name */
            l = cors_list_make(p);
            err = add_allow(l, p, apr_pstrcat(p, "X-Good|", bad[i], NULL));
            CHECK_ERRM(err, bad[i]);
        }
        l = cors_list_make(p);
        CHECK_ERRM(add_allow(l, p, ""), "(empty argument)");
    }
}

/* ------------------------------------------------------------------------
 * cors_list_add_expose_headers
 */

static void test_list_add_expose_headers(apr_pool_t *p)
{
    cors_list *l;
    const char *err;

    l = cors_list_make(p);
    CHECK_NOERR(add_expose(l, p, "X-Total-Count|X-Request-Id"));
    CHECK_STREQ(l->value, "X-Total-Count, X-Request-Id");
    CHECK(!l->any);

    l = cors_list_make(p);
    CHECK_NOERR(add_expose(l, p, "X-A"));
    CHECK_NOERR(add_expose(l, p, "X-B"));
    CHECK_STREQ(l->value, "X-A, X-B");

    l = cors_list_make(p);
    CHECK_NOERR(add_expose(l, p, "Content-Type|Content-Length|ETag"));
    CHECK_STREQ(l->value, "Content-Type, Content-Length, ETag");

    l = cors_list_make(p);
    CHECK_NOERR(add_expose(l, p, "*"));
    CHECK(l->any);
    CHECK_STREQ(l->value, "*");

    {
        static const struct { const char *argv, *named; } bad[] = {
            { "Set-Cookie", "Set-Cookie" },
            { "set-cookie", "set-cookie" },
            { "Set-Cookie2", "Set-Cookie2" },
            { "Access-Control-Allow-Origin", "Access-Control-Allow-Origin" },
            { "X-A|access-control-expose-headers",
              "access-control-expose-headers" },
            { "*|X-A", "*" },
            { "X-A|*", "*" },
            { "X A", "X A" },
            { "a,b", "a,b" },
        };
        size_t i;
        for (i = 0; i < N_ELEMS(bad); i++) {
            l = cors_list_make(p);
            err = add_expose(l, p, bad[i].argv);
            if (CHECK_ERRM(err, bad[i].argv)) {
                CHECK_STRSTRM(err, bad[i].named, bad[i].argv);
            }
        }
    }
    /* "*" must stand alone across lines */
    l = cors_list_make(p);
    CHECK_NOERR(add_expose(l, p, "X-A"));
    CHECK_ERR(add_expose(l, p, "*"));
}

/* ------------------------------------------------------------------------
 * cors_method_allowed
 */

static void test_method_allowed(apr_pool_t *p)
{
    const char *w;
    cors_list *l, *any, *empty, *lower;
    size_t i;

    /* no CORSAllowMethods */
    {
        static const struct { const char *m; int ok; } c[] = {
            { "GET", 1 }, { "HEAD", 1 }, { "POST", 1 },
            { "get", 0 }, { "Post", 0 }, { "PUT", 0 }, { "OPTIONS", 0 },
            { "DELETE", 0 }, { "", 0 }, { " GET", 0 }, { "GET ", 0 },
            { "GET, POST", 0 },
        };
        empty = cors_list_make(p);
        for (i = 0; i < N_ELEMS(c); i++) {
            CHECK_INTEQM(cors_method_allowed(NULL, 0, c[i].m), c[i].ok,
                         apr_psprintf(p, "NULL list, '%s'", c[i].m));
            CHECK_INTEQM(cors_method_allowed(NULL, 1, c[i].m), c[i].ok,
                         apr_psprintf(p, "NULL list creds, '%s'", c[i].m));
            CHECK_INTEQM(cors_method_allowed(empty, 0, c[i].m), c[i].ok,
                         apr_psprintf(p, "empty list, '%s'", c[i].m));
        }
    }

    /* P1: GET POST PUT DELETE PATCH */
    l = cors_list_make(p);
    CHECK_NOERR(add_methods(l, p, "GET|POST|PUT|DELETE|PATCH", &w));
    {
        static const struct { const char *m; int ok; } c[] = {
            { "GET", 1 }, { "HEAD", 1 }, { "POST", 1 }, { "PUT", 1 },
            { "DELETE", 1 }, { "PATCH", 1 },
            { "put", 0 }, { "Put", 0 }, { "patch", 0 }, { "delete", 0 },
            { "PURGE", 0 }, { "CONNECT", 0 }, { "TRACE", 0 },
            { "GET, DELETE", 0 }, { "PUT, DELETE", 0 }, { "GET,DELETE", 0 },
            { "", 0 }, { " PUT", 0 }, { "PUT ", 0 }, { "PU T", 0 },
            { "PUTX", 0 }, { "PU", 0 }, { "\tPUT", 0 },
        };
        for (i = 0; i < N_ELEMS(c); i++) {
            CHECK_INTEQM(cors_method_allowed(l, 0, c[i].m), c[i].ok,
                         apr_psprintf(p, "P1, '%s'", c[i].m));
            CHECK_INTEQM(cors_method_allowed(l, 1, c[i].m), c[i].ok,
                         apr_psprintf(p, "P1 creds, '%s'", c[i].m));
        }
    }

    /* P10: lowercase patch kept byte-exact (C10, C11) */
    lower = cors_list_make(p);
    CHECK_NOERR(add_methods(lower, p, "patch", &w));
    CHECK(cors_method_allowed(lower, 0, "patch"));
    CHECK(!cors_method_allowed(lower, 0, "PATCH"));
    CHECK(cors_method_allowed(lower, 0, "GET"));

    /* normalized config: "delete" means DELETE */
    l = cors_list_make(p);
    CHECK_NOERR(add_methods(l, p, "delete|put", &w));
    CHECK(cors_method_allowed(l, 0, "DELETE"));
    CHECK(cors_method_allowed(l, 0, "PUT"));
    CHECK(!cors_method_allowed(l, 0, "delete"));

    /* "*": any token without credentials only */
    any = cors_list_make(p);
    CHECK_NOERR(add_methods(any, p, "*", &w));
    {
        static const struct { const char *m; int ok0, ok1; } c[] = {
            { "GET", 1, 1 }, { "HEAD", 1, 1 }, { "POST", 1, 1 },
            { "PUT", 1, 0 }, { "DELETE", 1, 0 }, { "PURGE", 1, 0 },
            { "put", 1, 0 }, { "patch", 1, 0 }, { "X-Custom.M", 1, 0 },
            { "GET, DELETE", 0, 0 }, { "", 0, 0 }, { " PUT", 0, 0 },
            { "PUT ", 0, 0 }, { "a b", 0, 0 }, { "x@y", 0, 0 },
        };
        for (i = 0; i < N_ELEMS(c); i++) {
            CHECK_INTEQM(cors_method_allowed(any, 0, c[i].m), c[i].ok0,
                         apr_psprintf(p, "*, '%s'", c[i].m));
            CHECK_INTEQM(cors_method_allowed(any, 1, c[i].m), c[i].ok1,
                         apr_psprintf(p, "* creds, '%s'", c[i].m));
        }
    }
}

/* ------------------------------------------------------------------------
 * cors_is_token
 */

static void test_is_token(apr_pool_t *p)
{
    static const struct { const char *s; int ok; } c[] = {
        { "GET", 1 }, { "x-foo", 1 }, { "X-Custom.Dotted", 1 },
        { "!#$%&'*+-.^_`|~", 1 }, { "a", 1 }, { "*", 1 }, { "0", 1 },
        { "", 0 }, { " ", 0 }, { "a b", 0 }, { "a\tb", 0 }, { "x@y", 0 },
        { "a,b", 0 }, { "a;b", 0 }, { "a:b", 0 }, { "\"a\"", 0 },
        { "a/b", 0 }, { "a(b)", 0 }, { "a[b]", 0 }, { "a{b}", 0 },
        { "a=b", 0 }, { "a?b", 0 }, { "a\\b", 0 }, { "a<b>", 0 },
        { "\xc3\xa9", 0 }, { "a\x01", 0 }, { "a\x7f", 0 }, { " a", 0 },
        { "a ", 0 },
    };
    size_t i;
    for (i = 0; i < N_ELEMS(c); i++) {
        CHECK_INTEQM(!!cors_is_token(c[i].s), c[i].ok,
                     apr_psprintf(p, "'%s'", c[i].s));
    }
}

/* ------------------------------------------------------------------------
 * cors_request_headers_check
 */

struct acrh_case {
    const char *acrh;
    cors_acrh_result expect;
    int safelisted;         /* expected *safelisted; -1: not checked */
    const char *bad;        /* expected bad copy; NULL: not checked */
};

static void run_acrh(const cors_list *l, int creds, const char *lname,
                     const struct acrh_case *c, size_t n, apr_pool_t *p)
{
    size_t i;
    for (i = 0; i < n; i++) {
        const char *bad = NULL;
        size_t badlen = 0;
        int sl = 0;
        cors_acrh_result r;
        const char *ctx = apr_psprintf(p, "%s%s, ACRH '%s'", lname,
                                       creds ? " creds" : "",
                                       show(c[i].acrh));
        r = cors_request_headers_check(l, creds, c[i].acrh, &sl, &bad,
                                       &badlen);
        if (!CHECK_STREQM(acrh_name(r), acrh_name(c[i].expect), ctx)) {
            continue;
        }
        if (c[i].safelisted >= 0) {
            CHECK_INTEQM(!!sl, c[i].safelisted, ctx);
        }
        if (c[i].bad) {
            CHECK_STREQM(bad ? apr_pstrmemdup(p, bad, badlen) : NULL,
                         c[i].bad, ctx);
        }
    }
}

static void test_acrh_basic(apr_pool_t *p)
{
    cors_list *p1 = cors_list_make(p);
    cors_list *empty = cors_list_make(p);

    /* P1: Content-Type, X-Requested-With */
    CHECK_NOERR(add_allow(p1, p, "Content-Type|X-Requested-With"));
    {
        static const struct acrh_case c[] = {
            { NULL, CORS_ACRH_OK, 0, NULL },
            { "", CORS_ACRH_OK, 0, NULL },
            { " ", CORS_ACRH_OK, 0, NULL },
            { ",", CORS_ACRH_OK, 0, NULL },
            { " , ,\t,", CORS_ACRH_OK, 0, NULL },
            /* D01 canonical */
            { "content-type,x-requested-with", CORS_ACRH_OK, 0, NULL },
            { "x-requested-with", CORS_ACRH_OK, 0, NULL },
            /* D02 unsorted */
            { "x-requested-with,content-type", CORS_ACRH_OK, 0, NULL },
            /* D03 uppercase */
            { "Content-Type", CORS_ACRH_OK, 0, NULL },
            { "X-REQUESTED-WITH,CONTENT-TYPE", CORS_ACRH_OK, 0, NULL },
            /* D04 OWS */
            { "content-type , x-requested-with", CORS_ACRH_OK, 0, NULL },
            { "\tcontent-type\t,\tx-requested-with\t", CORS_ACRH_OK, 0,
              NULL },
            { "  content-type  ,  x-requested-with  ", CORS_ACRH_OK, 0,
              NULL },
            /* D05 empty elements, D06 17 trailing commas */
            { ",content-type,,x-requested-with,", CORS_ACRH_OK, 0, NULL },
            { "content-type,,,,,,,,,,,,,,,,,", CORS_ACRH_OK, 0, NULL },
            /* D08 two lines merged by httpd */
            { "content-type, x-requested-with", CORS_ACRH_OK, 0, NULL },
            /* D09 duplicates */
            { "content-type,content-type", CORS_ACRH_OK, 0, NULL },
            { "x-requested-with,X-Requested-With", CORS_ACRH_OK, 0, NULL },
            /* safelisted but not listed: OK, *safelisted set */
            { "accept", CORS_ACRH_OK, 1, NULL },
            { "Accept-Language", CORS_ACRH_OK, 1, NULL },
            { "content-language", CORS_ACRH_OK, 1, NULL },
            { "range", CORS_ACRH_OK, 1, NULL },
            { "accept,content-type,x-requested-with", CORS_ACRH_OK, 1, NULL },
            { "x-requested-with, RANGE", CORS_ACRH_OK, 1, NULL },
            /* DENIED, bad name copied */
            { "x-secret", CORS_ACRH_DENIED, -1, "x-secret" },
            { "content-type,x-secret", CORS_ACRH_DENIED, -1, "x-secret" },
            { "content-type, x-secret ,x-requested-with", CORS_ACRH_DENIED,
              -1, "x-secret" },
            { "X-Secret", CORS_ACRH_DENIED, -1, "X-Secret" },
            { "authorization", CORS_ACRH_DENIED, -1, "authorization" },
            { "cookie", CORS_ACRH_DENIED, -1, "cookie" },
            { "content-typ", CORS_ACRH_DENIED, -1, "content-typ" },
            { "content-typex", CORS_ACRH_DENIED, -1, "content-typex" },
            { "accept-", CORS_ACRH_DENIED, -1, "accept-" },
            /* D14: a dotted token is a token, just not allowed */
            { "content.type", CORS_ACRH_DENIED, -1, "content.type" },
            /* MALFORMED: not a token */
            { "a b", CORS_ACRH_MALFORMED, -1, "a b" },
            { "x@y", CORS_ACRH_MALFORMED, -1, "x@y" },
            { "content-type,x@y", CORS_ACRH_MALFORMED, -1, "x@y" },
            { "content-type;q=1", CORS_ACRH_MALFORMED, -1, NULL },
            { "\"content-type\"", CORS_ACRH_MALFORMED, -1, NULL },
            { "x:y", CORS_ACRH_MALFORMED, -1, "x:y" },
            { "x-\xc3\xa9", CORS_ACRH_MALFORMED, -1, NULL },
            { "a\x01", CORS_ACRH_MALFORMED, -1, NULL },
            { "content-type\r\nx-foo", CORS_ACRH_MALFORMED, -1, NULL },
        };
        run_acrh(p1, 0, "P1", c, N_ELEMS(c), p);
        run_acrh(p1, 1, "P1", c, N_ELEMS(c), p);
    }

    /* No names configured at all: only the safelisted ones pass */
    {
        static const struct acrh_case c[] = {
            { NULL, CORS_ACRH_OK, 0, NULL },
            { "", CORS_ACRH_OK, 0, NULL },
            { "accept", CORS_ACRH_OK, 1, NULL },
            { "content-type", CORS_ACRH_OK, 1, NULL },
            { "accept,accept-language,content-language,content-type,range",
              CORS_ACRH_OK, 1, NULL },
            { "x-foo", CORS_ACRH_DENIED, -1, "x-foo" },
            { "content-type,x-foo", CORS_ACRH_DENIED, -1, "x-foo" },
            { "authorization", CORS_ACRH_DENIED, -1, "authorization" },
        };
        run_acrh(empty, 0, "empty", c, N_ELEMS(c), p);
    }

    /* D13: configured X-Requested-With, requested lowercase */
    {
        cors_list *l = cors_list_make(p);
        static const struct acrh_case c[] = {
            { "x-requested-with", CORS_ACRH_OK, 0, NULL },
            { "X-REQUESTED-WITH", CORS_ACRH_OK, 0, NULL },
            { "content-type", CORS_ACRH_OK, 1, NULL },
        };
        CHECK_NOERR(add_allow(l, p, "X-Requested-With"));
        run_acrh(l, 0, "X-Requested-With", c, N_ELEMS(c), p);
    }
}

static void test_acrh_wildcard(apr_pool_t *p)
{
    cors_list *star = cors_list_make(p);
    cors_list *star_auth = cors_list_make(p);
    cors_list *auth = cors_list_make(p);
    cors_list *p2 = cors_list_make(p);

    CHECK_NOERR(add_allow(star, p, "*"));
    CHECK_NOERR(add_allow(star_auth, p, "*|Authorization"));
    CHECK_NOERR(add_allow(auth, p, "Authorization"));
    CHECK_NOERR(add_allow(p2, p, "Authorization|Content-Type"));

    /* "*" without credentials: any name but Authorization (C16) */
    {
        static const struct acrh_case c[] = {
            { "x-foo", CORS_ACRH_OK, -1, NULL },
            { "x-foo,x-bar,x-baz", CORS_ACRH_OK, -1, NULL },
            { "content-type", CORS_ACRH_OK, 0, NULL },
            { "authorization", CORS_ACRH_DENIED, -1, "authorization" },
            { "x-foo, Authorization", CORS_ACRH_DENIED, -1,
              "Authorization" },
            { "x@y", CORS_ACRH_MALFORMED, -1, "x@y" },
        };
        run_acrh(star, 0, "*", c, N_ELEMS(c), p);
    }
    /* "*" with credentials is a literal name: only safelisted pass */
    {
        static const struct acrh_case c[] = {
            { "x-foo", CORS_ACRH_DENIED, -1, "x-foo" },
            { "authorization", CORS_ACRH_DENIED, -1, "authorization" },
            { "content-type", CORS_ACRH_OK, -1, NULL },
            { "", CORS_ACRH_OK, -1, NULL },
        };
        run_acrh(star, 1, "*", c, N_ELEMS(c), p);
    }
    /* "*, Authorization" (P7, B10) */
    {
        static const struct acrh_case c[] = {
            { "authorization", CORS_ACRH_OK, -1, NULL },
            { "authorization,x-foo", CORS_ACRH_OK, -1, NULL },
            { "Authorization, X-Foo", CORS_ACRH_OK, -1, NULL },
        };
        run_acrh(star_auth, 0, "*,Authorization", c, N_ELEMS(c), p);
    }
    {
        static const struct acrh_case c[] = {
            { "authorization", CORS_ACRH_OK, -1, NULL },
            { "x-foo", CORS_ACRH_DENIED, -1, "x-foo" },
        };
        run_acrh(star_auth, 1, "*,Authorization", c, N_ELEMS(c), p);
    }
    /* Authorization listed (B06, D15, F05) */
    {
        static const struct acrh_case c[] = {
            { "authorization", CORS_ACRH_OK, 0, NULL },
            { "AUTHORIZATION", CORS_ACRH_OK, 0, NULL },
            { "x-anything", CORS_ACRH_DENIED, -1, "x-anything" },
        };
        run_acrh(auth, 0, "Authorization", c, N_ELEMS(c), p);
        run_acrh(auth, 1, "Authorization", c, N_ELEMS(c), p);
    }
    {
        static const struct acrh_case c[] = {
            { "authorization, content-type", CORS_ACRH_OK, 0, NULL },
            { "authorization", CORS_ACRH_OK, 0, NULL },
            { "x-other", CORS_ACRH_DENIED, -1, "x-other" },
        };
        run_acrh(p2, 1, "P2", c, N_ELEMS(c), p);
    }
}

static void test_acrh_bounds(apr_pool_t *p)
{
    cors_list *star = cors_list_make(p);
    cors_list *p1 = cors_list_make(p);
    cors_list *many = cors_list_make(p);
    const char *bad;
    size_t badlen;
    int sl;
    int i;
    cors_acrh_result r;
    char *s;
    apr_size_t len;

    CHECK_NOERR(add_allow(star, p, "*"));
    CHECK_NOERR(add_allow(p1, p, "Content-Type|X-Requested-With"));

    /* 64 names OK, 65 TOO_LONG */
    {
        const char *n64 = "", *n65, *n64e = "";
        const char *argv = "";
        for (i = 0; i < 64; i++) {
            const char *name = apr_psprintf(p, "x-h%02d", i);
            n64 = i ? apr_pstrcat(p, n64, ",", name, NULL) : name;
            n64e = i ? apr_pstrcat(p, n64e, ", ,", name, NULL) : name;
            argv = i ? apr_pstrcat(p, argv, "|", name, NULL) : name;
        }
        n65 = apr_pstrcat(p, n64, ",x-h64", NULL);
        CHECK_NOERR(add_allow(many, p, argv));

        sl = 0;
        r = cors_request_headers_check(star, 0, n64, &sl, &bad, &badlen);
        CHECK_STREQM(acrh_name(r), "OK", "64 names, *");
        r = cors_request_headers_check(many, 0, n64, &sl, &bad, &badlen);
        CHECK_STREQM(acrh_name(r), "OK", "64 names, listed");
        r = cors_request_headers_check(many, 1, n64, &sl, &bad, &badlen);
        CHECK_STREQM(acrh_name(r), "OK", "64 names, listed, creds");
        r = cors_request_headers_check(star, 0, n64e, &sl, &bad, &badlen);
        CHECK_STREQM(acrh_name(r), "OK",
                     "64 names with empty elements between, *");
        r = cors_request_headers_check(star, 0, n65, &sl, &bad, &badlen);
        CHECK_STREQM(acrh_name(r), "TOO_LONG", "65 names, *");
        r = cors_request_headers_check(many, 0, n65, &sl, &bad, &badlen);
        CHECK_STREQM(acrh_name(r), "TOO_LONG", "65 names, 64 listed");
        /* 65 of the same allowed name: still 65 names */
        s = apr_pstrdup(p, "content-type");
        for (i = 1; i < 65; i++) {
            s = apr_pstrcat(p, s, ",content-type", NULL);
        }
        r = cors_request_headers_check(p1, 0, s, &sl, &bad, &badlen);
        CHECK_STREQM(acrh_name(r), "TOO_LONG", "65 x content-type");
    }

    /* 4096 bytes OK, 4097 TOO_LONG: 31 names of 128 bytes + 31 commas
     * (3999 bytes) and a last name of 97 or 98 bytes. */
    {
        int target;
        for (target = 4096; target <= 4097; target++) {
            char *buf = apr_palloc(p, target + 1);
            char *q = buf;
            int k;
            for (k = 0; k < 31; k++) {
                memset(q, 'a', 128);
                q[0] = 'x';
                q[1] = 'a' + k % 26;
                q[2] = 'a' + k / 26;
                q += 128;
                *q++ = ',';
            }
            memset(q, 'z', target - 3999);
            q += target - 3999;
            *q = '\0';
            len = strlen(buf);
            CHECK_INTEQ(len, target);
            r = cors_request_headers_check(star, 0, buf, &sl, &bad,
                                           &badlen);
            CHECK_STREQM(acrh_name(r), target == 4096 ? "OK" : "TOO_LONG",
                         apr_psprintf(p, "%d bytes, 32 names, *", target));
        }
    }

    /* one 4097-byte name */
    s = apr_palloc(p, 4098);
    memset(s, 'x', 4097);
    s[4097] = '\0';
    r = cors_request_headers_check(star, 0, s, &sl, &bad, &badlen);
    CHECK_STREQM(acrh_name(r), "TOO_LONG", "one 4097-byte name");
    /* 4097 bytes of padding around one allowed name */
    s = apr_palloc(p, 4098);
    memset(s, ',', 4097);
    memcpy(s + 100, "content-type", 12);
    s[4097] = '\0';
    r = cors_request_headers_check(p1, 0, s, &sl, &bad, &badlen);
    CHECK_STREQM(acrh_name(r), "TOO_LONG", "4097 bytes, mostly commas");

    /* D07: 1 MiB of commas, quickly */
    {
        const apr_size_t mib = 1024 * 1024;
        double t0, t;
        int iter, wrong = 0;
        s = apr_palloc(p, mib + 13);
        memcpy(s, "content-type", 12);
        memset(s + 12, ',', mib);
        s[mib + 12] = '\0';
        t0 = now_sec();
        for (iter = 0; iter < 100; iter++) {
            r = cors_request_headers_check(p1, 0, s, &sl, &bad, &badlen);
            if (r != CORS_ACRH_TOO_LONG) {
                wrong++;
            }
            r = cors_request_headers_check(p1, 0, s + 12, &sl, &bad,
                                           &badlen);
            if (r != CORS_ACRH_TOO_LONG) {
                wrong++;
            }
        }
        t = now_sec() - t0;
        CHECK_INTEQM(wrong, 0, "1 MiB of commas -> TOO_LONG");
        CHECKM(t < 0.5,
               apr_psprintf(p, "200 checks of 1 MiB took %.3f s", t));
    }

    /* D11: 300 distinct names under "*": too many names anyway */
    s = apr_pstrdup(p, "x-n0");
    for (i = 1; i < 300; i++) {
        s = apr_pstrcat(p, s, apr_psprintf(p, ",x-n%d", i), NULL);
    }
    r = cors_request_headers_check(star, 0, s, &sl, &bad, &badlen);
    CHECK_STREQM(acrh_name(r), "TOO_LONG", "300 names, *");
    /* D12: 300 names, first two allowed: never OK */
    s = apr_pstrcat(p, "content-type,x-requested-with,", s, NULL);
    r = cors_request_headers_check(p1, 0, s, &sl, &bad, &badlen);
    CHECKM(r != CORS_ACRH_OK, "D12: 302 names, first two allowed");

    /* bad points at the offending element inside the value */
    {
        const char *v = "content-type, x-secret-long ,x";
        r = cors_request_headers_check(p1, 0, v, &sl, &bad, &badlen);
        CHECK_STREQM(acrh_name(r), "DENIED", "bad element");
        CHECK(bad == v + 14);
        CHECK_INTEQ(badlen, 13);
        v = "content-type,a b c";
        r = cors_request_headers_check(p1, 0, v, &sl, &bad, &badlen);
        CHECK_STREQM(acrh_name(r), "MALFORMED", "bad element");
        CHECK(bad == v + 13);
        CHECK_INTEQ(badlen, 5);
    }
}

/* ------------------------------------------------------------------------
 * cors_list_has, cors_list_next: the comma-list tokenizer
 */

static void test_list_has(apr_pool_t *p)
{
    static const struct { const char *v, *tok; int ok; } c[] = {
        { "Origin", "Origin", 1 },
        { "origin", "Origin", 1 },
        { "ORIGIN", "origin", 1 },
        { "Accept-Encoding, origin", "Origin", 1 },
        { "Accept-Encoding,Origin", "Origin", 1 },
        { "Origin, Accept-Encoding", "Origin", 1 },
        { "Accept, Origin, Cookie", "Origin", 1 },
        { " Origin ", "Origin", 1 },
        { "\tOrigin\t,x", "Origin", 1 },
        { "Accept-Encoding ,  Origin  ", "Origin", 1 },
        { ",,Origin,,", "Origin", 1 },
        { "Originx", "Origin", 0 },
        { "X-Origin", "Origin", 0 },
        { "Origin-X, Accept", "Origin", 0 },
        { "Accept-Encoding", "Origin", 0 },
        { "Accept-Encoding, X-Origin, Originx", "Origin", 0 },
        { "Ori gin", "Origin", 0 },
        { "Orig", "Origin", 0 },
        { "", "Origin", 0 },
        { ",", "Origin", 0 },
        { "Origin, Access-Control-Request-Method",
          "Access-Control-Request-Method", 1 },
        { "Origin, Access-Control-Request-Method",
          "Access-Control-Request-Headers", 0 },
        { "Access-Control-Request-Method-X",
          "Access-Control-Request-Method", 0 },
    };
    size_t i;

    for (i = 0; i < N_ELEMS(c); i++) {
        CHECK_INTEQM(!!cors_list_has(c[i].v, c[i].tok, strlen(c[i].tok)),
                     c[i].ok, apr_psprintf(p, "Vary '%s' has '%s'", c[i].v,
                                           c[i].tok));
    }
    CHECK(!cors_list_has(NULL, "Origin", 6));
    /* a length shorter than the name: only that prefix counts */
    CHECK(cors_list_has("Orig, x", "Origin", 4));
}

static void test_list_next(apr_pool_t *p)
{
    const char *cursor = " a ,, b\t,c d ,", *e;
    const char *want[] = { "a", "b", "c d" };
    size_t n, i = 0;

    while ((e = cors_list_next(&cursor, &n)) != NULL && i < N_ELEMS(want)) {
        CHECK_STREQ(apr_pstrmemdup(p, e, n), want[i]);
        i++;
    }
    CHECK(e == NULL);
    CHECK_INTEQ(i, N_ELEMS(want));
    cursor = "";
    CHECK(cors_list_next(&cursor, &n) == NULL);
    cursor = " , ,\t";
    CHECK(cors_list_next(&cursor, &n) == NULL);
    /* the safelisted names, one source: five names, each a token */
    cursor = cors_safelisted_headers;
    i = 0;
    while ((e = cors_list_next(&cursor, &n)) != NULL) {
        const char *name = apr_pstrmemdup(p, e, n), *bad;
        size_t badlen;
        int safelisted;
        CHECK(cors_is_token(name));
        /* ... and each is one the request side takes as safelisted */
        CHECK_INTEQM(cors_request_headers_check(NULL, 0, name, &safelisted,
                                                &bad, &badlen),
                     CORS_ACRH_OK, name);
        CHECKM(safelisted, name);
        i++;
    }
    CHECK_INTEQ(i, 5);
    /* ... and a list naming none of them answers with all of them, in
     * that order and spelling */
    {
        cors_list *l = cors_list_make(p);
        CHECK_NOERR(add_allow(l, p, "X-A"));
        CHECK_STREQ(l->value_safelisted,
                    apr_pstrcat(p, "X-A, ", cors_safelisted_headers, NULL));
    }
}

/* ------------------------------------------------------------------------
 * Driver
 */

/* Names are compared in place in any case; a set past CORS_SET_LINEAR_MAX
 * names is searched by a lowercase copy through its hash: both must give
 * the same answers, and a name that no set holds is still checked for
 * being a token and for being safelisted. */
static void test_acrh_any_case(apr_pool_t *p)
{
    cors_list *small = cors_list_make(p);
    cors_list *big = cors_list_make(p);
    cors_list *star = cors_list_make(p);
    const char *argv = "X-Request-ID|Content-Type";
    int i;

    for (i = 0; i < 2 * CORS_SET_LINEAR_MAX; i++) {
        argv = apr_psprintf(p, "%s|X-Extra-%d", argv, i);
    }
    CHECK_NOERR(add_allow(small, p, "X-Request-ID|Content-Type"));
    CHECK_NOERR(add_allow(big, p, argv));
    CHECK_NOERR(add_allow(star, p, "*"));
    CHECK(big->names.index != NULL);
    CHECK(small->names.index == NULL);
    {
        static const struct acrh_case c[] = {
            { "x-request-id", CORS_ACRH_OK, 0, NULL },
            { "X-REQUEST-ID", CORS_ACRH_OK, 0, NULL },
            { "x-Request-Id,CONTENT-type", CORS_ACRH_OK, 0, NULL },
            /* one byte off, each place */
            { "y-request-id", CORS_ACRH_DENIED, 0, "y-request-id" },
            { "x-request-ie", CORS_ACRH_DENIED, 0, "x-request-ie" },
            { "x-request-i", CORS_ACRH_DENIED, 0, "x-request-i" },
            { "x-request-idd", CORS_ACRH_DENIED, 0, "x-request-idd" },
            /* not a token, whatever it resembles */
            { "x-request-id,x request-id", CORS_ACRH_MALFORMED, 0,
              "x request-id" },
            { "x-request-\x7f" "d", CORS_ACRH_MALFORMED, 0, NULL },
            { "x-request-\xc9" "d", CORS_ACRH_MALFORMED, 0, NULL },
            /* safelisted in any case: allowed, and the answer names it */
            { "ACCEPT-LANGUAGE", CORS_ACRH_OK, 1, NULL },
            { "Range,x-request-id", CORS_ACRH_OK, 1, NULL },
            { "rangE", CORS_ACRH_OK, 1, NULL },
            { "ranges", CORS_ACRH_DENIED, 0, "ranges" },
        };
        run_acrh(small, 0, "small", c, N_ELEMS(c), p);
        run_acrh(big, 0, "big", c, N_ELEMS(c), p);
        run_acrh(big, 1, "big", c, N_ELEMS(c), p);
    }
    {
        static const struct acrh_case c[] = {
            { "x-extra-0,X-EXTRA-47,x-extra-23", CORS_ACRH_OK, 0, NULL },
            { "x-extra-48", CORS_ACRH_DENIED, 0, "x-extra-48" },
        };
        run_acrh(big, 0, "big", c, N_ELEMS(c), p);
    }
    {
        /* names too long for the lowercase copy are compared one by one:
         * 127, 128 and 300 bytes, listed in a large set */
        static const size_t lens[] = { 127, 128, 300 };
        cors_list *lng = cors_list_make(p);
        const char *names = argv;
        size_t k;
        for (k = 0; k < N_ELEMS(lens); k++) {
            char *name = apr_palloc(p, lens[k] + 1);
            memset(name, 'N', lens[k]);
            name[lens[k]] = '\0';
            names = apr_pstrcat(p, names, "|", name, NULL);
        }
        CHECK_NOERR(add_allow(lng, p, names));
        CHECK(lng->names.index != NULL);
        for (k = 0; k < N_ELEMS(lens); k++) {
            char *name = apr_palloc(p, lens[k] + 2);
            const char *bad = NULL;
            size_t badlen = 0;
            int sl = 0;
            memset(name, 'n', lens[k]);
            name[lens[k]] = '\0';
            CHECK_INTEQ(cors_request_headers_check(lng, 0, name, &sl, &bad,
                                                   &badlen), CORS_ACRH_OK);
            name[0] = 'N';
            CHECK_INTEQ(cors_request_headers_check(lng, 0, name, &sl, &bad,
                                                   &badlen), CORS_ACRH_OK);
            name[lens[k]] = 'x';
            name[lens[k] + 1] = '\0';
            CHECK_INTEQ(cors_request_headers_check(lng, 0, name, &sl, &bad,
                                                   &badlen), CORS_ACRH_DENIED);
        }
    }
    {
        /* "*" lets in any name but Authorization, in any case */
        static const struct acrh_case c[] = {
            { "x-anything,X-OTHER", CORS_ACRH_OK, 0, NULL },
            { "AUTHORIZATION", CORS_ACRH_DENIED, 0, "AUTHORIZATION" },
            { "Authorization", CORS_ACRH_DENIED, 0, "Authorization" },
            { "authorizatio", CORS_ACRH_OK, 0, NULL },
            { "authorizations", CORS_ACRH_OK, 0, NULL },
        };
        run_acrh(star, 0, "*", c, N_ELEMS(c), p);
    }
}

static void test_is_protocol_header(apr_pool_t *p)
{
    (void)p;
    CHECK(cors_is_protocol_header("Access-Control-Allow-Origin"));
    CHECK(cors_is_protocol_header("ACCESS-CONTROL-MAX-AGE"));
    CHECK(cors_is_protocol_header("access-control-x"));
    CHECK(cors_is_protocol_header("Access-Control-"));
    CHECK(!cors_is_protocol_header("Access-Control"));
    CHECK(!cors_is_protocol_header("Access-Controls-X"));
    CHECK(!cors_is_protocol_header("Accept-Ranges"));
    CHECK(!cors_is_protocol_header("X-Access-Control-Allow-Origin"));
    CHECK(!cors_is_protocol_header(""));
}

/* Hosts no DNS name can have: a name over 253 characters, a label over
 * 63, a pattern under which no name fits, an xn-- label that is not
 * Punycode of an international name.  Refused whichever path reads them
 * (a value already in browser form is kept without the parser). */
static void test_impossible_hosts(apr_pool_t *p)
{
    static const char *const good[] = {
        "https://xn--mnchen-3ya.example", "https://xn--fiqs8s.example",
        "https://www.xn--p1ai", "https://*.xn--bcher-kva.example",
        "https://XN--Mnchen-3ya.example",
    };
    static const struct { const char *value; const char *want; } bad[] = {
        { "https://xn--zz.example", "not valid Punycode" },
        { "https://xn--.example", "not valid Punycode" },
        { "https://xn--abc-.example", "not valid Punycode" },
        { "https://a.xn--9999999999999.example", "not valid Punycode" },
        { "https://*.xn--zz.example", "not valid Punycode" },
        { "https://xn--zz.example:8443", "not valid Punycode" },
    };
    char host[300], value[400];
    size_t i;

    for (i = 0; i < N_ELEMS(good); i++) {
        cors_origins *set = cors_origins_make(p);
        CHECK_NOERRM(cors_origins_add(set, p, good[i]), good[i]);
    }
    for (i = 0; i < N_ELEMS(bad); i++) {
        cors_origins *set = cors_origins_make(p);
        const char *err = cors_origins_add(set, p, bad[i].value);
        CHECKM(err && strstr(err, bad[i].want), bad[i].value);
    }
    /* a host of 251 characters under "*.": the longest pattern with room
     * for one label and its dot; one more and nothing fits */
    memset(host, 'a', sizeof(host));
    apr_snprintf(value, sizeof(value), "https://*.%.*s.%.*s.%.*s.%.*s.com",
                 62, host, 62, host, 62, host, 58, host);
    {
        cors_origins *set = cors_origins_make(p);
        CHECK_NOERRM(cors_origins_add(set, p, value), "251-byte pattern host");
    }
    apr_snprintf(value, sizeof(value), "https://*.%.*s.%.*s.%.*s.%.*s.com",
                 62, host, 62, host, 62, host, 59, host);
    {
        cors_origins *set = cors_origins_make(p);
        const char *err = cors_origins_add(set, p, value);
        CHECKM(err && strstr(err, "no host under"), "252-byte pattern host");
    }
    apr_snprintf(value, sizeof(value), "https://%.*s.%.*s.%.*s.%.*s.com", 62,
                 host, 62, host, 62, host, 61, host);
    {
        cors_origins *set = cors_origins_make(p);
        const char *err = cors_origins_add(set, p, value);
        CHECKM(err && strstr(err, "over 253"), "254-byte host");
    }
}

static const check_test tests[] = {
    { "origin_normalize_ok", test_origin_normalize_ok },
    { "impossible_hosts", test_impossible_hosts },
    { "origin_normalize_errors", test_origin_normalize_errors },
    { "origins_add_flags", test_origins_add_flags },
    { "origin_is_valid", test_origin_is_valid },
    { "origins_match", test_origins_match },
    { "origins_verdict", test_origins_listed },
    { "origins_match_many", test_origins_match_many },
    { "patterns_by_suffix_length", test_patterns_by_suffix_length },
    { "origins_vectors_E", test_origins_vectors_E },
    { "list_add_methods", test_list_add_methods },
    { "list_add_allow_headers", test_list_add_allow_headers },
    { "list_add_expose_headers", test_list_add_expose_headers },
    { "method_allowed", test_method_allowed },
    { "is_token", test_is_token },
    { "acrh_basic", test_acrh_basic },
    { "acrh_wildcard", test_acrh_wildcard },
    { "acrh_bounds", test_acrh_bounds },
    { "acrh_any_case", test_acrh_any_case },
    { "is_protocol_header", test_is_protocol_header },
    { "list_has", test_list_has },
    { "list_next", test_list_next },
};

int main(int argc, char **argv)
{
    return check_main(tests, N_ELEMS(tests), argc, argv);
}
