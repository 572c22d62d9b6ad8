/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit_read.c -- what the lines of a configuration say about CORS, for
 * cors-check audit (see audit_int.h): the environment variables set on
 * the Origin (SetEnvIf, SetEnvIfNoCase, SetEnvIfExpr, SetEnv, RewriteRule's
 * E= flag after its RewriteCond lines), the rewrite rules that answer
 * OPTIONS themselves, the Header lines of Access-Control-* and Vary by
 * scope, and the comparisons of the Origin in ap_expr expressions.
 */
#include <string.h>

#include "apr_lib.h"
#include "apr_strings.h"

#include "audit_int.h"
#include "cors_logic.h"

int audit_has_ci(const char *hay, const char *needle)
{
    apr_size_t n = strlen(needle);

    for (; *hay; hay++) {
        if (strncasecmp(hay, needle, n) == 0) {
            return 1;
        }
    }
    return 0;
}

static audit_gate *new_gate(apr_array_header_t *gates, gate_kind kind,
                            const char *source, int nocase,
                            const conf_directive *d, apr_pool_t *p)
{
    audit_gate *g = apr_array_push(gates);
    const char *err;

    memset(g, 0, sizeof(*g));
    g->kind = kind;
    g->source = source;
    g->nocase = nocase;
    g->file = d->file;
    g->line = d->line;
    g->text = d->text;
    g->group = -1;
    if (kind == GATE_REGEX) {
        g->re = audit_regex_compile(p, source, nocase, &err);
    }
    return g;
}

/* ------------------------------------------------------------------------
 * ap_expr: the comparisons of the Origin in <If>, expr= and SetEnvIfExpr
 */

/* (Neither ap_expr nor mod_rewrite knows %{HTTP_ORIGIN}: ap_expr refuses
 * it, mod_rewrite reads it as empty.) */
static const char *const origin_refs[] = {
    "%{HTTP:Origin}", "%{req:Origin}", "req('Origin')", "http('Origin')",
    "req_novary('Origin')", NULL
};

/* The length of an Origin reference at s, or 0. */
static apr_size_t origin_ref_at(const char *s)
{
    int i;

    for (i = 0; origin_refs[i]; i++) {
        apr_size_t n = strlen(origin_refs[i]);
        if (strncasecmp(s, origin_refs[i], n) == 0) {
            return n;
        }
    }
    return 0;
}

int audit_expr_varies(const char *expr)
{
    const char *s;

    for (s = expr; *s; s++) {
        if (origin_ref_at(s) && strncasecmp(s, "req_novary", 10) != 0) {
            return 1;
        }
    }
    return 0;
}

/* A quoted string at *s ('...' or "..."), moved past; NULL if none. */
static const char *expr_string(apr_pool_t *p, const char **s)
{
    const char *c = *s, *end;
    char q;

    while (apr_isspace(*c)) {
        c++;
    }
    if (*c != '\'' && *c != '"') {
        return NULL;
    }
    q = *c++;
    end = strchr(c, q);
    if (end == NULL) {
        return NULL;
    }
    *s = end + 1;
    return apr_pstrmemdup(p, c, end - c);
}

/* /regex/flags or m#regex#flags at *s. */
static const char *expr_regex(apr_pool_t *p, const char **s, int *nocase)
{
    const char *c = *s, *end;
    char delim;

    while (apr_isspace(*c)) {
        c++;
    }
    if (*c == 'm' && c[1] && !apr_isalnum(c[1]) && !apr_isspace(c[1])) {
        c++;
    }
    else if (*c != '/') {
        return NULL;
    }
    delim = *c++;
    for (end = c; *end && *end != delim; end++) {
        if (*end == '\\' && end[1]) {
            end++;
        }
    }
    if (*end != delim) {
        return NULL;
    }
    *nocase = end[1] == 'i';
    *s = end + 1 + *nocase;
    return apr_pstrmemdup(p, c, end - c);
}

/* The gates an expression puts on the Origin: one per comparison
 * (taken as alternatives); NULL when it compares no Origin. */
apr_array_header_t *audit_expr_gates(apr_pool_t *p, const char *expr,
                                      const conf_directive *d)
{
    apr_array_header_t *gates = apr_array_make(p, 2, sizeof(audit_gate));
    const char *s;

    for (s = expr; *s; s++) {
        apr_size_t n = origin_ref_at(s);
        const char *c, *v;
        int nocase = 0;

        if (n == 0) {
            continue;
        }
        c = s + n;
        while (apr_isspace(*c)) {
            c++;
        }
        if (strncmp(c, "=~", 2) == 0
            && (v = expr_regex(p, (c += 2, &c), &nocase)) != NULL) {
            new_gate(gates, GATE_REGEX, v, nocase, d, p);
        }
        else if (strncmp(c, "==", 2) == 0
                 && (v = expr_string(p, (c += 2, &c))) != NULL) {
            new_gate(gates, GATE_EXACT, v, 0, d, p);
        }
        else if (strncasecmp(c, "in", 2) == 0 && apr_isspace(c[2])) {
            c = strchr(c, '{');
            while (c && (v = expr_string(p, (c++, &c))) != NULL) {
                new_gate(gates, GATE_EXACT, v, 0, d, p);
                c = strpbrk(c, ",}");
                if (c == NULL || *c == '}') {
                    break;
                }
            }
        }
        else if (c[0] == '!' && (c[1] == '=' || c[1] == '~')) {
            new_gate(gates, GATE_NOT, expr, 0, d, p);
        }
        s = c > s ? c - 1 : s;
    }
    return gates->nelts ? gates : NULL;
}

/* ------------------------------------------------------------------------
 * Environment variables and rewrite rules
 */

/* The lines of a scope, made on first use. */
static scope_lines *scope_for(audit_ctx *ctx, const conf_section *scope)
{
    scope_lines *s;
    int i;

    for (i = 0; i < ctx->scopes->nelts; i++) {
        s = &APR_ARRAY_IDX(ctx->scopes, i, scope_lines);
        if (s->scope == scope) {
            return s;
        }
    }
    s = apr_array_push(ctx->scopes);
    s->scope = scope;
    s->lines = apr_array_make(ctx->p, 4, sizeof(header_line));
    s->options_rules = apr_array_make(ctx->p, 1, sizeof(conf_directive *));
    return s;
}

/* What a variable's value is made of. */
#define VALUE_NOT_ORIGIN -2     /* a constant: "1", "https://a.example" */
#define VALUE_ORIGIN -1         /* the whole Origin header */
/* 0..9: that group of the origin check's match ($0, %1 ...) */

/* A copy of gates whose regexes let an origin through only when their
 * match group is the whole origin: $0 of "^https://a\.example" holds
 * "https://a.example" for https://a.example.evil.example, which is not
 * that origin, and browsers refuse the answer. */
static apr_array_header_t *gates_for_group(apr_pool_t *p,
                                           const apr_array_header_t *gates,
                                           int group)
{
    apr_array_header_t *copy = apr_array_copy(p, gates);
    int i;

    for (i = 0; i < copy->nelts; i++) {
        APR_ARRAY_IDX(copy, i, audit_gate).group = group;
    }
    return copy;
}

static void add_setter(audit_ctx *ctx, const conf_directive *d,
                       const char *assign, apr_array_header_t *gates,
                       int value)
{
    env_setter *e;
    const char *eq = strchr(assign, '=');

    if (*assign == '!') {
        return;                 /* an unset */
    }
    e = apr_array_push(ctx->setters);
    e->name = eq ? apr_pstrmemdup(ctx->p, assign, eq - assign) : assign;
    e->reflect = value != VALUE_NOT_ORIGIN;
    e->gates = gates && value >= 0 ? gates_for_group(ctx->p, gates, value)
                                   : gates;
    e->scope = conf_scope_of(d);
}

/* $0..$9 (SetEnvIf) or %0..%9 (RewriteRule), a group of the match: its
 * number, or VALUE_NOT_ORIGIN when the value has none. */
static int backref(const char *v, char sigil)
{
    for (; *v; v++) {
        if (v[0] == sigil && apr_isdigit(v[1])) {
            return v[1] - '0';
        }
    }
    return VALUE_NOT_ORIGIN;
}

static void read_setenvif(audit_ctx *ctx, const conf_directive *d)
{
    const char *attr = conf_arg(d, 0), *regex = conf_arg(d, 1);
    int origin = attr && strcasecmp(attr, "Origin") == 0;
    apr_array_header_t *gates = NULL;
    int i;

    if (regex == NULL) {
        return;
    }
    if (origin) {
        gates = apr_array_make(ctx->p, 1, sizeof(audit_gate));
        new_gate(gates, GATE_REGEX, regex, conf_is(d, "SetEnvIfNoCase"), d,
                 ctx->p);
    }
    for (i = 2; conf_arg(d, i); i++) {
        const char *a = conf_arg(d, i);
        add_setter(ctx, d, a, gates, origin ? backref(a, '$') : VALUE_NOT_ORIGIN);
    }
}

static void read_setenvifexpr(audit_ctx *ctx, const conf_directive *d)
{
    apr_array_header_t *gates;
    int i;

    if (conf_arg(d, 0) == NULL) {
        return;
    }
    gates = audit_expr_gates(ctx->p, conf_arg(d, 0), d);
    if (audit_expr_varies(conf_arg(d, 0))) {
        scope_for(ctx, conf_scope_of(d))->varies = 1;
    }
    for (i = 1; conf_arg(d, i); i++) {
        const char *a = conf_arg(d, i);
        add_setter(ctx, d, a, gates, gates ? backref(a, '$') : VALUE_NOT_ORIGIN);
    }
}

/* The flags of a RewriteRule or RewriteCond: "[NC,OR]" -> "NC", "OR". */
static apr_array_header_t *rewrite_flags(apr_pool_t *p, const char *arg)
{
    apr_array_header_t *flags = apr_array_make(p, 4, sizeof(char *));
    char *copy, *tok, *last;

    if (arg == NULL || *arg != '[') {
        return flags;
    }
    copy = apr_pstrdup(p, arg + 1);
    copy[strcspn(copy, "]")] = '\0';
    for (tok = apr_strtok(copy, ",", &last); tok;
         tok = apr_strtok(NULL, ",", &last)) {
        APR_ARRAY_PUSH(flags, const char *) = tok;
    }
    return flags;
}

static int has_flag(const apr_array_header_t *flags, const char *name)
{
    int i;

    for (i = 0; i < flags->nelts; i++) {
        const char *f = APR_ARRAY_IDX(flags, i, const char *);
        if (strcasecmp(f, name) == 0) {
            return 1;
        }
    }
    return 0;
}

/* A RewriteRule's R=2xx: it answers the request itself. */
static int answers_itself(const apr_array_header_t *flags)
{
    int i;

    for (i = 0; i < flags->nelts; i++) {
        const char *f = APR_ARRAY_IDX(flags, i, const char *);
        const char *eq = strchr(f, '=');
        if (eq && (strncasecmp(f, "R=", 2) == 0
                   || strncasecmp(f, "redirect=", 9) == 0)
            && eq[1] == '2') {
            return 1;
        }
    }
    return 0;
}

typedef struct {
    apr_array_header_t *origin;         /* audit_gate */
    int options;                        /* a condition on OPTIONS */
} rewrite_conds;

static void read_rewritecond(audit_ctx *ctx, const conf_directive *d,
                             rewrite_conds *rc)
{
    const char *test = conf_arg(d, 0), *pat = conf_arg(d, 1);
    apr_array_header_t *flags = rewrite_flags(ctx->p, conf_arg(d, 2));
    int nocase = has_flag(flags, "NC") || has_flag(flags, "nocase");

    if (test == NULL || pat == NULL) {
        return;
    }
    if (strcasecmp(test, "%{HTTP_ORIGIN}") == 0) {
        /* always empty: the rule's E= holds no origin a browser sends */
        new_gate(rc->origin, GATE_EXACT, "", 0, d, ctx->p);
    }
    else if (origin_ref_at(test) == strlen(test)) {
        if (!has_flag(flags, "NV") && !has_flag(flags, "novary")) {
            scope_for(ctx, conf_scope_of(d))->varies = 1;
        }
        if (*pat == '!') {
            new_gate(rc->origin, GATE_NOT, pat, nocase, d, ctx->p);
        }
        else if (*pat == '=') {
            new_gate(rc->origin, GATE_EXACT, pat + 1, nocase, d, ctx->p);
        }
        else {
            new_gate(rc->origin, GATE_REGEX, pat, nocase, d, ctx->p);
        }
    }
    else if (audit_has_ci(test, "%{REQUEST_METHOD}") && *pat != '!') {
        const char *err;
        const audit_regex *re = *pat == '=' ? NULL
                                : audit_regex_compile(ctx->p, pat, nocase, &err);
        rc->options |= *pat == '=' ? strcasecmp(pat + 1, "OPTIONS") == 0
                                   : re && audit_regex_search(re, "OPTIONS", -1);
    }
}

static void read_rewriterule(audit_ctx *ctx, const conf_directive *d,
                             rewrite_conds *rc)
{
    apr_array_header_t *flags = rewrite_flags(ctx->p, conf_arg(d, 2));
    apr_array_header_t *gates = rc->origin->nelts ? rc->origin : NULL;
    int i;

    for (i = 0; i < flags->nelts; i++) {
        const char *f = APR_ARRAY_IDX(flags, i, const char *);
        if (strncasecmp(f, "E=", 2) == 0 || strncasecmp(f, "env=", 4) == 0) {
            const char *a = strchr(f, '=') + 1;
            char *assign = apr_pstrdup(ctx->p, a), *colon = strchr(assign, ':');
            int value = audit_has_ci(a, "%{HTTP:Origin}") ? VALUE_ORIGIN
                        : gates ? backref(a, '%') : VALUE_NOT_ORIGIN;
            if (colon) {
                *colon = '=';
            }
            add_setter(ctx, d, assign, gates, value);
        }
    }
    if (rc->options && answers_itself(flags) && gates == NULL) {
        scope_lines *s = scope_for(ctx, conf_scope_of(d));
        APR_ARRAY_PUSH(s->options_rules, const conf_directive *) = d;
    }
    rc->origin = apr_array_make(ctx->p, 1, sizeof(audit_gate));
    rc->options = 0;
}

/* ------------------------------------------------------------------------
 * Header lines
 */

static int is_cors_header(const char *name)
{
    return cors_is_protocol_header(name) || strcasecmp(name, "Vary") == 0;
}

/* Is the line inside an <If> or <ElseIf> that reads the Origin (and so
 * adds it to Vary on every request of the scope)? */
static int in_varying_if(const conf_directive *d)
{
    const conf_section *s;

    for (s = d->section; s && !conf_section_is_scope(s); s = s->parent) {
        if ((strcasecmp(s->name, "If") == 0 || strcasecmp(s->name, "ElseIf") == 0)
            && audit_expr_varies(s->args)) {
            return 1;
        }
    }
    return 0;
}

static void read_header(audit_ctx *ctx, const conf_directive *d)
{
    header_line h;
    const char *action;
    int i = 0;

    memset(&h, 0, sizeof(h));
    h.d = d;
    if (conf_arg(d, 0) && (strcasecmp(conf_arg(d, 0), "always") == 0
                           || strcasecmp(conf_arg(d, 0), "onsuccess") == 0)) {
        h.always = strcasecmp(conf_arg(d, i++), "always") == 0;
    }
    action = conf_arg(d, i++);
    h.header = conf_arg(d, i++);
    if (action == NULL || h.header == NULL || !is_cors_header(h.header)) {
        return;
    }
    if (strcasecmp(action, "set") && strcasecmp(action, "add")
        && strcasecmp(action, "append") && strcasecmp(action, "merge")
        && strcasecmp(action, "setifempty")) {
        return;                 /* unset, edit, echo, note: send nothing */
    }
    h.value = conf_arg(d, i++);
    for (; conf_arg(d, i); i++) {
        const char *a = conf_arg(d, i);
        if (strncasecmp(a, "env=", 4) == 0) {
            h.env_negated = a[4] == '!';
            h.env = a + 4 + h.env_negated;
        }
        else if (strncasecmp(a, "expr=", 5) == 0) {
            h.expr = a + 5;
        }
    }
    if (h.value) {
        scope_lines *s = scope_for(ctx, conf_scope_of(d));
        s->varies |= audit_expr_varies(h.value) || (h.expr && audit_expr_varies(h.expr))
                     || in_varying_if(d);
        *(header_line *)apr_array_push(s->lines) = h;
    }
}

void audit_read_lines(audit_ctx *ctx, const conf_tree *t)
{
    rewrite_conds rc;
    const conf_section *cond_section = NULL;
    int i;

    rc.origin = apr_array_make(ctx->p, 1, sizeof(audit_gate));
    rc.options = 0;
    for (i = 0; i < t->directives->nelts; i++) {
        const conf_directive *d = &APR_ARRAY_IDX(t->directives, i,
                                                 conf_directive);
        if (conf_is(d, "SetEnvIf") || conf_is(d, "SetEnvIfNoCase")) {
            read_setenvif(ctx, d);
        }
        else if (conf_is(d, "SetEnvIfExpr")) {
            read_setenvifexpr(ctx, d);
        }
        else if (conf_is(d, "SetEnv") && conf_arg(d, 0)) {
            add_setter(ctx, d, conf_arg(d, 0), NULL, 0);
        }
        else if (conf_is(d, "RewriteCond")) {
            if (d->section != cond_section) {   /* conditions of another rule */
                rc.origin = apr_array_make(ctx->p, 1, sizeof(audit_gate));
                rc.options = 0;
                cond_section = d->section;
            }
            read_rewritecond(ctx, d, &rc);
        }
        else if (conf_is(d, "RewriteRule")) {
            read_rewriterule(ctx, d, &rc);
        }
        else if (conf_is(d, "Header")) {
            read_header(ctx, d);
        }
    }
}

