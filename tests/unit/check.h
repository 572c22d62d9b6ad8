/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check.h -- the unit tests' check machinery, shared by every test program
 * in tests/unit: CHECK* macros that count passes and failures and print
 * each failure with file:line and the values involved, and check_report()
 * for the closing line "N passed, N failed".
 */
#ifndef CORS_UNIT_CHECK_H
#define CORS_UNIT_CHECK_H

#include <stdio.h>
#include <string.h>

#include "apr_general.h"
#include "apr_pools.h"
#include "apr_strings.h"

/* ------------------------------------------------------------------------
 * Minimal check machinery
 */

static unsigned long n_pass, n_fail;
static const char *cur_test = "?";

static inline const char *show(const char *s)
{
    return s ? s : "(null)";
}

static inline void fail_head(const char *file, int line, const char *ctx)
{
    printf("FAIL %s:%d [%s]%s%s%s\n", file, line, cur_test,
           ctx ? " case '" : "", ctx ? ctx : "", ctx ? "'" : "");
}

static inline int check_true(int ok, const char *expr, const char *file, int line,
                      const char *ctx)
{
    if (ok) {
        n_pass++;
        return 1;
    }
    n_fail++;
    fail_head(file, line, ctx);
    printf("     expected true: %s\n", expr);
    return 0;
}

static inline int check_streq(const char *got, const char *exp, const char *expr,
                       const char *file, int line, const char *ctx)
{
    if ((got == NULL && exp == NULL)
        || (got != NULL && exp != NULL && strcmp(got, exp) == 0)) {
        n_pass++;
        return 1;
    }
    n_fail++;
    fail_head(file, line, ctx);
    printf("     %s\n     got:      \"%s\"\n     expected: \"%s\"\n",
           expr, show(got), show(exp));
    return 0;
}

static inline int check_inteq(long got, long exp, const char *expr,
                       const char *file, int line, const char *ctx)
{
    if (got == exp) {
        n_pass++;
        return 1;
    }
    n_fail++;
    fail_head(file, line, ctx);
    printf("     %s\n     got:      %ld\n     expected: %ld\n",
           expr, got, exp);
    return 0;
}

/* err must be NULL (no error). */
static inline int check_noerr(const char *err, const char *expr, const char *file,
                       int line, const char *ctx)
{
    if (err == NULL) {
        n_pass++;
        return 1;
    }
    n_fail++;
    fail_head(file, line, ctx);
    printf("     %s: unexpected error: \"%s\"\n", expr, err);
    return 0;
}

/* err must be an error message (non-NULL, non-empty). */
static inline int check_err(const char *err, const char *expr, const char *file,
                     int line, const char *ctx)
{
    if (err != NULL && *err) {
        n_pass++;
        return 1;
    }
    n_fail++;
    fail_head(file, line, ctx);
    printf("     %s: expected an error, got %s\n", expr,
           err ? "\"\" (empty message)" : "NULL (accepted)");
    return 0;
}

static inline int check_strstr(const char *hay, const char *needle,
                        const char *expr, const char *file, int line,
                        const char *ctx)
{
    if (hay != NULL && needle != NULL && strstr(hay, needle) != NULL) {
        n_pass++;
        return 1;
    }
    n_fail++;
    fail_head(file, line, ctx);
    printf("     %s\n     \"%s\"\n     does not contain \"%s\"\n",
           expr, show(hay), show(needle));
    return 0;
}

#define CHECK(c)              check_true(!!(c), #c, __FILE__, __LINE__, NULL)
#define CHECKM(c, x)          check_true(!!(c), #c, __FILE__, __LINE__, (x))
#define CHECK_STREQ(g, e)     check_streq((g), (e), #g, __FILE__, __LINE__, NULL)
#define CHECK_STREQM(g, e, x) check_streq((g), (e), #g, __FILE__, __LINE__, (x))
#define CHECK_INTEQ(g, e)     check_inteq((long)(g), (long)(e), #g, \
                                          __FILE__, __LINE__, NULL)
#define CHECK_INTEQM(g, e, x) check_inteq((long)(g), (long)(e), #g, \
                                          __FILE__, __LINE__, (x))
#define CHECK_NOERR(e)        check_noerr((e), #e, __FILE__, __LINE__, NULL)
#define CHECK_NOERRM(e, x)    check_noerr((e), #e, __FILE__, __LINE__, (x))
#define CHECK_ERR(e)          check_err((e), #e, __FILE__, __LINE__, NULL)
#define CHECK_ERRM(e, x)      check_err((e), #e, __FILE__, __LINE__, (x))
#define CHECK_STRSTR(h, n)    check_strstr((h), (n), #h, __FILE__, __LINE__, \
                                           NULL)
#define CHECK_STRSTRM(h, n, x) check_strstr((h), (n), #h, __FILE__, \
                                            __LINE__, (x))

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------------
 * Helpers
 */

/* Splits s on '|' into a fresh argv (as httpd would hand a directive
 * handler its words); "a|b" -> {"a", "b"}, "" -> {""}. */
static inline char **mkargv(apr_pool_t *p, const char *s, int *argc)
{
    char *copy = apr_pstrdup(p, s);
    char **argv;
    char *q;
    int n = 1, i = 0;

    for (q = copy; *q; q++) {
        if (*q == '|') {
            n++;
        }
    }
    argv = apr_pcalloc(p, (n + 1) * sizeof(*argv));
    argv[i++] = copy;
    for (q = copy; *q; q++) {
        if (*q == '|') {
            *q = '\0';
            argv[i++] = q + 1;
        }
    }
    *argc = n;
    return argv;
}

/* The closing line every test program ends with; its exit status. */
static inline int check_report(void)
{
    printf("%lu passed, %lu failed\n", n_pass, n_fail);
    return n_fail ? 1 : 0;
}

/* Line-buffered output and APR, before any test; 0 (after printing the
 * closing line) when APR cannot start. */
static inline int check_start(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (apr_initialize() != APR_SUCCESS) {
        printf("apr_initialize failed\n0 passed, 1 failed\n");
        return 0;
    }
    return 1;
}

typedef struct {
    const char *name;
    void (*fn)(apr_pool_t *p);
} check_test;

/* Runs each test (or only the one named `only`) with a pool of its own,
 * and prints how many checks it made and how many failed. */
static inline void check_run(const check_test *tests, size_t n,
                             const char *only)
{
    size_t i;

    for (i = 0; i < n; i++) {
        apr_pool_t *pool;
        unsigned long f0 = n_fail, p0 = n_pass;

        if (only && strcmp(only, tests[i].name) != 0) {
            continue;
        }
        cur_test = tests[i].name;
        apr_pool_create(&pool, NULL);
        tests[i].fn(pool);
        apr_pool_destroy(pool);
        printf("%-26s %5lu checks, %lu failed\n", tests[i].name,
               (n_pass - p0) + (n_fail - f0), n_fail - f0);
    }
}

/* The whole main() of a test program that needs nothing but its tests:
 * argv[1], when given, names the one test to run. */
static inline int check_main(const check_test *tests, size_t n, int argc,
                             char **argv)
{
    if (!check_start()) {
        return 1;
    }
    check_run(tests, n, argc > 1 ? argv[1] : NULL);
    apr_terminate();
    return check_report();
}

#endif /* CORS_UNIT_CHECK_H */
