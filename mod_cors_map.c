/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mod_cors_map.c -- the httpd side of CORSAllowOriginMap: where the
 * versions of cors_map.c live and which process does what.
 *
 *   apachectl -t    check_config reads every map file and fails on a bad
 *                   one, naming the file, line and value;
 *   start, restart  post_config reads each file once (or falls back to the
 *                   last good image), in the parent, and sets up the
 *                   shared state, the image directory and the loader lock;
 *   every child     maps each map's newest image before it serves, then a
 *                   mod_watchdog thread follows new versions every tick;
 *   the loader      the one child that holds the loader lock also polls
 *                   the sources from that thread and publishes versions.
 *                   The lock is only ever tried, never waited for: when
 *                   the loader's child exits, the next child to try it
 *                   becomes the loader (mod_watchdog's own singletons
 *                   wait ten seconds before they take over, too long for
 *                   prefork children that come and go).
 */
#include <unistd.h>

#include <errno.h>
#include <string.h>

#include "apr_atomic.h"
#include "apr_optional.h"
#include "apr_shm.h"
#include "apr_strings.h"

#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "ap_mpm.h"
#include "mpm_common.h"
#include "mod_status.h"
#include "mod_watchdog.h"
#include "unixd.h"
#include "util_mutex.h"

#include "cors_map.h"
#include "mod_cors.h"

APLOG_USE_MODULE(cors);

#define LOADER_MUTEX "cors-map-loader"
#define WATCHDOG_NAME "cors-maps"
#define IMAGE_DIR "cors-maps"

/* How long an exiting child waits for the tick under way (10 ms each):
 * a load of a million entries takes under a second. */
#define TICK_WAIT_MAX 200

/* One per configuration generation: what the children's threads use. */
typedef struct {
    apr_array_header_t *maps;   /* of cors_map * */
    apr_proc_mutex_t *loader_lock;
    int loader;                 /* this process holds the lock */
    volatile apr_uint32_t ready;        /* child_init has mapped the maps */
    volatile apr_uint32_t ticking;      /* the watchdog thread is in a tick */
    volatile apr_uint32_t stopping;     /* the child exits: no tick starts */
    server_rec *s;
} maps_state;

static maps_state *state;

/* ------------------------------------------------------------------------
 * Messages: the pure code's logger
 */

static void log_map_message(void *baton, cors_log_level level,
                            const char *msg)
{
    static const int levels[] = {
        [CORS_LOG_ERROR] = APLOG_ERR, [CORS_LOG_WARNING] = APLOG_WARNING,
        [CORS_LOG_INFO] = APLOG_INFO, [CORS_LOG_DEBUG] = APLOG_DEBUG
    };

    ap_log_error(APLOG_MARK, levels[level], 0, baton, CORSLOGNO(0310) "%s",
                 msg);
}

void cors_map_glue_define(cors_map *map, cmd_parms *cmd)
{
    cors_map_set_logger(map, log_map_message, cmd->server);
    cors_map_set_defined_at(map, apr_psprintf(cmd->pool, "%s:%d",
                                              cmd->directive->filename,
                                              cmd->directive->line_num));
}

/* ------------------------------------------------------------------------
 * apachectl -t
 */

static int maps_check_config(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp, server_rec *s)
{
    apr_array_header_t *maps = cors_map_all(pconf);
    int i, ok = OK;

    (void)plog;
    if (maps == NULL) {
        return OK;
    }
    if (APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_get_instance) == NULL) {
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_EMERG, 0, s,
                     CORSLOGNO(0311) "CORSAllowOriginMap needs mod_watchdog "
                     "(LoadModule watchdog_module ...): it reads the maps "
                     "while httpd runs");
        return !OK;
    }
    if (ap_state_query(AP_SQ_RUN_MODE) != AP_SQ_RM_CONFIG_TEST) {
        return OK;              /* a start reads them in post_config */
    }
    for (i = 0; i < maps->nelts; i++) {
        cors_map *m = APR_ARRAY_IDX(maps, i, cors_map *);
        const char *err;
        /* Only to tell -D DUMP_CORS of the last good version. */
        cors_map_attach(m, ap_runtime_dir_relative(ptemp, IMAGE_DIR), NULL);
        err = cors_map_test(m, ptemp);
        if (err) {
            ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_EMERG, 0, s,
                         CORSLOGNO(0312) "CORSAllowOriginMap %s (%s): %s",
                         cors_map_spec(m), cors_map_defined_at(m), err);
            ok = !OK;
        }
    }
    return ok;
}

/* ------------------------------------------------------------------------
 * Start and restart, in the parent
 */

/* The directory of the images, in DefaultRuntimeDir: the loader runs as
 * the child's User, so it must be able to write there. */
static const char *image_dir(apr_pool_t *pconf, server_rec *s)
{
    const char *dir = ap_runtime_dir_relative(pconf, IMAGE_DIR);
    apr_status_t rv;

    rv = apr_dir_make(dir, APR_FPROT_OS_DEFAULT, pconf);
    if (rv != APR_SUCCESS && !APR_STATUS_IS_EEXIST(rv)) {
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, CORSLOGNO(0313)
                     "cannot create %s for the CORS origin maps", dir);
        return NULL;
    }
    if (geteuid() == 0
        && chown(dir, ap_unixd_config.user_id, ap_unixd_config.group_id)
           != 0) {
        ap_log_error(APLOG_MARK, APLOG_ERR, errno, s, CORSLOGNO(0319)
                     "cannot give %s to the server's User", dir);
        return NULL;
    }
    return dir;
}

static apr_status_t forget_state(void *unused)
{
    (void)unused;
    state = NULL;
    return APR_SUCCESS;
}

/* Shared state, one slot per map, and each map's first version. */
static int start_maps(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *s,
                      apr_array_header_t *maps)
{
    apr_size_t slot = cors_map_shared_size();
    const char *dir = image_dir(pconf, s);
    apr_shm_t *shm;
    char *base;
    int i, ok = OK;

    if (dir == NULL) {
        return !OK;
    }
    if ((i = cors_map_remove_orphans(ptemp, dir)) > 0) {
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, s, CORSLOGNO(0320)
                     "removed %d temporary CORS map image(s) from %s, left by "
                     "a loader that ended while it published", i, dir);
    }
    if (apr_shm_create(&shm, slot * (apr_size_t)maps->nelts, NULL, pconf)
        != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, errno, s, CORSLOGNO(0314)
                     "cannot create the shared memory of the CORS maps");
        return !OK;
    }
    base = apr_shm_baseaddr_get(shm);
    memset(base, 0, slot * (apr_size_t)maps->nelts);
    for (i = 0; i < maps->nelts; i++) {
        cors_map *m = APR_ARRAY_IDX(maps, i, cors_map *);
        const char *err;
        cors_map_attach(m, dir, base + slot * (apr_size_t)i);
        if ((err = cors_map_start(m, ptemp)) != NULL) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, CORSLOGNO(0315)
                         "CORSAllowOriginMap %s (%s): %s", cors_map_spec(m),
                         cors_map_defined_at(m), err);
            ok = !OK;
        }
    }
    return ok;
}

static apr_status_t watch_maps(int wd_state, void *data, apr_pool_t *ptemp);

static int start_watching(apr_pool_t *pconf, server_rec *s, maps_state *st)
{
    APR_OPTIONAL_FN_TYPE(ap_watchdog_get_instance) *get_instance =
        APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_get_instance);
    APR_OPTIONAL_FN_TYPE(ap_watchdog_register_callback) *register_callback =
        APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_register_callback);
    ap_watchdog_t *wd;
    apr_status_t rv;

    rv = ap_proc_mutex_create(&st->loader_lock, NULL, LOADER_MUTEX, NULL, s,
                              pconf, 0);
    if (rv != APR_SUCCESS) {
        return !OK;             /* ap_proc_mutex_create logged why */
    }
    if ((rv = get_instance(&wd, WATCHDOG_NAME, 0, 0, pconf)) != APR_SUCCESS
        || (rv = register_callback(wd, apr_time_from_msec(CORS_MAP_TICK_MS),
                                   st, watch_maps)) != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s, CORSLOGNO(0316)
                     "cannot start a watchdog for the CORS origin maps");
        return !OK;
    }
    return OK;
}

static int maps_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                            apr_pool_t *ptemp, server_rec *s)
{
    apr_array_header_t *maps = cors_map_all(pconf);
    maps_state *st;

    (void)plog;
    state = NULL;
    /* Nothing serves after the first of httpd's two startup passes. */
    if (maps == NULL
        || ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG) {
        return OK;
    }
    st = apr_pcalloc(pconf, sizeof(*st));
    st->maps = maps;
    st->s = s;
    if (start_maps(pconf, ptemp, s, maps) != OK
        || start_watching(pconf, s, st) != OK) {
        return !OK;
    }
    state = st;
    apr_pool_cleanup_register(pconf, NULL, forget_state,
                              apr_pool_cleanup_null);
    return OK;
}

static int maps_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                           apr_pool_t *ptemp)
{
    (void)plog;
    (void)ptemp;
    return ap_mutex_register(pconf, LOADER_MUTEX, NULL, APR_LOCK_DEFAULT, 0)
           == APR_SUCCESS ? OK : !OK;
}

/* ------------------------------------------------------------------------
 * Every child
 */

static void follow_all(const maps_state *st)
{
    int i;

    for (i = 0; i < st->maps->nelts; i++) {
        cors_map_follow(APR_ARRAY_IDX(st->maps, i, cors_map *));
    }
}

static void follow_all_files(const maps_state *st)
{
    int i;

    for (i = 0; i < st->maps->nelts; i++) {
        cors_map_follow_file(APR_ARRAY_IDX(st->maps, i, cors_map *));
    }
}

/* This child stops loading: the next child to try the lock loads. */
static void hand_loader_on(maps_state *st)
{
    if (st->loader) {
        st->loader = 0;
        apr_proc_mutex_unlock(st->loader_lock);
    }
}

/* A child ends with exit() (prefork's MaxConnectionsPerChild, a graceful
 * stop), which kills the watchdog thread wherever it is: in the middle of a
 * load, that leaves a temporary image behind and the load to the next
 * loader, or, between the rename and the new generation, children that
 * never follow the change.  The child's pool goes before that exit: wait
 * there for the tick under way, start none after it, and hand the loader
 * lock on. */
static apr_status_t finish_ticks(void *data)
{
    maps_state *st = data;
    int i;

    apr_atomic_xchg32(&st->stopping, 1);
    for (i = 0; apr_atomic_read32(&st->ticking) && i < TICK_WAIT_MAX; i++) {
        apr_sleep(apr_time_from_msec(10));
    }
    if (!apr_atomic_read32(&st->ticking)) {
        hand_loader_on(st);
    }
    return APR_SUCCESS;
}

static void maps_child_init(apr_pool_t *pchild, server_rec *s)
{
    maps_state *st = state;

    if (st == NULL) {
        return;
    }
    if (apr_proc_mutex_child_init(&st->loader_lock,
                                  apr_proc_mutex_lockfile(st->loader_lock),
                                  pchild) != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, errno, s, CORSLOGNO(0317)
                     "cannot open the CORS map loader lock in this child; "
                     "it will not load maps");
        st->loader_lock = NULL;
    }
    /* Before the first request: a child started long after the last
     * change answers from the newest version, never from the parent's. */
    follow_all(st);
    apr_atomic_set32(&st->ready, 1);
    apr_pool_pre_cleanup_register(pchild, st, finish_ticks);
}

/* The loader's share of a tick: the lock is tried, never waited for. */
static void load_all(maps_state *st, apr_pool_t *ptemp)
{
    int i;

    if (!st->loader && st->loader_lock
        && apr_proc_mutex_trylock(st->loader_lock) == APR_SUCCESS) {
        st->loader = 1;
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, st->s, CORSLOGNO(0318)
                     "this child now loads the CORS origin maps");
    }
    for (i = 0; st->loader && i < st->maps->nelts; i++) {
        cors_map *m = APR_ARRAY_IDX(st->maps, i, cors_map *);
        if (cors_map_poll(m, ptemp)) {
            cors_map_follow(m);
        }
    }
}

/* The MPM has told this child to stop (a graceful restart or stop, its
 * MaxConnectionsPerChild), and it may still finish requests.  httpd 2.4's
 * mod_watchdog ends its thread then; trunk's goes on under prefork until
 * the child exits.  After a graceful restart the next generation has a
 * loader of its own (its own lock and shared state): a loader of the old
 * generation that went on would publish beside it, from a configuration
 * no longer in force, with numbers that can meet the new one's.  So a
 * stopping child hands the loader on and follows the image file, which the
 * new loader writes, not its generation's shared state, which nobody
 * raises any more. */
static int mpm_is_stopping(void)
{
    int mpm_state = AP_MPMQ_RUNNING;

    return ap_mpm_query(AP_MPMQ_MPM_STATE, &mpm_state) == APR_SUCCESS
           && mpm_state == AP_MPMQ_STOPPING;
}

static apr_status_t watch_maps(int wd_state, void *data, apr_pool_t *ptemp)
{
    maps_state *st = data;

    /* ticking is raised before stopping is read, and finish_ticks() raises
     * stopping before it reads ticking: one of them sees the other. */
    apr_atomic_xchg32(&st->ticking, 1);
    if (wd_state == AP_WATCHDOG_STATE_STOPPING) {
        hand_loader_on(st);
    }
    else if (apr_atomic_read32(&st->ready)
             && !apr_atomic_read32(&st->stopping)) {
        if (mpm_is_stopping()) {
            hand_loader_on(st);
            follow_all_files(st);
        }
        else {
            follow_all(st);
            load_all(st, ptemp);
        }
    }
    apr_atomic_xchg32(&st->ticking, 0);
    return APR_SUCCESS;
}

/* ------------------------------------------------------------------------
 * What a map holds: -D DUMP_CORS, the startup log, mod_status
 */

const char *cors_map_matcher_value(apr_pool_t *p, const cors_matcher *m)
{
    cors_map_info info;
    char when[APR_CTIME_LEN];
    const char *kind, *version;

    if (m->match != cors_map_match) {
        return NULL;
    }
    cors_map_describe(p, (cors_map *)m->data, &info);
    kind = info.kind == CORS_MAP_TXT ? "txt"
           : info.kind == CORS_MAP_DBM ? apr_pstrcat(p, "dbm ",
                                                     info.dbm_type, NULL)
           : "dbd";
    if (info.in_use) {
        apr_ctime(when, info.read_at);
        version = apr_psprintf(p, "%ld entries (%ld skipped), version %"
                               APR_UINT64_T_FMT ", read %s", info.entries,
                               info.skipped, info.generation, when);
    }
    else if (info.tested >= 0) {
        version = apr_psprintf(p, "%ld entries read by this check; last good "
                               "version %" APR_UINT64_T_FMT, info.tested,
                               info.last_good);
    }
    else if (info.last_good) {
        version = apr_psprintf(p, "not read by this check; last good version "
                               "%" APR_UINT64_T_FMT, info.last_good);
    }
    else {
        version = "no version in use";
    }
    return apr_psprintf(p, "%s (%s): %s; %lu failed loads%s%s", info.spec,
                        kind, version, info.failures,
                        info.error ? "; last error: " : "",
                        info.error ? info.error : "");
}

/* server-status?auto: one block of lines per map, numbered as defined,
 * and the failed loads of all maps. */
static void show_maps_auto(request_rec *r, const maps_state *st)
{
    unsigned long failures = 0;
    int i;

    for (i = 0; i < st->maps->nelts; i++) {
        cors_map_info info;
        cors_map_describe(r->pool, APR_ARRAY_IDX(st->maps, i, cors_map *),
                          &info);
        int n = i + 1;
        ap_rprintf(r, "CORSMap%dSource: %s\nCORSMap%dEntries: %ld\n"
                   "CORSMap%dSkipped: %ld\n"
                   "CORSMap%dVersion: %" APR_UINT64_T_FMT "\n"
                   "CORSMap%dRead: %" APR_TIME_T_FMT "\n"
                   "CORSMap%dFailedLoads: %lu\n", n, info.spec, n,
                   info.entries, n, info.skipped, n, info.generation, n,
                   apr_time_sec(info.read_at), n, info.failures);
        /* a polled source (dbd:): seconds since it last answered */
        if (info.kind == CORS_MAP_DBD) {
            ap_rprintf(r, "CORSMap%dSourceAnswered: %" APR_TIME_T_FMT "\n",
                       n, info.answered
                          ? apr_time_sec(apr_time_now() - info.answered)
                          : -1);
        }
        failures += info.failures;
    }
    ap_rprintf(r, "CORSMapFailedLoads: %lu\n", failures);
}

static void show_maps_table(request_rec *r, const maps_state *st)
{
    int i;

    ap_rputs("<h2>CORS origin maps</h2>\n<table border=\"1\"><tr><th>map"
             "</th><th>entries</th><th>skipped</th><th>version</th>"
             "<th>read</th><th>failed loads</th><th>last error</th>"
             "<th>source last answered</th></tr>\n", r);
    for (i = 0; i < st->maps->nelts; i++) {
        cors_map_info info;
        char when[APR_CTIME_LEN] = "-", answered[APR_CTIME_LEN] = "-";
        cors_map_describe(r->pool, APR_ARRAY_IDX(st->maps, i, cors_map *),
                          &info);
        if (info.in_use) {
            apr_ctime(when, info.read_at);
        }
        if (info.answered) {
            apr_ctime(answered, info.answered);
        }
        ap_rprintf(r, "<tr><td>%s</td><td>%ld</td><td>%ld</td><td>%"
                   APR_UINT64_T_FMT "</td><td>%s</td><td>%lu</td><td>%s</td>"
                   "<td>%s</td></tr>\n", ap_escape_html(r->pool, info.spec),
                   info.entries, info.skipped, info.generation, when,
                   info.failures,
                   info.error ? ap_escape_html(r->pool, info.error) : "",
                   answered);
    }
    ap_rputs("</table>\n", r);
}

static int maps_status_hook(request_rec *r, int flags)
{
    const maps_state *st = state;

    if (st == NULL) {
        return OK;
    }
    if (flags & AP_STATUS_SHORT) {
        show_maps_auto(r, st);
    }
    else {
        show_maps_table(r, st);
    }
    return OK;
}

void cors_map_register_hooks(apr_pool_t *p)
{
    /* The first tick may come as soon as maps_child_init is done: a dbd:
     * source needs mod_dbd's connection pool of the child by then (before
     * it, ap_dbd_open fails without a word). */
    static const char *const after_dbd[] = { "mod_dbd.c", NULL };

    (void)p;
    ap_hook_pre_config(maps_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_config(maps_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(maps_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(maps_child_init, after_dbd, NULL, APR_HOOK_MIDDLE);
    APR_OPTIONAL_HOOK(ap, status_hook, maps_status_hook, NULL, NULL,
                      APR_HOOK_MIDDLE);
}
