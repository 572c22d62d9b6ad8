/* SPDX-License-Identifier: Apache-2.0 */
/*
 * propose_cmd.c -- `cors-check propose [--json] [--min-requests N]
 * [--prefix PATH] [--credentials] LOG...`: reads access logs written with
 * the cors_observe LogFormat and prints, per virtual host, the mod_cors
 * policy the cross-origin traffic in them needs.
 *
 * The logs are streamed: a line is read into one buffer, parsed in place
 * (log_line.c) and counted (propose.c); only a new origin or a new name
 * allocates.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apr_general.h"
#include "apr_pools.h"

#include "log_line.h"
#include "propose.h"
#include "propose_cmd.h"
#include "report.h"

#define EXIT_OK 0
#define EXIT_USAGE 2

/* Longer lines are not cors_observe lines httpd writes (its request line
 * and each header are limited to 8 KB, escaped at most 4 times over). */
#define LINE_MAX_BYTES (128 * 1024)

typedef struct {
    int json;
    pp_options pp;
} options;

/* What one log held. */
typedef struct {
    apr_uint64_t lines, blank, malformed, first_malformed;
} log_counts;

static char line_buf[LINE_MAX_BYTES];

static void usage(FILE *out)
{
    fputs("usage: cors-check propose [--json] [--min-requests N] [--prefix PATH]"
          " [--credentials] LOG...\n"
          "Reads access logs written with the cors_observe LogFormat (LOG '-': standard\n"
          "input) and prints, per virtual host, the mod_cors directives the cross-origin\n"
          "traffic in them needs, and the origins left out and why.\n"
          "exit: 0 done, 2 usage or read error\n", out);
}

/* "cors-check propose: --prefix needs ..., got 'x'", then the usage. */
static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "cors-check propose: %s%s%s%s\n", what, arg ? ", got '" : "",
            arg ? arg : "", arg ? "'" : "");
    usage(stderr);
    return EXIT_USAGE;
}

/* A URL path as <Location "..."> can quote it. */
static int is_prefix(const char *s)
{
    if (s[0] != '/') {
        return 0;
    }
    for (; *s; s++) {
        if ((unsigned char)*s <= ' ' || *s == '"' || *s == '\\' || *s == 0x7f) {
            return 0;
        }
    }
    return 1;
}

static int parse_min_requests(const char *s, int *out)
{
    char *end;
    long n;

    errno = 0;
    n = strtol(s, &end, 10);
    if (errno || end == s || *end || n < 1 || n > 1000000000L) {
        return -1;
    }
    *out = (int)n;
    return 0;
}

static int parse_args(int argc, char **argv, options *o)
{
    static const struct option longopts[] = {
        { "json", no_argument, NULL, 'j' },
        { "min-requests", required_argument, NULL, 'n' },
        { "prefix", required_argument, NULL, 'p' },
        { "credentials", no_argument, NULL, 'c' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    int c;

    memset(o, 0, sizeof(*o));
    o->pp.min_requests = PP_MIN_REQUESTS_DEFAULT;
    optind = 1;
    while ((c = getopt_long(argc, argv, "jn:p:ch", longopts, NULL)) != -1) {
        switch (c) {
        case 'j':
            o->json = 1;
            break;
        case 'n':
            if (parse_min_requests(optarg, &o->pp.min_requests) != 0) {
                return usage_error("--min-requests needs a number from 1 up", optarg);
            }
            break;
        case 'p':
            if (!is_prefix(optarg)) {
                return usage_error("--prefix needs a URL path starting with '/', without "
                                   "spaces or quotes", optarg);
            }
            o->pp.prefix = optarg;
            break;
        case 'c':
            o->pp.credentials = 1;
            break;
        case 'h':
            usage(stdout);
            exit(EXIT_OK);
        default:
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        return usage_error("at least one LOG is needed", NULL);
    }
    return 0;
}

/* ---- reading -------------------------------------------------------------- */

/* Past the rest of a line too long for the buffer. */
static void skip_rest(FILE *f)
{
    int ch;

    while ((ch = getc(f)) != EOF && ch != '\n') {
    }
}

static void read_line(pp_tally *t, log_counts *lc, const char *line, size_t len)
{
    ll_fields f;

    switch (ll_parse(line, len, &f)) {
    case LL_OK:
        pp_tally_add(t, &f);
        break;
    case LL_BLANK:
        lc->blank++;
        break;
    case LL_MALFORMED:
        if (lc->malformed++ == 0) {
            lc->first_malformed = lc->lines;
        }
        break;
    }
}

static int read_stream(FILE *f, pp_tally *t, log_counts *lc)
{
    while (fgets(line_buf, sizeof(line_buf), f) != NULL) {
        size_t len = strlen(line_buf);

        lc->lines++;
        if (len > 0 && line_buf[len - 1] == '\n') {
            len--;
        }
        else if (!feof(f)) {
            skip_rest(f);
            if (lc->malformed++ == 0) {
                lc->first_malformed = lc->lines;
            }
            continue;
        }
        read_line(t, lc, line_buf, len);
    }
    return ferror(f) ? -1 : 0;
}

/* Reads one LOG; says on stderr what was not understood.  A log with
 * lines but not one in the format is an error: the LogFormat is not the
 * one the proposal needs, and an empty proposal would say nothing. */
static int read_log(const char *path, pp_tally *t)
{
    int is_stdin = strcmp(path, "-") == 0, rc;
    FILE *f = is_stdin ? stdin : fopen(path, "r");
    log_counts lc = { 0, 0, 0, 0 };
    const char *name = is_stdin ? "standard input" : path;

    if (f == NULL) {
        fprintf(stderr, "cors-check propose: cannot open %s: %s\n", path, strerror(errno));
        return EXIT_USAGE;
    }
    rc = read_stream(f, t, &lc);
    if (rc != 0) {
        fprintf(stderr, "cors-check propose: cannot read %s: %s\n", name, strerror(errno));
    }
    if (!is_stdin) {
        fclose(f);
    }
    if (rc != 0) {
        return EXIT_USAGE;
    }
    if (lc.malformed > 0 && lc.malformed == lc.lines - lc.blank) {
        fprintf(stderr, "cors-check propose: %s: no line is in the cors_observe format "
                "(see cors-check(1))\n", name);
        return EXIT_USAGE;
    }
    if (lc.malformed > 0) {
        fprintf(stderr, "cors-check propose: %s: %" APR_UINT64_T_FMT " of %"
                APR_UINT64_T_FMT " lines are not in the cors_observe format and were "
                "skipped (the first: line %" APR_UINT64_T_FMT ")\n", name, lc.malformed,
                lc.lines, lc.first_malformed);
    }
    return EXIT_OK;
}

/* ---- text ----------------------------------------------------------------- */

static void text_reason(const pp_left_out *l, const pp_options *o, FILE *out)
{
    switch (l->reason) {
    case PP_REASON_NULL:
        fputs("the opaque origin of sandboxed iframes and file: pages, which any "
              "page can send", out);
        break;
    case PP_REASON_INVALID:
        fputs("not a serialized origin (browsers send lowercase scheme://host[:port])",
              out);
        break;
    case PP_REASON_LOOKALIKE:
        fprintf(out, "a lookalike of %s, not under it (the shape CORS scanners send)",
                l->like);
        break;
    case PP_REASON_RARE:
        fprintf(out, "seen fewer than %d times", o->min_requests);
        break;
    }
}

/* The proposal as configuration: the directives, and everything else in
 * comment lines, so that the whole output can be pasted. */
static void text_proposal(const pp_proposal *pr, const pp_options *o, FILE *out)
{
    int i;

    fprintf(out, "# ---- ServerName %s: %" APR_UINT64_T_FMT " requests with an Origin"
            " header%s%s\n", pr->vhost, pr->requests, o->prefix ? " under " : "",
            o->prefix ? o->prefix : "");
    fputs(pr->directives, out);
    if (pr->left_out->nelts > 0) {
        fputs("# Left out:\n", out);
    }
    for (i = 0; i < pr->left_out->nelts; i++) {
        const pp_left_out *l = &APR_ARRAY_IDX(pr->left_out, i, pp_left_out);
        fprintf(out, "#   %s (%" APR_UINT64_T_FMT " request%s): ", l->origin, l->requests,
                l->requests == 1 ? "" : "s");
        text_reason(l, o, out);
        fputc('\n', out);
    }
}

/* ---- JSON ----------------------------------------------------------------- */

static void json_names(const char *key, const apr_array_header_t *names, FILE *out)
{
    int i;

    fprintf(out, ", \"%s\": [", key);
    for (i = 0; i < names->nelts; i++) {
        fputs(i ? ", " : "", out);
        json_str(APR_ARRAY_IDX(names, i, const char *), out);
    }
    fputc(']', out);
}

/* Opens the i-th object of a list: {"key": */
static void json_item(int i, const char *key, FILE *out)
{
    fprintf(out, "%s{\"%s\": ", i ? ", " : "", key);
}

static void json_proposal(const pp_proposal *pr, FILE *out)
{
    int i;

    fputs("{\"vhost\": ", out);
    json_str(pr->vhost, out);
    fputs(", \"origins\": [", out);
    for (i = 0; i < pr->origins->nelts; i++) {
        const pp_origin *a = &APR_ARRAY_IDX(pr->origins, i, pp_origin);
        json_item(i, "origin", out);
        json_str(a->origin, out);
        fprintf(out, ", \"requests\": %" APR_UINT64_T_FMT "}", a->requests);
    }
    fputs("], \"patterns\": [", out);
    for (i = 0; i < pr->patterns->nelts; i++) {
        json_item(i, "pattern", out);
        json_str(APR_ARRAY_IDX(pr->patterns, i, pp_pattern).pattern, out);
        fprintf(out, ", \"origins\": %d}", APR_ARRAY_IDX(pr->patterns, i, pp_pattern).origins);
    }
    fputs("], \"left_out\": [", out);
    for (i = 0; i < pr->left_out->nelts; i++) {
        const pp_left_out *l = &APR_ARRAY_IDX(pr->left_out, i, pp_left_out);
        json_item(i, "origin", out);
        json_str(l->origin, out);
        fprintf(out, ", \"requests\": %" APR_UINT64_T_FMT ", \"reason\": \"%s\"}",
                l->requests, pp_reason_name(l->reason));
    }
    fputc(']', out);
    json_names("methods", pr->methods, out);
    json_names("headers", pr->headers, out);
    fputs(", \"directives\": ", out);
    json_str(pr->directives, out);
    fputc('}', out);
}

static void print_proposals(const apr_array_header_t *props, const options *o, FILE *out)
{
    int i;

    if (o->json) {
        fputs("{\"vhosts\": [", out);
    }
    else if (props->nelts == 0) {
        fprintf(out, "# No request with an Origin header%s%s: nothing to propose.\n",
                o->pp.prefix ? " under " : "", o->pp.prefix ? o->pp.prefix : "");
    }
    for (i = 0; i < props->nelts; i++) {
        const pp_proposal *pr = APR_ARRAY_IDX(props, i, const pp_proposal *);
        if (o->json) {
            fputs(i ? ", " : "", out);
            json_proposal(pr, out);
        }
        else {
            fputs(i ? "\n" : "", out);
            text_proposal(pr, &o->pp, out);
        }
    }
    if (o->json) {
        fputs("]}\n", out);
    }
}

int propose_main(int argc, char **argv)
{
    apr_pool_t *pool;
    pp_tally *t;
    options o;
    int rc, i;

    if (apr_initialize() != APR_SUCCESS || apr_pool_create(&pool, NULL) != APR_SUCCESS) {
        fputs("cors-check propose: cannot initialize APR\n", stderr);
        return EXIT_USAGE;
    }
    if ((rc = parse_args(argc, argv, &o)) != 0) {
        return rc;
    }
    t = pp_tally_make(pool, o.pp.prefix);
    for (i = optind; i < argc; i++) {
        if ((rc = read_log(argv[i], t)) != EXIT_OK) {
            return rc;
        }
    }
    print_proposals(pp_propose(pool, t, &o.pp), &o, stdout);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "cors-check propose: cannot write the output: %s\n",
                strerror(errno));
        return EXIT_USAGE;
    }
    apr_pool_destroy(pool);
    apr_terminate();
    return EXIT_OK;
}
