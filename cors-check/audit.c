/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit.c -- the CORS recipes of a configuration and their risks (see
 * audit.h).
 *
 * audit_read.c has read the lines: the environment variables and the
 * origin checks under which each is set, the rewrite rules that answer
 * OPTIONS themselves, and the Header lines of Access-Control-* and Vary
 * by scope.  Here each Access-Control-Allow-Origin line is judged by what
 * its value is (*, a list, the request's Origin) and the checks that
 * stand before it: the variable its value reads, its env= variable, an
 * enclosing <If>, its expr= condition.  A regex check is tried against
 * the module's attacker origins and read for the origins it meant; what
 * the recipe meant goes to audit_proposal.c.
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
    else if (strcmp(norm, "*") != 0 && audit_origin_is_plain_http(j->ctx->p, norm)) {
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
        if (strcasecmp(e->name, name) != 0     /* an apr_table key */
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
        return audit_has_ci(v, "origin") ? VALUE_REFLECT : VALUE_LITERAL;
    }
    if (pct) {
        const char *end = strchr(pct, '}');
        if (end && end[1] == 'e') {
            int known, reflect;
            *var = apr_pstrmemdup(j->ctx->p, pct + 2, end - pct - 2);
            var_gates(j, *var, &known, &reflect);
            if (reflect || (!known && audit_has_ci(*var, "ORIGIN"))) {
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
    int i, null_named = probe && probe->kind == CORS_PROBE_NULL
                        && audit_regex_names(p, g->source, "null");

    if (probe && probe->kind == CORS_PROBE_UNRELATED) {
        j->r->any = j->in->reflects_any = 1;
        add_risk(j, RISK_REFLECTS_ANY_ORIGIN, g->file, g->line, g->text, NULL,
                 apr_psprintf(p, "'%s' lets every origin through (such as %s), "
                              "and the Origin is echoed back", g->source,
                              probe->origin));
        return;
    }
    if (null_named) {           /* written on purpose: null-allowed */
        add_risk(j, RISK_NULL_ALLOWED, g->file, g->line, g->text, NULL,
                 apr_psprintf(p, "'%s' allows 'null': any page can send it, "
                              "from a sandboxed iframe or a data: URL", g->source));
    }
    else if (probe) {
        add_risk(j, RISK_REGEX_LETS_IN, g->file, g->line, g->text,
                 probe->origin, cors_probe_describe(p, g->source, probe));
    }
    for (i = 0; meant && i < meant->nelts; i++) {
        add_origin(j, APR_ARRAY_IDX(meant, i, const char *), g->file, g->line,
                   g->text);
    }
    if (meant == NULL) {        /* shown as it is; proposed only if safe */
        APR_ARRAY_PUSH(j->in->matches, const char *) = g->source;
        j->in->unreadable |= probe != NULL;
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
            g = audit_expr_gates(j->ctx->p, expr, &at);
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
    if (h->env && !h->env_negated && !(var && strcasecmp(var, h->env) == 0)) {
        gather(&primary, also, var_gates(j, h->env, &known, &reflect));
    }
    gather(&primary, also, if_gates(j, d));
    if (h->expr) {
        gather(&primary, also, audit_expr_gates(p, h->expr, d));
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
        if (s->varies) {
            return 1;
        }
        for (k = 0; k < s->lines->nelts; k++) {
            const header_line *h = &APR_ARRAY_IDX(s->lines, k, header_line);
            if (strcasecmp(h->header, "Vary") == 0 && audit_has_ci(h->value, "Origin")) {
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
    for (i = 0; i < r->risks->nelts; i++) {     /* a setter before the Header */
        const audit_risk *k = &APR_ARRAY_IDX(r->risks, i, audit_risk);
        if (k->line < r->line && strcmp(k->file, r->file) == 0) {
            r->line = k->line;
        }
    }
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
    audit_read_lines(&ctx, t);
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
