/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_audit.c -- unit tests of cors-check audit: the configuration reader
 * (conf_reader.c) and a table of CORS recipe shapes as they are found in
 * .htaccess files and virtual hosts (tutorials, Q&A answers, hosting
 * panels' snippets), each with the risks, origins and mod_cors proposal
 * audit must give.  Ends with "N passed, N failed".
 *
 *   cors-check/test_audit [TEST]
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "apr_file_io.h"

#include "tests/unit/check.h"

#include "audit.h"
#include "conf_reader.h"

/* ------------------------------------------------------------------------
 * Files to read
 */

static const char *tmp_root;

static const char *write_file(apr_pool_t *p, const char *rel, const char *text)
{
    const char *path = apr_pstrcat(p, tmp_root, "/", rel, NULL);
    char *dir = apr_pstrdup(p, path);
    apr_file_t *f;
    apr_size_t n = strlen(text);

    *strrchr(dir, '/') = '\0';
    apr_dir_make_recursive(dir, APR_FPROT_OS_DEFAULT, p);
    if (apr_file_open(&f, path, APR_FOPEN_WRITE | APR_FOPEN_CREATE
                      | APR_FOPEN_TRUNCATE, APR_FPROT_OS_DEFAULT, p) == APR_SUCCESS) {
        apr_file_write_full(f, text, n, NULL);
        apr_file_close(f);
    }
    return path;
}

/* A fresh directory for one test. */
static const char *fresh_dir(apr_pool_t *p, const char *name)
{
    static int n;
    const char *dir = apr_psprintf(p, "%s/%s-%d", tmp_root, name, ++n);

    apr_dir_make_recursive(dir, APR_FPROT_OS_DEFAULT, p);
    return dir + strlen(tmp_root) + 1;
}

/* ------------------------------------------------------------------------
 * The configuration reader
 */

static const conf_directive *nth(const conf_tree *t, int i)
{
    return i < t->directives->nelts
           ? &APR_ARRAY_IDX(t->directives, i, conf_directive) : NULL;
}

static void test_reader_lines(apr_pool_t *p)
{
    const char *d = fresh_dir(p, "lines");
    const char *path = write_file(p, apr_pstrcat(p, d, "/a.conf", NULL),
        "# a comment goes on with a backslash, as in httpd \\\n"
        "Swallowed by the comment\n"
        "  header   always set \"X-A\" 'a b' \\\n"
        "      env=X\n"
        "\n"
        "<ifmodule mod_headers.c>\n"
        "  <Location \"/api/\">\n"
        "    SetEnvIf Origin \"say \\\"hi\\\"\" V=$0\n"
        "  </location>\n"
        "</IfModule>\n"
        "<If \"%{HTTP:Origin} == 'https://a.example'\">\n"
        "  Header set X-B b\n"
        "</If>\r\n");
    conf_tree *t = conf_tree_make(p);

    CHECK_NOERR(conf_read_path(t, path));
    CHECK_INTEQ(t->directives->nelts, 3);
    CHECK(conf_is(nth(t, 0), "HEADER"));
    CHECK_INTEQ(nth(t, 0)->line, 3);
    CHECK_INTEQ(nth(t, 0)->args->nelts, 5);
    CHECK_STREQ(conf_arg(nth(t, 0), 2), "X-A");
    CHECK_STREQ(conf_arg(nth(t, 0), 3), "a b");
    CHECK_STREQ(conf_arg(nth(t, 0), 4), "env=X");
    CHECK_STREQ(conf_scope_name(p, conf_scope_of(nth(t, 0))), "server config");
    CHECK_STREQ(conf_arg(nth(t, 1), 1), "say \"hi\"");
    CHECK_INTEQ(nth(t, 1)->line, 8);
    CHECK_STREQ(conf_scope_name(p, conf_scope_of(nth(t, 1))),
                "<Location \"/api/\">");
    CHECK_STREQ(nth(t, 1)->section->parent->name, "ifmodule");
    CHECK_STREQ(nth(t, 2)->section->name, "If");
    CHECK(conf_scope_of(nth(t, 2)) == NULL);
}

static void test_reader_include(apr_pool_t *p)
{
    const char *d = fresh_dir(p, "include");
    const char *root = apr_pstrcat(p, tmp_root, "/", d, NULL);
    const char *main_conf = write_file(p, apr_pstrcat(p, d, "/apache2.conf", NULL),
        apr_pstrcat(p, "ServerRoot \"", root, "\"\n"
                    "Include ports.conf\n"
                    "IncludeOptional conf-enabled/*.conf\n"
                    "IncludeOptional mods-enabled/*.load\n"
                    "<VirtualHost *:80>\n"
                    "  include sites/\n"
                    "</VirtualHost>\n", NULL));
    conf_tree *t = conf_tree_make(p);

    write_file(p, apr_pstrcat(p, d, "/ports.conf", NULL), "Listen 80\n");
    write_file(p, apr_pstrcat(p, d, "/conf-enabled/b.conf", NULL), "B 1\n");
    write_file(p, apr_pstrcat(p, d, "/conf-enabled/a.conf", NULL), "A 1\n");
    write_file(p, apr_pstrcat(p, d, "/conf-enabled/x.txt", NULL), "X 1\n");
    write_file(p, apr_pstrcat(p, d, "/sites/one", NULL), "One 1\n");
    CHECK_NOERR(conf_read_path(t, main_conf));
    CHECK_INTEQ(t->directives->nelts, 9);
    CHECK(conf_is(nth(t, 2), "Listen"));
    CHECK(conf_is(nth(t, 4), "A"));             /* glob results in order */
    CHECK(conf_is(nth(t, 5), "B"));
    CHECK(conf_is(nth(t, 8), "One"));
    CHECK_STREQ(conf_scope_name(p, conf_scope_of(nth(t, 8))),
                "<VirtualHost *:80>");
    CHECK_INTEQ(t->files->nelts, 5);

    t = conf_tree_make(p);
    CHECK_ERR(conf_read_path(t, write_file(p, apr_pstrcat(p, d, "/bad.conf", NULL),
                                           "Include nothing-here/*.conf\n")));
    t = conf_tree_make(p);
    CHECK_ERR(conf_read_path(t, write_file(p, apr_pstrcat(p, d, "/loop.conf", NULL),
                                           apr_pstrcat(p, "Include ", root,
                                                       "/loop.conf\n", NULL))));
    t = conf_tree_make(p);
    CHECK_ERR(conf_read_path(t, write_file(p, apr_pstrcat(p, d, "/open.conf", NULL),
                                           "<Location />\nHeader set A b\n")));
    t = conf_tree_make(p);
    CHECK_ERR(conf_read_path(t, write_file(p, apr_pstrcat(p, d, "/close.conf", NULL),
                                           "</Location>\n")));
    t = conf_tree_make(p);
    CHECK_ERR(conf_read_path(t, apr_pstrcat(p, root, "/missing.conf", NULL)));
}

static void test_reader_tree(apr_pool_t *p)
{
    const char *d = fresh_dir(p, "tree");
    conf_tree *t = conf_tree_make(p);

    write_file(p, apr_pstrcat(p, d, "/a/.htaccess", NULL), "Header set A 1\n");
    write_file(p, apr_pstrcat(p, d, "/a/b/c/.htaccess", NULL), "Header set C 1\n");
    write_file(p, apr_pstrcat(p, d, "/site.conf", NULL), "Header set S 1\n");
    write_file(p, apr_pstrcat(p, d, "/a/index.html", NULL), "<html>\n");
    CHECK_NOERR(conf_read_path(t, apr_pstrcat(p, tmp_root, "/", d, NULL)));
    CHECK_INTEQ(t->files->nelts, 3);
    CHECK_INTEQ(t->directives->nelts, 3);
    CHECK(nth(t, 0)->section && nth(t, 0)->section->htaccess);
    CHECK_STRSTR(conf_scope_name(p, conf_scope_of(nth(t, 1))), "/a/b/c");
    CHECK(conf_scope_of(nth(t, 0)) != conf_scope_of(nth(t, 1)));
    CHECK(conf_scope_of(nth(t, 2)) == NULL);

    /* a link back up the tree ends in a message, not a loop */
    CHECK(symlink(apr_pstrcat(p, tmp_root, "/", d, NULL),
                  apr_pstrcat(p, tmp_root, "/", d, "/a/back", NULL)) == 0);
    t = conf_tree_make(p);
    CHECK_ERR(conf_read_path(t, apr_pstrcat(p, tmp_root, "/", d, NULL)));
}

/* ------------------------------------------------------------------------
 * The recipe shapes
 */

typedef struct {
    const char *name;
    const char *file;           /* ".htaccess" or "site.conf" */
    const char *conf;
    int recipes;                /* how many recipes the file holds */
    const char *risks;          /* of the first: "kind@line ..." */
    const char *origins;        /* "any", or the origins, space-separated */
    int credentials;
    const char *attacker;       /* regex-lets-in's origin, or NULL */
    const char *proposal;
} shape;

#define HTA ".htaccess"
#define CONF "site.conf"
#define ANY_PROPOSAL \
    "# Which origins need these answers cannot be read from the recipe.\n" \
    "# Put this beside it, log with the cors_observe LogFormat, then run\n" \
    "# `cors-check propose LOG` and put its directives here instead:\n" \
    "CORSEngine ReportOnly\n" \
    "CORSAllowOrigin *\n"
#define VARY "Header always merge Vary Origin\n"

#include "test_audit_shapes.h"

static const char *risks_of(apr_pool_t *p, const audit_recipe *r,
                            const char **attacker)
{
    const char *out = "";
    int i;

    *attacker = NULL;
    for (i = 0; i < r->risks->nelts; i++) {
        const audit_risk *k = &APR_ARRAY_IDX(r->risks, i, audit_risk);
        out = apr_psprintf(p, "%s%s%s@%d", out, i ? " " : "",
                           audit_risk_name(k->kind), k->line);
        if (k->kind == RISK_REGEX_LETS_IN && *attacker == NULL) {
            *attacker = k->origin;
        }
    }
    return out;
}

static const char *origins_of(apr_pool_t *p, const audit_recipe *r)
{
    const char *out = NULL;
    int i;

    if (r->any) {
        return "any";
    }
    for (i = 0; i < r->origins->nelts; i++) {
        const char *o = APR_ARRAY_IDX(r->origins, i, const char *);
        out = out ? apr_pstrcat(p, out, " ", o, NULL) : o;
    }
    return out ? out : "";
}

static void check_shape(apr_pool_t *p, const shape *s)
{
    const char *d = fresh_dir(p, "shape");
    const char *path = write_file(p, apr_pstrcat(p, d, "/", s->file, NULL), s->conf);
    conf_tree *t = conf_tree_make(p);
    apr_array_header_t *recipes;
    const audit_recipe *r;
    const char *attacker;

    CHECK_NOERRM(conf_read_path(t, path), s->name);
    recipes = audit_recipes(p, t);
    if (!CHECK_INTEQM(recipes->nelts, s->recipes, s->name) || s->recipes == 0) {
        return;
    }
    r = &APR_ARRAY_IDX(recipes, 0, audit_recipe);
    CHECK_STREQM(risks_of(p, r, &attacker), s->risks, s->name);
    CHECK_STREQM(attacker, s->attacker, s->name);
    CHECK_STREQM(origins_of(p, r), s->origins, s->name);
    CHECK_INTEQM(r->credentials, s->credentials, s->name);
    CHECK_STREQM(r->proposal, s->proposal, s->name);
}

static void test_shapes(apr_pool_t *p)
{
    size_t i;

    for (i = 0; i < N_ELEMS(shapes); i++) {
        check_shape(p, &shapes[i]);
    }
    printf("%lu recipe shapes\n", (unsigned long)N_ELEMS(shapes));
}

/* Every shape's file, read together from one directory tree: one recipe
 * per .htaccess, found by walking the tree. */
static void test_shapes_as_tree(apr_pool_t *p)
{
    const char *d = fresh_dir(p, "all");
    conf_tree *t = conf_tree_make(p);
    size_t i, expected = 0;

    for (i = 0; i < N_ELEMS(shapes); i++) {
        if (strcmp(shapes[i].file, HTA) == 0) {
            write_file(p, apr_psprintf(p, "%s/%03lu/.htaccess", d,
                                       (unsigned long)i), shapes[i].conf);
            expected += shapes[i].recipes;
        }
    }
    CHECK_NOERR(conf_read_path(t, apr_pstrcat(p, tmp_root, "/", d, NULL)));
    CHECK_INTEQ(audit_recipes(p, t)->nelts, expected);
}

/* The two renderings of one recipe: where it starts (its SetEnvIf line),
 * the attacker origin in JSON, the closing line of the text. */
static void test_output(apr_pool_t *p)
{
    const char *d = fresh_dir(p, "output");
    conf_tree *t = conf_tree_make(p);
    apr_array_header_t *recipes;
    char *json = NULL, *text = NULL;
    size_t n;
    FILE *f;

    write_file(p, apr_pstrcat(p, d, "/shop/.htaccess", NULL),
               "SetEnvIf Origin \"https://.*.shop.example\" ORIGIN=$0\n"
               "Header set Access-Control-Allow-Origin \"%{ORIGIN}e\" env=ORIGIN\n"
               "Header set Access-Control-Allow-Credentials \"true\"\n");
    CHECK_NOERR(conf_read_path(t, apr_pstrcat(p, tmp_root, "/", d, NULL)));
    recipes = audit_recipes(p, t);
    f = open_memstream(&json, &n);
    audit_print_json(recipes, f);
    fclose(f);
    f = open_memstream(&text, &n);
    audit_print_text(recipes, f);
    fclose(f);
    CHECK_STRSTR(json, "\"line\": 1, \"scope\": \".htaccess in ");
    CHECK_STRSTR(json, "\"origins\": [\"https://*.shop.example\"], \"credentials\": true");
    CHECK_STRSTR(json, "{\"kind\": \"regex-lets-in\", \"line\": 1, "
                       "\"origin\": \"https://evilshop.example\", \"text\": "
                       "\"SetEnvIf Origin \\\"https://.*.shop.example\\\" ORIGIN=$0\"}");
    CHECK_STRSTR(json, "{\"kind\": \"no-vary\", \"line\": 2, \"text\": ");
    CHECK_STRSTR(json, "\"proposal\": \"CORSAllowOrigin https://*.shop.example\\u000a"
                       "CORSAllowCredentials On\\u000a\"}");
    CHECK_STRSTR(text, "/shop/.htaccess:1: CORS recipe in .htaccess in ");
    CHECK_STRSTR(text, "  risk regex-lets-in, line 1: SetEnvIf Origin");
    CHECK_STRSTR(text, "matches https://evilshop.example");
    CHECK_STRSTR(text, "\n    CORSAllowOrigin https://*.shop.example\n");
    CHECK_STRSTR(text, "\n1 recipe, 1 with risks\n");
    free(json);
    free(text);
}

static int remove_one(const char *path, const struct stat *st, int flag,
                      struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

int main(int argc, char **argv)
{
    static const check_test tests[] = {
        { "reader_lines", test_reader_lines },
        { "reader_include", test_reader_include },
        { "reader_tree", test_reader_tree },
        { "shapes", test_shapes },
        { "shapes_as_tree", test_shapes_as_tree },
        { "output", test_output },
    };
    char tmpl[] = "/tmp/test_audit.XXXXXX";
    int rc;

    if (mkdtemp(tmpl) == NULL) {
        printf("mkdtemp failed\n0 passed, 1 failed\n");
        return 1;
    }
    tmp_root = tmpl;
    rc = check_main(tests, N_ELEMS(tests), argc, argv);
    nftw(tmpl, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}
