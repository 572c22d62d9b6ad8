/* SPDX-License-Identifier: Apache-2.0 */
/*
 * regex_bench.c -- what a hostile CORSAllowOriginMatch costs, in CPU time,
 * under the bounds of cors_regex.h.
 *
 * Built and run by `make bench-regex` (gcc -O2, with cors_regex.c,
 * cors_probe.c, cors_decide.c and the origin logic, as the module has them).
 * Two parts:
 *
 *  read   What reading one CORSAllowOriginMatch line costs the module:
 *         compiling the regex and checking it against its attacker and
 *         backtracking origins (cors_probe.h) under the probe's budget:
 *         the work of each line of a .htaccess the first time a child
 *         reads it (the child keeps the check's verdict after that).
 *         Each run uses a regex of its own (a counter in its text).
 *
 *  match  What the decision costs for one request in a .htaccess scope
 *         holding CORS_REGEX_MAX_PER_SCOPE regexes of one shape (all
 *         accepted by the check), with an Origin made to make them
 *         backtrack: the longest valid https one (261 bytes), 1 KB and
 *         8 KB (httpd's field limit).  "match" is the decision, which
 *         stops at the first regex that reaches a limit; "match-all" asks
 *         every regex of the scope, the bound.
 *
 * Each figure is the slowest, the 95th percentile and the median of RUNS
 * runs, in microseconds of the thread's CPU time (CLOCK_THREAD_CPUTIME_ID),
 * so that the other processes of a shared machine do not count; cache
 * misses they cause still do.  Output: one line per figure,
 *
 *     part <TAB> case <TAB> max us <TAB> p95 us <TAB> median us <TAB> note
 *
 *   bench/build/regex_bench [runs]     (default 200)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apr_general.h"
#include "apr_pools.h"
#include "apr_strings.h"

#include "cors_decide.h"
#include "cors_logic.h"
#include "cors_probe.h"
#include "cors_regex.h"

static int runs = 200;

static double now_us(void)
{
    struct timespec ts;

    /* The thread's CPU time: the work, without the time the machine's other
     * processes take from it (the machine is shared; a preemption is
     * milliseconds of wall time). */
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static void report(const char *part, const char *name, double *t, int n,
                   const char *note)
{
    qsort(t, n, sizeof(*t), by_value);
    printf("%s\t%s\t%.1f\t%.1f\t%.1f\t%s\n", part, name, t[n - 1],
           t[n * 95 / 100], t[n / 2], note);
    fflush(stdout);
}

/* ------------------------------------------------------------------------
 * read: compile and check one line
 */

typedef struct {
    const char *name;
    const char *format;         /* %d: the run's number, to make it unique */
} shape;

static const shape read_shapes[] = {
    { "nested quantifiers", "https://([a-z]+)+\\.a{40}p%d\\.com" },
    { "overlapping alternatives", "https://(a|a|[a-z])+\\.ex%d\\.com" },
    { "alternation of overlapping classes",
      "https://(?:[a-z]+|[a-z0-9]+|\\w+)+\\.ex%d\\.com" },
    { "Fibonacci alternation", "https://(a|aa)+\\.ex%d\\.com" },
    { "possessive scan per step",
      "https://(?:a|a)+[a-z0-9]*+\\.ex%d\\.com" },
    { "32 wildcard branches",
      "https://([a-z0-9-]+\\.)*(a0|a1|a2|a3|a4|a5|a6|a7|a8|a9|b0|b1|b2|b3|"
      "b4|b5|b6|b7|b8|b9|c0|c1|c2|c3|c4|c5|c6|c7|c8|c9|d0|d%d)"
      "\\.(example|e\\.x\\.a\\.m\\.p\\.l\\.e)\\.(com|org):?[0-9]*" },
    { "512-byte alternation", NULL },
    { "8 KB regex", NULL },
};

/* The long shapes, made once per run. */
static const char *long_regex(apr_pool_t *p, size_t bytes, int run)
{
    const char *r = apr_psprintf(p, "https://(x%d", run);
    int i = 0;

    while (strlen(r) + 24 < bytes) {
        r = apr_psprintf(p, "%s|s%03d[a-z]*\\.example", r, i++);
    }
    return apr_pstrcat(p, r, ")\\.com", NULL);
}

static const char *read_regex(apr_pool_t *p, const shape *s, int run)
{
    if (s->format) {
        return apr_psprintf(p, s->format, run);
    }
    return long_regex(p, strcmp(s->name, "8 KB regex") == 0 ? 8000 : 500,
                      run);
}

/* One line's work: compile, check.  The verdict, for the note. */
static const char *read_line(apr_pool_t *p, const char *source)
{
    cors_regex *re;
    cors_regex_budget budget;
    const cors_probe *found;
    const char *err = cors_regex_compile(p, source, CORS_REGEX_DOTALL
                                         | CORS_REGEX_DOLLAR_ENDONLY, &re);

    if (err) {
        return strstr(err, "length limit") ? "refused: length" : "invalid";
    }
    cors_regex_budget_init(&budget, re);
    found = cors_probe_find(p, source, cors_regex_probe_match, &budget);
    if (budget.limit != CORS_REGEX_LIMIT_NONE) {
        return budget.limit == CORS_REGEX_LIMIT_PROBE ? "refused: budget"
                                                      : "refused: limit";
    }
    return found ? "lets an attacker in" : "accepted";
}

static void bench_read(apr_pool_t *p)
{
    double *t = malloc(runs * sizeof(*t));
    size_t i;
    int r;

    for (i = 0; i < sizeof(read_shapes) / sizeof(read_shapes[0]); i++) {
        const char *verdict = "";
        for (r = 0; r < runs; r++) {
            apr_pool_t *sub;
            const char *source;
            double t0;

            apr_pool_create(&sub, p);
            source = read_regex(sub, &read_shapes[i], r);
            t0 = now_us();
            verdict = read_line(sub, source);
            t[r] = now_us() - t0;
            apr_pool_destroy(sub);
        }
        report("read", read_shapes[i].name, t, runs, verdict);
    }
    free(t);
}

/* ------------------------------------------------------------------------
 * match: one request against a scope of regexes
 */

typedef struct {
    const char *name;
    const char *regex;          /* %d: which of the scope's regexes */
    char fill;                  /* the crafted Origin's run */
    const char *tail;           /* after the run */
} match_shape;

/* Shapes the check accepts whose repeated part also takes the dots of a
 * long Origin. */
static const match_shape match_shapes[] = {
    { "Fibonacci alternation", "https://(a|aa|\\.)+\\.ex%d\\.com", 'a',
      "b.ex0.com" },
    { "possessive scan per step",
      "https://(?:a|a|\\.)+[a-z0-9]*+\\.ex%d\\.com", 'a', "-.ex0.com" },
    { "nested groups per label",
      "https://([a-z0-9]+(-[a-z0-9]+)*\\.)*ex%d\\.com", 'a', ".ex0.org" },
    { "lookbehind per step",
      "https://(?:a(?<=[a-z.]{8})|a|\\.)+\\.ex%d\\.com", 'a', "b.ex0.com" },
};

/* An Origin of len bytes: scheme, a run of fill in labels of 63 (so that
 * the longest is a valid origin), the tail. */
static const char *crafted(apr_pool_t *p, char fill, const char *tail,
                           size_t len)
{
    size_t n = len - strlen("https://") - strlen(tail), i;
    char *run = apr_palloc(p, n + 1);

    memset(run, fill, n);
    for (i = 63; i < n - 1; i += 64) {
        run[i] = '.';
    }
    run[n] = '\0';
    return apr_pstrcat(p, "https://", run, tail, NULL);
}

static void bench_match_shape(apr_pool_t *p, const match_shape *s)
{
    /* The longest https origin a decision matches (a 253-byte host), and
     * Origins the decision refuses before matching. */
    static const size_t lengths[] = { 8 + 253, 1024, 8192 };
    apr_array_header_t *m = apr_array_make(p, CORS_REGEX_MAX_PER_SCOPE,
                                           sizeof(cors_matcher));
    double *t = malloc(runs * sizeof(*t));
    cors_policy policy = { 0 };
    cors_input in = { 0 };
    cors_decision d;
    size_t l;
    int i, r, accepted = 1;

    for (i = 0; i < CORS_REGEX_MAX_PER_SCOPE; i++) {
        const char *source = apr_psprintf(p, s->regex, i);
        cors_matcher *one = apr_array_push(m);
        cors_regex *re;

        if (cors_regex_compile(p, source, CORS_REGEX_DOTALL, &re)
            || strcmp(read_line(p, source), "accepted") != 0) {
            accepted = 0;
        }
        one->match = cors_regex_match;
        one->data = re;
        one->source = source;
    }
    if (!accepted) {
        printf("match\t%s\t-\t-\t-\trefused when read: not measured\n",
               s->name);
        free(t);
        return;
    }
    policy.origins = cors_origins_make(p);
    policy.matchers = m;
    policy.credentials = CORS_UNSET;
    for (l = 0; l < sizeof(lengths) / sizeof(lengths[0]); l++) {
        const char *name;
        int said = 0;

        in.origin = crafted(p, s->fill, s->tail, lengths[l]);
        for (r = 0; r < runs; r++) {
            double t0 = now_us();
            cors_decide_actual(&policy, &in, &d);
            t[r] = now_us() - t0;
        }
        name = apr_psprintf(p, "%s, %u-byte Origin", s->name,
                            (unsigned)lengths[l]);
        report("match", name, t, runs, apr_psprintf(p, "decision: %s (%s)",
               cors_note_name(d.note),
               d.reason == CORS_REASON_ORIGIN_MATCH_LIMIT ? "match limit"
               : d.reason == CORS_REASON_ORIGIN_INVALID ? "not an origin"
               : "no match"));
        /* Every regex of the scope asked, whatever each says: the bound
         * (the decision stops at the first that reaches a limit). */
        for (r = 0; r < runs; r++) {
            double t0 = now_us();
            for (i = 0; i < m->nelts; i++) {
                const cors_matcher *one = &APR_ARRAY_IDX(m, i, cors_matcher);
                said = one->match(one->data, in.origin);
            }
            t[r] = now_us() - t0;
        }
        report("match-all", name, t, runs, apr_psprintf(p, "all %d regexes "
               "asked; the last says %s", CORS_REGEX_MAX_PER_SCOPE,
               said == CORS_MATCH_LIMIT ? "limit" : said ? "yes" : "no"));
    }
    free(t);
}

static void bench_match(apr_pool_t *p)
{
    size_t i;

    for (i = 0; i < sizeof(match_shapes) / sizeof(match_shapes[0]); i++) {
        bench_match_shape(p, &match_shapes[i]);
    }
}

int main(int argc, char **argv)
{
    apr_pool_t *p;

    if (argc > 1) {
        runs = atoi(argv[1]) > 0 ? atoi(argv[1]) : runs;
    }
    apr_initialize();
    apr_pool_create(&p, NULL);
    printf("# limits: match %d steps, depth %d, heap %d KiB, length %d, "
           "%d per .htaccess scope, check budget %d steps; %d runs\n",
           CORS_REGEX_MATCH_LIMIT, CORS_REGEX_DEPTH_LIMIT,
           CORS_REGEX_HEAP_LIMIT_KIB, CORS_REGEX_MAX_LENGTH,
           CORS_REGEX_MAX_PER_SCOPE, CORS_REGEX_PROBE_BUDGET, runs);
    bench_read(p);
    bench_match(p);
    apr_pool_destroy(p);
    apr_terminate();
    return 0;
}
