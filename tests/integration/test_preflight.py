# SPDX-License-Identifier: Apache-2.0
"""Preflights (docs/contract.md, "What a request gets" rule 2; docs/test-vectors.md B, C, G, private network).

Method and header LIST parsing details are in test_lists.py, origin matching in
test_origins.py.
"""

import pytest

from cors_policies import (APP, EVIL, PF_VARY_PN, SAFELISTED_SUFFIX, assert_debug_mentions,
                           assert_denied_preflight, assert_no_cors, assert_ok_preflight, logged,
                           policy_server)

P1_ACAM = "GET, POST, PUT, DELETE, PATCH"
P1_ACAH = "Content-Type, X-Requested-With"


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    with policy_server(tmp_path_factory.mktemp("preflight")) as s:
        yield s


# ---- B: preflights that must succeed -----------------------------------------------------

# B01-B05: P1 allows each of these, and answers with its whole configured lists.
P1_OK = [
    ("B01_put", "PUT", None),
    ("B02_put_with_headers", "PUT", "content-type,x-requested-with"),
    ("B03_safelisted_method_get", "GET", None),
    ("B04_json_post", "POST", "content-type"),
    ("B05_patch", "PATCH", None),
]


@pytest.mark.parametrize("method,req_headers", [c[1:] for c in P1_OK],
                         ids=[c[0] for c in P1_OK])
def test_B01_B05_p1_allowed(srv, method, req_headers):
    r = srv.preflight("/p1/r", APP, method, req_headers)
    assert_ok_preflight(r, APP, acam=P1_ACAM, acah=P1_ACAH, acma="600")


def test_B06_credentials(srv):
    r = srv.preflight("/p2/r", APP, "PUT", "authorization")
    assert_ok_preflight(r, APP, acac=True, acam="PUT", acah="Authorization, Content-Type",
                        acma="7200")


@pytest.mark.parametrize("origin", ["https://api.example.com", "https://a.b.example.com"])
def test_B07_B08_subdomain_with_credentials(srv, origin):
    r = srv.preflight("/p2/r", origin, "PUT")
    assert_ok_preflight(r, origin, acac=True, acam="PUT", acah="Authorization, Content-Type",
                        acma="7200")


def test_B09_wildcards(srv):
    r = srv.preflight("/p3/r", "https://x.test", "DELETE", "x-foo")
    assert_ok_preflight(r, "*", acam="*", acah="*")


def test_B09_wildcard_method_any_token(srv):
    r = srv.preflight("/p3/r", "https://x.test", "FROBNICATE", "x-foo,x-bar")
    assert_ok_preflight(r, "*", acam="*", acah="*")


def test_B10_wildcard_and_authorization(srv):
    r = srv.preflight("/p7/r", "https://x.test", "PATCH", "authorization,x-foo")
    assert_ok_preflight(r, "*", acam="PATCH", acah="*, Authorization")


def test_B11_localhost_any_port_credentials(srv):
    r = srv.preflight("/p4/r", "http://localhost:5173", "PURGE", "x-debug")
    assert_ok_preflight(r, "http://localhost:5173", acac=True, acam="PURGE", acah="X-Debug")


def test_B12_localhost_no_port(srv):
    r = srv.preflight("/p4/r", "http://localhost", "PURGE")
    assert_ok_preflight(r, "http://localhost", acac=True, acam="PURGE", acah="X-Debug")


def test_B13_private_network_allowed(srv):
    r = srv.preflight("/p6/r", "https://intranet.example.com", "GET",
                      extra={"Access-Control-Request-Private-Network": "true"})
    assert_ok_preflight(r, "https://intranet.example.com", acam="GET", acapn=True,
                        vary=PF_VARY_PN)


def test_B13_private_network_policy_without_request(srv):
    # PNA On but the browser did not ask: no ACAPN, Vary still names the PN request header
    r = srv.preflight("/p6/r", "https://intranet.example.com", "GET")
    assert_ok_preflight(r, "https://intranet.example.com", acam="GET", vary=PF_VARY_PN)


def test_B14_private_network_request_without_policy(srv):
    r = srv.preflight("/p1/r", APP, "PUT",
                      extra={"Access-Control-Request-Private-Network": "true"})
    assert_ok_preflight(r, APP, acam=P1_ACAM, acah=P1_ACAH, acma="600")


def test_B15_ipv6_loopback_any_port(srv):
    r = srv.preflight("/p12/r", "http://[::1]:3000", "GET")
    assert_ok_preflight(r, "http://[::1]:3000")


def test_B16_credentials_on_preflight_ignored(srv):
    r = srv.preflight("/p1/r", APP, "PUT",
                      extra=[("Authorization", "Bearer x"), ("Cookie", "a=b")])
    assert_ok_preflight(r, APP, acam=P1_ACAM, acah=P1_ACAH, acma="600")


def test_H03_preflight_to_missing_resource(srv):
    r = srv.preflight("/p1/does-not-exist", APP, "PUT")
    assert_ok_preflight(r, APP, acam=P1_ACAM, acah=P1_ACAH, acma="600")


def test_preflight_to_denied_location_answered_before_authz(srv):
    # /p1/denied has `Require all denied`; the preflight is answered before authorization
    r = srv.preflight("/p1/denied/r", APP, "PUT")
    assert_ok_preflight(r, APP, acam=P1_ACAM, acah=P1_ACAH, acma="600")


# ---- C: preflights that must fail --------------------------------------------------------

def test_C01_disallowed_origin(srv):
    srv.mark_log()
    r = srv.preflight("/p1/r", EVIL, "PUT")
    assert_denied_preflight(r)
    assert logged(srv, r) == "OPTIONS /p1/r 403 cors=preflight-denied-origin"
    assert_debug_mentions(srv, "origin", "'https://evil.example'")


def test_C02_disallowed_method(srv):
    srv.mark_log()
    r = srv.preflight("/p1/r", APP, "PURGE")
    assert_denied_preflight(r)
    assert logged(srv, r) == "OPTIONS /p1/r 403 cors=preflight-denied-method"
    assert_debug_mentions(srv, "method", "'PURGE'")


def test_C03_disallowed_header(srv):
    srv.mark_log()
    r = srv.preflight("/p1/r", APP, "PUT", "x-secret")
    assert_denied_preflight(r)
    assert logged(srv, r) == "OPTIONS /p1/r 403 cors=preflight-denied-headers"
    assert_debug_mentions(srv, "header", "'x-secret'")


def test_C03_debug_names_the_denied_header_among_allowed(srv):
    srv.mark_log()
    r = srv.preflight("/p1/r", APP, "PUT", "content-type,x-secret-two,x-requested-with")
    assert_denied_preflight(r)
    assert_debug_mentions(srv, "header", "x-secret-two")


def test_C04_authorization_not_listed(srv):
    assert_denied_preflight(srv.preflight("/p1/r", APP, "PUT", "authorization"))


def test_C05_connect(srv):
    assert_denied_preflight(srv.preflight("/p1/r", APP, "CONNECT"))


def test_C06_no_methods_configured_put(srv):
    assert_denied_preflight(srv.preflight("/p5/r", "https://example.com", "PUT"))


def test_C07_no_methods_configured_get(srv):
    r = srv.preflight("/p5/r", "https://example.com", "GET")
    assert_ok_preflight(r, "https://example.com")   # no ACAM/ACAH: not configured


def test_C07_no_methods_configured_post_and_head(srv):
    for m in ("POST", "HEAD"):
        assert_ok_preflight(srv.preflight("/p5/r", "https://example.com", m),
                            "https://example.com")


def test_C15_credentials_unlisted_header(srv):
    assert_denied_preflight(srv.preflight("/p2/r", APP, "PUT", "x-other"))


def test_C16_wildcard_headers_do_not_cover_authorization(srv):
    srv.mark_log()
    r = srv.preflight("/p3/r", "https://x.test", "DELETE", "authorization")
    assert_denied_preflight(r)
    assert logged(srv, r) == "OPTIONS /p3/r 403 cors=preflight-denied-headers"
    assert_debug_mentions(srv, "header", "authorization")


def test_F05_no_wildcard_escape_with_credentials(srv):
    assert_denied_preflight(srv.preflight("/p2/r", APP, "PUT", "x-anything"))


def test_denied_origin_beats_everything_else(srv):
    # an unknown origin with an otherwise fine method/headers: denied for the origin
    r = srv.preflight("/p2/r", "https://example.com", "PUT", "authorization")
    assert_denied_preflight(r)
    assert logged(srv, r) == "OPTIONS /p2/r 403 cors=preflight-denied-origin"


def test_private_network_header_does_not_rescue_denied_preflight(srv):
    r = srv.preflight("/p6/r", "https://intranet.example.com", "PUT",
                      extra={"Access-Control-Request-Private-Network": "true"})
    assert_denied_preflight(r, vary=PF_VARY_PN)


# ---- safelisted request headers (docs/requests.md: configured list + the safelisted names) -----------

def test_safelisted_header_not_named_by_policy(srv):
    r = srv.preflight("/p4/r", "http://localhost:8080", "PURGE", "accept,x-debug")
    assert_ok_preflight(r, "http://localhost:8080", acac=True, acam="PURGE",
                        acah="X-Debug, " + SAFELISTED_SUFFIX)


def test_safelisted_header_without_allow_headers(srv):
    r = srv.preflight("/p5/r", "https://example.com", "POST", "content-type")
    assert_ok_preflight(r, "https://example.com", acah=SAFELISTED_SUFFIX)


@pytest.mark.parametrize("name", ["accept", "accept-language", "content-language", "range",
                                  "Content-Type"])
def test_each_safelisted_name(srv, name):
    r = srv.preflight("/p5/r", "https://example.com", "GET", name)
    assert_ok_preflight(r, "https://example.com", acah=SAFELISTED_SUFFIX)


def test_safelisted_name_named_by_policy_gives_plain_list(srv):
    r = srv.preflight("/p2/r", APP, "PUT", "content-type")
    assert_ok_preflight(r, APP, acac=True, acam="PUT", acah="Authorization, Content-Type",
                        acma="7200")


# ---- status, body, Vary, notes ---------------------------------------------------------

def test_preflight_status_200(srv):
    r = srv.preflight("/st200/r", APP, "PUT")
    assert_ok_preflight(r, APP, status=200, acam="PUT")
    assert r.get("Content-Length") == "0"
    assert logged(srv, r) == "OPTIONS /st200/r 200 cors=preflight-ok"


def test_preflight_status_200_denied_is_still_403(srv):
    assert_denied_preflight(srv.preflight("/st200/r", APP, "DELETE"))


def test_preflight_note_ok(srv):
    r = srv.preflight("/p1/r", APP, "PUT")
    assert logged(srv, r) == "OPTIONS /p1/r 204 cors=preflight-ok"


def test_preflight_body_ignored_and_no_handler(srv):
    # the static handler would answer 200 + Allow; the module answers instead
    r = srv.request("OPTIONS", "/p1/r", [("Origin", APP),
                                         ("Access-Control-Request-Method", "PUT"),
                                         ("Content-Type", "text/plain")], body=b"some body")
    assert_ok_preflight(r, APP, acam=P1_ACAM, acah=P1_ACAH, acma="600")
    assert not r.has("Allow")


def test_preflight_outside_policy_untouched(srv):
    r = srv.preflight("/nopolicy/r", APP, "PUT", "x-foo")
    assert r.status == 200 and r.has("Allow"), r
    assert_no_cors(r)
    assert not r.has("Vary"), r
    assert logged(srv, r) == "OPTIONS /nopolicy/r 200 cors=-"


# ---- not a preflight: OPTIONS without ACRM, or without Origin ---------------------------

def test_A03_options_no_origin_no_acrm(srv):
    r = srv.request("OPTIONS", "/p1/r")
    assert r.status == 200 and r.has("Allow"), r
    assert_no_cors(r)
    assert r.vary_tokens() == ["Origin"], r
    assert logged(srv, r) == "OPTIONS /p1/r 200 cors=no-origin"


def test_A04_options_with_origin_no_acrm_is_actual(srv):
    r = srv.request("OPTIONS", "/p1/r", {"Origin": APP})
    assert r.status == 200 and r.has("Allow"), r
    assert r.get("Access-Control-Allow-Origin") == APP
    assert r.get("Access-Control-Expose-Headers") == "X-Request-Id"
    for h in ("Access-Control-Allow-Methods", "Access-Control-Allow-Headers",
              "Access-Control-Max-Age", "Access-Control-Allow-Credentials"):
        assert not r.has(h), r
    assert r.vary_tokens() == ["Origin"], r
    assert logged(srv, r) == "OPTIONS /p1/r 200 cors=allowed"


def test_A05_acrm_without_origin_is_not_cors(srv):
    r = srv.request("OPTIONS", "/p1/r", {"Access-Control-Request-Method": "PUT"})
    assert r.status == 200 and r.has("Allow"), r
    assert_no_cors(r)
    assert r.vary_tokens() == ["Origin"], r
    assert logged(srv, r) == "OPTIONS /p1/r 200 cors=no-origin"


def test_empty_acrm_is_not_a_preflight(srv):
    # docs/requests.md: a preflight needs a NON-EMPTY ACRM; OPTIONS with an empty one is rule 3
    r = srv.request("OPTIONS", "/p1/r", [("Origin", APP),
                                         ("Access-Control-Request-Method", "")])
    assert r.status == 200 and r.has("Allow"), r
    assert r.get("Access-Control-Allow-Origin") == APP
    assert not r.has("Access-Control-Allow-Methods")
    assert logged(srv, r) == "OPTIONS /p1/r 200 cors=allowed"


def test_whitespace_only_acrm_is_not_a_preflight(srv):
    # httpd strips the OWS around a field value: "   " arrives as ""
    r = srv.request("OPTIONS", "/p1/r", [("Origin", APP),
                                         ("Access-Control-Request-Method", "   ")])
    assert r.status == 200 and r.has("Allow"), r
    assert r.get("Access-Control-Allow-Origin") == APP
    assert not r.has("Access-Control-Allow-Methods")


def test_non_options_with_acrm_is_not_a_preflight(srv):
    r = srv.request("GET", "/p1/r", [("Origin", APP),
                                     ("Access-Control-Request-Method", "PUT")])
    assert r.status == 200 and r.body == b"resource p1\n", r
    assert r.get("Access-Control-Allow-Origin") == APP
    assert not r.has("Access-Control-Allow-Methods")
    assert logged(srv, r) == "GET /p1/r 200 cors=allowed"


# ---- G: max-age ---------------------------------------------------------------------------

def test_G01_max_age_only_on_preflight(srv):
    r = srv.preflight("/p1/r", APP, "PUT")
    assert r.get("Access-Control-Max-Age") == "600"
    r = srv.request("GET", "/p1/r", {"Origin": APP})
    assert r.status == 200 and not r.has("Access-Control-Max-Age"), r


def test_G02_max_age_unset(srv):
    r = srv.preflight("/p3/r", "https://x.test", "PUT")
    assert r.status == 204 and not r.has("Access-Control-Max-Age"), r


def test_G03_max_age_zero(srv):
    assert_ok_preflight(srv.preflight("/maxage0/r", APP, "PUT"), APP, acam="PUT", acma="0")


def test_G04_max_age_max(srv):
    assert_ok_preflight(srv.preflight("/maxage86400/r", APP, "PUT"), APP, acam="PUT",
                        acma="86400")


def test_G05_no_max_age_on_failure(srv):
    r = srv.preflight("/p1/r", EVIL, "PUT")
    assert r.status == 403 and not r.has("Access-Control-Max-Age"), r


def test_no_expose_headers_on_preflight(srv):
    r = srv.preflight("/p2/r", APP, "PUT")
    assert r.status == 204 and not r.has("Access-Control-Expose-Headers"), r


# ---- CORSPreflightContinue On -------------------------------------------------------------

def test_continue_ok_goes_to_handler(srv):
    r = srv.preflight("/cont/r", APP, "PUT", "x-requested-with")
    # the static handler answers OPTIONS itself: 200 with Allow
    assert r.status == 200 and r.has("Allow"), r
    assert r.get("Access-Control-Allow-Origin") == APP
    assert r.get("Access-Control-Allow-Methods") == "PUT"
    assert r.get("Access-Control-Allow-Headers") == "X-Requested-With"
    assert r.get("Access-Control-Max-Age") == "600"
    assert r.vary_tokens().count("Origin") == 1, r
    assert logged(srv, r) == "OPTIONS /cont/r 200 cors=preflight-ok"


def test_continue_missing_resource_gets_handler_404(srv):
    r = srv.preflight("/cont/missing", APP, "PUT")
    # not answered by the module (204): the core answers OPTIONS for a missing file with 200
    assert r.status == 200 and r.has("Allow"), r
    assert r.get("Access-Control-Allow-Origin") == APP
    assert r.get("Access-Control-Allow-Methods") == "PUT"


def test_continue_denied_no_cors_headers(srv):
    srv.mark_log()
    r = srv.preflight("/cont/r", EVIL, "PUT")
    assert r.status == 200 and r.has("Allow"), r
    assert_no_cors(r)
    assert "Origin" in r.vary_tokens(), r
    assert logged(srv, r) == "OPTIONS /cont/r 200 cors=preflight-denied-origin"
    assert_debug_mentions(srv, "origin", "'https://evil.example'")


def test_continue_denied_method(srv):
    r = srv.preflight("/cont/r", APP, "DELETE")
    assert r.status == 200, r
    assert_no_cors(r)
    assert logged(srv, r) == "OPTIONS /cont/r 200 cors=preflight-denied-method"


def test_continue_denied_headers(srv):
    r = srv.preflight("/cont/r", APP, "PUT", "x-nope")
    assert r.status == 200, r
    assert_no_cors(r)
    assert logged(srv, r) == "OPTIONS /cont/r 200 cors=preflight-denied-headers"


def test_private_network_false_is_not_a_request(srv):
    r = srv.preflight("/p6/r", "https://intranet.example.com", "GET",
                      extra={"Access-Control-Request-Private-Network": "false"})
    assert_ok_preflight(r, "https://intranet.example.com", acam="GET", vary=PF_VARY_PN)


def test_lowercase_request_header_names(srv):
    r = srv.request("OPTIONS", "/p1/r", [("origin", APP),
                                         ("access-control-request-method", "PUT"),
                                         ("access-control-request-headers", "content-type")])
    assert_ok_preflight(r, APP, acam=P1_ACAM, acah=P1_ACAH, acma="600")


def test_preflight_with_query_string(srv):
    r = srv.preflight("/p1/r?a=1&b=2", APP, "PUT")
    assert_ok_preflight(r, APP, acam=P1_ACAM, acah=P1_ACAH, acma="600")
    assert logged(srv, r) == "OPTIONS /p1/r 204 cors=preflight-ok"
