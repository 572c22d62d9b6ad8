/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit.c -- the CORS recipes of a configuration and their risks (see
 * audit.h).
 *
 * The lines are read in three passes over what conf_reader.c read:
 * environment variables (SetEnvIf, SetEnvIfNoCase, SetEnvIfExpr, SetEnv,
 * RewriteRule's E= flag with the RewriteCond lines before it), with the
 * origin checks under which each is set; the rewrite rules that answer
 * OPTIONS themselves; and the Header lines of Access-Control-* and Vary,
 * grouped by scope.  Each Access-Control-Allow-Origin line is then judged
 * by what its value is (*, a list, the request's Origin) and the checks
 * that stand before it: its env= variable, the variable its value reads,
 * an enclosing <If>, its expr= condition.
 */
#include <stdlib.h>
#include <string.h>

#include "apr_lib.h"
#include "apr_strings.h"

#include "audit.h"
#include "audit_int.h"
#include "audit_origins.h"
#include "cors_logic.h"

/* ------------------------------------------------------------------------
 * What the lines say
 */

typedef struct {
    const char *name;
    int reflect;                /* its value is the Origin (or part of it) */
    apr_array_header_t *gates;  /* audit_gate alternatives; NULL: ungated */
    const conf_section *scope;
} env_setter;

typedef struct {
    const conf_directive *d;
    const char *header;
    int always;
    const char *value;
    const char *env;            /* env=NAME, without '!' */
    int env_negated;
    const char *expr;           /* expr=... */
} header_line;

typedef struct {
    const conf_section *scope;
    apr_array_header_t *lines;  /* header_line */
    apr_array_header_t *options_rules;  /* const conf_directive * */
} scope_lines;

typedef struct {
    apr_pool_t *p;
    apr_array_header_t *setters;        /* env_setter */
    apr_array_header_t *scopes;         /* scope_lines */
} audit_ctx;

static int has_ci(const char *hay, const char *needle)
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
    if (kind == GATE_REGEX) {
        g->re = audit_regex_compile(p, source, nocase, &err);
    }
    return g;
}

/* ------------------------------------------------------------------------
 * ap_expr: the comparisons of the Origin in <If>, expr= and SetEnvIfExpr
 */

static const char *const origin_refs[] = {
    "%{HTTP:Origin}", "%{HTTP_ORIGIN}", "%{req:Origin}", "req('Origin')",
    "http('Origin')", "req_novary('Origin')", NULL
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
static apr_array_header_t *expr_gates(apr_pool_t *p, const char *expr,
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

static void add_setter(audit_ctx *ctx, const conf_directive *d,
                       const char *assign, apr_array_header_t *gates,
                       int value_is_origin)
{
    env_setter *e;
    const char *eq = strchr(assign, '=');

    if (*assign == '!') {
        return;                 /* an unset */
    }
    e = apr_array_push(ctx->setters);
    e->name = eq ? apr_pstrmemdup(ctx->p, assign, eq - assign) : assign;
    e->reflect = value_is_origin;
    e->gates = gates;
    e->scope = conf_scope_of(d);
}

/* $0..$9 (SetEnvIf) or %0..%9 (RewriteRule): a piece of the match. */
static int has_backref(const char *v, char sigil)
{
    for (; *v; v++) {
        if (v[0] == sigil && apr_isdigit(v[1])) {
            return 1;
        }
    }
    return 0;
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
        add_setter(ctx, d, a, gates, origin && has_backref(a, '$'));
    }
}

static void read_setenvifexpr(audit_ctx *ctx, const conf_directive *d)
{
    apr_array_header_t *gates;
    int i;

    if (conf_arg(d, 0) == NULL) {
        return;
    }
    gates = expr_gates(ctx->p, conf_arg(d, 0), d);
    for (i = 1; conf_arg(d, i); i++) {
        const char *a = conf_arg(d, i);
        add_setter(ctx, d, a, gates, gates && has_backref(a, '$'));
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
    if (origin_ref_at(test) == strlen(test)) {
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
    else if (has_ci(test, "%{REQUEST_METHOD}") && *pat != '!') {
        const char *err;
        const audit_regex *re = *pat == '=' ? NULL
                                : audit_regex_compile(ctx->p, pat, nocase, &err);
        rc->options |= *pat == '=' ? strcasecmp(pat + 1, "OPTIONS") == 0
                                   : re && audit_regex_search(re, "OPTIONS");
    }
}

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
            int reflect = origin_ref_at(colon ? colon + 1 : "") > 0
                          || has_ci(a, "%{HTTP:Origin}")
                          || has_ci(a, "%{HTTP_ORIGIN}")
                          || (gates && has_backref(a, '%'));
            if (colon) {
                *colon = '=';
            }
            add_setter(ctx, d, assign, gates, reflect);
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
        *(header_line *)apr_array_push(s->lines) = h;
    }
}

static void read_lines(audit_ctx *ctx, const conf_tree *t)
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

/* ------------------------------------------------------------------------
 * Judging one recipe
 */

/* A plain-http origin and where it is allowed. */
typedef struct {
    const char *origin;
    const char *file;
    int line;
    const char *text;
} origin_at;

typedef struct {
    audit_ctx *ctx;
    const scope_lines *sl;
    audit_recipe *r;
    audit_intent *in;
    int origin_dependent;
    const conf_directive *dependent_line;
    apr_array_header_t *plain_http;     /* origin_at */
} judge;

static void add_risk(judge *j, audit_risk_kind kind, const char *file,
                     int line, const char *text, const char *origin,
                     const char *why)
{
    audit_risk *k;
    int i;

    for (i = 0; i < j->r->risks->nelts; i++) {
        k = &APR_ARRAY_IDX(j->r->risks, i, audit_risk);
        if (k->kind == kind && k->line == line && strcmp(k->file, file) == 0) {
            return;
        }
    }
    k = apr_array_push(j->r->risks);
    k->kind = kind;
    k->file = file;
    k->line = line;
    k->text = text;
    k->origin = origin;
    k->why = why;
}

static void add_origin(judge *j, const char *origin, const char *file,
                       int line, const char *text)
{
    const char *norm;
    int i;

    if (cors_origin_normalize(j->ctx->p, origin, &norm) != NULL) {
        return;                 /* a value no browser would ever match */
    }
    for (i = 0; i < j->in->origins->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(j->in->origins, i, const char *), norm) == 0) {
            return;
        }
    }
    APR_ARRAY_PUSH(j->in->origins, const char *) = norm;
    if (strcmp(norm, "null") == 0) {
        add_risk(j, RISK_NULL_ALLOWED, file, line, text, NULL,
                 "'null' is allowed: any page can send it, from a sandboxed "
                 "iframe or a data: URL");
    }
    else if (strcmp(norm, "*") != 0 && audit_origin_is_plain_http(norm)) {
        /* judged with credentials once every line is read */
        origin_at *o = apr_array_push(j->plain_http);
        o->origin = norm;
        o->file = file;
        o->line = line;
        o->text = text;
    }
}

/* The gates of an environment variable visible from the recipe's scope:
 * NULL when one of its setters sets it whatever the Origin. */
static apr_array_header_t *var_gates(judge *j, const char *name, int *known,
                                     int *reflect)
{
    apr_array_header_t *all = apr_array_make(j->ctx->p, 2, sizeof(audit_gate));
    int i, ungated = 0;

    *known = *reflect = 0;
    for (i = 0; i < j->ctx->setters->nelts; i++) {
        const env_setter *e = &APR_ARRAY_IDX(j->ctx->setters, i, env_setter);
        if (strcmp(e->name, name) != 0
            || !conf_scope_within(j->sl->scope, e->scope)) {
            continue;
        }
        *known = 1;
        *reflect |= e->reflect;
        if (e->gates == NULL) {
            ungated = 1;
        }
        else {
            apr_array_cat(all, e->gates);
        }
    }
    return *known && !ungated ? all : NULL;
}

typedef enum { VALUE_LITERAL, VALUE_WILDCARD, VALUE_REFLECT } value_kind;

/* What an Access-Control-Allow-Origin value is; *var gets the name of the
 * environment variable it reads, if any. */
static value_kind value_of(judge *j, const char *v, const char **var)
{
    const char *pct = strstr(v, "%{");

    *var = NULL;
    if (strcmp(v, "*") == 0) {
        return VALUE_WILDCARD;
    }
    if (strncasecmp(v, "expr=", 5) == 0) {
        return has_ci(v, "origin") ? VALUE_REFLECT : VALUE_LITERAL;
    }
    if (pct) {
        const char *end = strchr(pct, '}');
        if (end && end[1] == 'e') {
            int known, reflect;
            *var = apr_pstrmemdup(j->ctx->p, pct + 2, end - pct - 2);
            var_gates(j, *var, &known, &reflect);
            if (reflect || (!known && has_ci(*var, "ORIGIN"))) {
                return VALUE_REFLECT;
            }
        }
    }
    return VALUE_LITERAL;
}

/* src's gates become the primary ones (the first found) or one more
 * list of alternatives in also, which must let the origin through too. */
static void gather(apr_array_header_t **primary, apr_array_header_t *also,
                   apr_array_header_t *src)
{
    if (src == NULL) {
        return;
    }
    if (*primary == NULL) {
        *primary = src;
    }
    else {
        APR_ARRAY_PUSH(also, apr_array_header_t *) = src;
    }
}

static void judge_regex(judge *j, const audit_gate *g,
                        const apr_array_header_t *also)
{
    apr_pool_t *p = j->ctx->p;
    const cors_probe *probe = audit_gate_probe(p, g, also);
    apr_array_header_t *meant = audit_regex_meant(p, g->source);
    int i, names_null = 0;

    for (i = 0; meant && i < meant->nelts; i++) {
        names_null |= strcmp(APR_ARRAY_IDX(meant, i, const char *), "null") == 0;
    }
    if (probe && probe->kind == CORS_PROBE_UNRELATED) {
        j->r->any = j->in->reflects_any = 1;
        add_risk(j, RISK_REFLECTS_ANY_ORIGIN, g->file, g->line, g->text, NULL,
                 apr_psprintf(p, "'%s' lets every origin through (such as %s), "
                              "and the Origin is echoed back", g->source,
                              probe->origin));
        return;
    }
    if (probe && !(probe->kind == CORS_PROBE_NULL && names_null)) {
        add_risk(j, RISK_REGEX_LETS_IN, g->file, g->line, g->text,
                 probe->origin, cors_probe_describe(p, g->source, probe));
    }
    for (i = 0; meant && i < meant->nelts; i++) {
        add_origin(j, APR_ARRAY_IDX(meant, i, const char *), g->file, g->line,
                   g->text);
    }
    if (meant == NULL && probe == NULL) {
        APR_ARRAY_PUSH(j->in->matches, const char *) = g->source;
    }
    else if (meant == NULL) {
        j->in->unreadable = 1;
    }
}

static void judge_gates(judge *j, const apr_array_header_t *primary,
                        const apr_array_header_t *also)
{
    int i;

    for (i = 0; i < primary->nelts; i++) {
        const audit_gate *g = &APR_ARRAY_IDX(primary, i, audit_gate);
        switch (g->kind) {
        case GATE_EXACT:
            add_origin(j, g->source, g->file, g->line, g->text);
            break;
        case GATE_REGEX:
            judge_regex(j, g, also);
            break;
        default:
            j->r->any = j->in->reflects_any = 1;
            add_risk(j, RISK_REFLECTS_ANY_ORIGIN, g->file, g->line, g->text,
                     NULL, "a negated check lets every other origin through, "
                     "and the Origin is echoed back");
            break;
        }
    }
}

/* The innermost <If> or <ElseIf> around the line that checks the
 * Origin: its gates, or NULL. */
static apr_array_header_t *if_gates(judge *j, const conf_directive *d)
{
    const conf_section *s;

    for (s = d->section; s && !conf_section_is_scope(s); s = s->parent) {
        if (strcasecmp(s->name, "If") == 0 || strcasecmp(s->name, "ElseIf") == 0) {
            conf_directive at = *d;
            apr_array_header_t *g;
            const char *expr = apr_pstrdup(j->ctx->p, s->args);
            apr_array_header_t *words = conf_split_words(j->ctx->p, expr);
            at.line = s->line;
            at.text = apr_pstrcat(j->ctx->p, "<", s->name, " ", s->args, ">", NULL);
            if (words->nelts == 1) {    /* <If "..."> as one quoted word */
                expr = APR_ARRAY_IDX(words, 0, const char *);
            }
            g = expr_gates(j->ctx->p, expr, &at);
            if (g) {
                return g;
            }
        }
    }
    return NULL;
}

static void judge_allow_origin(judge *j, const header_line *h)
{
    apr_pool_t *p = j->ctx->p;
    const conf_directive *d = h->d;
    apr_array_header_t *primary = NULL;
    apr_array_header_t *also = apr_array_make(p, 1, sizeof(apr_array_header_t *));
    const char *var;
    value_kind kind = value_of(j, h->value, &var);
    int known, reflect;

    if (var) {
        gather(&primary, also, var_gates(j, var, &known, &reflect));
    }
    if (h->env && !h->env_negated && !(var && strcmp(var, h->env) == 0)) {
        gather(&primary, also, var_gates(j, h->env, &known, &reflect));
    }
    gather(&primary, also, if_gates(j, d));
    if (h->expr) {
        gather(&primary, also, expr_gates(p, h->expr, d));
    }
    if (!h->always) {
        add_risk(j, RISK_LOST_ON_ERRORS, d->file, d->line, d->text, NULL,
                 "'Header' without 'always': the error responses httpd makes "
                 "itself (401, 403, 404, 500 ...) go without it, so pages "
                 "cannot read them");
    }
    if (kind == VALUE_WILDCARD) {
        j->r->any = j->in->wildcard = 1;
        return;
    }
    if (kind == VALUE_LITERAL) {
        char *v = apr_pstrdup(p, h->value), *tok, *last;
        for (tok = apr_strtok(v, " ,", &last); tok; tok = apr_strtok(NULL, " ,", &last)) {
            add_origin(j, tok, d->file, d->line, d->text);
        }
        if (primary && !j->origin_dependent) {
            j->origin_dependent = 1;
            j->dependent_line = d;
        }
        return;
    }
    if (!j->origin_dependent) {
        j->origin_dependent = 1;
        j->dependent_line = d;
    }
    if (primary == NULL) {
        j->r->any = j->in->reflects_any = 1;
        add_risk(j, RISK_REFLECTS_ANY_ORIGIN, d->file, d->line, d->text, NULL,
                 "the request's Origin is echoed back whatever it is: every "
                 "site can read these responses");
        return;
    }
    judge_gates(j, primary, also);
}

static void push_words(apr_pool_t *p, apr_array_header_t *to, const char *v)
{
    char *copy = apr_pstrdup(p, v), *tok, *last;

    for (tok = apr_strtok(copy, " ,", &last); tok; tok = apr_strtok(NULL, " ,", &last)) {
        APR_ARRAY_PUSH(to, const char *) = tok;
    }
}

/* Is there a Header line on Vary naming Origin in the scope or one
 * around it? */
static int sends_vary(const judge *j)
{
    int i, k;

    for (i = 0; i < j->ctx->scopes->nelts; i++) {
        const scope_lines *s = &APR_ARRAY_IDX(j->ctx->scopes, i, scope_lines);
        if (!conf_scope_within(j->sl->scope, s->scope)) {
            continue;
        }
        for (k = 0; k < s->lines->nelts; k++) {
            const header_line *h = &APR_ARRAY_IDX(s->lines, k, header_line);
            if (strcasecmp(h->header, "Vary") == 0 && has_ci(h->value, "Origin")) {
                return 1;
            }
        }
    }
    return 0;
}

static void judge_other_header(judge *j, const header_line *h)
{
    apr_pool_t *p = j->ctx->p;
    const char *n = h->header;

    if (strcasecmp(n, "Access-Control-Allow-Credentials") == 0) {
        if (strcasecmp(h->value, "true") == 0) {
            j->r->credentials = j->in->credentials = 1;
        }
    }
    else if (strcasecmp(n, "Access-Control-Allow-Methods") == 0) {
        push_words(p, j->in->methods, h->value);
    }
    else if (strcasecmp(n, "Access-Control-Allow-Headers") == 0) {
        push_words(p, j->in->headers, h->value);
    }
    else if (strcasecmp(n, "Access-Control-Expose-Headers") == 0) {
        push_words(p, j->in->expose, h->value);
    }
    else if (strcasecmp(n, "Access-Control-Max-Age") == 0) {
        j->in->max_age = h->value;
    }
}

static const header_line *first_named(const scope_lines *sl, const char *name)
{
    int i;

    for (i = 0; i < sl->lines->nelts; i++) {
        const header_line *h = &APR_ARRAY_IDX(sl->lines, i, header_line);
        if (strcasecmp(h->header, name) == 0) {
            return h;
        }
    }
    return NULL;
}

/* Plain-http origins, noted by add_origin(), with credentials. */
static void judge_plain_http(judge *j)
{
    int i;

    for (i = 0; j->r->credentials && i < j->plain_http->nelts; i++) {
        const origin_at *o = &APR_ARRAY_IDX(j->plain_http, i, origin_at);
        add_risk(j, RISK_HTTP_ORIGIN_WITH_CREDENTIALS, o->file, o->line, o->text,
                 NULL, apr_psprintf(j->ctx->p, "%s is plain http: anyone on the "
                                    "network path can act as it and read the "
                                    "users' credentialed data", o->origin));
    }
}

static void judge_flags(judge *j)
{
    const header_line *acac = first_named(j->sl, "Access-Control-Allow-Credentials");
    int i;

    if (j->in->wildcard && j->r->credentials) {
        add_risk(j, RISK_WILDCARD_WITH_CREDENTIALS, acac->d->file, acac->d->line,
                 acac->d->text, NULL, "'*' with credentials: browsers refuse "
                 "every credentialed request (broken, not open)");
    }
    judge_plain_http(j);
    if (j->origin_dependent && !sends_vary(j)) {
        const conf_directive *d = j->dependent_line;
        add_risk(j, RISK_NO_VARY, d->file, d->line, d->text, NULL,
                 "the answer depends on the Origin but 'Vary: Origin' is never "
                 "sent: a cache can serve one site's answer to another");
    }
    for (i = 0; i < j->sl->options_rules->nelts; i++) {
        const conf_directive *d = APR_ARRAY_IDX(j->sl->options_rules, i,
                                                const conf_directive *);
        APR_ARRAY_PUSH(j->in->options_rules, int) = d->line;
        add_risk(j, RISK_PREFLIGHT_ANY_OPTIONS, d->file, d->line, d->text, NULL,
                 "every OPTIONS request is answered with success whatever its "
                 "origin, method and headers");
    }
}

/* Drops each origin that its own port pattern (origin:*) covers. */
static void drop_covered(apr_pool_t *p, apr_array_header_t *origins)
{
    int i, k, n = 0;

    for (i = 0; i < origins->nelts; i++) {
        const char *o = APR_ARRAY_IDX(origins, i, const char *);
        const char *any_port = apr_pstrcat(p, o, ":*", NULL);
        int covered = 0;
        for (k = 0; k < origins->nelts && !covered; k++) {
            covered = strcmp(APR_ARRAY_IDX(origins, k, const char *), any_port) == 0;
        }
        if (!covered) {
            APR_ARRAY_IDX(origins, n++, const char *) = o;
        }
    }
    origins->nelts = n;
}

static int risk_order(const void *a, const void *b)
{
    const audit_risk *x = a, *y = b;

    if (x->kind != y->kind) {
        return (int)x->kind - (int)y->kind;
    }
    return x->line - y->line;
}

static audit_intent *intent_make(apr_pool_t *p)
{
    audit_intent *in = apr_pcalloc(p, sizeof(*in));

    in->origins = apr_array_make(p, 4, sizeof(char *));
    in->matches = apr_array_make(p, 1, sizeof(char *));
    in->methods = apr_array_make(p, 4, sizeof(char *));
    in->headers = apr_array_make(p, 4, sizeof(char *));
    in->expose = apr_array_make(p, 2, sizeof(char *));
    in->options_rules = apr_array_make(p, 1, sizeof(int));
    return in;
}

static void judge_recipe(audit_ctx *ctx, const scope_lines *sl,
                         audit_recipe *r)
{
    judge j;
    int i;

    memset(&j, 0, sizeof(j));
    j.ctx = ctx;
    j.sl = sl;
    j.r = r;
    j.in = intent_make(ctx->p);
    r->risks = apr_array_make(ctx->p, 4, sizeof(audit_risk));
    j.plain_http = apr_array_make(ctx->p, 1, sizeof(origin_at));
    for (i = 0; i < sl->lines->nelts; i++) {
        judge_other_header(&j, &APR_ARRAY_IDX(sl->lines, i, header_line));
    }
    for (i = 0; i < sl->lines->nelts; i++) {
        const header_line *h = &APR_ARRAY_IDX(sl->lines, i, header_line);
        if (strcasecmp(h->header, "Access-Control-Allow-Origin") == 0) {
            judge_allow_origin(&j, h);
        }
    }
    judge_flags(&j);
    drop_covered(ctx->p, j.in->origins);
    r->origins = apr_array_copy(ctx->p, j.in->origins);
    apr_array_cat(r->origins, j.in->matches);  /* regexes kept as they are */
    qsort(r->risks->elts, r->risks->nelts, sizeof(audit_risk), risk_order);
    r->proposal = audit_proposal(ctx->p, j.in);
}

apr_array_header_t *audit_recipes(apr_pool_t *p, const conf_tree *t)
{
    apr_array_header_t *recipes = apr_array_make(p, 4, sizeof(audit_recipe));
    audit_ctx ctx;
    int i;

    ctx.p = p;
    ctx.setters = apr_array_make(p, 8, sizeof(env_setter));
    ctx.scopes = apr_array_make(p, 8, sizeof(scope_lines));
    read_lines(&ctx, t);
    for (i = 0; i < ctx.scopes->nelts; i++) {
        const scope_lines *sl = &APR_ARRAY_IDX(ctx.scopes, i, scope_lines);
        const header_line *acao = first_named(sl, "Access-Control-Allow-Origin");
        audit_recipe *r;

        if (acao == NULL) {
            continue;           /* Vary alone, or a rule with no header */
        }
        r = apr_array_push(recipes);
        memset(r, 0, sizeof(*r));
        r->file = APR_ARRAY_IDX(sl->lines, 0, header_line).d->file;
        r->line = APR_ARRAY_IDX(sl->lines, 0, header_line).d->line;
        r->scope = conf_scope_name(p, sl->scope);
        judge_recipe(&ctx, sl, r);
    }
    return recipes;
}

const char *audit_risk_name(audit_risk_kind kind)
{
    static const char *const names[RISK_KIND_COUNT] = {
        "reflects-any-origin", "regex-lets-in", "wildcard-with-credentials",
        "http-origin-with-credentials", "null-allowed", "no-vary",
        "preflight-any-options", "lost-on-errors"
    };

    return kind < RISK_KIND_COUNT ? names[kind] : "?";
}
