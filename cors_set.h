/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_set.h -- sets of names (origins, methods, header names): an array
 * while small, with a hash index once large.  Pure code on APR.
 *
 * Lists are short in practice, and comparing a few strings costs less than
 * hashing one (a policy in .htaccess is compiled again for every request),
 * so a set is an array that is searched in order until it holds more than
 * CORS_SET_LINEAR_MAX names; from then on a hash finds them.
 *
 * The lookups are inline here: a request looks up its origin, its method
 * and each requested header, and a call would cost about what the search
 * does.
 */
#ifndef CORS_SET_H
#define CORS_SET_H

#include <stddef.h>
#include <string.h>

#include "apr_pools.h"
#include "apr_hash.h"
#include "apr_tables.h"

#include "cors_chars.h"

#define CORS_SET_LINEAR_MAX 24

typedef struct {
    const char *key;            /* what a lookup compares */
    const char *written;        /* as configured: the response lists it */
    size_t len;                 /* of both: the same name in another case */
} cors_name;

typedef struct {
    /* Of cors_name, in the order configured; NULL: empty.  A method or
     * header list holds each name once; an origin listed twice is kept
     * twice (a lookup stops at the first, and checking every new origin
     * against all the others would cost more than the duplicate). */
    apr_array_header_t *names;
    apr_hash_t *index;          /* key -> written; NULL while small */
} cors_set;

/* How many names the set holds. */
int cors_set_count(const cors_set *set);

/* Adds key, which may be in the set already (lookups find the first).
 * Key and written are kept: they must live as long as p. */
void cors_set_push(cors_set *set, apr_pool_t *p, const char *key,
                   const char *written, size_t len);

/* Adds key unless the set has it: a list names each once. */
void cors_set_add(cors_set *set, apr_pool_t *p, const char *key,
                  const char *written, size_t len);

/* The written form of key (len bytes), or NULL when the set lacks it. */
static APR_INLINE const char *cors_set_lookup(const cors_set *set,
                                              const char *key, size_t len)
{
    const cors_name *n;
    int i;

    if (set->index) {
        return apr_hash_get(set->index, key, (apr_ssize_t)len);
    }
    if (set->names == NULL) {
        return NULL;
    }
    n = (const cors_name *)set->names->elts;
    for (i = 0; i < set->names->nelts; i++) {
        /* The first byte tells most short names (methods, headers) apart
         * without a call. */
        if (n[i].len == len && n[i].key[0] == key[0]
            && memcmp(n[i].key, key, len) == 0) {
            return n[i].written;
        }
    }
    return NULL;
}

/* The longest name looked up in a hash index by a lowercase copy; a longer
 * one is compared with each name instead (none is that long in practice,
 * and the copy stays on a small stack). */
#define CORS_SET_INDEXED_NAME_MAX 128

/* The same for name in any case, in a set of lowercase keys (header
 * names): compared in place, and copied only for a hash index. */
static APR_INLINE const char *cors_set_lookup_any_case(const cors_set *set,
                                                       const char *name,
                                                       size_t len)
{
    char key[CORS_SET_INDEXED_NAME_MAX];
    const cors_name *n;
    size_t j;
    int i;

    if (set->index && len < sizeof(key)) {
        for (j = 0; j < len; j++) {
            key[j] = (char)cors_to_lower((unsigned char)name[j]);
        }
        return apr_hash_get(set->index, key, (apr_ssize_t)len);
    }
    if (set->names == NULL) {
        return NULL;
    }
    n = (const cors_name *)set->names->elts;
    for (i = 0; i < set->names->nelts; i++) {
        /* Browsers send the names lowercase: memcmp() settles those. */
        if (n[i].len == len
            && n[i].key[0] == (char)cors_to_lower((unsigned char)name[0])
            && (memcmp(n[i].key, name, len) == 0
                || cors_same_name(n[i].key, name, len))) {
            return n[i].written;
        }
    }
    return NULL;
}

#endif /* CORS_SET_H */
