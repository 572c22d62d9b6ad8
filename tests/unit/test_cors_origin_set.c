/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_cors_origin_set.c -- unit tests of matching request origins against a
 * configured set (cors_origin_set.h): listed origins, patterns, many
 * entries, the Exx vectors.
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
#include "logic_helpers.h"

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

static const check_test tests[] = {
    { "origins_match", test_origins_match },
    { "origins_verdict", test_origins_listed },
    { "origins_match_many", test_origins_match_many },
    { "patterns_by_suffix_length", test_patterns_by_suffix_length },
    { "origins_vectors_E", test_origins_vectors_E },
};

int main(int argc, char **argv)
{
    return check_main(tests, N_ELEMS(tests), argc, argv);
}
