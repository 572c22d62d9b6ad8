/*
 * mod_cors.c -- Cross-Origin Resource Sharing for Apache httpd 2.4.
 *
 * A policy is in effect in a scope where CORSAllowOrigin or
 * CORSAllowOriginMatch is set (there or inherited) and CORSEngine is not
 * Off.  Scopes merge the Apache way (server, vhost, <Directory>,
 * .htaccess, <Files>, <Location>, later ones winning): each directive set
 * in a scope replaces the inherited value, lists whole.
 *
 * What a request in a policy's scope gets:
 *
 *   - a preflight (OPTIONS with Origin and Access-Control-Request-Method)
 *     is answered in the header_parser hook, before authentication can
 *     refuse it: 204 (or 200) with the CORS headers, or 403 without them;
 *   - every other response, errors and ErrorDocument pages included, goes
 *     through the CORS output filter, which removes Access-Control-*
 *     headers set by handlers or backends and adds the policy's own, and
 *     keeps "Origin" in Vary so that caches keep origins apart.
 *
 * The pure logic (origin parsing and matching, lists) is in cors_logic.c.
 */

/* Before the APR headers: without it APR_OFFSETOF falls back to a
 * null-pointer expression that UBSan reports. */
#include <stddef.h>

#include "apr_lib.h"
#include "apr_strings.h"

#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_main.h"
#include "ap_mpm.h"
#include "http_protocol.h"
#include "http_request.h"
#include "ap_regex.h"

#include "mod_cors.h"

module AP_MODULE_DECLARE_DATA cors_module;

/* Log message tags of this module (httpd's AHnnnnn numbers are httpd's). */
#define CORSLOGNO(n) "CORS" #n ": "

#define ACAO "Access-Control-Allow-Origin"
#define ACAC "Access-Control-Allow-Credentials"
#define ACAM "Access-Control-Allow-Methods"
#define ACAH "Access-Control-Allow-Headers"
#define ACEH "Access-Control-Expose-Headers"
#define ACMA "Access-Control-Max-Age"
#define ACAPN "Access-Control-Allow-Private-Network"
#define ACRM "Access-Control-Request-Method"
#define ACRH "Access-Control-Request-Headers"
#define ACRPN "Access-Control-Request-Private-Network"

#define SAFELISTED_NAMES \
    "Accept, Accept-Language, Content-Language, Content-Type, Range"

static ap_filter_rec_t *cors_filter_handle;

/* ------------------------------------------------------------------------
 * Configuration: create and merge
 */

static void *create_dir_config(apr_pool_t *p, char *dir)
{
    cors_dir_conf *conf = apr_pcalloc(p, sizeof(*conf));

    (void)dir;
    conf->credentials = CORS_UNSET;
    conf->max_age = CORS_UNSET;
    conf->private_network = CORS_UNSET;
    conf->preflight_status = CORS_UNSET;
    conf->preflight_continue = CORS_UNSET;
    conf->backend_keep = CORS_UNSET;
    conf->engine = CORS_UNSET;
    return conf;
}

#define MERGE_PTR(field) conf->field = add->field ? add->field : base->field
#define MERGE_INT(field) \
    conf->field = add->field != CORS_UNSET ? add->field : base->field

/* Runs per request for .htaccess and <Location>: it only picks pointers,
 * so its cost does not depend on the size of any list. */
static void *merge_dir_config(apr_pool_t *p, void *basev, void *addv)
{
    const cors_dir_conf *base = basev, *add = addv;
    cors_dir_conf *conf = apr_palloc(p, sizeof(*conf));

    conf->origins = add->origins ? add->origins : base->origins;
    conf->origin_regexes =
        add->origins ? add->origin_regexes : base->origin_regexes;
    conf->origin_maps = add->origins ? add->origin_maps : base->origin_maps;
    MERGE_PTR(methods);
    MERGE_PTR(allow_headers);
    MERGE_PTR(expose_headers);
    MERGE_INT(credentials);
    MERGE_INT(max_age);
    conf->max_age_value =
        add->max_age != CORS_UNSET ? add->max_age_value : base->max_age_value;
    MERGE_INT(private_network);
    MERGE_INT(preflight_status);
    MERGE_INT(preflight_continue);
    MERGE_INT(backend_keep);
    MERGE_INT(engine);
    conf->section = add->section;
    conf->defined_at = add->defined_at;
    conf->warnings = add->warnings;
    return conf;
}

/* ------------------------------------------------------------------------
 * Directives.  Each parses and validates its value when it is read, and
 * reports a bad value as "<Directive>: <what is wrong with the value>".
 */

static const char *cmd_error(cmd_parms *cmd, const char *msg)
{
    return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", msg, NULL);
}

static int in_htaccess(cmd_parms *cmd)
{
    return ap_check_cmd_context(cmd, NOT_IN_HTACCESS) != NULL;
}

/* The section a directive stands in, as written: <Location "/api/">,
 * with its <VirtualHost> if any. */
static const char *describe_section(cmd_parms *cmd)
{
    const ap_directive_t *d = cmd->directive->parent, *v;
    const char *section;

    if (in_htaccess(cmd)) {
        return apr_pstrcat(cmd->pool, ".htaccess in ", cmd->path, NULL);
    }
    if (d == NULL) {
        return "server config";
    }
    section = apr_pstrcat(cmd->pool, d->directive, " ", d->args, NULL);
    for (v = d->parent; v; v = v->parent) {
        if (ap_cstr_casecmp(v->directive, "<VirtualHost") == 0) {
            section = apr_pstrcat(cmd->pool, section, " in ", v->directive,
                                  " ", v->args, NULL);
        }
    }
    return section;
}

/* Every directive handler starts here: the first CORS directive of a
 * section records where the section is. */
static cors_dir_conf *scope_conf(cmd_parms *cmd, void *dconf)
{
    cors_dir_conf *conf = dconf;

    if (conf->defined_at == NULL) {
        conf->defined_at = apr_psprintf(cmd->pool, "%s:%d",
                                        cmd->directive->filename,
                                        cmd->directive->line_num);
        conf->section = describe_section(cmd);
    }
    return conf;
}

/* A value that is allowed but probably not meant.  It is logged once the
 * error log is open (post_config) or by configtest; in .htaccess, read per
 * request, it is logged at debug level so it cannot flood the log. */
static void cmd_warning(cmd_parms *cmd, cors_dir_conf *conf, const char *msg)
{
    const char *line = apr_psprintf(cmd->pool, "%s:%d: %s: %s",
                                    cmd->directive->filename,
                                    cmd->directive->line_num, cmd->cmd->name,
                                    msg);
    if (in_htaccess(cmd)) {
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, cmd->server,
                     CORSLOGNO(0001) "%s", line);
        return;
    }
    if (conf->warnings == NULL) {
        conf->warnings = apr_array_make(cmd->pool, 2, sizeof(const char *));
    }
    APR_ARRAY_PUSH(conf->warnings, const char *) = line;
}

static int is_on_off(const char *arg, int *value)
{
    if (ap_cstr_casecmp(arg, "on") == 0) {
        *value = 1;
        return 1;
    }
    if (ap_cstr_casecmp(arg, "off") == 0) {
        *value = 0;
        return 1;
    }
    return 0;
}

/* What in this scope cannot go with credentials, or NULL. */
static const char *credentials_conflict(const cors_dir_conf *conf)
{
    if (conf->origins && conf->origins->any) {
        return "CORSAllowOrigin *";
    }
    if (conf->origins && conf->origins->null) {
        return "CORSAllowOrigin null";
    }
    if (conf->methods && conf->methods->any) {
        return "CORSAllowMethods *";
    }
    if (conf->allow_headers && conf->allow_headers->any) {
        return "CORSAllowHeaders *";
    }
    if (conf->expose_headers && conf->expose_headers->any) {
        return "CORSExposeHeaders *";
    }
    return NULL;
}

/* Called by every directive that can bring '*' or null into a scope that
 * already has CORSAllowCredentials On (httpd has no end-of-section hook,
 * so whichever directive comes second reports the conflict). */
static const char *check_credentials(cmd_parms *cmd, const cors_dir_conf *conf,
                                     const char *value)
{
    const char *what;

    if (conf->credentials != 1 || (what = credentials_conflict(conf)) == NULL) {
        return NULL;
    }
    return cmd_error(cmd, apr_psprintf(cmd->pool, "'%s' cannot be used with "
                                       "CORSAllowCredentials On (%s would "
                                       "let any page read credentialed "
                                       "responses)", value, what));
}

static void warn_insecure(cmd_parms *cmd, cors_dir_conf *conf)
{
    if (conf->credentials == 1 && conf->origins && conf->origins->insecure) {
        cmd_warning(cmd, conf, apr_psprintf(cmd->pool,
                    "plain-http origin '%s' is allowed with credentials: "
                    "anyone on its network path can act as it",
                    conf->origins->insecure));
    }
}

static const char *set_allow_origin(cmd_parms *cmd, void *dconf,
                                    const char *arg)
{
    cors_dir_conf *conf = scope_conf(cmd, dconf);
    const char *insecure, *err;

    if (conf->origins == NULL) {
        conf->origins = cors_origins_make(cmd->pool);
    }
    insecure = conf->origins->insecure;
    if ((err = cors_origins_add(conf->origins, cmd->pool, arg)) != NULL) {
        return cmd_error(cmd, err);
    }
    if ((err = check_credentials(cmd, conf, arg)) != NULL) {
        return err;
    }
    if (insecure == NULL) {
        warn_insecure(cmd, conf);
    }
    return NULL;
}

/* Does the regex have a '.' that matches any character where a literal
 * dot was surely meant ("app.example.com" lets "appXexample.com" in)? */
static int has_unescaped_dot(const char *re)
{
    int in_class = 0;

    for (; *re; re++) {
        if (*re == '\\' && re[1]) {
            re++;
        }
        else if (*re == '[') {
            in_class = 1;
        }
        else if (*re == ']') {
            in_class = 0;
        }
        else if (*re == '.' && !in_class && apr_isalnum(re[1])) {
            return 1;
        }
    }
    return 0;
}

static const char *set_allow_origin_match(cmd_parms *cmd, void *dconf,
                                          const char *arg)
{
    cors_dir_conf *conf = scope_conf(cmd, dconf);
    cors_regex *cre;
    ap_regex_t *re;

    /* Anchored at both ends however it is written: an unanchored
     * "https://.*\.example\.com" must not allow
     * "https://a.example.com.evil.net". */
    re = ap_pregcomp(cmd->pool, apr_pstrcat(cmd->pool, "^(?:", arg, ")$",
                                            NULL), 0);
    if (re == NULL || *arg == '\0') {
        return cmd_error(cmd, apr_psprintf(cmd->pool, "'%s' is not a valid "
                                           "regular expression", arg));
    }
    if (conf->origins == NULL) {
        conf->origins = cors_origins_make(cmd->pool);
    }
    if (conf->origin_regexes == NULL) {
        conf->origin_regexes = apr_array_make(cmd->pool, 2, sizeof(*cre));
    }
    cre = apr_array_push(conf->origin_regexes);
    cre->re = re;
    cre->source = arg;
    /* An origin no policy would name: a regex that allows it allows every
     * site (and, with credentials, is as bad as '*'). */
    if (ap_regexec(re, "https://any-site.invalid", 0, NULL, 0) == 0) {
        cmd_warning(cmd, conf, apr_psprintf(cmd->pool, "'%s' matches the "
                    "origin of any site (such as https://any-site.invalid)",
                    arg));
    }
    if (has_unescaped_dot(arg)) {
        cmd_warning(cmd, conf, apr_psprintf(cmd->pool, "'%s' has a '.' that "
                    "matches any character; write '\\.' for a literal dot",
                    arg));
    }
    return NULL;
}

/* A map's messages (reloads, bad files) in the error log. */
static void log_map_message(void *baton, cors_map_log_level level,
                            const char *msg)
{
    static const int levels[] = { APLOG_ERR, APLOG_WARNING, APLOG_INFO };

    ap_log_error(APLOG_MARK, levels[level], 0, baton, CORSLOGNO(0301) "%s",
                 msg);
}

static const char *set_allow_origin_map(cmd_parms *cmd, void *dconf,
                                        const char *arg)
{
    cors_dir_conf *conf = scope_conf(cmd, dconf);
    cors_map *map;
    const char *err;

    /* Listed as OR_FILEINFO too, only to say why it is refused there. */
    if (in_htaccess(cmd)) {
        return cmd_error(cmd, "not allowed in .htaccess files: a map names "
                         "a file of the server; set it in the server "
                         "configuration");
    }
    if ((err = cors_map_open(cmd->pool, arg, ap_server_root, &map))) {
        return cmd_error(cmd, err);
    }
    cors_map_set_logger(map, log_map_message, cmd->server);
    if (conf->origins == NULL) {
        conf->origins = cors_origins_make(cmd->pool);
    }
    if (conf->origin_maps == NULL) {
        conf->origin_maps = apr_array_make(cmd->pool, 1, sizeof(map));
    }
    APR_ARRAY_PUSH(conf->origin_maps, cors_map *) = map;
    return NULL;
}

static const char *set_allow_methods(cmd_parms *cmd, void *dconf, int argc,
                                     char *const argv[])
{
    cors_dir_conf *conf = scope_conf(cmd, dconf);
    const char *err, *warning;

    if (argc == 0) {
        return cmd_error(cmd, "needs at least one method, or '*'");
    }
    if (conf->methods == NULL) {
        conf->methods = cors_list_make(cmd->pool);
    }
    err = cors_list_add_methods(conf->methods, cmd->pool, argc, argv,
                                &warning);
    if (err) {
        return cmd_error(cmd, err);
    }
    if (warning) {
        cmd_warning(cmd, conf, warning);
    }
    return check_credentials(cmd, conf, "*");
}

static const char *set_allow_headers(cmd_parms *cmd, void *dconf, int argc,
                                     char *const argv[])
{
    cors_dir_conf *conf = scope_conf(cmd, dconf);
    const char *err;

    if (argc == 0) {
        return cmd_error(cmd, "needs at least one header name, or '*'");
    }
    if (conf->allow_headers == NULL) {
        conf->allow_headers = cors_list_make(cmd->pool);
    }
    err = cors_list_add_allow_headers(conf->allow_headers, cmd->pool, argc,
                                      argv);
    return err ? cmd_error(cmd, err) : check_credentials(cmd, conf, "*");
}

static const char *set_expose_headers(cmd_parms *cmd, void *dconf, int argc,
                                      char *const argv[])
{
    cors_dir_conf *conf = scope_conf(cmd, dconf);
    const char *err;

    if (argc == 0) {
        return cmd_error(cmd, "needs at least one header name, or '*'");
    }
    if (conf->expose_headers == NULL) {
        conf->expose_headers = cors_list_make(cmd->pool);
    }
    err = cors_list_add_expose_headers(conf->expose_headers, cmd->pool, argc,
                                       argv);
    return err ? cmd_error(cmd, err) : check_credentials(cmd, conf, "*");
}

static const char *set_credentials(cmd_parms *cmd, void *dconf,
                                   const char *arg)
{
    cors_dir_conf *conf = scope_conf(cmd, dconf);
    const char *what;

    if (!is_on_off(arg, &conf->credentials)) {
        return cmd_error(cmd, apr_psprintf(cmd->pool, "'%s' is not On or Off",
                                           arg));
    }
    if (conf->credentials == 1 && (what = credentials_conflict(conf))) {
        return cmd_error(cmd, apr_psprintf(cmd->pool, "'On' cannot be used "
                                           "with %s in the same scope: any "
                                           "page could read credentialed "
                                           "responses", what));
    }
    warn_insecure(cmd, conf);
    return NULL;
}

static const char *set_max_age(cmd_parms *cmd, void *dconf, const char *arg)
{
    cors_dir_conf *conf = scope_conf(cmd, dconf);
    const char *c;

    for (c = arg; apr_isdigit(*c); c++) {
    }
    if (*arg == '\0' || *c != '\0' || c - arg > 5 || atoi(arg) > 86400) {
        return cmd_error(cmd, apr_psprintf(cmd->pool, "'%s' is not a number "
                                           "of seconds from 0 to 86400",
                                           arg));
    }
    conf->max_age = atoi(arg);
    conf->max_age_value = apr_itoa(cmd->pool, conf->max_age);
    if (conf->max_age > 7200) {
        cmd_warning(cmd, conf, apr_psprintf(cmd->pool, "%d: Chromium caps "
                    "the preflight cache at 7200 seconds", conf->max_age));
    }
    return NULL;
}

static const char *set_preflight_status(cmd_parms *cmd, void *dconf,
                                        const char *arg)
{
    cors_dir_conf *conf = scope_conf(cmd, dconf);

    if (strcmp(arg, "200") != 0 && strcmp(arg, "204") != 0) {
        return cmd_error(cmd, apr_psprintf(cmd->pool, "'%s' is not 200 or "
                                           "204", arg));
    }
    conf->preflight_status = atoi(arg);
    return NULL;
}

static const char *set_backend_headers(cmd_parms *cmd, void *dconf,
                                       const char *arg)
{
    cors_dir_conf *conf = scope_conf(cmd, dconf);

    if (ap_cstr_casecmp(arg, "replace") == 0) {
        conf->backend_keep = 0;
    }
    else if (ap_cstr_casecmp(arg, "keep") == 0) {
        conf->backend_keep = 1;
    }
    else {
        return cmd_error(cmd, apr_psprintf(cmd->pool, "'%s' is not replace "
                                           "or keep", arg));
    }
    return NULL;
}

/* On/Off settings without side conditions; cmd->info is the field's
 * offset in cors_dir_conf. */
static const char *set_switch(cmd_parms *cmd, void *dconf, const char *arg)
{
    int *field = (int *)((char *)scope_conf(cmd, dconf)
                         + (apr_size_t)cmd->info);

    if (!is_on_off(arg, field)) {
        return cmd_error(cmd, apr_psprintf(cmd->pool, "'%s' is not On or Off",
                                           arg));
    }
    return NULL;
}

static const char *set_engine(cmd_parms *cmd, void *dconf, const char *arg)
{
    cors_dir_conf *conf = scope_conf(cmd, dconf);

    if (ap_cstr_casecmp(arg, "reportonly") == 0) {
        conf->engine = CORS_ENGINE_REPORT_ONLY;
    }
    else if (!is_on_off(arg, &conf->engine)) {
        return cmd_error(cmd, apr_psprintf(cmd->pool, "'%s' is not On, Off "
                                           "or ReportOnly", arg));
    }
    return NULL;
}

#define SWITCH(name, field, help)                                       \
    AP_INIT_TAKE1(name, set_switch,                                     \
                  (void *)APR_OFFSETOF(cors_dir_conf, field), OR_FILEINFO, \
                  help)

static const command_rec cors_cmds[] = {
    AP_INIT_ITERATE("CORSAllowOrigin", set_allow_origin, NULL, OR_FILEINFO,
                    "origins allowed: scheme://host[:port], "
                    "https://*.example.com, http://localhost:*, null or *"),
    AP_INIT_TAKE1("CORSAllowOriginMatch", set_allow_origin_match, NULL,
                  OR_FILEINFO, "a regex matched against the whole Origin"),
    AP_INIT_TAKE1("CORSAllowOriginMap", set_allow_origin_map, NULL,
                  RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                  "[txt:|dbm[=TYPE]:]path: a file of allowed origins, "
                  "re-read when it changes"),
    AP_INIT_TAKE_ARGV("CORSAllowMethods", set_allow_methods, NULL,
                      OR_FILEINFO, "methods allowed beyond GET, HEAD, POST, "
                      "or *"),
    AP_INIT_TAKE_ARGV("CORSAllowHeaders", set_allow_headers, NULL,
                      OR_FILEINFO, "request headers allowed, or *"),
    AP_INIT_TAKE_ARGV("CORSExposeHeaders", set_expose_headers, NULL,
                      OR_FILEINFO, "response headers a page may read, or *"),
    AP_INIT_TAKE1("CORSAllowCredentials", set_credentials, NULL, OR_FILEINFO,
                  "On to allow cookies and HTTP authentication"),
    AP_INIT_TAKE1("CORSMaxAge", set_max_age, NULL, OR_FILEINFO,
                  "seconds a browser may cache a preflight (0 to 86400)"),
    SWITCH("CORSAllowPrivateNetwork", private_network,
           "On to answer Private Network Access preflights"),
    AP_INIT_TAKE1("CORSPreflightStatus", set_preflight_status, NULL,
                  OR_FILEINFO, "status of a successful preflight: 200 or 204"),
    SWITCH("CORSPreflightContinue", preflight_continue,
           "On to pass preflights on to the handler"),
    AP_INIT_TAKE1("CORSBackendHeaders", set_backend_headers, NULL,
                  OR_FILEINFO, "replace or keep CORS headers set upstream"),
    AP_INIT_TAKE1("CORSEngine", set_engine, NULL, OR_FILEINFO,
                  "Off to turn the inherited policy off, ReportOnly to only "
                  "log what it would do"),
    {NULL}
};

/* ------------------------------------------------------------------------
 * Deciding a request
 */

static int policy_in_effect(const cors_dir_conf *conf)
{
    return conf && conf->origins && conf->engine != CORS_ENGINE_OFF;
}

static int report_only(const cors_dir_conf *conf)
{
    return conf->engine == CORS_ENGINE_REPORT_ONLY;
}

/* The outcome of a preflight, kept on the request when it goes on to the
 * handler (CORSPreflightContinue On, or CORSEngine ReportOnly). */
typedef struct {
    const char *note;
    int ok;
    int safelisted;     /* answer must name the safelisted headers */
    int private_network;
} cors_preflight;

/* Logs why a request was refused; the value is escaped and cut to 256
 * bytes, since it comes from the client (an 8 KB Origin is possible). */
static void log_denial(request_rec *r, const char *what, const char *fmt,
                       const char *value)
{
    if (APLOGrdebug(r)) {
        const char *v = ap_escape_logitem(r->pool, value);
        if (strlen(v) > 256) {
            v = apr_pstrcat(r->pool, apr_pstrmemdup(r->pool, v, 256), "...",
                            NULL);
        }
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, CORSLOGNO(0101) "%s "
                      "denied: %s", what, apr_psprintf(r->pool, fmt, v));
    }
}

/* Merging can bring '*' or null together with credentials, which no single
 * scope may hold: such a policy allows nothing (fail closed). */
static int merged_conflict(request_rec *r, const cors_dir_conf *conf,
                           const char *what)
{
    const char *conflict;

    if (conf->credentials != 1 || !(conflict = credentials_conflict(conf))) {
        return 0;
    }
    log_denial(r, what, "the inherited policy combines %s with "
               "CORSAllowCredentials On", conflict);
    return 1;
}

static int origin_allowed(request_rec *r, const cors_dir_conf *conf,
                          const char *origin, const char *what)
{
    /* A listed origin is valid by construction: one lookup decides. */
    if (cors_origins_listed(conf->origins, origin)) {
        return 1;
    }
    if (cors_origin_is_valid(origin)) {
        if (cors_origins_match_patterns(conf->origins, origin)) {
            return 1;
        }
        if (conf->origin_regexes && strcmp(origin, "null") != 0) {
            const cors_regex *re = (const cors_regex *)
                                       conf->origin_regexes->elts;
            int i;
            for (i = 0; i < conf->origin_regexes->nelts; i++) {
                if (ap_regexec(re[i].re, origin, 0, NULL, 0) == 0) {
                    return 1;
                }
            }
        }
        if (conf->origin_maps && strcmp(origin, "null") != 0) {
            int i;
            for (i = 0; i < conf->origin_maps->nelts; i++) {
                if (cors_map_match(APR_ARRAY_IDX(conf->origin_maps, i,
                                                 cors_map *), origin)) {
                    return 1;
                }
            }
        }
        log_denial(r, what, "origin '%s' not allowed", origin);
    }
    else {
        log_denial(r, what, "origin '%s' is not a serialized origin as "
                   "browsers send it", origin);
    }
    return 0;
}

/* Logs why a method was refused, with a hint for 'patch' vs 'PATCH'. */
static void log_method_denial(request_rec *r, const cors_dir_conf *conf,
                              const char *method)
{
    char *upper;

    if (!APLOGrdebug(r)) {
        return;
    }
    upper = apr_pstrdup(r->pool, method);
    ap_str_toupper(upper);
    if (strcmp(upper, method) != 0
        && cors_method_allowed(conf->methods, conf->credentials == 1, upper)) {
        log_denial(r, "preflight", "method '%s' not allowed (methods are "
                   "case-sensitive: the policy allows the uppercase form, "
                   "which browsers send only when the page writes it)",
                   method);
        return;
    }
    log_denial(r, "preflight", "method '%s' not allowed", method);
}

static void evaluate_preflight(request_rec *r, const cors_dir_conf *conf,
                               const char *origin, const char *method,
                               cors_preflight *pf)
{
    int credentials = conf->credentials == 1;
    const char *acrh = apr_table_get(r->headers_in, ACRH);
    char bad[128];

    memset(pf, 0, sizeof(*pf));
    if (merged_conflict(r, conf, "preflight")
        || !origin_allowed(r, conf, origin, "preflight")) {
        pf->note = "preflight-denied-origin";
        return;
    }
    if (!cors_method_allowed(conf->methods, credentials, method)) {
        log_method_denial(r, conf, method);
        pf->note = "preflight-denied-method";
        return;
    }
    switch (cors_request_headers_check(conf->allow_headers, credentials, acrh,
                                       &pf->safelisted, bad, sizeof(bad))) {
    case CORS_ACRH_OK:
        break;
    case CORS_ACRH_TOO_LONG:
        log_denial(r, "preflight", "%s", "Access-Control-Request-Headers "
                   "is over 64 names or 4096 bytes");
        pf->note = "preflight-denied-headers";
        return;
    case CORS_ACRH_MALFORMED:
        log_denial(r, "preflight", "request header '%s' is not a header "
                   "name", bad);
        pf->note = "preflight-denied-headers";
        return;
    default:
        log_denial(r, "preflight", "request header '%s' not allowed", bad);
        pf->note = "preflight-denied-headers";
        return;
    }
    pf->ok = 1;
    pf->note = "preflight-ok";
    if (conf->private_network == 1) {
        const char *pna = apr_table_get(r->headers_in, ACRPN);
        pf->private_network = pna && ap_cstr_casecmp(pna, "true") == 0;
    }
}

/* ------------------------------------------------------------------------
 * Writing response headers
 */

typedef struct {
    const char *token;
    int found;
} vary_search;

static int find_vary_token(void *rec, const char *key, const char *value)
{
    vary_search *vs = rec;

    (void)key;
    if (cors_vary_has(value, vs->token) || cors_vary_has(value, "*")) {
        vs->found = 1;
        return 0;
    }
    return 1;
}

/* Adds a token to Vary unless either header table has it already, so that
 * neither mod_headers, a backend nor an internal redirect doubles it. */
static void vary_add(request_rec *r, const char *token)
{
    vary_search vs = { token, 0 };

    /* The common case: nothing has set Vary yet. */
    if (!apr_table_get(r->headers_out, "Vary")
        && !apr_table_get(r->err_headers_out, "Vary")) {
        apr_table_addn(r->headers_out, "Vary", token);
        return;
    }

    apr_table_do(find_vary_token, &vs, r->headers_out, "Vary", NULL);
    apr_table_do(find_vary_token, &vs, r->err_headers_out, "Vary", NULL);
    if (!vs.found) {
        /* CGI puts its Vary in err_headers_out: extend that line. */
        apr_table_mergen(apr_table_get(r->err_headers_out, "Vary")
                             ? r->err_headers_out : r->headers_out,
                         "Vary", token);
    }
}

/* Does the table hold Access-Control-* headers (1), and
 * Access-Control-Allow-Origin among them (2)? */
static int find_cors_headers(const apr_table_t *t)
{
    const apr_array_header_t *arr = apr_table_elts(t);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    int i, found = 0;

    for (i = 0; i < arr->nelts; i++) {
        const char *k = e[i].key;
        if (k && (k[0] == 'A' || k[0] == 'a')
            && ap_cstr_casecmpn(k, "Access-Control-", 15) == 0) {
            found |= 1;
            if (ap_cstr_casecmp(k + 15, "Allow-Origin") == 0) {
                found |= 2;
            }
        }
    }
    return found;
}

static void remove_cors_headers(request_rec *r, apr_table_t *t)
{
    const apr_array_header_t *arr = apr_table_elts(t);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    apr_array_header_t *keys = apr_array_make(r->pool, 4, sizeof(char *));
    int i;

    for (i = 0; i < arr->nelts; i++) {
        if (e[i].key && ap_cstr_casecmpn(e[i].key, "Access-Control-", 15) == 0) {
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

/* CORSBackendHeaders: removes the Access-Control-* headers others set, or
 * returns 1 when the response is to be left alone (keep, and the handler
 * already answered CORS itself).  conf NULL: always remove. */
static int handle_backend_headers(request_rec *r, const cors_dir_conf *conf)
{
    int out = find_cors_headers(r->headers_out);
    int err = find_cors_headers(r->err_headers_out);

    if (conf && conf->backend_keep == 1 && ((out | err) & 2)) {
        return 1;
    }
    if (out) {
        remove_cors_headers(r, r->headers_out);
    }
    if (err) {
        remove_cors_headers(r, r->err_headers_out);
    }
    return 0;
}

static const char *allow_origin_value(const cors_dir_conf *conf,
                                      const char *origin)
{
    return conf->origins->any && conf->credentials != 1 ? "*" : origin;
}

/* The caller has removed every Access-Control-* header from both tables,
 * so these are added without searching the table (apr_table_setn would
 * search it for each). */
static void set_preflight_headers(request_rec *r, const cors_dir_conf *conf,
                                  const char *origin, const cors_preflight *pf)
{
    apr_table_t *t = r->headers_out;

    if (!apr_table_get(r->headers_out, "Vary")
        && !apr_table_get(r->err_headers_out, "Vary")) {
        apr_table_addn(t, "Vary", conf->private_network == 1
                                      ? "Origin, " ACRM ", " ACRH ", " ACRPN
                                      : "Origin, " ACRM ", " ACRH);
    }
    else {
        vary_add(r, "Origin");
        vary_add(r, ACRM);
        vary_add(r, ACRH);
        if (conf->private_network == 1) {
            vary_add(r, ACRPN);
        }
    }
    if (!pf->ok) {
        return;
    }
    apr_table_addn(t, ACAO, allow_origin_value(conf, origin));
    if (conf->credentials == 1) {
        apr_table_addn(t, ACAC, "true");
    }
    if (conf->methods) {
        apr_table_addn(t, ACAM, conf->methods->value);
    }
    if (conf->allow_headers) {
        apr_table_addn(t, ACAH, pf->safelisted
                                    ? conf->allow_headers->value_safelisted
                                    : conf->allow_headers->value);
    }
    else if (pf->safelisted) {
        apr_table_addn(t, ACAH, SAFELISTED_NAMES);
    }
    if (conf->max_age != CORS_UNSET) {
        apr_table_addn(t, ACMA, conf->max_age_value);
    }
    if (pf->private_network) {
        apr_table_addn(t, ACAPN, "true");
    }
}

/* What an actual (non-preflight) request gets. */
typedef enum {
    ANSWER_ANY,         /* "*": the same for every request, no Vary */
    ANSWER_ORIGIN,      /* its origin echoed, and Vary: Origin */
    ANSWER_VARY_ONLY    /* no CORS headers, but Vary: Origin */
} cors_answer;

static cors_answer decide_actual(request_rec *r, const cors_dir_conf *conf,
                                 const char *origin, const char **note)
{
    /* A '*' policy answers the same to every request, so caches may share
     * its responses. */
    if (conf->origins->any && conf->credentials != 1) {
        *note = origin == NULL ? "no-origin"
                : cors_origin_is_valid(origin) ? "allowed" : "denied-origin";
        return ANSWER_ANY;
    }
    if (origin == NULL) {
        *note = "no-origin";
        return ANSWER_VARY_ONLY;
    }
    if (merged_conflict(r, conf, "request")
        || !origin_allowed(r, conf, origin, "request")) {
        *note = "denied-origin";
        return ANSWER_VARY_ONLY;
    }
    *note = "allowed";
    return ANSWER_ORIGIN;
}

static void set_actual_headers(request_rec *r, const cors_dir_conf *conf,
                               const char *origin, cors_answer answer)
{
    if (answer != ANSWER_ANY) {
        vary_add(r, "Origin");
    }
    if (answer == ANSWER_VARY_ONLY) {
        return;
    }
    /* handle_backend_headers() has removed any earlier ones: add. */
    apr_table_addn(r->headers_out, ACAO, answer == ANSWER_ANY ? "*" : origin);
    if (answer == ANSWER_ORIGIN && conf->credentials == 1) {
        apr_table_addn(r->headers_out, ACAC, "true");
    }
    if (conf->expose_headers) {
        apr_table_addn(r->headers_out, ACEH, conf->expose_headers->value);
    }
}

/* ------------------------------------------------------------------------
 * Hooks
 */

/* Answers preflights.  header_parser runs once the per-directory config is
 * final (.htaccess and <Location> included) and before authentication, so
 * a protected API gets its preflight answered: browsers never send
 * credentials on a preflight, and a fixups hook would run after the 401.
 * Returning DONE skips the handler and every auto-inserted filter, so the
 * answer carries all of its headers itself. */
static int cors_header_parser(request_rec *r)
{
    const cors_dir_conf *conf;
    const char *origin, *method;
    cors_preflight *pf;

    if (r->method_number != M_OPTIONS || !ap_is_initial_req(r)) {
        return DECLINED;
    }
    conf = ap_get_module_config(r->per_dir_config, &cors_module);
    if (!policy_in_effect(conf)) {
        return DECLINED;
    }
    origin = apr_table_get(r->headers_in, "Origin");
    method = apr_table_get(r->headers_in, ACRM);
    if (origin == NULL || method == NULL || *method == '\0') {
        return DECLINED;        /* not a preflight: an actual OPTIONS */
    }
    pf = apr_palloc(r->pool, sizeof(*pf));
    evaluate_preflight(r, conf, origin, method, pf);
    apr_table_addn(r->notes, "cors", pf->note);
    if (conf->preflight_continue == 1 || report_only(conf)) {
        /* The handler answers; the output filter adds the headers (or,
         * reporting only, just the note). */
        ap_set_module_config(r->request_config, &cors_module, pf);
        return DECLINED;
    }
    /* Only a module running earlier (Header early) could have set one. */
    handle_backend_headers(r, NULL);
    set_preflight_headers(r, conf, origin, pf);
    if (!pf->ok) {
        r->status = HTTP_FORBIDDEN;
    }
    else if (conf->preflight_status == HTTP_OK) {
        r->status = HTTP_OK;
    }
    else {
        r->status = HTTP_NO_CONTENT;
    }
    if (r->status != HTTP_NO_CONTENT) {
        ap_set_content_length(r, 0);
    }
    return DONE;
}

/* The request whose policy applies: a local ErrorDocument is an internal
 * redirect, and it answers with the policy of the URL that failed. */
static request_rec *policy_request(request_rec *r)
{
    while (r->prev && ap_is_HTTP_ERROR(r->prev->status)) {
        r = r->prev;
    }
    return r;
}

/* The output filter: on the first data it rewrites the CORS headers of
 * the response once, then leaves the chain. */
static apr_status_t cors_output_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    request_rec *r = f->r;
    request_rec *src = policy_request(r);
    const cors_dir_conf *conf = f->ctx;
    const cors_preflight *pf;
    const char *origin, *note = NULL;
    cors_answer answer = ANSWER_VARY_ONLY;

    if (APR_BRIGADE_EMPTY(bb)) {
        return APR_SUCCESS;
    }
    ap_remove_output_filter(f);
    origin = apr_table_get(r->headers_in, "Origin");
    pf = ap_get_module_config(src->request_config, &cors_module);
    if (pf == NULL) {
        answer = decide_actual(r, conf, origin, &note);
    }
    if (pf == NULL || src != r) {   /* else header_parser noted it */
        apr_table_addn(r->notes, "cors", pf ? pf->note : note);
    }
    if (report_only(conf)) {
        /* CORSEngine ReportOnly: decide and log, change nothing. */
    }
    else if (handle_backend_headers(r, conf)) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, CORSLOGNO(0103)
                      "CORSBackendHeaders keep: leaving the handler's CORS "
                      "headers as they are");
    }
    else if (pf) {
        set_preflight_headers(r, conf, origin, pf);
    }
    else {
        set_actual_headers(r, conf, origin, answer);
    }
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
    conf = ap_get_module_config(policy_request(r)->per_dir_config,
                                &cors_module);
    if (policy_in_effect(conf)) {
        ap_add_output_filter_handle(cors_filter_handle, (void *)conf, r,
                                    r->connection);
    }
}

/* ------------------------------------------------------------------------
 * Startup: warnings, lint and the policy dump (apachectl -t -D DUMP_CORS)
 */

/* Calls fn for each configured section that holds a CORS directive: the
 * server and each vhost (their base scope), their <Directory>, <Location>
 * and <Files> sections.  .htaccess files are read per request and so
 * never seen here. */
typedef void scope_fn(server_rec *s, const cors_dir_conf *base,
                      const cors_dir_conf *scope, void *baton);

static void visit_scope(apr_hash_t *seen, server_rec *s,
                        const cors_dir_conf *base, ap_conf_vector_t *v,
                        scope_fn *fn, void *baton)
{
    const cors_dir_conf *conf = ap_get_module_config(v, &cors_module);
    core_dir_config *core = ap_get_core_module_config(v);
    int i;

    if (conf && conf->defined_at
        && !apr_hash_get(seen, &conf, sizeof(conf))) {
        apr_hash_set(seen, apr_pmemdup(apr_hash_pool_get(seen), &conf,
                                       sizeof(conf)), sizeof(conf), conf);
        fn(s, base, conf, baton);
    }
    for (i = 0; core && core->sec_file && i < core->sec_file->nelts; i++) {
        visit_scope(seen, s, base,
                    APR_ARRAY_IDX(core->sec_file, i, ap_conf_vector_t *), fn,
                    baton);
    }
}

static void walk_scopes(apr_pool_t *p, server_rec *main_server, scope_fn *fn,
                        void *baton)
{
    apr_hash_t *seen = apr_hash_make(p);
    server_rec *s;
    int i;

    for (s = main_server; s; s = s->next) {
        core_server_config *sconf = ap_get_core_module_config(s->module_config);
        const cors_dir_conf *base =
            ap_get_module_config(s->lookup_defaults, &cors_module);

        visit_scope(seen, s, base, s->lookup_defaults, fn, baton);
        for (i = 0; i < sconf->sec_dir->nelts; i++) {
            visit_scope(seen, s, base,
                        APR_ARRAY_IDX(sconf->sec_dir, i, ap_conf_vector_t *),
                        fn, baton);
        }
        for (i = 0; i < sconf->sec_url->nelts; i++) {
            visit_scope(seen, s, base,
                        APR_ARRAY_IDX(sconf->sec_url, i, ap_conf_vector_t *),
                        fn, baton);
        }
    }
}

/* The settings a request in this section gets from the section and its
 * server or vhost.  Enclosing sections of the request's path also merge
 * in at request time; they cannot be known here. */
static cors_dir_conf *effective_conf(apr_pool_t *p, const cors_dir_conf *base,
                                     const cors_dir_conf *scope)
{
    if (base == NULL || base == scope) {
        return merge_dir_config(p, create_dir_config(p, NULL), (void *)scope);
    }
    return merge_dir_config(p, (void *)base, (void *)scope);
}

static void find_origins(server_rec *s, const cors_dir_conf *base,
                         const cors_dir_conf *scope, void *baton)
{
    (void)s;
    (void)base;
    if (scope->origins) {
        *(int *)baton = 1;
    }
}

static void log_scope_warnings(server_rec *s, const cors_dir_conf *base,
                               const cors_dir_conf *scope, void *baton)
{
    const int *any_origins = baton;
    int i;

    for (i = 0; scope->warnings && i < scope->warnings->nelts; i++) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, CORSLOGNO(0001) "%s",
                     APR_ARRAY_IDX(scope->warnings, i, const char *));
    }
    /* Without an origin anywhere, CORS directives do nothing (unless an
     * .htaccess file below sets one). */
    if (!*any_origins && !(base && base->origins)) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, CORSLOGNO(0002)
                     "%s: CORS directives in %s have no effect: no "
                     "CORSAllowOrigin or CORSAllowOriginMatch is set anywhere "
                     "in the configuration (fine only if .htaccess files "
                     "set one)", scope->defined_at, scope->section);
    }
}

static void log_startup_warnings(apr_pool_t *p, server_rec *s)
{
    int any_origins = 0;

    walk_scopes(p, s, find_origins, &any_origins);
    walk_scopes(p, s, log_scope_warnings, &any_origins);
}

static const char *list_value(const cors_list *list, const char *none)
{
    return list ? list->value : none;
}

static const char *origins_value(apr_pool_t *p, const cors_dir_conf *conf)
{
    apr_array_header_t *all = apr_array_make(p, 8, sizeof(const char *));
    apr_hash_index_t *hi;
    int i;

    if (conf->origins == NULL) {
        return "(none: no policy)";
    }
    if (conf->origins->any) {
        APR_ARRAY_PUSH(all, const char *) = "*";
    }
    if (conf->origins->null) {
        APR_ARRAY_PUSH(all, const char *) = "null";
    }
    for (hi = apr_hash_first(p, conf->origins->keys); hi;
         hi = apr_hash_next(hi)) {
        APR_ARRAY_PUSH(all, const char *) = apr_hash_this_key(hi);
    }
    for (i = 0; conf->origin_regexes && i < conf->origin_regexes->nelts;
         i++) {
        APR_ARRAY_PUSH(all, const char *) = apr_pstrcat(
            p, "~", APR_ARRAY_IDX(conf->origin_regexes, i, cors_regex).source,
            NULL);
    }
    for (i = 0; conf->origin_maps && i < conf->origin_maps->nelts; i++) {
        cors_map_info info;
        cors_map_describe(APR_ARRAY_IDX(conf->origin_maps, i, cors_map *),
                          &info);
        APR_ARRAY_PUSH(all, const char *) = apr_pstrcat(p, "map:", info.spec,
                                                        NULL);
    }
    return apr_array_pstrcat(p, all, ' ');
}

/* "txt:/etc/origins.txt: 1200 entries, loaded 2025-... in 3 ms" */
static const char *map_value(apr_pool_t *p, cors_map *map)
{
    cors_map_info info;
    char when[APR_CTIME_LEN];

    cors_map_describe(map, &info);
    apr_ctime(when, info.loaded);
    return apr_psprintf(p, "%s (%s%s%s): %s entries, loaded %s in %"
                        APR_TIME_T_FMT " ms", info.spec,
                        info.kind == CORS_MAP_TXT ? "txt" : "dbm",
                        info.dbm_type ? " " : "",
                        info.dbm_type ? info.dbm_type : "",
                        info.entries < 0 ? "?" : apr_ltoa(p, info.entries),
                        when, apr_time_as_msec(info.took));
}

static void dump_scope(server_rec *s, const cors_dir_conf *base,
                       const cors_dir_conf *scope, void *baton)
{
    apr_file_t *out = baton;
    apr_pool_t *p = s->process->pconf;
    const cors_dir_conf *c = effective_conf(p, base, scope);
    static const char *const engines[] = { "Off", "On", "ReportOnly" };
    int i;

    apr_file_printf(out, "%s (%s), %s %s:%u\n", scope->section,
                    scope->defined_at, s->is_virtual ? "vhost" : "server",
                    s->server_hostname, s->port);
    apr_file_printf(out, "    origins:       %s\n", origins_value(p, c));
    for (i = 0; c->origin_maps && i < c->origin_maps->nelts; i++) {
        apr_file_printf(out, "    origin map:    %s\n", map_value(p,
                        APR_ARRAY_IDX(c->origin_maps, i, cors_map *)));
    }
    apr_file_printf(out, "    methods:       %s\n",
                    list_value(c->methods, "GET, HEAD, POST (default)"));
    apr_file_printf(out, "    allow headers: %s\n",
                    list_value(c->allow_headers, "(safelisted only)"));
    apr_file_printf(out, "    expose:        %s\n",
                    list_value(c->expose_headers, "(none)"));
    apr_file_printf(out, "    credentials:   %s\n",
                    c->credentials == 1 ? "On" : "Off");
    apr_file_printf(out, "    max-age:       %s\n",
                    c->max_age != CORS_UNSET ? c->max_age_value : "(unset)");
    apr_file_printf(out, "    engine:        %s\n",
                    engines[c->engine == CORS_UNSET ? 1 : c->engine]);
}

/* apachectl -t: the same warnings as at startup, and with -D DUMP_CORS
 * every scope that holds CORS directives, the way -D DUMP_VHOSTS lists
 * the virtual hosts. */
static void cors_test_config(apr_pool_t *pconf, server_rec *s)
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

/* LogLevel cors:info: each map of each section, at startup. */
static void log_scope_maps(server_rec *s, const cors_dir_conf *base,
                           const cors_dir_conf *scope, void *baton)
{
    int i;

    (void)base;
    for (i = 0; scope->origin_maps && i < scope->origin_maps->nelts; i++) {
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, s, CORSLOGNO(0302)
                     "%s: CORSAllowOriginMap %s", scope->defined_at,
                     map_value(baton, APR_ARRAY_IDX(scope->origin_maps, i,
                                                    cors_map *)));
    }
}

static void cors_child_init(apr_pool_t *pchild, server_rec *s)
{
    int threaded = 0;

    ap_mpm_query(AP_MPMQ_IS_THREADED, &threaded);
    cors_map_child_init(s->process->pconf, pchild,
                        threaded != AP_MPMQ_NOT_SUPPORTED);
}

static int cors_post_config(apr_pool_t *pconf, apr_pool_t *plog,
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

static void register_hooks(apr_pool_t *p)
{
    /* After mod_headers, so that a "Header set Access-Control-..." in the
     * same scope is cleaned up rather than doubled. */
    static const char *const after_headers[] = { "mod_headers.c", NULL };

    (void)p;
    ap_hook_test_config(cors_test_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(cors_post_config, NULL, NULL, APR_HOOK_MIDDLE);
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
    create_dir_config,
    merge_dir_config,
    NULL,                       /* server config: the base dir config does */
    NULL,
    cors_cmds,
    register_hooks,
#if defined(AP_MODULE_FLAG_NONE)
    AP_MODULE_FLAG_NONE
#endif
};
