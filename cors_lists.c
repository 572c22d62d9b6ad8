/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_lists.c -- method and header-name lists: CORSAllowMethods,
 * CORSAllowHeaders, CORSExposeHeaders at config time, and the
 * Access-Control-Request-Method and -Headers of a preflight at request
 * time (see cors_lists.h).
 */
#include <string.h>

#include "apr_cstr.h"
#include "apr_strings.h"

#include "cors_chars.h"
#include "cors_lists.h"

/* The CORS-safelisted request-header names (Fetch), as a preflight's
 * answer names them (see cors_logic.h), and the same names for lookups
 * and joins (test_list_next checks that the two agree). */
const char cors_safelisted_headers[] =
    "Accept, Accept-Language, Content-Language, Content-Type, Range";

/* The CORS-safelisted methods, which need no CORSAllowMethods (the same
 * three cors_method_allowed() compares). */
const char cors_safelisted_methods[] = "GET, HEAD, POST";

#define NAME(key, written) { key, written, sizeof(key) - 1 }

static const cors_name safelisted[] = {
    NAME("accept", "Accept"),
    NAME("accept-language", "Accept-Language"),
    NAME("content-language", "Content-Language"),
    NAME("content-type", "Content-Type"),
    NAME("range", "Range"),
};

#define N_SAFELISTED (int)(sizeof(safelisted) / sizeof(safelisted[0]))

/* Is name (len bytes, in any case) a CORS-safelisted request-header name? */
static int is_safelisted(const char *name, size_t len)
{
    int i;

    for (i = 0; i < N_SAFELISTED; i++) {
        if (safelisted[i].len == len
            && cors_same_name(safelisted[i].key, name, len)) {
            return 1;
        }
    }
    return 0;
}

int cors_is_protocol_header(const char *name)
{
    static const char prefix[] = "access-control-";
    size_t i, n = sizeof(prefix) - 1;

    /* Most names are shorter ("Accept-Ranges"), and strlen() is cheaper
     * than comparing them byte by byte. */
    if (strlen(name) < n) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (cors_to_lower((unsigned char)name[i]) != prefix[i]) {
            return 0;
        }
    }
    return 1;
}

/* Is s (n bytes) a token? */
static int is_token_n(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (!cors_is_tchar((unsigned char)s[i])) {
            return 0;
        }
    }
    return n > 0;
}

/* One pass, without is_token_n()'s length: the directives check every
 * method and header name of a .htaccess line on every request. */
int cors_is_token(const char *s)
{
    if (s == NULL || *s == '\0') {
        return 0;
    }
    for (; *s; s++) {
        if (!cors_is_tchar((unsigned char)*s)) {
            return 0;
        }
    }
    return 1;
}

cors_list *cors_list_make(apr_pool_t *p)
{
    return apr_pcalloc(p, sizeof(cors_list));
}

/* head (or nothing), then ", " and the written form of each name: the
 * response header value, built in one allocation. */
static const char *join_names(apr_pool_t *p, const char *head,
                              const cors_name *names, int n)
{
    size_t head_len = head ? strlen(head) : 0, len = head_len;
    char *value, *c;
    int i;

    for (i = 0; i < n; i++) {
        len += 2 + names[i].len;
    }
    if (len == head_len) {
        return head;
    }
    c = value = apr_palloc(p, len + 1);
    if (head_len) {
        memcpy(c, head, head_len);
        c += head_len;
    }
    for (i = 0; i < n; i++) {
        if (c != value) {
            memcpy(c, ", ", 2);
            c += 2;
        }
        memcpy(c, names[i].written, names[i].len);
        c += names[i].len;
    }
    *c = '\0';
    return value;
}

static void list_join(cors_list *list, apr_pool_t *p)
{
    const apr_array_header_t *a = list->names.names;

    list->value = a ? join_names(p, NULL, (const cors_name *)a->elts,
                                 a->nelts)
                    : NULL;
}

/* "*" as a whole list: alone on the line, and never mixed across lines. */
static const char *check_star_alone(cors_list *list, apr_pool_t *p, int argc,
                                    char *const argv[])
{
    int i, star = 0;
    for (i = 0; i < argc; i++) {
        star |= strcmp(argv[i], "*") == 0;
    }
    if (star && (argc > 1 || cors_set_count(&list->names) > 0)) {
        return "'*' must stand alone";
    }
    if (!star && list->any) {
        return apr_psprintf(p, "'%s' cannot be added to '*'", argv[0]);
    }
    list->any |= star;
    return NULL;
}

/* Does "*" settle the line (CORSAllowMethods, CORSExposeHeaders): a
 * misplaced one (*err set), or a list that is "*"? */
static int star_settles(cors_list *list, apr_pool_t *p, int argc,
                        char *const argv[], const char **err)
{
    if ((*err = check_star_alone(list, p, argc, argv)) == NULL
        && !list->any) {
        return 0;
    }
    list->value = list->any ? "*" : list->value;
    return 1;
}

/* Is s upper (an uppercase name), ignoring case? */
static int is_nocase(const char *s, const char *upper)
{
    for (; *upper; s++, upper++) {
        if (*s != *upper && !(cors_is_lower((unsigned char)*s)
                              && *s - ('a' - 'A') == *upper)) {
            return 0;
        }
    }
    return *s == '\0';
}

static const char *const fetch_methods[] = {
    "DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT", NULL
};

static const char *const forbidden_methods[] = {
    "CONNECT", "TRACE", "TRACK", NULL
};

/* The entry of names (uppercase) that s is, ignoring case, or NULL. */
static const char *find_nocase(const char *const *names, const char *s)
{
    for (; *names; names++) {
        if (is_nocase(s, *names)) {
            return *names;
        }
    }
    return NULL;
}

const char *cors_method_fetch_name(const char *method)
{
    return find_nocase(fetch_methods, method);
}

const char *cors_list_add_methods(cors_list *list, apr_pool_t *p, int argc,
                                  char *const argv[], const char **warning)
{
    const char *err;
    int i;

    *warning = NULL;
    if (star_settles(list, p, argc, argv, &err)) {
        return err;
    }
    for (i = 0; i < argc; i++) {
        const char *m = argv[i], *fetch;
        if (!cors_is_token(m)) {
            return apr_psprintf(p, "'%s' is not a method name", m);
        }
        if (find_nocase(forbidden_methods, m)) {
            return apr_psprintf(p, "'%s' is a forbidden method: browsers "
                                "never send it", m);
        }
        /* Browsers uppercase only these six; every other name is sent
         * byte for byte as the page wrote it. */
        if ((fetch = cors_method_fetch_name(m)) != NULL) {
            m = fetch;
        }
        else if (!*warning) {
            char *upper = apr_pstrdup(p, m), *c;
            for (c = upper; *c; c++) {
                *c = cors_is_lower((unsigned char)*c) ? (char)(*c - 32) : *c;
            }
            if (strcmp(upper, m) != 0) {
                *warning = apr_psprintf(p, "method '%s' is kept as written "
                                        "(methods are case-sensitive and "
                                        "browsers do not uppercase it); did "
                                        "you mean '%s'?", m, upper);
            }
        }
        cors_set_add(&list->names, p, m, m, strlen(m));
    }
    list_join(list, p);
    return NULL;
}

/* Fetch's forbidden request-header names, which a page cannot set. */
static const char *const forbidden_request[] = {
    "accept-charset", "accept-encoding", "connection", "content-length",
    "cookie", "cookie2", "date", "dnt", "expect", "host", "keep-alive",
    "origin", "referer", "set-cookie", "te", "trailer", "transfer-encoding",
    "upgrade", "via", NULL
};

/* s, or a lowercased copy of it when it has an uppercase letter. */
static const char *lowercase(apr_pool_t *p, const char *s, size_t len)
{
    char *l;
    size_t i;

    for (i = 0; i < len && !cors_is_upper((unsigned char)s[i]); i++) {
    }
    if (i == len) {
        return s;
    }
    l = apr_pstrmemdup(p, s, len);
    for (; i < len; i++) {
        l[i] = (char)cors_to_lower((unsigned char)l[i]);
    }
    return l;
}

/* Does s start with prefix (n bytes)?  Most names differ at once. */
static int has_prefix(const char *s, const char *prefix, size_t n)
{
    return s[0] == prefix[0] && strncmp(s, prefix, n) == 0;
}

/* names and name are both lowercase. */
static int in_list(const char *const *names, const char *name)
{
    for (; *names; names++) {
        if ((*names)[0] == name[0] && strcmp(*names, name) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The safelisted names the list lacks follow its value. */
static void build_safelisted_value(cors_list *list, apr_pool_t *p)
{
    cors_name missing[N_SAFELISTED];
    int i, count = 0;

    for (i = 0; i < N_SAFELISTED; i++) {
        if (!cors_set_lookup(&list->names, safelisted[i].key,
                           safelisted[i].len)) {
            missing[count++] = safelisted[i];
        }
    }
    list->value_safelisted = join_names(p, list->value, missing, count);
}

const char *cors_list_add_allow_headers(cors_list *list, apr_pool_t *p,
                                        int argc, char *const argv[])
{
    int i;

    for (i = 0; i < argc; i++) {
        const char *h = argv[i], *key;
        size_t len;
        if (strcmp(h, "*") == 0) {
            list->any = 1;
            continue;
        }
        if (!cors_is_token(h)) {
            return apr_psprintf(p, "'%s' is not a header name", h);
        }
        len = strlen(h);
        key = lowercase(p, h, len);
        if (in_list(forbidden_request, key) || has_prefix(key, "sec-", 4)
            || has_prefix(key, "proxy-", 6)) {
            return apr_psprintf(p, "'%s' is a forbidden request header: "
                                "browsers never let a page send it", h);
        }
        if (cors_is_protocol_header(key)) {
            return apr_psprintf(p, "'%s' is a CORS protocol header, not a "
                                "request header a page sends", h);
        }
        if (strcmp(key, "authorization") == 0) {
            list->authorization = 1;
        }
        cors_set_add(&list->names, p, key, h, len);
    }
    if (list->any) {
        /* "*" covers every name but Authorization (Fetch). */
        list->value = list->authorization ? "*, Authorization" : "*";
        list->value_safelisted = list->value;
        return NULL;
    }
    list_join(list, p);
    build_safelisted_value(list, p);
    return NULL;
}

const char *cors_list_add_expose_headers(cors_list *list, apr_pool_t *p,
                                         int argc, char *const argv[])
{
    const char *err;
    int i;

    if (star_settles(list, p, argc, argv, &err)) {
        return err;
    }
    for (i = 0; i < argc; i++) {
        const char *h = argv[i];
        size_t len;
        if (!cors_is_token(h)) {
            return apr_psprintf(p, "'%s' is not a header name", h);
        }
        if (apr_cstr_casecmp(h, "set-cookie") == 0
            || apr_cstr_casecmp(h, "set-cookie2") == 0) {
            return apr_psprintf(p, "'%s' can never be exposed to a page", h);
        }
        if (cors_is_protocol_header(h)) {
            return apr_psprintf(p, "'%s' is a CORS protocol header, not one "
                                "to expose", h);
        }
        len = strlen(h);
        cors_set_add(&list->names, p, lowercase(p, h, len), h, len);
    }
    list_join(list, p);
    return NULL;
}

int cors_method_allowed(const cors_list *list, int credentials,
                        const char *method)
{
    /* A listed method is a token (the directive checks), and a preflight
     * asks for one the policy lists: most end at this lookup. */
    if (list && cors_set_lookup(&list->names, method, strlen(method))) {
        return 1;
    }
    if (!cors_is_token(method)) {
        return 0;
    }
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0
        || strcmp(method, "POST") == 0) {
        return 1;
    }
    /* "*" stands alone: its set is empty. */
    return list && list->any && !credentials;
}

static int is_ows(int c) { return c == ' ' || c == '\t'; }

/* Inline in the Access-Control-Request-Headers loop, which runs it once
 * for each name. */
static APR_INLINE const char *list_next(const char **cursor, size_t *len)
{
    const char *c = *cursor, *start, *end;

    if (c == NULL) {
        return NULL;
    }
    while (is_ows((unsigned char)*c) || *c == ',') {
        c++;
    }
    if (*c == '\0') {
        *cursor = c;
        return NULL;
    }
    start = c;
    end = strchr(c, ',');
    c = end ? end : c + strlen(c);
    end = c;
    while (end > start && is_ows((unsigned char)end[-1])) {
        end--;
    }
    *cursor = c;
    *len = (size_t)(end - start);
    return start;
}

const char *cors_list_next(const char **cursor, size_t *len)
{
    return list_next(cursor, len);
}

int cors_list_has(const char *list, const char *name, size_t len)
{
    const char *element;
    size_t n;

    while ((element = cors_list_next(&list, &n)) != NULL) {
        if (n == len && apr_cstr_casecmpn(element, name, n) == 0) {
            return 1;
        }
    }
    return 0;
}

static cors_acrh_result report_bad(cors_acrh_result result, const char **bad,
                                   size_t *badlen, const char *s, size_t n)
{
    *bad = s;
    *badlen = n;
    return result;
}

cors_acrh_result cors_request_headers_check(const cors_list *list,
                                            int credentials, const char *acrh,
                                            int *safelisted, const char **bad,
                                            size_t *badlen)
{
    const char *start;
    size_t n;
    int names = 0;

    *safelisted = 0;
    if (acrh == NULL) {
        return CORS_ACRH_OK;
    }
    if (strlen(acrh) > CORS_ACRH_MAX_BYTES) {
        return CORS_ACRH_TOO_LONG;
    }
    while ((start = list_next(&acrh, &n)) != NULL) {
        if (++names > CORS_ACRH_MAX_NAMES) {
            return CORS_ACRH_TOO_LONG;
        }
        /* A listed name is a token (the directive checks): only the
         * others need the check. */
        if (list && cors_set_lookup_any_case(&list->names, start, n)) {
            continue;
        }
        if (!is_token_n(start, n)) {
            return report_bad(CORS_ACRH_MALFORMED, bad, badlen, start, n);
        }
        if (list && list->any && !credentials
            && !(n == 13 && cors_same_name("authorization", start, n))) {
            continue;
        }
        if (is_safelisted(start, n)) {
            *safelisted = 1;
            continue;
        }
        return report_bad(CORS_ACRH_DENIED, bad, badlen, start, n);
    }
    return CORS_ACRH_OK;
}
