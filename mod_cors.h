/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mod_cors.h -- what the httpd side of mod_cors shares between its files:
 *
 *   mod_cors.c     the module record, hooks and the output filter: turns a
 *                  request into a cors_input and a cors_decision into
 *                  headers, status, the "cors" note and the debug log
 *   cors_config.c  per-directory configuration: create, merge, directives
 *   mod_cors_report.c  startup warnings and apachectl -t -D DUMP_CORS
 *   mod_cors_map.c CORSAllowOriginMap: which process reads, publishes and
 *                  follows the versions of a map (cors_map.c)
 *
 * The decision itself is pure code: cors_decide.c and the files of
 * cors_logic.h.
 */
#ifndef MOD_CORS_H
#define MOD_CORS_H

#include "httpd.h"
#include "http_config.h"
#include "ap_expr.h"

#include "cors_decide.h"

extern module AP_MODULE_DECLARE_DATA cors_module;

/* Log message tags of this module (httpd's AHnnnnn numbers are httpd's):
 * one number per call site, never reused, by range:
 *   00xx  configuration warnings (cors_config.c, mod_cors_report.c)
 *   01xx  requests (mod_cors.c)
 *   030x  mod_status and -D DUMP_CORS (mod_cors_status.c, mod_cors_report.c)
 *   031x  CORSAllowOriginMap (mod_cors_map.c; 0310: the map's own messages)
 *   04xx  CORSAllowOriginMap dbd: (mod_cors_dbd.c)
 * tests/integration/test_sources.py checks that no number is used twice. */
#define CORSLOGNO(n) "CORS" #n ": "

typedef enum {
    CORS_ENGINE_UNSET = -1,
    CORS_ENGINE_OFF,
    CORS_ENGINE_ON,
    CORS_ENGINE_REPORT_ONLY
} cors_engine;

typedef enum {
    CORS_BACKEND_UNSET = -1,
    CORS_BACKEND_REPLACE,
    CORS_BACKEND_KEEP
} cors_backend;

/* CORSDebug: when a response explains its decision in a CORS-Debug
 * header.  "Off" is a value of its own (expr NULL), so that it turns off
 * an inherited expression. */
typedef struct {
    const ap_expr_info_t *expr;         /* NULL: Off */
    const char *source;                 /* as written, for DUMP_CORS */
} cors_debug;

struct cors_dir_conf;

/* Kept on the request the browser sent (the first of an internal
 * redirect chain) from the moment header_parser sees it. */
typedef struct {
    const struct cors_dir_conf *conf;   /* NULL: no policy when first seen */
    /* A preflight decided in header_parser that goes on to the handler
     * (CORSPreflightContinue On, CORSEngine ReportOnly). */
    const cors_decision *preflight;
    const cors_input *preflight_input;  /* what it was decided on */
} cors_request_state;

/* One scope's settings (<Directory>, <Location>, .htaccess, vhost ...).
 * Everything is compiled when the directive is read; the merge only picks
 * pointers and integers, and a request only reads. */
typedef struct cors_dir_conf {
    /* What the decision reads.  CORSAllowOrigin and CORSAllowOriginMatch
     * together set policy.origins and policy.matchers: a scope that has
     * either replaces both inherited ones. */
    cors_policy policy;

    int preflight_status;               /* CORS_UNSET, 200 or 204 */
    cors_flag preflight_continue;
    cors_backend backend;
    cors_engine engine;
    const cors_debug *debug;            /* NULL: unset (Off) */

    /* The scope's first CORS directive, for messages and DUMP_CORS (the
     * section is described from it only when something is printed);
     * never merged. */
    const ap_directive_t *first;
    const char *htaccess;               /* the directory, in .htaccess */
    apr_array_header_t *warnings;       /* of const char *, for startup */
    /* The innermost section with a CORS directive that applies here (this
     * one, or inherited): where a request's policy was written, for the
     * CORS-Debug header.  Merged, unlike first. */
    const struct cors_dir_conf *section;
    /* The state of a request governed by this scope that keeps no
     * preflight, { this scope, NULL }: set by create and merge, so that
     * such a request allocates none. */
    cors_request_state governs;
} cors_dir_conf;

/* The settings, one row per directive, made with the command table from
 * the same rows (cors_config.c, CORS_DIRECTIVES): create, merge and the
 * dump are driven by it, so that a directive added later cannot be left
 * out of any of them. */
typedef enum {
    CORS_SETTING_ORIGINS,       /* policy.origins and policy.matchers */
    CORS_SETTING_PART,          /* merged with the row before (Match) */
    CORS_SETTING_POINTER,       /* NULL: unset */
    CORS_SETTING_INT            /* CORS_UNSET (-1): unset */
} cors_setting_kind;

typedef struct cors_setting {
    const char *directive;
    cors_setting_kind kind;
    apr_size_t offset;                  /* of the field in cors_dir_conf */
    /* The effective value for DUMP_CORS, the default when unset. */
    const char *(*show)(apr_pool_t *p, const cors_dir_conf *conf,
                        const struct cors_setting *setting);
    const void *info;                   /* the command's cmd->info */
} cors_setting;

extern const cors_setting cors_settings[];      /* ends with directive NULL */

/* What an unset setting means: the one place each default is written,
 * read through CORS_CONF_INT by the request code and by DUMP_CORS. */
extern const cors_dir_conf cors_defconf;

/* The effective value of an int setting (CORS_UNSET: the default). */
#define CORS_CONF_INT(conf, field)                                          \
    ((int)(conf)->field != CORS_UNSET ? (int)(conf)->field                  \
                                      : (int)cors_defconf.field)
extern const command_rec cors_cmds[];

void *cors_create_dir_config(apr_pool_t *p, char *dir);
void *cors_merge_dir_config(apr_pool_t *p, void *basev, void *addv);

/* Sets up what a child keeps of .htaccess directives (the regex probe's
 * verdicts). */
void cors_config_child_init(apr_pool_t *pchild);

/* Is a policy in effect under conf (origins set, CORSEngine not Off)? */
static APR_INLINE int cors_policy_in_effect(const cors_dir_conf *conf)
{
    return conf && conf->policy.origins
           && CORS_CONF_INT(conf, engine) != CORS_ENGINE_OFF;
}

/* Where the scope was written: "file:line", and the section as written
 * (<Location "/api/"> in <VirtualHost ...>, .htaccess in /dir/). */
const char *cors_scope_defined_at(apr_pool_t *p, const cors_dir_conf *conf);
const char *cors_scope_section(apr_pool_t *p, const cors_dir_conf *conf);

/* mod_cors_map.c: CORSAllowOriginMap's versions in a running server. */
struct cors_map;
void cors_map_register_hooks(apr_pool_t *p);
/* A map defined by the directive of cmd logs through its server. */
void cors_map_glue_define(struct cors_map *map, cmd_parms *cmd);
/* For DUMP_CORS and the startup log: a CORSAllowOriginMap matcher's
 * source, entries, version, failed loads and last error; NULL for any
 * other matcher. */
const char *cors_map_matcher_value(apr_pool_t *p, const cors_matcher *m);

/* mod_cors_report.c: apachectl -t (warnings, -D DUMP_CORS) and startup. */
void cors_report_test_config(apr_pool_t *pconf, server_rec *s);
int cors_report_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                            apr_pool_t *ptemp, server_rec *s);

#endif /* MOD_CORS_H */
