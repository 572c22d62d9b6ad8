/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conf_reader.c -- httpd configuration read as httpd reads it, for
 * cors-check audit (see conf_reader.h).
 *
 * The rules follow server/util.c and server/config.c of httpd 2.4: a
 * line that ends in a backslash goes on with the next one (the backslash
 * and the line break are dropped), a line whose first non-blank
 * character is '#' is a comment, words are split on blanks with "..." and
 * '...' kept whole (a backslash before the quote character keeps it in
 * the word), directive and section names have no case, and a relative
 * Include path is taken from ServerRoot.
 */
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "apr_file_io.h"
#include "apr_lib.h"
#include "apr_strings.h"

#include "conf_reader.h"

/* httpd's own bound (AP_MAX_INCLUDE_DEPTH is 128); a loop of Includes
 * ends here with a message instead of a crash. */
#define MAX_INCLUDE_DEPTH 64
/* A configuration file larger than this is not one. */
#define MAX_FILE_BYTES (64 * 1024 * 1024)

typedef struct {
    conf_tree *t;
    const char *base;           /* for relative paths without ServerRoot */
    int depth;
    int htaccess;               /* the file being read is a .htaccess */
} reader;

static const char *read_file(reader *rd, const char *path,
                             const conf_section *parent);

conf_tree *conf_tree_make(apr_pool_t *p)
{
    conf_tree *t = apr_pcalloc(p, sizeof(*t));

    t->pool = p;
    t->directives = apr_array_make(p, 64, sizeof(conf_directive));
    t->files = apr_array_make(p, 8, sizeof(const char *));
    t->defines = apr_hash_make(p);
    return t;
}

/* ------------------------------------------------------------------------
 * Words and lines
 */

/* One word from *s as ap_getword_conf() reads it; *s moves past it. */
static const char *next_word(apr_pool_t *p, const char **s)
{
    const char *c = *s, *start;
    char quote, *w, *o;

    while (apr_isspace(*c)) {
        c++;
    }
    if (*c == '\0') {
        *s = c;
        return NULL;
    }
    if (*c != '"' && *c != '\'') {
        start = c;
        while (*c && !apr_isspace(*c)) {
            c++;
        }
        *s = c;
        return apr_pstrmemdup(p, start, c - start);
    }
    quote = *c++;
    w = o = apr_palloc(p, strlen(c) + 1);
    while (*c && *c != quote) {
        if (*c == '\\' && c[1] == quote) {
            c++;
        }
        *o++ = *c++;
    }
    *o = '\0';
    *s = *c ? c + 1 : c;
    return w;
}

apr_array_header_t *conf_split_words(apr_pool_t *p, const char *line)
{
    apr_array_header_t *words = apr_array_make(p, 4, sizeof(const char *));
    const char *w;

    while ((w = next_word(p, &line)) != NULL) {
        APR_ARRAY_PUSH(words, const char *) = w;
    }
    return words;
}

/* The end of the physical line at s (its '\n' or the end), the length
 * of its content without trailing blanks and '\r' in *len. */
static const char *line_end(const char *s, apr_size_t *len)
{
    const char *nl = strchr(s, '\n');
    const char *end = nl ? nl : s + strlen(s);
    const char *c = end;

    while (c > s && apr_isspace(c[-1])) {
        c--;
    }
    *len = (apr_size_t)(c - s);
    return end;
}

/* The logical line starting at *s, continuations joined; *s moves to the
 * next one, *lines counts the physical lines it took. */
static char *logical_line(apr_pool_t *p, const char **s, int *lines)
{
    const char *c = *s;
    char *out = apr_pstrdup(p, "");

    *lines = 0;
    for (;;) {
        apr_size_t len;
        const char *end = line_end(c, &len);
        int more = len > 0 && c[len - 1] == '\\';

        out = apr_pstrcat(p, out, apr_pstrmemdup(p, c, more ? len - 1 : len),
                          NULL);
        (*lines)++;
        c = *end ? end + 1 : end;
        if (!more || *c == '\0') {
            break;
        }
    }
    *s = c;
    return out;
}

/* The line with each ${NAME} that a Define gave a value replaced by it. */
static char *substitute(apr_pool_t *p, apr_hash_t *defines, char *line)
{
    char *start = strstr(line, "${"), *end;
    const char *value;

    if (start == NULL || (end = strchr(start, '}')) == NULL) {
        return line;
    }
    value = apr_hash_get(defines, start + 2, end - start - 2);
    if (value == NULL) {
        char *rest = substitute(p, defines, end + 1);
        return apr_pstrcat(p, apr_pstrmemdup(p, line, end + 1 - line), rest, NULL);
    }
    return apr_pstrcat(p, apr_pstrmemdup(p, line, start - line), value,
                       substitute(p, defines, end + 1), NULL);
}

/* ------------------------------------------------------------------------
 * Paths
 */

static const char *dir_of(apr_pool_t *p, const char *path)
{
    const char *slash = strrchr(path, '/');

    if (slash == NULL) {
        return ".";
    }
    return slash == path ? "/" : apr_pstrmemdup(p, path, slash - path);
}

static const char *resolve(reader *rd, const char *path)
{
    const char *base = rd->t->server_root ? rd->t->server_root : rd->base;

    if (path[0] == '/') {
        return path;
    }
    return apr_pstrcat(rd->t->pool, base, "/", path, NULL);
}

static int is_dir(apr_pool_t *p, const char *path)
{
    apr_finfo_t fi;

    return apr_stat(&fi, path, APR_FINFO_TYPE, p) == APR_SUCCESS
           && fi.filetype == APR_DIR;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The entries of a directory (not "." and ".."), sorted. */
static apr_array_header_t *dir_entries(apr_pool_t *p, const char *dir,
                                       const char **err)
{
    apr_array_header_t *names = apr_array_make(p, 16, sizeof(char *));
    apr_dir_t *d;
    apr_finfo_t fi;

    *err = NULL;
    if (apr_dir_open(&d, dir, p) != APR_SUCCESS) {
        *err = apr_psprintf(p, "%s: cannot open the directory", dir);
        return names;
    }
    while (apr_dir_read(&fi, APR_FINFO_NAME | APR_FINFO_TYPE, d) == APR_SUCCESS) {
        if (strcmp(fi.name, ".") && strcmp(fi.name, "..")) {
            APR_ARRAY_PUSH(names, const char *) =
                apr_pstrcat(p, dir, "/", fi.name, NULL);
        }
    }
    apr_dir_close(d);
    qsort(names->elts, names->nelts, sizeof(char *), cmp_names);
    return names;
}

static int is_htaccess_name(const char *path)
{
    const char *slash = strrchr(path, '/');

    return strcmp(slash ? slash + 1 : path, ".htaccess") == 0;
}

static int is_conf_name(const char *path)
{
    apr_size_t n = strlen(path);

    return n > 5 && strcmp(path + n - 5, ".conf") == 0;
}

/* ------------------------------------------------------------------------
 * Include and IncludeOptional
 */

/* A file, or every file of a directory and below, in name order. */
static const char *include_one(reader *rd, const char *path,
                               const conf_section *parent)
{
    apr_pool_t *p = rd->t->pool;

    if (is_dir(p, path)) {
        const char *err;
        apr_array_header_t *names = dir_entries(p, path, &err);
        int i;

        for (i = 0; err == NULL && i < names->nelts; i++) {
            err = include_one(rd, APR_ARRAY_IDX(names, i, const char *), parent);
        }
        return err;
    }
    return read_file(rd, path, parent);
}

static const char *include(reader *rd, const conf_directive *d,
                           const conf_section *parent)
{
    int optional = conf_is(d, "IncludeOptional");
    const char *arg = conf_arg(d, 0), *err = NULL;
    glob_t g;
    size_t i;
    int rc;

    if (arg == NULL) {
        return apr_psprintf(rd->t->pool, "%s:%d: %s needs a path", d->file,
                            d->line, d->name);
    }
    if (++rd->depth > MAX_INCLUDE_DEPTH) {
        return apr_psprintf(rd->t->pool, "%s:%d: Include nested more than %d "
                            "deep (a loop?)", d->file, d->line,
                            MAX_INCLUDE_DEPTH);
    }
    rc = glob(resolve(rd, arg), 0, NULL, &g);
    if (rc != 0 && rc != GLOB_NOMATCH) {
        rd->depth--;
        return apr_psprintf(rd->t->pool, "%s:%d: %s %s: cannot read the "
                            "directories", d->file, d->line, d->name, arg);
    }
    if (rc == GLOB_NOMATCH) {
        rd->depth--;
        if (optional) {
            return NULL;
        }
        return apr_psprintf(rd->t->pool, "%s:%d: Include %s matches no file",
                            d->file, d->line, arg);
    }
    for (i = 0; rc == 0 && err == NULL && i < g.gl_pathc; i++) {
        err = include_one(rd, apr_pstrdup(rd->t->pool, g.gl_pathv[i]), parent);
    }
    globfree(&g);
    rd->depth--;
    return err;
}

/* ------------------------------------------------------------------------
 * Files
 */

static const char *file_text(apr_pool_t *p, const char *path, const char **err)
{
    apr_file_t *f;
    apr_finfo_t fi;
    apr_size_t got;
    char *buf;

    *err = NULL;
    if (apr_file_open(&f, path, APR_FOPEN_READ, APR_FPROT_OS_DEFAULT, p)
        != APR_SUCCESS) {
        *err = apr_psprintf(p, "%s: cannot read the file", path);
        return NULL;
    }
    if (apr_file_info_get(&fi, APR_FINFO_SIZE | APR_FINFO_TYPE, f)
            != APR_SUCCESS || fi.filetype != APR_REG
        || fi.size > MAX_FILE_BYTES) {
        apr_file_close(f);
        *err = apr_psprintf(p, "%s: not a regular file of at most 64 MB", path);
        return NULL;
    }
    buf = apr_palloc(p, (apr_size_t)fi.size + 1);
    got = (apr_size_t)fi.size;
    if (got && apr_file_read_full(f, buf, got, &got) != APR_SUCCESS) {
        apr_file_close(f);
        *err = apr_psprintf(p, "%s: read error", path);
        return NULL;
    }
    apr_file_close(f);
    buf[got] = '\0';
    return buf;
}

static const conf_section *open_section(reader *rd, const char *path,
                                        int line, const char *text,
                                        const conf_section *parent)
{
    apr_pool_t *p = rd->t->pool;
    conf_section *s = apr_pcalloc(p, sizeof(*s));
    const char *c = text + 1, *close = strrchr(text, '>');
    apr_size_t n = strcspn(c, " \t>");

    s->name = apr_pstrmemdup(p, c, n);
    c += n;
    while (apr_isspace(*c)) {
        c++;
    }
    s->args = close && close >= c ? apr_pstrmemdup(p, c, close - c)
                                  : apr_pstrdup(p, c);
    s->file = path;
    s->line = line;
    s->parent = parent;
    return s;
}

static const char *add_directive(reader *rd, const char *path, int line,
                                 const char *text, const conf_section *cur)
{
    apr_pool_t *p = rd->t->pool;
    apr_array_header_t *words = conf_split_words(p, text);
    conf_directive *d = apr_array_push(rd->t->directives);
    int i;

    d->file = path;
    d->line = line;
    d->text = text;
    d->section = cur;
    d->name = APR_ARRAY_IDX(words, 0, const char *);
    d->args = apr_array_make(p, words->nelts, sizeof(const char *));
    for (i = 1; i < words->nelts; i++) {
        APR_ARRAY_PUSH(d->args, const char *) =
            APR_ARRAY_IDX(words, i, const char *);
    }
    if (conf_is(d, "Define") && conf_arg(d, 0) && !rd->htaccess) {
        apr_hash_set(rd->t->defines, conf_arg(d, 0), APR_HASH_KEY_STRING,
                     conf_arg(d, 1) ? conf_arg(d, 1) : "");
    }
    if (conf_is(d, "ServerRoot") && conf_arg(d, 0) && !rd->htaccess) {
        rd->t->server_root = conf_arg(d, 0);
    }
    if ((conf_is(d, "Include") || conf_is(d, "IncludeOptional"))
        && !rd->htaccess) {
        return include(rd, d, cur);
    }
    return NULL;
}

/* Reads the lines of text; cur is the section they are in. */
static const char *read_lines(reader *rd, const char *path, const char *text,
                              const conf_section *root)
{
    apr_pool_t *p = rd->t->pool;
    const conf_section *cur = root;
    int line = 1;

    while (*text) {
        int n, first = line;
        char *l = logical_line(p, &text, &n);
        const char *err = NULL;

        line += n;
        while (apr_isspace(*l)) {
            l++;
        }
        if (*l == '\0' || *l == '#') {
            continue;
        }
        l = substitute(p, rd->t->defines, l);
        if (l[0] == '<' && l[1] == '/') {
            apr_size_t len = strcspn(l + 2, " \t>");
            if (cur == root || strlen(cur->name) != len
                || strncasecmp(cur->name, l + 2, len) != 0) {
                return apr_psprintf(p, "%s:%d: %s closes no open section",
                                    path, first, l);
            }
            cur = cur->parent;
            continue;
        }
        if (l[0] == '<') {
            cur = open_section(rd, path, first, l, cur);
            continue;
        }
        err = add_directive(rd, path, first, l, cur);
        if (err) {
            return err;
        }
    }
    if (cur != root) {
        return apr_psprintf(p, "%s:%d: <%s> is never closed", path, cur->line,
                            cur->name);
    }
    return NULL;
}

static const char *read_file(reader *rd, const char *path,
                             const conf_section *parent)
{
    apr_pool_t *p = rd->t->pool;
    const char *err, *text = file_text(p, path, &err);
    int was_htaccess = rd->htaccess;

    if (text == NULL) {
        return err;
    }
    APR_ARRAY_PUSH(rd->t->files, const char *) = path;
    if (is_htaccess_name(path)) {
        conf_section *root = apr_pcalloc(p, sizeof(*root));
        root->name = "Directory";
        root->args = dir_of(p, path);
        root->file = path;
        root->line = 1;
        root->htaccess = 1;
        root->parent = parent;
        parent = root;
        rd->htaccess = 1;
    }
    err = read_lines(rd, path, text, parent);
    rd->htaccess = was_htaccess;
    return err;
}

/* A directory named on the command line: its .htaccess and *.conf files,
 * at any depth. */
static const char *read_tree(reader *rd, const char *dir)
{
    apr_pool_t *p = rd->t->pool;
    const char *err;
    apr_array_header_t *names;
    int i;

    if (++rd->depth > MAX_INCLUDE_DEPTH) {      /* a symbolic link loop */
        return apr_psprintf(p, "%s: directories nested more than %d deep",
                            dir, MAX_INCLUDE_DEPTH);
    }
    names = dir_entries(p, dir, &err);
    for (i = 0; err == NULL && i < names->nelts; i++) {
        const char *path = APR_ARRAY_IDX(names, i, const char *);
        if (is_dir(p, path)) {
            err = read_tree(rd, path);
        }
        else if (is_htaccess_name(path) || is_conf_name(path)) {
            rd->base = dir_of(p, path);
            err = read_file(rd, path, NULL);
        }
    }
    rd->depth--;
    return err;
}

const char *conf_read_path(conf_tree *t, const char *path)
{
    reader rd;

    memset(&rd, 0, sizeof(rd));
    rd.t = t;
    rd.base = dir_of(t->pool, path);
    if (is_dir(t->pool, path)) {
        return read_tree(&rd, path);
    }
    return read_file(&rd, path, NULL);
}

/* ------------------------------------------------------------------------
 * Asking about directives and scopes
 */

const char *conf_arg(const conf_directive *d, int i)
{
    return i >= 0 && i < d->args->nelts ? APR_ARRAY_IDX(d->args, i, const char *)
                                        : NULL;
}

int conf_is(const conf_directive *d, const char *name)
{
    return strcasecmp(d->name, name) == 0;
}

int conf_section_is_scope(const conf_section *s)
{
    static const char *const scopes[] = {
        "VirtualHost", "Directory", "DirectoryMatch", "Location",
        "LocationMatch", "Files", "FilesMatch", "Proxy", "ProxyMatch", NULL
    };
    int i;

    for (i = 0; scopes[i]; i++) {
        if (strcasecmp(s->name, scopes[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

const conf_section *conf_scope_of(const conf_directive *d)
{
    const conf_section *s;

    for (s = d->section; s; s = s->parent) {
        if (conf_section_is_scope(s)) {
            return s;
        }
    }
    return NULL;
}

const char *conf_scope_name(apr_pool_t *p, const conf_section *scope)
{
    const char *name = NULL;
    const conf_section *s;

    for (s = scope; s; s = s->parent) {
        const char *one;
        if (!conf_section_is_scope(s)) {
            continue;
        }
        one = s->htaccess ? apr_pstrcat(p, ".htaccess in ", s->args, NULL)
                          : apr_pstrcat(p, "<", s->name, *s->args ? " " : "",
                                        s->args, ">", NULL);
        name = name ? apr_pstrcat(p, one, " ", name, NULL) : one;
    }
    return name ? name : "server config";
}

int conf_scope_within(const conf_section *inner, const conf_section *outer)
{
    const conf_section *s;

    if (outer == NULL) {
        return 1;
    }
    for (s = inner; s; s = s->parent) {
        if (s == outer) {
            return 1;
        }
    }
    return 0;
}
