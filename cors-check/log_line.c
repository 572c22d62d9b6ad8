/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log_line.c -- one cors_observe access-log line into its fields.
 * See log_line.h.
 */
#include <string.h>

#include "log_line.h"

/* A cursor over the line: the bytes from c up to end are left. */
typedef struct {
    const char *c;
    const char *end;
} cursor;

static int at_end(const cursor *k)
{
    return k->c >= k->end;
}

/* One space between fields, as mod_log_config writes them. */
static int skip_space(cursor *k)
{
    if (at_end(k) || *k->c != ' ') {
        return 0;
    }
    k->c++;
    return 1;
}

/* An unquoted field: the bytes up to the next space or the end. */
static int read_word(cursor *k, ll_span *out)
{
    const char *s = k->c;

    while (!at_end(k) && *k->c != ' ') {
        k->c++;
    }
    out->s = s;
    out->len = (size_t)(k->c - s);
    return out->len > 0;
}

/* A quoted field.  httpd escapes '"' and '\' inside it with a '\', so
 * the field ends at the first '"' that no '\' escapes. */
static int read_quoted(cursor *k, ll_span *out)
{
    const char *s;

    if (at_end(k) || *k->c != '"') {
        return 0;
    }
    s = ++k->c;
    while (!at_end(k) && *k->c != '"') {
        k->c += (*k->c == '\\' && k->c + 1 < k->end) ? 2 : 1;
    }
    if (at_end(k)) {
        return 0;
    }
    out->s = s;
    out->len = (size_t)(k->c - s);
    k->c++;
    return 1;
}

/* "-" is how mod_log_config writes a header or note that is not there. */
static int is_dash(const ll_span *v)
{
    return v->len == 1 && v->s[0] == '-';
}

static void clear_dash(ll_span *v)
{
    if (is_dash(v)) {
        v->len = 0;
    }
}

static int read_status(cursor *k, int *status)
{
    ll_span w;
    size_t i;

    if (!read_word(k, &w) || w.len > 3) {
        return 0;
    }
    *status = 0;
    for (i = 0; i < w.len; i++) {
        if (w.s[i] < '0' || w.s[i] > '9') {
            return 0;
        }
        *status = *status * 10 + (w.s[i] - '0');
    }
    return 1;
}

/* %r: "METHOD target HTTP/x.y".  A request line that is not of that
 * shape (junk from a scanner, "-") has no method and no path: the request
 * counts for the virtual host, but no --prefix takes it in. */
static void split_request(const ll_span *r, ll_fields *f)
{
    const char *sp = memchr(r->s, ' ', r->len), *t, *end = r->s + r->len;

    f->method.s = f->path.s = r->s;
    f->method.len = f->path.len = 0;
    if (sp == NULL || sp == r->s) {
        return;
    }
    f->method.len = (size_t)(sp - r->s);
    t = sp + 1;
    f->path.s = t;
    while (t < end && *t != ' ' && *t != '?') {
        t++;
    }
    f->path.len = (size_t)(t - f->path.s);
}

ll_result ll_parse(const char *line, size_t len, ll_fields *f)
{
    cursor k;
    ll_span request;

    /* a CR left by a log copied from another system, trailing blanks */
    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' '
                       || line[len - 1] == '\t')) {
        len--;
    }
    if (len == 0) {
        return LL_BLANK;
    }
    memset(f, 0, sizeof(*f));
    k.c = line;
    k.end = line + len;
    if (!read_word(&k, &f->vhost) || !skip_space(&k)
        || !read_quoted(&k, &request) || !skip_space(&k)
        || !read_status(&k, &f->status) || !skip_space(&k)
        || !read_quoted(&k, &f->origin) || !skip_space(&k)
        || !read_quoted(&k, &f->acrm) || !skip_space(&k)
        || !read_quoted(&k, &f->acrh) || !skip_space(&k)
        || !read_word(&k, &f->note) || !at_end(&k)) {
        return LL_MALFORMED;
    }
    split_request(&request, f);
    f->has_origin = !is_dash(&f->origin);
    clear_dash(&f->origin);
    clear_dash(&f->acrm);
    clear_dash(&f->acrh);
    clear_dash(&f->note);
    return LL_OK;
}

int ll_is_preflight(const ll_fields *f)
{
    return f->acrm.len > 0 && f->method.len == 7
           && memcmp(f->method.s, "OPTIONS", 7) == 0;
}

/* As <Location "prefix"> takes it: "/api" covers "/api" and "/api/x" but
 * not "/apix", so that the proposal pasted into <Location> covers the
 * traffic it was made from. */
int ll_path_under(const ll_fields *f, const char *prefix, size_t prefix_len)
{
    if (prefix_len == 0) {
        return 1;
    }
    if (f->path.len < prefix_len || memcmp(f->path.s, prefix, prefix_len) != 0) {
        return 0;
    }
    return prefix[prefix_len - 1] == '/' || f->path.len == prefix_len
           || f->path.s[prefix_len] == '/';
}
