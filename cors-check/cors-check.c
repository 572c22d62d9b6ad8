/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cors-check -- what a browser (Chromium) makes of a cross-origin fetch():
 * plays the CORS protocol against a real server, prints every request,
 * response and check, and, when the browser would block the fetch, the
 * message Chromium prints in its console and a likely fix.
 *
 *   cors-check --origin ORIGIN [--method M] [--header 'Name: value']...
 *              [--credentials] [--read-header NAME]... [--json] [--insecure] URL
 *   cors-check audit [--json] PATH...     (audit_report.c: the recipes of a
 *              configuration, their risks, the directives that replace them)
 *   cors-check propose [--json] [--min-requests N] [--prefix PATH]
 *              [--credentials] LOG...     (propose_cmd.c: a policy from traffic)
 *
 * Exit status: 0 the page's script can read the response, 1 the browser
 * blocks it, 2 usage or network error (never a verdict on a network error).
 *
 * The protocol is in fetch_model.c (pure; its messages in fetch_messages.c),
 * the I/O in net_io.c (libcurl), the output in report.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apr_general.h"

#include "audit.h"
#include "cors_logic.h"
#include "fetch_model.h"
#include "net_io.h"
#include "propose_cmd.h"
#include "report.h"

#define EXIT_ALLOWED 0
#define EXIT_BLOCKED 1
#define EXIT_USAGE 2

#define ERR_MAX 512

typedef struct {
    const char *origin;
    const char *url;
    const char *read[REPORT_MAX_READ];
    size_t nread;
    int json;
    nio_options net;
    fm_request req;
} options;

/* Chromium's preflight cache, for the hops of this one fetch: a redirect
 * back to a URL whose preflight answer is still fresh sends none. */
typedef struct {
    char *url;
    char *origin;
    fm_credentials credentials;
    char *acam, *acah;
} cached_preflight;

#define CACHE_MAX 8
static cached_preflight cache[CACHE_MAX];
static size_t ncache;

static report the_report;     /* large: kept out of the stack */
static nio_response the_response;

static void usage(FILE *out)
{
    fputs("usage: cors-check --origin ORIGIN [--method M] [--header 'Name: value']...\n"
          "                  [--credentials] [--read-header NAME]... [--json] [--insecure]"
          " URL\n"
          "Plays a cross-origin fetch(URL) from a page of ORIGIN as Chromium does and\n"
          "says whether the page's script can read the response.\n"
          "       cors-check audit --help     the CORS recipes of a configuration\n"
          "       cors-check propose --help   a policy from an access log\n"
          "exit: 0 readable, 1 blocked by the browser or a --read-header name\n"
          "      not readable, 2 usage or network error\n",
          out);
}

static int usage_error(const char *fmt, const char *arg)
{
    fputs("cors-check: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    usage(stderr);
    return EXIT_USAGE;
}

/* ---- the request as fetch() builds it ------------------------------------- */

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* --header 'Name: value' into the request, as Headers.append() does:
 * value trimmed, a repeated name combined into one "a, b" value, a
 * forbidden name dropped (fetch() drops those without a word). */
static int add_header(options *o, report *r, const char *arg)
{
    const char *colon = strchr(arg, ':'), *vs, *ve;
    char *name, *value;
    size_t i, nlen;

    if (colon == NULL || colon == arg) {
        return usage_error("--header needs 'Name: value', got '%s'", arg);
    }
    nlen = (size_t)(colon - arg);
    name = strndup(arg, nlen);
    vs = colon + 1;
    ve = vs + strlen(vs);
    while (vs < ve && is_ws(*vs)) {
        vs++;
    }
    while (ve > vs && is_ws(ve[-1])) {
        ve--;
    }
    value = strndup(vs, (size_t)(ve - vs));
    if (name == NULL || value == NULL) {
        return usage_error("%s", "out of memory");
    }
    if (!cors_is_token(name)) {
        return usage_error("'%s' is not a header name (fetch() throws a TypeError)", name);
    }
    if (strpbrk(value, "\r\n") || memchr(value, '\0', (size_t)(ve - vs))) {
        return usage_error("the value of %s has CR or LF (fetch() throws a TypeError)",
                           name);
    }
    if (fm_header_is_forbidden(name)) {
        report_note(r, "%s is a forbidden request header: fetch() drops it silently, "
                    "so cors-check does not send it", name);
        return 0;
    }
    for (i = 0; i < o->req.nheaders; i++) {
        if (strcasecmp(o->req.headers[i].name, name) == 0) {
            char *joined;

            if (asprintf(&joined, "%s, %s", o->req.headers[i].value, value) < 0) {
                return usage_error("%s", "out of memory");
            }
            o->req.headers[i].value = joined;
            return 0;
        }
    }
    if (o->req.nheaders >= FM_MAX_REQ_HEADERS) {
        return usage_error("more than %s --header options", "64");
    }
    o->req.headers[o->req.nheaders].name = name;
    o->req.headers[o->req.nheaders].value = value;
    o->req.nheaders++;
    return 0;
}

static int parse_args(int argc, char **argv, options *o, report *r)
{
    static const struct option longopts[] = {
        { "origin", required_argument, NULL, 'o' },
        { "method", required_argument, NULL, 'X' },
        { "header", required_argument, NULL, 'H' },
        { "credentials", no_argument, NULL, 'c' },
        { "read-header", required_argument, NULL, 'r' },
        { "json", no_argument, NULL, 'j' },
        { "insecure", no_argument, NULL, 'k' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *method = "GET";
    int c;

    memset(o, 0, sizeof(*o));
    o->net.connect_timeout = 10;
    o->net.timeout = 30;
    while ((c = getopt_long(argc, argv, "o:X:H:cr:jkh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->origin = optarg;
            break;
        case 'X':
            method = optarg;
            break;
        case 'H':
            if (add_header(o, r, optarg) != 0) {
                return EXIT_USAGE;
            }
            break;
        case 'c':
            o->req.credentials = FM_CREDENTIALS_INCLUDE;
            break;
        case 'r':
            if (o->nread >= REPORT_MAX_READ) {
                return usage_error("more than %s --read-header options", "32");
            }
            if (!cors_is_token(optarg)) {
                return usage_error("'%s' is not a header name", optarg);
            }
            o->read[o->nread++] = optarg;
            break;
        case 'j':
            o->json = 1;
            break;
        case 'k':
            o->net.insecure = 1;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        return usage_error("%s", "exactly one URL is needed");
    }
    o->url = argv[optind];
    if (o->origin == NULL) {
        return usage_error("%s", "--origin ORIGIN is required (the page's origin, "
                           "e.g. https://app.example.com)");
    }
    if (!cors_origin_is_valid(o->origin)) {
        return usage_error("'%s' is not an origin as a browser sends it "
                           "(lowercase scheme://host[:port], no path, no default port)",
                           o->origin);
    }
    if (!cors_is_token(method)) {
        return usage_error("'%s' is not a method (fetch() throws a TypeError)", method);
    }
    if (fm_method_is_forbidden(method)) {
        return usage_error("%s is a forbidden method (fetch() throws a TypeError)", method);
    }
    fm_normalize_method(method, o->req.method, sizeof(o->req.method));
    return 0;
}

/* ---- the exchanges -------------------------------------------------------- */

static int is_cors_relevant(const char *name, const options *o)
{
    size_t i;

    if (strncasecmp(name, "access-control-", 15) == 0 || strcasecmp(name, "vary") == 0
        || strcasecmp(name, "location") == 0) {
        return 1;
    }
    for (i = 0; i < o->nread; i++) {
        if (strcasecmp(name, o->read[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

static void record_response(exchange *e, const nio_response *nr, const options *o)
{
    size_t i;

    e->status = nr->resp.status;
    e->reason = strdup(nr->reason);
    for (i = 0; i < nr->resp.nheaders && e->nresp < FM_MAX_RESP_HEADERS; i++) {
        if (is_cors_relevant(nr->resp.headers[i].name, o)) {
            e->resp[e->nresp].name = strdup(nr->resp.headers[i].name);
            e->resp[e->nresp].value = strdup(nr->resp.headers[i].value);
            e->nresp++;
        }
    }
}

static int network_failure(report *r, const char *err)
{
    r->verdict = VERDICT_ERROR;
    r->network_error = strdup(err);
    return EXIT_USAGE;
}

static int blocked(report *r, const fm_failure *f, const options *o,
                   const char *initial_url, const char *last_url)
{
    char msg[2048], fix[1024];

    fm_console_message(f, initial_url, last_url, o->origin, msg, sizeof(msg));
    fm_fix_hint(f, &o->req, o->origin, fix, sizeof(fix));
    r->verdict = VERDICT_BLOCKED;
    r->error = f->error;
    r->console = strdup(msg);
    r->fix = strdup(fix);
    r->final_url = strdup(last_url);
    return EXIT_BLOCKED;
}

/* Notes about a preflight answer that pass in Chromium but deserve a word. */
static void note_max_age(report *r, const fm_response *resp)
{
    char buf[256];
    const char *v = fm_response_get(resp, "Access-Control-Max-Age", buf, sizeof(buf));

    if (v == NULL) {
        report_note(r, "no Access-Control-Max-Age: Chromium keeps this preflight 5 s "
                    "(CORSMaxAge sets it; Chromium caps it at 7200 s)");
    } else if (strspn(v, "0123456789") != strlen(v) || *v == '\0') {
        report_note(r, "Access-Control-Max-Age '%s' is not a number: Chromium uses the "
                    "preflight once and keeps nothing", v);
    } else if (strtoull(v, NULL, 10) > 7200) {
        report_note(r, "Access-Control-Max-Age %s: Chromium caps it at 7200 s", v);
    }
}

static void note_vary(report *r, const fm_response *resp)
{
    char acao_buf[512], vary_buf[512];
    const char *acao = fm_response_get(resp, "Access-Control-Allow-Origin", acao_buf,
                                       sizeof(acao_buf));
    const char *vary = fm_response_get(resp, "Vary", vary_buf, sizeof(vary_buf));

    if (acao && strcmp(acao, "*") != 0 && !(vary && cors_list_has(vary, "Origin", 6))) {
        report_note(r, "the response names one origin but has no 'Vary: Origin': a "
                    "cache may serve it to another origin (mod_cors adds Vary itself)");
    }
}

static char *header_copy(const fm_response *resp, const char *name)
{
    char buf[4096];
    const char *v = fm_response_get(resp, name, buf, sizeof(buf));

    return v ? strdup(v) : NULL;
}

static void remember_preflight(const fm_response *resp, const char *url,
                               const char *origin, fm_credentials cred)
{
    char buf[256];
    cached_preflight *c;

    if (ncache >= CACHE_MAX
        || fm_preflight_cache_seconds(fm_response_get(resp, "Access-Control-Max-Age",
                                                      buf, sizeof(buf))) <= 0) {
        return;
    }
    c = &cache[ncache++];
    c->url = strdup(url);
    c->origin = strdup(origin);
    c->credentials = cred;
    c->acam = header_copy(resp, "Access-Control-Allow-Methods");
    c->acah = header_copy(resp, "Access-Control-Allow-Headers");
}

/* Sends the preflight for the current request (unless a cached answer
 * covers it); 0 when it passes. */
static int do_preflight(report *r, options *o, const char *url, const char *origin_hdr,
                        const char *initial_url, int *exit_code)
{
    char acrh[4096], err[ERR_MAX];
    fm_header h[3];
    size_t n = 0;
    exchange *e = report_exchange(r, EXCHANGE_PREFLIGHT, "OPTIONS", url);
    fm_failure f;

    h[n].name = "Origin", h[n++].value = origin_hdr;
    h[n].name = "Access-Control-Request-Method", h[n++].value = o->req.method;
    fm_request_headers_value(&o->req, acrh, sizeof(acrh));
    if (*acrh) {
        h[n].name = "Access-Control-Request-Headers", h[n++].value = acrh;
    }
    for (size_t i = 0; i < ncache; i++) {
        if (strcmp(cache[i].url, url) == 0 && strcmp(cache[i].origin, origin_hdr) == 0
            && fm_preflight_cache_allows(cache[i].acam, cache[i].acah,
                                         cache[i].credentials, &o->req)) {
            r->nex--;       /* not sent after all */
            report_note(r, "no preflight for %s: Chromium still has its earlier answer "
                        "in the preflight cache", url);
            return 0;
        }
    }
    for (size_t i = 0; i < n && e; i++) {
        report_request_header(e, h[i].name, h[i].value);
    }
    if (nio_exchange(&o->net, "OPTIONS", url, h, n, &the_response, err, sizeof(err)) != 0) {
        *exit_code = network_failure(r, err);
        return -1;
    }
    if (e) {
        record_response(e, &the_response, o);
    }
    memset(&f, 0, sizeof(f));
    if (fm_is_redirect_status(the_response.resp.status)) {
        char loc[64];

        if (fm_response_get(&the_response.resp, "Location", loc, sizeof(loc))) {
            fm_check_access(&the_response.resp, o->req.credentials, origin_hdr, NULL,
                            e ? &e->checks : NULL);
            f.error = FM_ERR_PREFLIGHT_DISALLOWED_REDIRECT;
            f.preflight = 1;
            *exit_code = blocked(r, &f, o, initial_url, url);
            return -1;
        }
    }
    if (fm_check_preflight(&the_response.resp, &o->req, origin_hdr, &f,
                           e ? &e->checks : NULL) != FM_OK) {
        *exit_code = blocked(r, &f, o, initial_url, url);
        return -1;
    }
    note_max_age(r, &the_response.resp);
    remember_preflight(&the_response.resp, url, origin_hdr, o->req.credentials);
    return 0;
}

static void read_headers(report *r, const options *o, const fm_response *resp, int cors)
{
    size_t i;

    for (i = 0; i < o->nread; i++) {
        char buf[64];

        r->read[i].name = o->read[i];
        r->read[i].state = cors ? fm_header_readable(resp, o->req.credentials, o->read[i])
                                : (fm_response_get(resp, o->read[i], buf, sizeof(buf)) ? 1 : -1);
    }
    r->nread = o->nread;
}

/* Can the script read every --read-header name?  A script that asks about
 * a header wants a failure when it cannot have it, even though the
 * response itself is readable. */
static int all_headers_readable(const report *r)
{
    size_t i;

    for (i = 0; i < r->nread; i++) {
        if (r->read[i].state != 1) {
            return 0;
        }
    }
    return 1;
}

/* The whole fetch: preflight when needed, the request, its redirects. */
static int run_fetch(report *r, options *o)
{
    char url[NIO_URL_MAX], initial[NIO_URL_MAX], cur_origin[NIO_URL_MAX];
    char err[ERR_MAX];
    int cors = 0, tainted = 0, redirects = 0, exit_code = EXIT_USAGE;

    if (nio_url_canonical(o->url, url, sizeof(url)) != 0
        || nio_url_origin(url, cur_origin, sizeof(cur_origin)) != 0) {
        fprintf(stderr, "cors-check: '%s' is not an http or https URL\n", o->url);
        return EXIT_USAGE;
    }
    strcpy(initial, url);
    r->url = strdup(url);
    r->same_origin = strcmp(cur_origin, o->origin) == 0;
    r->preflight_needed = fm_needs_preflight(&o->req);

    for (;;) {
        const char *origin_hdr = tainted ? "null" : o->origin;
        exchange *e;
        fm_failure f;
        char loc[NIO_URL_MAX], next[NIO_URL_MAX], next_origin[NIO_URL_MAX];
        int creds;
        size_t i;

        /* Once the response tainting is "cors" it stays so. */
        cors = cors || tainted || strcmp(cur_origin, o->origin) != 0;
        if (cors && fm_needs_preflight(&o->req)
            && do_preflight(r, o, url, origin_hdr, initial, &exit_code) != 0) {
            return exit_code;
        }
        e = report_exchange(r, EXCHANGE_ACTUAL, o->req.method, url);
        {
            fm_header h[FM_MAX_REQ_HEADERS + 1];
            size_t n = 0;

            if (cors || strcmp(o->req.method, "GET") != 0) {
                h[n].name = "Origin", h[n++].value = origin_hdr;
            }
            for (i = 0; i < o->req.nheaders; i++) {
                h[n++] = o->req.headers[i];
            }
            for (i = 0; i < n && e; i++) {
                report_request_header(e, h[i].name, h[i].value);
            }
            if (nio_exchange(&o->net, o->req.method, url, h, n, &the_response, err,
                             sizeof(err)) != 0) {
                return network_failure(r, err);
            }
        }
        if (e) {
            record_response(e, &the_response, o);
        }
        memset(&f, 0, sizeof(f));
        if (cors && fm_check_access(&the_response.resp, o->req.credentials, origin_hdr,
                                    &f, e ? &e->checks : NULL) != FM_OK) {
            return blocked(r, &f, o, initial, url);
        }
        if (!fm_is_redirect_status(the_response.resp.status)
            || !fm_response_get(&the_response.resp, "Location", loc, sizeof(loc))) {
            break;
        }
        /* a redirect fetch() follows */
        if (++redirects > FM_MAX_REDIRECTS) {
            f.error = FM_ERR_TOO_MANY_REDIRECTS;
            return blocked(r, &f, o, initial, url);
        }
        if (nio_url_resolve(url, loc, next, sizeof(next), &creds) != 0
            || nio_url_origin(next, next_origin, sizeof(next_origin)) != 0) {
            f.error = FM_ERR_REDIRECT_BAD_LOCATION;
            return blocked(r, &f, o, initial, url);
        }
        if (cors && creds && strcmp(next_origin, o->origin) != 0) {
            /* Chromium 156 quotes the location as '' in this message. */
            f.error = FM_ERR_REDIRECT_CONTAINS_CREDENTIALS;
            report_note(r, "the redirect goes to %s, with a user name or password", loc);
            return blocked(r, &f, o, initial, url);
        }
        if (strcmp(cur_origin, next_origin) != 0) {
            fm_drop_authorization(&o->req);
        }
        if (fm_redirect_taints(o->origin, cur_origin, next_origin) && !tainted) {
            tainted = 1;
            report_note(r, "redirected from %s to %s while cross-origin: the request's "
                        "origin is now 'null' (Origin: null), so the next responses must "
                        "allow 'null' or '*'", cur_origin, next_origin);
        }
        if (fm_redirect_method(the_response.resp.status, o->req.method,
                               sizeof(o->req.method))) {
            fm_drop_body_headers(&o->req);
            report_note(r, "the %d redirect turns the request into a GET",
                        the_response.resp.status);
        }
        strcpy(url, next);
        strcpy(cur_origin, next_origin);
    }

    if (cors) {
        note_vary(r, &the_response.resp);
    }
    read_headers(r, o, &the_response.resp, cors);
    r->verdict = VERDICT_ALLOWED;
    r->final_status = the_response.resp.status;
    r->final_url = strdup(url);
    return all_headers_readable(r) ? EXIT_ALLOWED : EXIT_BLOCKED;
}

int main(int argc, char **argv)
{
    report *r = &the_report;
    options o;
    int rc;

    if (argc > 1 && strcmp(argv[1], "propose") == 0) {
        return propose_main(argc - 1, argv + 1);
    }
    if (argc > 1 && strcmp(argv[1], "audit") == 0) {
        return audit_command(argc - 1, argv + 1);
    }
    if (apr_initialize() != APR_SUCCESS) {
        fputs("cors-check: cannot initialize APR\n", stderr);
        return EXIT_USAGE;
    }
    rc = parse_args(argc, argv, &o, r);
    if (rc != 0) {
        return rc;
    }
    if (nio_global_init() != 0) {
        fputs("cors-check: cannot initialize libcurl\n", stderr);
        return EXIT_USAGE;
    }
    r->url = o.url;
    r->origin = o.origin;
    r->method = o.req.method;
    r->credentials = o.req.credentials == FM_CREDENTIALS_INCLUDE;
    rc = run_fetch(r, &o);
    /* a usage error (no http(s) URL) has been said on stderr already */
    if (rc != EXIT_USAGE || r->network_error) {
        if (o.json) {
            report_json(r, stdout);
        } else {
            report_text(r, stdout);
        }
    }
    if (r->network_error) {
        fprintf(stderr, "cors-check: %s\n", r->network_error);
    }
    nio_global_cleanup();
    apr_terminate();
    return rc;
}
