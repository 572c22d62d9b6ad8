/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mod_cors_dbd.c -- the SQL source of CORSAllowOriginMap (mod_cors_dbd.h).
 *
 * Glue between mod_dbd and the map core: mod_dbd owns the connections
 * (DBDriver, DBDParams, its pool of persistent connections) and prepares
 * the statements on each connection; this file checks the directive,
 * names the statements, and in the loader turns a query's rows into a
 * builder's entries.  mod_dbd is optional: its functions are looked up
 * when a dbd map is configured, so that the module loads without it.
 */

#include "apr_dbd.h"
#include "apr_lib.h"
#include "apr_optional.h"
#include "apr_sha1.h"
#include "apr_strings.h"

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "util_cfgtree.h"

#include "mod_dbd.h"

#include "mod_cors.h"
#include "mod_cors_dbd.h"

APLOG_USE_MODULE(cors);

/* A skipped value is cut to this many bytes in the log. */
#define LOGGED_VALUE_MAX 200

/* CHANGE-QUERY answers up to CORS_SOURCE_TOKEN_MAX bytes (what the core
 * keeps of a token) are their own token; a longer one is replaced by its
 * SHA-1. */

typedef struct cors_dbd_source {
    server_rec *server;             /* whose DBDriver: the directive's */
    const char *where;              /* "file:line" of the directive */
    const char *query;
    const char *change_query;       /* NULL: none */
    const char *query_label;        /* mod_dbd's names of the statements */
    const char *change_label;
    const char *driver;             /* DBDriver, as configured */
    const char *id;                 /* hashed: what tells maps apart */
    ap_dbd_t *(*open)(apr_pool_t *, server_rec *);
    void (*close)(server_rec *, ap_dbd_t *);
} cors_dbd_source;

/* ------------------------------------------------------------------------
 * Configuration
 */

/* The last directive called name among first and its siblings (mod_dbd
 * takes the last of a scope), or NULL. */
static const ap_directive_t *last_named(const ap_directive_t *first,
                                        const char *name)
{
    const ap_directive_t *found = NULL;

    for (; first; first = first->next) {
        if (!strcasecmp(first->directive, name)) {
            found = first;
        }
    }
    return found;
}

/* The <VirtualHost> section around d, or NULL in the main server. */
static const ap_directive_t *enclosing_vhost(const ap_directive_t *d)
{
    for (; d; d = d->parent) {
        if (!strcasecmp(d->directive, "<VirtualHost")) {
            return d;
        }
    }
    return NULL;
}

/* The value of a mod_dbd setting (DBDriver, DBDParams) for the server of
 * the directive in cmd: its <VirtualHost>'s, else the main server's, as
 * mod_dbd merges them.  The configuration tree is complete before any
 * directive runs, so a DBDriver written after the map counts too. */
static const char *dbd_setting(cmd_parms *cmd, const char *name)
{
    const ap_directive_t *vhost = enclosing_vhost(cmd->directive);
    const ap_directive_t *d = NULL;
    const char *args;

    if (vhost) {
        d = last_named(vhost->first_child, name);
    }
    if (d == NULL) {
        d = last_named(ap_conftree, name);
    }
    if (d == NULL) {
        return NULL;
    }
    args = d->args;
    return ap_getword_conf(cmd->pool, &args);
}

/* A query must say something: "dbd:" alone or blanks are a mistake. */
static int is_blank(const char *s)
{
    while (apr_isspace(*s)) {
        s++;
    }
    return *s == '\0';
}

/* The hex SHA-1 of n strings, each with its NUL, so that no two lists of
 * strings hash the same. */
static const char *sha1_hex(apr_pool_t *p, const char *const *parts, int n)
{
    unsigned char digest[APR_SHA1_DIGESTSIZE];
    char *hex = apr_palloc(p, 2 * sizeof(digest) + 1);
    apr_sha1_ctx_t ctx;
    int i;

    apr_sha1_init(&ctx);
    for (i = 0; i < n; i++) {
        apr_sha1_update_binary(&ctx, (const unsigned char *)parts[i],
                               strlen(parts[i]) + 1);
    }
    apr_sha1_final(digest, &ctx);
    ap_bin2hex(digest, sizeof(digest), hex);
    return hex;
}

static const char *make_id(apr_pool_t *p, const cors_dbd_source *src,
                           const char *params)
{
    const char *parts[4];

    parts[0] = src->driver;
    parts[1] = params ? params : "";
    parts[2] = src->query;
    parts[3] = src->change_query ? src->change_query : "";
    return sha1_hex(p, parts, 4);
}

/* mod_dbd's functions (open and close in src, prepare in *prepare), or an
 * error when it is not loaded. */
static const char *find_mod_dbd(cors_dbd_source *src,
                                APR_OPTIONAL_FN_TYPE(ap_dbd_prepare) **prepare)
{
    *prepare = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_prepare);
    src->open = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_open);
    src->close = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_close);
    if (*prepare == NULL || src->open == NULL || src->close == NULL) {
        return "a dbd: map needs mod_dbd: LoadModule dbd_module before it";
    }
    return NULL;
}

static const char *source_make(cmd_parms *cmd, const char *query,
                               const char *change_query,
                               cors_dbd_source **out)
{
    /* mod_dbd's statement names are global to a server: numbered, as
     * mod_authn_dbd does (directives are read by one thread). */
    static unsigned int statements;
    APR_OPTIONAL_FN_TYPE(ap_dbd_prepare) *prepare;
    cors_dbd_source *src;
    const char *err;

    if (cmd->pool == cmd->temp_pool) {
        return "not allowed in .htaccess files: a dbd: map names SQL "
               "queries run by the server; set it in the server "
               "configuration";
    }
    if (is_blank(query)) {
        return "dbd: needs a query (dbd:SELECT origin FROM ...)";
    }
    if (change_query && is_blank(change_query)) {
        return "the change query is empty";
    }
    src = apr_pcalloc(cmd->pool, sizeof(*src));
    if ((err = find_mod_dbd(src, &prepare))) {
        return err;
    }
    src->driver = dbd_setting(cmd, "DBDriver");
    if (src->driver == NULL) {
        return apr_psprintf(cmd->pool, "a dbd: map needs a DBDriver (and "
                            "DBDParams) for %s", cmd->server->is_virtual
                            ? "its virtual host" : "the server");
    }
    src->server = cmd->server;
    src->where = apr_psprintf(cmd->pool, "%s:%d",
                              cmd->directive->filename,
                              cmd->directive->line_num);
    src->query = query;
    src->change_query = change_query;
    src->id = make_id(cmd->pool, src, dbd_setting(cmd, "DBDParams"));
    ++statements;
    src->query_label = apr_psprintf(cmd->pool, "cors_map_%u", statements);
    prepare(cmd->server, query, src->query_label);
    if (change_query) {
        src->change_label = apr_psprintf(cmd->pool, "cors_change_%u",
                                         statements);
        prepare(cmd->server, change_query, src->change_label);
    }
    *out = src;
    return NULL;
}

/* ------------------------------------------------------------------------
 * Polling (in the loader)
 */

/* What the driver says went wrong, on one line (libpq's messages have
 * several). */
static const char *db_error(apr_pool_t *p, const ap_dbd_t *dbd,
                            const char *what, int rv)
{
    const char *msg = apr_dbd_error(dbd->driver, dbd->handle, rv);
    char *s = apr_pstrcat(p, what, ": ", msg ? msg : "unknown error", NULL);
    char *in, *out;

    for (in = out = s; *in; in++) {
        if (!apr_isspace(*in)) {
            *out++ = *in;
        }
        else if (out > s && out[-1] != ' ') {
            *out++ = ' ';
        }
    }
    while (out > s && out[-1] == ' ') {
        out--;
    }
    *out = '\0';
    return s;
}

/* Whether to ask the driver for the whole result at once ("random
 * access"), so that an error while the rows come is reported: pgsql's
 * sequential results end early on an error as if the set were complete.
 * Not with mysql, whose random-access results give no row to -1 ("the next
 * row", as apr_dbd_get_row documents it) and seek from the first row for
 * any other number; its sequential results do report an error. */
static int random_access(const ap_dbd_t *dbd)
{
    return strcmp(apr_dbd_name(dbd->driver), "mysql") != 0;
}

/* Runs the prepared statement label. */
static const char *run(apr_pool_t *p, ap_dbd_t *dbd, const char *label,
                       const char *what, apr_dbd_results_t **res)
{
    apr_dbd_prepared_t *stmt;
    int rv;

    stmt = apr_hash_get(dbd->prepared, label, APR_HASH_KEY_STRING);
    if (stmt == NULL) {
        return apr_pstrcat(p, what, ": not prepared on this connection",
                           NULL);
    }
    *res = NULL;
    rv = apr_dbd_pselect(dbd->driver, p, dbd->handle, res, stmt,
                         random_access(dbd), 0, NULL);
    if (rv != 0) {
        return db_error(p, dbd, what, rv);
    }
    if (apr_dbd_num_cols(dbd->driver, *res) < 1) {
        return apr_pstrcat(p, what, ": returns no column", NULL);
    }
    return NULL;
}

/* The next row of res in *row: 1, or 0 at the end; an error in *err. */
static int next_row(apr_pool_t *p, ap_dbd_t *dbd, apr_dbd_results_t *res,
                    apr_dbd_row_t **row, const char *what, const char **err)
{
    int rv = apr_dbd_get_row(dbd->driver, p, res, row, -1);

    if (rv == 0) {
        return 1;
    }
    if (rv != -1) {
        *err = db_error(p, dbd, what, rv);
    }
    return 0;
}

/* CHANGE-QUERY's answer, as a token: the first column of its first row
 * ("" for none or NULL), hashed when longer than the core keeps. */
static const char *read_change_token(cors_source_poll *poll, ap_dbd_t *dbd,
                                     const cors_dbd_source *src,
                                     const char **token)
{
    apr_dbd_results_t *res;
    apr_dbd_row_t *row = NULL;
    const char *err = NULL;
    const char *value = NULL;
    int first = 1;

    if ((err = run(poll->pool, dbd, src->change_label, "CHANGE-QUERY",
                   &res))) {
        return err;
    }
    /* every row is read: a driver may need its result drained */
    while (next_row(poll->pool, dbd, res, &row, "CHANGE-QUERY", &err)) {
        if (first) {
            value = apr_dbd_get_entry(dbd->driver, row, 0);
            value = apr_pstrdup(poll->pool, value ? value : "");
            first = 0;
        }
    }
    if (err) {
        return err;
    }
    value = value ? value : "";
    if (strlen(value) > CORS_SOURCE_TOKEN_MAX) {
        value = apr_pstrcat(poll->pool, "sha1:",
                            sha1_hex(poll->pool, &value, 1), NULL);
    }
    *token = value;
    return NULL;
}

/* Logs a skipped row, the first CORS_MAP_SKIP_LOG_MAX of a load. */
static void log_skipped(cors_source_poll *poll, const cors_dbd_source *src,
                        long rownum, const char *value, const char *why)
{
    const char *shown;

    if (poll->skipped > CORS_MAP_SKIP_LOG_MAX) {
        return;
    }
    shown = value ? apr_pstrndup(poll->pool, value, LOGGED_VALUE_MAX)
                  : "NULL";
    ap_log_error(APLOG_MARK, APLOG_WARNING, 0, src->server,
                 CORSLOGNO(0401) "CORSAllowOriginMap dbd: (%s): row %ld "
                 "\"%s\" skipped: %s", src->where, rownum,
                 ap_escape_logitem(poll->pool, shown), why);
}

/* Adds the first column of every row of QUERY's result to the builder;
 * an invalid row is skipped and counted. */
static const char *read_entries(cors_source_poll *poll, ap_dbd_t *dbd,
                                const cors_dbd_source *src)
{
    apr_dbd_results_t *res;
    apr_dbd_row_t *row = NULL;
    const char *err = NULL;
    long rownum = 0;

    if ((err = run(poll->pool, dbd, src->query_label, "QUERY", &res))) {
        return err;
    }
    /* The rows are read with the result's own pool: a driver frees the
     * result through it at the end (pgsql), and reuses the one row struct,
     * so a million rows allocate nothing per row here. */
    while (next_row(poll->pool, dbd, res, &row, "QUERY", &err)) {
        const char *value = apr_dbd_get_entry(dbd->driver, row, 0);
        const char *why;

        rownum++;
        why = value ? cors_map_builder_add(poll->builder, value,
                                           strlen(value))
                    : "the value is NULL";
        if (why) {
            poll->skipped++;
            log_skipped(poll, src, rownum, value, why);
        }
    }
    if (err) {
        return err;
    }
    if (poll->skipped > CORS_MAP_SKIP_LOG_MAX) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, src->server,
                     CORSLOGNO(0402) "CORSAllowOriginMap dbd: (%s): %ld rows "
                     "skipped in all (%d named above)", src->where,
                     poll->skipped, CORS_MAP_SKIP_LOG_MAX);
    }
    return NULL;
}

/* Is it time to run QUERY again, when there is no CHANGE-QUERY? */
static int reread_due(const cors_source_poll *poll)
{
    return poll->read_at == 0
        || apr_time_now() - poll->read_at
           >= apr_time_from_msec(CORS_MAP_DBD_FULL_MS);
}

static cors_source_result poll_connection(cors_source_poll *poll,
                                          ap_dbd_t *dbd,
                                          const cors_dbd_source *src)
{
    const char *token = "";

    if (src->change_label) {
        if ((poll->error = read_change_token(poll, dbd, src, &token))) {
            return CORS_SOURCE_FAILED;
        }
        poll->answered = apr_time_now();
        if (poll->read_at && poll->token && !strcmp(token, poll->token)) {
            return CORS_SOURCE_UNCHANGED;
        }
    }
    poll->skipped = 0;
    if ((poll->error = read_entries(poll, dbd, src))) {
        return CORS_SOURCE_FAILED;
    }
    poll->answered = apr_time_now();
    poll->new_token = token;
    return CORS_SOURCE_READ;
}

/* The source's cors_source_poll_fn, run by the loader. */
static cors_source_result dbd_poll(void *source, cors_source_poll *poll)
{
    const cors_dbd_source *src = source;
    cors_source_result result;
    ap_dbd_t *dbd;

    poll->answered = 0;
    if (src->change_label == NULL && !reread_due(poll)) {
        return CORS_SOURCE_UNCHANGED;
    }
    /* In the loader's thread: mod_dbd's pool of connections is
     * thread-safe, and the connection goes back to it below. */
    dbd = src->open(poll->pool, src->server);
    if (dbd == NULL) {
        poll->error = "no connection to the database (mod_dbd logged why)";
        return CORS_SOURCE_FAILED;
    }
    result = poll_connection(poll, dbd, src);
    src->close(src->server, dbd);
    return result;
}

/* ------------------------------------------------------------------------
 * The map
 */

const char *cors_dbd_define(cmd_parms *cmd, const char *query,
                            const char *change_query, cors_map **out)
{
    cors_dbd_source *src = NULL;
    const char *err, *spec;

    if ((err = source_make(cmd, query, change_query, &src))) {
        return err;
    }
    /* as written, for the messages and mod_status */
    spec = change_query
           ? apr_psprintf(cmd->pool, "dbd:%s \"%s\"", query, change_query)
           : apr_pstrcat(cmd->pool, "dbd:", query, NULL);
    *out = cors_map_define_source(cmd->pool, spec, src->id, dbd_poll, src,
                                  cmd->server);
    return NULL;
}
