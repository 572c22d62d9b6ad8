/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_directives.c -- the value parsers of the list directives in
 * cors_logic: cors_list_add_methods() (CORSAllowMethods),
 * cors_list_add_allow_headers() (CORSAllowHeaders),
 * cors_list_add_expose_headers() (CORSExposeHeaders) and cors_origins_add()
 * (CORSAllowOrigin, one call per argument as ITERATE does); and
 * cors_regex_compile() with the check of cors_probe.h under its budget
 * (CORSAllowOriginMatch, the whole line as its one argument).
 *
 * Input: byte 0 picks the directive; the rest is up to 8 directive lines
 * ('\n'), each split into arguments at spaces and tabs, as httpd would.
 * Lines add up in one list until a line is refused (httpd stops there).
 * The argument strings live until the end of the input, as httpd's do (it
 * allocates them from the configuration pool, and the lists keep them).
 * Checks after every accepted line:
 *  - the pre-joined header value(s) exist and hold only token characters,
 *    ", " separators and '*' (they are sent as a response header);
 *  - no forbidden name got in (CONNECT/TRACE/TRACK, forbidden request
 *    headers, Set-Cookie, Access-Control-*);
 *  - every accepted name is then allowed by the request-side checks;
 *  - CORSAllowOriginMatch: a refusal names the regex (its first bytes); an
 *    accepted regex's check spends no more than its budget, stops with a
 *    limit only on an origin it reports, and every match of the regex
 *    (the check's origins, the line itself) says yes, no or limit.
 */
#include "fuzz_common.h"

#include "cors_probe.h"
#include "cors_regex.h"

#define MAX_LINES 8
#define MAX_ARGS 64

static int tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int eq_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        int x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z')
            x += 32;
        if (y >= 'A' && y <= 'Z')
            y += 32;
        if (x != y) {
            return 0;
        }
    }
    return *a == *b;
}

static int prefix_nocase(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    char *head;
    int r;
    if (strlen(s) < n) {
        return 0;
    }
    head = strndup(s, n);
    r = eq_nocase(head, prefix);
    free(head);
    return r;
}

static void check_header_value(const char *what, const char *v)
{
    const char *c;
    if (v == NULL) {
        FUZZ_FAIL("%s: no header value after an accepted line", what);
    }
    for (c = v; *c; c++) {
        if (!(tchar((unsigned char)*c) || (c[0] == ',' && c[1] == ' ') ||
              (c[0] == ' ' && c > v && c[-1] == ','))) {
            fuzz_print(stderr, "value: ", v);
            FUZZ_FAIL("%s: header value holds byte 0x%02x", what,
                      (unsigned char)*c);
        }
    }
}

static const char *const forbidden_request[] = {"accept-charset",
                                                "accept-encoding",
                                                "connection",
                                                "content-length",
                                                "cookie",
                                                "cookie2",
                                                "date",
                                                "dnt",
                                                "expect",
                                                "host",
                                                "keep-alive",
                                                "origin",
                                                "referer",
                                                "set-cookie",
                                                "te",
                                                "trailer",
                                                "transfer-encoding",
                                                "upgrade",
                                                "via",
                                                NULL};

static void check_list(int kind, const cors_list *list, int argc,
                       char *const argv[])
{
    const cors_name *w = list->names.names
                             ? (const cors_name *)list->names.names->elts
                             : NULL;
    int i, j;

    check_header_value("value", list->value);
    if (kind == 1) {
        check_header_value("value_safelisted", list->value_safelisted);
    }
    for (i = 0; i < cors_set_count(&list->names); i++) {
        const char *n = w[i].written;
        if (!tchar((unsigned char)n[0])) {
            FUZZ_FAIL("empty or non-token name in the list");
        }
        if (kind == 0 && (eq_nocase(n, "CONNECT") || eq_nocase(n, "TRACE") ||
                          eq_nocase(n, "TRACK"))) {
            FUZZ_FAIL("forbidden method '%s' accepted", n);
        }
        if (kind == 1) {
            for (j = 0; forbidden_request[j]; j++) {
                if (eq_nocase(n, forbidden_request[j])) {
                    FUZZ_FAIL("forbidden request header '%s' accepted", n);
                }
            }
            if (prefix_nocase(n, "sec-") || prefix_nocase(n, "proxy-") ||
                prefix_nocase(n, "access-control-")) {
                FUZZ_FAIL("forbidden request header '%s' accepted", n);
            }
        }
        if (kind == 2 &&
            (eq_nocase(n, "set-cookie") || eq_nocase(n, "set-cookie2") ||
             prefix_nocase(n, "access-control-"))) {
            FUZZ_FAIL("unexposable header '%s' accepted", n);
        }
    }
    /* What was accepted is allowed on the request side. */
    for (i = 0; i < argc; i++) {
        int safelisted;
        const char *bad;
        size_t badlen;
        if (strcmp(argv[i], "*") == 0) {
            continue;
        }
        if (kind == 0) {
            const char *m = argv[i];
            static const char *const six[] = {
                "DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT", NULL};
            for (j = 0; six[j]; j++) {
                if (eq_nocase(m, six[j])) {
                    m = six[j];
                }
            }
            if (!list->any && !cors_method_allowed(list, 1, m)) {
                fuzz_print(stderr, "method: ", m);
                FUZZ_FAIL("accepted method is not allowed");
            }
        }
        if (kind == 1 && strlen(argv[i]) <= CORS_ACRH_MAX_BYTES &&
            cors_request_headers_check(list, 1, argv[i], &safelisted, &bad,
                                       &badlen) != CORS_ACRH_OK) {
            fuzz_print(stderr, "header: ", argv[i]);
            FUZZ_FAIL("accepted header name is not allowed in ACRH");
        }
    }
}

/* CORSAllowOriginMatch: one regex, checked and matched under the bounds. */
static const char *check_regex(apr_pool_t *p, const char *source)
{
    cors_regex *re;
    cors_regex_budget budget;
    const cors_probe *found;
    const apr_array_header_t *set;
    const char *err = cors_regex_compile(p, source, CORS_REGEX_DOTALL
                                         | CORS_REGEX_DOLLAR_ENDONLY, &re);
    int i, said;

    if (err) {
        if (re != NULL || strncmp(err, "'", 1) != 0
            || strncmp(err + 1, source, strlen(source) < 16 ? strlen(source)
                                                             : 16) != 0) {
            fuzz_print(stderr, "error: ", err);
            FUZZ_FAIL("a refused regex is not named first in its message");
        }
        return err;
    }
    cors_regex_budget_init(&budget, re);
    found = cors_probe_find(p, source, cors_regex_probe_match, &budget);
    if (budget.left > CORS_REGEX_PROBE_BUDGET) {
        FUZZ_FAIL("the check spent more than its budget");
    }
    if (budget.limit != CORS_REGEX_LIMIT_NONE && found == NULL) {
        FUZZ_FAIL("the check stopped on a limit without saying where");
    }
    set = cors_probe_set(p, source);
    for (i = 0; i < set->nelts; i++) {
        said = cors_regex_match(re, APR_ARRAY_IDX(set, i, cors_probe).origin);
        if (said != CORS_MATCH_NO && said != CORS_MATCH_YES
            && said != CORS_MATCH_LIMIT) {
            FUZZ_FAIL("a match said %d", said);
        }
    }
    said = cors_regex_match(re, source);
    if (said < CORS_MATCH_NO || said > CORS_MATCH_LIMIT) {
        FUZZ_FAIL("a match said %d", said);
    }
    return NULL;
}

FUZZ_INITIALIZE_APR_ONLY

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    cors_list *list;
    cors_origins *origins;
    char *text, *line, *next;
    char *words[MAX_LINES * MAX_ARGS];
    int kind, lines = 0, n_words = 0, i;

    if (size < 1) {
        return 0;
    }
    kind = data[0] % 5;
    p = fuzz_pool();
    list = cors_list_make(p);
    origins = cors_origins_make(p);
    text = fuzz_strndup(data + 1, size - 1);

    for (line = text; line && lines < MAX_LINES; line = next, lines++) {
        char *argv[MAX_ARGS + 1];
        int argc = 0;
        const char *err = NULL, *warning = NULL;
        char *c = line;

        next = strchr(line, '\n');
        if (next) {
            *next++ = '\0';
        }
        /* Split at blanks into exact-size malloc'd words. */
        while (*c && argc < MAX_ARGS) {
            char *start;
            while (*c == ' ' || *c == '\t')
                c++;
            if (!*c) {
                break;
            }
            start = c;
            while (*c && *c != ' ' && *c != '\t')
                c++;
            argv[argc] = strndup(start, (size_t)(c - start));
            words[n_words++] = argv[argc++];
        }
        argv[argc] = NULL;
        if (argc == 0) {
            continue; /* httpd refuses an empty directive earlier */
        }
        switch (kind) {
        case 0:
            err = cors_list_add_methods(list, p, argc, argv, &warning);
            if (warning && *warning == '\0') {
                FUZZ_FAIL("empty warning");
            }
            break;
        case 1:
            err = cors_list_add_allow_headers(list, p, argc, argv);
            break;
        case 2:
            err = cors_list_add_expose_headers(list, p, argc, argv);
            break;
        case 4:
            err = check_regex(p, line);
            break;
        default:
            for (i = 0; i < argc && !err; i++) {
                err = cors_origins_add(origins, p, argv[i]);
            }
            break;
        }
        if (err && *err == '\0') {
            FUZZ_FAIL("empty error message");
        }
        if (!err && kind < 3) {
            check_list(kind, list, argc, argv);
        }
        if (err) {
            break;
        }
    }
    apr_pool_destroy(p);
    for (i = 0; i < n_words; i++) {
        free(words[i]);
    }
    free(text);
    return 0;
}
