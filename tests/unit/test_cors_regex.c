/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_cors_regex.c -- unit tests of cors_regex.c: each bound on a
 * CORSAllowOriginMatch regex (length, match limit, depth, memory, the
 * probe's budget, the longest origin) is reached by a regex or an origin
 * made to reach it, and what is within the bounds still matches; and the
 * decision refuses an origin that a matcher could not decide.
 */
#include "check.h"

#include "cors_probe.h"
#include "cors_regex.h"

#define A40 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

/* A tenant's regex that stalled httpd: nested quantifiers that backtrack
 * exponentially on an origin that almost matches. */
#define NESTED "https://([a-z]+)+\\.a{40}p0\\.com"

static cors_regex *compiled(apr_pool_t *p, const char *source)
{
    cors_regex *re = NULL;
    const char *err = cors_regex_compile(p, source, CORS_REGEX_DOTALL
                                         | CORS_REGEX_DOLLAR_ENDONLY, &re);

    CHECK_NOERRM(err, source);
    return re;
}

/* n times c, then tail. */
static const char *repeat(apr_pool_t *p, char c, int n, const char *tail)
{
    char *s = apr_palloc(p, n + strlen(tail) + 1);

    memset(s, c, n);
    strcpy(s + n, tail);
    return s;
}

static void test_matches_as_anchored(apr_pool_t *p)
{
    cors_regex *re = compiled(p, "https://[a-z0-9-]+\\.example\\.com");

    CHECK_INTEQ(cors_regex_match(re, "https://app.example.com"),
                CORS_MATCH_YES);
    CHECK_INTEQ(cors_regex_match(re, "https://app.example.com.evil.net"),
                CORS_MATCH_NO);
    CHECK_INTEQ(cors_regex_match(re, "xhttps://app.example.com"),
                CORS_MATCH_NO);
    /* An alternation is anchored as a whole. */
    re = compiled(p, "https://a\\.example|https://b\\.example");
    CHECK_INTEQ(cors_regex_match(re, "https://b.example"), CORS_MATCH_YES);
    CHECK_INTEQ(cors_regex_match(re, "https://a.example.evil"),
                CORS_MATCH_NO);
}

static void test_invalid(apr_pool_t *p)
{
    cors_regex *re;

    CHECK_STRSTR(cors_regex_compile(p, "https://(a", 0, &re),
                 "'https://(a' is not a valid regular expression");
    CHECK(re == NULL);
    CHECK_ERR(cors_regex_compile(p, "", 0, &re));
    /* Not a way out of the anchoring. */
    CHECK_ERR(cors_regex_compile(p, "a)|(.*", 0, &re));
}

static void test_length_limit(apr_pool_t *p)
{
    const char *longest = repeat(p, 'a', CORS_REGEX_MAX_LENGTH - 8, "https://");
    const char *over = repeat(p, 'a', CORS_REGEX_MAX_LENGTH - 7, "https://");
    cors_regex *re;
    const char *err;

    CHECK_NOERR(cors_regex_compile(p, longest, 0, &re));
    err = cors_regex_compile(p, over, 0, &re);
    CHECK_STRSTR(err, "the length limit (512 bytes)");
    CHECK_STRSTR(err, "513 bytes");
    CHECK_STRSTR(err, "'aaaa");
    CHECK(re == NULL);
    /* 8 KB: refused the same way, without compiling. */
    CHECK_STRSTR(cors_regex_compile(p, repeat(p, '(', 8192, ""), 0, &re),
                 "the length limit");
}

static void test_match_limit(apr_pool_t *p)
{
    cors_regex *re = compiled(p, NESTED);
    const char *crafted = "https://aaaaaaaaaaaaaaaaaaaaaaaaa-." A40 "p0.com";
    int matched;

    CHECK_INTEQ(cors_regex_match(re, crafted), CORS_MATCH_LIMIT);
    CHECK_INTEQ(cors_regex_exec(re, crafted, CORS_REGEX_MATCH_LIMIT,
                                &matched), CORS_REGEX_LIMIT_MATCH);
    CHECK_INTEQ(matched, 0);
    /* What it is written for still matches within the limit. */
    CHECK_INTEQ(cors_regex_match(re, "https://app." A40 "p0.com"),
                CORS_MATCH_YES);
    /* Overlapping alternatives: the same. */
    re = compiled(p, "https://(a|a|[a-z])+\\.example\\.com");
    CHECK_INTEQ(cors_regex_match(re, "https://aaaaaaaaaaaaaaaaaaaaaaaaaaaa-"
                                     ".example.com"), CORS_MATCH_LIMIT);
    CHECK_INTEQ(cors_regex_match(re, "https://app.example.com"),
                CORS_MATCH_YES);
}

/* A legitimate regex on the longest origins it can see stays under the
 * match limit: the limit refuses hostile regexes, not long names. */
static void test_within_limit_on_long_origins(apr_pool_t *p)
{
    cors_regex *re = compiled(p, "https://([a-z0-9-]+\\.)*example\\.com");
    char labels[CORS_ORIGIN_MAX + 1];
    const char *origin;
    int i;

    /* 150 one-letter labels: about the most a 326-byte origin holds. */
    for (i = 0; i < 150; i++) {
        memcpy(labels + 2 * i, "a.", 2);
    }
    labels[300] = '\0';
    origin = apr_pstrcat(p, "https://", labels, "example.com", NULL);
    CHECK(strlen(origin) <= CORS_ORIGIN_MAX);
    CHECK_INTEQ(cors_regex_match(re, origin), CORS_MATCH_YES);
    origin = apr_pstrcat(p, "https://", labels, "example.org", NULL);
    CHECK_INTEQ(cors_regex_match(re, origin), CORS_MATCH_NO);
    /* Labels with hyphens, each a group of its own: 40 of them. */
    re = compiled(p, "https://([a-z0-9]+(-[a-z0-9]+)*\\.)+example\\.com");
    origin = apr_pstrcat(p, "https://", apr_pstrndup(p, labels, 80),
                         "my-app-eu-1.example.com", NULL);
    CHECK_INTEQ(cors_regex_match(re, origin), CORS_MATCH_YES);
}

static void test_depth_limit(apr_pool_t *p)
{
    /* A group repeated once a character: a level or two each.  The
     * subject is longer than an origin, so that the depth limit is
     * reached before the match limit (set out of the way here). */
    cors_regex *re = compiled(p, "(?:a|b)*c");
    const char *deep = repeat(p, 'a', CORS_REGEX_DEPTH_LIMIT + 50, "c");
    int matched;

    CHECK_INTEQ(cors_regex_exec(re, deep, 1000000, &matched),
                CORS_REGEX_LIMIT_DEPTH);
    CHECK_INTEQ(cors_regex_exec(re, "aac", 1000000, &matched),
                CORS_REGEX_LIMIT_NONE);
    CHECK_INTEQ(matched, 1);
}

static void test_heap_limit(apr_pool_t *p)
{
    /* 200 groups that never match: every backtracking frame keeps room
     * for 201 pairs of offsets (~3 KB), so that the memory limit is
     * reached before the depth limit. */
    char *many = apr_palloc(p, 2 * 200 + 1);
    cors_regex *re;
    int i, matched;

    for (i = 0; i < 200; i++) {
        memcpy(many + 2 * i, "()", 2);
    }
    many[400] = '\0';
    re = compiled(p, apr_pstrcat(p, "(?:a|b", many, ")*c", NULL));
    CHECK_INTEQ(cors_regex_exec(re, repeat(p, 'a', CORS_REGEX_DEPTH_LIMIT - 20,
                                           "c"), 1000000, &matched),
                CORS_REGEX_LIMIT_HEAP);
    CHECK_INTEQ(cors_regex_exec(re, "aac", 1000000, &matched),
                CORS_REGEX_LIMIT_NONE);
    CHECK_INTEQ(matched, 1);
}

/* An Origin of 8 KB (httpd's field limit) costs no matching at all. */
static void test_long_origin(apr_pool_t *p)
{
    cors_regex *re = compiled(p, "https://.*");
    const char *huge = repeat(p, 'a', 8192, "");

    CHECK_INTEQ(cors_regex_match(re, apr_pstrcat(p, "https://", huge, NULL)),
                CORS_MATCH_LIMIT);
    CHECK_INTEQ(cors_regex_match(re, "https://a"), CORS_MATCH_YES);
}

static void test_probe_budget(apr_pool_t *p)
{
    cors_regex_budget b;
    cors_regex *re = compiled(p, "https://([a-z0-9-]+\\.)*example\\.com");
    const char *origin = "https://a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u."
                         "v.w.x.y.z.a.b.c.d.e.f.g.h.i.j.k.evil.example";

    /* Plenty: the match runs and says no. */
    cors_regex_budget_init(&b, re);
    CHECK_INTEQ(cors_regex_probe_match(&b, origin), CORS_MATCH_NO);
    CHECK_INTEQ(b.limit, CORS_REGEX_LIMIT_NONE);
    CHECK(b.left < CORS_REGEX_PROBE_BUDGET);
    /* Invalid origins and null are not matched (nothing spent). */
    cors_regex_budget_init(&b, re);
    CHECK_INTEQ(cors_regex_probe_match(&b, "null"), CORS_MATCH_NO);
    CHECK_INTEQ(cors_regex_probe_match(&b, "https://a..example.com"),
                CORS_MATCH_NO);
    CHECK_INTEQ(b.left, CORS_REGEX_PROBE_BUDGET);
    /* Nearly spent: the probe stops, and says so. */
    b.left = 20;
    CHECK_INTEQ(cors_regex_probe_match(&b, origin), CORS_MATCH_LIMIT);
    CHECK_INTEQ(b.limit, CORS_REGEX_LIMIT_PROBE);
    CHECK_STRSTR(cors_regex_limit_text(p, b.limit), "100000 steps");
}

/* The probe stops at the first attacker origin on which the regex reaches
 * the match limit, and the budget says which limit. */
static void test_probe_match_limit(apr_pool_t *p)
{
    cors_regex *re = compiled(p, "https://([a-z0-9]+)+\\.example\\.com");
    cors_regex_budget b;
    const cors_probe *found;

    cors_regex_budget_init(&b, re);
    found = cors_probe_find(p, "https://([a-z0-9]+)+\\.example\\.com",
                            cors_regex_probe_match, &b);
    CHECK(found != NULL);
    CHECK_INTEQ(b.limit, CORS_REGEX_LIMIT_MATCH);
    CHECK(CORS_REGEX_PROBE_BUDGET - b.left
          <= 16 + 64 + 256 + CORS_REGEX_MATCH_LIMIT + 64 * 40);
    /* A regex that only allows what it names passes, well inside. */
    re = compiled(p, "https://[a-z0-9-]+\\.example\\.com");
    cors_regex_budget_init(&b, re);
    CHECK(cors_probe_find(p, "https://[a-z0-9-]+\\.example\\.com",
                          cors_regex_probe_match, &b) == NULL);
    CHECK_INTEQ(b.limit, CORS_REGEX_LIMIT_NONE);
    CHECK(b.left > CORS_REGEX_PROBE_BUDGET / 2);
}

/* The probe's own backtracking origins find what its attacker origins
 * would not: the nested quantifiers above are refused at config time. */
static void test_probe_backtrack(apr_pool_t *p)
{
    static const char *const hostile[] = {
        NESTED,
        "https://(a|a|[a-z])+\\.example\\.com",
        "https://(?:[a-z]+|[a-z0-9]+)+\\.example\\.com",
    };
    cors_regex_budget b;
    const cors_probe *found;
    apr_size_t i;

    for (i = 0; i < N_ELEMS(hostile); i++) {
        cors_regex_budget_init(&b, compiled(p, hostile[i]));
        found = cors_probe_find(p, hostile[i], cors_regex_probe_match, &b);
        CHECKM(found != NULL, hostile[i]);
        CHECK_INTEQM(b.limit, CORS_REGEX_LIMIT_MATCH, hostile[i]);
    }
    cors_regex_budget_init(&b, compiled(p, NESTED));
    found = cors_probe_find(p, NESTED, cors_regex_probe_match, &b);
    CHECK(found && found->kind == CORS_PROBE_BACKTRACK);
    /* A backtracking origin the regex allows is not a finding. */
    cors_regex_budget_init(&b, compiled(p, "https://[a-z0-9-]+\\.example\\."
                                           "com-?"));
    CHECK(cors_probe_find(p, "https://[a-z0-9-]+\\.example\\.com-?",
                          cors_regex_probe_match, &b) == NULL);
}

/* ------------------------------------------------------------------------
 * The decision refuses what a matcher could not decide, and asks no more
 */

static int asked;

static int says_limit(const void *data, const char *origin)
{
    (void)data;
    (void)origin;
    asked++;
    return CORS_MATCH_LIMIT;
}

static int says_yes(const void *data, const char *origin)
{
    (void)data;
    (void)origin;
    asked++;
    return CORS_MATCH_YES;
}

static void test_decision_fails_closed(apr_pool_t *p)
{
    apr_array_header_t *m = apr_array_make(p, 2, sizeof(cors_matcher));
    cors_policy policy = { 0 };
    cors_input in = { 0 };
    cors_decision d;
    cors_matcher *one;

    one = apr_array_push(m);
    one->match = says_limit;
    one->source = "hostile";
    one = apr_array_push(m);
    one->match = says_yes;
    one->source = "allows all";
    policy.origins = cors_origins_make(p);
    policy.matchers = m;
    policy.credentials = CORS_UNSET;
    in.origin = "https://app.example.com";
    asked = 0;
    cors_decide_actual(&policy, &in, &d);
    CHECK_INTEQ(d.note, CORS_NOTE_DENIED_ORIGIN);
    CHECK_INTEQ(d.reason, CORS_REASON_ORIGIN_MATCH_LIMIT);
    CHECK_INTEQ(d.nheaders, 0);
    CHECK_INTEQ(asked, 1);
    in.request_method = "PUT";
    cors_decide_preflight(&policy, &in, &d);
    CHECK_INTEQ(d.note, CORS_NOTE_PREFLIGHT_DENIED_ORIGIN);
    CHECK_INTEQ(d.reason, CORS_REASON_ORIGIN_MATCH_LIMIT);
}

static const check_test tests[] = {
    { "matches_as_anchored", test_matches_as_anchored },
    { "invalid", test_invalid },
    { "length_limit", test_length_limit },
    { "match_limit", test_match_limit },
    { "within_limit_on_long_origins", test_within_limit_on_long_origins },
    { "depth_limit", test_depth_limit },
    { "heap_limit", test_heap_limit },
    { "long_origin", test_long_origin },
    { "probe_budget", test_probe_budget },
    { "probe_match_limit", test_probe_match_limit },
    { "probe_backtrack", test_probe_backtrack },
    { "decision_fails_closed", test_decision_fails_closed },
};

int main(int argc, char **argv)
{
    if (!check_start()) {
        return 1;
    }
    check_run(tests, N_ELEMS(tests), argc > 1 ? argv[1] : NULL);
    apr_terminate();
    return check_report();
}
