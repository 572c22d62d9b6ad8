/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_map.c -- CORSAllowOriginMap: origins from a txt or dbm file that is
 * re-read when it changes (see cors_map.h).
 *
 * A map holds one *version* in force: a txt file compiled to a cors_origins
 * set, or a few open apr_dbm handles.  Each version lives in a pool of its
 * own.  Requests only read the version in force; a reload builds a new one
 * to the side and swaps the pointer, so no request waits for a reload done
 * by another thread or sees a half-built set.  The version swapped out is
 * destroyed once no request can still be reading it (see "Versions"
 * below).
 *
 * Pools.  A version's pool is created with apr_pool_create_unmanaged_ex():
 * it has no parent and an allocator of its own.  Reloads happen in
 * whichever request thread notices the change, in any MPM, and a subpool of
 * pconf or pchild would take memory from an allocator that other threads
 * use too (pconf's has no mutex).  An unmanaged pool shares nothing: only
 * the one thread that holds the map's reload flag creates, fills or
 * destroys it, and readers never allocate.  Destroying it hands all of its
 * memory back at once, so a map rewritten all day does not grow.
 *
 * Files are looked at with stat(2)/open(2) rather than apr_stat(): the
 * check runs in a request thread without a pool of its own, and st_mtim
 * has nanoseconds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apr_atomic.h"
#include "apr_dbm.h"
#include "apr_file_info.h"
#include "apr_hash.h"
#include "apr_lib.h"
#include "apr_strings.h"
#include "apr_thread_mutex.h"
#include "apr_thread_proc.h"

#include "cors_map.h"

/* Open handles per dbm version in a threaded child: lookups take one with
 * a trylock, so that threads seldom wait on one another's (short) fetch.
 * The parent and a single-threaded child open one. */
#define DBM_HANDLES 4

#define READ_CHUNK 65536

/* How long a reload waits for the readers of the version before the one
 * in force to finish: DRAIN_TRIES times DRAIN_SLEEP (us). */
#define DRAIN_TRIES 20
#define DRAIN_SLEEP 500

/* ------------------------------------------------------------------------
 * Types
 */

/* What identifies the content of a file without reading it. */
typedef struct {
    int exists;
    apr_int64_t mtime_ns;
    apr_int64_t size;
    apr_uint64_t inode;
    apr_uint64_t dev;
} file_id;

typedef struct {
#if APR_HAS_THREADS
    apr_thread_mutex_t *lock;
#endif
    apr_dbm_t *db;
} dbm_handle;

typedef struct {
    apr_pool_t *pool;           /* unmanaged, see above */
    cors_origins *origins;      /* txt */
    dbm_handle handles[DBM_HANDLES]; /* dbm */
    int nhandles;
    apr_uint32_t next_handle;
    long entries;
    apr_time_t loaded;
    apr_interval_time_t took;
    file_id ids[2];             /* txt: the file; sdbm: .dir and .pag */
} map_version;

struct cors_map {
    cors_map_kind kind;
    const char *spec;
    const char *path;
    const char *dbm_type;       /* as apr_dbm_open_ex() names it */
    const char *files[2];       /* what is stat'ed: the file(s) on disk */

    /* Versions: see enter_version(). */
    void *volatile current;     /* map_version *, never NULL */
    volatile apr_uint32_t epoch;
    volatile apr_uint32_t readers[2];
    map_version *retired;       /* swapped out, maybe still being read */
    apr_uint32_t retired_epoch;

    /* Reloads: the thread that wins last_check for this second and the
     * reload flag does the check; only that thread touches the fields
     * below the flag. */
    volatile apr_uint32_t last_check; /* apr_time_sec() of the last check */
    volatile apr_uint32_t reloading;
    volatile apr_uint32_t watched;    /* a watcher thread does the checks */
    int dbm_handles;            /* a dbm version opens: 1 or DBM_HANDLES */
    file_id seen[2];            /* the file(s) as last looked at */
    int missing_logged;
    unsigned long reloads;

    cors_map_log_fn *log;
    void *log_baton;
};

/* ------------------------------------------------------------------------
 * Messages
 */

static void map_log(cors_map *m, cors_map_log_level level, const char *fmt,
                    ...)
{
    char msg[2048];
    va_list ap;

    if (m->log == NULL) {
        return;
    }
    va_start(ap, fmt);
    apr_vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    m->log(m->log_baton, level, msg);
}

void cors_map_set_logger(cors_map *map, cors_map_log_fn *fn, void *baton)
{
    map->log = fn;
    map->log_baton = baton;
}

/* ------------------------------------------------------------------------
 * The spec: [txt:|dbm[=TYPE]:]path
 */

static const char *dbm_type_name(const char *type)
{
    static const char *const names[][2] = {
        { "sdbm", "SDBM" }, { "gdbm", "GDBM" }, { "db", "DB" },
        { "default", "default" }
    };
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcasecmp(type, names[i][0]) == 0) {
            return names[i][1];
        }
    }
    return NULL;
}

static const char *parse_spec(apr_pool_t *p, cors_map *m, const char *spec,
                              const char *root)
{
    const char *path = spec;
    char *full;

    m->kind = CORS_MAP_TXT;
    if (strncasecmp(spec, "txt:", 4) == 0) {
        path = spec + 4;
    }
    else if (strncasecmp(spec, "dbm:", 4) == 0) {
        m->kind = CORS_MAP_DBM;
        m->dbm_type = "default";
        path = spec + 4;
    }
    else if (strncasecmp(spec, "dbm=", 4) == 0) {
        const char *colon = strchr(spec + 4, ':');
        const char *type =
            colon ? apr_pstrmemdup(p, spec + 4, (apr_size_t)(colon - spec - 4))
                  : spec + 4;
        m->kind = CORS_MAP_DBM;
        if (colon == NULL || (m->dbm_type = dbm_type_name(type)) == NULL) {
            return apr_psprintf(p, "'%s': unknown dbm type '%s' (write "
                                "dbm=sdbm:, dbm=gdbm:, dbm=db: or dbm:)",
                                spec, type);
        }
        path = colon + 1;
    }
    if (*path == '\0') {
        return apr_psprintf(p, "'%s' names no file", spec);
    }
    if (apr_filepath_merge(&full, root, path, 0, p) != APR_SUCCESS) {
        return apr_psprintf(p, "'%s': '%s' is not a valid path", spec, path);
    }
    m->spec = apr_pstrdup(p, spec);
    m->path = full;
    if (m->kind == CORS_MAP_TXT) {
        m->files[0] = full;
        return NULL;
    }
    /* sdbm keeps two files (path.dir, path.pag), the others one. */
    if (apr_dbm_get_usednames_ex(p, m->dbm_type, full, &m->files[0],
                                 &m->files[1]) != APR_SUCCESS) {
        return apr_psprintf(p, "'%s': dbm type '%s' is not available here",
                            spec, m->dbm_type);
    }
    return NULL;
}

/* ------------------------------------------------------------------------
 * Files
 */

static void id_from_stat(file_id *id, const struct stat *st)
{
    id->exists = 1;
    id->mtime_ns = (apr_int64_t)st->st_mtim.tv_sec * 1000000000
                   + st->st_mtim.tv_nsec;
    id->size = (apr_int64_t)st->st_size;
    id->inode = (apr_uint64_t)st->st_ino;
    id->dev = (apr_uint64_t)st->st_dev;
}

/* Looks at the map's file(s); errno is set when it returns non-zero. */
static int stat_files(const cors_map *m, file_id ids[2])
{
    struct stat st;
    int i;

    memset(ids, 0, 2 * sizeof(file_id));
    for (i = 0; i < 2 && m->files[i]; i++) {
        if (stat(m->files[i], &st) != 0) {
            return -1;
        }
        id_from_stat(&ids[i], &st);
    }
    return 0;
}

static int same_files(const file_id a[2], const file_id b[2])
{
    return memcmp(a, b, 2 * sizeof(file_id)) == 0;
}

/* ------------------------------------------------------------------------
 * The txt parser: fed the file in chunks, one line at a time into a
 * bounded buffer, so that neither a long line nor a big file costs more
 * than the bounds.
 */

typedef struct {
    apr_pool_t *p;
    const char *name;
    cors_origins *set;
    long entries;
    long line;
    apr_size_t len;
    char buf[CORS_MAP_LINE_MAX + 1];
} txt_parser;

static const char *txt_error(txt_parser *tp, const char *fmt, ...)
{
    va_list ap;
    const char *what;

    va_start(ap, fmt);
    what = apr_pvsprintf(tp->p, fmt, ap);
    va_end(ap);
    return apr_psprintf(tp->p, "%s line %ld: %s", tp->name, tp->line, what);
}

/* One line (tp->buf[0..len), NUL-terminated): its first field is the
 * entry; a second one is allowed (httxt2dbm's value) but not a second
 * origin, which would be silently ignored. */
static const char *txt_line(txt_parser *tp)
{
    char *s = tp->buf, *entry, *second;
    const char *err;

    s[tp->len] = '\0';
    if ((second = strchr(s, '#')) != NULL) {
        *second = '\0';
    }
    while (apr_isspace(*s)) {
        s++;
    }
    if (*s == '\0') {
        return NULL;
    }
    entry = s;
    while (*s && !apr_isspace(*s)) {
        s++;
    }
    if (*s) {
        *s++ = '\0';
        while (apr_isspace(*s)) {
            s++;
        }
        second = s;
        while (*s && !apr_isspace(*s)) {
            s++;
        }
        if (strstr(second, "://") && second < s) {
            *s = '\0';
            return txt_error(tp, "'%s' after '%s': one origin per line (a "
                             "second field is a value for httxt2dbm)", second,
                             entry);
        }
    }
    if (strcmp(entry, "*") == 0) {
        return txt_error(tp, "'*' cannot be in a map (write CORSAllowOrigin "
                         "* to allow every origin)");
    }
    /* null is any sandboxed page or file: a site's list is no place for
     * it, a reload could bring it under credentials where CORSAllowOrigin
     * refuses it, and the decision never asks a map about it. */
    if (strcasecmp(entry, "null") == 0) {
        return txt_error(tp, "'null' cannot be in a map (any sandboxed page "
                         "sends it; write CORSAllowOrigin null)");
    }
    /* The set keeps a value in browser form as it is: the line buffer is
     * reused, so the set gets its own copy. */
    if ((err = cors_origins_add(tp->set, tp->p, apr_pstrdup(tp->p, entry)))
        != NULL) {
        return txt_error(tp, "%s", err);
    }
    if (++tp->entries > CORS_MAP_ENTRIES_MAX) {
        return txt_error(tp, "more than %d entries (use a dbm map)",
                         CORS_MAP_ENTRIES_MAX);
    }
    return NULL;
}

static const char *txt_feed(txt_parser *tp, const char *data, apr_size_t n)
{
    const char *end = data + n, *nl, *err;

    while (data < end) {
        apr_size_t take, room;

        nl = memchr(data, '\n', (apr_size_t)(end - data));
        take = (apr_size_t)((nl ? nl : end) - data);
        room = CORS_MAP_LINE_MAX - tp->len;
        /* The first bad byte decides, wherever the chunks were cut: a NUL
         * within the bound, else the byte past it. */
        if (memchr(data, '\0', take < room ? take : room)) {
            tp->line++;
            return txt_error(tp, "has a NUL byte");
        }
        if (take > room) {
            tp->line++;
            return txt_error(tp, "longer than %d bytes", CORS_MAP_LINE_MAX);
        }
        memcpy(tp->buf + tp->len, data, take);
        tp->len += take;
        data += take;
        if (nl) {
            tp->line++;
            if ((err = txt_line(tp)) != NULL) {
                return err;
            }
            tp->len = 0;
            data++;
        }
    }
    return NULL;
}

/* The last line, when the file does not end in "\n". */
static const char *txt_finish(txt_parser *tp)
{
    if (tp->len == 0) {
        return NULL;
    }
    tp->line++;
    return txt_line(tp);
}

static void txt_init(txt_parser *tp, apr_pool_t *p, const char *name,
                     cors_origins *set)
{
    tp->p = p;
    tp->name = name;
    tp->set = set;
    tp->entries = 0;
    tp->line = 0;
    tp->len = 0;
}

const char *cors_map_parse_txt(apr_pool_t *p, const char *name,
                               const char *buf, apr_size_t len,
                               apr_size_t chunk, cors_origins *set,
                               long *entries)
{
    txt_parser *tp = apr_palloc(p, sizeof(*tp));
    const char *err = NULL;
    apr_size_t off = 0;

    txt_init(tp, p, name, set);
    if (chunk == 0) {
        chunk = len;
    }
    while (err == NULL && off < len) {
        apr_size_t n = len - off < chunk ? len - off : chunk;
        err = txt_feed(tp, buf + off, n);
        off += n;
    }
    if (err == NULL) {
        err = txt_finish(tp);
    }
    *entries = tp->entries;
    return err;
}

/* Reads and compiles the file into v (whose pool takes everything). */
static const char *load_txt(cors_map *m, map_version *v)
{
    apr_pool_t *p = v->pool;
    txt_parser *tp = apr_palloc(p, sizeof(*tp));
    char *chunk = apr_palloc(p, READ_CHUNK);
    const char *err = NULL;
    struct stat st;
    apr_int64_t total = 0;
    int fd;

    fd = open(m->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return apr_psprintf(p, "%s: cannot open: %s", m->path,
                            strerror(errno));
    }
    /* The identity of what is read: taken from the open file, so that a
     * rename while reading is seen as a change at the next check. */
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return apr_psprintf(p, "%s: not a regular file", m->path);
    }
    id_from_stat(&v->ids[0], &st);
    if (st.st_size > CORS_MAP_FILE_MAX) {
        close(fd);
        return apr_psprintf(p, "%s: %" APR_INT64_T_FMT " bytes, more than the "
                            "%ld a txt map may have (use a dbm map)", m->path,
                            (apr_int64_t)st.st_size, CORS_MAP_FILE_MAX);
    }
    v->origins = cors_origins_make(p);
    txt_init(tp, p, m->path, v->origins);
    for (;;) {
        ssize_t n = read(fd, chunk, READ_CHUNK);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            err = apr_psprintf(p, "%s: read error: %s", m->path,
                               strerror(errno));
            break;
        }
        if (n == 0) {
            err = txt_finish(tp);
            break;
        }
        /* The file may grow while it is read. */
        if ((total += n) > CORS_MAP_FILE_MAX) {
            err = apr_psprintf(p, "%s: more than the %ld bytes a txt map may "
                               "have (use a dbm map)", m->path,
                               CORS_MAP_FILE_MAX);
            break;
        }
        if ((err = txt_feed(tp, chunk, (apr_size_t)n)) != NULL) {
            break;
        }
    }
    close(fd);
    v->entries = tp->entries;
    return err;
}

/* ------------------------------------------------------------------------
 * dbm
 */

static const char *dbm_error(apr_pool_t *p, const cors_map *m,
                             apr_status_t rv, apr_dbm_t *db)
{
    char buf[256];
    int code;

    if (db) {
        apr_dbm_geterror(db, &code, buf, sizeof(buf));
    }
    else {
        apr_strerror(rv, buf, sizeof(buf));
    }
    return apr_psprintf(p, "%s: cannot open as a %s dbm file: %s", m->path,
                        m->dbm_type, buf);
}

/* At startup only (it reads every key): counts the keys and checks that
 * each is an origin as browsers send it, since any other key could never
 * match and is surely a mistake. */
static const char *dbm_count(cors_map *m, map_version *v, apr_dbm_t *db)
{
    apr_datum_t key, prev;
    char origin[CORS_ORIGIN_MAX + 1];

    v->entries = 0;
    apr_dbm_firstkey(db, &key);
    while (key.dptr != NULL) {
        apr_size_t n = key.dsize;
        if (n > CORS_ORIGIN_MAX) {
            n = CORS_ORIGIN_MAX;
        }
        memcpy(origin, key.dptr, n);
        origin[n] = '\0';
        if (key.dsize > CORS_ORIGIN_MAX || memchr(origin, '\0', n)
            || !cors_origin_is_valid(origin) || strcmp(origin, "null") == 0) {
            return apr_psprintf(v->pool, "%s: key '%s' is not an origin as "
                                "browsers send it (lowercase "
                                "scheme://host[:port], no default port; "
                                "patterns need a txt map)", m->path, origin);
        }
        v->entries++;
        /* gdbm mallocs each key and frees it only with the pool: free
         * the one before, once the next is found from it. */
        prev = key;
        apr_dbm_nextkey(db, &key);
        apr_dbm_freedatum(db, prev);
    }
    return NULL;
}

static const char *load_dbm(cors_map *m, map_version *v, int count)
{
    apr_status_t rv;
    int i;

    v->entries = -1;
    if (stat_files(m, v->ids) != 0) {
        return apr_psprintf(v->pool, "%s: %s", m->path, strerror(errno));
    }
    for (i = 0; i < m->dbm_handles; i++) {
        dbm_handle *h = &v->handles[i];
        rv = apr_dbm_open_ex(&h->db, m->dbm_type, m->path, APR_DBM_READONLY,
                             APR_OS_DEFAULT, v->pool);
        if (rv != APR_SUCCESS) {
            return dbm_error(v->pool, m, rv, NULL);
        }
        v->nhandles++;
#if APR_HAS_THREADS
        rv = apr_thread_mutex_create(&h->lock, APR_THREAD_MUTEX_DEFAULT,
                                     v->pool);
        if (rv != APR_SUCCESS) {
            return apr_psprintf(v->pool, "%s: cannot create a mutex",
                                m->path);
        }
#endif
        if (i == 0 && count) {
            const char *err = dbm_count(m, v, h->db);
            if (err) {
                return err;
            }
        }
    }
    return NULL;
}

static int dbm_has(map_version *v, const char *origin)
{
    apr_datum_t key;
    dbm_handle *h;
    int i, start, found;

    if (v->nhandles == 0) {
        return 0;
    }
    key.dptr = (char *)origin;
    key.dsize = strlen(origin);
    start = (int)(apr_atomic_inc32(&v->next_handle)
                  % (apr_uint32_t)v->nhandles);
    h = &v->handles[start];
#if APR_HAS_THREADS
    for (i = 0; i < v->nhandles; i++) {
        dbm_handle *t = &v->handles[(start + i) % v->nhandles];
        if (apr_thread_mutex_trylock(t->lock) == APR_SUCCESS) {
            h = t;
            break;
        }
    }
    if (i == v->nhandles) {
        apr_thread_mutex_lock(h->lock);
    }
#else
    (void)i;
#endif
    found = apr_dbm_exists(h->db, key);
#if APR_HAS_THREADS
    apr_thread_mutex_unlock(h->lock);
#endif
    return found;
}

/* ------------------------------------------------------------------------
 * Versions
 *
 * Readers and the reloading thread agree through two reader counters and
 * an epoch bit, a small form of epoch-based reclamation:
 *
 *   reader:  e = epoch; readers[e]++; if epoch changed, undo and retry;
 *            v = current; ...read v...; readers[e]--
 *   reload:  old = xchg(current, new); e = epoch; epoch = !e;
 *            old is retired in epoch e, and destroyed once readers[e] is 0
 *
 * A reader that can hold old counted itself in readers[e] before it read
 * current, and current changed before the epoch did, so any reader that
 * enters after the flip counts in the other counter and gets new: no new
 * reader joins readers[e], which only drains.  The reload thread (one at a
 * time) destroys the retired version when it sees readers[e] at 0, at once
 * or at a later check, and swaps in no new version while one is still
 * retired, so the epoch cannot come back to e before e has drained.  A
 * reader never waits: its cost is two atomic increments and decrements.
 * (apr_atomic_* are full barriers; the epoch flip is an xchg for that.)
 */

static map_version *enter_version(cors_map *m, apr_uint32_t *e)
{
    for (;;) {
        *e = apr_atomic_read32(&m->epoch);
        apr_atomic_inc32(&m->readers[*e]);
        if (apr_atomic_read32(&m->epoch) == *e) {
            return apr_atomic_casptr((volatile void **)&m->current, NULL,
                                     NULL);
        }
        apr_atomic_dec32(&m->readers[*e]);
    }
}

static void leave_version(cors_map *m, apr_uint32_t e)
{
    apr_atomic_dec32(&m->readers[e]);
}

static void destroy_version(map_version *v)
{
    int i;

    if (v == NULL) {
        return;
    }
    /* Not every apr_dbm driver closes its file with the pool (gdbm and db
     * register no cleanup): close them first, or each reload leaks. */
    for (i = 0; i < v->nhandles; i++) {
        apr_dbm_close(v->handles[i].db);
    }
    apr_pool_destroy(v->pool);
}

/* Destroys the retired version when no reader can hold it. */
static void reclaim(cors_map *m)
{
    if (m->retired
        && apr_atomic_read32(&m->readers[m->retired_epoch]) == 0) {
        destroy_version(m->retired);
        m->retired = NULL;
    }
}

static void swap_in(cors_map *m, map_version *v)
{
    map_version *old = apr_atomic_xchgptr((volatile void **)&m->current, v);
    apr_uint32_t e = apr_atomic_read32(&m->epoch);

    apr_atomic_xchg32(&m->epoch, e ^ 1);
    m->retired = old;
    m->retired_epoch = e;
    reclaim(m);
}

/* File times come from a coarse clock: two writes of the same size within
 * one tick leave the same identity.  A file changed in the last two
 * seconds is therefore read once more at the next check. */
static int recently_changed(const file_id ids[2], apr_time_t now)
{
    apr_int64_t now_ns = (apr_int64_t)now * 1000;
    int i;

    for (i = 0; i < 2; i++) {
        apr_int64_t age = now_ns - ids[i].mtime_ns;
        /* (a file dated in the future is not re-read forever) */
        if (ids[i].exists && age < 2000000000 && age > -2000000000) {
            return 1;
        }
    }
    return 0;
}

/* Loads the file into a new version.  On error *out is NULL and the
 * message is copied to err (the version's pool is gone by then). */
static int load_version(cors_map *m, int count, char *err, apr_size_t errlen,
                        map_version **out)
{
    apr_pool_t *p;
    map_version *v;
    const char *msg;
    file_id after[2];
    apr_time_t start = apr_time_now();

    *out = NULL;
    if (apr_pool_create_unmanaged_ex(&p, NULL, NULL) != APR_SUCCESS) {
        apr_cpystrn(err, "out of memory", errlen);
        return -1;
    }
    v = apr_pcalloc(p, sizeof(*v));
    v->pool = p;
    msg = m->kind == CORS_MAP_TXT ? load_txt(m, v) : load_dbm(m, v, count);
    if (msg) {
        apr_cpystrn(err, msg, errlen);
        destroy_version(v);
        return -1;
    }
    v->loaded = start;
    v->took = apr_time_now() - start;
    /* Changed while read (written in place, or renamed over), or so
     * recently that another write in the same clock tick would leave the
     * same mtime and size: forget the identity, so that the next check
     * reads the file again. */
    if (stat_files(m, after) != 0 || !same_files(after, v->ids)
        || recently_changed(v->ids, start)) {
        memset(v->ids, 0, sizeof(v->ids));
    }
    *out = v;
    return 0;
}

/* ------------------------------------------------------------------------
 * Reloads
 */

static const char *kind_name(const cors_map *m)
{
    return m->kind == CORS_MAP_TXT ? "txt" : "dbm";
}

/* Looks at the file and reloads it when it changed.  Only one thread runs
 * this at a time (the reloading flag).  Returns 1 when a new version is in
 * force. */
static int check_file(cors_map *m)
{
    file_id ids[2];
    map_version *v;
    char err[2048];
    int i;

    reclaim(m);
    if (stat_files(m, ids) != 0) {
        if (!m->missing_logged) {
            map_log(m, CORS_MAP_LOG_ERROR, "CORSAllowOriginMap %s: %s: %s; "
                    "keeping the origins loaded before", m->spec, m->path,
                    strerror(errno));
            m->missing_logged = 1;
        }
        return 0;
    }
    m->missing_logged = 0;
    if (same_files(ids, m->seen)) {
        return 0;
    }
    /* The version before this one may still be read by a thread that was
     * preempted in a lookup: give it a few ms (this thread waits, no
     * reader does), else try again at the next check. */
    for (i = 0; m->retired && i < DRAIN_TRIES; i++) {
        apr_sleep(DRAIN_SLEEP);
        reclaim(m);
    }
    if (m->retired) {
        return 0;
    }
    if (load_version(m, 0, err, sizeof(err), &v) != 0) {
        map_log(m, CORS_MAP_LOG_ERROR, "CORSAllowOriginMap %s: %s; keeping "
                "the origins loaded before", m->spec, err);
        memcpy(m->seen, ids, sizeof(ids));   /* once per change */
        return 0;
    }
    memcpy(m->seen, v->ids, sizeof(v->ids));
    swap_in(m, v);
    m->reloads++;
    if (v->entries >= 0) {
        map_log(m, CORS_MAP_LOG_INFO, "CORSAllowOriginMap %s: %s reloaded: "
                "%ld entries in %" APR_TIME_T_FMT " ms", m->spec, kind_name(m),
                v->entries, apr_time_as_msec(v->took));
    }
    else {
        map_log(m, CORS_MAP_LOG_INFO, "CORSAllowOriginMap %s: %s reopened in "
                "%" APR_TIME_T_FMT " ms", m->spec, kind_name(m),
                apr_time_as_msec(v->took));
    }
    return 1;
}

/* At most once a second per process, one thread looks at the file; the
 * others do not wait for it. */
static void maybe_check(cors_map *m)
{
    apr_uint32_t now = (apr_uint32_t)apr_time_sec(apr_time_now());
    apr_uint32_t last = apr_atomic_read32(&m->last_check);

    if (now - last < CORS_MAP_CHECK_INTERVAL) {
        return;
    }
    if (apr_atomic_cas32(&m->last_check, now, last) == last) {
        cors_map_check_now(m);
    }
}

int cors_map_check_now(cors_map *m)
{
    int changed;

    if (apr_atomic_cas32(&m->reloading, 1, 0) != 0) {
        return 0;
    }
    changed = check_file(m);
    apr_atomic_set32(&m->reloading, 0);
    return changed;
}

int cors_map_match(const void *data, const char *origin)
{
    /* The map's state is atomics and the reload's own fields: the const
     * of the matcher interface is about the policy, not these. */
    cors_map *m = (cors_map *)data;
    map_version *v;
    apr_uint32_t e;
    int found;

    /* Where a watcher thread checks, a request never does: the request
     * that won the check would wait for the whole reload. */
    if (!apr_atomic_read32(&m->watched)) {
        maybe_check(m);
    }
    v = enter_version(m, &e);
    found = m->kind == CORS_MAP_TXT ? cors_origins_match(v->origins, origin)
                                          == CORS_ORIGIN_MATCH
                                    : dbm_has(v, origin);
    leave_version(m, e);
    return found;
}

void cors_map_describe(cors_map *m, cors_map_info *info)
{
    apr_uint32_t e;
    map_version *v = enter_version(m, &e);

    info->kind = m->kind;
    info->spec = m->spec;
    info->path = m->path;
    info->dbm_type = m->dbm_type;
    info->entries = v->entries;
    info->loaded = v->loaded;
    info->took = v->took;
    info->reloads = m->reloads;
    leave_version(m, e);
}

/* ------------------------------------------------------------------------
 * Lifetime: one registry of maps per configuration (pconf)
 */

#define REGISTRY_KEY "cors_map registry"

static apr_status_t map_cleanup(void *data)
{
    cors_map *m = data;

    destroy_version(m->retired);
    destroy_version(m->current);
    m->retired = NULL;
    m->current = NULL;
    return APR_SUCCESS;
}

static apr_hash_t *registry(apr_pool_t *pconf)
{
    void *reg = NULL;

    apr_pool_userdata_get(&reg, REGISTRY_KEY, pconf);
    if (reg == NULL) {
        reg = apr_hash_make(pconf);
        apr_pool_userdata_setn(reg, REGISTRY_KEY, NULL, pconf);
    }
    return reg;
}

const char *cors_map_open(apr_pool_t *pconf, const char *spec,
                          const char *root, cors_map **out)
{
    apr_hash_t *reg = registry(pconf);
    const char *key = apr_pstrcat(pconf, root ? root : "", "\n", spec, NULL);
    cors_map *m = apr_hash_get(reg, key, APR_HASH_KEY_STRING);
    map_version *v;
    const char *msg;
    char err[2048];

    if (m) {
        *out = m;
        return NULL;
    }
    m = apr_pcalloc(pconf, sizeof(*m));
    m->dbm_handles = 1;
    if ((msg = parse_spec(pconf, m, spec, root)) != NULL) {
        return msg;
    }
    if (load_version(m, 1, err, sizeof(err), &v) != 0) {
        return apr_pstrdup(pconf, err);
    }
    memcpy(m->seen, v->ids, sizeof(v->ids));
    m->current = v;
    m->last_check = (apr_uint32_t)apr_time_sec(apr_time_now());
    apr_pool_cleanup_register(pconf, m, map_cleanup, apr_pool_cleanup_null);
    apr_hash_set(reg, key, APR_HASH_KEY_STRING, m);
    *out = m;
    return NULL;
}

#if APR_HAS_THREADS
/* The watcher of a threaded child: looks at every map once a second, so
 * that a child whose requests come in bursts after a quiet time does not
 * answer the first of them from a set older than the file (the request
 * threads would race for the reload, and the losers go on with the old
 * set rather than wait). */
typedef struct {
    apr_hash_t *reg;
    volatile apr_uint32_t stop;
    apr_thread_t *thread;
} watcher;

static void *APR_THREAD_FUNC watch_maps(apr_thread_t *t, void *data)
{
    watcher *w = data;

    while (!apr_atomic_read32(&w->stop)) {
        apr_hash_index_t *hi;
        int i;

        for (hi = apr_hash_first(NULL, w->reg); hi; hi = apr_hash_next(hi)) {
            cors_map_check_now(apr_hash_this_val(hi));
        }
        for (i = 0; i < 10 && !apr_atomic_read32(&w->stop); i++) {
            apr_sleep(apr_time_from_msec(100));
        }
    }
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

static apr_status_t stop_watcher(void *data)
{
    watcher *w = data;
    apr_status_t rv;

    apr_atomic_set32(&w->stop, 1);
    apr_thread_join(&rv, w->thread);
    return APR_SUCCESS;
}
#endif

void cors_map_child_init(apr_pool_t *pconf, apr_pool_t *pchild, int threaded)
{
    apr_hash_index_t *hi;
    void *reg = NULL;

    apr_pool_userdata_get(&reg, REGISTRY_KEY, pconf);
    for (hi = reg ? apr_hash_first(NULL, reg) : NULL; hi;
         hi = apr_hash_next(hi)) {
        cors_map *m = apr_hash_this_val(hi);
        map_version *v, *old;
        char err[2048];

        if (m->kind != CORS_MAP_DBM) {
            continue;
        }
        m->dbm_handles = threaded ? DBM_HANDLES : 1;
        /* The parent's handles share their file offsets with every child:
         * this child opens its own.  If that fails, the parent's stay (a
         * sdbm or gdbm read through a shared offset can only miss). */
        if (load_version(m, 0, err, sizeof(err), &v) != 0) {
            map_log(m, CORS_MAP_LOG_ERROR, "CORSAllowOriginMap %s: %s", m->spec,
                    err);
            continue;
        }
        old = m->current;
        v->entries = old->entries;  /* counted at startup */
        memcpy(m->seen, v->ids, sizeof(v->ids));
        m->current = v;
        destroy_version(old);
    }
#if APR_HAS_THREADS
    /* Started once the child's own handles are in: from here on only the
     * watcher reloads. */
    if (threaded && reg && apr_hash_count(reg) > 0) {
        watcher *w = apr_pcalloc(pchild, sizeof(*w));
        w->reg = reg;
        if (apr_thread_create(&w->thread, NULL, watch_maps, w, pchild)
            == APR_SUCCESS) {
            apr_pool_cleanup_register(pchild, w, stop_watcher,
                                      apr_pool_cleanup_null);
            for (hi = apr_hash_first(NULL, reg); hi; hi = apr_hash_next(hi)) {
                cors_map *m = apr_hash_this_val(hi);
                apr_atomic_set32(&m->watched, 1);
            }
        }
    }
#else
    (void)pchild;
#endif
}
