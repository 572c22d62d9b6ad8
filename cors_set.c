/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_set.c -- building name sets; the lookups are inline in cors_set.h.
 */
#include "cors_set.h"

int cors_set_count(const cors_set *set)
{
    return set->names ? set->names->nelts : 0;
}

/* From CORS_SET_LINEAR_MAX names on, a hash of them all. */
static void index_names(cors_set *set, apr_pool_t *p)
{
    const cors_name *n = (const cors_name *)set->names->elts;
    int i;

    set->index = apr_hash_make(p);
    for (i = 0; i < set->names->nelts; i++) {
        apr_hash_set(set->index, n[i].key, (apr_ssize_t)n[i].len,
                     n[i].written);
    }
}

void cors_set_push(cors_set *set, apr_pool_t *p, const char *key,
                   const char *written, size_t len)
{
    cors_name *n;

    if (set->names == NULL) {
        set->names = apr_array_make(p, 4, sizeof(cors_name));
    }
    n = apr_array_push(set->names);
    n->key = key;
    n->written = written;
    n->len = len;
    if (set->index) {
        apr_hash_set(set->index, key, (apr_ssize_t)len, written);
    }
    else if (set->names->nelts > CORS_SET_LINEAR_MAX) {
        index_names(set, p);
    }
}

void cors_set_add(cors_set *set, apr_pool_t *p, const char *key,
                  const char *written, size_t len)
{
    if (!cors_set_lookup(set, key, len)) {
        cors_set_push(set, p, key, written, len);
    }
}
