/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit.h -- cors-check audit: the CORS recipes of an httpd configuration
 * (mod_headers, mod_setenvif, mod_rewrite, <If>), what each lets
 * through, its risks, and the mod_cors directives that say what its
 * author meant without the holes.
 *
 * A recipe is the lines of one scope (server config, a <VirtualHost>, a
 * <Location>, a .htaccess file ...) that together send
 * Access-Control-Allow-Origin; the environment variables and rewrite
 * conditions it reads may be set in that scope or one around it.
 */
#ifndef AUDIT_H
#define AUDIT_H

#include <stdio.h>

#include "apr_pools.h"
#include "apr_tables.h"

#include "conf_reader.h"

/* The risk kinds, in the order they are reported. */
typedef enum {
    RISK_REFLECTS_ANY_ORIGIN,
    RISK_REGEX_LETS_IN,
    RISK_WILDCARD_WITH_CREDENTIALS,
    RISK_HTTP_ORIGIN_WITH_CREDENTIALS,
    RISK_NULL_ALLOWED,
    RISK_NO_VARY,
    RISK_PREFLIGHT_ANY_OPTIONS,
    RISK_LOST_ON_ERRORS,
    RISK_KIND_COUNT
} audit_risk_kind;

typedef struct {
    audit_risk_kind kind;
    const char *file;
    int line;
    const char *origin;         /* regex-lets-in: one attacker origin */
    const char *text;           /* the configuration line */
    const char *why;            /* a sentence for people */
} audit_risk;

typedef struct {
    const char *file;
    int line;
    const char *scope;
    int any;                    /* lets any origin through */
    apr_array_header_t *origins;        /* const char *, when !any */
    int credentials;
    apr_array_header_t *risks;          /* audit_risk, by kind then line */
    const char *proposal;               /* directives, '\n'-terminated lines */
} audit_recipe;

/* The recipes of everything read into t, in the order of their first
 * line. */
apr_array_header_t *audit_recipes(apr_pool_t *p, const conf_tree *t);

/* "reflects-any-origin", "regex-lets-in" ... */
const char *audit_risk_name(audit_risk_kind kind);

/* The two renderings (audit_report.c). */
void audit_print_text(const apr_array_header_t *recipes, FILE *out);
void audit_print_json(const apr_array_header_t *recipes, FILE *out);

/* `cors-check audit [--json] PATH...`: argv[0] is "audit"; starts and
 * ends APR itself.  Exit status 0 no risk, 1 risks, 2 usage or read
 * error. */
int audit_command(int argc, char **argv);

#endif /* AUDIT_H */
