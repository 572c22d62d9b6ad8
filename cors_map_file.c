/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_map_file.c -- the file sources of CORSAllowOriginMap: a txt file or
 * an apr_dbm file, named by "[txt:|dbm[=TYPE]:]path" (see cors_map_file.h).
 *
 * Files are opened with O_NONBLOCK and anything but a regular file is
 * refused, so a FIFO or a device in a map's place never blocks a process;
 * a dbm file is read whole into the builder and closed, so no lock is held
 * on it between reads (httxt2dbm can write it in place).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apr_dbm.h"
#include "apr_file_info.h"
#include "apr_lib.h"
#include "apr_strings.h"

#include "cors_map_file.h"

#define READ_CHUNK 65536

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

const char *cors_map_file_parse(apr_pool_t *p, const char *spec,
                                const char *root, cors_map_file *m)
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
 * Files: what identifies their content without reading it
 */

static apr_int64_t ns_of(const struct timespec *ts)
{
    return (apr_int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/* The identity of the map's file(s), as a token, and the newest
 * modification time.  Returns NULL or what is wrong.  stat(2) never
 * blocks on a FIFO; open(2) would. */
const char *cors_map_file_identity(apr_pool_t *p, const cors_map_file *m,
                                   char *token, apr_int64_t *mtime_ns)
{
    struct stat st;
    int i;

    token[0] = '\0';
    *mtime_ns = 0;
    for (i = 0; i < 2 && m->files[i]; i++) {
        size_t used = strlen(token);
        if (stat(m->files[i], &st) != 0) {
            return apr_psprintf(p, "%s: %s", m->files[i], strerror(errno));
        }
        if (!S_ISREG(st.st_mode)) {
            return apr_psprintf(p, "%s: not a regular file", m->files[i]);
        }
        apr_snprintf(token + used, CORS_MAP_TOKEN_MAX - used, "%s%" APR_UINT64_T_FMT
                     ":%" APR_UINT64_T_FMT ":%" APR_INT64_T_FMT ":%"
                     APR_INT64_T_FMT ":%" APR_INT64_T_FMT, i ? "/" : "",
                     (apr_uint64_t)st.st_dev, (apr_uint64_t)st.st_ino,
                     (apr_int64_t)st.st_size, ns_of(&st.st_mtim),
                     ns_of(&st.st_ctim));
        if (ns_of(&st.st_mtim) > *mtime_ns) {
            *mtime_ns = ns_of(&st.st_mtim);
        }
    }
    return NULL;
}

/* ------------------------------------------------------------------------
 * The txt parser: fed the file in chunks, one line at a time into a
 * bounded buffer, so that neither a long line nor a big file costs more
 * than the bounds.
 */

typedef struct {
    apr_pool_t *p;
    const char *name;
    cors_map_builder *b;
    int comments;
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
    while (apr_isspace(*s)) {
        s++;
    }
    if (*s == '#') {
        tp->comments = 1;
    }
    if ((second = strchr(s, '#')) != NULL) {
        *second = '\0';
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
    if ((err = cors_map_builder_add(tp->b, entry, strlen(entry))) != NULL) {
        return txt_error(tp, "%s", err);
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

/* The end of the text: a last line without "\n" is a write cut short (or
 * still going on), never an entry. */
static const char *txt_finish(txt_parser *tp)
{
    if (tp->len == 0) {
        return NULL;
    }
    tp->line++;
    return txt_error(tp, "the file does not end with a newline (cut short, "
                     "or still being written?)");
}

static void txt_init(txt_parser *tp, apr_pool_t *p, const char *name,
                     cors_map_builder *b)
{
    tp->p = p;
    tp->name = name;
    tp->b = b;
    tp->comments = 0;
    tp->line = 0;
    tp->len = 0;
}

const char *cors_map_parse_txt(apr_pool_t *p, const char *name,
                               const char *buf, apr_size_t len,
                               apr_size_t chunk, cors_map_builder *b,
                               int *comments)
{
    txt_parser *tp = apr_palloc(p, sizeof(*tp));
    const char *err = NULL;
    apr_size_t off = 0;

    txt_init(tp, p, name, b);
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
    *comments = tp->comments;
    return err;
}

/* A version needs an entry, or a comment saying that it means none: an
 * empty file is a failed export or a truncation caught midway. */
static const char *txt_verdict(txt_parser *tp, const cors_map_file *m,
                               int *comments_only)
{
    if (cors_image_builder_entries(tp->b) > 0) {
        return NULL;
    }
    if (tp->comments) {
        *comments_only = 1;
        return NULL;
    }
    return apr_psprintf(tp->p, "%s: has no entries (a file that really "
                        "allows nothing says so in a comment line)", m->path);
}

/* Reads the txt file into b.  token: the identity it was settled at; a
 * file that changed since, or while it was read, is CORS_READ_UNSETTLED. */
static cors_read_result read_txt(const cors_map_file *m, apr_pool_t *p,
                                 const char *token, cors_map_builder *b,
                                 int *comments_only, const char **err)
{
    txt_parser *tp = apr_palloc(p, sizeof(*tp));
    char *chunk = apr_palloc(p, READ_CHUNK), now_token[CORS_MAP_TOKEN_MAX];
    apr_int64_t total = 0, mtime;
    struct stat st;
    int fd;

    *err = NULL;
    fd = open(m->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        *err = apr_psprintf(p, "%s: %s", m->path, strerror(errno));
        return CORS_READ_FAILED;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        *err = apr_psprintf(p, "%s: not a regular file", m->path);
        return CORS_READ_FAILED;
    }
    if (st.st_size == 0) {
        close(fd);
        *err = apr_psprintf(p, "%s: empty (0 bytes): not a version (a "
                            "failed export, or a truncation caught midway?)",
                            m->path);
        return CORS_READ_FAILED;
    }
    txt_init(tp, p, m->path, b);
    for (;;) {
        ssize_t n = read(fd, chunk, READ_CHUNK);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            *err = apr_psprintf(p, "%s: read error: %s", m->path,
                                strerror(errno));
            break;
        }
        if (n == 0) {
            *err = txt_finish(tp);
            break;
        }
        /* The file may grow while it is read. */
        if ((total += n) > CORS_MAP_FILE_MAX) {
            *err = apr_psprintf(p, "%s: more than the %ld bytes a txt map "
                                "may have (use a dbm map)", m->path,
                                CORS_MAP_FILE_MAX);
            break;
        }
        if ((*err = txt_feed(tp, chunk, (apr_size_t)n)) != NULL) {
            break;
        }
    }
    close(fd);
    if (token && (cors_map_file_identity(p, m, now_token, &mtime) != NULL
                  || strcmp(now_token, token) != 0)) {
        return CORS_READ_UNSETTLED;          /* written while read */
    }
    if (*err == NULL) {
        *err = txt_verdict(tp, m, comments_only);
    }
    return *err ? CORS_READ_FAILED : CORS_READ_OK;
}

/* ------------------------------------------------------------------------
 * dbm: read whole into the image, then closed
 */

/* Is a writer (httxt2dbm) holding the lock of the file?  Asked without
 * waiting, so that the read that follows seldom waits on it. */
static int dbm_locked(const cors_map_file *m)
{
    struct flock fl;
    int fd = open(m->files[0], O_RDONLY | O_NONBLOCK | O_CLOEXEC), busy;

    if (fd < 0) {
        return 0;
    }
    memset(&fl, 0, sizeof(fl));
    fl.l_type = F_RDLCK;
    fl.l_whence = SEEK_SET;
    busy = fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
    close(fd);
    return busy;
}

static const char *dbm_error(apr_pool_t *p, const cors_map_file *m,
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

static const char *dbm_keys(const cors_map_file *m, apr_pool_t *p, apr_dbm_t *db,
                            cors_map_builder *b)
{
    apr_datum_t key, prev;
    const char *err;

    apr_dbm_firstkey(db, &key);
    while (key.dptr != NULL) {
        if ((err = cors_map_builder_add(b, key.dptr, key.dsize)) != NULL) {
            return apr_psprintf(p, "%s: key '%s': %s", m->path,
                                apr_pstrmemdup(p, key.dptr,
                                               key.dsize < 80 ? key.dsize
                                                              : 80), err);
        }
        /* gdbm mallocs each key and frees it only with the pool: free
         * the one before, once the next is found from it. */
        prev = key;
        apr_dbm_nextkey(db, &key);
        apr_dbm_freedatum(db, prev);
    }
    if (cors_image_builder_entries(b) == 0) {
        return apr_psprintf(p, "%s: has no keys: not a version (a failed "
                            "export, or a truncation caught midway?)",
                            m->path);
    }
    return NULL;
}

static cors_read_result read_dbm(const cors_map_file *m, apr_pool_t *p,
                                 const char *token, cors_map_builder *b,
                                 const char **err)
{
    char now_token[CORS_MAP_TOKEN_MAX];
    apr_int64_t mtime;
    apr_dbm_t *db;
    apr_status_t rv;

    if (dbm_locked(m)) {
        *err = NULL;
        return CORS_READ_UNSETTLED;
    }
    rv = apr_dbm_open_ex(&db, m->dbm_type, m->path, APR_DBM_READONLY,
                         APR_OS_DEFAULT, p);
    if (rv != APR_SUCCESS) {
        *err = dbm_error(p, m, rv, NULL);
        return CORS_READ_FAILED;
    }
    *err = dbm_keys(m, p, db, b);
    apr_dbm_close(db);
    if (token && (cors_map_file_identity(p, m, now_token, &mtime) != NULL
                  || strcmp(now_token, token) != 0)) {
        return CORS_READ_UNSETTLED;
    }
    return *err ? CORS_READ_FAILED : CORS_READ_OK;
}

cors_read_result cors_map_file_read(const cors_map_file *m, apr_pool_t *p,
                                    const char *token, cors_map_builder *b,
                                    int *comments_only, const char **err)
{
    *comments_only = 0;
    return m->kind == CORS_MAP_TXT
           ? read_txt(m, p, token, b, comments_only, err)
           : read_dbm(m, p, token, b, err);
}

cors_map_builder *cors_map_file_builder(const cors_map_file *m, apr_pool_t *p)
{
    return cors_image_builder_make(p, m->kind == CORS_MAP_DBM
                                      ? CORS_BUILD_EXACT_ONLY
                                      : CORS_BUILD_ANY_ENTRY);
}

