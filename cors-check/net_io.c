/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_io.c -- libcurl I/O and URL parsing for cors-check (see net_io.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "net_io.h"

#define USER_AGENT "cors-check/1.0"

int nio_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void nio_global_cleanup(void)
{
    curl_global_cleanup();
}

/* ---- reading a response --------------------------------------------------- */

static char *store_copy(nio_response *r, const char *s, size_t n)
{
    char *out;

    if (r->used + n + 1 > sizeof(r->store)) {
        return NULL;
    }
    out = r->store + r->used;
    memcpy(out, s, n);
    out[n] = '\0';
    r->used += n + 1;
    return out;
}

static void trim_span(const char **s, const char **e)
{
    while (*s < *e && (**s == ' ' || **s == '\t')) {
        (*s)++;
    }
    while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r'
                       || (*e)[-1] == '\n')) {
        (*e)--;
    }
}

/* A status line starts a new header block (1xx, then the final one). */
static void on_status_line(nio_response *r, const char *line, size_t n)
{
    const char *sp = memchr(line, ' ', n), *end = line + n, *reason;
    int status = 0;

    r->resp.nheaders = 0;
    r->used = 0;
    r->dropped = 0;
    r->reason[0] = '\0';
    if (sp == NULL) {
        return;
    }
    status = atoi(sp + 1);
    reason = memchr(sp + 1, ' ', (size_t)(end - sp - 1));
    if (reason) {
        const char *rs = reason + 1, *re = end;

        trim_span(&rs, &re);
        snprintf(r->reason, sizeof(r->reason), "%.*s", (int)(re - rs), rs);
    }
    r->resp.status = status;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ctx)
{
    nio_response *r = ctx;
    size_t n = size * nmemb;
    const char *colon, *ns, *ne, *vs, *ve;
    char *name, *value;

    if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        on_status_line(r, data, n);
        return n;
    }
    colon = memchr(data, ':', n);
    if (colon == NULL) {
        return n;           /* the blank line, or a stray one */
    }
    ns = data, ne = colon, vs = colon + 1, ve = data + n;
    trim_span(&ns, &ne);
    trim_span(&vs, &ve);
    if (r->resp.nheaders >= FM_MAX_RESP_HEADERS) {
        r->dropped++;
        return n;
    }
    name = store_copy(r, ns, (size_t)(ne - ns));
    value = name ? store_copy(r, vs, (size_t)(ve - vs)) : NULL;
    if (value == NULL) {
        r->dropped++;
        return n;
    }
    r->resp.headers[r->resp.nheaders].name = name;
    r->resp.headers[r->resp.nheaders].value = value;
    r->resp.nheaders++;
    return n;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
    nio_response *r = ctx;
    size_t n = size * nmemb;

    (void)data;
    if (r->body_bytes + n > NIO_BODY_BYTES) {
        r->body_truncated = 1;
        return 0;           /* stops the transfer: enough is read */
    }
    r->body_bytes += n;
    return n;
}

/* ---- one exchange --------------------------------------------------------- */

static struct curl_slist *header_list(const fm_header *headers, size_t n)
{
    struct curl_slist *list = NULL;
    int have_accept = 0;
    size_t i;
    char line[8192];

    for (i = 0; i < n; i++) {
        if (curl_strequal(headers[i].name, "Accept")) {
            have_accept = 1;
        }
        /* "Name;" is libcurl's way of sending an empty value */
        if (headers[i].value[0] == '\0') {
            snprintf(line, sizeof(line), "%s;", headers[i].name);
        } else {
            snprintf(line, sizeof(line), "%s: %s", headers[i].name, headers[i].value);
        }
        list = curl_slist_append(list, line);
    }
    if (!have_accept) {
        list = curl_slist_append(list, "Accept: */*");   /* what fetch() sends */
    }
    list = curl_slist_append(list, "Expect:");
    return list;
}

int nio_exchange(const nio_options *opt, const char *method, const char *url,
                 const fm_header *headers, size_t nheaders, nio_response *out,
                 char *err, size_t errlen)
{
    CURL *curl = curl_easy_init();
    struct curl_slist *list;
    char curl_err[CURL_ERROR_SIZE] = "";
    CURLcode rc;

    memset(out, 0, sizeof(*out));
    if (curl == NULL) {
        snprintf(err, errlen, "libcurl could not start");
        return -1;
    }
    list = header_list(headers, nheaders);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, USER_AGENT);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, out);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, opt->connect_timeout);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, opt->timeout);
    curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)64 * 1024 * 1024);
    if (opt->insecure) {
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (strcmp(method, "GET") != 0) {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    }
    rc = curl_easy_perform(curl);
    if (rc == CURLE_WRITE_ERROR && out->body_truncated) {
        rc = CURLE_OK;      /* we stopped reading the body on purpose */
    }
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK) {
        snprintf(err, errlen, "%s: %s", curl_easy_strerror(rc),
                 curl_err[0] ? curl_err : "(no detail)");
        return -1;
    }
    if (out->resp.status < 100) {
        snprintf(err, errlen, "no HTTP status line in the response");
        return -1;
    }
    return 0;
}

/* ---- URLs ----------------------------------------------------------------- */

static void lowercase(char *s)
{
    for (; *s; s++) {
        if (*s >= 'A' && *s <= 'Z') {
            *s = (char)(*s + ('a' - 'A'));
        }
    }
}

typedef struct {
    char *scheme, *host, *port, *path, *query, *user, *password;
} url_parts;

static void parts_free(url_parts *p)
{
    curl_free(p->scheme);
    curl_free(p->host);
    curl_free(p->port);
    curl_free(p->path);
    curl_free(p->query);
    curl_free(p->user);
    curl_free(p->password);
    memset(p, 0, sizeof(*p));
}

static int parts_of(CURLU *u, url_parts *p)
{
    memset(p, 0, sizeof(*p));
    if (curl_url_get(u, CURLUPART_SCHEME, &p->scheme, 0) != CURLUE_OK
        || curl_url_get(u, CURLUPART_HOST, &p->host, 0) != CURLUE_OK) {
        parts_free(p);
        return -1;
    }
    lowercase(p->scheme);
    lowercase(p->host);
    if (strcmp(p->scheme, "http") != 0 && strcmp(p->scheme, "https") != 0) {
        parts_free(p);
        return -1;
    }
    if (curl_url_get(u, CURLUPART_PORT, &p->port, 0) != CURLUE_OK) {
        p->port = NULL;
    }
    if (p->port && ((strcmp(p->scheme, "http") == 0 && strcmp(p->port, "80") == 0)
                    || (strcmp(p->scheme, "https") == 0 && strcmp(p->port, "443") == 0))) {
        curl_free(p->port);
        p->port = NULL;
    }
    curl_url_get(u, CURLUPART_PATH, &p->path, 0);
    if (curl_url_get(u, CURLUPART_QUERY, &p->query, 0) != CURLUE_OK) {
        p->query = NULL;
    }
    if (curl_url_get(u, CURLUPART_USER, &p->user, 0) != CURLUE_OK) {
        p->user = NULL;
    }
    if (curl_url_get(u, CURLUPART_PASSWORD, &p->password, 0) != CURLUE_OK) {
        p->password = NULL;
    }
    return 0;
}

static int write_origin(const url_parts *p, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "%s://%s%s%s", p->scheme, p->host,
                     p->port ? ":" : "", p->port ? p->port : "");

    return (n < 0 || (size_t)n >= outlen) ? -1 : 0;
}

static int write_url(const url_parts *p, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "%s://%s%s%s%s%s%s", p->scheme, p->host,
                     p->port ? ":" : "", p->port ? p->port : "",
                     (p->path && *p->path) ? p->path : "/",
                     p->query ? "?" : "", p->query ? p->query : "");

    return (n < 0 || (size_t)n >= outlen) ? -1 : 0;
}

static int with_url(const char *base, const char *url, char *out, size_t outlen,
                    int origin_only, int *creds)
{
    CURLU *u = curl_url();
    url_parts p;
    int rc = -1;

    if (u == NULL) {
        return -1;
    }
    if ((base == NULL || curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK)
        && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK
        && parts_of(u, &p) == 0) {
        if (creds) {
            *creds = p.user != NULL || p.password != NULL;
        }
        rc = origin_only ? write_origin(&p, out, outlen) : write_url(&p, out, outlen);
        parts_free(&p);
    }
    curl_url_cleanup(u);
    return rc;
}

int nio_url_canonical(const char *url, char *out, size_t outlen)
{
    return with_url(NULL, url, out, outlen, 0, NULL);
}

int nio_url_origin(const char *url, char *out, size_t outlen)
{
    return with_url(NULL, url, out, outlen, 1, NULL);
}

int nio_url_resolve(const char *base, const char *location, char *out,
                    size_t outlen, int *creds)
{
    *creds = 0;
    return with_url(base, location, out, outlen, 0, creds);
}
