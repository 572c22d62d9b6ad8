/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit_int.h -- what audit_read.c reads of the lines, what audit.c
 * learns of a recipe, and what audit_proposal.c turns into mod_cors
 * directives.  Private to cors-check audit.
 */
#ifndef AUDIT_INT_H
#define AUDIT_INT_H

#include "apr_pools.h"
#include "apr_tables.h"

#include "audit_origins.h"
#include "conf_reader.h"

/* ---- what the lines say (audit_read.c) ---------------------------------- */

/* One line that sets an environment variable. */
typedef struct {
    const char *name;
    int reflect;                /* its value is the Origin (or part of it) */
    apr_array_header_t *gates;  /* audit_gate alternatives; NULL: ungated */
    const conf_section *scope;
} env_setter;

/* A Header line on Access-Control-* or Vary that sends something. */
typedef struct {
    const conf_directive *d;
    const char *header;
    int always;
    const char *value;
    const char *env;            /* env=NAME, without '!' */
    int env_negated;
    const char *expr;           /* expr=... */
} header_line;

/* The Header lines and OPTIONS rules of one scope. */
typedef struct {
    const conf_section *scope;
    apr_array_header_t *lines;  /* header_line */
    apr_array_header_t *options_rules;  /* const conf_directive * */
    int varies;                 /* an origin check here adds Vary: Origin */
} scope_lines;

typedef struct {
    apr_pool_t *p;
    apr_array_header_t *setters;        /* env_setter */
    apr_array_header_t *scopes;         /* scope_lines */
} audit_ctx;

/* Reads every line of t into ctx (whose arrays are made). */
void audit_read_lines(audit_ctx *ctx, const conf_tree *t);

/* The gates an ap_expr expression puts on the Origin (==, in {...}, =~,
 * != and !~), taken as alternatives; NULL when it compares no Origin. */
apr_array_header_t *audit_expr_gates(apr_pool_t *p, const char *expr,
                                     const conf_directive *d);

/* Does evaluating the expression add "Origin" to Vary, as ap_expr does
 * for req('Origin'), http('Origin'), %{HTTP:Origin}, %{req:Origin}? */
int audit_expr_varies(const char *expr);

/* Does hay hold needle, without case? */
int audit_has_ci(const char *hay, const char *needle);

/* ---- what a recipe means (audit.c) -> directives (audit_proposal.c) ----- */

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
