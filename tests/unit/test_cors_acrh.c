/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_cors_acrh.c -- unit tests of checking a preflight's
 * Access-Control-Request-Headers against the allowed headers
 * (cors_request_headers_check in cors_lists.h).
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

static const char *acrh_name(cors_acrh_result r)
{
    switch (r) {
    case CORS_ACRH_OK: return "OK";
    case CORS_ACRH_DENIED: return "DENIED";
    case CORS_ACRH_MALFORMED: return "MALFORMED";
    case CORS_ACRH_TOO_LONG: return "TOO_LONG";
    }
    return "?";
}

/* ------------------------------------------------------------------------
 * cors_request_headers_check
 */

struct acrh_case {
    const char *acrh;
    cors_acrh_result expect;
    int safelisted;         /* expected *safelisted; -1: not checked */
    const char *bad;        /* expected bad copy; NULL: not checked */
};

static void run_acrh(const cors_list *l, int creds, const char *lname,
                     const struct acrh_case *c, size_t n, apr_pool_t *p)
{
    size_t i;
    for (i = 0; i < n; i++) {
        const char *bad = NULL;
        size_t badlen = 0;
        int sl = 0;
        cors_acrh_result r;
        const char *ctx = apr_psprintf(p, "%s%s, ACRH '%s'", lname,
                                       creds ? " creds" : "",
                                       show(c[i].acrh));
        r = cors_request_headers_check(l, creds, c[i].acrh, &sl, &bad,
                                       &badlen);
        if (!CHECK_STREQM(acrh_name(r), acrh_name(c[i].expect), ctx)) {
            continue;
        }
        if (c[i].safelisted >= 0) {
            CHECK_INTEQM(!!sl, c[i].safelisted, ctx);
        }
        if (c[i].bad) {
            CHECK_STREQM(bad ? apr_pstrmemdup(p, bad, badlen) : NULL,
                         c[i].bad, ctx);
        }
    }
}

static void test_acrh_basic(apr_pool_t *p)
{
    cors_list *p1 = cors_list_make(p);
    cors_list *empty = cors_list_make(p);

    /* P1: Content-Type, X-Requested-With */
    CHECK_NOERR(add_allow(p1, p, "Content-Type|X-Requested-With"));
    {
        static const struct acrh_case c[] = {
            { NULL, CORS_ACRH_OK, 0, NULL },
            { "", CORS_ACRH_OK, 0, NULL },
            { " ", CORS_ACRH_OK, 0, NULL },
            { ",", CORS_ACRH_OK, 0, NULL },
            { " , ,\t,", CORS_ACRH_OK, 0, NULL },
            /* D01 canonical */
            { "content-type,x-requested-with", CORS_ACRH_OK, 0, NULL },
            { "x-requested-with", CORS_ACRH_OK, 0, NULL },
            /* D02 unsorted */
            { "x-requested-with,content-type", CORS_ACRH_OK, 0, NULL },
            /* D03 uppercase */
            { "Content-Type", CORS_ACRH_OK, 0, NULL },
            { "X-REQUESTED-WITH,CONTENT-TYPE", CORS_ACRH_OK, 0, NULL },
            /* D04 OWS */
            { "content-type , x-requested-with", CORS_ACRH_OK, 0, NULL },
            { "\tcontent-type\t,\tx-requested-with\t", CORS_ACRH_OK, 0,
              NULL },
            { "  content-type  ,  x-requested-with  ", CORS_ACRH_OK, 0,
              NULL },
            /* D05 empty elements, D06 17 trailing commas */
            { ",content-type,,x-requested-with,", CORS_ACRH_OK, 0, NULL },
            { "content-type,,,,,,,,,,,,,,,,,", CORS_ACRH_OK, 0, NULL },
            /* D08 two lines merged by httpd */
            { "content-type, x-requested-with", CORS_ACRH_OK, 0, NULL },
            /* D09 duplicates */
            { "content-type,content-type", CORS_ACRH_OK, 0, NULL },
            { "x-requested-with,X-Requested-With", CORS_ACRH_OK, 0, NULL },
            /* safelisted but not listed: OK, *safelisted set */
            { "accept", CORS_ACRH_OK, 1, NULL },
            { "Accept-Language", CORS_ACRH_OK, 1, NULL },
            { "content-language", CORS_ACRH_OK, 1, NULL },
            { "range", CORS_ACRH_OK, 1, NULL },
            { "accept,content-type,x-requested-with", CORS_ACRH_OK, 1, NULL },
            { "x-requested-with, RANGE", CORS_ACRH_OK, 1, NULL },
            /* DENIED, bad name copied */
            { "x-secret", CORS_ACRH_DENIED, -1, "x-secret" },
            { "content-type,x-secret", CORS_ACRH_DENIED, -1, "x-secret" },
            { "content-type, x-secret ,x-requested-with", CORS_ACRH_DENIED,
              -1, "x-secret" },
            { "X-Secret", CORS_ACRH_DENIED, -1, "X-Secret" },
            { "authorization", CORS_ACRH_DENIED, -1, "authorization" },
            { "cookie", CORS_ACRH_DENIED, -1, "cookie" },
            { "content-typ", CORS_ACRH_DENIED, -1, "content-typ" },
            { "content-typex", CORS_ACRH_DENIED, -1, "content-typex" },
            { "accept-", CORS_ACRH_DENIED, -1, "accept-" },
            /* D14: a dotted token is a token, just not allowed */
            { "content.type", CORS_ACRH_DENIED, -1, "content.type" },
            /* MALFORMED: not a token */
            { "a b", CORS_ACRH_MALFORMED, -1, "a b" },
            { "x@y", CORS_ACRH_MALFORMED, -1, "x@y" },
            { "content-type,x@y", CORS_ACRH_MALFORMED, -1, "x@y" },
            { "content-type;q=1", CORS_ACRH_MALFORMED, -1, NULL },
            { "\"content-type\"", CORS_ACRH_MALFORMED, -1, NULL },
            { "x:y", CORS_ACRH_MALFORMED, -1, "x:y" },
            { "x-\xc3\xa9", CORS_ACRH_MALFORMED, -1, NULL },
            { "a\x01", CORS_ACRH_MALFORMED, -1, NULL },
            { "content-type\r\nx-foo", CORS_ACRH_MALFORMED, -1, NULL },
        };
        run_acrh(p1, 0, "P1", c, N_ELEMS(c), p);
        run_acrh(p1, 1, "P1", c, N_ELEMS(c), p);
    }

    /* No names configured at all: only the safelisted ones pass */
    {
        static const struct acrh_case c[] = {
            { NULL, CORS_ACRH_OK, 0, NULL },
            { "", CORS_ACRH_OK, 0, NULL },
            { "accept", CORS_ACRH_OK, 1, NULL },
            { "content-type", CORS_ACRH_OK, 1, NULL },
            { "accept,accept-language,content-language,content-type,range",
              CORS_ACRH_OK, 1, NULL },
            { "x-foo", CORS_ACRH_DENIED, -1, "x-foo" },
            { "content-type,x-foo", CORS_ACRH_DENIED, -1, "x-foo" },
            { "authorization", CORS_ACRH_DENIED, -1, "authorization" },
        };
        run_acrh(empty, 0, "empty", c, N_ELEMS(c), p);
    }

    /* D13: configured X-Requested-With, requested lowercase */
    {
        cors_list *l = cors_list_make(p);
        static const struct acrh_case c[] = {
            { "x-requested-with", CORS_ACRH_OK, 0, NULL },
            { "X-REQUESTED-WITH", CORS_ACRH_OK, 0, NULL },
            { "content-type", CORS_ACRH_OK, 1, NULL },
        };
        CHECK_NOERR(add_allow(l, p, "X-Requested-With"));
        run_acrh(l, 0, "X-Requested-With", c, N_ELEMS(c), p);
    }
}

static void test_acrh_wildcard(apr_pool_t *p)
{
    cors_list *star = cors_list_make(p);
    cors_list *star_auth = cors_list_make(p);
    cors_list *auth = cors_list_make(p);
    cors_list *p2 = cors_list_make(p);

    CHECK_NOERR(add_allow(star, p, "*"));
    CHECK_NOERR(add_allow(star_auth, p, "*|Authorization"));
    CHECK_NOERR(add_allow(auth, p, "Authorization"));
    CHECK_NOERR(add_allow(p2, p, "Authorization|Content-Type"));

    /* "*" without credentials: any name but Authorization (C16) */
    {
        static const struct acrh_case c[] = {
            { "x-foo", CORS_ACRH_OK, -1, NULL },
            { "x-foo,x-bar,x-baz", CORS_ACRH_OK, -1, NULL },
            { "content-type", CORS_ACRH_OK, 0, NULL },
            { "authorization", CORS_ACRH_DENIED, -1, "authorization" },
            { "x-foo, Authorization", CORS_ACRH_DENIED, -1,
              "Authorization" },
            { "x@y", CORS_ACRH_MALFORMED, -1, "x@y" },
        };
        run_acrh(star, 0, "*", c, N_ELEMS(c), p);
    }
    /* "*" with credentials is a literal name: only safelisted pass */
    {
        static const struct acrh_case c[] = {
            { "x-foo", CORS_ACRH_DENIED, -1, "x-foo" },
            { "authorization", CORS_ACRH_DENIED, -1, "authorization" },
            { "content-type", CORS_ACRH_OK, -1, NULL },
            { "", CORS_ACRH_OK, -1, NULL },
        };
        run_acrh(star, 1, "*", c, N_ELEMS(c), p);
    }
    /* "*, Authorization" (P7, B10) */
    {
        static const struct acrh_case c[] = {
            { "authorization", CORS_ACRH_OK, -1, NULL },
            { "authorization,x-foo", CORS_ACRH_OK, -1, NULL },
            { "Authorization, X-Foo", CORS_ACRH_OK, -1, NULL },
        };
        run_acrh(star_auth, 0, "*,Authorization", c, N_ELEMS(c), p);
    }
    {
        static const struct acrh_case c[] = {
            { "authorization", CORS_ACRH_OK, -1, NULL },
            { "x-foo", CORS_ACRH_DENIED, -1, "x-foo" },
        };
        run_acrh(star_auth, 1, "*,Authorization", c, N_ELEMS(c), p);
    }
    /* Authorization listed (B06, D15, F05) */
    {
        static const struct acrh_case c[] = {
            { "authorization", CORS_ACRH_OK, 0, NULL },
            { "AUTHORIZATION", CORS_ACRH_OK, 0, NULL },
            { "x-anything", CORS_ACRH_DENIED, -1, "x-anything" },
        };
        run_acrh(auth, 0, "Authorization", c, N_ELEMS(c), p);
        run_acrh(auth, 1, "Authorization", c, N_ELEMS(c), p);
    }
    {
        static const struct acrh_case c[] = {
            { "authorization, content-type", CORS_ACRH_OK, 0, NULL },
            { "authorization", CORS_ACRH_OK, 0, NULL },
            { "x-other", CORS_ACRH_DENIED, -1, "x-other" },
        };
        run_acrh(p2, 1, "P2", c, N_ELEMS(c), p);
    }
}

static void test_acrh_bounds(apr_pool_t *p)
{
    cors_list *star = cors_list_make(p);
    cors_list *p1 = cors_list_make(p);
    cors_list *many = cors_list_make(p);
    const char *bad;
    size_t badlen;
    int sl;
    int i;
    cors_acrh_result r;
    char *s;
    apr_size_t len;

    CHECK_NOERR(add_allow(star, p, "*"));
    CHECK_NOERR(add_allow(p1, p, "Content-Type|X-Requested-With"));

    /* 64 names OK, 65 TOO_LONG */
    {
        const char *n64 = "", *n65, *n64e = "";
        const char *argv = "";
        for (i = 0; i < 64; i++) {
            const char *name = apr_psprintf(p, "x-h%02d", i);
            n64 = i ? apr_pstrcat(p, n64, ",", name, NULL) : name;
            n64e = i ? apr_pstrcat(p, n64e, ", ,", name, NULL) : name;
            argv = i ? apr_pstrcat(p, argv, "|", name, NULL) : name;
        }
        n65 = apr_pstrcat(p, n64, ",x-h64", NULL);
        CHECK_NOERR(add_allow(many, p, argv));

        sl = 0;
        r = cors_request_headers_check(star, 0, n64, &sl, &bad, &badlen);
        CHECK_STREQM(acrh_name(r), "OK", "64 names, *");
        r = cors_request_headers_check(many, 0, n64, &sl, &bad, &badlen);
        CHECK_STREQM(acrh_name(r), "OK", "64 names, listed");
        r = cors_request_headers_check(many, 1, n64, &sl, &bad, &badlen);
        CHECK_STREQM(acrh_name(r), "OK", "64 names, listed, creds");
        r = cors_request_headers_check(star, 0, n64e, &sl, &bad, &badlen);
        CHECK_STREQM(acrh_name(r), "OK",
                     "64 names with empty elements between, *");
        r = cors_request_headers_check(star, 0, n65, &sl, &bad, &badlen);
        CHECK_STREQM(acrh_name(r), "TOO_LONG", "65 names, *");
        r = cors_request_headers_check(many, 0, n65, &sl, &bad, &badlen);
        CHECK_STREQM(acrh_name(r), "TOO_LONG", "65 names, 64 listed");
        /* 65 of the same allowed name: still 65 names */
        s = apr_pstrdup(p, "content-type");
        for (i = 1; i < 65; i++) {
            s = apr_pstrcat(p, s, ",content-type", NULL);
        }
        r = cors_request_headers_check(p1, 0, s, &sl, &bad, &badlen);
        CHECK_STREQM(acrh_name(r), "TOO_LONG", "65 x content-type");
    }

    /* 4096 bytes OK, 4097 TOO_LONG: 31 names of 128 bytes + 31 commas
     * (3999 bytes) and a last name of 97 or 98 bytes. */
    {
        int target;
        for (target = 4096; target <= 4097; target++) {
            char *buf = apr_palloc(p, target + 1);
            char *q = buf;
            int k;
            for (k = 0; k < 31; k++) {
                memset(q, 'a', 128);
                q[0] = 'x';
                q[1] = 'a' + k % 26;
                q[2] = 'a' + k / 26;
                q += 128;
                *q++ = ',';
            }
            memset(q, 'z', target - 3999);
            q += target - 3999;
            *q = '\0';
            len = strlen(buf);
            CHECK_INTEQ(len, target);
            r = cors_request_headers_check(star, 0, buf, &sl, &bad,
                                           &badlen);
            CHECK_STREQM(acrh_name(r), target == 4096 ? "OK" : "TOO_LONG",
                         apr_psprintf(p, "%d bytes, 32 names, *", target));
        }
    }

    /* one 4097-byte name */
    s = apr_palloc(p, 4098);
    memset(s, 'x', 4097);
    s[4097] = '\0';
    r = cors_request_headers_check(star, 0, s, &sl, &bad, &badlen);
    CHECK_STREQM(acrh_name(r), "TOO_LONG", "one 4097-byte name");
    /* 4097 bytes of padding around one allowed name */
    s = apr_palloc(p, 4098);
    memset(s, ',', 4097);
    memcpy(s + 100, "content-type", 12);
    s[4097] = '\0';
    r = cors_request_headers_check(p1, 0, s, &sl, &bad, &badlen);
    CHECK_STREQM(acrh_name(r), "TOO_LONG", "4097 bytes, mostly commas");

    /* D07: 1 MiB of commas, quickly */
    {
        const apr_size_t mib = 1024 * 1024;
        double t0, t;
        int iter, wrong = 0;
        s = apr_palloc(p, mib + 13);
        memcpy(s, "content-type", 12);
        memset(s + 12, ',', mib);
        s[mib + 12] = '\0';
        t0 = now_sec();
        for (iter = 0; iter < 100; iter++) {
            r = cors_request_headers_check(p1, 0, s, &sl, &bad, &badlen);
            if (r != CORS_ACRH_TOO_LONG) {
                wrong++;
            }
            r = cors_request_headers_check(p1, 0, s + 12, &sl, &bad,
                                           &badlen);
            if (r != CORS_ACRH_TOO_LONG) {
                wrong++;
            }
        }
        t = now_sec() - t0;
        CHECK_INTEQM(wrong, 0, "1 MiB of commas -> TOO_LONG");
        CHECKM(t < 0.5,
               apr_psprintf(p, "200 checks of 1 MiB took %.3f s", t));
    }

    /* D11: 300 distinct names under "*": too many names anyway */
    s = apr_pstrdup(p, "x-n0");
    for (i = 1; i < 300; i++) {
        s = apr_pstrcat(p, s, apr_psprintf(p, ",x-n%d", i), NULL);
    }
    r = cors_request_headers_check(star, 0, s, &sl, &bad, &badlen);
    CHECK_STREQM(acrh_name(r), "TOO_LONG", "300 names, *");
    /* D12: 300 names, first two allowed: never OK */
    s = apr_pstrcat(p, "content-type,x-requested-with,", s, NULL);
    r = cors_request_headers_check(p1, 0, s, &sl, &bad, &badlen);
    CHECKM(r != CORS_ACRH_OK, "D12: 302 names, first two allowed");

    /* bad points at the offending element inside the value */
    {
        const char *v = "content-type, x-secret-long ,x";
        r = cors_request_headers_check(p1, 0, v, &sl, &bad, &badlen);
        CHECK_STREQM(acrh_name(r), "DENIED", "bad element");
        CHECK(bad == v + 14);
        CHECK_INTEQ(badlen, 13);
        v = "content-type,a b c";
        r = cors_request_headers_check(p1, 0, v, &sl, &bad, &badlen);
        CHECK_STREQM(acrh_name(r), "MALFORMED", "bad element");
        CHECK(bad == v + 13);
        CHECK_INTEQ(badlen, 5);
    }
}



/* Names are compared in place in any case; a set past CORS_SET_LINEAR_MAX
 * names is searched by a lowercase copy through its hash: both must give
 * the same answers, and a name that no set holds is still checked for
 * being a token and for being safelisted. */
static void test_acrh_any_case(apr_pool_t *p)
{
    cors_list *small = cors_list_make(p);
    cors_list *big = cors_list_make(p);
    cors_list *star = cors_list_make(p);
    const char *argv = "X-Request-ID|Content-Type";
    int i;

    for (i = 0; i < 2 * CORS_SET_LINEAR_MAX; i++) {
        argv = apr_psprintf(p, "%s|X-Extra-%d", argv, i);
    }
    CHECK_NOERR(add_allow(small, p, "X-Request-ID|Content-Type"));
    CHECK_NOERR(add_allow(big, p, argv));
    CHECK_NOERR(add_allow(star, p, "*"));
    CHECK(big->names.index != NULL);
    CHECK(small->names.index == NULL);
    {
        static const struct acrh_case c[] = {
            { "x-request-id", CORS_ACRH_OK, 0, NULL },
            { "X-REQUEST-ID", CORS_ACRH_OK, 0, NULL },
            { "x-Request-Id,CONTENT-type", CORS_ACRH_OK, 0, NULL },
            /* one byte off, each place */
            { "y-request-id", CORS_ACRH_DENIED, 0, "y-request-id" },
            { "x-request-ie", CORS_ACRH_DENIED, 0, "x-request-ie" },
            { "x-request-i", CORS_ACRH_DENIED, 0, "x-request-i" },
            { "x-request-idd", CORS_ACRH_DENIED, 0, "x-request-idd" },
            /* not a token, whatever it resembles */
            { "x-request-id,x request-id", CORS_ACRH_MALFORMED, 0,
              "x request-id" },
            { "x-request-\x7f" "d", CORS_ACRH_MALFORMED, 0, NULL },
            { "x-request-\xc9" "d", CORS_ACRH_MALFORMED, 0, NULL },
            /* safelisted in any case: allowed, and the answer names it */
            { "ACCEPT-LANGUAGE", CORS_ACRH_OK, 1, NULL },
            { "Range,x-request-id", CORS_ACRH_OK, 1, NULL },
            { "rangE", CORS_ACRH_OK, 1, NULL },
            { "ranges", CORS_ACRH_DENIED, 0, "ranges" },
        };
        run_acrh(small, 0, "small", c, N_ELEMS(c), p);
        run_acrh(big, 0, "big", c, N_ELEMS(c), p);
        run_acrh(big, 1, "big", c, N_ELEMS(c), p);
    }
    {
        static const struct acrh_case c[] = {
            { "x-extra-0,X-EXTRA-47,x-extra-23", CORS_ACRH_OK, 0, NULL },
            { "x-extra-48", CORS_ACRH_DENIED, 0, "x-extra-48" },
        };
        run_acrh(big, 0, "big", c, N_ELEMS(c), p);
    }
    {
        /* names too long for the lowercase copy are compared one by one:
         * 127, 128 and 300 bytes, listed in a large set */
        static const size_t lens[] = { 127, 128, 300 };
        cors_list *lng = cors_list_make(p);
        const char *names = argv;
        size_t k;
        for (k = 0; k < N_ELEMS(lens); k++) {
            char *name = apr_palloc(p, lens[k] + 1);
            memset(name, 'N', lens[k]);
            name[lens[k]] = '\0';
            names = apr_pstrcat(p, names, "|", name, NULL);
        }
        CHECK_NOERR(add_allow(lng, p, names));
        CHECK(lng->names.index != NULL);
        for (k = 0; k < N_ELEMS(lens); k++) {
            char *name = apr_palloc(p, lens[k] + 2);
            const char *bad = NULL;
            size_t badlen = 0;
            int sl = 0;
            memset(name, 'n', lens[k]);
            name[lens[k]] = '\0';
            CHECK_INTEQ(cors_request_headers_check(lng, 0, name, &sl, &bad,
                                                   &badlen), CORS_ACRH_OK);
            name[0] = 'N';
            CHECK_INTEQ(cors_request_headers_check(lng, 0, name, &sl, &bad,
                                                   &badlen), CORS_ACRH_OK);
            name[lens[k]] = 'x';
            name[lens[k] + 1] = '\0';
            CHECK_INTEQ(cors_request_headers_check(lng, 0, name, &sl, &bad,
                                                   &badlen), CORS_ACRH_DENIED);
        }
    }
    {
        /* "*" lets in any name but Authorization, in any case */
        static const struct acrh_case c[] = {
            { "x-anything,X-OTHER", CORS_ACRH_OK, 0, NULL },
            { "AUTHORIZATION", CORS_ACRH_DENIED, 0, "AUTHORIZATION" },
            { "Authorization", CORS_ACRH_DENIED, 0, "Authorization" },
            { "authorizatio", CORS_ACRH_OK, 0, NULL },
            { "authorizations", CORS_ACRH_OK, 0, NULL },
        };
        run_acrh(star, 0, "*", c, N_ELEMS(c), p);
    }
}

static const check_test tests[] = {
    { "acrh_basic", test_acrh_basic },
    { "acrh_wildcard", test_acrh_wildcard },
    { "acrh_bounds", test_acrh_bounds },
    { "acrh_any_case", test_acrh_any_case },
};

int main(int argc, char **argv)
{
    return check_main(tests, N_ELEMS(tests), argc, argv);
}
