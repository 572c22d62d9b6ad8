/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit_proposal.c -- the mod_cors directives that say what a recipe's
 * author meant, without its holes (see audit_int.h).
 *
 * Every value written is one mod_cors accepts: origins went through
 * cors_origin_normalize() already, methods and header names go through
 * the module's own list parsers here, and the pairs mod_cors refuses
 * ('*' or null with credentials) are never written: what is left out is
 * said in a comment.
 */
#include <string.h>

#include "apr_strings.h"

#include "audit_int.h"
#include "audit_origins.h"
#include "cors_logic.h"

/* The largest CORSMaxAge mod_cors accepts. */
#define MAX_AGE_LIMIT 86400

typedef struct {
    apr_pool_t *p;
    const char *out;
} text;

static void line(text *t, const char *s)
{
    t->out = apr_pstrcat(t->p, t->out, s, "\n", NULL);
}

static const char *report_only(void)
{
    return "# Which origins need these answers cannot be read from the recipe.\n"
           "# Put this beside it, log with the cors_observe LogFormat, then run\n"
           "# `cors-check propose LOG` and put its directives here instead:\n"
           "CORSEngine ReportOnly\n"
           "CORSAllowOrigin *\n";
}

static const char *append(apr_pool_t *p, const char *list, const char *sep,
                          const char *word)
{
    return list ? apr_pstrcat(p, list, sep, word, NULL) : word;
}

/* The origins to allow, without null and, with credentials, plain http;
 * how many directives that took (-1: none, and some were left out). */
static int write_origins(text *t, const audit_intent *in)
{
    const char *list = NULL, *http = NULL;
    int i, left_out = 0;

    for (i = 0; i < in->origins->nelts; i++) {
        const char *o = APR_ARRAY_IDX(in->origins, i, const char *);
        if (strcmp(o, "null") == 0) {
            line(t, "# null left out: any page can send it (a sandboxed iframe, "
                    "a data: URL)");
            left_out = 1;
        }
        else if (in->credentials && audit_origin_is_plain_http(t->p, o)) {
            http = append(t->p, http, ", ", o);
        }
        else {
            list = append(t->p, list, " ", o);
        }
    }
    if (http) {
        line(t, apr_pstrcat(t->p, "# left out, plain http with credentials (serve "
                            "them over https): ", http, NULL));
        left_out = 1;
    }
    if (list) {
        line(t, apr_pstrcat(t->p, "CORSAllowOrigin ", list, NULL));
    }
    for (i = 0; i < in->matches->nelts; i++) {
        line(t, apr_pstrcat(t->p, "CORSAllowOriginMatch \"",
                            APR_ARRAY_IDX(in->matches, i, const char *), "\"",
                            NULL));
    }
    if (list == NULL && in->matches->nelts == 0) {
        return left_out ? -1 : 0;
    }
    return (list != NULL) + in->matches->nelts;
}

typedef enum { LIST_METHODS, LIST_HEADERS, LIST_EXPOSE } list_kind;

static const char *list_check(apr_pool_t *p, list_kind kind, const char *name)
{
    cors_list *l = cors_list_make(p);
    char *argv[1];
    const char *warning;

    argv[0] = (char *)name;
    switch (kind) {
    case LIST_METHODS:
        return cors_list_add_methods(l, p, 1, argv, &warning);
    case LIST_HEADERS:
        return cors_list_add_allow_headers(l, p, 1, argv);
    default:
        return cors_list_add_expose_headers(l, p, 1, argv);
    }
}

/* A methods or headers directive of the names mod_cors takes: methods
 * browsers always allow are not written, '*' only without credentials. */
static void write_list(text *t, const char *directive, list_kind kind,
                       const apr_array_header_t *names, int credentials)
{
    const char *list = NULL;
    int i;

    for (i = 0; i < names->nelts; i++) {
        const char *n = APR_ARRAY_IDX(names, i, const char *), *err;
        if (kind == LIST_METHODS
            && (!strcasecmp(n, "GET") || !strcasecmp(n, "HEAD")
                || !strcasecmp(n, "POST") || !strcasecmp(n, "OPTIONS"))) {
            continue;
        }
        if (strcmp(n, "*") == 0 && credentials) {
            line(t, apr_pstrcat(t->p, "# ", directive, " '*' left out: with "
                                "credentials, list the names", NULL));
            continue;
        }
        if ((err = list_check(t->p, kind, n)) != NULL) {
            line(t, apr_pstrcat(t->p, "# ", directive, " ", n, " left out: ",
                                err, NULL));
            continue;
        }
        if (list && cors_list_has(list, n, strlen(n))) {
            continue;
        }
        list = list ? apr_pstrcat(t->p, list, " ", n, NULL) : n;
    }
    if (list) {
        line(t, apr_pstrcat(t->p, directive, " ", list, NULL));
    }
}

static void write_max_age(text *t, const char *v)
{
    apr_int64_t n;

    if (v == NULL || !*v || strspn(v, "0123456789") != strlen(v)) {
        return;
    }
    n = apr_atoi64(v);
    line(t, apr_psprintf(t->p, "CORSMaxAge %d",
                         n > MAX_AGE_LIMIT ? MAX_AGE_LIMIT : (int)n));
}

const char *audit_proposal(apr_pool_t *p, const audit_intent *in)
{
    text t = { p, "" };
    int credentials = in->credentials;
    int i;

    if (in->reflects_any || in->unreadable) {
        return report_only();
    }
    if (in->wildcard) {
        line(&t, "CORSAllowOrigin *");
        if (credentials) {
            line(&t, "# credentials left out: browsers never send them to '*'; "
                     "to allow them, list the origins (cors-check propose)");
            credentials = 0;
        }
    }
    else {
        int n = write_origins(&t, in);
        if (n == 0) {
            return report_only();
        }
        if (n < 0) {
            return t.out;       /* what was meant is all left out */
        }
        if (credentials) {
            line(&t, "CORSAllowCredentials On");
        }
    }
    write_list(&t, "CORSAllowMethods", LIST_METHODS, in->methods, credentials);
    write_list(&t, "CORSAllowHeaders", LIST_HEADERS, in->headers, credentials);
    write_list(&t, "CORSExposeHeaders", LIST_EXPOSE, in->expose, credentials);
    write_max_age(&t, in->max_age);
    for (i = 0; i < in->options_rules->nelts; i++) {
        line(&t, apr_psprintf(p, "# remove the rule at line %d that answers "
                              "OPTIONS: mod_cors answers preflights itself",
                              APR_ARRAY_IDX(in->options_rules, i, int)));
    }
    return t.out;
}
