/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mod_cors_floor.c -- the cost floor of answering CORS in httpd.
 *
 * Built by `make bench` (with apxs, into bench/build/floor/) and never
 * installed.  It decides nothing: no origin, method or header check, no
 * configuration.  What httpd spends on its requests is the least a module
 * answering CORS the way mod_cors does can cost.
 *
 * mod_cors_floor.so (the floor of the benchmark's goals): its header_parser
 * answers every OPTIONS request with a fixed 204 and two fixed headers.
 *
 * mod_cors_floor_same.so (-DFLOOR_SAME_HEADERS, a reference): the preflight
 * answer carries the six headers mod_cors sends for the benchmark's policy,
 * and a fixups hook adds to every other request the four headers mod_cors
 * adds to an allowed actual request, the cheapest way: apr_table_addn(),
 * since none of them is in the table yet (apr_table_setn() would compare
 * each key with every Access-Control-* and Accept-* entry before it).
 * mod_cors's cost over this one is its own work, apart from what httpd
 * spends checking and writing the headers.
 */
#include "httpd.h"
#include "http_config.h"
#include "http_protocol.h"
#include "http_request.h"

#define ORIGIN "https://app.example.com"

#ifdef FLOOR_SAME_HEADERS
#define put(t, k, v) apr_table_addn(t, k, v)
#else
#define put(t, k, v) apr_table_setn(t, k, v)
#endif

static int floor_header_parser(request_rec *r)
{
    if (r->method_number != M_OPTIONS) {
        return DECLINED;
    }
#ifdef FLOOR_SAME_HEADERS
    put(r->headers_out, "Vary", "Origin, Access-Control-Request-Method, "
        "Access-Control-Request-Headers");
    put(r->headers_out, "Access-Control-Allow-Origin", ORIGIN);
    put(r->headers_out, "Access-Control-Allow-Credentials", "true");
    put(r->headers_out, "Access-Control-Allow-Methods",
        "GET, POST, PUT, DELETE");
    put(r->headers_out, "Access-Control-Allow-Headers",
        "Content-Type, Authorization, X-Request-ID");
    put(r->headers_out, "Access-Control-Max-Age", "600");
#else
    put(r->headers_out, "Access-Control-Allow-Origin", ORIGIN);
    put(r->headers_out, "Vary", "Origin");
#endif
    r->status = HTTP_NO_CONTENT;
    return DONE;
}

#ifdef FLOOR_SAME_HEADERS
static int floor_fixups(request_rec *r)
{
    put(r->headers_out, "Vary", "Origin");
    put(r->headers_out, "Access-Control-Allow-Origin", ORIGIN);
    put(r->headers_out, "Access-Control-Allow-Credentials", "true");
    put(r->headers_out, "Access-Control-Expose-Headers", "X-Total-Count");
    return DECLINED;
}
#endif

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    /* The same hook and order as mod_cors's preflight answer. */
    ap_hook_header_parser(floor_header_parser, NULL, NULL, APR_HOOK_MIDDLE);
#ifdef FLOOR_SAME_HEADERS
    ap_hook_fixups(floor_fixups, NULL, NULL, APR_HOOK_LAST);
#endif
}

AP_DECLARE_MODULE(cors_floor) = {
    STANDARD20_MODULE_STUFF,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    register_hooks,
#if defined(AP_MODULE_FLAG_NONE)
    AP_MODULE_FLAG_NONE
#endif
};
