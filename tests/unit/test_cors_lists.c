/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_cors_lists.c -- unit tests of the method and header lists
 * (cors_lists.h, cors_set.h): what each directive adds, the allowed
 * methods, tokens, the comma-list tokenizer, protocol header names.
 *
 * Run by `make test-unit`; the output ends with one line "N passed, N
 * failed" (see check.h).  Expectations follow docs/contract.md and
 * docs/requests.md; vectors marked Exx/Kxx are those of
 * docs/test-vectors.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apr_general.h"
#include "apr_pools.h"
#include "apr_strings.h"
#include "apr_tables.h"

#include "cors_logic.h"

#include "check.h"
#include "logic_helpers.h"

/* ------------------------------------------------------------------------
 * cors_list_add_methods
 */

static void test_list_add_methods(apr_pool_t *p)
{
    const char *w;
    const char *err;
    cors_list *l;

    l = cors_list_make(p);
    CHECK(l != NULL);
    CHECK(!l->any && !l->authorization);

    /* K14: the six Fetch-normalized names are uppercased */
    l = cors_list_make(p);
    CHECK_NOERR(add_methods(l, p, "get|delete|head|options|post|put", &w));
    CHECK_STREQ(l->value, "GET, DELETE, HEAD, OPTIONS, POST, PUT");
    CHECK(w == NULL);
    CHECK(cors_set_lookup(&l->names, "DELETE", 6) != NULL);
    CHECK(cors_set_lookup(&l->names, "delete", 6) == NULL);
    CHECK(!l->any);

    l = cors_list_make(p);
    CHECK_NOERR(add_methods(l, p, "Get|DeLeTe|pUT", &w));
    CHECK_STREQ(l->value, "GET, DELETE, PUT");

    /* order as written; other names kept as written */
    l = cors_list_make(p);
    CHECK_NOERR(add_methods(l, p, "PUT|PATCH|GET|PURGE|delete", &w));
    CHECK_STREQ(l->value, "PUT, PATCH, GET, PURGE, DELETE");
    CHECK(w == NULL);
    CHECK(cors_set_lookup(&l->names, "PATCH", 5) != NULL);
    CHECK(cors_set_lookup(&l->names, "PURGE", 5) != NULL);

    /* lowercase patch: kept, with a warning suggesting PATCH */
    l = cors_list_make(p);
    CHECK_NOERR(add_methods(l, p, "patch", &w));
    CHECK_STREQ(l->value, "patch");
    CHECK(w != NULL);
    CHECK_STRSTR(w, "PATCH");
    CHECK(cors_set_lookup(&l->names, "patch", 5) != NULL);
    CHECK(cors_set_lookup(&l->names, "PATCH", 5) == NULL);

    l = cors_list_make(p);
    CHECK_NOERR(add_methods(l, p, "GET|PATCH|patch", &w));
    CHECK_STREQ(l->value, "GET, PATCH, patch");
    CHECK_STRSTR(w, "PATCH");

    /* lines add up */
    l = cors_list_make(p);
    CHECK_NOERR(add_methods(l, p, "GET", &w));
    CHECK_STREQ(l->value, "GET");
    CHECK_NOERR(add_methods(l, p, "put|DELETE", &w));
    CHECK_STREQ(l->value, "GET, PUT, DELETE");
    CHECK(cors_set_lookup(&l->names, "GET", 3) != NULL);
    CHECK(cors_set_lookup(&l->names, "PUT", 3) != NULL);

    /* "*" alone */
    l = cors_list_make(p);
    CHECK_NOERR(add_methods(l, p, "*", &w));
    CHECK(l->any);
    CHECK_STREQ(l->value, "*");

    /* errors; the message names the value (K13) */
    {
        static const struct { const char *argv, *named; } bad[] = {
            { "CONNECT", "CONNECT" },
            { "TRACE", "TRACE" },
            { "TRACK", "TRACK" },
            { "track", "track" },
            { "connect", "connect" },
            { "Trace", "Trace" },
            { "GET|TRACE", "TRACE" },
            { "GET|a,b", "a,b" },
            { "G T", "G T" },
            { "GET,PUT", "GET,PUT" },
            { "x@y", "x@y" },
            { "P\xc3\x9cT", "P\xc3\x9cT" },
            { "*|GET", "*" },
            { "GET|*", "*" },
        };
        size_t i;
        for (i = 0; i < N_ELEMS(bad); i++) {
            l = cors_list_make(p);
            err = add_methods(l, p, bad[i].argv, &w);
            if (CHECK_ERRM(err, bad[i].argv)) {
                CHECK_STRSTRM(err, bad[i].named, bad[i].argv);
            }
        }
        l = cors_list_make(p);
        CHECK_ERRM(add_methods(l, p, "", &w), "(empty argument)");
    }

    /* "*" must stand alone across lines of one scope too */
    l = cors_list_make(p);
    CHECK_NOERR(add_methods(l, p, "GET", &w));
    CHECK_ERR(add_methods(l, p, "*", &w));
    l = cors_list_make(p);
    CHECK_NOERR(add_methods(l, p, "*", &w));
    CHECK_ERR(add_methods(l, p, "PUT", &w));
}

/* ------------------------------------------------------------------------
 * cors_list_add_allow_headers
 */

static void test_list_add_allow_headers(apr_pool_t *p)
{
    static const char *const safelisted_tail =
        "Accept, Accept-Language, Content-Language, Content-Type, Range";
    cors_list *l;
    const char *err;

    l = cors_list_make(p);
    CHECK_NOERR(add_allow(l, p, "Content-Type|X-Requested-With"));
    CHECK_STREQ(l->value, "Content-Type, X-Requested-With");
    /* the safelisted names follow, those already listed not repeated */
    CHECK_STREQ(l->value_safelisted,
                "Content-Type, X-Requested-With, Accept, Accept-Language, "
                "Content-Language, Range");
    CHECK(cors_set_lookup(&l->names, "x-requested-with", 16)
          != NULL);
    CHECK(cors_set_lookup(&l->names, "content-type", 12)
          != NULL);
    CHECK(cors_set_lookup(&l->names, "X-Requested-With", 16)
          == NULL);
    CHECK(!l->any && !l->authorization);

    /* lines add up */
    l = cors_list_make(p);
    CHECK_NOERR(add_allow(l, p, "X-A"));
    CHECK_NOERR(add_allow(l, p, "x-b|X-C"));
    CHECK_STREQ(l->value, "X-A, x-b, X-C");
    CHECK_STREQ(l->value_safelisted,
                apr_pstrcat(p, "X-A, x-b, X-C, ", safelisted_tail, NULL));
    CHECK(cors_set_lookup(&l->names, "x-c", 3) != NULL);

    /* Authorization */
    l = cors_list_make(p);
    CHECK_NOERR(add_allow(l, p, "Authorization"));
    CHECK(l->authorization);
    CHECK(!l->any);
    CHECK_STREQ(l->value, "Authorization");

    l = cors_list_make(p);
    CHECK_NOERR(add_allow(l, p, "*"));
    CHECK(l->any);
    CHECK(!l->authorization);
    CHECK_STREQ(l->value, "*");

    l = cors_list_make(p);
    CHECK_NOERR(add_allow(l, p, "*|Authorization"));
    CHECK(l->any);
    CHECK(l->authorization);
    CHECK_STREQ(l->value, "*, Authorization");

    l = cors_list_make(p);
    CHECK_NOERR(add_allow(l, p, "*|authorization"));
    CHECK(l->any && l->authorization);

    /* odd-looking but allowed names */
    l = cors_list_make(p);
    CHECK_NOERR(add_allow(l, p, "X-Sec-Foo|X-Proxy-Foo|X-Access-Control-Foo"
                          "|Accept|Content-Type|X-Custom.Dotted|a!#$%&'*+-.^_`~"));

    /* forbidden names (K15, K16) and non-tokens: errors naming the value */
    {
        static const char *const bad[] = {
            "Cookie", "cookie", "COOKIE", "Host", "Content-Length", "Sec-Foo",
            "sec-fetch-mode", "Proxy-Foo", "proxy-authorization",
            "Access-Control-Allow-Origin", "access-control-request-method",
            "Origin", "Accept-Charset", "Accept-Encoding", "Connection",
            "Cookie2", "Date", "DNT", "Expect", "Keep-Alive", "Referer",
            "Set-Cookie", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
            "Via", "X Foo", "a,b", "x@y", "x:y", "\"x\"", "X-\xc3\xa9",
        };
        size_t i;
        for (i = 0; i < N_ELEMS(bad); i++) {
            l = cors_list_make(p);
            err = add_allow(l, p, bad[i]);
            if (CHECK_ERRM(err, bad[i])) {
                CHECK_STRSTRM(err, bad[i], bad[i]);
            }
            /* also when after a good name */
            l = cors_list_make(p);
            err = add_allow(l, p, apr_pstrcat(p, "X-Good|", bad[i], NULL));
            CHECK_ERRM(err, bad[i]);
        }
        l = cors_list_make(p);
        CHECK_ERRM(add_allow(l, p, ""), "(empty argument)");
    }
}

/* ------------------------------------------------------------------------
 * cors_list_add_expose_headers
 */

static void test_list_add_expose_headers(apr_pool_t *p)
{
    cors_list *l;
    const char *err;

    l = cors_list_make(p);
    CHECK_NOERR(add_expose(l, p, "X-Total-Count|X-Request-Id"));
    CHECK_STREQ(l->value, "X-Total-Count, X-Request-Id");
    CHECK(!l->any);

    l = cors_list_make(p);
    CHECK_NOERR(add_expose(l, p, "X-A"));
    CHECK_NOERR(add_expose(l, p, "X-B"));
    CHECK_STREQ(l->value, "X-A, X-B");

    l = cors_list_make(p);
    CHECK_NOERR(add_expose(l, p, "Content-Type|Content-Length|ETag"));
    CHECK_STREQ(l->value, "Content-Type, Content-Length, ETag");

    l = cors_list_make(p);
    CHECK_NOERR(add_expose(l, p, "*"));
    CHECK(l->any);
    CHECK_STREQ(l->value, "*");

    {
        static const struct { const char *argv, *named; } bad[] = {
            { "Set-Cookie", "Set-Cookie" },
            { "set-cookie", "set-cookie" },
            { "Set-Cookie2", "Set-Cookie2" },
            { "Access-Control-Allow-Origin", "Access-Control-Allow-Origin" },
            { "X-A|access-control-expose-headers",
              "access-control-expose-headers" },
            { "*|X-A", "*" },
            { "X-A|*", "*" },
            { "X A", "X A" },
            { "a,b", "a,b" },
        };
        size_t i;
        for (i = 0; i < N_ELEMS(bad); i++) {
            l = cors_list_make(p);
            err = add_expose(l, p, bad[i].argv);
            if (CHECK_ERRM(err, bad[i].argv)) {
                CHECK_STRSTRM(err, bad[i].named, bad[i].argv);
            }
        }
    }
    /* "*" must stand alone across lines */
    l = cors_list_make(p);
    CHECK_NOERR(add_expose(l, p, "X-A"));
    CHECK_ERR(add_expose(l, p, "*"));
}

/* ------------------------------------------------------------------------
 * cors_method_allowed
 */

static void test_method_allowed(apr_pool_t *p)
{
    const char *w;
    cors_list *l, *any, *empty, *lower;
    size_t i;

    /* no CORSAllowMethods */
    {
        static const struct { const char *m; int ok; } c[] = {
            { "GET", 1 }, { "HEAD", 1 }, { "POST", 1 },
            { "get", 0 }, { "Post", 0 }, { "PUT", 0 }, { "OPTIONS", 0 },
            { "DELETE", 0 }, { "", 0 }, { " GET", 0 }, { "GET ", 0 },
            { "GET, POST", 0 },
        };
        empty = cors_list_make(p);
        for (i = 0; i < N_ELEMS(c); i++) {
            CHECK_INTEQM(cors_method_allowed(NULL, 0, c[i].m), c[i].ok,
                         apr_psprintf(p, "NULL list, '%s'", c[i].m));
            CHECK_INTEQM(cors_method_allowed(NULL, 1, c[i].m), c[i].ok,
                         apr_psprintf(p, "NULL list creds, '%s'", c[i].m));
            CHECK_INTEQM(cors_method_allowed(empty, 0, c[i].m), c[i].ok,
                         apr_psprintf(p, "empty list, '%s'", c[i].m));
        }
    }

    /* P1: GET POST PUT DELETE PATCH */
    l = cors_list_make(p);
    CHECK_NOERR(add_methods(l, p, "GET|POST|PUT|DELETE|PATCH", &w));
    {
        static const struct { const char *m; int ok; } c[] = {
            { "GET", 1 }, { "HEAD", 1 }, { "POST", 1 }, { "PUT", 1 },
            { "DELETE", 1 }, { "PATCH", 1 },
            { "put", 0 }, { "Put", 0 }, { "patch", 0 }, { "delete", 0 },
            { "PURGE", 0 }, { "CONNECT", 0 }, { "TRACE", 0 },
            { "GET, DELETE", 0 }, { "PUT, DELETE", 0 }, { "GET,DELETE", 0 },
            { "", 0 }, { " PUT", 0 }, { "PUT ", 0 }, { "PU T", 0 },
            { "PUTX", 0 }, { "PU", 0 }, { "\tPUT", 0 },
        };
        for (i = 0; i < N_ELEMS(c); i++) {
            CHECK_INTEQM(cors_method_allowed(l, 0, c[i].m), c[i].ok,
                         apr_psprintf(p, "P1, '%s'", c[i].m));
            CHECK_INTEQM(cors_method_allowed(l, 1, c[i].m), c[i].ok,
                         apr_psprintf(p, "P1 creds, '%s'", c[i].m));
        }
    }

    /* P10: lowercase patch kept byte-exact (C10, C11) */
    lower = cors_list_make(p);
    CHECK_NOERR(add_methods(lower, p, "patch", &w));
    CHECK(cors_method_allowed(lower, 0, "patch"));
    CHECK(!cors_method_allowed(lower, 0, "PATCH"));
    CHECK(cors_method_allowed(lower, 0, "GET"));

    /* normalized config: "delete" means DELETE */
    l = cors_list_make(p);
    CHECK_NOERR(add_methods(l, p, "delete|put", &w));
    CHECK(cors_method_allowed(l, 0, "DELETE"));
    CHECK(cors_method_allowed(l, 0, "PUT"));
    CHECK(!cors_method_allowed(l, 0, "delete"));

    /* "*": any token without credentials only */
    any = cors_list_make(p);
    CHECK_NOERR(add_methods(any, p, "*", &w));
    {
        static const struct { const char *m; int ok0, ok1; } c[] = {
            { "GET", 1, 1 }, { "HEAD", 1, 1 }, { "POST", 1, 1 },
            { "PUT", 1, 0 }, { "DELETE", 1, 0 }, { "PURGE", 1, 0 },
            { "put", 1, 0 }, { "patch", 1, 0 }, { "X-Custom.M", 1, 0 },
            { "GET, DELETE", 0, 0 }, { "", 0, 0 }, { " PUT", 0, 0 },
            { "PUT ", 0, 0 }, { "a b", 0, 0 }, { "x@y", 0, 0 },
        };
        for (i = 0; i < N_ELEMS(c); i++) {
            CHECK_INTEQM(cors_method_allowed(any, 0, c[i].m), c[i].ok0,
                         apr_psprintf(p, "*, '%s'", c[i].m));
            CHECK_INTEQM(cors_method_allowed(any, 1, c[i].m), c[i].ok1,
                         apr_psprintf(p, "* creds, '%s'", c[i].m));
        }
    }
}

/* ------------------------------------------------------------------------
 * cors_is_token
 */

static void test_is_token(apr_pool_t *p)
{
    static const struct { const char *s; int ok; } c[] = {
        { "GET", 1 }, { "x-foo", 1 }, { "X-Custom.Dotted", 1 },
        { "!#$%&'*+-.^_`|~", 1 }, { "a", 1 }, { "*", 1 }, { "0", 1 },
        { "", 0 }, { " ", 0 }, { "a b", 0 }, { "a\tb", 0 }, { "x@y", 0 },
        { "a,b", 0 }, { "a;b", 0 }, { "a:b", 0 }, { "\"a\"", 0 },
        { "a/b", 0 }, { "a(b)", 0 }, { "a[b]", 0 }, { "a{b}", 0 },
        { "a=b", 0 }, { "a?b", 0 }, { "a\\b", 0 }, { "a<b>", 0 },
        { "\xc3\xa9", 0 }, { "a\x01", 0 }, { "a\x7f", 0 }, { " a", 0 },
        { "a ", 0 },
    };
    size_t i;
    for (i = 0; i < N_ELEMS(c); i++) {
        CHECK_INTEQM(!!cors_is_token(c[i].s), c[i].ok,
                     apr_psprintf(p, "'%s'", c[i].s));
    }
}


/* ------------------------------------------------------------------------
 * cors_list_has, cors_list_next: the comma-list tokenizer
 */

static void test_list_has(apr_pool_t *p)
{
    static const struct { const char *v, *tok; int ok; } c[] = {
        { "Origin", "Origin", 1 },
        { "origin", "Origin", 1 },
        { "ORIGIN", "origin", 1 },
        { "Accept-Encoding, origin", "Origin", 1 },
        { "Accept-Encoding,Origin", "Origin", 1 },
        { "Origin, Accept-Encoding", "Origin", 1 },
        { "Accept, Origin, Cookie", "Origin", 1 },
        { " Origin ", "Origin", 1 },
        { "\tOrigin\t,x", "Origin", 1 },
        { "Accept-Encoding ,  Origin  ", "Origin", 1 },
        { ",,Origin,,", "Origin", 1 },
        { "Originx", "Origin", 0 },
        { "X-Origin", "Origin", 0 },
        { "Origin-X, Accept", "Origin", 0 },
        { "Accept-Encoding", "Origin", 0 },
        { "Accept-Encoding, X-Origin, Originx", "Origin", 0 },
        { "Ori gin", "Origin", 0 },
        { "Orig", "Origin", 0 },
        { "", "Origin", 0 },
        { ",", "Origin", 0 },
        { "Origin, Access-Control-Request-Method",
          "Access-Control-Request-Method", 1 },
        { "Origin, Access-Control-Request-Method",
          "Access-Control-Request-Headers", 0 },
        { "Access-Control-Request-Method-X",
          "Access-Control-Request-Method", 0 },
    };
    size_t i;

    for (i = 0; i < N_ELEMS(c); i++) {
        CHECK_INTEQM(!!cors_list_has(c[i].v, c[i].tok, strlen(c[i].tok)),
                     c[i].ok, apr_psprintf(p, "Vary '%s' has '%s'", c[i].v,
                                           c[i].tok));
    }
    CHECK(!cors_list_has(NULL, "Origin", 6));
    /* a length shorter than the name: only that prefix counts */
    CHECK(cors_list_has("Orig, x", "Origin", 4));
}

static void test_list_next(apr_pool_t *p)
{
    const char *cursor = " a ,, b\t,c d ,", *e;
    const char *want[] = { "a", "b", "c d" };
    size_t n, i = 0;

    while ((e = cors_list_next(&cursor, &n)) != NULL && i < N_ELEMS(want)) {
        CHECK_STREQ(apr_pstrmemdup(p, e, n), want[i]);
        i++;
    }
    CHECK(e == NULL);
    CHECK_INTEQ(i, N_ELEMS(want));
    cursor = "";
    CHECK(cors_list_next(&cursor, &n) == NULL);
    cursor = " , ,\t";
    CHECK(cors_list_next(&cursor, &n) == NULL);
    /* the safelisted names, one source: five names, each a token */
    cursor = cors_safelisted_headers;
    i = 0;
    while ((e = cors_list_next(&cursor, &n)) != NULL) {
        const char *name = apr_pstrmemdup(p, e, n), *bad;
        size_t badlen;
        int safelisted;
        CHECK(cors_is_token(name));
        /* ... and each is one the request side takes as safelisted */
        CHECK_INTEQM(cors_request_headers_check(NULL, 0, name, &safelisted,
                                                &bad, &badlen),
                     CORS_ACRH_OK, name);
        CHECKM(safelisted, name);
        i++;
    }
    CHECK_INTEQ(i, 5);
    /* ... and a list naming none of them answers with all of them, in
     * that order and spelling */
    {
        cors_list *l = cors_list_make(p);
        CHECK_NOERR(add_allow(l, p, "X-A"));
        CHECK_STREQ(l->value_safelisted,
                    apr_pstrcat(p, "X-A, ", cors_safelisted_headers, NULL));
    }
}

static void test_is_protocol_header(apr_pool_t *p)
{
    (void)p;
    CHECK(cors_is_protocol_header("Access-Control-Allow-Origin"));
    CHECK(cors_is_protocol_header("ACCESS-CONTROL-MAX-AGE"));
    CHECK(cors_is_protocol_header("access-control-x"));
    CHECK(cors_is_protocol_header("Access-Control-"));
    CHECK(!cors_is_protocol_header("Access-Control"));
    CHECK(!cors_is_protocol_header("Access-Controls-X"));
    CHECK(!cors_is_protocol_header("Accept-Ranges"));
    CHECK(!cors_is_protocol_header("X-Access-Control-Allow-Origin"));
    CHECK(!cors_is_protocol_header(""));
}

static const check_test tests[] = {
    { "list_add_methods", test_list_add_methods },
    { "list_add_allow_headers", test_list_add_allow_headers },
    { "list_add_expose_headers", test_list_add_expose_headers },
    { "method_allowed", test_method_allowed },
    { "is_token", test_is_token },
    { "is_protocol_header", test_is_protocol_header },
    { "list_has", test_list_has },
    { "list_next", test_list_next },
};

int main(int argc, char **argv)
{
    return check_main(tests, N_ELEMS(tests), argc, argv);
}
