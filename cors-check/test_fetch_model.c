/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_fetch_model.c -- unit tests of the verdict logic (fetch_model.c).
 *
 * Built and run by `make unit-cors-check`.  Each CHECK counts one pass or
 * one failure (printed with file:line); the last line is "N passed, N failed".
 * The expectations are what Chromium 156 does (the browser grid in
 * tests/cors-check/ measures it).
 */
#include <stdio.h>
#include <string.h>

#include "fetch_model.h"

static unsigned long n_pass, n_fail;

#define CHECK(cond) check((cond), #cond, __FILE__, __LINE__)
#define CHECK_STR(got, want) check_str((got), (want), __FILE__, __LINE__)

static void check(int ok, const char *what, const char *file, int line)
{
    if (ok) {
        n_pass++;
    } else {
        n_fail++;
        printf("FAIL %s:%d: %s\n", file, line, what);
    }
}

static void check_str(const char *got, const char *want, const char *file, int line)
{
    int ok = got && want ? strcmp(got, want) == 0 : got == want;

    if (ok) {
        n_pass++;
    } else {
        n_fail++;
        printf("FAIL %s:%d:\n  got:  %s\n  want: %s\n", file, line, got ? got : "(null)",
               want ? want : "(null)");
    }
}

static fm_request request(const char *method, fm_credentials cred)
{
    fm_request r;

    memset(&r, 0, sizeof(r));
    fm_normalize_method(method, r.method, sizeof(r.method));
    r.credentials = cred;
    return r;
}

static void add(fm_request *r, const char *name, const char *value)
{
    r->headers[r->nheaders].name = name;
    r->headers[r->nheaders].value = value;
    r->nheaders++;
}

static fm_response response(int status)
{
    fm_response resp;

    memset(&resp, 0, sizeof(resp));
    resp.status = status;
    return resp;
}

static void hdr(fm_response *resp, const char *name, const char *value)
{
    resp->headers[resp->nheaders].name = name;
    resp->headers[resp->nheaders].value = value;
    resp->nheaders++;
}

#define O "https://app.example"

static void test_methods(void)
{
    char m[16];

    fm_normalize_method("put", m, sizeof(m));
    CHECK_STR(m, "PUT");
    fm_normalize_method("patch", m, sizeof(m));
    CHECK_STR(m, "patch");
    CHECK(fm_method_is_forbidden("trace"));
    CHECK(!fm_method_is_forbidden("PATCH"));
    CHECK(fm_method_is_safelisted("POST"));
    CHECK(!fm_method_is_safelisted("post"));    /* normalized before this */
}

static void test_safelist(void)
{
    char long129[130];

    memset(long129, 'a', 129);
    long129[129] = '\0';
    CHECK(fm_header_is_safelisted("Content-Type", "text/plain"));
    CHECK(fm_header_is_safelisted("content-type", "TEXT/PLAIN; charset=utf-8"));
    CHECK(fm_header_is_safelisted("Content-Type", "multipart/form-data; boundary=x"));
    CHECK(!fm_header_is_safelisted("Content-Type", "application/json"));
    CHECK(!fm_header_is_safelisted("Content-Type", "text / plain"));
    CHECK(!fm_header_is_safelisted("Content-Type", "text/plain; a=\"b\""));
    CHECK(fm_header_is_safelisted("Accept", "application/json, */*"));
    CHECK(!fm_header_is_safelisted("Accept", "a@b"));
    CHECK(!fm_header_is_safelisted("Accept", long129));
    CHECK(fm_header_is_safelisted("Accept-Language", "en-US,en;q=0.9"));
    CHECK(!fm_header_is_safelisted("Accept-Language", "en_US"));
    CHECK(fm_header_is_safelisted("Range", "bytes=0-99"));
    CHECK(fm_header_is_safelisted("Range", "bytes=5-"));
    CHECK(!fm_header_is_safelisted("Range", "bytes=0-1,3-4"));
    CHECK(!fm_header_is_safelisted("Range", "bytes=-5"));
    CHECK(!fm_header_is_safelisted("Range", "bytes=9-1"));
    CHECK(fm_header_is_safelisted("DPR", "2.0"));
    CHECK(!fm_header_is_safelisted("Width", "1.5"));
    CHECK(!fm_header_is_safelisted("X-Request-ID", "1"));
    CHECK(fm_header_is_forbidden("Cookie"));
    CHECK(fm_header_is_forbidden("sec-custom"));
    CHECK(fm_header_is_forbidden("Proxy-Authorization"));
    CHECK(!fm_header_is_forbidden("Authorization"));
}

static void test_preflight_request(void)
{
    fm_request r = request("GET", FM_CREDENTIALS_SAME_ORIGIN);
    char acrh[256];

    CHECK(!fm_needs_preflight(&r));
    add(&r, "Accept", "*/*");
    CHECK(!fm_needs_preflight(&r));
    add(&r, "X-B", "1");
    add(&r, "x-A", "2");
    add(&r, "Content-Type", "application/json");
    CHECK(fm_needs_preflight(&r));
    fm_request_headers_value(&r, acrh, sizeof(acrh));
    CHECK_STR(acrh, "content-type,x-a,x-b");   /* lowercased, sorted, no spaces */

    r = request("patch", FM_CREDENTIALS_SAME_ORIGIN);
    CHECK(fm_needs_preflight(&r));
    fm_request_headers_value(&r, acrh, sizeof(acrh));
    CHECK_STR(acrh, "");
}

static void test_total_limit(void)
{
    static char v[8][129];
    static const char *const names[] = { "Accept", "Accept-Language", "Content-Language",
                                         "DPR", "Device-Memory", "Width", "Viewport-Width",
                                         "Content-Type" };
    fm_request r = request("GET", FM_CREDENTIALS_SAME_ORIGIN);
    char acrh[512];
    size_t i;

    for (i = 0; i < 8; i++) {
        memset(v[i], i < 3 ? 'a' : '1', 128);
        v[i][128] = '\0';
    }
    v[3][1] = v[4][1] = '.';
    snprintf(v[7], sizeof(v[7]), "text/plain; x=%0114d", 0);
    for (i = 0; i < 8; i++) {
        add(&r, names[i], v[i]);
    }
    CHECK(!fm_needs_preflight(&r));             /* exactly 1024 bytes */
    add(&r, "Range", "bytes=0-1");
    CHECK(fm_needs_preflight(&r));              /* 1033: none of them is safe */
    fm_request_headers_value(&r, acrh, sizeof(acrh));
    CHECK_STR(acrh, "accept,accept-language,content-language,content-type,"
              "device-memory,dpr,range,viewport-width,width");
}

static void test_access(void)
{
    fm_response resp = response(200);
    fm_failure f;
    char msg[1024];

    CHECK(fm_check_access(&resp, FM_CREDENTIALS_SAME_ORIGIN, O, &f, NULL)
          == FM_ERR_MISSING_ALLOW_ORIGIN);
    fm_console_message(&f, "https://api.example/x", "https://api.example/x", O, msg,
                       sizeof(msg));
    CHECK_STR(msg, "Access to fetch at 'https://api.example/x' from origin "
              "'https://app.example' has been blocked by CORS policy: No "
              "'Access-Control-Allow-Origin' header is present on the requested resource.");

    hdr(&resp, "Access-Control-Allow-Origin", "*");
    CHECK(fm_check_access(&resp, FM_CREDENTIALS_SAME_ORIGIN, O, &f, NULL) == FM_OK);
    CHECK(fm_check_access(&resp, FM_CREDENTIALS_INCLUDE, O, &f, NULL)
          == FM_ERR_WILDCARD_ORIGIN_NOT_ALLOWED);

    resp = response(200);
    hdr(&resp, "Access-Control-Allow-Origin", O);
    hdr(&resp, "access-control-allow-origin", O);
    CHECK(fm_check_access(&resp, FM_CREDENTIALS_SAME_ORIGIN, O, &f, NULL)
          == FM_ERR_MULTIPLE_ALLOW_ORIGIN_VALUES);
    CHECK_STR(f.hint, O ", " O);

    resp = response(200);
    hdr(&resp, "Access-Control-Allow-Origin", "app.example");
    CHECK(fm_check_access(&resp, FM_CREDENTIALS_SAME_ORIGIN, O, &f, NULL)
          == FM_ERR_INVALID_ALLOW_ORIGIN_VALUE);
    resp = response(200);
    hdr(&resp, "Access-Control-Allow-Origin", O "/");
    CHECK(fm_check_access(&resp, FM_CREDENTIALS_SAME_ORIGIN, O, &f, NULL)
          == FM_ERR_ALLOW_ORIGIN_MISMATCH);
    resp = response(200);
    hdr(&resp, "Access-Control-Allow-Origin", "null");
    CHECK(fm_check_access(&resp, FM_CREDENTIALS_SAME_ORIGIN, "null", &f, NULL) == FM_OK);

    resp = response(200);
    hdr(&resp, "Access-Control-Allow-Origin", O);
    hdr(&resp, "Access-Control-Allow-Credentials", "True");
    CHECK(fm_check_access(&resp, FM_CREDENTIALS_SAME_ORIGIN, O, &f, NULL) == FM_OK);
    CHECK(fm_check_access(&resp, FM_CREDENTIALS_INCLUDE, O, &f, NULL)
          == FM_ERR_INVALID_ALLOW_CREDENTIALS);
    CHECK_STR(f.hint, "True");
}

static void test_preflight_response(void)
{
    fm_request r = request("PUT", FM_CREDENTIALS_SAME_ORIGIN);
    fm_response resp = response(401);
    fm_failure f;
    char msg[1024];

    add(&r, "Authorization", "Bearer x");
    /* no ACAO on a 401: reported as the missing header, not the status */
    CHECK(fm_check_preflight(&resp, &r, O, &f, NULL) == FM_ERR_MISSING_ALLOW_ORIGIN);
    CHECK(f.preflight);
    hdr(&resp, "Access-Control-Allow-Origin", O);
    CHECK(fm_check_preflight(&resp, &r, O, &f, NULL) == FM_ERR_PREFLIGHT_INVALID_STATUS);
    fm_console_message(&f, "https://api.example/x", "https://api.example/x", O, msg,
                       sizeof(msg));
    CHECK(strstr(msg, "Response to preflight request doesn't pass access control check: "
                      "It does not have HTTP ok status.") != NULL);

    resp = response(204);
    hdr(&resp, "Access-Control-Allow-Origin", O);
    hdr(&resp, "Access-Control-Allow-Methods", "put");
    CHECK(fm_check_preflight(&resp, &r, O, &f, NULL) == FM_ERR_METHOD_DISALLOWED);
    CHECK_STR(f.hint, "PUT");
    hdr(&resp, "Access-Control-Allow-Methods", "PUT");
    CHECK(fm_check_preflight(&resp, &r, O, &f, NULL) == FM_ERR_HEADER_DISALLOWED);
    CHECK_STR(f.hint, "authorization");
    /* Chromium 156: '*' covers Authorization without credentials */
    hdr(&resp, "Access-Control-Allow-Headers", "*");
    CHECK(fm_check_preflight(&resp, &r, O, &f, NULL) == FM_OK);
    r.credentials = FM_CREDENTIALS_INCLUDE;
    hdr(&resp, "Access-Control-Allow-Credentials", "true");
    CHECK(fm_check_preflight(&resp, &r, O, &f, NULL) == FM_ERR_HEADER_DISALLOWED);

    resp = response(200);
    hdr(&resp, "Access-Control-Allow-Origin", O);
    hdr(&resp, "Access-Control-Allow-Credentials", "true");
    hdr(&resp, "Access-Control-Allow-Methods", "PUT, [x]");
    CHECK(fm_check_preflight(&resp, &r, O, &f, NULL) == FM_ERR_INVALID_ALLOW_METHODS);
    resp = response(200);
    hdr(&resp, "Access-Control-Allow-Origin", O);
    hdr(&resp, "Access-Control-Allow-Credentials", "true");
    hdr(&resp, "Access-Control-Allow-Methods", "patch");     /* checked after the lists */
    hdr(&resp, "Access-Control-Allow-Headers", "(bad)");
    CHECK(fm_check_preflight(&resp, &r, O, &f, NULL) == FM_ERR_INVALID_ALLOW_HEADERS);
}

static void test_exposure(void)
{
    fm_response resp = response(200);

    hdr(&resp, "Content-Type", "text/plain");
    hdr(&resp, "X-Total-Count", "42");
    hdr(&resp, "X-Secret", "s");
    CHECK(fm_header_readable(&resp, FM_CREDENTIALS_SAME_ORIGIN, "content-type") == 1);
    CHECK(fm_header_readable(&resp, FM_CREDENTIALS_SAME_ORIGIN, "x-total-count") == 0);
    hdr(&resp, "Access-Control-Expose-Headers", "x-total-count, X-Missing");
    CHECK(fm_header_readable(&resp, FM_CREDENTIALS_SAME_ORIGIN, "X-Total-Count") == 1);
    CHECK(fm_header_readable(&resp, FM_CREDENTIALS_SAME_ORIGIN, "x-missing") == -1);
    hdr(&resp, "Access-Control-Expose-Headers", "*");
    CHECK(fm_header_readable(&resp, FM_CREDENTIALS_SAME_ORIGIN, "x-secret") == 1);
    CHECK(fm_header_readable(&resp, FM_CREDENTIALS_INCLUDE, "x-secret") == 0);
}

static void test_redirects(void)
{
    char m[16] = "POST";
    fm_request r = request("POST", FM_CREDENTIALS_SAME_ORIGIN);

    CHECK(fm_redirect_method(302, m, sizeof(m)) && strcmp(m, "GET") == 0);
    snprintf(m, sizeof(m), "PUT");
    CHECK(!fm_redirect_method(307, m, sizeof(m)));
    CHECK(fm_redirect_method(303, m, sizeof(m)) && strcmp(m, "GET") == 0);
    CHECK(fm_redirect_taints(O, "https://api.example", "https://other.example"));
    CHECK(!fm_redirect_taints(O, "https://api.example", "https://api.example"));
    CHECK(!fm_redirect_taints(O, O, "https://api.example"));
    add(&r, "Authorization", "x");
    add(&r, "Content-Type", "text/plain");
    add(&r, "X-A", "1");
    fm_drop_authorization(&r);
    CHECK(r.nheaders == 2);
    fm_drop_body_headers(&r);
    CHECK(r.nheaders == 1 && strcmp(r.headers[0].name, "X-A") == 0);
    CHECK(fm_preflight_cache_seconds(NULL) == 5);
    CHECK(fm_preflight_cache_seconds("abc") == 0);
    CHECK(fm_preflight_cache_seconds("86400") == 7200);
}

int main(void)
{
    test_methods();
    test_safelist();
    test_preflight_request();
    test_total_limit();
    test_access();
    test_preflight_response();
    test_exposure();
    test_redirects();
    printf("%lu passed, %lu failed\n", n_pass, n_fail);
    return n_fail ? 1 : 0;
}
