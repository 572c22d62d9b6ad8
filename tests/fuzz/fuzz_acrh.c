/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_acrh.c -- Access-Control-Request-Headers parsing:
 * cors_request_headers_check() against a few configured lists, with and
 * without credentials, compared with a plain reference written here.
 *
 * Input: byte 0 picks the list (bits 0-2), credentials (bit 3) and whether
 * the value is NULL (bit 4); byte 1 the size of the buffer for the
 * offending name (0 = no buffer); the rest is the header value.
 */
#include "fuzz_common.h"

static const char *const list_words[][6] = {
    {"Content-Type", "X-Requested-With", "X-Custom", NULL},
    {"*", NULL},
    {"*", "Authorization", NULL},
    {"X-A", "authorization", "Accept", "range", NULL},
    {"x-"
     "very-long-header-name-that-goes-on-and-on-for-a-while",
     "X-B", "*", NULL},
    {"Content-Language", NULL},
};
#define N_LISTS (sizeof(list_words) / sizeof(list_words[0]))

/* lists[0] is NULL: no CORSAllowHeaders at all. */
static cors_list *lists[N_LISTS + 1];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    size_t i;
    (void)argc;
    (void)argv;
    fuzz_init();
    for (i = 0; i < N_LISTS; i++) {
        int n = 0;
        const char *err;
        while (list_words[i][n]) {
            n++;
        }
        lists[i + 1] = cors_list_make(fuzz_global_pool);
        err = cors_list_add_allow_headers(lists[i + 1], fuzz_global_pool, n,
                                          (char *const *)list_words[i]);
        if (err) {
            FUZZ_FAIL("fixed list %zu refused: %s", i, err);
        }
    }
    return 0;
}

/* ---- the reference: the rules of the contract (docs/contract.md) and docs/requests.md, written plainly ---- */

static int ref_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int ref_eq_nocase(const char *a, size_t alen, const char *b)
{
    size_t i;
    if (strlen(b) != alen) {
        return 0;
    }
    for (i = 0; i < alen; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z')
            x += 32;
        if (y >= 'A' && y <= 'Z')
            y += 32;
        if (x != y) {
            return 0;
        }
    }
    return 1;
}

static int ref_listed(int which, const char *name, size_t n, int *star)
{
    int i;
    *star = 0;
    if (which == 0) {
        return 0;
    }
    for (i = 0; list_words[which - 1][i]; i++) {
        if (strcmp(list_words[which - 1][i], "*") == 0) {
            *star = 1;
        }
        else if (ref_eq_nocase(name, n, list_words[which - 1][i])) {
            return 1;
        }
    }
    return 0;
}

static cors_acrh_result ref_check(int which, int credentials, const char *v,
                                  int *safelisted, const char **bad,
                                  size_t *badn)
{
    static const char *const safe[] = {
        "accept",       "accept-language", "content-language",
        "content-type", "range",           NULL};
    int names = 0;

    *safelisted = 0;
    if (v == NULL) {
        return CORS_ACRH_OK;
    }
    if (strlen(v) > CORS_ACRH_MAX_BYTES) {
        return CORS_ACRH_TOO_LONG;
    }
    while (*v) {
        const char *comma = strchr(v, ',');
        const char *b = v, *e = comma ? comma : v + strlen(v);
        size_t n, i;
        int star, ok = 1;

        v = comma ? comma + 1 : e;
        while (b < e && (*b == ' ' || *b == '\t'))
            b++;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        n = (size_t)(e - b);
        if (n == 0) {
            continue;
        }
        if (++names > CORS_ACRH_MAX_NAMES) {
            return CORS_ACRH_TOO_LONG;
        }
        for (i = 0; i < n; i++) {
            ok &= ref_tchar((unsigned char)b[i]);
        }
        *bad = b;
        *badn = n;
        if (!ok) {
            return CORS_ACRH_MALFORMED;
        }
        if (ref_listed(which, b, n, &star)) {
            continue;
        }
        if (star && !credentials && !ref_eq_nocase(b, n, "authorization")) {
            continue;
        }
        for (i = 0; safe[i]; i++) {
            if (ref_eq_nocase(b, n, safe[i])) {
                break;
            }
        }
        if (safe[i]) {
            *safelisted = 1;
            continue;
        }
        return CORS_ACRH_DENIED;
    }
    return CORS_ACRH_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int which, credentials, is_null, safelisted = -1, ref_safelisted = -1;
    size_t badlen = 0, ref_badn = 0;
    char *value;
    const char *bad = NULL;
    const char *ref_bad = NULL;
    cors_acrh_result got, want;

    if (size < 2) {
        return 0;
    }
    which = (int)(data[0] & 7) % (int)(N_LISTS + 1);
    credentials = (data[0] >> 3) & 1;
    is_null = (data[0] >> 4) & 1;
    value = is_null ? NULL : fuzz_strndup(data + 2, size - 2);

    got = cors_request_headers_check(lists[which], credentials, value,
                                     &safelisted, &bad, &badlen);
    want = ref_check(which, credentials, value, &ref_safelisted, &ref_bad,
                     &ref_badn);
    if (got != want || (got == CORS_ACRH_OK && safelisted != ref_safelisted)) {
        fuzz_print(stderr, "value: ", value);
        FUZZ_FAIL("list %d, credentials %d: result %d safelisted %d, "
                  "reference %d safelisted %d",
                  which, credentials, got, safelisted, want, ref_safelisted);
    }
    if (got == CORS_ACRH_DENIED || got == CORS_ACRH_MALFORMED) {
        if (bad < value || bad + badlen > value + strlen(value)
            || badlen != ref_badn || memcmp(bad, ref_bad, badlen) != 0) {
            fuzz_print(stderr, "value: ", value);
            FUZZ_FAIL("offending name reported wrong (%zu bytes)", badlen);
        }
    }
    free(value);
    return 0;
}
