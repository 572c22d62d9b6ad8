/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_cors_map.c -- unit tests of cors_map.c (CORSAllowOriginMap).
 *
 * Built and run by `make unit-map`.  Real files in a temporary directory,
 * real apr_dbm files (and httxt2dbm's, when apache2-utils is there), real
 * threads.  Ends with exactly one line "N passed, N failed"; exit status 1
 * if any check failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apr_general.h"
#include "apr_atomic.h"
#include "apr_dbm.h"
#include "apr_pools.h"
#include "apr_strings.h"
#include "apr_thread_proc.h"
#include "apr_time.h"

#include "cors_map.h"

#include "check.h"

#define CHECK_MSG(expr, msg) CHECKM(expr, msg)

/* An error that must exist and hold every one of the strings. */
static void check_error(const char *err, const char *const *want,
                        const char *file, int line)
{
    if (!check_err(err, "an error", file, line, NULL)) {
        return;
    }
    for (; *want; want++) {
        check_strstr(err, *want, "the error", file, line, NULL);
    }
}
#define CHECK_ERROR(err, ...)                                                 \
    do {                                                                      \
        static const char *const want_[] = { __VA_ARGS__, NULL };            \
        check_error((err), want_, __FILE__, __LINE__);                        \
    } while (0)

/* ------------------------------------------------------------------------
 * Helpers
 */

static char tmpdir[64];

static const char *tpath(apr_pool_t *p, const char *name)
{
    return apr_pstrcat(p, tmpdir, "/", name, NULL);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    fputs(text, f);
    fclose(f);
}

/* Writes path.tmp and renames it over path, as a careful tool does. */
static void replace_file(apr_pool_t *p, const char *path, const char *text)
{
    const char *tmp = apr_pstrcat(p, path, ".tmp", NULL);
    write_file(tmp, text);
    if (rename(tmp, path) != 0) {
        perror("rename");
        exit(2);
    }
}

typedef struct {
    int errors, infos;
    char last[2048];
} log_capture;

static void capture(void *baton, cors_map_log_level level, const char *msg)
{
    log_capture *lc = baton;
    if (level == CORS_MAP_LOG_INFO) {
        lc->infos++;
    }
    else {
        lc->errors++;
    }
    apr_cpystrn(lc->last, msg, sizeof(lc->last));
}

static cors_map *open_ok(apr_pool_t *p, const char *spec)
{
    cors_map *m = NULL;
    const char *err = cors_map_open(p, spec, NULL, &m);
    CHECK_MSG(err == NULL && m != NULL, err);
    return err ? NULL : m;
}

/* A txt map of one origin at file f, its messages captured in lc; NULL
 * (a failed check) if it does not open. */
static cors_map *open_captured(apr_pool_t *p, const char *f,
                               log_capture *lc)
{
    cors_map *m;

    write_file(f, "https://a.example\n");
    if ((m = open_ok(p, f)) != NULL) {
        cors_map_set_logger(m, capture, lc);
    }
    return m;
}

static const char *parse(apr_pool_t *p, const char *text, apr_size_t chunk,
                         cors_origins **set, long *n)
{
    *set = cors_origins_make(p);
    return cors_map_parse_txt(p, "origins.txt", text, strlen(text), chunk,
                              *set, n);
}

/* ------------------------------------------------------------------------
 * Tests
 */

static void test_spec(apr_pool_t *p)
{
    cors_map *m;
    cors_map_info info;
    const char *f = tpath(p, "spec.txt"), *err;

    write_file(f, "https://a.example\n");
    m = open_ok(p, f);
    if (m) {
        cors_map_describe(m, &info);
        CHECK(info.kind == CORS_MAP_TXT && info.entries == 1);
        CHECK(strcmp(info.path, f) == 0 && info.dbm_type == NULL);
        CHECK(info.loaded > 0);
    }
    m = open_ok(p, apr_pstrcat(p, "txt:", f, NULL));
    CHECK(m && cors_map_match(m, "https://a.example"));
    CHECK(m && !cors_map_match(m, "https://b.example"));
    /* the same spec twice: one map */
    CHECK(m == open_ok(p, apr_pstrcat(p, "txt:", f, NULL)));
    /* a relative path is taken from root */
    err = cors_map_open(p, "txt:spec.txt", tmpdir, &m);
    CHECK_MSG(err == NULL, err);
    if (err == NULL) {
        cors_map_describe(m, &info);
        CHECK(strcmp(info.path, f) == 0);
    }
    err = cors_map_open(p, "dbm=ndbm2:/x", NULL, &m);
    CHECK_ERROR(err, "dbm=ndbm2:/x", "ndbm2");
    err = cors_map_open(p, "dbm=sdbm", NULL, &m);
    CHECK_ERROR(err, "dbm=sdbm");
    err = cors_map_open(p, "txt:", NULL, &m);
    CHECK_ERROR(err, "'txt:' names no file");
    err = cors_map_open(p, apr_pstrcat(p, "txt:", tmpdir, "/missing.txt",
                                       NULL), NULL, &m);
    CHECK_ERROR(err, "missing.txt", "No such file");
    err = cors_map_open(p, apr_pstrcat(p, "txt:", tmpdir, NULL), NULL, &m);
    CHECK_ERROR(err, "not a regular file");
    err = cors_map_open(p, apr_pstrcat(p, "dbm=sdbm:", tmpdir, "/nodbm",
                                       NULL), NULL, &m);
    CHECK_ERROR(err, "nodbm");
}

static void test_parse(apr_pool_t *p)
{
    static const char text[] =
        "# customers\n"
        "\n"
        "https://a.example\n"
        "   https://B.Example:443   allow   # default port dropped\n"
        "https://*.c.example allow\r\n"
        "http://localhost:*\n"
        "\t\n"
        "https://[::1]:8443";          /* no final newline */
    static const apr_size_t chunks[] = { 0, 1, 2, 7, 64 };
    size_t i;

    for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
        cors_origins *set;
        long n = -1;
        const char *err = parse(p, text, chunks[i], &set, &n);
        CHECK_MSG(err == NULL, err);
        CHECK(n == 5);
        CHECK(cors_origins_match(set, "https://a.example") == CORS_ORIGIN_MATCH);
        CHECK(cors_origins_match(set, "https://b.example") == CORS_ORIGIN_MATCH);
        CHECK(cors_origins_match(set, "https://x.c.example") == CORS_ORIGIN_MATCH);
        CHECK(cors_origins_match(set, "https://x.y.c.example") == CORS_ORIGIN_MATCH);
        CHECK(cors_origins_match(set, "https://c.example") != CORS_ORIGIN_MATCH);
        CHECK(cors_origins_match(set, "http://localhost:3000") == CORS_ORIGIN_MATCH);
        CHECK(cors_origins_match(set, "http://localhost") == CORS_ORIGIN_MATCH);
        CHECK(cors_origins_match(set, "https://[::1]:8443") == CORS_ORIGIN_MATCH);
        CHECK(cors_origins_match(set, "https://evil.example") != CORS_ORIGIN_MATCH);
        CHECK(cors_origins_match(set, "https://allow") != CORS_ORIGIN_MATCH);
    }
}

static void test_parse_errors(apr_pool_t *p)
{
    static const struct {
        const char *text;
        const char *want[3];
    } bad[] = {
        { "https://a.example\n*\n", { "origins.txt line 2", "'*'" } },
        { "https://a.example\n\nnull\n", { "line 3", "'null'" } },
        { "NULL allow\n", { "line 1", "'null'" } },
        { "https://*.com\n", { "line 1", "'https://*.com'" } },
        { "#\nhttps://*.co.uk allow\n", { "line 2", "https://*.co.uk" } },
        { "https://a.example/\n", { "line 1", "'https://a.example/'" } },
        { "https://a.example/path\n", { "line 1", "/path" } },
        { "a.example\n", { "line 1", "'a.example'" } },
        { "http://127.1\n", { "line 1", "http://127.1" } },
        { "https://a.example https://b.example\n",
          { "line 1", "'https://b.example'", "one origin per line" } },
        { "https://a.example\nhttps://b.example:0 allow\n",
          { "line 2", "https://b.example:0" } },
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cors_origins *set;
        long n;
        const char *err = parse(p, bad[i].text, 0, &set, &n);
        int k;
        if (!CHECK_MSG(err != NULL, bad[i].text)) {
            continue;
        }
        for (k = 0; k < 3 && bad[i].want[k]; k++) {
            CHECK_MSG(strstr(err, bad[i].want[k]) != NULL, err);
        }
    }
}

static void test_bounds(apr_pool_t *p)
{
    char *line = apr_palloc(p, CORS_MAP_LINE_MAX + 64);
    cors_origins *set;
    const char *err, *f;
    apr_time_t start;
    cors_map *m;
    long n;
    int fd;

    /* exactly CORS_MAP_LINE_MAX bytes (a comment pads it): fine */
    memset(line, ' ', CORS_MAP_LINE_MAX);
    memcpy(line, "https://a.example #", 19);
    memcpy(line + CORS_MAP_LINE_MAX, "\n", 2);
    err = parse(p, line, 0, &set, &n);
    CHECK_MSG(err == NULL && n == 1, err);
    err = parse(p, line, 100, &set, &n);
    CHECK_MSG(err == NULL && n == 1, err);
    /* one more byte: refused, at its line */
    memset(line, ' ', CORS_MAP_LINE_MAX + 1);
    memcpy(line, "https://a.example #", 19);
    memcpy(line + CORS_MAP_LINE_MAX + 1, "\n", 2);
    err = parse(p, apr_pstrcat(p, "https://b.example\n", line, NULL), 0, &set,
                &n);
    CHECK_ERROR(err, "line 2", "longer than 1024 bytes");
    err = parse(p, apr_pstrcat(p, "https://b.example\n", line, NULL), 3, &set,
                &n);
    CHECK_ERROR(err, "line 2", "longer than 1024 bytes");
    /* a NUL byte */
    set = cors_origins_make(p);
    err = cors_map_parse_txt(p, "x", "https://a.example\nhttps://b\0x\n", 29,
                             0, set, &n);
    CHECK_ERROR(err, "line 2", "NUL");
    /* a NUL past the bound: the length decides, however it is read
     * (found by fuzz_map_txt) */
    {
        char *nul = apr_pcalloc(p, CORS_MAP_LINE_MAX + 8);
        apr_size_t c;
        memset(nul, 'x', CORS_MAP_LINE_MAX + 4);
        nul[CORS_MAP_LINE_MAX + 2] = '\0';
        for (c = 0; c <= 7; c++) {
            set = cors_origins_make(p);
            err = cors_map_parse_txt(p, "x", nul, CORS_MAP_LINE_MAX + 4, c,
                                     set, &n);
            CHECK_ERROR(err, "line 1", "longer than");
        }
    }
    /* a file of one endless line: refused after the first KB read */
    f = tpath(p, "long.txt");
    {
        char *big = malloc(8 << 20);
        memset(big, 'a', 8 << 20);
        big[(8 << 20) - 1] = '\0';
        write_file(f, big);
        free(big);
    }
    start = apr_time_now();
    err = cors_map_open(p, f, NULL, &m);
    CHECK_ERROR(err, "long.txt line 1", "longer than");
    printf("    endless line (8 MB) refused in %" APR_TIME_T_FMT " us\n",
           apr_time_now() - start);
    /* a file over the size bound (sparse): refused before reading */
    f = tpath(p, "huge.txt");
    fd = open(f, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0 && ftruncate(fd, CORS_MAP_FILE_MAX + 1) == 0);
    close(fd);
    start = apr_time_now();
    err = cors_map_open(p, f, NULL, &m);
    CHECK_ERROR(err, "huge.txt", "bytes", "dbm");
    printf("    %ld-byte file refused in %" APR_TIME_T_FMT " us\n",
           (long)CORS_MAP_FILE_MAX + 1, apr_time_now() - start);
    unlink(f);
}

/* Waits (bounded) until the map's answer for origin is want. */
static int poll_match(cors_map *m, const char *origin, int want,
                      double seconds)
{
    apr_time_t end = apr_time_now() + apr_time_from_msec(seconds * 1000);
    do {
        if (!!cors_map_match(m, origin) == want) {
            return 1;
        }
        apr_sleep(apr_time_from_msec(20));
    } while (apr_time_now() < end);
    return 0;
}

static void test_reload_txt(apr_pool_t *p)
{
    const char *f = tpath(p, "reload.txt");
    log_capture lc = { 0, 0, "" };
    cors_map_info info;
    cors_map *m;

    if ((m = open_captured(p, f, &lc)) == NULL) {
        return;
    }
    CHECK(cors_map_match(m, "https://a.example"));

    /* edited in place: seen by the once-a-second check in cors_map_match
     * (polled for at most 3 s) */
    write_file(f, "https://a.example\nhttps://b.example\n");
    CHECK(poll_match(m, "https://b.example", 1, 3.0));
    CHECK(cors_map_match(m, "https://a.example"));
    cors_map_describe(m, &info);
    CHECK(info.entries == 2 && info.reloads >= 1);
    CHECK(lc.infos >= 1 && strstr(lc.last, "reloaded") != NULL);

    /* replaced by rename */
    replace_file(p, f, "https://c.example\n");
    CHECK(cors_map_check_now(m) == 1);
    CHECK(cors_map_match(m, "https://c.example"));
    CHECK(!cors_map_match(m, "https://a.example"));
    CHECK(!cors_map_match(m, "https://b.example"));

    /* in place again, same size: the identity of a recent write is not
     * trusted, so even this is seen */
    write_file(f, "https://d.example\n");
    CHECK(cors_map_check_now(m) == 1);
    CHECK(cors_map_match(m, "https://d.example"));
    CHECK(!cors_map_match(m, "https://c.example"));
    CHECK(lc.errors == 0);
}

static void test_bad_reload(apr_pool_t *p)
{
    const char *f = tpath(p, "bad.txt");
    log_capture lc = { 0, 0, "" };
    cors_map *m;

    if ((m = open_captured(p, f, &lc)) == NULL) {
        return;
    }
    replace_file(p, f, "https://b.example\n# x\nhttps://*.com\n");
    CHECK(cors_map_check_now(m) == 0);
    CHECK(lc.errors == 1);
    CHECK_MSG(strstr(lc.last, "bad.txt line 3") != NULL, lc.last);
    CHECK_MSG(strstr(lc.last, "https://*.com") != NULL, lc.last);
    CHECK_MSG(strstr(lc.last, "keeping") != NULL, lc.last);
    /* the last good set stays: a in, b (from the bad file) out */
    CHECK(cors_map_match(m, "https://a.example"));
    CHECK(!cors_map_match(m, "https://b.example"));
    /* once per change */
    CHECK(cors_map_check_now(m) == 0);
    CHECK(cors_map_check_now(m) == 0);
    CHECK(lc.errors == 1);
    /* a second bad change: logged again */
    replace_file(p, f, "*\n");
    CHECK(cors_map_check_now(m) == 0);
    CHECK(lc.errors == 2 && strstr(lc.last, "line 1") != NULL);
    /* fixed */
    replace_file(p, f, "https://b.example\n");
    CHECK(cors_map_check_now(m) == 1);
    CHECK(cors_map_match(m, "https://b.example"));
    CHECK(!cors_map_match(m, "https://a.example"));
}

static void test_deleted(apr_pool_t *p)
{
    const char *f = tpath(p, "gone.txt");
    log_capture lc = { 0, 0, "" };
    cors_map *m;

    if ((m = open_captured(p, f, &lc)) == NULL) {
        return;
    }
    unlink(f);
    CHECK(cors_map_check_now(m) == 0);
    CHECK(cors_map_check_now(m) == 0);
    CHECK(lc.errors == 1);
    CHECK_MSG(strstr(lc.last, "gone.txt") && strstr(lc.last, "keeping"),
              lc.last);
    CHECK(cors_map_match(m, "https://a.example"));
    /* back, with other content */
    write_file(f, "https://b.example\n");
    CHECK(cors_map_check_now(m) == 1);
    CHECK(cors_map_match(m, "https://b.example"));
    CHECK(!cors_map_match(m, "https://a.example"));
    /* gone again: logged again (once) */
    unlink(f);
    CHECK(cors_map_check_now(m) == 0);
    CHECK(lc.errors == 2);
    CHECK(cors_map_match(m, "https://b.example"));
}

/* Writes an sdbm file whose keys are the origins (values "allow"). */
static void write_sdbm(apr_pool_t *p, const char *path,
                       const char *const *keys)
{
    apr_dbm_t *db;
    apr_datum_t k, v;
    if (apr_dbm_open_ex(&db, "SDBM", path, APR_DBM_RWTRUNC, APR_OS_DEFAULT,
                        p) != APR_SUCCESS) {
        printf("cannot create %s\n", path);
        exit(2);
    }
    for (; *keys; keys++) {
        k.dptr = (char *)*keys;
        k.dsize = strlen(*keys);
        v.dptr = "allow";
        v.dsize = 5;
        apr_dbm_store(db, k, v);
    }
    apr_dbm_close(db);
}

static void test_dbm_sdbm(apr_pool_t *p)
{
    static const char *const one[] = { "https://a.example",
                                       "http://localhost:8080", NULL };
    static const char *const two[] = { "https://b.example", NULL };
    static const char *const bad[] = { "https://a.example",
                                       "https://Upper.example", NULL };
    const char *base = tpath(p, "origins"), *tmp = tpath(p, "origins.new");
    const char *err;
    cors_map_info info;
    cors_map *m;

    write_sdbm(p, base, one);
    if ((m = open_ok(p, apr_pstrcat(p, "dbm=sdbm:", base, NULL))) == NULL) {
        return;
    }
    cors_map_describe(m, &info);
    CHECK(info.kind == CORS_MAP_DBM && info.entries == 2);
    CHECK(info.dbm_type && strcmp(info.dbm_type, "SDBM") == 0);
    CHECK(cors_map_match(m, "https://a.example"));
    CHECK(cors_map_match(m, "http://localhost:8080"));
    CHECK(!cors_map_match(m, "http://localhost:8081"));
    CHECK(!cors_map_match(m, "https://b.example"));
    /* the child's own handles */
    cors_map_child_init(p, p, 0);
    CHECK(cors_map_match(m, "https://a.example"));
    /* rebuilt to the side and renamed over (.pag, then .dir) */
    write_sdbm(p, tmp, two);
    rename(apr_pstrcat(p, tmp, ".pag", NULL), apr_pstrcat(p, base, ".pag", NULL));
    rename(apr_pstrcat(p, tmp, ".dir", NULL), apr_pstrcat(p, base, ".dir", NULL));
    CHECK(cors_map_check_now(m) == 1);
    CHECK(cors_map_match(m, "https://b.example"));
    CHECK(!cors_map_match(m, "https://a.example"));
    /* deleted: the open handles keep the last good file */
    unlink(apr_pstrcat(p, base, ".pag", NULL));
    unlink(apr_pstrcat(p, base, ".dir", NULL));
    CHECK(cors_map_check_now(m) == 0);
    CHECK(cors_map_match(m, "https://b.example"));
    /* at startup, a key that no browser sends is an error */
    write_sdbm(p, tpath(p, "badkeys"), bad);
    err = cors_map_open(p, apr_pstrcat(p, "dbm=sdbm:", tpath(p, "badkeys"),
                                       NULL), NULL, &m);
    CHECK_ERROR(err, "badkeys", "'https://Upper.example'");
}

/* Builds a dbm file with httxt2dbm; 0 when it is not installed. */
static int httxt2dbm(apr_pool_t *p, const char *type, const char *txt,
                     const char *out)
{
    const char *cmd = apr_psprintf(p, "httxt2dbm -f %s -i %s -o %s "
                                   ">/dev/null 2>&1", type, txt, out);
    if (access("/usr/sbin/httxt2dbm", X_OK) != 0
        && system("command -v httxt2dbm >/dev/null 2>&1") != 0) {
        return 0;
    }
    return system(cmd) == 0;
}

static void test_dbm_httxt2dbm(apr_pool_t *p)
{
    static const char *const types[][2] = { { "SDBM", "dbm=sdbm:" },
                                            { "GDBM", "dbm=gdbm:" },
                                            { "default", "dbm:" } };
    const char *txt = tpath(p, "tenants.txt");
    size_t i;

    /* the same file a txt map reads, with httxt2dbm's value field */
    write_file(txt, "# tenants\nhttps://t1.example allow\n"
               "https://t2.example:8443 allow\n");
    {
        cors_map *m = open_ok(p, apr_pstrcat(p, "txt:", txt, NULL));
        CHECK(m && cors_map_match(m, "https://t2.example:8443"));
    }
    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        const char *out = tpath(p, apr_pstrcat(p, "tenants-", types[i][0],
                                               ".map", NULL));
        cors_map *m;
        cors_map_info info;

        if (!CHECK_MSG(httxt2dbm(p, types[i][0], txt, out), types[i][0])) {
            continue;
        }
        if ((m = open_ok(p, apr_pstrcat(p, types[i][1], out, NULL))) == NULL) {
            continue;
        }
        cors_map_describe(m, &info);
        CHECK_MSG(info.entries == 2, types[i][0]);
        CHECK_MSG(cors_map_match(m, "https://t1.example"), types[i][0]);
        CHECK_MSG(cors_map_match(m, "https://t2.example:8443"), types[i][0]);
        CHECK_MSG(!cors_map_match(m, "https://t3.example"), types[i][0]);
        CHECK_MSG(!cors_map_match(m, "https://t2.example"), types[i][0]);
    }
}

/* Threads matching while the file is rewritten over and over: every
 * answer must come from a whole version.  Version A lists a0..a49 then
 * "last", version B b0..b49 then "last"; "last" is written last, so a
 * half-built set would miss it, and never-listed must never match. */
typedef struct {
    cors_map *map;
    volatile apr_uint32_t stop;
    volatile apr_uint32_t wrong;
    volatile apr_uint32_t lookups;
} race;

static void *APR_THREAD_FUNC race_reader(apr_thread_t *t, void *data)
{
    race *r = data;
    char origin[64];
    unsigned long i = 0;

    while (!apr_atomic_read32(&r->stop)) {
        apr_snprintf(origin, sizeof(origin), "https://%c%lu.example",
                     (i & 1) ? 'a' : 'b', i % 50);
        cors_map_match(r->map, origin);     /* either answer is right */
        if (!cors_map_match(r->map, "https://last.example")
            || cors_map_match(r->map, "https://never.example")) {
            apr_atomic_inc32(&r->wrong);
        }
        apr_atomic_add32(&r->lookups, 3);
        i++;
    }
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

static const char *version_text(apr_pool_t *p, char c)
{
    char *s = "";
    int i;
    for (i = 0; i < 50; i++) {
        s = apr_psprintf(p, "%shttps://%c%d.example allow\n", s, c, i);
    }
    return apr_pstrcat(p, s, "https://last.example\n", NULL);
}

static void test_threads(apr_pool_t *p)
{
    const char *f = tpath(p, "race.txt");
    const char *texts[2];
    apr_thread_t *th[4];
    apr_status_t rv;
    race r;
    int i, swaps = 0;

    texts[0] = version_text(p, 'a');
    texts[1] = version_text(p, 'b');
    write_file(f, texts[0]);
    if ((r.map = open_ok(p, f)) == NULL) {
        return;
    }
    r.stop = r.wrong = r.lookups = 0;
    for (i = 0; i < 4; i++) {
        apr_thread_create(&th[i], NULL, race_reader, &r, p);
    }
    /* Replaced by rename: a file written in place can be read half
     * written (by the once-a-second check of a reader), which gives a
     * short set until the next check, never a wrong origin; that case is
     * test_reload_txt's. */
    for (i = 0; i < 400; i++) {
        replace_file(p, f, texts[i & 1]);
        swaps += cors_map_check_now(r.map);
    }
    apr_sleep(apr_time_from_msec(50));
    apr_atomic_set32(&r.stop, 1);
    for (i = 0; i < 4; i++) {
        apr_thread_join(&rv, th[i]);
    }
    printf("    %d swaps, %u lookups by 4 threads, %u wrong\n", swaps,
           r.lookups, r.wrong);
    CHECK(r.wrong == 0);
    CHECK(swaps > 300);
}

static const check_test tests[] = {
    { "spec", test_spec },
    { "parse", test_parse },
    { "parse_errors", test_parse_errors },
    { "bounds", test_bounds },
    { "reload_txt", test_reload_txt },
    { "bad_reload", test_bad_reload },
    { "deleted", test_deleted },
    { "dbm_sdbm", test_dbm_sdbm },
    { "dbm_httxt2dbm", test_dbm_httxt2dbm },
    { "threads", test_threads },
};

int main(int argc, char **argv)
{
    const char *only = argc > 1 ? argv[1] : NULL;

    if (!check_start()) {
        return 1;
    }
    strcpy(tmpdir, "/tmp/test_cors_map.XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        printf("0 passed, 1 failed\n");
        return 1;
    }
    check_run(tests, N_ELEMS(tests), only);
    {
        char cmd[128];
        apr_snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
        if (system(cmd) != 0) {
            printf("could not remove %s\n", tmpdir);
        }
    }
    apr_terminate();
    return check_report();
}
