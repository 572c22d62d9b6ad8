/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mod_cors_config.c -- mod_cors's per-directory configuration: create,
 * merge, the directives and the table of settings that drives them (the
 * origin directives are mod_cors_origins.c's).
 *
 * Each directive parses and validates its value when it is read and
 * reports a bad value as "<Directive>: <what is wrong with the value>".
 * In .htaccess, read again for every request, the handlers do no more
 * than the value needs: warnings are built only when debug logging would
 * print them, and the scope's section is described only when printed.
 */

/* Before the APR headers: without it APR_OFFSETOF falls back to a
 * null-pointer expression that UBSan reports. */
#include <errno.h>
#include <stddef.h>

#include "apr_lib.h"
#include "apr_strings.h"

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"

#include "cors_explain.h"
#include "mod_cors.h"

APLOG_USE_MODULE(cors);

/* ------------------------------------------------------------------------
 * Create and merge
 */

#define FIELD(conf, offset) ((void *)((char *)(conf) + (offset)))

void *cors_create_dir_config(apr_pool_t *p, char *dir)
{
    cors_dir_conf *conf = apr_pcalloc(p, sizeof(*conf));
    const cors_setting *s;

    (void)dir;
    for (s = cors_settings; s->directive; s++) {
        if (s->kind == CORS_SETTING_INT) {
            *(int *)FIELD(conf, s->offset) = CORS_UNSET;
        }
    }
    conf->governs.conf = conf;
    return conf;
}

/* Runs per request for .htaccess and <Location>: it only picks pointers
 * and integers, so its cost does not depend on the size of any list. */
void *cors_merge_dir_config(apr_pool_t *p, void *basev, void *addv)
{
    const cors_dir_conf *base = basev, *add = addv;
    cors_dir_conf *conf = apr_pcalloc(p, sizeof(*conf));
    const cors_setting *s;

    for (s = cors_settings; s->directive; s++) {
        switch (s->kind) {
        case CORS_SETTING_ORIGINS: {
            const cors_policy *from =
                add->policy.origins ? &add->policy : &base->policy;
            conf->policy.origins = from->origins;
            conf->policy.matchers = from->matchers;
            conf->policy.matcher_conflict = from->matcher_conflict;
            break;
        }
        case CORS_SETTING_PART:
            break;
        case CORS_SETTING_POINTER: {
            void *const *a = FIELD(add, s->offset);
            *(void **)FIELD(conf, s->offset) = *a ? *a
                                                  : *(void *const *)FIELD(
                                                        base, s->offset);
            break;
        }
        case CORS_SETTING_INT: {
            const int *a = FIELD(add, s->offset);
            *(int *)FIELD(conf, s->offset) =
                *a != CORS_UNSET ? *a : *(const int *)FIELD(base, s->offset);
            break;
        }
        }
    }
    conf->first = add->first;
    conf->htaccess = add->htaccess;
    conf->warnings = add->warnings;
    conf->section = add->section ? add->section : base->section;
    conf->governs.conf = conf;
    return conf;
}

/* ------------------------------------------------------------------------
 * Where a scope was written
 */

const char *cors_scope_defined_at(apr_pool_t *p, const cors_dir_conf *conf)
{
    return apr_psprintf(p, "%s:%d", conf->first->filename,
                        conf->first->line_num);
}

const char *cors_scope_section(apr_pool_t *p, const cors_dir_conf *conf)
{
    const ap_directive_t *d = conf->first->parent, *v;
    const char *section;

    if (conf->htaccess) {
        return apr_pstrcat(p, ".htaccess in ", conf->htaccess, NULL);
    }
    if (d == NULL) {
        return "server config";
    }
    section = apr_pstrcat(p, d->directive, " ", d->args, NULL);
    for (v = d->parent; v; v = v->parent) {
        if (ap_cstr_casecmp(v->directive, "<VirtualHost") == 0) {
            section = apr_pstrcat(p, section, " in ", v->directive, " ",
                                  v->args, NULL);
        }
    }
    return section;
}

/* ------------------------------------------------------------------------
 * Helpers of the directive handlers
 */

const char *cors_cmd_error(cmd_parms *cmd, const char *msg)
{
    return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", msg, NULL);
}

/* The test ap_check_cmd_context(cmd, NOT_IN_HTACCESS) makes, without
 * building its error message: httpd reads .htaccess files with the
 * request pool as both pools. */
int cors_in_htaccess(const cmd_parms *cmd)
{
    return cmd->pool == cmd->temp_pool;
}

/* Every directive handler starts here: the first CORS directive of a
 * section records where the section is (a pointer: the text is made only
 * when it is printed). */
cors_dir_conf *cors_scope_conf(cmd_parms *cmd, void *dconf)
{
    cors_dir_conf *conf = dconf;

    if (conf->first == NULL) {
        conf->first = cmd->directive;
        conf->htaccess = cors_in_htaccess(cmd) ? cmd->path : NULL;
        conf->section = conf;
    }
    return conf;
}

/* A value that is allowed but probably not meant.  It is logged once the
 * error log is open (post_config) or by configtest; in .htaccess, read per
 * request, it is logged at debug level so it cannot flood the log, and
 * only built when that level is on. */
int cors_want_warning(cmd_parms *cmd)
{
    return !cors_in_htaccess(cmd) || APLOG_IS_LEVEL(cmd->server, APLOG_DEBUG);
}

void cors_cmd_warning(cmd_parms *cmd, cors_dir_conf *conf, const char *msg)
{
    const char *line = apr_psprintf(cmd->pool, "%s:%d: %s: %s",
                                    cmd->directive->filename,
                                    cmd->directive->line_num, cmd->cmd->name,
                                    msg);
    if (cors_in_htaccess(cmd)) {
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, cmd->server,
                     CORSLOGNO(0003) "%s", line);
        return;
    }
    if (conf->warnings == NULL) {
        conf->warnings = apr_array_make(cmd->pool, 2, sizeof(const char *));
    }
    APR_ARRAY_PUSH(conf->warnings, const char *) = line;
}

/* The words a one-word directive takes, as the documentation writes them
 * (read in any case), and the value each sets. */
typedef struct {
    const char *word;
    int value;
} keyword;

typedef struct {
    apr_size_t offset;                  /* of the int field in cors_dir_conf */
    const keyword *words;               /* ends with word NULL */
} keyword_setting;

static const keyword on_off_words[] = {
    { "On", CORS_ON }, { "Off", CORS_OFF }, { NULL, 0 }
};

/* "On or Off", "On, Off or ReportOnly": the words, for messages. */
static const char *keyword_choices(apr_pool_t *p, const keyword *w)
{
    const char *s = w->word;

    for (w++; w->word; w++) {
        s = apr_pstrcat(p, s, w[1].word ? ", " : " or ", w->word, NULL);
    }
    return s;
}

/* The word of value, or NULL. */
static const char *keyword_word(const keyword *w, int value)
{
    for (; w->word; w++) {
        if (w->value == value) {
            return w->word;
        }
    }
    return NULL;
}

/* Sets *field from the word arg names (case-insensitively), or returns
 * the directive's error. */
static const char *parse_keyword(cmd_parms *cmd, const keyword_setting *k,
                                 const char *arg, int *field)
{
    const keyword *w;

    for (w = k->words; w->word; w++) {
        if (ap_cstr_casecmp(arg, w->word) == 0) {
            *field = w->value;
            return NULL;
        }
    }
    return cors_cmd_error(cmd, apr_psprintf(cmd->pool, "'%s' is not %s", arg,
                                       keyword_choices(cmd->pool, k->words)));
}

/* Called by every directive that can bring '*' or null into a scope that
 * already has CORSAllowCredentials On (httpd has no end-of-section hook,
 * so whichever directive comes second reports the conflict). */
const char *cors_check_credentials(cmd_parms *cmd, const cors_dir_conf *conf,
                                     const char *value)
{
    const char *what;

    if (conf->policy.credentials != CORS_ON
        || (what = cors_credentials_conflict(&conf->policy)) == NULL) {
        return NULL;
    }
    return cors_cmd_error(cmd, apr_psprintf(cmd->pool, "'%s' cannot be used with "
                                       "CORSAllowCredentials On (%s would "
                                       "let any page read credentialed "
                                       "responses)", value, what));
}

/* ------------------------------------------------------------------------
 * Methods and headers
 */

/* The scope's list in the policy field at offset, made on first use. */
static cors_list *scope_list(cmd_parms *cmd, cors_dir_conf *conf)
{
    const cors_list **field = FIELD(conf, (apr_size_t)cmd->info);

    if (*field == NULL) {
        *field = cors_list_make(cmd->pool);
    }
    return (cors_list *)*field;
}

static const char *set_allow_methods(cmd_parms *cmd, void *dconf, int argc,
                                     char *const argv[])
{
    cors_dir_conf *conf = cors_scope_conf(cmd, dconf);
    const char *err, *warning;

    if (argc == 0) {
        return cors_cmd_error(cmd, "needs at least one method, or '*'");
    }
    err = cors_list_add_methods(scope_list(cmd, conf), cmd->pool, argc, argv,
                                &warning);
    if (err) {
        return cors_cmd_error(cmd, err);
    }
    if (warning && cors_want_warning(cmd)) {
        cors_cmd_warning(cmd, conf, warning);
    }
    return cors_check_credentials(cmd, conf, "*");
}

/* CORSAllowHeaders and CORSExposeHeaders; cmd->info is the list's offset,
 * and the parser is chosen by it. */
static const char *set_header_list(cmd_parms *cmd, void *dconf, int argc,
                                   char *const argv[])
{
    cors_dir_conf *conf = cors_scope_conf(cmd, dconf);
    cors_list *list;
    const char *err;

    if (argc == 0) {
        return cors_cmd_error(cmd, "needs at least one header name, or '*'");
    }
    list = scope_list(cmd, conf);
    err = list == conf->policy.allow_headers
              ? cors_list_add_allow_headers(list, cmd->pool, argc, argv)
              : cors_list_add_expose_headers(list, cmd->pool, argc, argv);
    return err ? cors_cmd_error(cmd, err) : cors_check_credentials(cmd, conf, "*");
}

/* ------------------------------------------------------------------------
 * Single values
 */

/* The one-word directives: CORSPreflightStatus, CORSPreflightContinue,
 * CORSBackendHeaders and CORSEngine alone; CORSAllowCredentials and
 * CORSAllowPrivateNetwork before their own checks.  cmd->info is the
 * setting's keyword_setting. */
static const char *set_keyword(cmd_parms *cmd, void *dconf, const char *arg)
{
    const keyword_setting *k = cmd->info;

    return parse_keyword(cmd, k, arg, FIELD(cors_scope_conf(cmd, dconf),
                                            k->offset));
}

static const char *set_credentials(cmd_parms *cmd, void *dconf,
                                   const char *arg)
{
    cors_dir_conf *conf = cors_scope_conf(cmd, dconf);
    const char *what;

    if ((what = set_keyword(cmd, conf, arg)) != NULL) {
        return what;
    }
    if (conf->policy.credentials == CORS_ON
        && (what = cors_credentials_conflict(&conf->policy))) {
        return cors_cmd_error(cmd, apr_psprintf(cmd->pool, "'On' cannot be used "
                                           "with %s in the same scope: any "
                                           "page could read credentialed "
                                           "responses", what));
    }
    cors_warn_insecure(cmd, conf);
    return NULL;
}

/* The longest Access-Control-Max-Age the directive takes (a day, the most
 * Firefox honours; Chromium caps at CHROMIUM_MAX_AGE). */
#define MAX_AGE_LIMIT 86400
#define CHROMIUM_MAX_AGE 7200

static const char *set_max_age(cmd_parms *cmd, void *dconf, const char *arg)
{
    cors_dir_conf *conf = cors_scope_conf(cmd, dconf);
    apr_int64_t seconds;
    char *end;

    errno = 0;
    seconds = apr_strtoi64(arg, &end, 10);
    if (!apr_isdigit(*arg) || *end != '\0' || errno == ERANGE
        || seconds > MAX_AGE_LIMIT) {
        return cors_cmd_error(cmd, apr_psprintf(cmd->pool, "'%s' is not a number "
                                           "of seconds from 0 to %d", arg,
                                           MAX_AGE_LIMIT));
    }
    /* The header value as written (it lives in the configuration's pool),
     * without leading zeros. */
    while (arg[0] == '0' && arg[1] != '\0') {
        arg++;
    }
    conf->policy.max_age = arg;
    if (seconds > CHROMIUM_MAX_AGE && cors_want_warning(cmd)) {
        cors_cmd_warning(cmd, conf, apr_psprintf(cmd->pool, "%s: Chromium caps "
                    "the preflight cache at %d seconds", conf->policy.max_age,
                    CHROMIUM_MAX_AGE));
    }
    return NULL;
}

/* Chrome never enforced these preflights and asks the user instead (the
 * Local Network Access permission): say so where the setting is made. */
static const char *set_private_network(cmd_parms *cmd, void *dconf,
                                       const char *arg)
{
    cors_dir_conf *conf = cors_scope_conf(cmd, dconf);
    const char *err = set_keyword(cmd, conf, arg);

    if (err) {
        return err;
    }
    if (conf->policy.private_network == CORS_ON && cors_want_warning(cmd)) {
        cors_cmd_warning(cmd, conf, "Chrome has replaced Private Network Access "
                    "preflights with the Local Network Access permission, "
                    "which the user grants to the page and no response "
                    "header can; this only answers older browsers' "
                    "preflights");
    }
    return NULL;
}

/* CORSDebug Off | expression.  The expression is parsed with
 * AP_EXPR_FLAG_DONT_VARY: httpd would otherwise add the request headers
 * it reads to Vary, and the response of a request it is false for must be
 * exactly what it would be without CORSDebug. */
static const cors_debug debug_off = { NULL, "Off" };

/* The expression of a RAW_ARGS line, as SSLRequire takes it: written
 * whole in one pair of quotes, or bare ("CORSDebug -R '10.0.0.0/8'"). */
static const char *debug_source(cmd_parms *cmd, const char *args)
{
    const char *rest;
    char *word;
    size_t len;

    while (apr_isspace(*args)) {
        args++;
    }
    if (*args == '"' || *args == '\'') {
        rest = args;
        word = ap_getword_conf(cmd->pool, &rest);
        if (*rest == '\0') {
            return word;
        }
    }
    len = strlen(args);
    while (len > 0 && apr_isspace(args[len - 1])) {
        len--;
    }
    return apr_pstrmemdup(cmd->pool, args, len);
}

static const char *set_debug(cmd_parms *cmd, void *dconf, const char *args)
{
    cors_dir_conf *conf = cors_scope_conf(cmd, dconf);
    const char *arg = debug_source(cmd, args);
    const char *err = NULL, *source = arg;
    cors_debug *debug;

    if (*arg == '\0') {
        return cors_cmd_error(cmd, "needs Off or an expression");
    }
    if (ap_cstr_casecmp(arg, "off") == 0) {
        conf->debug = &debug_off;
        return NULL;
    }
    /* "On" reads as the expression "true". */
    if (ap_cstr_casecmp(arg, "on") == 0) {
        source = "true";
    }
    debug = apr_palloc(cmd->pool, sizeof(*debug));
    debug->expr = ap_expr_parse_cmd(cmd, source, AP_EXPR_FLAG_DONT_VARY, &err,
                                    NULL);
    if (err) {
        return cors_cmd_error(cmd, apr_psprintf(cmd->pool, "'%s' is not a valid "
                                           "expression: %s", arg, err));
    }
    debug->source = arg;
    conf->debug = debug;
    if (cors_want_warning(cmd) && cors_expr_always_true(source)) {
        cors_cmd_warning(cmd, conf, apr_psprintf(cmd->pool, "'%s' is true for "
                    "every request: the CORS-Debug header publishes the "
                    "policy (origins, methods, headers and where it is "
                    "configured) to anyone; restrict it, e.g. CORSDebug "
                    "\"-R '192.0.2.0/24'\"", arg));
    }
    return NULL;
}

/* ------------------------------------------------------------------------
 * The defaults, and what DUMP_CORS shows of each setting
 */

/* What an unset setting means, read by the request code (CORS_CONF_INT)
 * and by the dump alike: the one place a default is written.  Lists and
 * pointers unset mean "none" and are shown by their own functions. */
const cors_dir_conf cors_defconf = {
    .policy = { .credentials = CORS_OFF, .private_network = CORS_OFF },
    .preflight_status = HTTP_NO_CONTENT,
    .preflight_continue = CORS_OFF,
    .backend = CORS_BACKEND_REPLACE,
    .engine = CORS_ENGINE_ON,
};

static const char *list_or(const cors_list *list, const char *none)
{
    return list ? list->value : none;
}

static const char *show_methods(apr_pool_t *p, const cors_dir_conf *c,
                                const cors_setting *s)
{
    (void)s;
    return list_or(c->policy.methods,
                   apr_pstrcat(p, "(unset: ", cors_safelisted_methods, ")",
                               NULL));
}

static const char *show_allow_headers(apr_pool_t *p, const cors_dir_conf *c,
                                      const cors_setting *s)
{
    (void)p;
    (void)s;
    return list_or(c->policy.allow_headers, "(unset: safelisted only)");
}

static const char *show_expose_headers(apr_pool_t *p, const cors_dir_conf *c,
                                       const cors_setting *s)
{
    (void)p;
    (void)s;
    return list_or(c->policy.expose_headers, "(unset: none)");
}

static const char *show_max_age(apr_pool_t *p, const cors_dir_conf *c,
                                const cors_setting *s)
{
    (void)s;
    (void)p;
    return c->policy.max_age ? c->policy.max_age : "(unset: no header)";
}

static const char *show_debug(apr_pool_t *p, const cors_dir_conf *c,
                              const cors_setting *s)
{
    (void)s;
    (void)p;
    return c->debug ? c->debug->source : "(unset: Off)";
}

/* A keyword setting (cmd info of its row): its word, or its default's. */
static const char *show_keyword(apr_pool_t *p, const cors_dir_conf *c,
                                const cors_setting *s)
{
    const keyword_setting *k = s->info;
    int value = *(const int *)FIELD(c, k->offset);

    if (value == CORS_UNSET) {
        return apr_pstrcat(p, "(unset: ",
                           keyword_word(k->words, *(const int *)FIELD(
                                            &cors_defconf, k->offset)),
                           ")", NULL);
    }
    return keyword_word(k->words, value);
}

/* ------------------------------------------------------------------------
 * The directives
 */

#define OFFSET(field) ((void *)APR_OFFSETOF(cors_dir_conf, field))

#define KEYWORDS(name, field, words)                                      \
    static const keyword_setting name = {                                 \
        APR_OFFSETOF(cors_dir_conf, field), words                         \
    }

static const keyword status_words[] = {
    { "200", HTTP_OK }, { "204", HTTP_NO_CONTENT }, { NULL, 0 }
};
static const keyword backend_words[] = {
    { "replace", CORS_BACKEND_REPLACE }, { "keep", CORS_BACKEND_KEEP },
    { NULL, 0 }
};
static const keyword engine_words[] = {
    { "On", CORS_ENGINE_ON }, { "Off", CORS_ENGINE_OFF },
    { "ReportOnly", CORS_ENGINE_REPORT_ONLY }, { NULL, 0 }
};

KEYWORDS(credentials_setting, policy.credentials, on_off_words);
KEYWORDS(private_network_setting, policy.private_network, on_off_words);
KEYWORDS(preflight_status_setting, preflight_status, status_words);
KEYWORDS(preflight_continue_setting, preflight_continue, on_off_words);
KEYWORDS(backend_setting, backend, backend_words);
KEYWORDS(engine_setting, engine, engine_words);

/* command_rec's info is void *; the handlers read it as const. */
#define KEYWORD_INFO(name) ((void *)&name)

/* One row per directive: how httpd reads its arguments, its handler and
 * the handler's info, where it may stand, the setting it makes (merged
 * and dumped by that kind), how DUMP_CORS shows the effective value, and
 * the help text.  The command table and the settings table are both made
 * from these rows.  Every directive is allowed in .htaccess under
 * AllowOverride FileInfo; CORSAllowOriginMap is listed there only to say
 * why it is refused. */
#define CORS_DIRECTIVES(X)                                                  \
    X(ITERATE, "CORSAllowOrigin", cors_set_allow_origin, NULL, OR_FILEINFO,      \
      ORIGINS, policy.origins, cors_show_origins,                                \
      "origins allowed: scheme://host[:port], https://*.example.com, "      \
      "http://localhost:*, null or *")                                      \
    X(TAKE1, "CORSAllowOriginMatch", cors_set_allow_origin_match, NULL,          \
      OR_FILEINFO, PART, policy.matchers, cors_show_matchers,                    \
      "a regex matched against the whole Origin")                           \
    X(TAKE12, "CORSAllowOriginMap", cors_set_allow_origin_map, NULL,             \
      RSRC_CONF | ACCESS_CONF | OR_FILEINFO, PART, policy.matchers,         \
      cors_show_maps, "[txt:|dbm[=TYPE]:]path, or \"dbd:QUERY\" "                \
      "[\"CHANGE-QUERY\"]: a file or SQL query of allowed origins, "         \
      "re-read when it changes")                                            \
    X(TAKE_ARGV, "CORSAllowMethods", set_allow_methods,                     \
      OFFSET(policy.methods), OR_FILEINFO, POINTER, policy.methods,         \
      show_methods, "methods allowed beyond GET, HEAD, POST, or *")         \
    X(TAKE_ARGV, "CORSAllowHeaders", set_header_list,                       \
      OFFSET(policy.allow_headers), OR_FILEINFO, POINTER,                   \
      policy.allow_headers, show_allow_headers,                             \
      "request headers allowed, or *")                                      \
    X(TAKE_ARGV, "CORSExposeHeaders", set_header_list,                      \
      OFFSET(policy.expose_headers), OR_FILEINFO, POINTER,                  \
      policy.expose_headers, show_expose_headers,                           \
      "response headers a page may read, or *")                             \
    X(TAKE1, "CORSAllowCredentials", set_credentials,                       \
      KEYWORD_INFO(credentials_setting), OR_FILEINFO, INT,                  \
      policy.credentials, show_keyword,                                     \
      "On to allow cookies and HTTP authentication")                        \
    X(TAKE1, "CORSMaxAge", set_max_age, NULL, OR_FILEINFO, POINTER,         \
      policy.max_age, show_max_age,                                         \
      "seconds a browser may cache a preflight (0 to 86400)")               \
    X(TAKE1, "CORSAllowPrivateNetwork", set_private_network,                \
      KEYWORD_INFO(private_network_setting), OR_FILEINFO, INT,              \
      policy.private_network, show_keyword,                                 \
      "On to answer Private Network Access preflights (older Chrome)")      \
    X(TAKE1, "CORSPreflightStatus", set_keyword,                            \
      KEYWORD_INFO(preflight_status_setting), OR_FILEINFO, INT,             \
      preflight_status, show_keyword,                                       \
      "status of a successful preflight: 200 or 204")                       \
    X(TAKE1, "CORSPreflightContinue", set_keyword,                          \
      KEYWORD_INFO(preflight_continue_setting), OR_FILEINFO, INT,           \
      preflight_continue, show_keyword,                                     \
      "On to pass preflights on to the handler")                            \
    X(TAKE1, "CORSBackendHeaders", set_keyword,                             \
      KEYWORD_INFO(backend_setting), OR_FILEINFO, INT, backend,             \
      show_keyword, "replace or keep CORS headers set upstream")            \
    X(TAKE1, "CORSEngine", set_keyword, KEYWORD_INFO(engine_setting),       \
      OR_FILEINFO, INT, engine, show_keyword,                               \
      "Off to turn the inherited policy off, ReportOnly to only log what "  \
      "it would do")                                                        \
    X(RAW_ARGS, "CORSDebug", set_debug, NULL, OR_FILEINFO, POINTER, debug,  \
      show_debug, "Off, or an expression: the responses of requests it is " \
      "true for explain the decision in a CORS-Debug header")

#define COMMAND_ROW(args, name, handler, info, where, kind, field, show,    \
                    help)                                                   \
    AP_INIT_##args(name, handler, info, where, help),

const command_rec cors_cmds[] = {
    CORS_DIRECTIVES(COMMAND_ROW)
    {NULL}
};

#define SETTING_ROW(args, name, handler, info, where, kind, field, show,    \
                    help)                                                   \
    { name, CORS_SETTING_##kind, APR_OFFSETOF(cors_dir_conf, field), show,  \
      info },

const cors_setting cors_settings[] = {
    CORS_DIRECTIVES(SETTING_ROW)
    { NULL, CORS_SETTING_PART, 0, NULL, NULL }
};
