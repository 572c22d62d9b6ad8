/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_common.h -- shared helpers of the libFuzzer targets in tests/fuzz/.
 *
 * Each target is one .c file defining LLVMFuzzerTestOneInput; it includes
 * this header, is compiled with -fsanitize=fuzzer,address,undefined and is
 * linked with the pure sources (PURE_SRCS), APR and libpsl (see mk/fuzz.mk).
 */
#ifndef CORS_FUZZ_COMMON_H
#define CORS_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apr_general.h"
#include "apr_allocator.h"
#include "apr_pools.h"
#include "apr_strings.h"
#include "apr_tables.h"

#include "cors_logic.h"

/* Lives as long as the process: fixed configurations built once. */
static apr_pool_t *fuzz_global_pool;

static inline void fuzz_init(void)
{
    if (fuzz_global_pool == NULL) {
        if (apr_initialize() != APR_SUCCESS ||
            apr_pool_create(&fuzz_global_pool, NULL) != APR_SUCCESS) {
            fprintf(stderr, "fuzz: cannot initialize APR\n");
            abort();
        }
    }
}

/* The LLVMFuzzerInitialize of a target that needs nothing built before its
 * first input but APR. */
#define FUZZ_INITIALIZE_APR_ONLY                                            \
    int LLVMFuzzerInitialize(int *argc, char ***argv)                       \
    {                                                                       \
        (void)argc;                                                         \
        (void)argv;                                                         \
        fuzz_init();                                                        \
        return 0;                                                           \
    }

/* A fresh pool for one input, with its own allocator that keeps no free
 * blocks: destroying it hands every block back to free(), so ASan sees a
 * use after the pool's end, and LeakSanitizer sees nothing held across
 * inputs.  (Overruns inside one 8 KB pool block stay invisible to ASan:
 * the request-time functions are fed exact-size malloc'd copies instead.) */
static inline apr_pool_t *fuzz_pool(void)
{
    apr_allocator_t *alloc;
    apr_pool_t *p;

    if (apr_allocator_create(&alloc) != APR_SUCCESS) {
        abort();
    }
    apr_allocator_max_free_set(alloc, 1);
    if (apr_pool_create_ex(&p, NULL, NULL, alloc) != APR_SUCCESS) {
        abort();
    }
    apr_allocator_owner_set(alloc, p);
    return p;
}

/* An exact-size, NUL-terminated malloc'd copy of n bytes (the string ends
 * at the first NUL byte of the input, as a header value or config word
 * would). */
static inline char *fuzz_strndup(const uint8_t *data, size_t n)
{
    char *s = malloc(n + 1);
    if (s == NULL) {
        abort();
    }
    memcpy(s, data, n);
    s[n] = '\0';
    return s;
}

/* Prints s with non-printable bytes as \xNN, in double quotes. */
static inline void fuzz_print(FILE *f, const char *label, const char *s)
{
    fprintf(f, "%s\"", label);
    if (s == NULL) {
        fprintf(f, "(null)");
    }
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
            fprintf(f, "\\x%02x", c);
        }
        else {
            fputc(c, f);
        }
    }
    fprintf(f, "\"\n");
}

#define FUZZ_FAIL(...)                                                         \
    do {                                                                       \
        fprintf(stderr, "FUZZ INVARIANT BROKEN (%s:%d): ", __FILE__,           \
                __LINE__);                                                     \
        fprintf(stderr, __VA_ARGS__);                                          \
        fprintf(stderr, "\n");                                                 \
        abort();                                                               \
    } while (0)

#endif /* CORS_FUZZ_COMMON_H */
