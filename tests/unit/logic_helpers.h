/* SPDX-License-Identifier: Apache-2.0 */
/*
 * logic_helpers.h -- what the unit programs of the origin and list logic
 * share: a directive's arguments from one string, and a clock.
 */
#ifndef CORS_UNIT_LOGIC_HELPERS_H
#define CORS_UNIT_LOGIC_HELPERS_H

#include <time.h>

#include "cors_logic.h"

#include "check.h"

static inline const char *add_methods(cors_list *l, apr_pool_t *p,
                                      const char *s, const char **warning)
{
    int argc;
    char **argv = mkargv(p, s, &argc);
    *warning = NULL;
    return cors_list_add_methods(l, p, argc, argv, warning);
}

static inline const char *add_allow(cors_list *l, apr_pool_t *p,
                                    const char *s)
{
    int argc;
    char **argv = mkargv(p, s, &argc);
    return cors_list_add_allow_headers(l, p, argc, argv);
}

static inline const char *add_expose(cors_list *l, apr_pool_t *p,
                                     const char *s)
{
    int argc;
    char **argv = mkargv(p, s, &argc);
    return cors_list_add_expose_headers(l, p, argc, argv);
}

static inline double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif /* CORS_UNIT_LOGIC_HELPERS_H */
