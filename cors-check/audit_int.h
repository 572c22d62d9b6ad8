/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit_int.h -- what audit.c learns of a recipe and audit_proposal.c
 * turns into mod_cors directives.  Private to cors-check audit.
 */
#ifndef AUDIT_INT_H
#define AUDIT_INT_H

#include "apr_pools.h"
#include "apr_tables.h"

typedef struct {
    int reflects_any;           /* any Origin is echoed: its set is unknown */
    int wildcard;               /* Access-Control-Allow-Origin: * */
    int credentials;
    int unreadable;             /* a regex that lets attackers in and says
                                 * more than a list of origins */
    apr_array_header_t *origins;        /* const char *: exact and patterns */
    apr_array_header_t *matches;        /* const char *: safe regexes kept */
    apr_array_header_t *methods;        /* const char *, as listed */
    apr_array_header_t *headers;
    apr_array_header_t *expose;
    const char *max_age;
    apr_array_header_t *options_rules;  /* int: lines answering OPTIONS */
} audit_intent;

/* The directives for intent: '\n'-terminated lines, comments where
 * something the recipe said is left out and why. */
const char *audit_proposal(apr_pool_t *p, const audit_intent *intent);

#endif /* AUDIT_INT_H */
