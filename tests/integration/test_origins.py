# SPDX-License-Identifier: Apache-2.0
"""Origin matching (docs/contract.md, "Origins", docs/requests.md "Incoming Origin must be a valid
serialized origin"; docs/test-vectors.md E): exact origins, subdomain and port patterns, `null`, `*`,
CORSAllowOriginMatch anchoring, invalid Origin values.

Every case is checked on an actual GET (ACAO echo or no Access-Control-* at all) and on a
preflight (204 with ACAO, or 403 without any Access-Control-*).
"""

import pytest

from cors_policies import (APP, assert_allowed_actual, assert_denied_actual,
                           assert_denied_preflight, assert_ok_preflight, logged,
                           policy_server)


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    with policy_server(tmp_path_factory.mktemp("origins")) as s:
        yield s


def check(srv, policy, origin, allowed, acao=None):
    """Actual GET and preflight (GET, always an allowed method) for origin under policy."""
    path = f"/{policy}/r"
    r = srv.request("GET", path, [("Origin", origin)])
    pf = srv.preflight(path, origin, "GET")
    if allowed:
        want = acao or origin
        assert r.status == 200, r
        assert r.get_all("Access-Control-Allow-Origin") == [want], r
        assert pf.status == 204, pf
        assert pf.get_all("Access-Control-Allow-Origin") == [want], pf
    else:
        assert_denied_actual(r)
        assert_denied_preflight(pf)


# (id, policy, Origin header value, allowed?)
E_VECTORS = [
    ("E01", "p9", "https://example.com", False),
    ("E02", "p9", "https://evil.com.example.com", True),
    ("E03", "p9", "https://example.com.evil.com", False),
    ("E04", "p9", "https://evilexample.com", False),
    ("E05", "p9", "https://evil-example.com", False),
    ("E06", "p9", "https://notexample.com", False),
    ("E07", "p9", "http://api.example.com", False),
    ("E08", "p9", "https://api.example.com:8443", False),
    ("E09", "p9", "https://API.EXAMPLE.COM", False),
    ("E10", "p1", "https://app.example.com/", False),
    ("E11", "p1", "https://app.example.com/path", False),
    ("E12", "p1", "https://app.example.com:443", False),
    ("E13", "p1", "null", False),
    ("E16", "p1", "https://app.example.com.", False),
    ("E17", "p1", "https://user@app.example.com", False),
    ("E19", "p8", "https://barfoo.com", False),
    ("E20", "p8", "https://foobar.com", False),
    ("E21", "p8", "https://bar.com", True),
    ("E21b", "p8", "https://foo.com", True),
    ("E22", "exact", "https://www.example.co", False),
    ("E23", "exact", "https://api-example.com", False),
    ("E24", "p1", "https://app.example.com.attacker.io", False),
    ("E25", "p1", "HTTPS://app.example.com", False),
    ("E26", "exact", "https://xn--bcher-kva.example", True),
    ("E27", "p4", "http://127.0.0.1:5173", False),
    ("E28", "p4", "https://localhost:5173", False),
    ("E29", "p1", "https://app .example.com", False),
    # subdomain pattern, more
    ("sub-deep", "p9", "https://a.b.c.example.com", True),
    ("sub-one", "p9", "https://x.example.com", True),
    ("sub-empty-label", "p9", "https://.example.com", False),
    ("sub-dotdot", "p9", "https://a..example.com", False),
    ("sub-port80", "p9", "https://a.example.com:80", False),
    ("sub-suffix-trick", "p9", "https://a.example.com.example.net", False),
    ("sub-upper-label", "p9", "https://A.example.com", False),
    ("sub-default-port-sent", "p9", "https://a.example.com:443", False),
    ("sub-path", "p9", "https://a.example.com/x", False),
    # port patterns
    ("port-any-1", "p4", "http://localhost:1", True),
    ("port-any-65535", "p4", "http://localhost:65535", True),
    ("port-any-none", "p4", "http://localhost", True),
    ("port-any-sub", "p4", "http://a.localhost:3000", False),
    ("port-any-trailing-colon", "p4", "http://localhost:", False),
    ("port-any-zero", "p4", "http://localhost:0", False),
    ("port-any-65536", "p4", "http://localhost:65536", False),
    ("port-any-leading-zero", "p4", "http://localhost:03000", False),
    ("port-any-80", "p4", "http://localhost:80", False),
    ("sub-port-any", "subport", "https://a.sub.test:9000", True),
    ("sub-port-any-none", "subport", "https://a.b.sub.test", True),
    ("sub-port-any-apex", "subport", "https://sub.test:9000", False),
    ("sub-port-fixed", "subport", "https://a.p8443.test:8443", True),
    ("sub-port-fixed-other", "subport", "https://a.p8443.test:8444", False),
    ("sub-port-fixed-none", "subport", "https://a.p8443.test", False),
    # IPv6
    ("v6-B15", "p12", "http://[::1]:3000", True),
    ("v6-noport", "p12", "http://[::1]", True),
    ("v6-long-form", "p12", "http://[0:0:0:0:0:0:0:1]:3000", False),
    ("v6-https", "p12", "https://[::1]:3000", False),
    # exact origins and normalization of the configured values
    ("exact-www", "exact", "https://www.example.com", True),
    ("exact-api", "exact", "https://api.example.com", True),
    ("exact-sub-of-exact", "exact", "https://x.www.example.com", False),
    ("exact-upper-config", "exact", "https://upper.example.com", True),
    ("exact-upper-origin", "exact", "https://Upper.Example.COM", False),
    ("exact-default-port-https", "exact", "https://dflt.example", True),
    ("exact-default-port-http", "exact", "http://dflt.example", True),
    ("exact-default-port-sent", "exact", "https://dflt.example:443", False),
    ("exact-port", "exact", "https://port.example:8443", True),
    ("exact-port-missing", "exact", "https://port.example", False),
    ("exact-port-other", "exact", "https://port.example:8444", False),
    ("exact-custom-scheme", "exact", "capacitor://localhost", True),
    ("exact-ipv4", "exact", "http://127.0.0.1:5173", True),
    ("exact-ipv4-noncanonical", "exact", "http://127.000.000.001:5173", False),
    ("exact-ipv6", "exact", "http://[::1]:3000", True),
    ("exact-unicode-utf8", "exact", "https://b\u00fccher.example".encode("utf-8"), False),
    # invalid Origin values
    ("empty", "p1", "", False),
    ("scheme-only", "p1", "https://", False),
    ("no-scheme", "p1", "app.example.com", False),
    ("query", "p1", "https://app.example.com?x", False),
    ("fragment", "p1", "https://app.example.com#x", False),
    ("backslash", "p1", "https://app.example.com\\", False),
    ("tab-inside", "p1", "https://app.example.com\t.x", False),
    ("two-values", "p1", "https://app.example.com, https://evil.com", False),
    ("two-values-same", "p1", "https://app.example.com, https://app.example.com", False),
    # the configured patterns themselves, sent literally, are not valid origins
    ("literal-sub-pattern", "p9", "https://*.example.com", False),
    ("literal-port-pattern", "p4", "http://localhost:*", False),
    ("literal-both-patterns", "subport", "https://*.sub.test:*", False),
    ("literal-fixed-port-pattern", "subport", "https://*.p8443.test:8443", False),
    ("literal-v6-port-pattern", "p12", "http://[::1]:*", False),
    ("literal-star", "p1", "*", False),
    ("star-host-label", "p9", "https://a.*.example.com", False),
    ("null-upper", "null", "NULL", False),
    ("null-quoted", "null", '"null"', False),
]


@pytest.mark.parametrize("vid,policy,origin,allowed", E_VECTORS, ids=[v[0] for v in E_VECTORS])
def test_origin_vector(srv, vid, policy, origin, allowed):
    check(srv, policy, origin, allowed)


def test_E14_null_under_wildcard(srv):
    check(srv, "p3", "null", True, acao="*")


def test_null_listed(srv):
    check(srv, "null", "null", True)
    check(srv, "null", APP, True)


def test_null_not_listed_not_reflected(srv):
    r = srv.request("GET", "/p2/r", {"Origin": "null"})
    assert_denied_actual(r)


def test_E15_two_origin_lines(srv):
    r = srv.request("GET", "/p1/r", [("Origin", APP), ("Origin", "https://evil.com")])
    assert_denied_actual(r)
    assert logged(srv, r) == "GET /p1/r 200 cors=denied-origin"
    r = srv.request("OPTIONS", "/p1/r", [("Origin", APP), ("Origin", APP),
                                         ("Access-Control-Request-Method", "PUT")])
    assert_denied_preflight(r)


def test_E18_long_origin(srv):
    origin = "https://" + "a" * 4980 + ".example.com"
    r = srv.request("GET", "/p9/r", {"Origin": origin})
    assert_denied_actual(r)
    r = srv.request("GET", "/rx5/r", {"Origin": origin})
    assert_denied_actual(r)
    assert_denied_preflight(srv.preflight("/p9/r", origin, "GET"))
    assert_denied_preflight(srv.preflight("/rx5/r", origin, "GET"))


def test_long_but_valid_subdomain(srv):
    # 3 labels of 63 characters (the maximum) under example.com: a 203-byte host
    host = ".".join(["b" * 63] * 3) + ".example.com"
    origin = "https://" + host
    assert len(host) <= 253
    check(srv, "p9", origin, True)


def test_E29_surrounding_whitespace_is_stripped(srv):
    r = srv.request("GET", "/p1/r", [("Origin", "  https://app.example.com ")])
    assert_allowed_actual(r, APP, aceh="X-Request-Id")


# ---- wildcard origin ------------------------------------------------------------------------

@pytest.mark.parametrize("origin", ["https://anything.test", "http://localhost:1",
                                    "capacitor://localhost", "http://[::1]:3000"])
def test_wildcard_any_valid_origin(srv, origin):
    check(srv, "p3", origin, True, acao="*")


@pytest.mark.parametrize("origin", ["https://x.test/", "HTTPS://X.TEST", "x.test",
                                    "https://a.test, https://b.test"])
def test_wildcard_invalid_origin(srv, origin):
    # contract rule 1: under a `*` policy without credentials EVERY response carries ACAO `*`,
    # so an invalid Origin still gets the static `*` (never the value); its preflight fails.
    r = srv.request("GET", "/p3/r", {"Origin": origin})
    assert r.status == 200, r
    assert r.cors_headers() == [("Access-Control-Allow-Origin", "*"),
                                ("Access-Control-Expose-Headers", "*")], r
    # ... but the note says the origin was not valid
    assert logged(srv, r) == "GET /p3/r 200 cors=denied-origin"
    r = srv.preflight("/p3/r", origin, "PUT")
    assert_denied_preflight(r)
    assert logged(srv, r) == "OPTIONS /p3/r 403 cors=preflight-denied-origin"


# ---- CORSAllowOriginMatch --------------------------------------------------------------------

RX_VECTORS = [
    # regex `https://.*\.example\.com`
    ("rx1", "https://a.example.com", True),
    ("rx1", "https://a.b.example.com", True),
    ("rx1", "https://evil.example.com.attacker.net", False),
    ("rx1", "https://example.com", False),
    ("rx1", "http://a.example.com", False),
    ("rx1", "https://a.example.com:8443", False),   # whole value must match
    ("rx1", "https://a.example.com/", False),       # invalid origin, though .* could match
    # regex `app\.example\.com` (no scheme): anchored, so it never matches an origin
    ("rx2", "https://app.example.com", False),
    ("rx2", "http://app.example.com", False),
    # alternation: `A|B` must be anchored as `^(?:A|B)$`, not `^A|B$`
    ("rx3", "https://abc.example.com", True),
    ("rx3", "https://other.test", True),
    ("rx3", "https://abc.example.com.evil.net", False),
    ("rx3", "https://abc.example.com:1", False),
    ("rx3", "https://other.test.evil.net", False),
    ("rx3", "https://evilother.test", False),
    # explicit ^...$ plus an exact origin in the same scope: both count
    ("rx4", "https://x12.example.net", True),
    ("rx4", "https://plain.example.net", True),
    ("rx4", "https://x.example.net", False),
    ("rx4", "https://x12.example.net.evil", False),
    # `https://.*` still only matches VALID origins
    ("rx5", "https://anything.test", True),
    ("rx5", "https://anything.test/x", False),
    ("rx5", "https://a b.test", False),
    ("rx5", "https://anything.test.", False),
    ("rx5", "https://Anything.test", False),
    ("rx5", "https://a.test, https://b.test", False),
]


@pytest.mark.parametrize("policy,origin,allowed", RX_VECTORS,
                         ids=[f"{p}-{o}" for p, o, _ in RX_VECTORS])
def test_origin_match_regex(srv, policy, origin, allowed):
    check(srv, policy, origin, allowed)


# ---- notes and debug lines --------------------------------------------------------------

def test_invalid_origin_note_and_debug(srv):
    srv.mark_log()
    r = srv.preflight("/p1/r", "https://app.example.com/", "PUT")
    assert_denied_preflight(r)
    assert logged(srv, r) == "OPTIONS /p1/r 403 cors=preflight-denied-origin"
    lines = [ln for ln in srv.new_log_lines() if "[cors:debug]" in ln]
    assert any("https://app.example.com/" in ln for ln in lines), srv.new_log_lines()


def test_allowed_subdomain_preflight_exact_answer(srv):
    r = srv.preflight("/p9/r", "https://a.example.com", "GET", "content-type")
    assert_ok_preflight(r, "https://a.example.com",
                        acah="Accept, Accept-Language, Content-Language, Content-Type, Range")
