/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_cors_origin.c -- unit tests of parsing and checking configured and
 * request origins (cors_origin.h, cors_origin_set.h): normalization, its
 * errors, the flags of a configured origin, validity, impossible hosts.
 *
 * Run by `make test-unit`; the output ends with one line "N passed, N
 * failed" (see check.h).  Expectations follow docs/contract.md and
 * docs/requests.md; vectors marked Exx/Kxx are those of
 * docs/test-vectors.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apr_general.h"
#include "apr_pools.h"
#include "apr_strings.h"
#include "apr_tables.h"

#include "cors_logic.h"

#include "check.h"

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
};

int main(int argc, char **argv)
{
    return check_main(tests, N_ELEMS(tests), argc, argv);
}
