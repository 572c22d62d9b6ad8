/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors_map.c -- CORSAllowOriginMap as published versions (see cors_map.h).
 *
 * Three roles, all in this file, each in a process of its own kind:
 *  - the parent at startup (cors_map_start): reads each file source once
 *    and publishes it, or falls back to the last good image on disk;
 *  - the loader (cors_map_poll), one child per server: sees a source
 *    change, waits until it has settled, reads it whole into a builder,
 *    and publishes a complete, valid result;
 *  - every child (cors_map_follow, cors_map_match): maps the newest image
 *    and answers requests from it.
 *
 * What a file source is and how it is read is cors_map_file.c's, the
 * image files cors_map_disk.c's; a source polled through a function (dbd:)
 * is the glue's.
 */
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include "apr_atomic.h"
#include "apr_file_info.h"
#include "apr_hash.h"
#include "apr_strings.h"

#include "cors_map.h"

#include "cors_map_int.h"

/* ------------------------------------------------------------------------
 * Messages
 */

static void map_log(const cors_map *m, cors_log_level level,
                    const char *fmt, ...)
{
    char msg[2048];
    va_list ap;

    if (m->log == NULL) {
        return;
    }
    va_start(ap, fmt);
    apr_vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    m->log(m->log_baton, level, msg);
}

void cors_map_set_logger(cors_map *map, cors_log_fn *fn, void *baton)
{
    map->log = fn;
    map->log_baton = baton;
}

/* ------------------------------------------------------------------------
 * The registry: the maps of one configuration, in pconf
 */

#define REGISTRY_KEY "cors_map registry"

typedef struct {
    apr_hash_t *by_key;
    apr_array_header_t *all;
} registry;

static registry *get_registry(apr_pool_t *pconf, int create)
{
    void *reg = NULL;

    apr_pool_userdata_get(&reg, REGISTRY_KEY, pconf);
    if (reg == NULL && create) {
        registry *r = apr_pcalloc(pconf, sizeof(*r));
        r->by_key = apr_hash_make(pconf);
        r->all = apr_array_make(pconf, 4, sizeof(cors_map *));
        apr_pool_userdata_setn(r, REGISTRY_KEY, NULL, pconf);
        reg = r;
    }
    return reg;
}

apr_array_header_t *cors_map_all(apr_pool_t *pconf)
{
    registry *r = get_registry(pconf, 0);

    return r ? r->all : NULL;
}

static void destroy_version(map_version *v)
{
    if (v) {
        apr_pool_destroy(v->pool);
    }
}

static apr_status_t map_cleanup(void *data)
{
    cors_map *m = data;

    destroy_version(m->retired);
    destroy_version(m->current);
    m->retired = NULL;
    m->current = NULL;
    return APR_SUCCESS;
}

static void register_map(apr_pool_t *pconf, registry *r, cors_map *m)
{
    m->pool = pconf;
    apr_hash_set(r->by_key, m->key, APR_HASH_KEY_STRING, m);
    APR_ARRAY_PUSH(r->all, cors_map *) = m;
    apr_pool_cleanup_register(pconf, m, map_cleanup, apr_pool_cleanup_null);
}

cors_map_kind cors_map_kind_of(const cors_map *map)
{
    return map->file.kind;
}

const char *cors_map_spec(const cors_map *map)
{
    return map->spec;
}

void cors_map_set_defined_at(cors_map *map, const char *where)
{
    if (map->defined_at == NULL) {
        map->defined_at = where;
    }
}

const char *cors_map_defined_at(const cors_map *map)
{
    return map->defined_at ? map->defined_at : "?";
}

const char *cors_map_define(apr_pool_t *pconf, const char *spec,
                            const char *root, cors_map **out)
{
    registry *r = get_registry(pconf, 1);
    const char *key = apr_pstrcat(pconf, root ? root : "", "\n", spec, NULL);
    cors_map *m = apr_hash_get(r->by_key, key, APR_HASH_KEY_STRING);
    const char *err;

    if (m == NULL) {
        m = apr_pcalloc(pconf, sizeof(*m));
        m->tested = -1;
        if ((err = cors_map_file_parse(pconf, spec, root, &m->file)) != NULL) {
            return err;
        }
        m->spec = apr_pstrdup(pconf, spec);
        m->key = key;
        register_map(pconf, r, m);
    }
    *out = m;
    return NULL;
}

cors_map *cors_map_define_source(apr_pool_t *pconf, const char *spec,
                                 const char *key, cors_source_poll_fn *fn,
                                 void *source, void *server)
{
    registry *r = get_registry(pconf, 1);
    const char *k = apr_pstrcat(pconf, key, "\n", spec, NULL);
    cors_map *m = apr_hash_get(r->by_key, k, APR_HASH_KEY_STRING);

    if (m == NULL) {
        m = apr_pcalloc(pconf, sizeof(*m));
        m->tested = -1;
        m->file.kind = CORS_MAP_DBD;
        m->spec = apr_pstrdup(pconf, spec);
        m->key = k;
        m->poll_fn = fn;
        m->source = source;
        m->server = server;
        register_map(pconf, r, m);
    }
    return m;
}

/* ------------------------------------------------------------------------
 * Shared state: written by one loader at a time, read by anyone
 */

apr_size_t cors_map_shared_size(void)
{
    return APR_ALIGN_DEFAULT(sizeof(cors_map_shared));
}

/* The image file: one per map, named by a hash of what tells maps apart. */
static const char *image_name(apr_pool_t *p, const cors_map *m)
{
    apr_uint64_t h = APR_UINT64_C(0xcbf29ce484222325);
    const unsigned char *s;

    for (s = (const unsigned char *)m->key; *s; s++) {
        h = (h ^ *s) * APR_UINT64_C(0x100000001b3);
    }
    return apr_psprintf(p, "%s-%016" APR_UINT64_T_HEX_FMT IMAGE_EXT,
                        m->file.kind == CORS_MAP_TXT ? "txt"
                        : m->file.kind == CORS_MAP_DBM ? "dbm" : "dbd", h);
}

void cors_map_attach(cors_map *map, const char *dir, void *shared)
{
    char *path = NULL;

    apr_filepath_merge(&path, dir, image_name(map->pool, map), 0, map->pool);
    map->image_path = path;
    map->shared = shared;
}

/* Keeps err in the shared state; 0 when it was there already. */
static int share_failure(cors_map *m, const char *err)
{
    cors_map_shared *sh = m->shared;

    if (sh == NULL) {
        return 1;
    }
    if (strncmp(sh->error, err, ERROR_MAX - 1) == 0) {
        return 0;
    }
    apr_atomic_inc32(&sh->seq);
    apr_cpystrn(sh->error, err, ERROR_MAX);
    sh->error_at = apr_time_now();
    apr_atomic_inc32(&sh->seq);
    apr_atomic_inc32(&sh->failures);
    return 1;
}

/* The loader records a failure: logged and counted once per distinct
 * error, so that a bad file retried every second, or a loader that moved
 * to another child, does not fill the log. */
static void record_failure(cors_map *m, const char *err)
{
    const map_version *v = m->current;

    if (!share_failure(m, err)) {
        return;
    }
    if (v) {
        map_log(m, CORS_LOG_ERROR, "CORSAllowOriginMap %s: %s; keeping "
                "the last good version (%" APR_UINT64_T_FMT ")", m->spec, err,
                v->img.meta.generation);
    }
    else {
        map_log(m, CORS_LOG_ERROR, "CORSAllowOriginMap %s: %s; no "
                "version yet: the map allows no origin", m->spec, err);
    }
}

static void clear_failure(cors_map *m)
{
    cors_map_shared *sh = m->shared;

    if (sh && sh->error[0]) {
        apr_atomic_inc32(&sh->seq);
        sh->error[0] = '\0';
        apr_atomic_inc32(&sh->seq);
    }
}

static loader_state *loader_of(cors_map *m)
{
    return m->shared ? &m->shared->loader : &m->own_loader;
}

/* Has the identity been the same for the settle interval, counted from
 * the file's last write?  A file written longer ago than that (one renamed
 * into place, one found at a restart) has settled the moment it is seen;
 * the identity must still be the same after the read. */
static int settled(cors_map *m, const char *token, apr_int64_t mtime_ns,
                   apr_time_t now)
{
    apr_interval_time_t settle = apr_time_from_msec(CORS_MAP_SETTLE_MS);
    apr_int64_t age_ns = (apr_int64_t)now * 1000 - mtime_ns;
    loader_state *ls = loader_of(m);

    if (strcmp(ls->settling, token) != 0) {
        apr_cpystrn(ls->settling, token, sizeof(ls->settling));
        /* The file has stood still since it was last written, if that
         * is in the past; one dated in the future waits from now. */
        ls->settling_since = age_ns >= 0 ? now - age_ns / 1000 : now;
    }
    return now - ls->settling_since >= settle;
}

/* ------------------------------------------------------------------------
 * Versions in use
 *
 * Readers and the one thread that follows the published versions agree
 * through two reader counters and an epoch bit:
 *
 *   reader:   e = epoch; readers[e]++; if epoch changed, undo and retry;
 *             v = current; ...read v...; readers[e]--
 *   follower: old = xchg(current, new); e = epoch; epoch = !e;
 *             old is retired in epoch e, and unmapped once readers[e] is 0
 *
 * A reader that can hold old counted itself in readers[e] before it read
 * current, and current changed before the epoch did, so a reader that
 * enters after the flip counts in the other counter and gets new: no new
 * reader joins readers[e], which only drains.  The follower unmaps the
 * retired version when it sees readers[e] at 0, at once or at a later
 * tick, and swaps in no new version while one is still retired, so the
 * epoch cannot come back to e before e has drained.  A reader never
 * waits: its cost is two atomic increments and decrements.
 */

static map_version *enter_version(cors_map *m, apr_uint32_t *e)
{
    for (;;) {
        *e = apr_atomic_read32(&m->epoch);
        apr_atomic_inc32(&m->readers[*e]);
        if (apr_atomic_read32(&m->epoch) == *e) {
            return apr_atomic_casptr((volatile void **)&m->current, NULL,
                                     NULL);
        }
        apr_atomic_dec32(&m->readers[*e]);
    }
}

static void leave_version(cors_map *m, apr_uint32_t e)
{
    apr_atomic_dec32(&m->readers[e]);
}

static void reclaim(cors_map *m)
{
    if (m->retired
        && apr_atomic_read32(&m->readers[m->retired_epoch]) == 0) {
        destroy_version(m->retired);
        m->retired = NULL;
    }
}

static void swap_in(cors_map *m, map_version *v)
{
    map_version *old = apr_atomic_xchgptr((volatile void **)&m->current, v);
    apr_uint32_t e = apr_atomic_read32(&m->epoch);

    apr_atomic_xchg32(&m->epoch, e ^ 1);
    if (old) {
        m->retired = old;
        m->retired_epoch = e;
        reclaim(m);
    }
}

static apr_uint64_t in_use_generation(const cors_map *m)
{
    const map_version *v = m->current;

    return v ? v->img.meta.generation : 0;
}

/* Whether a follow waits: the version before the last one still drains,
 * or a mapping that failed waits for its retry. */
static int follow_waits(cors_map *m)
{
    reclaim(m);
    return m->retired
           || (m->follow_logged && apr_time_now() < m->follow_retry_at);
}

/* Maps the image file and swaps it in when it is newer than the version in
 * use.  Returns 0, or -1 when the mapping failed: no file descriptor or
 * memory left for a moment, logged once and tried again after
 * CORS_MAP_RETRY_MS, since nothing else would make this child look again
 * before the next change and it would answer from an old version. */
static int take_image(cors_map *m)
{
    map_version *v;
    char err[1024];

    if (cors_map_map_image(m, err, sizeof(err), &v) != 0) {
        if (!m->follow_logged) {
            map_log(m, CORS_LOG_ERROR, "CORSAllowOriginMap %s: cannot "
                    "use the published version: %s", m->spec, err);
            m->follow_logged = 1;
        }
        m->follow_retry_at = apr_time_now()
                             + apr_time_from_msec(CORS_MAP_RETRY_MS);
        return -1;
    }
    m->follow_logged = 0;
    if (v->img.meta.generation <= in_use_generation(m)) {
        destroy_version(v);
    }
    else {
        swap_in(m, v);
    }
    return 0;
}

void cors_map_follow(cors_map *m)
{
    apr_uint32_t gen;

    if (follow_waits(m)) {
        return;
    }
    gen = m->shared ? apr_atomic_read32(&m->shared->generation) : 0;
    if (gen != m->followed && take_image(m) == 0) {
        m->followed = gen;
    }
}

void cors_map_follow_file(cors_map *m)
{
    struct stat st;

    if (follow_waits(m) || stat(m->image_path, &st) != 0) {
        return;
    }
    if ((st.st_ino != m->followed_inode
         || st.st_mtim.tv_sec != m->followed_mtime.tv_sec
         || st.st_mtim.tv_nsec != m->followed_mtime.tv_nsec)
        && take_image(m) == 0) {
        m->followed_inode = st.st_ino;
        m->followed_mtime = st.st_mtim;
    }
}

int cors_map_match(const void *data, const char *origin)
{
    /* The version pointer and its counters are atomics: the const of the
     * matcher interface is about the policy, not these. */
    cors_map *m = (cors_map *)data;
    apr_uint32_t e;
    map_version *v = enter_version(m, &e);
    int found = v != NULL && cors_image_match(&v->img, origin);

    leave_version(m, e);
    return found;
}

/* ------------------------------------------------------------------------
 * The loader
 */

static const char *describe_version(apr_pool_t *p, const cors_image_meta *m)
{
    char when[APR_CTIME_LEN];

    apr_ctime(when, m->read_at);
    return apr_psprintf(p, "version %" APR_UINT64_T_FMT ", %ld entries, "
                        "read %s", m->generation, m->entries, when);
}

/* A file of comments only is a map that means to allow nothing: said
 * once per version. */
static void warn_if_empty(const cors_map *m, int comments_only)
{
    if (comments_only) {
        map_log(m, CORS_LOG_WARNING, "CORSAllowOriginMap %s: %s has only "
                "comments: the map allows no origin", m->spec, m->file.path);
    }
}

/* Publishes what b holds, read at now; logs it. */
static int publish_read(cors_map *m, apr_pool_t *p, cors_map_builder *b,
                        const char *token, long skipped, apr_time_t now)
{
    cors_image_meta meta;
    const char *err;

    memset(&meta, 0, sizeof(meta));
    meta.read_at = now;
    meta.entries = cors_image_builder_entries(b);
    meta.skipped = skipped;
    meta.token = token;
    if ((err = cors_map_publish(m, p, b, &meta, in_use_generation(m))) != NULL) {
        record_failure(m, err);
        return 0;
    }
    clear_failure(m);
    map_log(m, CORS_LOG_INFO, "CORSAllowOriginMap %s: published %s in %"
            APR_TIME_T_FMT " ms", m->spec, describe_version(p, &meta),
            apr_time_as_msec(apr_time_now() - now));
    return 1;
}

/* Is the published image still there?  A runtime directory emptied
 * under a running server (a tmp cleaner) would leave the children started
 * later without a version: the loader publishes it again. */
static int image_on_disk(const cors_map *m)
{
    struct stat st;

    return stat(m->image_path, &st) == 0;
}

static int poll_file(cors_map *m, apr_pool_t *p, apr_time_t now)
{
    const map_version *v = m->current;
    char token[TOKEN_MAX];
    const char *err;
    apr_int64_t mtime;
    cors_map_builder *b;
    apr_pool_t *load;
    cors_read_result r;
    int published = 0, comments_only;

    if ((err = cors_map_file_identity(p, &m->file, token, &mtime)) != NULL) {
        loader_of(m)->settling[0] = '\0';
        record_failure(m, err);
        return 0;
    }
    if (v && strcmp(v->img.meta.token, token) == 0 && image_on_disk(m)) {
        clear_failure(m);       /* the file is the version in use again */
        return 0;
    }
    if (!settled(m, token, mtime, now)
        || (now < loader_of(m)->retry_at
            && strcmp(loader_of(m)->failed, token) == 0)) {
        return 0;
    }
    load = cors_map_own_pool();
    b = cors_map_file_builder(&m->file, load);
    r = cors_map_file_read(&m->file, load, token, b, &comments_only, &err);
    if (r == CORS_READ_UNSETTLED) {
        loader_of(m)->settling[0] = '\0';
    }
    else if (r == CORS_READ_FAILED) {
        record_failure(m, err);
        apr_cpystrn(loader_of(m)->failed, token, TOKEN_MAX);
        loader_of(m)->retry_at = now + apr_time_from_msec(CORS_MAP_RETRY_MS);
    }
    else {
        warn_if_empty(m, comments_only);
        published = publish_read(m, load, b, token, 0, now);
    }
    cors_map_drop_pool(load);
    return published;
}

/* Shared fields other than the generation and the error: a torn read of
 * one of them only shows in mod_status. */
static void note_answer(cors_map *m, apr_time_t answered, apr_time_t polled)
{
    if (m->shared && answered) {
        m->shared->answered = answered;
    }
    if (m->shared && polled) {
        m->shared->polled = polled;
    }
}

static int poll_source(cors_map *m, apr_time_t now)
{
    const map_version *v = m->current;
    cors_source_poll poll;
    cors_source_result r;
    apr_pool_t *load;
    int published = 0;

    if (now < loader_of(m)->next_poll) {
        return 0;
    }
    loader_of(m)->next_poll = now + apr_time_from_msec(CORS_MAP_DBD_POLL_MS);
    load = cors_map_own_pool();
    memset(&poll, 0, sizeof(poll));
    poll.pool = load;
    poll.server = m->server;
    poll.token = v ? v->img.meta.token : "";
    poll.read_at = v ? v->img.meta.read_at : 0;
    if (m->shared && m->shared->polled > poll.read_at) {
        poll.read_at = m->shared->polled;
    }
    poll.builder = cors_image_builder_make(load, CORS_BUILD_ANY_ENTRY);
    r = m->poll_fn(m->source, &poll);
    note_answer(m, poll.answered, r == CORS_SOURCE_READ ? now : 0);
    if (r == CORS_SOURCE_FAILED) {
        record_failure(m, poll.error ? poll.error : "the source failed");
    }
    else if (r == CORS_SOURCE_UNCHANGED
             || (v && v->img.meta.digest
                      == cors_image_builder_digest(poll.builder)
                 && v->img.meta.entries
                      == cors_image_builder_entries(poll.builder)
                 && strcmp(v->img.meta.token, poll.new_token ? poll.new_token
                                                             : "") == 0)) {
        clear_failure(m);
    }
    else {
        published = publish_read(m, load, poll.builder,
                                  poll.new_token ? poll.new_token : "",
                                  poll.skipped, now);
    }
    cors_map_drop_pool(load);
    return published;
}

int cors_map_poll(cors_map *m, apr_pool_t *ptemp)
{
    apr_time_t now = apr_time_now();

    return m->poll_fn ? poll_source(m, now) : poll_file(m, ptemp, now);
}

/* ------------------------------------------------------------------------
 * Startup
 */

const char *cors_map_test(cors_map *m, apr_pool_t *ptemp)
{
    const char *err = NULL;
    int comments_only;
    cors_map_builder *b;
    apr_pool_t *load;

    if (m->poll_fn) {
        return NULL;            /* a database is not the config's to test */
    }
    load = cors_map_own_pool();
    b = cors_map_file_builder(&m->file, load);
    if (cors_map_file_read(&m->file, load, NULL, b, &comments_only, &err) != CORS_READ_OK) {
        err = apr_pstrdup(ptemp, err ? err : "changed while it was read");
    }
    m->tested = cors_image_builder_entries(b);
    cors_map_drop_pool(load);
    return err;
}

/* The file as it is now, once it has settled (a restart right after an
 * edit waits the settle interval, once). */
static const char *settled_identity(cors_map *m, apr_pool_t *p, char *token)
{
    apr_int64_t mtime;
    const char *err = cors_map_file_identity(p, &m->file, token, &mtime);
    apr_int64_t age_ms = (apr_time_now() * 1000 - mtime) / 1000000;

    if (err == NULL && age_ms >= 0 && age_ms < CORS_MAP_SETTLE_MS) {
        apr_sleep(apr_time_from_msec(CORS_MAP_SETTLE_MS - age_ms));
        err = cors_map_file_identity(p, &m->file, token, &mtime);
    }
    return err;
}

/* Reads the file source for a start: NULL, or why it gave no version. */
static const char *start_read(cors_map *m, apr_pool_t *ptemp,
                              const map_version *last)
{
    char token[TOKEN_MAX];
    const char *err;
    cors_map_builder *b;
    apr_pool_t *load;
    cors_read_result r;
    int comments_only;

    if ((err = settled_identity(m, ptemp, token)) != NULL) {
        return err;
    }
    if (last && strcmp(last->img.meta.token, token) == 0) {
        cors_map_announce(m, last->img.meta.generation);
        return NULL;            /* the file has not changed since */
    }
    load = cors_map_own_pool();
    b = cors_map_file_builder(&m->file, load);
    r = cors_map_file_read(&m->file, load, token, b, &comments_only, &err);
    if (r == CORS_READ_OK) {
        cors_image_meta meta;
        warn_if_empty(m, comments_only);
        memset(&meta, 0, sizeof(meta));
        meta.read_at = apr_time_now();
        meta.entries = cors_image_builder_entries(b);
        meta.token = token;
        err = cors_map_publish(m, load, b, &meta,
                      last ? last->img.meta.generation : 0);
    }
    else if (r == CORS_READ_UNSETTLED) {
        err = "changed while it was read";
    }
    err = err ? apr_pstrdup(ptemp, err) : NULL;
    cors_map_drop_pool(load);
    return err;
}

const char *cors_map_start(cors_map *m, apr_pool_t *ptemp)
{
    map_version *last = NULL;
    char why[1024];
    const char *err = NULL;

    cors_map_map_image(m, why, sizeof(why), &last);
    if (m->poll_fn) {
        if (last) {
            cors_map_announce(m, last->img.meta.generation);
        }
        else {
            map_log(m, CORS_LOG_WARNING, "CORSAllowOriginMap %s: no "
                    "version on disk yet: the map allows no origin until "
                    "its first load", m->spec);
        }
    }
    else if ((err = start_read(m, ptemp, last)) != NULL) {
        if (last) {
            map_log(m, CORS_LOG_ERROR, "CORSAllowOriginMap %s: %s; "
                    "starting with the last good %s", m->spec, err,
                    describe_version(ptemp, &last->img.meta));
            share_failure(m, err);
            cors_map_announce(m, last->img.meta.generation);
            err = NULL;
        }
        else {
            err = apr_psprintf(ptemp, "%s (and no last good version in %s)",
                               err, m->image_path);
        }
    }
    destroy_version(last);
    return err;
}

/* ------------------------------------------------------------------------
 * What a map holds
 */

void cors_map_describe(apr_pool_t *p, cors_map *m, cors_map_info *info)
{
    cors_map_shared *sh = m->shared;
    apr_uint32_t e;
    map_version *v = enter_version(m, &e);

    memset(info, 0, sizeof(*info));
    info->kind = m->file.kind;
    info->spec = m->spec;
    info->dbm_type = m->file.dbm_type;
    info->tested = m->tested;
    if (v == NULL && m->shared == NULL && m->image_path) {
        map_version *last;
        char why[1024];
        if (cors_map_map_image(m, why, sizeof(why), &last) == 0) {
            info->last_good = last->img.meta.generation;
            destroy_version(last);
        }
    }
    if (v) {
        info->in_use = 1;
        info->generation = v->img.meta.generation;
        info->entries = v->img.meta.entries;
        info->skipped = v->img.meta.skipped;
        info->read_at = v->img.meta.read_at;
    }
    leave_version(m, e);
    if (sh) {
        char error[ERROR_MAX];
        apr_uint32_t seq;
        int tries = 0;
        do {                    /* the loader may be writing it */
            seq = apr_atomic_read32(&sh->seq);
            memcpy(error, sh->error, sizeof(error));
            info->error_at = sh->error_at;
        } while ((seq & 1 || seq != apr_atomic_read32(&sh->seq))
                 && ++tries < 100);
        error[sizeof(error) - 1] = '\0';
        info->error = error[0] ? apr_pstrdup(p, error) : NULL;
        info->failures = apr_atomic_read32(&sh->failures);
        info->answered = sh->answered;
    }
}
