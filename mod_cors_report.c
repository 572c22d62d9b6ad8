/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mod_cors_report.c -- what mod_cors tells the admin at startup: the warnings
 * its directives collected, a lint of scopes that can have no effect, and
 * with apachectl -t -D DUMP_CORS every scope's effective settings, the way
 * -D DUMP_VHOSTS lists the virtual hosts.
 */
#include <stddef.h>

#include "apr_hash.h"
#include "apr_strings.h"

#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"

#include "mod_cors.h"

APLOG_USE_MODULE(cors);

/* Calls fn for each configured section that holds a CORS directive: the
 * server and each vhost (their base scope), their <Directory>, <Location>
 * and <Files> sections and the <If> sections inside any of these.
 * .htaccess files are read per request and so never seen here. */
typedef void scope_fn(server_rec *s, const cors_dir_conf *base,
                      const cors_dir_conf *scope, void *baton);

typedef struct {
    apr_hash_t *seen;
    server_rec *s;
    const cors_dir_conf *base;
    scope_fn *fn;
    void *baton;
} scope_walk;

static void visit_sections(scope_walk *w, const apr_array_header_t *sections);

static void visit_scope(scope_walk *w, ap_conf_vector_t *v)
{
    const cors_dir_conf *conf = ap_get_module_config(v, &cors_module);
    core_dir_config *core = ap_get_core_module_config(v);

    if (conf && conf->first && !apr_hash_get(w->seen, &conf, sizeof(conf))) {
        apr_hash_set(w->seen, apr_pmemdup(apr_hash_pool_get(w->seen), &conf,
                                          sizeof(conf)),
                     sizeof(conf), conf);
        w->fn(w->s, w->base, conf, w->baton);
    }
    if (core) {
        visit_sections(w, core->sec_file);
        visit_sections(w, core->sec_if);
    }
}

static void visit_sections(scope_walk *w, const apr_array_header_t *sections)
{
    int i;

    for (i = 0; sections && i < sections->nelts; i++) {
        visit_scope(w, APR_ARRAY_IDX(sections, i, ap_conf_vector_t *));
    }
}

static void walk_scopes(apr_pool_t *p, server_rec *main_server, scope_fn *fn,
                        void *baton)
{
    scope_walk w = { apr_hash_make(p), NULL, NULL, fn, baton };

    for (w.s = main_server; w.s; w.s = w.s->next) {
        core_server_config *sconf =
            ap_get_core_module_config(w.s->module_config);

        w.base = ap_get_module_config(w.s->lookup_defaults, &cors_module);
        visit_scope(&w, w.s->lookup_defaults);
        visit_sections(&w, sconf->sec_dir);
        visit_sections(&w, sconf->sec_url);
    }
}

/* The settings a request in this section gets from the section and its
 * server or vhost.  Enclosing sections of the request's path also merge
 * in at request time; they cannot be known here. */
static cors_dir_conf *effective_conf(apr_pool_t *p, const cors_dir_conf *base,
                                     const cors_dir_conf *scope)
{
    if (base == NULL || base == scope) {
        return cors_merge_dir_config(p, cors_create_dir_config(p, NULL),
                                     (void *)scope);
    }
    return cors_merge_dir_config(p, (void *)base, (void *)scope);
}

/* ------------------------------------------------------------------------
 * Warnings and lint
 */

static void find_origins(server_rec *s, const cors_dir_conf *base,
                         const cors_dir_conf *scope, void *baton)
{
    (void)s;
    (void)base;
    if (scope->policy.origins) {
        *(int *)baton = 1;
    }
}

static void log_scope_warnings(server_rec *s, const cors_dir_conf *base,
                               const cors_dir_conf *scope, void *baton)
{
    const int *any_origins = baton;
    apr_pool_t *p = s->process->pconf;
    int i;

    for (i = 0; scope->warnings && i < scope->warnings->nelts; i++) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, CORSLOGNO(0001) "%s",
                     APR_ARRAY_IDX(scope->warnings, i, const char *));
    }
    /* Without an origin anywhere, CORS directives do nothing (unless an
     * .htaccess file below sets one). */
    if (!*any_origins && !(base && base->policy.origins)) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, CORSLOGNO(0002)
                     "%s: CORS directives in %s have no effect: no "
                     "CORSAllowOrigin or CORSAllowOriginMatch is set anywhere "
                     "in the configuration (fine only if .htaccess files "
                     "set one)", cors_scope_defined_at(p, scope),
                     cors_scope_section(p, scope));
    }
}

/* LogLevel cors:info: each map of each section, at startup. */
static void log_scope_maps(server_rec *s, const cors_dir_conf *base,
                           const cors_dir_conf *scope, void *baton)
{
    const apr_array_header_t *m = scope->policy.matchers;
    const char *value;
    int i;

    (void)base;
    for (i = 0; m && i < m->nelts; i++) {
        value = cors_map_matcher_value(baton,
                                       &APR_ARRAY_IDX(m, i, cors_matcher));
        if (value) {
            ap_log_error(APLOG_MARK, APLOG_INFO, 0, s, CORSLOGNO(0302)
                         "%s: CORSAllowOriginMap %s",
                         cors_scope_defined_at(baton, scope), value);
        }
    }
}

static void log_startup_warnings(apr_pool_t *p, server_rec *s)
{
    int any_origins = 0;

    walk_scopes(p, s, find_origins, &any_origins);
    walk_scopes(p, s, log_scope_warnings, &any_origins);
}

/* ------------------------------------------------------------------------
 * -D DUMP_CORS
 */

static void dump_scope(server_rec *s, const cors_dir_conf *base,
                       const cors_dir_conf *scope, void *baton)
{
    apr_file_t *out = baton;
    apr_pool_t *p = s->process->pconf;
    const cors_dir_conf *c = effective_conf(p, base, scope);
    const cors_setting *setting;

    apr_file_printf(out, "%s (%s), %s %s:%u\n", cors_scope_section(p, scope),
                    cors_scope_defined_at(p, scope),
                    s->is_virtual ? "vhost" : "server", s->server_hostname,
                    s->port);
    for (setting = cors_settings; setting->directive; setting++) {
        apr_file_printf(out, "    %-24s %s\n",
                        apr_pstrcat(p, setting->directive, ":", NULL),
                        setting->show(p, c, setting));
    }
}

void cors_report_test_config(apr_pool_t *pconf, server_rec *s)
{
    log_startup_warnings(pconf, s);
    if (ap_exists_config_define("DUMP_CORS")) {
        apr_file_t *out;
        apr_file_open_stdout(&out, pconf);
        apr_file_printf(out, "CORS policies (effective in each section; "
                        ".htaccess files are read per request):\n");
        walk_scopes(pconf, s, dump_scope, out);
    }
}

int cors_report_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                            apr_pool_t *ptemp, server_rec *s)
{
    (void)pconf;
    (void)plog;
    /* httpd runs the configuration twice at startup; warn once, on the
     * run whose error log is the real one. */
    if (ap_state_query(AP_SQ_MAIN_STATE) != AP_SQ_MS_CREATE_PRE_CONFIG) {
        log_startup_warnings(ptemp, s);
        walk_scopes(ptemp, s, log_scope_maps, ptemp);
    }
    return OK;
}
