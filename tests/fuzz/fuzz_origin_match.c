/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_origin_match.c -- request side of origins: cors_origin_is_valid()
 * and cors_origins_match() against fixed configured sets.
 *
 * Input: the raw Origin header value.
 * Checks, besides the sanitizers:
 *  - a valid origin other than "null" is at most CORS_ORIGIN_MAX bytes and
 *    holds no byte outside [a-z0-9+.-:/[]_];
 *  - a valid origin that the configuration parser accepts normalizes to
 *    itself (what a browser sends is already normalized);
 *  - a match against the set that lists every pattern implies the origin is
 *    in the pattern's shape (scheme "://" ...).
 */
#include "fuzz_common.h"

static const char *const main_set[] = {"https://app.example.com",
                                       "https://api.example.net:8443",
                                       "http://127.0.0.1:5173",
                                       "https://*.example.com",
                                       "http://localhost:*",
                                       "https://*.example.org:8443",
                                       "http://[::1]:3000",
                                       "capacitor://localhost",
                                       "https://*.sub.example.io:*",
                                       "http://[fe80::1]:*",
                                       NULL};

static cors_origins *set_main, *set_null, *set_any, *set_empty;

static cors_origins *build(const char *const *values)
{
    cors_origins *set = cors_origins_make(fuzz_global_pool);
    for (; values && *values; values++) {
        const char *err = cors_origins_add(set, fuzz_global_pool, *values);
        if (err) {
            FUZZ_FAIL("fixed origin '%s' refused: %s", *values, err);
        }
    }
    return set;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char *const null_only[] = {"null", NULL};
    static const char *const any[] = {"*", NULL};
    (void)argc;
    (void)argv;
    fuzz_init();
    set_main = build(main_set);
    set_null = build(null_only);
    set_any = build(any);
    set_empty = build(NULL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *origin = fuzz_strndup(data, size);
    const char *c;
    int valid = cors_origin_is_valid(origin);

    if (valid && strcmp(origin, "null") != 0) {
        if (strlen(origin) > CORS_ORIGIN_MAX) {
            fuzz_print(stderr, "origin: ", origin);
            FUZZ_FAIL("valid origin longer than CORS_ORIGIN_MAX");
        }
        for (c = origin; *c; c++) {
            if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789+.-:/[]_", *c)) {
                fuzz_print(stderr, "origin: ", origin);
                FUZZ_FAIL("valid origin holds byte 0x%02x", (unsigned char)*c);
            }
        }
    }
    if (valid) {
        apr_pool_t *p = fuzz_pool();
        const char *normalized = NULL;
        int m = cors_origins_match(set_main, origin);

        if (cors_origins_match(set_any, origin) != 1) {
            fuzz_print(stderr, "origin: ", origin);
            FUZZ_FAIL("'*' set does not match a valid origin");
        }
        if (cors_origins_match(set_empty, origin) != 0) {
            fuzz_print(stderr, "origin: ", origin);
            FUZZ_FAIL("empty set matches");
        }
        if (cors_origins_match(set_null, origin) !=
            (strcmp(origin, "null") == 0)) {
            fuzz_print(stderr, "origin: ", origin);
            FUZZ_FAIL("'null'-only set disagrees");
        }
        if (m && strcmp(origin, "null") == 0) {
            FUZZ_FAIL("'null' matched a set without null");
        }
        if (cors_origin_normalize(p, origin, &normalized) == NULL &&
            strcmp(normalized, origin) != 0) {
            fuzz_print(stderr, "origin:     ", origin);
            fuzz_print(stderr, "normalized: ", normalized);
            FUZZ_FAIL("a valid origin is not its own normalization");
        }
        apr_pool_destroy(p);
    }
    free(origin);
    return 0;
}
