/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_explain.c -- a decision explained for the CORS-Debug header, and
 * the startup check of CORSDebug expressions that are true for everyone.
 * See cors_explain.h.  APR and libc only.
 */
#include <string.h>

#include "apr_hash.h"
#include "apr_strings.h"
#include "apr_tables.h"

#include "cors_explain.h"

/* ------------------------------------------------------------------------
 * Structured Field pieces
 */

const char *cors_sf_string(apr_pool_t *p, const char *s, size_t len,
                           size_t max)
{
    size_t n = len > max ? max : len, i;
    /* Every byte may double, plus the quotes, "..." and the NUL. */
    char *out = apr_palloc(p, 2 * n + 6), *o = out;

    *o++ = '"';
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            *o++ = '\\';
            *o++ = (char)c;
        }
        else {
            *o++ = (c >= 0x20 && c <= 0x7e) ? (char)c : '?';
        }
    }
    if (len > max) {
        memcpy(o, "...", 3);
        o += 3;
    }
    *o++ = '"';
    *o = '\0';
    return out;
}

static const char *policy_string(apr_pool_t *p, const char *s)
{
    return cors_sf_string(p, s, strlen(s), CORS_EXPLAIN_POLICY_MAX);
}

/* ------------------------------------------------------------------------
 * What the policy allows
 */

/* Adds the keys of set to the n smallest kept in shown[], sorted: a
 * stable order whatever the configuration's order, without sorting a list
 * of any length.  Returns the new n. */
static int smallest_keys(const cors_set *set, const char **shown, int n)
{
    int j, i;

    for (j = 0; set->names && j < set->names->nelts; j++) {
        const char *k = APR_ARRAY_IDX(set->names, j, cors_name).key;
        for (i = n; i > 0 && strcmp(k, shown[i - 1]) < 0; i--) {
            if (i < CORS_EXPLAIN_ORIGINS_SHOWN) {
                shown[i] = shown[i - 1];
            }
        }
        if (i < CORS_EXPLAIN_ORIGINS_SHOWN) {
            shown[i] = k;
            if (n < CORS_EXPLAIN_ORIGINS_SHOWN) {
                n++;
            }
        }
    }
    return n;
}

const char *cors_explain_origins(apr_pool_t *p, const cors_policy *policy)
{
    const cors_origins *o = policy->origins;
    const apr_array_header_t *m = policy->matchers;
    const char *shown[CORS_EXPLAIN_ORIGINS_SHOWN];
    const char *v;
    int n, total, i;

    if (o == NULL) {
        return "(none)";
    }
    if (o->any) {
        return "*";
    }
    n = smallest_keys(&o->patterns, shown, smallest_keys(&o->exact, shown, 0));
    total = cors_set_count(&o->exact) + cors_set_count(&o->patterns)
            + (o->null ? 1 : 0)
            + (m ? m->nelts : 0);
    if (o->null && n < CORS_EXPLAIN_ORIGINS_SHOWN) {
        shown[n++] = "null";
    }
    for (i = 0; m && i < m->nelts && n < CORS_EXPLAIN_ORIGINS_SHOWN; i++) {
        shown[n++] = APR_ARRAY_IDX(m, i, cors_matcher).source;
    }
    if (n == 0) {
        return "(none)";
    }
    v = shown[0];
    for (i = 1; i < n; i++) {
        v = apr_pstrcat(p, v, ", ", shown[i], NULL);
    }
    return total > n ? apr_psprintf(p, "%s and %d more", v, total - n) : v;
}

static const char *allowed_methods(const cors_policy *policy)
{
    return policy->methods ? policy->methods->value : cors_safelisted_methods;
}

static const char *allowed_headers(const cors_policy *policy)
{
    return policy->allow_headers ? policy->allow_headers->value
                                 : cors_safelisted_headers;
}

/* ------------------------------------------------------------------------
 * The explanation
 */

static const char *param(apr_pool_t *p, const char *v, const char *key,
                         const char *value)
{
    return apr_pstrcat(p, v, "; ", key, value ? "=" : "", value, NULL);
}

static const char *client_value(apr_pool_t *p, const char *s, size_t len)
{
    return cors_sf_string(p, s, len, CORS_EXPLAIN_VALUE_MAX);
}

/* The offending value and what the policy allows in its place. */
static const char *explain_refusal(apr_pool_t *p, const char *v,
                                   const cors_policy *policy,
                                   const cors_input *in,
                                   const cors_decision *d)
{
    switch (d->note) {
    case CORS_NOTE_PREFLIGHT_DENIED_ORIGIN:
    case CORS_NOTE_DENIED_ORIGIN:
        /* For a merge conflict the offending value is the conflict, not
         * the Origin: both are said. */
        v = param(p, v, "origin",
                  client_value(p, in->origin, strlen(in->origin)));
        v = param(p, v, "allowed",
                  policy_string(p, cors_explain_origins(p, policy)));
        break;
    case CORS_NOTE_PREFLIGHT_DENIED_METHOD:
        v = param(p, v, "method",
                  client_value(p, d->offending, d->offending_len));
        v = param(p, v, "allowed", policy_string(p, allowed_methods(policy)));
        break;
    case CORS_NOTE_PREFLIGHT_DENIED_HEADERS:
        if (d->offending) {
            v = param(p, v, "header",
                      client_value(p, d->offending, d->offending_len));
        }
        v = param(p, v, "allowed", policy_string(p, allowed_headers(policy)));
        break;
    default:
        break;
    }
    v = param(p, v, "reason", cors_reason_describe(d->reason)->token);
    if (d->reason == CORS_REASON_MERGED_CONFLICT) {
        v = param(p, v, "conflict",
                  policy_string(p, apr_pstrmemdup(p, d->offending,
                                                  d->offending_len)));
    }
    else if (d->reason == CORS_REASON_HEADERS_TOO_LONG) {
        v = param(p, v, "limit", apr_psprintf(p, "\"%d names, %d bytes\"",
                                              CORS_ACRH_MAX_NAMES,
                                              CORS_ACRH_MAX_BYTES));
    }
    return v;
}

const char *cors_explain(apr_pool_t *p, const cors_policy *policy,
                         const cors_input *in, const cors_decision *d,
                         const cors_explain_context *ctx)
{
    const char *v = cors_note_name(d->note);

    if (d->reason != CORS_REASON_NONE) {
        v = explain_refusal(p, v, policy, in, d);
    }
    if (ctx->defined_at) {
        v = param(p, v, "policy", policy_string(p, ctx->defined_at));
    }
    if (ctx->report_only) {
        v = param(p, v, "report-only", NULL);
    }
    return v;
}

/* ------------------------------------------------------------------------
 * Expressions true for everyone
 *
 * A small three-valued reading of the ap_expr grammar's boolean part:
 * ||, &&, !, parentheses, true, false and comparisons of two constants.
 * Whatever else appears (a variable, a function, -R, a regex) is unknown,
 * and an unknown part makes the whole unknown unless || or && decide
 * without it.  Only an expression that parsed is judged.
 *
 * Why a reader of the text and not httpd's parse tree: ap_expr_parse_cmd()
 * has parsed the expression already (its errors are the directive's), but
 * the tree it returns is opaque to a module (struct ap_expr_node is in
 * httpd's private util_expr_private.h, not installed with httpd-dev), and
 * evaluating it needs a request: one evaluation cannot tell "true for
 * every request" from "true for this one".  So this reads only the
 * constant part of the grammar and leaves the rest unknown.
 */

typedef enum { TRI_FALSE, TRI_TRUE, TRI_UNKNOWN } tri;

#define EXPR_MAX_TOKENS 64

typedef struct {
    const char *start;
    size_t len;
    int quoted;         /* a '...' or "..." string, start inside the quotes */
} expr_token;

typedef struct {
    expr_token t[EXPR_MAX_TOKENS];
    int n, i;
} expr_reader;

static int is_punct(char c)
{
    return c == '(' || c == ')' || c == '!' || c == '=' || c == '<'
           || c == '>' || c == '&' || c == '|' || c == '~';
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Splits s into tokens; 0 when it has more than EXPR_MAX_TOKENS or an
 * unterminated string. */
static int tokenize(const char *s, expr_reader *r)
{
    r->n = r->i = 0;
    while (*s) {
        expr_token *t = &r->t[r->n];
        if (is_space(*s)) {
            s++;
            continue;
        }
        if (r->n == EXPR_MAX_TOKENS) {
            return 0;
        }
        t->quoted = 0;
        if (*s == '\'' || *s == '"') {
            const char *end = strchr(s + 1, *s);
            if (end == NULL) {
                return 0;
            }
            t->start = s + 1;
            t->len = (size_t)(end - s - 1);
            t->quoted = 1;
            s = end + 1;
        }
        else if (*s == '(' || *s == ')'
                 || (*s == '!' && s[1] != '=' && s[1] != '~')) {
            t->start = s++;
            t->len = 1;
        }
        else if (is_punct(*s)) {
            t->start = s;
            while (is_punct(*s) && *s != '(' && *s != ')') {
                s++;
            }
            t->len = (size_t)(s - t->start);
        }
        else {
            t->start = s;
            while (*s && !is_space(*s) && !is_punct(*s) && *s != '\''
                   && *s != '"') {
                s++;
            }
            t->len = (size_t)(s - t->start);
        }
        r->n++;
    }
    return 1;
}

static int is(const expr_reader *r, int i, const char *text)
{
    return i < r->n && !r->t[i].quoted && r->t[i].len == strlen(text)
           && memcmp(r->t[i].start, text, r->t[i].len) == 0;
}

/* A constant: digits, or a string with no variable and no escape. */
static int is_literal(const expr_reader *r, int i)
{
    const expr_token *t = &r->t[i];
    size_t k;

    if (i >= r->n) {
        return 0;
    }
    for (k = 0; k < t->len; k++) {
        char c = t->start[k];
        if (t->quoted ? (c == '%' || c == '\\') : (c < '0' || c > '9')) {
            return 0;
        }
    }
    return t->quoted || t->len > 0;
}

static int same_literal(const expr_reader *r, int a, int b)
{
    return r->t[a].len == r->t[b].len
           && memcmp(r->t[a].start, r->t[b].start, r->t[a].len) == 0;
}

/* literal OP literal: true or false where the operator says so. */
static tri compare(const expr_reader *r, int a, int op, int b)
{
    int same = same_literal(r, a, b);

    if (is(r, op, "==") || is(r, op, "=")) {
        return same ? TRI_TRUE : TRI_FALSE;
    }
    if (is(r, op, "!=")) {
        return same ? TRI_FALSE : TRI_TRUE;
    }
    /* Integer and ordering comparisons: only equal texts are sure. */
    if (same && (is(r, op, "-eq") || is(r, op, "<=") || is(r, op, ">=")
                 || is(r, op, "-le") || is(r, op, "-ge"))) {
        return TRI_TRUE;
    }
    if (same && (is(r, op, "-ne") || is(r, op, "<") || is(r, op, ">")
                 || is(r, op, "-lt") || is(r, op, "-gt"))) {
        return TRI_FALSE;
    }
    return TRI_UNKNOWN;
}

static int ends_operand(const expr_reader *r, int i)
{
    return i >= r->n || is(r, i, "&&") || is(r, i, "||") || is(r, i, ")");
}

/* Skips an operand this reader does not judge, up to the next && or ||
 * outside parentheses. */
static tri skip_unknown(expr_reader *r)
{
    int depth = 0;

    while (r->i < r->n && (depth > 0 || !ends_operand(r, r->i))) {
        if (is(r, r->i, "(")) {
            depth++;
        }
        else if (is(r, r->i, ")")) {
            depth--;
        }
        r->i++;
    }
    return TRI_UNKNOWN;
}

static tri read_or(expr_reader *r);

static tri read_operand(expr_reader *r)
{
    int i = r->i;

    if (is(r, i, "!")) {
        tri v;
        r->i++;
        v = read_operand(r);
        return v == TRI_UNKNOWN ? v : v == TRI_TRUE ? TRI_FALSE : TRI_TRUE;
    }
    if (is(r, i, "(")) {
        tri v;
        r->i++;
        v = read_or(r);
        if (!is(r, r->i, ")")) {
            return skip_unknown(r);
        }
        r->i++;
        return v;
    }
    if ((is(r, i, "true") || is(r, i, "false")) && ends_operand(r, i + 1)) {
        r->i++;
        return is(r, i, "true") ? TRI_TRUE : TRI_FALSE;
    }
    if (is_literal(r, i) && i + 2 < r->n && is_literal(r, i + 2)
        && ends_operand(r, i + 3)) {
        r->i += 3;
        return compare(r, i, i + 1, i + 2);
    }
    return skip_unknown(r);
}

static tri read_and(expr_reader *r)
{
    tri v = read_operand(r);

    while (is(r, r->i, "&&")) {
        tri w;
        r->i++;
        w = read_operand(r);
        v = (v == TRI_FALSE || w == TRI_FALSE) ? TRI_FALSE
            : (v == TRI_TRUE && w == TRI_TRUE) ? TRI_TRUE : TRI_UNKNOWN;
    }
    return v;
}

static tri read_or(expr_reader *r)
{
    tri v = read_and(r);

    while (is(r, r->i, "||")) {
        tri w;
        r->i++;
        w = read_and(r);
        v = (v == TRI_TRUE || w == TRI_TRUE) ? TRI_TRUE
            : (v == TRI_FALSE && w == TRI_FALSE) ? TRI_FALSE : TRI_UNKNOWN;
    }
    return v;
}

int cors_expr_always_true(const char *source)
{
    expr_reader r;
    tri v;

    if (!tokenize(source, &r)) {
        return 0;
    }
    v = read_or(&r);
    return v == TRI_TRUE && r.i == r.n;
}
