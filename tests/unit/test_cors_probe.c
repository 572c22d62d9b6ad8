/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_cors_probe.c -- unit tests of cors_probe.c (see cors_probe.h).
 *
 * Built and run by `make test-unit` (or `make unit-probe`).  The regex engine is PCRE2, which
 * httpd 2.4 on Debian uses behind ap_regex, called the way mod_cors
 * calls it: the regex compiled as ^(?:regex)$.  Each table row says
 * whether the regex must be refused and with which attacker origin, and
 * which legitimate origins it allows (those must match it and must not
 * be in its attacker set).  The output ends with exactly one line
 * "N passed, N failed" (numbers of checks); exit status 1 if any failed.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <stdio.h>
#include <string.h>

#include <pcre2.h>

#include "apr_general.h"
#include "apr_hash.h"
#include "apr_pools.h"
#include "apr_strings.h"
#include "apr_tables.h"

#include "cors_probe.h"

#include "check.h"

/* A check about one regex: the failure names the regex and the detail. */
static int check_probe(int ok, const char *regex, const char *what,
                       const char *detail, int line)
{
    char ctx[512];

    apr_snprintf(ctx, sizeof(ctx), "regex '%s'%s%s", regex,
                 detail ? ": " : "", detail ? detail : "");
    return check_true(ok, what, __FILE__, line, ctx);
}

#define CHECK_PROBE(ok, regex, what, detail) \
    check_probe((ok), (regex), (what), (detail), __LINE__)

/* ------------------------------------------------------------------------
 * The matcher: PCRE2, anchored as mod_cors anchors CORSAllowOriginMatch
 */

static pcre2_code *compile_anchored(const char *regex)
{
    char buf[4096];
    int err;
    PCRE2_SIZE off;

    snprintf(buf, sizeof(buf), "^(?:%s)$", regex);
    return pcre2_compile((PCRE2_SPTR)buf, PCRE2_ZERO_TERMINATED, 0, &err,
                         &off, NULL);
}

static int pcre2_matches(const void *data, const char *origin)
{
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    int rc = pcre2_match((pcre2_code *)data, (PCRE2_SPTR)origin,
                         PCRE2_ZERO_TERMINATED, 0, 0, md, NULL);

    pcre2_match_data_free(md);
    return rc >= 0;
}

/* ------------------------------------------------------------------------
 * The table
 */

#define PASSES (-1)

typedef struct {
    const char *regex;
    int kind;                   /* the cors_probe_kind of the first match,
                                 * or PASSES */
    const char *first;          /* the first attacker origin it matches */
    const char *legit[4];       /* origins it is meant for */
} probe_case;

static const probe_case cases[] = {
    /* Refused: each with the attacker origin a scanner would find. */
    { ".*", CORS_PROBE_UNRELATED, "https://evil.example", { NULL } },
    { "https://.*", CORS_PROBE_UNRELATED, "https://evil.example", { NULL } },
    { "https://.+", CORS_PROBE_UNRELATED, "https://evil.example", { NULL } },
    { "(?i)https://.*", CORS_PROBE_UNRELATED, "https://evil.example",
      { NULL } },
    { "https://.*example\\.com", CORS_PROBE_PREFIX,
      "https://evilexample.com", { "https://app.example.com" } },
    { "https://[a-z]+example\\.com", CORS_PROBE_PREFIX,
      "https://evilexample.com", { "https://wwwexample.com" } },
    { "https://(.*\\.)?example\\.com.*", CORS_PROBE_OTHER_SITE,
      "https://example.com.evil.example",
      { "https://example.com", "https://a.example.com" } },
    { "https://(.*)?\\.example\\.com.*", CORS_PROBE_OTHER_SITE,
      "https://evil.example.com.evil.example", { "https://a.example.com" } },
    { "https://app\\.example\\.com.*", CORS_PROBE_OTHER_SITE,
      "https://app.example.com.evil.example", { "https://app.example.com" } },
    { "https://example\\.com(\\..*)?", CORS_PROBE_OTHER_SITE,
      "https://example.com.evil.example", { "https://example.com" } },
    /* github.io is a public suffix (the list's private section): another
     * name under it is another site. */
    { "https://.*app\\.github\\.io", CORS_PROBE_PREFIX,
      "https://evilapp.github.io", { "https://app.github.io" } },
    { "https://app\\.example\\.[a-z]+", CORS_PROBE_SUFFIX,
      "https://app.example.evil", { "https://app.example.com" } },
    { "https://app.example.com", CORS_PROBE_DOT, "https://appxexample.com",
      { "https://app.example.com" } },
    { "^https://app.example.com$", CORS_PROBE_DOT,
      "https://appxexample.com", { "https://app.example.com" } },
    { "https://api\\.example.com", CORS_PROBE_DOT,
      "https://api.examplexcom", { "https://api.example.com" } },
    { ".*://app\\.example\\.com", CORS_PROBE_PLAIN_HTTP,
      "http://app.example.com", { "https://app.example.com" } },
    { "[a-z]+://app\\.example\\.com", CORS_PROBE_PLAIN_HTTP,
      "http://app.example.com", { "https://app.example.com" } },
    { "https://(app|www)\\.example\\.com|.*", CORS_PROBE_UNRELATED,
      "https://evil.example", { "https://www.example.com" } },
    { "https://[a-z]+\\.example\\.com|null", CORS_PROBE_NULL, "null",
      { "https://a.example.com" } },
    { "https://x\\.example\\.com|https://evil.*", CORS_PROBE_UNRELATED,
      "https://evil.example", { "https://x.example.com" } },

    /* Allowed: they name their sites and nothing else. */
    { "https://[a-z0-9-]+\\.example\\.com", PASSES, NULL,
      { "https://x.example.com", "https://app-1.example.com" } },
    { "https://app\\.example\\.com", PASSES, NULL,
      { "https://app.example.com" } },
    { "https://(app|www)\\.example\\.com", PASSES, NULL,
      { "https://app.example.com", "https://www.example.com" } },
    { "https://[a-z]+\\.example\\.com:8443", PASSES, NULL,
      { "https://app.example.com:8443" } },
    { "^https://[a-z]+\\.example\\.com$", PASSES, NULL,
      { "https://app.example.com" } },
    { "https://.*\\.example\\.com", PASSES, NULL,
      { "https://a.b.example.com" } },
    { "https://[a-z]+\\.example\\.com(:[0-9]+)?", PASSES, NULL,
      { "https://a.example.com", "https://a.example.com:8443" } },
    { "https://(app|admin)-[0-9]+\\.review\\.example\\.com", PASSES, NULL,
      { "https://app-12.review.example.com" } },
    { "https://[a-z]+\\.example\\.com|https://other\\.test", PASSES, NULL,
      { "https://other.test", "https://a.example.com" } },
    { "https://(?<tenant>[a-z]+)\\.example\\.com", PASSES, NULL,
      { "https://acme.example.com" } },
    { "^https://([a-z0-9]+[.])*example[.]com$", PASSES, NULL,
      { "https://example.com", "https://a.b.example.com" } },
    { "https://[^.]+\\.example\\.com", PASSES, NULL,
      { "https://a.example.com" } },
    { "https://\\w+\\.example\\.com", PASSES, NULL,
      { "https://a_b.example.com" } },
    { "https://[a-z]+\\.example\\.co\\.uk", PASSES, NULL,
      { "https://shop.example.co.uk" } },
    /* Names evilexample.com itself: its prefix probe is not an attack. */
    { "https://example\\.com|https://evilexample\\.com", PASSES, NULL,
      { "https://evilexample.com", "https://example.com" } },
    /* A '.' that stays inside the domain it names lets nobody else in. */
    { "https://a.b\\.example\\.com", PASSES, NULL,
      { "https://a.b.example.com", "https://axb.example.com" } },
    { "(?i)https://app\\.example\\.com", PASSES, NULL,
      { "https://app.example.com" } },
    /* Plain http where the regex writes it: named, as CORSAllowOrigin
     * http://... is (loopback, or written on purpose). */
    { "http://localhost:[0-9]+", PASSES, NULL, { "http://localhost:3000" } },
    { "https?://localhost(:[0-9]+)?", PASSES, NULL,
      { "http://localhost:5173", "https://localhost" } },
    { "https?://app\\.example\\.com", PASSES, NULL,
      { "http://app.example.com", "https://app.example.com" } },
    { "http://\\[::1\\]:[0-9]+", PASSES, NULL, { "http://[::1]:3000" } },
    { "capacitor://localhost", PASSES, NULL, { "capacitor://localhost" } },
    /* No scheme: anchored, it matches no origin at all. */
    { "app\\.example\\.com", PASSES, NULL, { NULL } },
};


/* ------------------------------------------------------------------------
 * Checks
 */

static pcre2_code *origin_syntax;

/* null, or scheme://host[:port] with a lowercase host a browser sends. */
static int is_origin(const char *s)
{
    return pcre2_matches(origin_syntax, s);
}

static int in_set(const apr_array_header_t *set, const char *origin)
{
    int i;

    for (i = 0; i < set->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(set, i, cors_probe).origin, origin) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The set is well formed: origins only, no duplicates, in kind order. */
static void check_set_shape(apr_pool_t *p, const char *regex)
{
    const apr_array_header_t *set = cors_probe_set(p, regex);
    apr_hash_t *seen = apr_hash_make(p);
    int i, ordered = 1, origins = 1, unique = 1;

    for (i = 0; i < set->nelts; i++) {
        const cors_probe *pr = &APR_ARRAY_IDX(set, i, cors_probe);
        if (!is_origin(pr->origin)) {
            origins = 0;
            CHECK_PROBE(0, regex, "not an origin", pr->origin);
        }
        if (apr_hash_get(seen, pr->origin, APR_HASH_KEY_STRING)) {
            unique = 0;
        }
        apr_hash_set(seen, pr->origin, APR_HASH_KEY_STRING, "");
        if (i > 0 && pr->kind < APR_ARRAY_IDX(set, i - 1, cors_probe).kind) {
            ordered = 0;
        }
    }
    CHECK_PROBE(origins, regex, "every probe is an origin", NULL);
    CHECK_PROBE(unique, regex, "no probe twice", NULL);
    CHECK_PROBE(ordered, regex, "probes in the order of their kinds", NULL);
    CHECK_PROBE(in_set(set, "https://evil.example") || strstr(regex, "evil"),
          regex, "the set holds https://evil.example", NULL);
    CHECK_PROBE(in_set(set, "null"), regex, "the set holds null", NULL);
}

static void check_case(apr_pool_t *p, const probe_case *c)
{
    pcre2_code *re = compile_anchored(c->regex);
    const apr_array_header_t *set;
    const cors_probe *found;
    int i;

    if (!CHECK_PROBE(re != NULL, c->regex, "PCRE2 compiles it", NULL)) {
        return;
    }
    set = cors_probe_set(p, c->regex);
    found = cors_probe_find(p, c->regex, pcre2_matches, re);
    if (c->kind == PASSES) {
        CHECK_PROBE(found == NULL, c->regex, "passes, but matches",
              found ? found->origin : NULL);
    }
    else if (CHECK_PROBE(found != NULL, c->regex, "refused", "matches no probe")) {
        CHECK_PROBE((int)found->kind == c->kind, c->regex, "first match of the kind",
              apr_psprintf(p, "got kind %d (%s), expected %d", found->kind,
                           found->origin, c->kind));
        CHECK_PROBE(strcmp(found->origin, c->first) == 0, c->regex,
              "first attacker origin",
              apr_psprintf(p, "got %s, expected %s", found->origin, c->first));
        CHECK_PROBE(pcre2_matches(re, found->origin), c->regex,
              "the regex matches what was reported", found->origin);
    }
    for (i = 0; i < 4 && c->legit[i]; i++) {
        CHECK_PROBE(pcre2_matches(re, c->legit[i]), c->regex,
              "matches the origin it is meant for", c->legit[i]);
        CHECK_PROBE(!in_set(set, c->legit[i]), c->regex,
              "an origin it is meant for is not an attacker", c->legit[i]);
    }
    check_set_shape(p, c->regex);
    pcre2_code_free(re);
}

/* The families of the set, for one regex, as the scanners make them. */
static void check_families(apr_pool_t *p)
{
    static const char *const want[] = {
        "https://evil.example", "https://any-site.invalid",
        "http://evil.example",
        "https://evilexample.com",                      /* prefix */
        "https://app.example.com.evil.example",         /* other site */
        "https://app.example.comevil.example",          /* suffix */
        "https://appxexample.com", "https://app.examplexcom",  /* dots */
        "http://app.example.com",                       /* plain http */
        "null",
    };
    static const char *const never[] = {
        "https://app.example.com", "https://evilapp.example.com",
        "https://x.example.com",
    };
    const char *re = "https://app.example.com";
    const apr_array_header_t *set = cors_probe_set(p, re);
    size_t i;

    for (i = 0; i < N_ELEMS(want); i++) {
        CHECK_PROBE(in_set(set, want[i]), re, "the set holds", want[i]);
    }
    for (i = 0; i < N_ELEMS(never); i++) {
        CHECK_PROBE(!in_set(set, never[i]), re, "the set leaves out", never[i]);
    }
    /* Ports: the attacker's own server can use the regex's port. */
    re = "https://[a-z]+\\.example\\.com:8443";
    set = cors_probe_set(p, re);
    CHECK_PROBE(in_set(set, "https://evilexample.com:8443"), re, "the set holds",
          "https://evilexample.com:8443");
    CHECK_PROBE(in_set(set, "https://evil.example.com.evil.example:8443"), re,
          "the set holds", "https://evil.example.com.evil.example:8443");
    CHECK_PROBE(!in_set(set, "https://x.example.com:8443"), re,
          "the set leaves out", "https://x.example.com:8443");
}

static void check_messages(apr_pool_t *p)
{
    cors_probe pr = { "https://evil.example", CORS_PROBE_UNRELATED };
    const char *m = cors_probe_describe(p, "https://.*", &pr);

    CHECK_PROBE(strcmp(m, "'https://.*' matches the origin of any site (such as "
                    "https://evil.example)") == 0, "https://.*", "message",
          m);
    pr.origin = "https://appxexample.com";
    pr.kind = CORS_PROBE_DOT;
    m = cors_probe_describe(p, "https://app.example.com", &pr);
    CHECK_PROBE(strstr(m, "'https://app.example.com' has a '.' that matches any "
                    "character (it matches https://appxexample.com)") != NULL
              && strstr(m, "write '\\.' for a literal dot") != NULL,
          "https://app.example.com", "message", m);
    pr.origin = "https://evilexample.com";
    pr.kind = CORS_PROBE_PREFIX;
    m = cors_probe_describe(p, "https://.*example\\.com", &pr);
    CHECK_PROBE(strstr(m, "https://evilexample.com") != NULL
              && strstr(m, "'https://.*example\\.com'") != NULL,
          "https://.*example\\.com", "message names regex and origin", m);
}

/* Regexes that are odd or built to cost: they must not crash, and the
 * set stays bounded. */
static void check_hostile(apr_pool_t *p)
{
    static const char *const odd[] = {
        "", "(", ")", "[", "[abc", "\\", "x{", "x{1", "(?", "(?<", "(?#",
        "\\Q", "\\Qa.b", "[[:alpha:]", "a{2,}b{,3}", "(?i", "|||", "((((a",
        "a))))", "[]]", "[^]]", "\\x{41}\\p{L}", "https://[", "https://\\[",
        "://", "https://:8443", "https://a.:", "https://.", "https://..",
    };
    char deep[1200], wide[4000];
    size_t i;
    int n;

    for (i = 0; i < N_ELEMS(odd); i++) {
        const apr_array_header_t *set = cors_probe_set(p, odd[i]);
        check_set_shape(p, odd[i]);
        CHECK_PROBE(set->nelts < 100, odd[i], "a small set", NULL);
    }
    /* 400 nested groups */
    memset(deep, 0, sizeof(deep));
    for (n = 0; n < 400; n++) {
        deep[n] = '(';
    }
    strcat(deep, "https://a\\.example\\.com");
    for (n = 0; n < 400; n++) {
        strcat(deep, ")");
    }
    CHECK_PROBE(cors_probe_set(p, deep)->nelts < 5000, "(((...)))",
          "deep nesting: a bounded set", NULL);
    /* 60 alternatives of 4 optional groups each: 60 * 16 branches, cut */
    wide[0] = '\0';
    for (n = 0; n < 60; n++) {
        strcat(wide, n ? "|" : "");
        strcat(wide, "https://(a\\.)?(b\\.)?(c\\.)?(d\\.)?x\\.example\\.com");
    }
    CHECK_PROBE(cors_probe_set(p, wide)->nelts < 5000, "60 * (a\\.)?...",
          "many branches: a bounded set", NULL);
    /* An open regex after the branch limit is still refused: the
     * unrelated probes do not depend on branches. */
    {
        const char *late = apr_pstrcat(p, wide, "|https://.*", NULL);
        pcre2_code *re = compile_anchored(late);
        const cors_probe *pr = cors_probe_find(p, late, pcre2_matches, re);
        CHECK_PROBE(pr && pr->kind == CORS_PROBE_UNRELATED, "...|https://.*",
              "an open last branch is refused", pr ? pr->origin : NULL);
        pcre2_code_free(re);
    }
}

int main(void)
{
    apr_pool_t *pool;
    size_t i;

    if (!check_start()) {
        return 1;
    }
    origin_syntax = compile_anchored(
        "null|[a-z][a-z0-9+.-]*://([a-z0-9-]+(\\.[a-z0-9-]+)*"
        "|\\[[0-9a-f:.]+\\])(:[0-9]+)?");
    apr_pool_create(&pool, NULL);
    for (i = 0; i < N_ELEMS(cases); i++) {
        check_case(pool, &cases[i]);
    }
    check_families(pool);
    check_messages(pool);
    check_hostile(pool);
    apr_pool_destroy(pool);
    pcre2_code_free(origin_syntax);
    apr_terminate();
    return check_report();
}
