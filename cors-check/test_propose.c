/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_propose.c -- unit tests of `cors-check propose`: the cors_observe
 * log-line reader (log_line.c) and the tally and proposal (propose.c).
 *
 * Built and run by `make test-unit` (or `make unit-propose`); the last
 * line is "N passed, N failed".  Table-driven: one row per line shape,
 * one row per traffic scenario with the policy it must give.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apr_strings.h"

#include "tests/unit/check.h"

#include "cors_logic.h"
#include "log_line.h"
#include "propose.h"

/* ------------------------------------------------------------------------
 * The log-line reader
 */

typedef struct {
    const char *line;
    ll_result result;
    /* when LL_OK: */
    const char *vhost, *method, *path;
    int status;
    int has_origin;
    const char *origin, *acrm, *acrh, *note;
    int preflight;
} line_case;

static const line_case line_cases[] = {
    { "api.example.com \"GET /api/items?page=2 HTTP/1.1\" 200 \"https://app.example.com\""
      " \"-\" \"-\" allowed", LL_OK, "api.example.com", "GET", "/api/items", 200, 1,
      "https://app.example.com", "", "", "allowed", 0 },
    { "api.example.com \"OPTIONS /api/items HTTP/1.1\" 204 \"https://app.example.com\""
      " \"PUT\" \"content-type,x-request-id\" preflight-ok", LL_OK, "api.example.com",
      "OPTIONS", "/api/items", 204, 1, "https://app.example.com", "PUT",
      "content-type,x-request-id", "preflight-ok", 1 },
    /* OPTIONS without Access-Control-Request-Method is no preflight */
    { "h \"OPTIONS * HTTP/1.1\" 200 \"https://a.test\" \"-\" \"-\" -", LL_OK, "h",
      "OPTIONS", "*", 200, 1, "https://a.test", "", "", "", 0 },
    /* no Origin header */
    { "h \"GET / HTTP/1.1\" 200 \"-\" \"-\" \"-\" -", LL_OK, "h", "GET", "/", 200, 0,
      "", "", "", "", 0 },
    /* an empty Origin header is there, and empty */
    { "h \"GET / HTTP/1.1\" 200 \"\" \"-\" \"-\" -", LL_OK, "h", "GET", "/", 200, 1,
      "", "", "", "", 0 },
    /* httpd's escapes stay in the value; an escaped quote does not end it */
    { "h \"GET / HTTP/1.1\" 200 \"a\\\"b\\\\c\\x01\" \"-\" \"-\" denied-origin", LL_OK,
      "h", "GET", "/", 200, 1, "a\\\"b\\\\c\\x01", "", "", "denied-origin", 0 },
    /* a CR and blanks at the end (a log copied from Windows) */
    { "h \"GET /x HTTP/1.0\" 404 \"null\" \"-\" \"-\" denied-origin \r", LL_OK, "h", "GET",
      "/x", 404, 1, "null", "", "", "denied-origin", 0 },
    /* a request line that is not one: no method, no path */
    { "h \"-\" 408 \"https://a.test\" \"-\" \"-\" -", LL_OK, "h", "", "", 408, 1,
      "https://a.test", "", "", "", 0 },
    { "h \"\\x16\\x03\\x01\" 400 \"-\" \"-\" \"-\" -", LL_OK, "h", "", "", 400, 0, "", "",
      "", "", 0 },
    { "", LL_BLANK, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, 0 },
    { "  \r", LL_BLANK, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, 0 },
    /* the combined format, or another one: not cors_observe */
    { "127.0.0.1 - - [07/Dec/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 12",
      LL_MALFORMED, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, 0 },
    /* a field missing, one too many, an unterminated quote, two spaces */
    { "h \"GET / HTTP/1.1\" 200 \"https://a.test\" \"-\" \"-\"", LL_MALFORMED, NULL, NULL,
      NULL, 0, 0, NULL, NULL, NULL, NULL, 0 },
    { "h \"GET / HTTP/1.1\" 200 \"https://a.test\" \"-\" \"-\" - extra", LL_MALFORMED, NULL,
      NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, 0 },
    { "h \"GET / HTTP/1.1\" 200 \"https://a.test \"-\" \"-\" -", LL_MALFORMED, NULL, NULL,
      NULL, 0, 0, NULL, NULL, NULL, NULL, 0 },
    { "h  \"GET / HTTP/1.1\" 200 \"https://a.test\" \"-\" \"-\" -", LL_MALFORMED, NULL,
      NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, 0 },
    /* a status that is not three digits */
    { "h \"GET / HTTP/1.1\" 2000 \"https://a.test\" \"-\" \"-\" -", LL_MALFORMED, NULL,
      NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, 0 },
    { "h \"GET / HTTP/1.1\" abc \"https://a.test\" \"-\" \"-\" -", LL_MALFORMED, NULL,
      NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, 0 },
    /* the origin unquoted */
    { "h \"GET / HTTP/1.1\" 200 https://a.test \"-\" \"-\" -", LL_MALFORMED, NULL, NULL,
      NULL, 0, 0, NULL, NULL, NULL, NULL, 0 },
};

static const char *span(apr_pool_t *p, const ll_span *s)
{
    return apr_pstrmemdup(p, s->s, s->len);
}

static void test_log_line(apr_pool_t *p)
{
    size_t i;

    for (i = 0; i < N_ELEMS(line_cases); i++) {
        const line_case *c = &line_cases[i];
        ll_fields f;
        ll_result r = ll_parse(c->line, strlen(c->line), &f);

        if (!CHECK_INTEQM(r, c->result, c->line) || r != LL_OK) {
            continue;
        }
        CHECK_STREQM(span(p, &f.vhost), c->vhost, c->line);
        CHECK_STREQM(span(p, &f.method), c->method, c->line);
        CHECK_STREQM(span(p, &f.path), c->path, c->line);
        CHECK_INTEQM(f.status, c->status, c->line);
        CHECK_INTEQM(f.has_origin, c->has_origin, c->line);
        CHECK_STREQM(span(p, &f.origin), c->origin, c->line);
        CHECK_STREQM(span(p, &f.acrm), c->acrm, c->line);
        CHECK_STREQM(span(p, &f.acrh), c->acrh, c->line);
        CHECK_STREQM(span(p, &f.note), c->note, c->line);
        CHECK_INTEQM(ll_is_preflight(&f), c->preflight, c->line);
    }
}

typedef struct {
    const char *path;
    const char *prefix;
    int under;
} prefix_case;

/* As <Location> takes its path. */
static const prefix_case prefix_cases[] = {
    { "/api/items", "", 1 },
    { "/api/items", "/api/", 1 },
    { "/api/", "/api/", 1 },
    { "/api", "/api/", 0 },
    { "/api", "/api", 1 },
    { "/api/x", "/api", 1 },
    { "/apix", "/api", 0 },
    { "/ap", "/api", 0 },
    { "/other/api/", "/api/", 0 },
    { "", "/", 0 },
    { "/", "/", 1 },
};

static void test_path_under(apr_pool_t *p)
{
    size_t i;

    for (i = 0; i < N_ELEMS(prefix_cases); i++) {
        const prefix_case *c = &prefix_cases[i];
        const char *line = apr_psprintf(p, "h \"GET %s HTTP/1.1\" 200 \"-\" \"-\" \"-\" -",
                                        c->path);
        const char *what = apr_psprintf(p, "%s under %s", c->path, c->prefix);
        ll_fields f;

        if (CHECK_INTEQM(ll_parse(line, strlen(line), &f), LL_OK, what)) {
            CHECK_INTEQM(ll_path_under(&f, c->prefix, strlen(c->prefix)), c->under, what);
        }
    }
}

/* ------------------------------------------------------------------------
 * The proposal
 */

/* traffic: "; "-separated entries "ORIGIN COUNT [METHOD [HEADERS]]": COUNT
 * requests with that Origin to /api/r, the first of them a preflight for
 * METHOD (with Access-Control-Request-Headers HEADERS) when given.
 * Expected: "origin=requests ...", "pattern=origins ...",
 * "origin:reason ..." (in the order the proposal lists them), methods and
 * headers as the directives write them. */
typedef struct {
    const char *name;
    const char *traffic;
    int min;                    /* 0: the default */
    const char *origins;
    const char *patterns;
    const char *left_out;
    const char *methods;
    const char *headers;
} scenario;

static const scenario scenarios[] = {
    { "frequent and rare", "https://app.partner.test 5; https://once.other.test 2", 0,
      "https://app.partner.test=5", "", "https://once.other.test:rare", "", "" },
    { "the minimum is N requests", "https://a.test 3; https://b.test 2; https://c.test 1", 2,
      "https://a.test=3 https://b.test=2", "", "https://c.test:rare", "", "" },
    { "null is never proposed", "null 50; https://app.partner.test 3", 0,
      "https://app.partner.test=3", "", "null:null", "", "" },
    { "not serialized origins", "HTTPS://APP.PARTNER.TEST 4; https://app.partner.test/ 4; "
      "https://app.partner.test:443 4; https://a.test,https://b.test 4; http://127.1 4; "
      "https://app.partner.test 4", 0, "https://app.partner.test=4", "",
      "HTTPS://APP.PARTNER.TEST:invalid http://127.1:invalid https://a.test,https://b.test:invalid "
      "https://app.partner.test/:invalid https://app.partner.test:443:invalid", "", "" },
    { "lookalike: ends in the domain", "https://www.partner.test 9; https://evilpartner.test 9",
      0, "https://www.partner.test=9", "", "https://evilpartner.test:lookalike", "", "" },
    { "lookalike: starts with it", "https://partner.test 9; https://partner.test.evil.net 9; "
      "https://www.partner.test.evil.net 1", 0, "https://partner.test=9", "",
      "https://partner.test.evil.net:lookalike https://www.partner.test.evil.net:lookalike",
      "", "" },
    { "lookalike: contains it", "https://partner.test 4; https://xpartner.testx.net 4", 0,
      "https://partner.test=4", "", "https://xpartner.testx.net:lookalike", "", "" },
    { "a lookalike's own preflights add nothing", "https://partner.test 4 PUT x-a; "
      "https://evilpartner.test 4 DELETE x-evil", 0, "https://partner.test=4", "",
      "https://evilpartner.test:lookalike", "PUT", "X-A" },
    { "the same site's subdomains are no lookalikes", "https://partner.test 3; "
      "https://evil.partner.test 3; http://partner.test:8080 3", 0,
      "http://partner.test:8080=3 https://evil.partner.test=3 https://partner.test=3", "", "",
      "", "" },
    { "each of two lookalikes of the other", "https://a.test.b.test 5; https://b.test.a.test 5",
      0, "", "", "https://a.test.b.test:lookalike https://b.test.a.test:lookalike", "", "" },
    { "three subdomains: one pattern", "https://a.saas.test 3; https://b.saas.test 4; "
      "https://c.saas.test 5", 0, "", "https://*.saas.test=3", "", "", "" },
    { "two subdomains stay exact", "https://a.saas.test 3; https://b.saas.test 4", 0,
      "https://b.saas.test=4 https://a.saas.test=3", "", "", "", "" },
    { "the closest common parent", "https://a.app.saas.test 3; https://b.app.saas.test 3; "
      "https://c.x.app.saas.test 3", 0, "", "https://*.app.saas.test=3", "", "", "" },
    { "parents differ: the registrable domain", "https://a.app.saas.test 3; "
      "https://b.app.saas.test 3; https://www.saas.test 3", 0, "", "https://*.saas.test=3",
      "", "", "" },
    { "the apex stays exact", "https://saas.test 7; https://a.saas.test 3; "
      "https://b.saas.test 3; https://c.saas.test 3", 0, "https://saas.test=7",
      "https://*.saas.test=3", "", "", "" },
    { "a pattern takes in the rare subdomains", "https://a.saas.test 3; https://b.saas.test 3; "
      "https://c.saas.test 3; https://d.saas.test 1; https://once.other.test 1", 0, "",
      "https://*.saas.test=4", "https://once.other.test:rare", "", "" },
    { "one scheme and one port per pattern", "https://a.saas.test 3; https://b.saas.test 3; "
      "https://c.saas.test:8443 3; http://d.saas.test 3", 0,
      "http://d.saas.test=3 https://a.saas.test=3 https://b.saas.test=3 "
      "https://c.saas.test:8443=3", "", "", "", "" },
    { "a pattern with a port", "https://a.saas.test:8443 3; https://b.saas.test:8443 3; "
      "https://c.saas.test:8443 3", 0, "", "https://*.saas.test:8443=3", "", "", "" },
    { "a public suffix's sites are not one site", "https://a.github.io 3; "
      "https://b.github.io 3; https://c.github.io 3", 0,
      "https://a.github.io=3 https://b.github.io=3 https://c.github.io=3", "", "", "", "" },
    { "two-label public suffix", "https://a.shop.co.uk 3; https://b.shop.co.uk 3; "
      "https://c.shop.co.uk 3", 0, "", "https://*.shop.co.uk=3", "", "", "" },
    { "lookalike under a public suffix", "https://me.github.io 3; https://notme.github.io 3",
      0, "https://me.github.io=3", "", "https://notme.github.io:lookalike", "", "" },
    { "IP addresses and localhost", "http://127.0.0.1:3000 3; http://127.0.0.10 3; "
      "http://[::1]:8080 3; http://localhost:8080 3", 0,
      "http://127.0.0.10=3 http://127.0.0.1:3000=3 http://[::1]:8080=3 "
      "http://localhost:8080=3", "", "", "", "" },
    { "methods: only the non-safelisted, as written", "https://a.test 3 PUT; "
      "https://b.test 3 GET; https://c.test 3 POST; https://d.test 3 patch; "
      "https://e.test 3 DELETE", 0,
      "https://a.test=3 https://b.test=3 https://c.test=3 https://d.test=3 https://e.test=3",
      "", "", "DELETE PUT patch", "" },
    { "methods no policy may list", "https://a.test 3 TRACE; https://b.test 3 CONNECT; "
      "https://c.test 3 GET,DELETE", 0, "https://a.test=3 https://b.test=3 https://c.test=3",
      "", "", "", "" },
    { "header names, once each, in any case", "https://a.test 3 PUT X-Request-ID,content-type; "
      "https://b.test 3 PUT x-request-id,authorization", 0, "https://a.test=3 https://b.test=3",
      "", "", "PUT", "Authorization Content-Type X-Request-Id" },
    { "header names no policy may list", "https://a.test 3 PUT cookie,access-control-x,"
      "sec-fetch-mode,x-ok", 0, "https://a.test=3", "", "", "PUT", "X-Ok" },
    { "a rare origin's preflights add nothing", "https://a.test 3 PUT x-a; "
      "https://b.test 2 DELETE x-b", 0, "https://a.test=3", "", "https://b.test:rare", "PUT",
      "X-A" },
    { "a rare subdomain in a pattern asks for what it needs", "https://a.saas.test 3; "
      "https://b.saas.test 3; https://c.saas.test 3; https://d.saas.test 1 PATCH x-tenant",
      0, "", "https://*.saas.test=4", "", "PATCH", "X-Tenant" },
    { "the left out, by reason then count", "https://once.test 1; https://twice.test 2; "
      "null 1; BAD 2; https://evilpartner.test 1; https://partner.test 3", 0,
      "https://partner.test=3", "",
      "null:null BAD:invalid https://evilpartner.test:lookalike https://twice.test:rare "
      "https://once.test:rare", "", "" },
    { "nothing frequent enough", "https://a.test 1; https://b.test 2", 0, "", "",
      "https://b.test:rare https://a.test:rare", "", "" },
};

/* Log lines for a scenario's traffic. */
static pp_tally *tally_traffic(apr_pool_t *p, const char *traffic)
{
    pp_tally *t = pp_tally_make(p, "/api/");
    char *copy = apr_pstrdup(p, traffic), *state, *entry;

    for (entry = apr_strtok(copy, ";", &state); entry;
         entry = apr_strtok(NULL, ";", &state)) {
        char *w_state, *origin = apr_strtok(entry, " ", &w_state);
        int count = atoi(apr_strtok(NULL, " ", &w_state)), i;
        const char *method = apr_strtok(NULL, " ", &w_state);
        const char *headers = apr_strtok(NULL, " ", &w_state);

        for (i = 0; i < count; i++) {
            const char *line = i == 0 && method
                ? apr_psprintf(p, "api.test \"OPTIONS /api/r HTTP/1.1\" 204 \"%s\" \"%s\" "
                               "\"%s\" preflight-ok", origin, method, headers ? headers : "-")
                : apr_psprintf(p, "api.test \"GET /api/r HTTP/1.1\" 200 \"%s\" \"-\" \"-\" "
                               "allowed", origin);
            ll_fields f;
            if (ll_parse(line, strlen(line), &f) == LL_OK) {
                pp_tally_add(t, &f);
            }
        }
    }
    return t;
}

/* Each element of a proposal's list as "key=value" or "key:reason". */
typedef enum {
    JOIN_ORIGINS,
    JOIN_PATTERNS,
    JOIN_LEFT_OUT
} join_kind;

static const char *join(apr_pool_t *p, const apr_array_header_t *a, join_kind kind)
{
    const char *s = "";
    int i;

    for (i = 0; i < a->nelts; i++) {
        const char *item;
        if (kind == JOIN_ORIGINS) {
            const pp_origin *o = &APR_ARRAY_IDX(a, i, pp_origin);
            item = apr_psprintf(p, "%s=%" APR_UINT64_T_FMT, o->origin, o->requests);
        }
        else if (kind == JOIN_PATTERNS) {
            const pp_pattern *o = &APR_ARRAY_IDX(a, i, pp_pattern);
            item = apr_psprintf(p, "%s=%d", o->pattern, o->origins);
        }
        else {
            const pp_left_out *o = &APR_ARRAY_IDX(a, i, pp_left_out);
            item = apr_psprintf(p, "%s:%s", o->origin, pp_reason_name(o->reason));
        }
        s = apr_pstrcat(p, s, i ? " " : "", item, NULL);
    }
    return s;
}

/* Every directive line mod_cors's own parser accepts. */
static void check_directives_parse(apr_pool_t *p, const char *directives, const char *what)
{
    char *copy = apr_pstrdup(p, directives), *state, *line;
    cors_origins *origins = cors_origins_make(p);

    for (line = apr_strtok(copy, "\n", &state); line; line = apr_strtok(NULL, "\n", &state)) {
        char *w_state, *name = apr_strtok(line, " ", &w_state), *argv[64];
        const char *warning = NULL;
        int argc = 0;

        if (name == NULL || name[0] == '#' || name[0] == '<') {
            continue;
        }
        while (argc < 64 && (argv[argc] = apr_strtok(NULL, " ", &w_state)) != NULL) {
            argc++;
        }
        CHECKM(argc > 0, what);
        if (strcmp(name, "CORSAllowOrigin") == 0) {
            CHECK_NOERRM(cors_origins_add(origins, p, argv[0]), what);
        }
        else if (strcmp(name, "CORSAllowMethods") == 0) {
            CHECK_NOERRM(cors_list_add_methods(cors_list_make(p), p, argc, argv, &warning),
                         what);
        }
        else if (strcmp(name, "CORSAllowHeaders") == 0) {
            CHECK_NOERRM(cors_list_add_allow_headers(cors_list_make(p), p, argc, argv), what);
        }
        else {
            CHECK_STREQM(name, "CORSAllowCredentials", what);
        }
    }
}

static void test_scenarios(apr_pool_t *p)
{
    size_t i;

    for (i = 0; i < N_ELEMS(scenarios); i++) {
        const scenario *s = &scenarios[i];
        pp_options o = { s->min ? s->min : PP_MIN_REQUESTS_DEFAULT, 0, NULL };
        apr_array_header_t *props = pp_propose(p, tally_traffic(p, s->traffic), &o);
        const pp_proposal *pr;

        if (!CHECK_INTEQM(props->nelts, 1, s->name)) {
            continue;
        }
        pr = APR_ARRAY_IDX(props, 0, const pp_proposal *);
        CHECK_STREQM(join(p, pr->origins, JOIN_ORIGINS), s->origins, s->name);
        CHECK_STREQM(join(p, pr->patterns, JOIN_PATTERNS), s->patterns, s->name);
        CHECK_STREQM(join(p, pr->left_out, JOIN_LEFT_OUT), s->left_out, s->name);
        CHECK_STREQM(apr_array_pstrcat(p, pr->methods, ' '), s->methods, s->name);
        CHECK_STREQM(apr_array_pstrcat(p, pr->headers, ' '), s->headers, s->name);
        check_directives_parse(p, pr->directives, s->name);
    }
}

static void add_line(pp_tally *t, const char *line)
{
    ll_fields f;

    if (ll_parse(line, strlen(line), &f) == LL_OK) {
        pp_tally_add(t, &f);
    }
}

/* Virtual hosts apart, the prefix, what is not counted. */
static void test_tally(apr_pool_t *p)
{
    pp_tally *t = pp_tally_make(p, "/api");
    pp_options o = { 1, 0, "/api" };
    apr_array_header_t *props;
    const pp_proposal *a, *b;
    int i;

    for (i = 0; i < 3; i++) {
        add_line(t, "b.test \"GET /api/x HTTP/1.1\" 200 \"https://one.test\" \"-\" \"-\" -");
        add_line(t, "a.test \"GET /api HTTP/1.1\" 200 \"https://two.test\" \"-\" \"-\" -");
    }
    add_line(t, "a.test \"GET /apix HTTP/1.1\" 200 \"https://three.test\" \"-\" \"-\" -");
    add_line(t, "a.test \"GET /other HTTP/1.1\" 200 \"https://three.test\" \"-\" \"-\" -");
    add_line(t, "a.test \"GET /api/x HTTP/1.1\" 200 \"-\" \"-\" \"-\" -");
    CHECK_INTEQ(pp_tally_counts(t)->counted, 6);
    CHECK_INTEQ(pp_tally_counts(t)->outside_prefix, 2);
    CHECK_INTEQ(pp_tally_counts(t)->no_origin, 1);
    props = pp_propose(p, t, &o);
    if (!CHECK_INTEQ(props->nelts, 2)) {
        return;
    }
    a = APR_ARRAY_IDX(props, 0, const pp_proposal *);
    b = APR_ARRAY_IDX(props, 1, const pp_proposal *);
    CHECK_STREQ(a->vhost, "a.test");
    CHECK_STREQ(join(p, a->origins, JOIN_ORIGINS), "https://two.test=3");
    CHECK_STREQ(b->vhost, "b.test");
    CHECK_STREQ(join(p, b->origins, JOIN_ORIGINS), "https://one.test=3");
    CHECK_INTEQ(b->requests, 3);
}

/* Memory grows with the origins, not the lines: values past
 * PP_VALUE_MAX bytes are counted together, names per origin are capped,
 * bytes outside printable ASCII are shown escaped. */
static void test_bounds(apr_pool_t *p)
{
    pp_tally *t = pp_tally_make(p, NULL);
    pp_options o = { 1, 0, NULL };
    char longv[PP_VALUE_MAX + 50];
    const pp_proposal *pr;
    const pp_left_out *l;
    apr_array_header_t *props;
    int i;

    memset(longv, 'a', sizeof(longv) - 1);
    longv[sizeof(longv) - 1] = '\0';
    for (i = 0; i < 3; i++) {
        longv[sizeof(longv) - 2] = (char)('a' + i);      /* differ past the cut */
        add_line(t, apr_psprintf(p, "h \"GET / HTTP/1.1\" 200 \"%s\" \"-\" \"-\" -", longv));
    }
    for (i = 0; i < PP_NAMES_MAX + 10; i++) {
        add_line(t, apr_psprintf(p, "h \"OPTIONS / HTTP/1.1\" 204 \"https://a.test\" "
                                 "\"M%d\" \"x-h%d\" -", i, i));
    }
    add_line(t, "h \"GET / HTTP/1.1\" 200 \"ab\x01\xff\" \"-\" \"-\" -");
    props = pp_propose(p, t, &o);
    if (!CHECK_INTEQ(props->nelts, 1)) {
        return;
    }
    pr = APR_ARRAY_IDX(props, 0, const pp_proposal *);
    CHECK_INTEQ(pr->methods->nelts, PP_NAMES_MAX);
    CHECK_INTEQ(pr->headers->nelts, PP_NAMES_MAX);
    if (!CHECK_INTEQ(pr->left_out->nelts, 2)) {
        return;
    }
    l = &APR_ARRAY_IDX(pr->left_out, 0, pp_left_out);
    CHECK_INTEQ(l->requests, 3);
    CHECK_INTEQ(strlen(l->origin), PP_VALUE_MAX + 3);
    CHECK(strcmp(l->origin + PP_VALUE_MAX, "...") == 0);
    l = &APR_ARRAY_IDX(pr->left_out, 1, pp_left_out);
    CHECK_STREQ(l->origin, "ab\\x01\\xff");
    CHECK_INTEQ(l->reason, PP_REASON_INVALID);
}

/* The directives: a comment line with each count, <Location> for a
 * prefix, credentials only when asked for. */
static void test_directives(apr_pool_t *p)
{
    pp_tally *t = tally_traffic(p, "https://app.partner.test 5 PUT x-a; https://a.saas.test 3; "
                                   "https://b.saas.test 3; https://c.saas.test 1; "
                                   "https://d.saas.test 3");
    pp_options with = { 3, 1, "/api/" }, without = { 3, 0, NULL }, none = { 100, 0, "/api/" };
    const pp_proposal *pr = APR_ARRAY_IDX(pp_propose(p, t, &with), 0, const pp_proposal *);

    CHECK_STREQ(pr->directives,
                "<Location \"/api/\">\n"
                "    # 5 requests\n"
                "    CORSAllowOrigin https://app.partner.test\n"
                "    # 4 origins, 10 requests: https://a.saas.test, https://b.saas.test, "
                "https://c.saas.test and 1 more\n"
                "    CORSAllowOrigin https://*.saas.test\n"
                "    CORSAllowMethods PUT\n"
                "    CORSAllowHeaders X-A\n"
                "    CORSAllowCredentials On\n"
                "</Location>\n");
    check_directives_parse(p, pr->directives, "with credentials");
    pr = APR_ARRAY_IDX(pp_propose(p, t, &without), 0, const pp_proposal *);
    CHECK_STREQ(pr->directives,
                "# 5 requests\n"
                "CORSAllowOrigin https://app.partner.test\n"
                "# 4 origins, 10 requests: https://a.saas.test, https://b.saas.test, "
                "https://c.saas.test and 1 more\n"
                "CORSAllowOrigin https://*.saas.test\n"
                "CORSAllowMethods PUT\n"
                "CORSAllowHeaders X-A\n"
                "# Credentials are not guessed: if the pages send cookies or HTTP "
                "authentication,\n"
                "# add CORSAllowCredentials On (cors-check propose --credentials).\n");
    pr = APR_ARRAY_IDX(pp_propose(p, t, &none), 0, const pp_proposal *);
    CHECK_STREQ(pr->directives, "# No origin sent 100 requests or more: nothing to allow.\n");
    CHECK_STREQ(pp_reason_name(PP_REASON_NULL), "null");
    CHECK_STREQ(pp_reason_name(PP_REASON_INVALID), "invalid");
    CHECK_STREQ(pp_reason_name(PP_REASON_LOOKALIKE), "lookalike");
    CHECK_STREQ(pp_reason_name(PP_REASON_RARE), "rare");
}

int main(int argc, char **argv)
{
    static const check_test tests[] = {
        { "log_line", test_log_line },
        { "path_under", test_path_under },
        { "scenarios", test_scenarios },
        { "tally", test_tally },
        { "bounds", test_bounds },
        { "directives", test_directives },
    };

    return check_main(tests, N_ELEMS(tests), argc, argv);
}
