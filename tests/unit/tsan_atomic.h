/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tsan_atomic.h -- apr_atomic_* as compiler builtins, for a ThreadSanitizer
 * build of the unit tests only (make unit-map-tsan).  libapr's atomics are
 * compiled without TSan, which then cannot see that a pointer published
 * with apr_atomic_xchgptr() orders the writes before it, and reports every
 * read of a swapped-in version as a race.  Used with
 * "-include apr_atomic.h -include tests/unit/tsan_atomic.h", so that the
 * later #include "apr_atomic.h" of the sources is a no-op.
 */
#ifndef CORS_TSAN_ATOMIC_H
#define CORS_TSAN_ATOMIC_H

#define apr_atomic_read32(m) __atomic_load_n((m), __ATOMIC_SEQ_CST)
#define apr_atomic_set32(m, v) __atomic_store_n((m), (v), __ATOMIC_SEQ_CST)
#define apr_atomic_add32(m, v) __atomic_fetch_add((m), (v), __ATOMIC_SEQ_CST)
#define apr_atomic_inc32(m) __atomic_fetch_add((m), 1, __ATOMIC_SEQ_CST)
#define apr_atomic_dec32(m) (__atomic_sub_fetch((m), 1, __ATOMIC_SEQ_CST) != 0)
#define apr_atomic_xchg32(m, v) __atomic_exchange_n((m), (v), __ATOMIC_SEQ_CST)
#define apr_atomic_xchgptr(m, v) \
    __atomic_exchange_n((void **)(m), (void *)(v), __ATOMIC_SEQ_CST)

static inline apr_uint32_t tsan_cas32(volatile apr_uint32_t *m,
                                      apr_uint32_t with, apr_uint32_t cmp)
{
    __atomic_compare_exchange_n(m, &cmp, with, 0, __ATOMIC_SEQ_CST,
                                __ATOMIC_SEQ_CST);
    return cmp;
}

static inline void *tsan_casptr(volatile void **m, void *with, const void *cmp)
{
    void *c = (void *)cmp;
    __atomic_compare_exchange_n((void **)m, &c, with, 0, __ATOMIC_SEQ_CST,
                                __ATOMIC_SEQ_CST);
    return c;
}

#define apr_atomic_cas32(m, w, c) tsan_cas32((m), (w), (c))
#define apr_atomic_casptr(m, w, c) tsan_casptr((m), (w), (c))

#endif
