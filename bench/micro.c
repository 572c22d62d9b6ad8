/* SPDX-License-Identifier: Apache-2.0 */
/*
 * micro.c -- nanoseconds per decision of mod_cors's pure logic (the
 * origin and list files, LOGIC_SRCS in the Makefile).
 *
 * Built and run by `make bench` (gcc -O2, linked with those sources, APR and
 * libpsl); bench/run.py reads its output.  Each line it prints is
 *
 *     name <TAB> ns per call <TAB> what was measured
 *
 * A measurement runs the call in a loop long enough to take about 2 ms,
 * 50 times, and keeps the fastest run (the least disturbed by the other
 * processes of the machine).  The calls go into another translation unit
 * (no LTO), so the compiler cannot hoist them out of the loop.
 *
 *   bench/build/micro [scale]   scale multiplies the 2 ms (default 1)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apr_general.h"
#include "apr_pools.h"
#include "apr_strings.h"

#include "cors_logic.h"

static double scale = 1.0;
static volatile long sink;

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* A measured case: run() performs iters calls and returns something that
 * depends on their results. */
typedef struct bench_case {
    const char *name;
    const char *what;
    long (*run)(const struct bench_case *c, long iters);
    const cors_origins *origins;
    const cors_list *list;
    const char *arg;
    long expect;            /* every call must return this (1 or 0) */
} bench_case;

static long run_origin(const bench_case *c, long iters)
{
    long n = 0, i;

    for (i = 0; i < iters; i++) {
        n += cors_origins_match(c->origins, c->arg) == CORS_ORIGIN_MATCH;
    }
    return n;
}

static long run_method(const bench_case *c, long iters)
{
    long n = 0, i;

    for (i = 0; i < iters; i++) {
        n += cors_method_allowed(c->list, 1, c->arg);
    }
    return n;
}

static long run_acrh(const bench_case *c, long iters)
{
    long n = 0, i;
    int safelisted;
    const char *bad;
    size_t badlen;

    for (i = 0; i < iters; i++) {
        n += cors_request_headers_check(c->list, 1, c->arg, &safelisted, &bad,
                                        &badlen) == CORS_ACRH_OK;
    }
    return n;
}

static double measure(const bench_case *c)
{
    long iters = 1000, got;
    double t, best = 0;
    int rep;

    /* Calibrate: grow iters until one run takes 2 ms (times scale). */
    for (;;) {
        t = now_ns();
        got = c->run(c, iters);
        t = now_ns() - t;
        if (got != c->expect * iters) {
            fprintf(stderr, "micro: %s: %ld of %ld calls returned %ld\n",
                    c->name, got, iters, c->expect);
            exit(1);
        }
        if (t >= 2e6 * scale || iters > (1L << 40)) {
            break;
        }
        iters = t < 1e5 ? iters * 10 : (long)((double)iters * 2.5e6 * scale / t);
    }
    for (rep = 0; rep < 50; rep++) {
        t = now_ns();
        sink += c->run(c, iters);
        t = (now_ns() - t) / (double)iters;
        if (rep == 0 || t < best) {
            best = t;
        }
    }
    return best;
}

static void die_on(const char *err, const char *what)
{
    if (err) {
        fprintf(stderr, "micro: %s: %s\n", what, err);
        exit(1);
    }
}

/* The policy of the benchmark configurations: https://app.example.com
 * first, then origins site<i>.example.com up to n in all, and `patterns`
 * subdomain patterns "https:// *.tenant<i>.example.org" (without the space). */
static cors_origins *make_origins(apr_pool_t *p, int n, int patterns)
{
    cors_origins *set = cors_origins_make(p);
    int i;

    die_on(cors_origins_add(set, p, "https://app.example.com"), "origin");
    for (i = 1; i < n; i++) {
        die_on(cors_origins_add(set, p, apr_psprintf(p, "https://site%d."
                                                     "example.com", i)),
               "origin");
    }
    for (i = 0; i < patterns; i++) {
        die_on(cors_origins_add(set, p, apr_psprintf(p, "https://*.tenant%d."
                                                     "example.org", i)),
               "pattern");
    }
    return set;
}

/* "x-h00, x-h01, ..." : n allowed names, written as a browser sends them
 * (lowercase, comma-separated, no spaces). */
static const char *acrh_value(apr_pool_t *p, int n)
{
    const char *v = "";
    int i;

    for (i = 0; i < n; i++) {
        v = apr_psprintf(p, "%s%sx-h%02d", v, i ? "," : "", i);
    }
    return v;
}

int main(int argc, char **argv)
{
    apr_pool_t *p;
    cors_origins *o1, *o100, *o10k;
    cors_list *methods, *headers;
    char *names[64];
    const char *warning;
    int i;

    if (argc > 1) {
        scale = atof(argv[1]) > 0 ? atof(argv[1]) : 1.0;
    }
    apr_initialize();
    apr_pool_create(&p, NULL);

    o1 = make_origins(p, 1, 0);
    o100 = make_origins(p, 100, 100);
    o10k = make_origins(p, 10000, 100);

    methods = cors_list_make(p);
    {
        char *m[] = { "GET", "POST", "PUT", "DELETE" };
        die_on(cors_list_add_methods(methods, p, 4, m, &warning), "methods");
    }
    headers = cors_list_make(p);
    for (i = 0; i < 64; i++) {
        names[i] = apr_psprintf(p, "X-H%02d", i);
    }
    die_on(cors_list_add_allow_headers(headers, p, 64, names), "headers");

    {
        const bench_case cases[] = {
            { "origin-1-allowed", "1 origin: allowed origin (exact)",
              run_origin, o1, NULL, "https://app.example.com", 1 },
            { "origin-1-denied", "1 origin: denied origin",
              run_origin, o1, NULL, "https://evil.example.net", 0 },
            { "origin-100-allowed", "100 origins + 100 patterns: allowed "
              "origin (exact)", run_origin, o100, NULL,
              "https://app.example.com", 1 },
            { "origin-100-pattern", "100 origins + 100 patterns: allowed by "
              "a pattern", run_origin, o100, NULL,
              "https://a.tenant42.example.org", 1 },
            { "origin-100-denied", "100 origins + 100 patterns: denied "
              "origin", run_origin, o100, NULL, "https://evil.example.net",
              0 },
            { "origin-10k-allowed", "10,000 origins + 100 patterns: allowed "
              "origin (exact)", run_origin, o10k, NULL,
              "https://app.example.com", 1 },
            { "origin-10k-last", "10,000 origins + 100 patterns: allowed "
              "origin (the last listed)", run_origin, o10k, NULL,
              "https://site9999.example.com", 1 },
            { "origin-10k-pattern", "10,000 origins + 100 patterns: allowed "
              "by a pattern", run_origin, o10k, NULL,
              "https://a.tenant42.example.org", 1 },
            { "origin-10k-deep", "10,000 origins + 100 patterns: allowed by "
              "a pattern, 4 labels deep", run_origin, o10k, NULL,
              "https://a.b.c.d.tenant99.example.org", 1 },
            { "origin-10k-denied", "10,000 origins + 100 patterns: denied "
              "origin", run_origin, o10k, NULL, "https://evil.example.net",
              0 },
            { "method-allowed", "method PUT (4 methods listed)", run_method,
              NULL, methods, "PUT", 1 },
            { "acrh-1", "request headers: 1 name (64 allowed)", run_acrh,
              NULL, headers, acrh_value(p, 1), 1 },
            { "acrh-10", "request headers: 10 names (64 allowed)", run_acrh,
              NULL, headers, acrh_value(p, 10), 1 },
            { "acrh-64", "request headers: 64 names (64 allowed)", run_acrh,
              NULL, headers, acrh_value(p, 64), 1 },
        };
        size_t k;

        for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
            printf("%s\t%.1f\t%s\n", cases[k].name, measure(&cases[k]),
                   cases[k].what);
            fflush(stdout);
        }
    }
    apr_pool_destroy(p);
    apr_terminate();
    return 0;
}
