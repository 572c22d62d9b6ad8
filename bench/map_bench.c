/* SPDX-License-Identifier: Apache-2.0 */
/*
 * map_bench.c -- CORSAllowOriginMap figures (make bench-map).
 *
 *   map_bench load N            writes a txt map of N origins, starts it as
 *                               the parent does (read, compile, publish the
 *                               image): seconds, file and image sizes
 *   map_bench lookup KIND N L   KIND txt, sdbm, set (a plain 2-entry
 *                               cors_origins, the CORSAllowOrigin baseline)
 *                               or sdbm-open-each (apr_dbm_open per lookup):
 *                               L lookups (half hits, half misses) in
 *                               lookups(), for callgrind --toggle-collect
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "apr_general.h"
#include "apr_dbm.h"
#include "apr_strings.h"

#include "cors_decide.h"  /* cors_match_fn */
#include "cors_map.h"

/* A map of spec started as the parent starts it and mapped as a child
 * maps it; its image in a directory of its own. */
static cors_map *start_map(apr_pool_t *p, const char *spec)
{
    const char *dir = apr_psprintf(p, "/tmp/map_bench.%ld.img", (long)getpid());
    const char *err;
    cors_map *m;

    mkdir(dir, 0755);
    if ((err = cors_map_define(p, spec, NULL, &m)) == NULL) {
        cors_map_attach(m, dir, calloc(1, cors_map_shared_size()));
        err = cors_map_start(m, p);
    }
    if (err) {
        printf("error: %s\n", err);
        exit(1);
    }
    cors_map_follow(m);
    return m;
}

static long file_kb(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)(st.st_size / 1024) : -1;
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
    const char *path;

    apr_initialize();
    apr_pool_create(&p, NULL);
    if (argc == 3 && strcmp(argv[1], "load") == 0) {
        long n = atol(argv[2]);
        apr_time_t t0;
        cors_map_info info;
        struct timeval tv[2];
        char img[256];
        path = write_txt(p, n);
        /* settled: written before the settle interval */
        gettimeofday(&tv[0], NULL);
        tv[0].tv_sec -= 60;
        tv[1] = tv[0];
        utimes(path, tv);
        t0 = apr_time_now();
        m = start_map(p, path);
        cors_map_describe(p, m, &info);
        apr_snprintf(img, sizeof(img), "/tmp/map_bench.%ld.img",
                     (long)getpid());
        printf("txt map of %ld entries (%ld KB): read, compiled and published "
               "in %.3f s\n", info.entries, file_kb(path),
               (double)(apr_time_now() - t0) / 1e6);
        {
            char cmd[512];
            apr_snprintf(cmd, sizeof(cmd), "du -k %s/*.map | sed "
                         "'s/\\t.*/ KB of image/'; rm -rf %s", img, img);
            fflush(stdout);
            if (system(cmd) != 0) {
                return 1;
            }
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
            m = start_map(p, path);
            data = m;
        }
        printf("%s n=%ld: %ld hits of %ld\n", argv[2], n,
               lookups(fn, data, origins, l), l);
        return 0;
    }
    fprintf(stderr, "usage: map_bench load N | lookup txt|sdbm|set N L\n");
    return 2;
}
