/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mod_cors.c -- Cross-Origin Resource Sharing for Apache httpd 2.4: the
 * module record, its hooks and its output filter.
 *
 * A policy is in effect in a scope where CORSAllowOrigin or
 * CORSAllowOriginMatch is set (there or inherited) and CORSEngine is not
 * Off.  What a request in a policy's scope gets:
 *
 *   - a preflight (OPTIONS with Origin and Access-Control-Request-Method)
 *     is answered in the header_parser hook, before authentication can
 *     refuse it: 204 (or 200) with the CORS headers, or 403 without them;
 *   - every other response, errors and ErrorDocument pages included, goes
 *     through the CORS output filter, which removes Access-Control-*
 *     headers set by handlers or backends and adds the policy's own, and
 *     keeps "Origin" in Vary so that caches keep origins apart.
 *
 * One request, one policy: the policy in effect when header_parser first
 * sees a request governs its preflight and every response to it, through
 * any internal redirect, so that a preflight and the actual request to
 * one URL always agree.
 *
 * This file only turns a request into a cors_input and a cors_decision
 * (cors_decide.c) into headers, status, the "cors" note and the log.
 */

/* Before the APR headers: without it APR_OFFSETOF falls back to a
 * null-pointer expression that UBSan reports. */
#include <stddef.h>
#include <strings.h>

#include "apr_strings.h"

#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "ap_mpm.h"

#include "cors_explain.h"
#include "mod_cors_status.h"
#include "mod_cors.h"

static ap_filter_rec_t *cors_filter_handle;

/* ------------------------------------------------------------------------
 * The policy of a request
 */

/* The state of a request that had no policy when header_parser saw it. */
static cors_request_state no_policy;

static request_rec *first_request(request_rec *r)
{
    while (r->prev) {
        r = r->prev;
    }
    return r;
}

/* The request whose per-directory config is used when header_parser never
 * saw the request (a response made before it, such as a Redirect): a
 * local ErrorDocument answers with the policy of the URL that failed. */
static request_rec *failed_request(request_rec *r)
{
    while (r->prev && ap_is_HTTP_ERROR(r->prev->status)) {
        r = r->prev;
    }
    return r;
}

static const cors_request_state *request_state(request_rec *r)
{
    return ap_get_module_config(first_request(r)->request_config,
                                &cors_module);
}

/* httpd resets a request's configuration to the server's before it walks
 * the directories, and a request refused in that walk (an unreadable
 * .htaccess, AH00529) gets no further: its <Location> sections are walked
 * here, for the policy only (r keeps its configuration).  Its <Directory>
 * sections cannot be known: the walk stopped at that directory. */
static const ap_conf_vector_t *walked_config(request_rec *r)
{
    ap_conf_vector_t *saved = r->per_dir_config, *walked = saved;

    /* Only a request translated to a file (r->filename) got that far: one
     * refused while it was read (a 400) is no request for a URL yet. */
    if (saved == r->server->lookup_defaults && r->filename && r->uri
        && r->uri[0] == '/' && ap_location_walk(r) == OK) {
        walked = r->per_dir_config;
    }
    r->per_dir_config = saved;
    return walked;
}

/* The policy that governs r's responses, or NULL. */
static const cors_dir_conf *governing_conf(request_rec *r)
{
    const cors_request_state *state = request_state(r);
    const cors_dir_conf *conf;

    if (state) {
        return state->conf;
    }
    conf = ap_get_module_config(walked_config(failed_request(r)),
                                &cors_module);
    return cors_policy_in_effect(conf) ? conf : NULL;
}

/* ------------------------------------------------------------------------
 * Logging a decision
 */

/* The most of a client's value that a log line repeats (an 8 KB Origin is
 * possible). */
#define LOGGED_VALUE_MAX 256

static const char *logged_value(request_rec *r, const cors_decision *d)
{
    const char *v;

    if (d->reason == CORS_REASON_HEADERS_TOO_LONG) {
        return apr_psprintf(r->pool, "%d names or %d bytes",
                            CORS_ACRH_MAX_NAMES, CORS_ACRH_MAX_BYTES);
    }
    v = ap_escape_logitem(r->pool, apr_pstrmemdup(r->pool, d->offending,
                                                  d->offending_len));
    if (strlen(v) > LOGGED_VALUE_MAX) {
        v = apr_pstrcat(r->pool, apr_pstrmemdup(r->pool, v, LOGGED_VALUE_MAX),
                        "...", NULL);
    }
    return v;
}

static void log_refusal(request_rec *r, const cors_decision *d,
                        const char *what)
{
    const cors_reason_text *text = cors_reason_describe(d->reason);

    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, CORSLOGNO(0101)
                  "%s denied: %s%s%s", what, text->before, logged_value(r, d),
                  text->after);
}

/* Inline: most decisions are no refusal, and the check is all they cost. */
static APR_INLINE void log_decision(request_rec *r, const cors_decision *d,
                                    const char *what)
{
    if (d->reason != CORS_REASON_NONE && APLOGrdebug(r)) {
        log_refusal(r, d, what);
    }
}

static void note_decision(request_rec *r, const cors_decision *d)
{
    apr_table_setn(r->notes, "cors", cors_note_name(d->note));
}

/* Notes and counts an actual request's decision: once per request, so a
 * preflight decided in header_parser is not counted again by the filter. */
static void record_decision(request_rec *r, const cors_decision *d)
{
    note_decision(r, d);
    cors_status_count(r, d);
}

/* ------------------------------------------------------------------------
 * Writing a decision into the response
 */

typedef struct {
    const char *token;
    size_t len;
    int found;
} vary_search;

static int find_vary_token(void *rec, const char *key, const char *value)
{
    vary_search *vs = rec;

    (void)key;
    if (cors_list_has(value, vs->token, vs->len)
        || cors_list_has(value, "*", 1)) {
        vs->found = 1;
        return 0;
    }
    return 1;
}

/* Adds a token to Vary unless either header table has it already, so that
 * neither mod_headers, a backend nor an internal redirect doubles it.  The
 * HTTP/1.1 header filter and mod_http2 fold the Vary lines they send, but
 * mod_cache stores both tables as the output filters left them. */
static void vary_add(request_rec *r, const char *token, size_t len)
{
    vary_search vs = { token, len, 0 };

    apr_table_do(find_vary_token, &vs, r->headers_out, "Vary", NULL);
    apr_table_do(find_vary_token, &vs, r->err_headers_out, "Vary", NULL);
    if (!vs.found) {
        /* CGI puts its Vary in err_headers_out: extend that line. */
        apr_table_mergen(apr_table_get(r->err_headers_out, "Vary")
                             ? r->err_headers_out : r->headers_out,
                         "Vary", apr_pstrmemdup(r->pool, token, len));
    }
}

/* What writing a decision needs to know of a response's header tables,
 * found in one pass over each: most responses hold neither. */
typedef struct {
    int cors_out;       /* headers_out has an Access-Control-* header */
    int cors_err;       /* err_headers_out has one */
    int vary;           /* either has Vary */
} response_scan;

static int is_cors_header(const char *key)
{
    return (key[0] == 'A' || key[0] == 'a') && cors_is_protocol_header(key);
}

/* Returns whether t has an Access-Control-* header; notes a Vary. */
static APR_INLINE int scan_table(const apr_table_t *t, response_scan *scan)
{
    const apr_array_header_t *arr = apr_table_elts(t);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    int i, cors = 0;

    for (i = 0; i < arr->nelts; i++) {
        switch (e[i].key[0]) {
        case 'A':
        case 'a':
            cors |= cors_is_protocol_header(e[i].key);
            break;
        case 'V':
        case 'v':
            scan->vary |= strcasecmp(e[i].key, "Vary") == 0;
            break;
        }
    }
    return cors;
}

static void scan_response(request_rec *r, response_scan *scan)
{
    scan->vary = 0;
    scan->cors_out = scan_table(r->headers_out, scan);
    scan->cors_err = scan_table(r->err_headers_out, scan);
}

static void write_vary(request_rec *r, const char *vary, int has_vary)
{
    const char *token;
    size_t len;

    if (vary == NULL) {
        return;
    }
    /* The common case: nothing has set Vary yet. */
    if (!has_vary) {
        apr_table_addn(r->headers_out, "Vary", vary);
        return;
    }
    while ((token = cors_list_next(&vary, &len)) != NULL) {
        vary_add(r, token, len);
    }
}

static void remove_cors_headers_from(request_rec *r, apr_table_t *t)
{
    const apr_array_header_t *arr = apr_table_elts(t);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    apr_array_header_t *keys = apr_array_make(r->pool, 4, sizeof(char *));
    int i;

    for (i = 0; i < arr->nelts; i++) {
        if (is_cors_header(e[i].key)) {
            APR_ARRAY_PUSH(keys, const char *) = e[i].key;
        }
    }
    for (i = 0; i < keys->nelts; i++) {
        const char *key = APR_ARRAY_IDX(keys, i, const char *);
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, CORSLOGNO(0102)
                      "replacing %s set by the handler or backend", key);
        apr_table_unset(t, key);
    }
}

/* Writes the decision over the Access-Control-* headers that a handler, a
 * backend or mod_headers set in the policy's scope (both tables: CGI and
 * "Header always" write err_headers_out, proxy and PHP headers_out), so
 * that the response carries one set of them. */
static void write_decision(request_rec *r, const cors_decision *d)
{
    response_scan scan;
    int i;

    scan_response(r, &scan);
    if (scan.cors_out) {
        remove_cors_headers_from(r, r->headers_out);
    }
    if (scan.cors_err) {
        remove_cors_headers_from(r, r->err_headers_out);
    }
    write_vary(r, d->vary, scan.vary);
    for (i = 0; i < d->nheaders; i++) {
        apr_table_addn(r->headers_out, d->headers[i].name,
                       d->headers[i].value);
    }
}

/* ------------------------------------------------------------------------
 * CORSDebug: the decision explained
 */

/* Is the scope's CORSDebug expression true for r?  An expression that
 * cannot be evaluated counts as false (fail closed: no header). */
static int debug_wanted(request_rec *r, const cors_dir_conf *conf)
{
    const char *err = NULL;
    int rc;

    rc = ap_expr_exec(r, conf->debug->expr, &err);
    if (err) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, CORSLOGNO(0104)
                      "CORSDebug: cannot evaluate '%s': %s",
                      conf->debug->source, err);
        return 0;
    }
    return rc > 0;
}

/* Adds the CORS-Debug header where the expression is true: one value,
 * whatever was there before (a backend's or an earlier pass's). */
static void explain_decision(request_rec *r, const cors_dir_conf *conf,
                             const cors_input *in, const cors_decision *d)
{
    cors_explain_context ctx;

    if (!debug_wanted(r, conf)) {
        return;
    }
    ctx.defined_at = conf->section ? cors_scope_defined_at(r->pool,
                                                           conf->section)
                                   : NULL;
    ctx.report_only = CORS_CONF_INT(conf, engine) == CORS_ENGINE_REPORT_ONLY;
    apr_table_unset(r->err_headers_out, CORS_DEBUG_HEADER);
    apr_table_setn(r->headers_out, CORS_DEBUG_HEADER,
                   cors_explain(r->pool, &conf->policy, in, d, &ctx));
}

/* Inline: without CORSDebug (or with Off) the check is all it costs. */
static APR_INLINE void write_debug(request_rec *r, const cors_dir_conf *conf,
                                   const cors_input *in,
                                   const cors_decision *d)
{
    if (conf->debug && conf->debug->expr) {
        explain_decision(r, conf, in, d);
    }
}

/* CORSBackendHeaders keep: a response that already answers CORS itself is
 * left as it is. */
static int keeps_backend_headers(request_rec *r, const cors_dir_conf *conf)
{
    return CORS_CONF_INT(conf, backend) == CORS_BACKEND_KEEP
           && (apr_table_get(r->headers_out, CORS_ACAO)
               || apr_table_get(r->err_headers_out, CORS_ACAO));
}

/* What the decision of an actual request reads: the Origin alone, which
 * one apr_table_get() finds for less than a pass over the table costs. */
static void read_origin(request_rec *r, cors_input *in)
{
    memset(in, 0, sizeof(*in));
    in->origin = apr_table_get(r->headers_in, "Origin");
}

/* The field of a preflight's input that a request header fills, or NULL.
 * Names compare as apr_table_get() compares them; the first byte and the
 * length go first, so most headers cost no compare at all. */
static const char **preflight_field(cors_input *in, const char *key)
{
    const char *name;
    const char **field;

    if (key[0] == 'O' || key[0] == 'o') {
        name = "Origin";
        field = &in->origin;
    }
    else if (key[0] != 'A' && key[0] != 'a') {
        return NULL;
    }
    else {
        switch (strlen(key)) {
        case sizeof(CORS_ACRM) - 1:
            name = CORS_ACRM;
            field = &in->request_method;
            break;
        case sizeof(CORS_ACRH) - 1:
            name = CORS_ACRH;
            field = &in->request_headers;
            break;
        case sizeof(CORS_ACRPN) - 1:
            name = CORS_ACRPN;
            field = &in->request_private_network;
            break;
        default:
            return NULL;
        }
    }
    /* Browsers write them so over HTTP/1.1: strcmp() is the cheaper test. */
    return strcmp(key, name) == 0 || strcasecmp(key, name) == 0 ? field
                                                                 : NULL;
}

/* What a preflight's decision reads: up to four request headers, found in
 * one pass over headers_in (apr_table_get() would walk it for each, and
 * comparing names that begin alike, "Accept" and "Access-Control-...",
 * is what costs).  The first of repeated fields counts, as with
 * apr_table_get(); Private Network Access is read only where the policy
 * answers it. */
static void read_preflight_input(request_rec *r, const cors_policy *policy,
                                 cors_input *in)
{
    const apr_array_header_t *arr = apr_table_elts(r->headers_in);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    const char **field;
    int i;

    memset(in, 0, sizeof(*in));
    for (i = 0; i < arr->nelts; i++) {
        if ((field = preflight_field(in, e[i].key)) != NULL
            && *field == NULL) {
            *field = e[i].val;
        }
    }
    if (policy->private_network != CORS_ON) {
        in->request_private_network = NULL;
    }
}

/* ------------------------------------------------------------------------
 * Hooks
 */

static int preflight_status(const cors_dir_conf *conf, const cors_decision *d)
{
    if (!cors_decision_allowed(d)) {
        return HTTP_FORBIDDEN;
    }
    return CORS_CONF_INT(conf, preflight_status);
}

/* Answers a preflight in the module, or keeps its decision for the
 * handler's response. */
static int answer_preflight(request_rec *r, const cors_dir_conf *conf,
                            const cors_input *in)
{
    cors_decision decision, *d = &decision;
    cors_request_state *state;

    cors_decide_preflight(&conf->policy, in, d);
    /* header_parser runs once, on the request the browser sent, so nothing
     * has noted it yet: the note is added without a search. */
    apr_table_addn(r->notes, "cors", cors_note_name(d->note));
    cors_status_count(r, d);
    log_decision(r, d, "preflight");
    if (CORS_CONF_INT(conf, preflight_continue) == CORS_ON
        || CORS_CONF_INT(conf, engine) == CORS_ENGINE_REPORT_ONLY) {
        /* The handler answers; the output filter adds the headers (or,
         * reporting only, nothing).  The decision and its input point into
         * the request and the config only, so copies of them keep. */
        state = apr_palloc(r->pool, sizeof(*state));
        state->conf = conf;
        state->preflight = apr_pmemdup(r->pool, d, sizeof(*d));
        state->preflight_input = apr_pmemdup(r->pool, in, sizeof(*in));
        ap_set_module_config(r->request_config, &cors_module, state);
        return DECLINED;
    }
    /* Only a module running earlier (Header early) could have set an
     * Access-Control-* header by now. */
    write_decision(r, d);
    write_debug(r, conf, in, d);
    r->status = preflight_status(conf, d);
    if (r->status != HTTP_NO_CONTENT) {
        ap_set_content_length(r, 0);
    }
    return DONE;
}

/* header_parser runs once the per-directory config is final (.htaccess
 * and <Location> included) and before authentication, so a protected API
 * gets its preflight answered: browsers never send credentials on a
 * preflight, and a fixups hook would run after the 401.  Returning DONE
 * skips the handler and every auto-inserted filter, so the answer carries
 * all of its headers itself.  It is also where the request's policy is
 * fixed: internal redirects (per-directory rewrites, ErrorDocument)
 * happen later and never switch it. */
static int cors_header_parser(request_rec *r)
{
    cors_dir_conf *conf;
    cors_input in;

    if (!ap_is_initial_req(r)) {
        return DECLINED;
    }
    conf = ap_get_module_config(r->per_dir_config, &cors_module);
    if (!cors_policy_in_effect(conf)) {
        ap_set_module_config(r->request_config, &cors_module, &no_policy);
        return DECLINED;
    }
    ap_set_module_config(r->request_config, &cors_module, &conf->governs);
    if (r->method_number != M_OPTIONS) {
        return DECLINED;
    }
    read_preflight_input(r, &conf->policy, &in);
    if (!cors_is_preflight(&in)) {
        return DECLINED;        /* an actual OPTIONS request */
    }
    return answer_preflight(r, conf, &in);
}

/* Writes the decision over whatever the handler set, unless
 * CORSBackendHeaders keep finds that it answered CORS itself. */
static void apply_decision(request_rec *r, const cors_dir_conf *conf,
                           const cors_decision *d)
{
    if (keeps_backend_headers(r, conf)) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, CORSLOGNO(0103)
                      "CORSBackendHeaders keep: leaving the handler's CORS "
                      "headers as they are");
        return;
    }
    write_decision(r, d);
}

/* The output filter: on the first data it rewrites the CORS headers of
 * the response once, then leaves the chain. */
static apr_status_t cors_output_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    request_rec *r = f->r;
    const cors_dir_conf *conf = f->ctx;
    const cors_request_state *state = request_state(r);
    const cors_decision *d = state ? state->preflight : NULL;
    cors_decision actual;
    cors_input in;

    if (APR_BRIGADE_EMPTY(bb)) {
        return APR_SUCCESS;
    }
    ap_remove_output_filter(f);
    if (d == NULL) {
        read_origin(r, &in);
        cors_decide_actual(&conf->policy, &in, &actual);
        log_decision(r, &actual, "request");
        record_decision(r, &actual);
        d = &actual;
    }
    else {
        in = *state->preflight_input;      /* for CORS-Debug */
        note_decision(r, d);    /* the handler's response, after a redirect */
    }
    /* CORSEngine ReportOnly: decide and log, change nothing. */
    if (CORS_CONF_INT(conf, engine) != CORS_ENGINE_REPORT_ONLY) {
        apply_decision(r, conf, d);
    }
    write_debug(r, conf, &in, d);
    return ap_pass_brigade(f->next, bb);
}

/* Registered for both insert_filter and insert_error_filter, so that 2xx,
 * 3xx, errors from authentication or the handler, and ErrorDocument pages
 * all pass through the filter.  Subrequests are skipped: their headers
 * never reach the client. */
static void cors_insert_filter(request_rec *r)
{
    const cors_dir_conf *conf;

    if (r->main != NULL) {
        return;
    }
    conf = governing_conf(r);
    if (conf) {
        ap_add_output_filter_handle(cors_filter_handle, (void *)conf, r,
                                    r->connection);
    }
}

static void cors_child_init(apr_pool_t *pchild, server_rec *s)
{
    (void)s;
    cors_config_child_init(pchild);
}

static void register_hooks(apr_pool_t *p)
{
    /* After mod_headers, so that a "Header set Access-Control-..." in the
     * same scope is cleaned up rather than doubled. */
    static const char *const after_headers[] = { "mod_headers.c", NULL };

    cors_status_register_hooks(p);
    cors_map_register_hooks(p);
    ap_hook_test_config(cors_report_test_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(cors_report_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(cors_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_header_parser(cors_header_parser, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_insert_filter(cors_insert_filter, after_headers, NULL,
                          APR_HOOK_LAST);
    ap_hook_insert_error_filter(cors_insert_filter, after_headers, NULL,
                                APR_HOOK_LAST);
    /* CONTENT_SET: after mod_headers' filters, before mod_cache stores the
     * response (CACHE_SAVE is CONTENT_SET + 1). */
    cors_filter_handle = ap_register_output_filter("CORS", cors_output_filter,
                                                   NULL, AP_FTYPE_CONTENT_SET);
}

AP_DECLARE_MODULE(cors) = {
    STANDARD20_MODULE_STUFF,
    cors_create_dir_config,
    cors_merge_dir_config,
    NULL,                       /* server config: the base dir config does */
    NULL,
    cors_cmds,
    register_hooks,
#if defined(AP_MODULE_FLAG_NONE)
    AP_MODULE_FLAG_NONE
#endif
};
