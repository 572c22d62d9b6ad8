/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mod_cors_origins.c -- the directives that say which origins a scope
 * allows: CORSAllowOrigin, CORSAllowOriginMatch (with the attacker-origin
 * probe of each regex, and a child's cache of its verdicts for .htaccess)
 * and CORSAllowOriginMap; and how DUMP_CORS shows them.  The rest of the
 * configuration is mod_cors_config.c's.
 */
#include "apr_hash.h"
#include "apr_strings.h"
#include "apr_thread_mutex.h"

#include "httpd.h"
#include "http_config.h"
#include "http_log.h"
#include "http_main.h"
#include "ap_regex.h"            /* RegexDefaultOptions */

#include "cors_map.h"
#include "cors_probe.h"
#include "cors_regex.h"
#include "mod_cors.h"
#include "mod_cors_dbd.h"

APLOG_USE_MODULE(cors);

void cors_warn_insecure(cmd_parms *cmd, cors_dir_conf *conf)
{
    const cors_origins *origins = conf->policy.origins;

    if (conf->policy.credentials == CORS_ON && origins && origins->insecure
        && cors_want_warning(cmd)) {
        cors_cmd_warning(cmd, conf, apr_psprintf(cmd->pool,
                    "plain-http origin '%s' is allowed with credentials: "
                    "anyone on its network path can act as it",
                    origins->insecure));
    }
}

/* The scope's origin set, made on first use.  It is the scope's own (the
 * policy's pointer is const for the decision). */
static cors_origins *scope_origins(cmd_parms *cmd, cors_dir_conf *conf)
{
    if (conf->policy.origins == NULL) {
        conf->policy.origins = cors_origins_make(cmd->pool);
    }
    return (cors_origins *)conf->policy.origins;
}

/* Adds a matcher (CORSAllowOriginMatch, CORSAllowOriginMap) to the scope's
 * origin setting, which it joins: the decision asks the matchers about an
 * origin that the compiled set does not allow. */
static cors_matcher *add_matcher(cmd_parms *cmd, cors_dir_conf *conf,
                                 cors_match_fn *match, const void *data,
                                 const char *source)
{
    apr_array_header_t *matchers;
    cors_matcher *m;

    scope_origins(cmd, conf);
    matchers = (apr_array_header_t *)conf->policy.matchers;
    if (matchers == NULL) {
        matchers = apr_array_make(cmd->pool, 2, sizeof(cors_matcher));
        conf->policy.matchers = matchers;
    }
    m = apr_array_push(matchers);
    m->match = match;
    m->data = data;
    m->source = source;
    m->lets_in = NULL;
    return m;
}

/* ------------------------------------------------------------------------
 * Origins
 */

const char *cors_set_allow_origin(cmd_parms *cmd, void *dconf,
                                    const char *arg)
{
    cors_dir_conf *conf = cors_scope_conf(cmd, dconf);
    cors_origins *origins = scope_origins(cmd, conf);
    const char *insecure = origins->insecure, *err;

    if ((err = cors_origins_add(origins, cmd->pool, arg)) != NULL) {
        return cors_cmd_error(cmd, err);
    }
    if ((err = cors_check_credentials(cmd, conf, arg)) != NULL) {
        return err;
    }
    if (insecure == NULL) {
        cors_warn_insecure(cmd, conf);
    }
    return NULL;
}

/* What the probe says of a regex: the attacker origin it lets in and the
 * description of that, or NULLs; or the limit it reached (the probe
 * stopped on lets_in, which it may not let in). */
typedef struct {
    const char *lets_in;
    const char *what;
    cors_regex_limit limit;
} probe_verdict;

/* The verdicts of a child, by regex source.  In .htaccess a
 * CORSAllowOriginMatch line is read again for every request, and probing
 * its regex costs tens of thousands of instructions; the verdict depends
 * on the regex's text alone.  Made by cors_config_child_init(): the parent
 * reads each line once and keeps none. */
static struct {
    apr_pool_t *pool;
    apr_hash_t *verdicts;
#if APR_HAS_THREADS
    apr_thread_mutex_t *lock;
#endif
} probe_cache;

/* Enough for every regex of a host's .htaccess files; past it a regex is
 * probed each time, as without the cache. */
#define PROBE_CACHE_MAX 1024

void cors_config_child_init(apr_pool_t *pchild)
{
#if APR_HAS_THREADS
    if (apr_thread_mutex_create(&probe_cache.lock, APR_THREAD_MUTEX_DEFAULT,
                                pchild) != APR_SUCCESS) {
        return;
    }
#endif
    probe_cache.pool = pchild;
    probe_cache.verdicts = apr_hash_make(pchild);
}

static void lock_cache(void)
{
#if APR_HAS_THREADS
    apr_thread_mutex_lock(probe_cache.lock);
#endif
}

static void unlock_cache(void)
{
#if APR_HAS_THREADS
    apr_thread_mutex_unlock(probe_cache.lock);
#endif
}

/* Probes m's regex under the probe's budget of work. */
static probe_verdict probe_regex(cmd_parms *cmd, const cors_matcher *m)
{
    probe_verdict v = { NULL, NULL, CORS_REGEX_LIMIT_NONE };
    const cors_probe *probe;
    cors_regex_budget budget;

    cors_regex_budget_init(&budget, m->data);
    probe = cors_probe_find(cmd->temp_pool, m->source,
                            cors_regex_probe_match, &budget);
    if (probe) {
        v.lets_in = apr_pstrdup(cmd->pool, probe->origin);
        v.what = cors_probe_describe(cmd->pool, m->source, probe);
        v.limit = budget.limit;
    }
    return v;
}

/* A regex that allows its own site on plain http is, with credentials,
 * what CORSAllowOrigin http://... is: the scope's first such origin is
 * kept where the warning looks, whichever of the two directives comes
 * first.  Only where warnings are wanted: it costs a probe. */
static void note_plain_http(cmd_parms *cmd, cors_dir_conf *conf,
                            const cors_matcher *m)
{
    cors_origins *origins = (cors_origins *)conf->policy.origins;
    const char *http;

    if (origins->insecure || !cors_want_warning(cmd)) {
        return;
    }
    http = cors_probe_plain_http(cmd->temp_pool, m->source,
                                 cors_regex_match, m->data);
    if (http) {
        origins->insecure = apr_pstrdup(cmd->pool, http);
        cors_warn_insecure(cmd, conf);
    }
}

/* The verdict for m's regex, from the cache or by probing (and kept). */
static probe_verdict regex_verdict(cmd_parms *cmd, const cors_matcher *m)
{
    const probe_verdict *kept = NULL;
    probe_verdict v;
    probe_verdict *copy;

    if (probe_cache.verdicts) {
        lock_cache();
        kept = apr_hash_get(probe_cache.verdicts, m->source,
                            APR_HASH_KEY_STRING);
        unlock_cache();
        if (kept) {
            return *kept;
        }
    }
    v = probe_regex(cmd, m);
    if (probe_cache.verdicts) {
        lock_cache();
        if (apr_hash_count(probe_cache.verdicts) < PROBE_CACHE_MAX
            && !apr_hash_get(probe_cache.verdicts, m->source,
                             APR_HASH_KEY_STRING)) {
            copy = apr_palloc(probe_cache.pool, sizeof(*copy));
            copy->limit = v.limit;
            copy->lets_in = v.lets_in ? apr_pstrdup(probe_cache.pool,
                                                    v.lets_in) : NULL;
            copy->what = v.what ? apr_pstrdup(probe_cache.pool, v.what)
                                : NULL;
            apr_hash_set(probe_cache.verdicts,
                         apr_pstrdup(probe_cache.pool, m->source),
                         APR_HASH_KEY_STRING, copy);
        }
        unlock_cache();
    }
    return v;
}

/* Tries the origins a CORS scanner would send (cors_probe.h) against the
 * regex: one it matches is an error with credentials and a warning
 * without, and the policy keeps it so that credentials merged in later
 * are refused per request. */
static const char *probe_origin_regex(cmd_parms *cmd, cors_dir_conf *conf,
                                      cors_matcher *m)
{
    probe_verdict v = regex_verdict(cmd, m);
    const char *what = v.what;

    if (v.lets_in == NULL) {
        note_plain_http(cmd, conf, m);
        return NULL;
    }
    /* A regex that cannot be checked within bounds is refused, with or
     * without credentials: it could let attackers in, and it costs every
     * request that reads it. */
    if (v.limit != CORS_REGEX_LIMIT_NONE) {
        return cors_cmd_error(cmd, apr_psprintf(cmd->pool, "'%s' is refused: "
                                           "checking it against the origin "
                                           "%s reached %s", m->source,
                                           v.lets_in, cors_regex_limit_text(
                                               cmd->pool, v.limit)));
    }
    m->lets_in = v.lets_in;
    if (conf->policy.credentials == CORS_ON) {
        return cors_cmd_error(cmd, apr_psprintf(cmd->pool, "%s; it cannot be used "
                                           "with CORSAllowCredentials On: "
                                           "pages of that site could read "
                                           "credentialed responses", what));
    }
    if (conf->policy.matcher_conflict == NULL) {
        conf->policy.matcher_conflict =
            apr_pstrcat(cmd->pool, "CORSAllowOriginMatch ", what, NULL);
    }
    if (cors_want_warning(cmd)) {
        cors_cmd_warning(cmd, conf, what);
    }
    return NULL;
}

/* The scope's CORSAllowOriginMatch regexes so far. */
static int count_regexes(const cors_dir_conf *conf)
{
    const apr_array_header_t *m = conf->policy.matchers;
    int i, n = 0;

    for (i = 0; m && i < m->nelts; i++) {
        n += APR_ARRAY_IDX(m, i, cors_matcher).match == cors_regex_match;
    }
    return n;
}

/* RegexDefaultOptions, as ap_regcomp() would apply them. */
static int regex_options(void)
{
    int cflags = ap_regcomp_get_default_cflags(), o = 0;

    o |= (cflags & AP_REG_ICASE) ? CORS_REGEX_ICASE : 0;
    o |= (cflags & AP_REG_DOTALL) ? CORS_REGEX_DOTALL : 0;
    o |= (cflags & AP_REG_DOLLAR_ENDONLY) ? CORS_REGEX_DOLLAR_ENDONLY : 0;
    o |= (cflags & AP_REG_EXTENDED) ? CORS_REGEX_EXTENDED : 0;
    return o;
}

const char *cors_set_allow_origin_match(cmd_parms *cmd, void *dconf,
                                          const char *arg)
{
    cors_dir_conf *conf = cors_scope_conf(cmd, dconf);
    cors_matcher *m;
    cors_regex *re;
    const char *err;

    /* Each request can be matched against every regex of the scope. */
    if (cors_in_htaccess(cmd) && count_regexes(conf) >= CORS_REGEX_MAX_PER_SCOPE) {
        return cors_cmd_error(cmd, apr_psprintf(cmd->pool, "'%s' is refused: "
                                           "a .htaccess scope can have at "
                                           "most %d CORSAllowOriginMatch "
                                           "regexes", arg,
                                           CORS_REGEX_MAX_PER_SCOPE));
    }
    err = cors_regex_compile(cmd->pool, arg, regex_options(), &re);
    if (err) {
        return cors_cmd_error(cmd, err);
    }
    m = add_matcher(cmd, conf, cors_regex_match, re, arg);
    return probe_origin_regex(cmd, conf, m);
}

/* A map is one more matcher of the scope's origin setting: the decision
 * asks it about an origin the compiled set does not allow.  Nothing is
 * read here: the map's file is read by apachectl -t and at each start
 * (mod_cors_map.c), so that map data never makes a configuration fail to
 * parse (a graceful restart with a bad line keeps the last good version). */
const char *cors_set_allow_origin_map(cmd_parms *cmd, void *dconf,
                                        const char *arg,
                                        const char *change_query)
{
    cors_dir_conf *conf = cors_scope_conf(cmd, dconf);
    cors_map *map;
    const char *err;

    /* Listed as OR_FILEINFO too, only to say why it is refused there. */
    if (cors_in_htaccess(cmd)) {
        return cors_cmd_error(cmd, "not allowed in .htaccess files: a map names "
                         "a file or a query of the server; set it in the "
                         "server configuration");
    }
    if (!strncmp(arg, "dbd:", 4)) {
        err = cors_dbd_define(cmd, arg + 4, change_query, &map);
    }
    else if (change_query) {
        err = apr_psprintf(cmd->pool, "'%s': a second argument (a change "
                           "query) is for dbd: maps only", change_query);
    }
    else {
        err = cors_map_define(cmd->pool, arg, ap_server_root, &map);
    }
    if (err) {
        return cors_cmd_error(cmd, err);
    }
    cors_map_glue_define(map, cmd);
    add_matcher(cmd, conf, cors_map_match, map, arg);
    return NULL;
}

/* ------------------------------------------------------------------------
 * What DUMP_CORS shows of the origin settings
 */

static void push_keys(apr_array_header_t *all, const cors_set *set)
{
    int i;

    for (i = 0; i < cors_set_count(set); i++) {
        APR_ARRAY_PUSH(all, const char *) =
            APR_ARRAY_IDX(set->names, i, cors_name).key;
    }
}

const char *cors_show_origins(apr_pool_t *p, const cors_dir_conf *c,
                                const cors_setting *s)
{
    (void)s;
    const cors_origins *o = c->policy.origins;
    apr_array_header_t *all = apr_array_make(p, 8, sizeof(const char *));

    if (o == NULL) {
        return "(none: no policy)";
    }
    if (o->any) {
        APR_ARRAY_PUSH(all, const char *) = "*";
    }
    if (o->null) {
        APR_ARRAY_PUSH(all, const char *) = "null";
    }
    push_keys(all, &o->exact);
    push_keys(all, &o->patterns);
    return all->nelts ? apr_array_pstrcat(p, all, ' ') : "(none)";
}

const char *cors_show_matchers(apr_pool_t *p, const cors_dir_conf *c,
                                 const cors_setting *s)
{
    (void)s;
    const apr_array_header_t *m = c->policy.matchers;
    const char *v = NULL;
    int i;

    for (i = 0; m && i < m->nelts; i++) {
        const cors_matcher *one = &APR_ARRAY_IDX(m, i, cors_matcher);
        const char *shown;

        if (one->match != cors_regex_match) {
            continue;
        }
        shown = one->lets_in ? apr_pstrcat(p, one->source,
                                                       " (matches ",
                                                       one->lets_in, ")",
                                                       NULL)
                                         : one->source;
        v = v ? apr_pstrcat(p, v, " ", shown, NULL) : shown;
    }
    return v ? v : "(none)";
}

const char *cors_show_maps(apr_pool_t *p, const cors_dir_conf *c,
                             const cors_setting *s)
{
    (void)s;
    const apr_array_header_t *m = c->policy.matchers;
    const char *v = NULL, *one;
    int i;

    for (i = 0; m && i < m->nelts; i++) {
        one = cors_map_matcher_value(p, &APR_ARRAY_IDX(m, i, cors_matcher));
        if (one) {
            v = v ? apr_pstrcat(p, v, "; ", one, NULL) : one;
        }
    }
    return v ? v : "(none)";
}

