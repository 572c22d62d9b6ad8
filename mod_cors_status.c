/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mod_cors_status.c -- CORS counters in mod_status's server-status page.
 *
 * Where the counts live.  One anonymous shared memory segment, created in
 * post_config (in the parent, before the MPM forks its children) from
 * pconf, holds one row of counters per server_rec: the main server and
 * every virtual host, in the order of the server list.  Every child
 * process inherits the mapping, so a count made by any thread of any child
 * of any MPM (event, worker, prefork) lands in the same row, and the
 * server-status page, whichever child serves it, reads the sums directly.
 *
 * Why shared atomic counters and not one counter per scoreboard slot:
 * a per-slot layout would need the (child, thread) slot of the current
 * request, which httpd 2.4 keeps opaque (ap_sb_handle_t), and a segment of
 * ServerLimit x ThreadLimit x servers x notes; it would only save the
 * cache-line transfer between cores that an atomic add costs under load.
 * apr_atomic_inc64 is one locked add: no lock, no syscall, nothing that can
 * make a request wait for another (the contract: counting never blocks a
 * request on a lock).  Each server's row is padded to a 64-byte line so
 * that virtual hosts do not share one.  64-bit counters do not wrap.
 *
 * Restarts.  The segment belongs to pconf: a restart (graceful or not)
 * clears pconf, which unmaps the segment in the parent, and post_config
 * creates a new one, sized for the new list of virtual hosts.  The counts
 * therefore start again from zero at every start and restart.  Children of
 * the old generation keep their own mapping until they exit (a shared
 * anonymous mapping lives as long as a process maps it), so a request they
 * are still finishing is counted in the old segment, never in freed memory;
 * the kernel frees the old segment with the last of them.  Nothing leaks
 * from one generation to the next.
 *
 * server_rec -> row.  mod_cors has no per-server configuration of its own,
 * so each server_rec's slot for the module holds the address of its row,
 * set in post_config: a request reads it with ap_get_module_config().
 *
 * Without mod_status (ap_find_linked_module("mod_status.c") finds nothing
 * at post_config) no segment is created and cors_status_count() returns on
 * its first test.
 */

/* Before the APR headers: without it APR_OFFSETOF falls back to a
 * null-pointer expression that UBSan reports. */
#include <stddef.h>
#include <stdint.h>

#include "apr_atomic.h"
#include "apr_shm.h"
#include "apr_strings.h"
#include "apr_version.h"

#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"

/* After httpd.h: it needs apu.h and apr_hooks.h first. */
#include "apr_optional_hooks.h"

#include "mod_status.h"

#include "mod_cors.h"
#include "mod_cors_status.h"

APLOG_USE_MODULE(cors);

#if !APR_VERSION_AT_LEAST(1, 7, 0)
#error "mod_cors_status.c needs APR 1.7 (apr_atomic_inc64)"
#endif

/* The counters of one server, one per note and one of the requests whose
 * Origin a regex could not match within its limits, padded to a cache
 * line. */
#define REGEX_LIMIT_SLOT CORS_NOTE_COUNT
#define ROW_SLOTS (((CORS_NOTE_COUNT + 1) + 7) & ~7)
#define LINE_SIZE 64

typedef struct {
    volatile apr_uint64_t count[ROW_SLOTS];
} status_row;

/* The state of this configuration generation: NULL until post_config has
 * created it (and again after pconf is cleared), and always NULL without
 * mod_status.  Set in the parent before any child exists; read-only in the
 * children. */
typedef struct {
    status_row *rows;           /* in the shared segment */
    const server_rec **servers; /* row -> server, for the status page */
    int nservers;
} status_state;

static status_state *state;

/* The ?auto names, one per note (the contract of server-status?auto). */
static const char *const auto_names[CORS_NOTE_COUNT] = {
    [CORS_NOTE_PREFLIGHT_OK] = "CORSPreflightOk",
    [CORS_NOTE_PREFLIGHT_DENIED_ORIGIN] = "CORSPreflightDeniedOrigin",
    [CORS_NOTE_PREFLIGHT_DENIED_METHOD] = "CORSPreflightDeniedMethod",
    [CORS_NOTE_PREFLIGHT_DENIED_HEADERS] = "CORSPreflightDeniedHeaders",
    [CORS_NOTE_ALLOWED] = "CORSAllowed",
    [CORS_NOTE_DENIED_ORIGIN] = "CORSDeniedOrigin",
    [CORS_NOTE_NO_ORIGIN] = "CORSNoOrigin",
};

/* ------------------------------------------------------------------------
 * Counting (the request path)
 */

void cors_status_count(const request_rec *r, const cors_decision *d)
{
    status_row *row = ap_get_module_config(r->server->module_config,
                                           &cors_module);

    /* NULL without mod_status, or where the segment could not be made. */
    if (row && (unsigned int)d->note < CORS_NOTE_COUNT) {
        apr_atomic_inc64(&row->count[d->note]);
        if (d->reason == CORS_REASON_ORIGIN_MATCH_LIMIT) {
            apr_atomic_inc64(&row->count[REGEX_LIMIT_SLOT]);
        }
    }
}

/* ------------------------------------------------------------------------
 * Startup: the segment and the rows of the servers
 */

static apr_status_t forget_state(void *unused)
{
    (void)unused;
    state = NULL;
    return APR_SUCCESS;
}

/* The rows in an anonymous shared segment, aligned to a cache line (APR
 * keeps its own header at the start of the mapping). */
static apr_status_t create_rows(apr_pool_t *pconf, int nservers,
                                status_row **rows)
{
    apr_shm_t *shm;
    apr_size_t size = (apr_size_t)nservers * sizeof(status_row) + LINE_SIZE;
    apr_status_t rv;
    uintptr_t base;

    rv = apr_shm_create(&shm, size, NULL, pconf);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    base = (uintptr_t)apr_shm_baseaddr_get(shm);
    base = (base + LINE_SIZE - 1) & ~(uintptr_t)(LINE_SIZE - 1);
    *rows = (status_row *)base;
    memset(*rows, 0, (apr_size_t)nservers * sizeof(status_row));
    return APR_SUCCESS;
}

static int count_servers(const server_rec *s)
{
    int n = 0;

    for (; s != NULL; s = s->next) {
        n++;
    }
    return n;
}

static int cors_status_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                                   apr_pool_t *ptemp, server_rec *s)
{
    status_state *st;
    const server_rec *v;
    apr_status_t rv;
    int i;

    (void)plog;
    (void)ptemp;
    state = NULL;
    /* Nothing serves requests after the first of the two startup passes,
     * and nothing shows the counts without mod_status. */
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG
        || ap_find_linked_module("mod_status.c") == NULL) {
        return OK;
    }
    st = apr_pcalloc(pconf, sizeof(*st));
    st->nservers = count_servers(s);
    st->servers = apr_palloc(pconf, st->nservers * sizeof(*st->servers));
    /* The main server first, then the virtual hosts as written: httpd puts
     * each <VirtualHost> it reads at the head of the list after the main
     * server, so the list has them in reverse. */
    st->servers[0] = s;
    for (v = s->next, i = st->nservers - 1; v != NULL; v = v->next, i--) {
        st->servers[i] = v;
    }
    rv = create_rows(pconf, st->nservers, &st->rows);
    if (rv != APR_SUCCESS) {
        /* The counters are a report: the server runs without them. */
        ap_log_error(APLOG_MARK, APLOG_WARNING, rv, s, CORSLOGNO(0301)
                     "cannot create the shared memory for the CORS counters "
                     "(%d servers); server-status shows none",
                     st->nservers);
        return OK;
    }
    for (i = 0; i < st->nservers; i++) {
        ap_set_module_config(st->servers[i]->module_config, &cors_module,
                             &st->rows[i]);
    }
    state = st;
    apr_pool_cleanup_register(pconf, NULL, forget_state,
                              apr_pool_cleanup_null);
    return OK;
}

/* ------------------------------------------------------------------------
 * The server-status page
 */

static apr_uint64_t read_count(const status_state *st, int row, int slot)
{
    return apr_atomic_read64(&st->rows[row].count[slot]);
}

static apr_uint64_t total_count(const status_state *st, int slot)
{
    apr_uint64_t total = 0;
    int row;

    for (row = 0; row < st->nservers; row++) {
        total += read_count(st, row, slot);
    }
    return total;
}

/* "name:port (file:line)" for a virtual host; the main server's name. */
static const char *server_label(apr_pool_t *p, const server_rec *s)
{
    const char *name = s->server_hostname ? s->server_hostname : "";
    const char *label;

    label = s->port ? apr_psprintf(p, "%s:%u", name, (unsigned int)s->port)
                    : name;
    if (!s->is_virtual) {
        return apr_pstrcat(p, label, " (main server)", NULL);
    }
    if (s->defn_name) {
        return apr_psprintf(p, "%s (%s:%u)", label, s->defn_name,
                            s->defn_line_number);
    }
    return label;
}

/* The label of a row, escaped for the status page. */
static const char *row_label(request_rec *r, const status_state *st, int row)
{
    return ap_escape_html(r->pool, server_label(r->pool, st->servers[row]));
}

static void show_auto(request_rec *r, const status_state *st)
{
    int note;

    for (note = 0; note < CORS_NOTE_COUNT; note++) {
        ap_rprintf(r, "%s: %" APR_UINT64_T_FMT "\n", auto_names[note],
                   total_count(st, note));
    }
    ap_rprintf(r, "CORSRegexLimit: %" APR_UINT64_T_FMT "\n",
               total_count(st, REGEX_LIMIT_SLOT));
}

/* Below the notes: denied-origin requests whose Origin a regex could not
 * match within its limits (a hostile tenant's regex, or a crafted
 * Origin). */
static void show_regex_limit(request_rec *r, const status_state *st)
{
    ap_rprintf(r, "<p>Origins refused because a CORSAllowOriginMatch regex "
               "reached its match limit: %" APR_UINT64_T_FMT "</p>\n",
               total_count(st, REGEX_LIMIT_SLOT));
}

static void show_table(request_rec *r, const status_state *st)
{
    int note, row;

    ap_rputs("<table border=\"0\" class=\"cors\">\n<tr><th>Server</th>", r);
    for (note = 0; note < CORS_NOTE_COUNT; note++) {
        ap_rvputs(r, "<th>", cors_note_name(note), "</th>", NULL);
    }
    ap_rputs("</tr>\n", r);
    for (row = 0; row < st->nservers; row++) {
        ap_rvputs(r, "<tr><td>", row_label(r, st, row), "</td>", NULL);
        for (note = 0; note < CORS_NOTE_COUNT; note++) {
            ap_rprintf(r, "<td>%" APR_UINT64_T_FMT "</td>",
                       read_count(st, row, note));
        }
        ap_rputs("</tr>\n", r);
    }
    ap_rputs("</table>\n", r);
    show_regex_limit(r, st);
}

/* ?notable: the same figures as a definition list per server. */
static void show_list(request_rec *r, const status_state *st)
{
    int note, row;

    for (row = 0; row < st->nservers; row++) {
        ap_rvputs(r, "<h3>", row_label(r, st, row), "</h3>\n<dl>\n", NULL);
        for (note = 0; note < CORS_NOTE_COUNT; note++) {
            ap_rprintf(r, "<dt>%s</dt><dd>%" APR_UINT64_T_FMT "</dd>\n",
                       cors_note_name(note), read_count(st, row, note));
        }
        ap_rputs("</dl>\n", r);
    }
    show_regex_limit(r, st);
}

static int cors_status_hook(request_rec *r, int flags)
{
    const status_state *st = state;

    if (st == NULL) {
        return OK;
    }
    if (flags & AP_STATUS_SHORT) {
        show_auto(r, st);
        return OK;
    }
    ap_rputs("<hr />\n<h2>CORS requests by note (since the last start or "
             "restart)</h2>\n", r);
    if (flags & AP_STATUS_NOTABLE) {
        show_list(r, st);
    }
    else {
        show_table(r, st);
    }
    return OK;
}

void cors_status_register_hooks(apr_pool_t *p)
{
    (void)p;
    /* Any position: whether mod_status is loaded is known once the
     * configuration is read, before any post_config hook runs.  The status
     * hook is only called when mod_status is there to run it. */
    ap_hook_post_config(cors_status_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    APR_OPTIONAL_HOOK(ap, status_hook, cors_status_hook, NULL, NULL,
                      APR_HOOK_MIDDLE);
}
