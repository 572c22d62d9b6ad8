/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit_origins.h -- what an origin check of a recipe lets through, for
 * cors-check audit: the regexes of SetEnvIf, RewriteCond and <If> run as
 * httpd runs them (PCRE2, a search, not anchored), tried against the
 * attacker origins of the module's own probe (cors_probe.h), and read
 * for the origins their author meant.
 */
#ifndef AUDIT_ORIGINS_H
#define AUDIT_ORIGINS_H

#include "apr_pools.h"
#include "apr_tables.h"

#include "cors_probe.h"

/* One way an origin check lets an Origin value through. */
typedef enum {
    GATE_REGEX,         /* the value matches source (a search, like httpd) */
    GATE_EXACT,         /* the value is source */
    GATE_NOT            /* a negated check: anything but a few values */
} gate_kind;

typedef struct audit_regex audit_regex;

typedef struct {
    gate_kind kind;
    const char *source;         /* the regex, or the exact value */
    int nocase;                 /* SetEnvIfNoCase, [NC], /.../i */
    const audit_regex *re;      /* compiled, GATE_REGEX only */
    int group;                  /* >= 0: the origin passes only when this
                                 * group of the match is all of it (the
                                 * value sent is $0, %1 ...); -1: any match */
    const char *file;
    int line;                   /* where the check is written */
    const char *text;           /* and its line */
} audit_gate;

/* Compiles a regex as httpd would for these directives; NULL and *err
 * when PCRE2 refuses it. */
const audit_regex *audit_regex_compile(apr_pool_t *p, const char *source,
                                       int nocase, const char **err);

/* Does the regex find a match in subject (bounded: a match that reaches
 * PCRE2's limits counts as no match)?  With group >= 0, only a match
 * whose group of that number is the whole subject counts. */
int audit_regex_search(const audit_regex *re, const char *subject, int group);

/* Does the gate let the Origin value through? */
int audit_gate_admits(const audit_gate *g, const char *origin);

/* The first attacker origin of the module's probe that the regex gate
 * lets through while each list of also (an array of arrays of audit_gate,
 * alternatives; may be NULL) lets it through too; NULL when none. */
const cors_probe *audit_gate_probe(apr_pool_t *p, const audit_gate *g,
                                   const apr_array_header_t *also);

/* The origins (and mod_cors's subdomain and port patterns) a regex's
 * author meant: each alternative read with
 * its unescaped dots as dots, without what anchors, paths and the rest
 * add; NULL when the regex says more than a list of them (a wildcard in
 * the middle of a name, back-references ...).  Every entry is one
 * CORSAllowOrigin accepts. */
apr_array_header_t *audit_regex_meant(apr_pool_t *p, const char *source);

/* Is word one of the regex's alternatives, whole ("null" in
 * "^(null|https://a\\.example)$")? */
int audit_regex_names(apr_pool_t *p, const char *source, const char *word);

/* Is the origin (or pattern) plain http on a host other than loopback? */
int audit_origin_is_plain_http(apr_pool_t *p, const char *origin);

#endif /* AUDIT_ORIGINS_H */
