# SPDX-License-Identifier: Apache-2.0
"""Actual (non-preflight) requests and requests without Origin (docs/contract.md, "What a request gets"
rules 1 and 3; docs/test-vectors.md A, F, G06/G07).  Origin matching details: test_origins.py.
"""

import pytest

from httpd_harness import skip_unless

from cors_policies import (APP, EVIL, assert_allowed_actual, assert_denied_actual,
                           assert_no_cors, logged, policy_server)


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    with policy_server(tmp_path_factory.mktemp("actual")) as s:
        yield s


# ---- rule 1: no Origin ---------------------------------------------------------------------

def test_A01_no_origin_specific_policy(srv):
    r = srv.request("GET", "/p1/r")
    assert r.status == 200 and r.body == b"resource p1\n", r
    assert_no_cors(r)
    assert r.vary_tokens() == ["Origin"], r
    assert logged(srv, r) == "GET /p1/r 200 cors=no-origin"


def test_A02_no_origin_wildcard_policy(srv):
    r = srv.request("GET", "/p3/r")
    assert r.status == 200, r
    assert r.get_all("Access-Control-Allow-Origin") == ["*"], r
    assert r.get("Access-Control-Expose-Headers") == "*"
    assert {k.lower() for k, _ in r.cors_headers()} == {"access-control-allow-origin",
                                                        "access-control-expose-headers"}
    assert not r.has("Vary"), r
    assert logged(srv, r) == "GET /p3/r 200 cors=no-origin"


def test_no_origin_wildcard_policy_without_expose(srv):
    r = srv.request("GET", "/p7/r")
    assert r.status == 200, r
    assert r.cors_headers() == [("Access-Control-Allow-Origin", "*")], r
    assert not r.has("Vary"), r


def test_no_origin_wildcard_policy_on_404(srv):
    r = srv.request("GET", "/p3/missing")
    assert r.status == 404, r
    assert r.get_all("Access-Control-Allow-Origin") == ["*"], r


def test_no_origin_credentials_policy(srv):
    r = srv.request("GET", "/p2/r")
    assert r.status == 200, r
    assert_no_cors(r)
    assert r.vary_tokens() == ["Origin"], r


def test_no_origin_on_404(srv):
    r = srv.request("GET", "/p1/missing")
    assert r.status == 404, r
    assert_no_cors(r)
    assert r.vary_tokens() == ["Origin"], r
    assert logged(srv, r) == "GET /p1/missing 404 cors=no-origin"


def test_outside_policy_nothing_changes(srv):
    r = srv.request("GET", "/nopolicy/r", {"Origin": APP})
    assert r.status == 200 and r.body == b"no policy\n", r
    assert_no_cors(r)
    assert not r.has("Vary"), r
    assert logged(srv, r) == "GET /nopolicy/r 200 cors=-"


def test_outside_policy_404_nothing_changes(srv):
    r = srv.request("GET", "/nopolicy/missing", {"Origin": APP})
    assert r.status == 404, r
    assert_no_cors(r)
    assert not r.has("Vary"), r


# ---- rule 3: allowed origin --------------------------------------------------------------

def test_A06_allowed_get(srv):
    r = srv.request("GET", "/p1/r", {"Origin": APP})
    assert_allowed_actual(r, APP, aceh="X-Request-Id")
    assert r.body == b"resource p1\n"
    assert logged(srv, r) == "GET /p1/r 200 cors=allowed"


def test_A07_disallowed_origin(srv):
    r = srv.request("GET", "/p1/r", {"Origin": EVIL})
    assert_denied_actual(r)
    assert r.body == b"resource p1\n"
    assert logged(srv, r) == "GET /p1/r 200 cors=denied-origin"


def test_A08_handler_500(srv):
    # mod_asis (GET only) sends the file's own status line: a handler-made 500
    r = srv.request("GET", "/p1/err.asis", {"Origin": APP})
    assert_allowed_actual(r, APP, status=500, aceh="X-Request-Id")
    assert r.body == b"boom\n"
    assert logged(srv, r) == "GET /p1/err.asis 500 cors=allowed"


def test_A09_404(srv):
    r = srv.request("GET", "/p1/missing", {"Origin": APP})
    assert_allowed_actual(r, APP, status=404, aceh="X-Request-Id")
    assert logged(srv, r) == "GET /p1/missing 404 cors=allowed"


@pytest.mark.log_allow(r"AH01630")
def test_403_from_require_all_denied(srv):
    r = srv.request("GET", "/p1/denied/r", {"Origin": APP})
    assert_allowed_actual(r, APP, status=403, aceh="X-Request-Id")
    assert logged(srv, r) == "GET /p1/denied/r 403 cors=allowed"


def test_301_redirect(srv):
    r = srv.request("GET", "/p1/old", {"Origin": APP})
    assert_allowed_actual(r, APP, status=301, aceh="X-Request-Id")
    assert r.get("Location") == "https://elsewhere.example/new"


@pytest.mark.skipif(**skip_unless("304-headers"))
def test_304_not_modified(srv):
    etag = srv.request("GET", "/p1/r").get("ETag")
    assert etag
    r = srv.request("GET", "/p1/r", {"Origin": APP, "If-None-Match": etag})
    assert r.status == 304, r
    assert r.get_all("Access-Control-Allow-Origin") == [APP], r
    assert r.vary_tokens().count("Origin") == 1, r


def test_disallowed_origin_on_404(srv):
    r = srv.request("GET", "/p1/missing", {"Origin": EVIL})
    assert_denied_actual(r, status=404)
    assert logged(srv, r) == "GET /p1/missing 404 cors=denied-origin"


def test_disallowed_origin_on_500(srv):
    r = srv.request("GET", "/p1/err.asis", {"Origin": EVIL})
    assert_denied_actual(r, status=500)


@pytest.mark.parametrize("method,status", [("POST", 200), ("PUT", 405), ("DELETE", 405),
                                           ("PATCH", 405)])
def test_other_methods_get_headers(srv, method, status):
    # the default handler serves POST like GET and answers 405 to the others;
    # whatever the status, an allowed origin gets its ACAO
    r = srv.request(method, "/p1/r", {"Origin": APP}, body=b"" if method != "DELETE" else None)
    assert r.status == status, r
    assert r.get_all("Access-Control-Allow-Origin") == [APP], r
    assert r.vary_tokens() == ["Origin"], r


def test_A13_cookie_without_credentials_policy(srv):
    r = srv.request("GET", "/p1/r", {"Origin": APP, "Cookie": "sid=1"})
    assert_allowed_actual(r, APP, aceh="X-Request-Id")   # and no ACAC


def test_A14_wildcard_never_reflects(srv):
    r = srv.request("GET", "/p3/r", {"Origin": "https://anything.test"})
    assert r.status == 200, r
    assert r.get_all("Access-Control-Allow-Origin") == ["*"], r
    assert r.get("Access-Control-Expose-Headers") == "*"
    assert not r.has("Access-Control-Allow-Credentials")
    # contract rule 1: a `*` policy's answer does not depend on Origin and needs no Vary
    # (docs/requests.md: "sends no Vary: Origin on actual responses, with or without Origin")
    assert not r.has("Vary"), r
    assert logged(srv, r) == "GET /p3/r 200 cors=allowed"


# ---- F: credentials ------------------------------------------------------------------------

def test_F01_credentials(srv):
    r = srv.request("GET", "/p2/r", {"Origin": APP, "Cookie": "sid=1"})
    assert_allowed_actual(r, APP, acac=True, aceh="X-Total-Count")


def test_F01_credentials_subdomain(srv):
    r = srv.request("GET", "/p2/r", {"Origin": "https://a.b.example.com"})
    assert_allowed_actual(r, "https://a.b.example.com", acac=True, aceh="X-Total-Count")


def test_F02_credentials_disallowed_origin(srv):
    r = srv.request("GET", "/p2/r", {"Origin": EVIL, "Cookie": "sid=1"})
    assert_denied_actual(r)


def test_F03_wildcard_no_credentials(srv):
    r = srv.request("GET", "/p3/r", {"Origin": APP, "Cookie": "sid=1"})
    assert r.get_all("Access-Control-Allow-Origin") == ["*"], r
    assert not r.has("Access-Control-Allow-Credentials"), r


def test_F06_http_origin_under_https_policy(srv):
    r = srv.request("GET", "/p2/r", {"Origin": "http://app.example.com"})
    assert_denied_actual(r)


def test_credentials_on_error_response(srv):
    r = srv.request("GET", "/p2/missing", {"Origin": APP})
    assert_allowed_actual(r, APP, status=404, acac=True, aceh="X-Total-Count")


def test_localhost_credentials_actual(srv):
    r = srv.request("GET", "/p4/r", {"Origin": "http://localhost:3000"})
    assert_allowed_actual(r, "http://localhost:3000", acac=True)


# ---- G: expose headers -------------------------------------------------------------------

def test_G06_expose(srv):
    r = srv.request("GET", "/p1/r", {"Origin": APP})
    assert r.get("Access-Control-Expose-Headers") == "X-Request-Id", r


def test_G07_expose_as_written(srv):
    r = srv.request("GET", "/expose2/r", {"Origin": APP})
    assert_allowed_actual(r, APP, aceh="Content-Type, X-Request-Id")


def test_no_expose_when_unset(srv):
    r = srv.request("GET", "/p5/r", {"Origin": "https://example.com"})
    assert_allowed_actual(r, "https://example.com")


def test_private_network_policy_actual_request(srv):
    r = srv.request("GET", "/p6/r", {"Origin": "https://intranet.example.com",
                                     "Access-Control-Request-Private-Network": "true"})
    assert_allowed_actual(r, "https://intranet.example.com")   # no ACAPN on actual requests


# ---- actual-request responses never carry preflight-only headers ---------------------------

@pytest.mark.parametrize("path,origin", [("/p1/r", APP), ("/p2/r", APP),
                                         ("/p3/r", "https://x.test"),
                                         ("/p4/r", "http://localhost:1"),
                                         ("/p7/r", "https://x.test")])
def test_no_preflight_headers_on_actual(srv, path, origin):
    r = srv.request("GET", path, {"Origin": origin})
    assert r.status == 200, r
    for h in ("Access-Control-Allow-Methods", "Access-Control-Allow-Headers",
              "Access-Control-Max-Age", "Access-Control-Allow-Private-Network"):
        assert not r.has(h), r


# ---- many requests at once (threaded MPMs share the compiled policy) -----------------------

def test_concurrent_mixed_requests(srv):
    import concurrent.futures

    cases = [
        (lambda: srv.preflight("/p1/r", APP, "PUT", "content-type"), 204, APP),
        (lambda: srv.preflight("/p1/r", EVIL, "PUT"), 403, None),
        (lambda: srv.request("GET", "/p2/r", {"Origin": "https://a.example.com"}), 200,
         "https://a.example.com"),
        (lambda: srv.request("GET", "/p9/r", {"Origin": "https://example.com.evil.com"}), 200,
         None),
        (lambda: srv.request("GET", "/p3/missing", {"Origin": APP}), 404, "*"),
        (lambda: srv.preflight("/p3/r", APP, "PUT", ",".join(["x"] * 65)), 403, None),
    ]

    def run(i):
        fn, status, acao = cases[i % len(cases)]
        r = fn()
        got = r.get_all("Access-Control-Allow-Origin")
        return (r.status, got) == (status, [acao] if acao else []), i, r

    with concurrent.futures.ThreadPoolExecutor(max_workers=12) as ex:
        results = list(ex.map(run, range(240)))
    bad = [(i, r) for ok, i, r in results if not ok]
    assert not bad, bad[:3]
