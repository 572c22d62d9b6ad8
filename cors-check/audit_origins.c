/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit_origins.c -- what the origin checks of a recipe let through (see
 * audit_origins.h).
 *
 * The regexes are PCRE2's, compiled as httpd compiles those of SetEnvIf,
 * RewriteCond and ap_expr (the default syntax, caseless where the recipe
 * says so) and searched, not anchored, as httpd searches them.  Which
 * attacker origin gets in is the module's probe's business
 * (cors_probe.c); here a recipe's checks only say yes or no to each one.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>

#include "apr_lib.h"
#include "apr_strings.h"

#include "audit_origins.h"
#include "cors_logic.h"

/* Bounds of one match: a recipe's regex is an admin's, but the tool must
 * not hang on a pathological one. */
#define MATCH_LIMIT 100000
#define DEPTH_LIMIT 5000

struct audit_regex {
    pcre2_code *code;
    pcre2_match_context *mctx;
};

static apr_status_t regex_cleanup(void *data)
{
    audit_regex *re = data;

    pcre2_code_free(re->code);
    pcre2_match_context_free(re->mctx);
    return APR_SUCCESS;
}

const audit_regex *audit_regex_compile(apr_pool_t *p, const char *source,
                                       int nocase, const char **err)
{
    audit_regex *re = apr_pcalloc(p, sizeof(*re));
    int code;
    PCRE2_SIZE offset;

    re->code = pcre2_compile((PCRE2_SPTR)source, PCRE2_ZERO_TERMINATED,
                             nocase ? PCRE2_CASELESS : 0, &code, &offset, NULL);
    if (re->code == NULL) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof(msg));
        *err = apr_psprintf(p, "'%s' is not a regex: %s at offset %lu", source,
                            (const char *)msg, (unsigned long)offset);
        return NULL;
    }
    re->mctx = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(re->mctx, MATCH_LIMIT);
    pcre2_set_depth_limit(re->mctx, DEPTH_LIMIT);
    apr_pool_cleanup_register(p, re, regex_cleanup, apr_pool_cleanup_null);
    return re;
}

int audit_regex_search(const audit_regex *re, const char *subject, int group)
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re->code, NULL);
    apr_size_t len = strlen(subject);
    int rc, ok;

    rc = pcre2_match(re->code, (PCRE2_SPTR)subject, len, 0, 0, md, re->mctx);
    ok = rc >= 0;
    if (ok && group >= 0) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        ok = (apr_uint32_t)group < pcre2_get_ovector_count(md)
             && ov[2 * group] == 0 && ov[2 * group + 1] == len;
    }
    pcre2_match_data_free(md);
    return ok;
}

int audit_gate_admits(const audit_gate *g, const char *origin)
{
    switch (g->kind) {
    case GATE_REGEX:
        return g->re && audit_regex_search(g->re, origin, g->group);
    case GATE_EXACT:
        return g->nocase ? strcasecmp(g->source, origin) == 0
                         : strcmp(g->source, origin) == 0;
    default:
        return 1;
    }
}

typedef struct {
    const audit_gate *gate;
    const apr_array_header_t *also;
} probe_data;

static int any_admits(const apr_array_header_t *gates, const char *origin)
{
    int i;

    for (i = 0; i < gates->nelts; i++) {
        if (audit_gate_admits(&APR_ARRAY_IDX(gates, i, audit_gate), origin)) {
            return 1;
        }
    }
    return 0;
}

static int gates_admit(const void *data, const char *origin)
{
    const probe_data *pd = data;
    int i;

    if (!audit_gate_admits(pd->gate, origin)) {
        return 0;
    }
    for (i = 0; pd->also && i < pd->also->nelts; i++) {
        if (!any_admits(APR_ARRAY_IDX(pd->also, i, apr_array_header_t *), origin)) {
            return 0;
        }
    }
    return 1;
}

const cors_probe *audit_gate_probe(apr_pool_t *p, const audit_gate *g,
                                   const apr_array_header_t *also)
{
    probe_data pd = { g, also };

    return cors_probe_find(p, g->source, gates_admit, &pd);
}

int audit_origin_is_plain_http(apr_pool_t *p, const char *origin)
{
    cors_origins *set = cors_origins_make(p);

    /* mod_cors's own test: the one it warns about at startup */
    return cors_origins_add(set, p, origin) == NULL && set->insecure != NULL;
}

/* ------------------------------------------------------------------------
 * What the author meant: a regex read as a list of origins
 *
 * The regex's alternatives are the probe's (cors_probe_branches()): the
 * text each requires, WILD where it allows a run of unknown characters
 * ("[a-z0-9-]+", ".*").  An unescaped '.' that stands alone is taken for
 * the dot its author meant.
 */

#define WILD CORS_PROBE_WILD

/* Adds scheme://host[port] to out when CORSAllowOrigin would take it;
 * 0 when it would not. */
static int add_meant(apr_pool_t *p, apr_array_header_t *out,
                     const char *scheme, const char *host, const char *port)
{
    const char *norm, *value;
    int i;

    if (scheme == NULL) {
        /* https, but for a loopback host, which is served over http */
        scheme = audit_origin_is_plain_http(p, apr_pstrcat(p, "http://", host,
                                                           NULL)) ? "https" : "http";
    }
    value = apr_pstrcat(p, scheme, "://", host, port, NULL);
    if (cors_origin_normalize(p, value, &norm) != NULL) {
        return 0;
    }
    for (i = 0; i < out->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(out, i, const char *), norm) == 0) {
            return 1;
        }
    }
    APR_ARRAY_PUSH(out, const char *) = norm;
    return 1;
}

/* One alternative, lowercased, into the origins it means; 0 when it is
 * more than that. */
static int meant_of(apr_pool_t *p, char *alt, apr_array_header_t *out)
{
    char *c, *rest, *host, *scheme = NULL;
    const char *port = "";
    apr_size_t n;

    for (c = alt; *c; c++) {
        *c = apr_tolower(*c);
    }
    if (strcmp(alt, "null") == 0) {
        APR_ARRAY_PUSH(out, const char *) = "null";
        return 1;
    }
    rest = strstr(alt, "://");
    if (rest) {
        scheme = apr_pstrmemdup(p, alt, rest - alt);
        rest += 3;
        if (strchr(scheme, WILD) || !*scheme) {
            return 0;
        }
    }
    else {
        rest = alt;
    }
    n = strcspn(rest, ":/\001");
    if (rest[0] == WILD) {      /* .*\.example\.com or .*example\.com */
        n = 1 + strcspn(rest + 1, ":/\001");
    }
    host = apr_pstrmemdup(p, rest, n);
    rest += n;
    if (*rest == ':') {         /* a port: digits, or any */
        apr_size_t d = strspn(rest + 1, "0123456789");
        port = rest[1] == WILD ? ":*" : apr_pstrmemdup(p, rest, d + 1);
    }
    if (*rest == ':') {
        rest += 1 + strspn(rest + 1, "0123456789\001");
    }
    if (!(*rest == '\0' || *rest == '/'
          || (*rest == WILD && (rest[1] == '\0' || rest[1] == '/')))) {
        return 0;               /* app[0-9]+\.example\.com: more than a list */
    }
    if (*host == '.' || *host == '\0') {
        return 1;               /* (.*)?\.example: this way matches no origin */
    }
    if (host[0] != WILD) {
        return add_meant(p, out, scheme, host, port);
    }
    if (host[1] == '.') {
        return add_meant(p, out, scheme, apr_pstrcat(p, "*", host + 1, NULL),
                         port);
    }
    /* "anything then example.com": the domain and its subdomains */
    return host[1] && add_meant(p, out, scheme, host + 1, port)
           && add_meant(p, out, scheme, apr_pstrcat(p, "*.", host + 1, NULL),
                        port);
}

int audit_regex_names(apr_pool_t *p, const char *source, const char *word)
{
    int complete, i;
    apr_array_header_t *all = cors_probe_branches(p, source, &complete);

    for (i = 0; i < all->nelts; i++) {
        if (strcasecmp(APR_ARRAY_IDX(all, i, const char *), word) == 0) {
            return 1;
        }
    }
    return 0;
}

apr_array_header_t *audit_regex_meant(apr_pool_t *p, const char *source)
{
    int complete, i;
    apr_array_header_t *all = cors_probe_branches(p, source, &complete);
    apr_array_header_t *out = apr_array_make(p, 4, sizeof(const char *));

    if (!complete) {
        return NULL;
    }
    for (i = 0; i < all->nelts; i++) {
        char *alt = apr_pstrdup(p, APR_ARRAY_IDX(all, i, const char *)), *c;
        for (c = alt; *c; c++) {
            *c = *c == CORS_PROBE_ANY_CHAR ? '.' : *c;
        }
        if (!meant_of(p, alt, out)) {
            return NULL;
        }
    }
    return out->nelts ? out : NULL;
}
