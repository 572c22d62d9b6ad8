/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_cors_map.c -- unit tests of cors_map.c and cors_image.c
 * (CORSAllowOriginMap as published versions).
 *
 * Built and run by `make test-unit` (or `make unit-map`).  Real files in a
 * temporary directory, real apr_dbm files (and httxt2dbm's, when
 * apache2-utils is there), a real FIFO, real threads.  The loader and a
 * child are the same process here: cors_map_poll() publishes,
 * cors_map_follow() maps.  Ends with
 * exactly one line "N passed, N failed"; exit status 1 if any check
 * failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "apr_general.h"
#include "apr_atomic.h"
#include "apr_dbm.h"
#include "apr_pools.h"
#include "apr_strings.h"
#include "apr_thread_proc.h"
#include "apr_time.h"

#include "cors_image.h"
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

typedef struct {
    int errors, infos;
    char last[2048];
    char all[16384];            /* every message, one per line */
} log_capture;

static void capture(void *baton, cors_log_level level, const char *msg)
{
    log_capture *lc = baton;
    if (level == CORS_LOG_INFO) {
        lc->infos++;
    }
    else {
        lc->errors++;
    }
    apr_cpystrn(lc->last, msg, sizeof(lc->last));
    if (strlen(lc->all) + strlen(msg) + 2 < sizeof(lc->all)) {
        strcat(lc->all, msg);
        strcat(lc->all, "\n");
    }
}

/* Dates a file back, so that the loader takes it as settled at once (a
 * file written just now waits CORS_MAP_SETTLE_MS first). */
static void age(const char *path)
{
    struct timeval tv[2];
    gettimeofday(&tv[0], NULL);
    tv[0].tv_sec -= 60;
    tv[1] = tv[0];
    utimes(path, tv);
}

/* Writes a settled file in place of path (by rename). */
static void replace_aged(apr_pool_t *p, const char *path, const char *text)
{
    const char *tmp = apr_pstrcat(p, path, ".tmp", NULL);
    write_file(tmp, text);
    age(tmp);
    if (rename(tmp, path) != 0) {
        perror("rename");
        exit(2);
    }
}

/* The image of what b holds, ready for lookups (in p). */
static cors_image *image_of(apr_pool_t *p, cors_map_builder *b)
{
    cors_image_meta meta = { 1, 0, 0, 0, "", 0 };
    apr_size_t size = cors_image_size(b);
    void *buf = apr_palloc(p, size);
    cors_image *img = apr_palloc(p, sizeof(*img));
    const char *err;

    meta.entries = cors_image_builder_entries(b);
    size = cors_image_write(b, &meta, buf);
    err = cors_image_open(p, buf, size, img);
    CHECK_MSG(err == NULL, err);
    return err ? NULL : img;
}

static const char *parse(apr_pool_t *p, const char *text, apr_size_t chunk,
                         cors_image **img, long *n)
{
    cors_map_builder *b = cors_image_builder_make(p, CORS_BUILD_ANY_ENTRY);
    int comments;
    const char *err = cors_map_parse_txt(p, "origins.txt", text,
                                         strlen(text), chunk, b, &comments);

    *n = cors_image_builder_entries(b);
    *img = err ? NULL : image_of(p, b);
    return err;
}

static int allows(const cors_image *img, const char *origin)
{
    return img && cors_image_match(img, origin);
}

/* A map of spec, started as the parent starts it and followed as a child
 * does; its shared state is calloc'ed, its messages go to lc. */
static cors_map *start_map(apr_pool_t *p, const char *spec, log_capture *lc,
                           const char **err)
{
    cors_map *m = NULL;

    *err = cors_map_define(p, spec, NULL, &m);
    if (*err) {
        return NULL;
    }
    memset(lc, 0, sizeof(*lc));
    cors_map_set_logger(m, capture, lc);
    cors_map_attach(m, tpath(p, "img"), calloc(1, cors_map_shared_size()));
    if ((*err = cors_map_start(m, p)) != NULL) {
        return NULL;
    }
    cors_map_follow(m);
    return m;
}

static cors_map *start_ok(apr_pool_t *p, const char *spec, log_capture *lc)
{
    const char *err;
    cors_map *m = start_map(p, spec, lc, &err);

    CHECK_MSG(m != NULL, err);
    return m;
}

/* The loader's ticks until want(origin) is what the map says, at most
 * 3 seconds; returns how many versions were published. */
static int poll_until(apr_pool_t *p, cors_map *m, const char *origin,
                      int want)
{
    int i, published = 0;

    for (i = 0; i < 60; i++) {
        published += cors_map_poll(m, p);
        cors_map_follow(m);
        if (!!cors_map_match(m, origin) == want) {
            break;
        }
        apr_sleep(apr_time_from_msec(50));
    }
    return published;
}

/* A few loader ticks, for what must not change. */
static int ticks(apr_pool_t *p, cors_map *m, int n)
{
    int published = 0;

    while (n-- > 0) {
        published += cors_map_poll(m, p);
        cors_map_follow(m);
        apr_sleep(apr_time_from_msec(CORS_MAP_TICK_MS / 4));
    }
    return published;
}

static cors_map_info info_of(apr_pool_t *p, cors_map *m)
{
    cors_map_info info;
    cors_map_describe(p, m, &info);
    return info;
}

/* ------------------------------------------------------------------------
 * Tests: the parser and the image
 */

static void test_spec(apr_pool_t *p)
{
    cors_map *m;
    const char *err;

    CHECK(cors_map_define(p, "txt:a.txt", "/srv", &m) == NULL
          && cors_map_kind_of(m) == CORS_MAP_TXT);
    CHECK(cors_map_define(p, "dbm=sdbm:/x/a", NULL, &m) == NULL
          && cors_map_kind_of(m) == CORS_MAP_DBM);
    err = cors_map_define(p, "dbm=ndbm2:/x", NULL, &m);
    CHECK_ERROR(err, "unknown dbm type 'ndbm2'");
    err = cors_map_define(p, "dbm=sdbm", NULL, &m);
    CHECK_ERROR(err, "unknown dbm type");
    err = cors_map_define(p, "txt:", NULL, &m);
    CHECK_ERROR(err, "names no file");
    /* defining reads nothing: a missing file is the start's business */
    CHECK(cors_map_define(p, "txt:/nonexistent/x.txt", NULL, &m) == NULL);
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
        "https://a.example\n"          /* twice */
        "https://[::1]:8443\n";
    static const apr_size_t chunks[] = { 0, 1, 2, 7, 64 };
    size_t i;

    for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
        cors_image *img;
        long n = -1;
        const char *err = parse(p, text, chunks[i], &img, &n);
        CHECK_MSG(err == NULL, err);
        CHECK(n == 6);
        CHECK(allows(img, "https://a.example"));
        CHECK(allows(img, "https://b.example"));
        CHECK(allows(img, "https://x.c.example"));
        CHECK(allows(img, "https://x.y.c.example"));
        CHECK(!allows(img, "https://c.example"));
        CHECK(!allows(img, "https://xc.example"));
        CHECK(allows(img, "http://localhost:3000"));
        CHECK(allows(img, "http://localhost"));
        CHECK(allows(img, "https://[::1]:8443"));
        CHECK(!allows(img, "https://evil.example"));
        CHECK(!allows(img, "https://allow"));
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
        /* a write cut short: the cut line is never an entry */
        { "https://keep.example.com\nhttps://last.example.com:84",
          { "line 2", "does not end with a newline" } },
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cors_image *img;
        long n;
        const char *err = parse(p, bad[i].text, 0, &img, &n);
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
    cors_map_builder *b;
    cors_image *img;
    const char *err, *f;
    apr_time_t start;
    cors_map *m;
    long n, i;
    int comments;

    /* exactly CORS_MAP_LINE_MAX bytes (a comment pads it): fine */
    memset(line, ' ', CORS_MAP_LINE_MAX);
    memcpy(line, "https://a.example #", 19);
    memcpy(line + CORS_MAP_LINE_MAX, "\n", 2);
    err = parse(p, line, 0, &img, &n);
    CHECK_MSG(err == NULL && n == 1, err);
    err = parse(p, line, 100, &img, &n);
    CHECK_MSG(err == NULL && n == 1, err);
    /* one more byte: refused, at its line */
    memset(line, ' ', CORS_MAP_LINE_MAX + 1);
    memcpy(line, "https://a.example #", 19);
    memcpy(line + CORS_MAP_LINE_MAX + 1, "\n", 2);
    err = parse(p, apr_pstrcat(p, "https://b.example\n", line, NULL), 0, &img,
                &n);
    CHECK_ERROR(err, "line 2", "longer than 1024 bytes");
    err = parse(p, apr_pstrcat(p, "https://b.example\n", line, NULL), 3, &img,
                &n);
    CHECK_ERROR(err, "line 2", "longer than 1024 bytes");
    /* a NUL byte */
    b = cors_image_builder_make(p, CORS_BUILD_ANY_ENTRY);
    err = cors_map_parse_txt(p, "x", "https://a.example\nhttps://b\0x\n", 29,
                             0, b, &comments);
    CHECK_ERROR(err, "line 2", "NUL");
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
    CHECK(cors_map_define(p, f, NULL, &m) == NULL);
    err = cors_map_test(m, p);
    CHECK_ERROR(err, "long.txt line 1", "longer than");
    CHECK(apr_time_now() - start < apr_time_from_sec(1));
    /* the entry limit is checked as entries come, before anything is
     * built: entry CORS_MAP_ENTRIES_MAX + 1 is refused */
    b = cors_image_builder_make(p, CORS_BUILD_EXACT_ONLY);
    for (i = 0, err = NULL; err == NULL && i <= CORS_MAP_ENTRIES_MAX; i++) {
        char o[64];
        int len = apr_snprintf(o, sizeof(o), "https://t%ld.example", i);
        err = cors_map_builder_add(b, o, (apr_size_t)len);
    }
    CHECK_ERROR(err, "more than 2000000 entries");
    CHECK(i == CORS_MAP_ENTRIES_MAX + 1);
}

/* The image answers as a CORSAllowOrigin set of the same entries does. */
static void test_image_like_a_set(apr_pool_t *p)
{
    static const char *const entries[] = {
        "https://a.example", "https://*.b.example", "https://*.b.example:8443",
        "http://localhost:*", "https://*.c.example:*", "http://[::1]:3000",
        "https://x.y.z.example", "capacitor://localhost",
    };
    static const char *const origins[] = {
        "https://a.example", "https://a.example:443", "https://b.example",
        "https://q.b.example", "https://q.r.b.example", "https://q.b.example:8443",
        "https://q.b.example:9", "http://localhost", "http://localhost:1",
        "https://localhost:1", "https://c.example:1", "https://d.c.example:1",
        "https://d.c.example", "http://[::1]:3000", "http://[::1]",
        "https://y.z.example", "https://x.y.z.example", "capacitor://localhost",
        "https://evila.example", "https://a.example.evil.net",
    };
    cors_map_builder *b = cors_image_builder_make(p, CORS_BUILD_ANY_ENTRY);
    cors_origins *set = cors_origins_make(p);
    cors_image *img;
    size_t i;

    for (i = 0; i < N_ELEMS(entries); i++) {
        CHECK(cors_map_builder_add(b, entries[i], strlen(entries[i])) == NULL);
        CHECK(cors_origins_add(set, p, entries[i]) == NULL);
    }
    img = image_of(p, b);
    for (i = 0; img && i < N_ELEMS(origins); i++) {
        int want = cors_origin_is_valid(origins[i])
                   && cors_origins_match(set, origins[i]) == CORS_ORIGIN_MATCH;
        CHECK_MSG(!!cors_image_match(img, origins[i]) == want, origins[i]);
    }
}

/* A damaged image is refused whole, never half read. */
static void test_image_damage(apr_pool_t *p)
{
    cors_map_builder *b = cors_image_builder_make(p, CORS_BUILD_ANY_ENTRY);
    cors_image_meta meta = { 7, 0, 3, 0, "tok", 0 };
    apr_size_t size, i;
    unsigned char *buf;
    cors_image img;

    CHECK(cors_map_builder_add(b, "https://a.example", 17) == NULL);
    CHECK(cors_map_builder_add(b, "https://b.example", 17) == NULL);
    CHECK(cors_map_builder_add(b, "https://*.c.example", 19) == NULL);
    buf = apr_palloc(p, cors_image_size(b));
    size = cors_image_write(b, &meta, buf);
    CHECK(cors_image_open(p, buf, size, &img) == NULL);
    CHECK(img.meta.generation == 7 && strcmp(img.meta.token, "tok") == 0);
    CHECK_ERROR(cors_image_open(p, buf, size - 1, &img), "do not add up");
    CHECK_ERROR(cors_image_open(p, buf, 10, &img), "not an image");
    for (i = 0; i < size; i += 13) {
        buf[i] ^= 0x20;
        CHECK_MSG(cors_image_open(p, buf, size, &img) != NULL,
                  apr_psprintf(p, "byte %" APR_SIZE_T_FMT, i));
        buf[i] ^= 0x20;
    }
    CHECK(cors_image_open(p, buf, size, &img) == NULL);
}

/* ------------------------------------------------------------------------
 * Tests: versions
 */

static void test_start_and_publish(apr_pool_t *p)
{
    const char *f = tpath(p, "pub.txt");
    log_capture lc;
    cors_map_info info;
    cors_map *m;
    apr_uint64_t first;

    replace_aged(p, f, "https://a.example\nhttps://b.example\n");
    if ((m = start_ok(p, f, &lc)) == NULL) {
        return;
    }
    CHECK(cors_map_match(m, "https://a.example"));
    CHECK(!cors_map_match(m, "https://c.example"));
    info = info_of(p, m);
    CHECK(info.in_use && info.entries == 2 && info.error == NULL);
    first = info.generation;
    CHECK(first >= 1);
    /* nothing changed: nothing published */
    CHECK(ticks(p, m, 3) == 0);
    /* renamed in: published, followed */
    replace_aged(p, f, "https://c.example\n");
    CHECK(poll_until(p, m, "https://c.example", 1) == 1);
    CHECK(!cors_map_match(m, "https://a.example"));
    info = info_of(p, m);
    CHECK(info.generation == first + 1 && info.entries == 1);
    /* written in place and settled */
    write_file(f, "https://d.example\n");
    age(f);
    CHECK(poll_until(p, m, "https://d.example", 1) == 1);
    CHECK(!cors_map_match(m, "https://c.example"));
    /* the image removed under the server (a tmp cleaner): published again,
     * so that a child started later has a version */
    {
        char cmd[256];
        apr_snprintf(cmd, sizeof(cmd), "rm -f %s/img/*", tmpdir);
        CHECK(system(cmd) == 0);
        CHECK(ticks(p, m, 2) == 1);
        CHECK(info_of(p, m).generation == first + 3);
        CHECK(cors_map_match(m, "https://d.example"));
    }
}

/* A write just made waits the settle interval; a torn one never loads. */
static void test_settle_and_torn(apr_pool_t *p)
{
    const char *f = tpath(p, "torn.txt");
    log_capture lc;
    apr_time_t start;
    cors_map *m;

    replace_aged(p, f, "https://keep.example.com\n");
    if ((m = start_ok(p, f, &lc)) == NULL) {
        return;
    }
    /* fresh: not read before it has stood still for the settle time */
    write_file(f, "https://keep.example.com\nhttps://new.example.com\n");
    start = apr_time_now();
    CHECK(cors_map_poll(m, p) == 0);
    CHECK(poll_until(p, m, "https://new.example.com", 1) == 1);
    CHECK(apr_time_now() - start
          >= apr_time_from_msec(CORS_MAP_SETTLE_MS - 50));
    /* cut mid-line and left so: refused and logged, the last good stays */
    write_file(f, "https://keep.example.com\nhttps://last.example.com:84");
    age(f);
    CHECK(ticks(p, m, 4) == 0);
    CHECK(!cors_map_match(m, "https://last.example.com:84"));
    CHECK(cors_map_match(m, "https://new.example.com"));
    CHECK(lc.errors == 1 && strstr(lc.last, "does not end with a newline")
          && strstr(lc.last, "keeping the last good version"));
    CHECK(info_of(p, m).failures == 1);
    /* the write finishes: loaded at the next tick after the retry time */
    write_file(f, "https://keep.example.com\nhttps://last.example.com:8443\n");
    age(f);
    CHECK(poll_until(p, m, "https://last.example.com:8443", 1) == 1);
    CHECK(info_of(p, m).error == NULL);
}

/* Empty, blank, comments only; a FIFO and a directory in the map's place. */
static void test_not_a_version(apr_pool_t *p)
{
    const char *f = tpath(p, "odd.txt");
    log_capture lc;
    apr_time_t start;
    cors_map *m;

    replace_aged(p, f, "https://a.example\n");
    if ((m = start_ok(p, f, &lc)) == NULL) {
        return;
    }
    replace_aged(p, f, "");
    CHECK(ticks(p, m, 3) == 0 && cors_map_match(m, "https://a.example"));
    CHECK(strstr(lc.last, "empty (0 bytes)") != NULL);
    replace_aged(p, f, "\n  \n");
    CHECK(ticks(p, m, 8) == 0 && cors_map_match(m, "https://a.example"));
    CHECK(strstr(lc.last, "has no entries") != NULL);
    /* a FIFO: refused at once, nothing blocks (no writer ever comes) */
    unlink(f);
    CHECK(mkfifo(f, 0644) == 0);
    start = apr_time_now();
    CHECK(ticks(p, m, 3) == 0 && cors_map_match(m, "https://a.example"));
    CHECK(strstr(lc.last, "not a regular file") != NULL);
    CHECK_ERROR(cors_map_test(m, p), "not a regular file");
    CHECK(apr_time_now() - start < apr_time_from_sec(2));
    unlink(f);
    CHECK(mkdir(f, 0755) == 0);
    CHECK(ticks(p, m, 3) == 0 && cors_map_match(m, "https://a.example"));
    CHECK(strstr(lc.last, "not a regular file") != NULL);
    rmdir(f);
    /* comments only: a map that means to allow nothing */
    replace_aged(p, f, "# no origins\n");
    CHECK(poll_until(p, m, "https://a.example", 0) == 1);
    CHECK(info_of(p, m).entries == 0 && info_of(p, m).error == NULL);
    CHECK(strstr(lc.all, "only comments") != NULL);
}

/* A restart with a bad or missing file starts with the last good version;
 * without one it is an error. */
static void test_last_good_at_start(apr_pool_t *p)
{
    const char *f = tpath(p, "restart.txt");
    apr_pool_t *gen1, *gen2;
    log_capture lc;
    cors_map *m;
    const char *err;
    apr_uint64_t published;

    apr_pool_create(&gen1, p);
    replace_aged(p, f, "https://a.example\n");
    if ((m = start_ok(gen1, f, &lc)) == NULL) {
        return;
    }
    published = info_of(p, m).generation;
    apr_pool_destroy(gen1);
    replace_aged(p, f, "https://a.example\nhttps://*.com\n");
    apr_pool_create(&gen2, p);
    m = start_ok(gen2, f, &lc);
    CHECK(m && cors_map_match(m, "https://a.example"));
    CHECK(m && info_of(p, m).generation == published);
    CHECK(strstr(lc.all, "starting with the last good version") != NULL);
    apr_pool_destroy(gen2);
    /* unchanged since: the image is used as it is, not read again */
    replace_aged(p, f, "https://b.example\n");
    apr_pool_create(&gen2, p);
    m = start_ok(gen2, f, &lc);
    CHECK(m && info_of(p, m).generation == published + 1);
    apr_pool_destroy(gen2);
    apr_pool_create(&gen2, p);
    m = start_ok(gen2, f, &lc);
    CHECK(m && info_of(p, m).generation == published + 1);
    apr_pool_destroy(gen2);
    /* another map, never good: the start fails */
    f = tpath(p, "never.txt");
    replace_aged(p, f, "https://*.com\n");
    apr_pool_create(&gen2, p);
    CHECK(start_map(gen2, f, &lc, &err) == NULL);
    CHECK_ERROR(err, "never.txt line 1", "no last good version");
    apr_pool_destroy(gen2);
}

/* The image file written last in the images' directory. */
static const char *newest_image(apr_pool_t *p)
{
    glob_t g;
    const char *newest = NULL;
    struct stat st;
    apr_int64_t best = -1;
    size_t i;

    if (glob(tpath(p, "img/*.map"), 0, NULL, &g) != 0) {
        return NULL;
    }
    for (i = 0; i < g.gl_pathc; i++) {
        apr_int64_t ns;
        if (stat(g.gl_pathv[i], &st) != 0) {
            continue;
        }
        ns = (apr_int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
        if (ns > best) {
            best = ns;
            newest = apr_pstrdup(p, g.gl_pathv[i]);
        }
    }
    globfree(&g);
    return newest;
}

/* A child that could not map a published version (no file descriptor
 * left for a moment, say) tries again, and is not left answering from
 * the version before until the next change. */
static void test_follow_retries(apr_pool_t *p)
{
    const char *f = tpath(p, "follow.txt"), *img, *saved, *err;
    void *shared = calloc(1, cors_map_shared_size());
    apr_pool_t *child_conf;
    log_capture lc, child_lc;
    cors_map *loader, *child;

    replace_aged(p, f, "https://a.example\n");
    memset(&lc, 0, sizeof(lc));
    memset(&child_lc, 0, sizeof(child_lc));
    CHECK(cors_map_define(p, f, NULL, &loader) == NULL);
    cors_map_set_logger(loader, capture, &lc);
    cors_map_attach(loader, tpath(p, "img"), shared);
    err = cors_map_start(loader, p);
    CHECK_MSG(err == NULL, err);
    cors_map_follow(loader);
    /* the same map in a child: its own process state, the shared one */
    apr_pool_create(&child_conf, p);
    CHECK(cors_map_define(child_conf, f, NULL, &child) == NULL);
    cors_map_set_logger(child, capture, &child_lc);
    cors_map_attach(child, tpath(p, "img"), shared);
    cors_map_follow(child);
    CHECK(cors_map_match(child, "https://a.example"));
    /* the next version, published while the child cannot map it */
    replace_aged(p, f, "https://b.example\n");
    CHECK(poll_until(p, loader, "https://b.example", 1) == 1);
    img = newest_image(p);
    CHECK(img != NULL);
    if (img == NULL) {
        return;
    }
    saved = apr_pstrcat(p, img, ".saved", NULL);
    CHECK(rename(img, saved) == 0);
    cors_map_follow(child);
    CHECK(cors_map_match(child, "https://a.example"));
    CHECK(child_lc.errors == 1
          && strstr(child_lc.last, "cannot use the published version"));
    /* the image is back: the child maps it at a tick after the retry
     * time, and logged the failure once */
    CHECK(rename(saved, img) == 0);
    cors_map_follow(child);
    apr_sleep(apr_time_from_msec(CORS_MAP_RETRY_MS + 50));
    cors_map_follow(child);
    CHECK(cors_map_match(child, "https://b.example"));
    CHECK(!cors_map_match(child, "https://a.example"));
    CHECK(child_lc.errors == 1);
    apr_pool_destroy(child_conf);
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
    age(apr_pstrcat(p, path, ".dir", NULL));
    age(apr_pstrcat(p, path, ".pag", NULL));
}

static void test_dbm(apr_pool_t *p)
{
    static const char *const one[] = { "https://a.example",
                                       "http://localhost:8080", NULL };
    static const char *const two[] = { "https://b.example", NULL };
    static const char *const none[] = { NULL };
    static const char *const pattern[] = { "https://*.b.example", NULL };
    const char *base = tpath(p, "origins"), *spec, *err;
    log_capture lc;
    cors_map *m;

    write_sdbm(p, base, one);
    spec = apr_pstrcat(p, "dbm=sdbm:", base, NULL);
    if ((m = start_ok(p, spec, &lc)) == NULL) {
        return;
    }
    CHECK(info_of(p, m).entries == 2);
    CHECK(cors_map_match(m, "https://a.example"));
    CHECK(cors_map_match(m, "http://localhost:8080"));
    CHECK(!cors_map_match(m, "http://localhost:8081"));
    write_sdbm(p, base, two);
    CHECK(poll_until(p, m, "https://b.example", 1) == 1);
    CHECK(!cors_map_match(m, "https://a.example"));
    /* no keys, or the .pag cut to nothing: not a version */
    write_sdbm(p, base, none);
    CHECK(ticks(p, m, 3) == 0 && cors_map_match(m, "https://b.example"));
    CHECK(strstr(lc.last, "has no keys") != NULL);
    write_sdbm(p, base, two);
    CHECK(truncate(apr_pstrcat(p, base, ".pag", NULL), 0) == 0);
    age(apr_pstrcat(p, base, ".pag", NULL));
    CHECK(ticks(p, m, 8) == 0 && cors_map_match(m, "https://b.example"));
    /* a pattern key: dbm keys are exact origins */
    write_sdbm(p, base, pattern);
    CHECK(ticks(p, m, 8) == 0 && cors_map_match(m, "https://b.example"));
    CHECK(strstr(lc.last, "patterns need a txt map") != NULL);
    /* apachectl -t names the key */
    err = cors_map_test(m, p);
    CHECK_ERROR(err, "'https://*.b.example'");
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
    log_capture lc;
    size_t i;

    /* the same file a txt map reads, with httxt2dbm's value field */
    replace_aged(p, txt, "# tenants\nhttps://t1.example allow\n"
                 "https://t2.example:8443 allow\n");
    {
        cors_map *m = start_ok(p, apr_pstrcat(p, "txt:", txt, NULL), &lc);
        CHECK(m && cors_map_match(m, "https://t2.example:8443"));
    }
    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        const char *out = tpath(p, apr_pstrcat(p, "tenants-", types[i][0],
                                               ".map", NULL));
        cors_map *m;

        if (!CHECK_MSG(httxt2dbm(p, types[i][0], txt, out), types[i][0])) {
            continue;
        }
        if ((m = start_ok(p, apr_pstrcat(p, types[i][1], out, NULL), &lc))
            == NULL) {
            continue;
        }
        CHECK_MSG(info_of(p, m).entries == 2, types[i][0]);
        CHECK_MSG(cors_map_match(m, "https://t1.example"), types[i][0]);
        CHECK_MSG(cors_map_match(m, "https://t2.example:8443"), types[i][0]);
        CHECK_MSG(!cors_map_match(m, "https://t3.example"), types[i][0]);
        CHECK_MSG(!cors_map_match(m, "https://t2.example"), types[i][0]);
    }
}

/* Threads matching while versions are published and followed: every
 * answer must come from a whole version.  Version A lists a0..a49 then
 * "last", version B b0..b49 then "last"; never-listed must never match. */
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
    log_capture lc;
    race r;
    int i, swaps = 0;

    texts[0] = version_text(p, 'a');
    texts[1] = version_text(p, 'b');
    replace_aged(p, f, texts[0]);
    if ((r.map = start_ok(p, f, &lc)) == NULL) {
        return;
    }
    r.stop = r.wrong = r.lookups = 0;
    for (i = 0; i < 4; i++) {
        apr_thread_create(&th[i], NULL, race_reader, &r, p);
    }
    for (i = 0; i < 200; i++) {
        replace_aged(p, f, texts[(i + 1) & 1]);
        swaps += cors_map_poll(r.map, p);
        cors_map_follow(r.map);
    }
    apr_sleep(apr_time_from_msec(50));
    apr_atomic_set32(&r.stop, 1);
    for (i = 0; i < 4; i++) {
        apr_thread_join(&rv, th[i]);
    }
    printf("    %d versions, %u lookups by 4 threads, %u wrong\n", swaps,
           r.lookups, r.wrong);
    CHECK(r.wrong == 0);
    CHECK(swaps > 150);
}

static const check_test tests[] = {
    { "spec", test_spec },
    { "parse", test_parse },
    { "parse_errors", test_parse_errors },
    { "bounds", test_bounds },
    { "image_like_a_set", test_image_like_a_set },
    { "image_damage", test_image_damage },
    { "start_and_publish", test_start_and_publish },
    { "settle_and_torn", test_settle_and_torn },
    { "not_a_version", test_not_a_version },
    { "last_good_at_start", test_last_good_at_start },
    { "follow_retries", test_follow_retries },
    { "dbm", test_dbm },
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
    {
        char img[80];
        apr_snprintf(img, sizeof(img), "%s/img", tmpdir);
        if (mkdir(img, 0755) != 0) {
            perror("mkdir");
        }
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
