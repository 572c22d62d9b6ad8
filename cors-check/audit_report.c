/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit_report.c -- `cors-check audit [--json] PATH...`: reads the paths,
 * finds the recipes (audit.c) and prints them for people or as one JSON
 * object.  Nothing it reads is run, and no file is written.
 */
#include <getopt.h>
#include <string.h>

#include "apr_general.h"
#include "apr_strings.h"

#include "audit.h"
#include "report.h"             /* json_str() */

#define EXIT_NO_RISK 0
#define EXIT_RISKS 1
#define EXIT_USAGE 2

static void usage(FILE *out)
{
    fputs("usage: cors-check audit [--json] PATH...\n"
          "Finds the CORS recipes (mod_headers, mod_setenvif, mod_rewrite, <If>) in\n"
          "httpd configuration files (Include lines followed), .htaccess files and\n"
          "directories of them, and says what each lets through, its risks and the\n"
          "mod_cors directives that replace it.\n"
          "exit: 0 no risk found, 1 risks found, 2 usage or read error\n", out);
}

/* ---- text ----------------------------------------------------------------- */

static void print_origins(const audit_recipe *r, FILE *out)
{
    int i;

    if (r->any) {
        fputs("  lets through: any origin\n", out);
        return;
    }
    fputs("  lets through:", out);
    for (i = 0; i < r->origins->nelts; i++) {
        fprintf(out, "%s %s", i ? "," : "", APR_ARRAY_IDX(r->origins, i, char *));
    }
    fputs(r->origins->nelts ? "\n" : " no origin\n", out);
}

static void print_indented(const char *text, const char *indent, FILE *out)
{
    const char *c = text;

    while (*c) {
        apr_size_t n = strcspn(c, "\n");
        fprintf(out, "%s%.*s\n", indent, (int)n, c);
        c += n + (c[n] == '\n');
    }
}

void audit_print_text(const apr_array_header_t *recipes, FILE *out)
{
    int i, k, risky = 0;

    for (i = 0; i < recipes->nelts; i++) {
        const audit_recipe *r = &APR_ARRAY_IDX(recipes, i, audit_recipe);
        fprintf(out, "%s:%d: CORS recipe in %s\n", r->file, r->line, r->scope);
        print_origins(r, out);
        fprintf(out, "  credentials: %s\n", r->credentials ? "yes" : "no");
        for (k = 0; k < r->risks->nelts; k++) {
            const audit_risk *x = &APR_ARRAY_IDX(r->risks, k, audit_risk);
            fprintf(out, "  risk %s, line %d: %s\n", audit_risk_name(x->kind),
                    x->line, x->text);
            fprintf(out, "      %s\n", x->why);
        }
        risky += r->risks->nelts > 0;
        fputs(r->risks->nelts ? "" : "  no risk found\n", out);
        fputs("  mod_cors:\n", out);
        print_indented(r->proposal, "    ", out);
        fputc('\n', out);
    }
    fprintf(out, "%d recipe%s, %d with risks\n", recipes->nelts,
            recipes->nelts == 1 ? "" : "s", risky);
}

/* ---- JSON ----------------------------------------------------------------- */

static void json_risk(const audit_risk *x, FILE *out)
{
    fputs("{\"kind\": ", out);
    json_str(audit_risk_name(x->kind), out);
    fprintf(out, ", \"line\": %d", x->line);
    if (x->kind == RISK_REGEX_LETS_IN) {
        fputs(", \"origin\": ", out);
        json_str(x->origin, out);
    }
    fputs(", \"text\": ", out);
    json_str(x->text, out);
    fputc('}', out);
}

static void json_recipe(const audit_recipe *r, FILE *out)
{
    int i;

    fputs("{\"file\": ", out);
    json_str(r->file, out);
    fprintf(out, ", \"line\": %d, \"scope\": ", r->line);
    json_str(r->scope, out);
    fputs(", \"origins\": ", out);
    if (r->any) {
        fputs("\"any\"", out);
    }
    else {
        fputc('[', out);
        for (i = 0; i < r->origins->nelts; i++) {
            fputs(i ? ", " : "", out);
            json_str(APR_ARRAY_IDX(r->origins, i, char *), out);
        }
        fputc(']', out);
    }
    fprintf(out, ", \"credentials\": %s, \"risks\": [",
            r->credentials ? "true" : "false");
    for (i = 0; i < r->risks->nelts; i++) {
        fputs(i ? ", " : "", out);
        json_risk(&APR_ARRAY_IDX(r->risks, i, audit_risk), out);
    }
    fputs("], \"proposal\": ", out);
    json_str(r->proposal, out);
    fputc('}', out);
}

void audit_print_json(const apr_array_header_t *recipes, FILE *out)
{
    int i;

    fputs("{\"recipes\": [", out);
    for (i = 0; i < recipes->nelts; i++) {
        fputs(i ? ",\n  " : "\n  ", out);
        json_recipe(&APR_ARRAY_IDX(recipes, i, audit_recipe), out);
    }
    fputs(recipes->nelts ? "\n]}\n" : "]}\n", out);
}

/* ---- the subcommand --------------------------------------------------------- */

static int has_risks(const apr_array_header_t *recipes)
{
    int i;

    for (i = 0; i < recipes->nelts; i++) {
        if (APR_ARRAY_IDX(recipes, i, audit_recipe).risks->nelts) {
            return 1;
        }
    }
    return 0;
}

int audit_command(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    apr_pool_t *p;
    conf_tree *t;
    apr_array_header_t *recipes;
    int c, json = 0, i, rc;

    optind = 1;
    opterr = 0;                 /* said below, with the command's name */
    while ((c = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
        switch (c) {
        case 'j':
            json = 1;
            break;
        case 'h':
            usage(stdout);
            return EXIT_NO_RISK;
        default:
            fprintf(stderr, "cors-check audit: unknown option '%s'\n",
                    argv[optind - 1]);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fputs("cors-check audit: at least one PATH is needed\n", stderr);
        usage(stderr);
        return EXIT_USAGE;
    }
    if (apr_initialize() != APR_SUCCESS) {
        fputs("cors-check audit: cannot initialize APR\n", stderr);
        return EXIT_USAGE;
    }
    apr_pool_create(&p, NULL);
    t = conf_tree_make(p);
    for (i = optind; i < argc; i++) {
        const char *err = conf_read_path(t, argv[i]);
        if (err) {
            fprintf(stderr, "cors-check audit: %s\n", err);
            apr_terminate();
            return EXIT_USAGE;
        }
    }
    recipes = audit_recipes(p, t);
    if (json) {
        audit_print_json(recipes, stdout);
    }
    else {
        audit_print_text(recipes, stdout);
    }
    rc = has_risks(recipes) ? EXIT_RISKS : EXIT_NO_RISK;
    apr_terminate();            /* and the pool with it */
    return rc;
}
