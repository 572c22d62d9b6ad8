/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_origin_config.c -- config side of origins: cors_origin_normalize()
 * and cors_origins_add().
 *
 * Input: up to 16 CORSAllowOrigin values separated by '\n'.
 * Checks, besides the sanitizers, for every value:
 *  - normalize and add agree (both accept or both refuse), and a refusal
 *    is a message that names the value;
 *  - an accepted value's normalization is a fixed point (normalizing it
 *    again gives the same string) in lowercase "scheme://..." form;
 *  - a value that is already a valid request origin (other than "null"
 *    and file:, which is refused) is accepted and normalizes to itself:
 *    cors_origins_add() keeps such a value as its own key without
 *    parsing it; but for one with an xn-- label, which the configured
 *    side refuses unless it is the Punycode of an international name
 *    (the request side does not decode it: browsers send only valid
 *    ones, and an invalid one matches nothing but a subdomain pattern);
 *  - an origin built from the accepted entry ("x." before the host of a
 *    "*." pattern, port 1234 or none for ":*") is a valid request origin
 *    (unless those labels make the host longer than 253 bytes)
 *    and matches a set holding only that entry, and the set built from all
 *    the values; the bare domain of a "*." pattern does not match.
 * The values live until the end of the input, as httpd's directive
 * arguments live as long as the configuration (the sets keep them).
 */
#include "fuzz_common.h"

#define MAX_VALUES 16

static void check_match(const cors_origins *one, const cors_origins *all,
                        const char *value, const char *origin, int expect)
{
    if (strlen(origin) > CORS_ORIGIN_MAX) {
        return; /* too long for any request: refused before matching */
    }
    if (!cors_origin_is_valid(origin)) {
        if (!expect) {
            return;
        }
        fuzz_print(stderr, "config value: ", value);
        fuzz_print(stderr, "origin:       ", origin);
        FUZZ_FAIL("origin built from an accepted entry is not valid");
    }
    if ((cors_origins_match(one, origin) == CORS_ORIGIN_MATCH) != expect ||
        (expect && cors_origins_match(all, origin) != CORS_ORIGIN_MATCH)) {
        fuzz_print(stderr, "config value: ", value);
        fuzz_print(stderr, "origin:       ", origin);
        FUZZ_FAIL("match is %d, expected %d",
                  (int)cors_origins_match(one, origin), expect);
    }
}

static void check_value(apr_pool_t *p, cors_origins *all, const char *value)
{
    cors_origins *one = cors_origins_make(p);
    const char *norm = NULL, *again = NULL, *err, *err2, *rest, *host, *end;
    int sub, port_any;
    size_t n;

    err = cors_origin_normalize(p, value, &norm);
    err2 = cors_origins_add(one, p, value);
    if ((err == NULL) != (err2 == NULL)) {
        fuzz_print(stderr, "value: ", value);
        FUZZ_FAIL("normalize says %s, add says %s", err ? err : "ok",
                  err2 ? err2 : "ok");
    }
    if (err && cors_origin_is_valid(value) && strcmp(value, "null") != 0
        && strncmp(value, "file:", 5) != 0 && strstr(value, "xn--") == NULL) {
        fuzz_print(stderr, "value: ", value);
        FUZZ_FAIL("a valid request origin is refused: %s", err);
    }
    if (err) {
        if (*err == '\0' || strstr(err, value) == NULL) {
            fuzz_print(stderr, "value: ", value);
            fuzz_print(stderr, "error: ", err);
            FUZZ_FAIL("error message does not name the value");
        }
        return;
    }
    if (cors_origin_is_valid(value) && strcmp(value, "null") != 0
        && strncmp(value, "file:", 5) != 0 && strcmp(norm, value) != 0) {
        fuzz_print(stderr, "value:      ", value);
        fuzz_print(stderr, "normalized: ", norm);
        FUZZ_FAIL("a valid request origin does not normalize to itself");
    }
    cors_origins_add(all, p, value);
    if (strcmp(norm, "*") == 0 || strcmp(norm, "null") == 0) {
        return;
    }
    if (cors_origin_normalize(p, norm, &again) != NULL ||
        strcmp(again, norm) != 0) {
        fuzz_print(stderr, "value:      ", value);
        fuzz_print(stderr, "normalized: ", norm);
        fuzz_print(stderr, "again:      ", again);
        FUZZ_FAIL("normalization is not a fixed point");
    }
    rest = strstr(norm, "://");
    if (rest == NULL || rest == norm) {
        fuzz_print(stderr, "normalized: ", norm);
        FUZZ_FAIL("normalized origin has no scheme");
    }
    for (host = norm; *host; host++) {
        if (*host >= 'A' && *host <= 'Z') {
            fuzz_print(stderr, "normalized: ", norm);
            FUZZ_FAIL("normalized origin has uppercase");
        }
    }
    rest += 3;
    sub = strncmp(rest, "*.", 2) == 0;
    n = strlen(norm);
    port_any = n >= 2 && strcmp(norm + n - 2, ":*") == 0;
    host = sub ? rest + 2 : rest;
    /* end of host: the port colon (after "]" for IPv6), or the end */
    end = host[0] == '[' ? strchr(host, ']') : host;
    if (end == NULL) {
        fuzz_print(stderr, "normalized: ", norm);
        FUZZ_FAIL("IPv6 host without ']'");
    }
    end = strchr(end, ':') ? strchr(end, ':') : norm + n;
    {
        const char *scheme_sep =
            apr_pstrmemdup(p, norm, (apr_size_t)(rest - norm));
        const char *h = apr_pstrmemdup(p, host, (apr_size_t)(end - host));
        const char *port = port_any ? ":1234" : end;
        const char *sub_prefix = sub ? "x." : "";

        /* Skipped where the added labels make the host longer than a DNS
         * name can be (253): no browser sends that. */
        int room = strlen(h) + 4 <= 253;

        if (room || !sub) {
            check_match(one, all, value,
                        apr_pstrcat(p, scheme_sep, sub_prefix, h, port, NULL),
                        1);
        }
        if (port_any && (room || !sub)) {
            check_match(one, all, value,
                        apr_pstrcat(p, scheme_sep, sub_prefix, h, NULL), 1);
        }
        if (sub && room) {
            check_match(one, all, value,
                        apr_pstrcat(p, scheme_sep, "x.y.", h, port, NULL), 1);
            check_match(one, all, value,
                        apr_pstrcat(p, scheme_sep, h, port, NULL), 0);
            check_match(one, all, value,
                        apr_pstrcat(p, scheme_sep, "x", h, port, NULL), 0);
        }
    }
}

FUZZ_INITIALIZE_APR_ONLY

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    cors_origins *all = cors_origins_make(p);
    char *value[MAX_VALUES];
    size_t start = 0, i;
    int values = 0, v;

    for (i = 0; i <= size && values < MAX_VALUES; i++) {
        if (i == size || data[i] == '\n') {
            value[values] = fuzz_strndup(data + start, i - start);
            check_value(p, all, value[values]);
            values++;
            start = i + 1;
        }
    }
    apr_pool_destroy(p);
    for (v = 0; v < values; v++) {
        free(value[v]);
    }
    return 0;
}
