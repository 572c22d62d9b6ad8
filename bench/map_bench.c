/* SPDX-License-Identifier: Apache-2.0 */
/*
 * map_bench.c -- CORSAllowOriginMap figures (make bench-map).
 *
 *   map_bench load N            writes a txt map of N origins, loads it with
 *                               cors_map_open(): seconds and RSS growth
 *   map_bench lookup KIND N L   KIND txt, sdbm, set (a plain 2-entry
 *                               cors_origins, the CORSAllowOrigin baseline)
 *                               or sdbm-open-each (apr_dbm_open per lookup):
 *                               L lookups (half hits, half misses) in
 *                               lookups(), for callgrind --toggle-collect
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apr_general.h"
#include "apr_dbm.h"
#include "apr_strings.h"

#include "cors_decide.h"  /* cors_match_fn */
#include "cors_map.h"

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof(line), f)) {
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kb = atol(line + 6);
        }
    }
    if (f) {
        fclose(f);
    }
    return kb;
}

static const char *write_txt(apr_pool_t *p, long n)
{
    const char *path = apr_psprintf(p, "/tmp/map_bench.%ld.txt", (long)getpid());
    FILE *f = fopen(path, "w");
    long i;
    for (i = 0; i < n; i++) {
        fprintf(f, "https://t%ld.tenant.example allow\n", i);
    }
    fclose(f);
    return path;
}

static const char *write_sdbm(apr_pool_t *p, long n)
{
    const char *path = apr_psprintf(p, "/tmp/map_bench.%ld", (long)getpid());
    apr_dbm_t *db;
    apr_datum_t k, v = { "allow", 5 };
    char key[64];
    long i;
    apr_dbm_open_ex(&db, "SDBM", path, APR_DBM_RWTRUNC, APR_OS_DEFAULT, p);
    for (i = 0; i < n; i++) {
        k.dsize = (apr_size_t)apr_snprintf(key, sizeof(key),
                                           "https://t%ld.tenant.example", i);
        k.dptr = key;
        apr_dbm_store(db, k, v);
    }
    apr_dbm_close(db);
    return path;
}

static int set_match(const void *data, const char *origin)
{
    return cors_origins_match(data, origin) == CORS_ORIGIN_MATCH;
}

/* The alternative to a version's open handles: open, look up, close. */
static apr_pool_t *open_pool;
static int open_each_match(const void *data, const char *origin)
{
    apr_dbm_t *db;
    apr_datum_t k;
    int found = 0;
    k.dptr = (char *)origin;
    k.dsize = strlen(origin);
    if (apr_dbm_open_ex(&db, "SDBM", data, APR_DBM_READONLY, APR_OS_DEFAULT,
                        open_pool) == APR_SUCCESS) {
        found = apr_dbm_exists(db, k);
        apr_dbm_close(db);
    }
    apr_pool_clear(open_pool);
    return found;
}

/* The measured loop: everything a request pays for a map lookup. */
__attribute__((noinline)) static long lookups(cors_match_fn *fn,
                                              const void *data,
                                              char **origins, long l)
{
    long i, hits = 0;
    for (i = 0; i < l; i++) {
        hits += fn(data, origins[i & 1023]);
    }
    return hits;
}

int main(int argc, char **argv)
{
    apr_pool_t *p;
    cors_map *m;
    const char *err, *path;

    apr_initialize();
    apr_pool_create(&p, NULL);
    if (argc == 3 && strcmp(argv[1], "load") == 0) {
        long n = atol(argv[2]), before;
        apr_time_t t0;
        cors_map_info info;
        path = write_txt(p, n);
        before = rss_kb();
        t0 = apr_time_now();
        err = cors_map_open(p, path, NULL, &m);
        if (err) {
            printf("error: %s\n", err);
            return 1;
        }
        cors_map_describe(m, &info);
        printf("txt map of %ld entries: loaded in %.3f s, RSS +%ld MB "
               "(%.0f bytes/entry)\n", info.entries,
               (double)(apr_time_now() - t0) / 1e6, (rss_kb() - before) / 1024,
               (rss_kb() - before) * 1024.0 / (double)n);
        /* and a reload of it, as a child does */
        {
            FILE *f = fopen(path, "a");
            fprintf(f, "https://one-more.example\n");
            fclose(f);
            t0 = apr_time_now();
            cors_map_check_now(m);
            printf("reload (one more entry): %.3f s, RSS now +%ld MB\n",
                   (double)(apr_time_now() - t0) / 1e6,
                   (rss_kb() - before) / 1024);
        }
        unlink(path);
        return 0;
    }
    if (argc == 5 && strcmp(argv[1], "lookup") == 0) {
        long n = atol(argv[3]), l = atol(argv[4]), i;
        char **origins = apr_palloc(p, 1024 * sizeof(char *));
        cors_match_fn *fn = cors_map_match;
        const void *data;
        for (i = 0; i < 1024; i++) {
            /* hits among the n listed, and misses */
            origins[i] = (i & 1) ? apr_psprintf(p, "https://t%ld.tenant.example",
                                                (i * 7919) % n)
                                 : apr_psprintf(p, "https://m%ld.other.example", i);
        }
        if (strcmp(argv[2], "set") == 0) {
            cors_origins *set = cors_origins_make(p);
            cors_origins_add(set, p, "https://t0.tenant.example");
            cors_origins_add(set, p, "https://t1.tenant.example");
            fn = set_match;
            data = set;
        }
        else if (strcmp(argv[2], "sdbm-open-each") == 0) {
            apr_pool_create(&open_pool, p);
            fn = open_each_match;
            data = write_sdbm(p, n);
        }
        else {
            path = strcmp(argv[2], "sdbm") == 0
                ? apr_pstrcat(p, "dbm=sdbm:", write_sdbm(p, n), NULL)
                : write_txt(p, n);
            if ((err = cors_map_open(p, path, NULL, &m)) != NULL) {
                printf("error: %s\n", err);
                return 1;
            }
            data = m;
        }
        printf("%s n=%ld: %ld hits of %ld\n", argv[2], n,
               lookups(fn, data, origins, l), l);
        return 0;
    }
    fprintf(stderr, "usage: map_bench load N | lookup txt|sdbm|set N L\n");
    return 2;
}
