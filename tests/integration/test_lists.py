# SPDX-License-Identifier: Apache-2.0
"""Method and header lists: Access-Control-Request-Method / -Headers parsing and bounds, and
how configured lists are answered (contract rule 2, docs/requests.md "ACRH bounds", "ACRM must be exactly
one token", "ACAM/ACAH/ACEH joined with ', '"; docs/test-vectors.md C08-C14, D).
"""

import time

import pytest

from cors_policies import (APP, assert_debug_mentions, assert_denied_preflight,
                           assert_ok_preflight, logged, policy_server)

P1_ACAM = "GET, POST, PUT, DELETE, PATCH"
P1_ACAH = "Content-Type, X-Requested-With"
ANY = "https://any.test"


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    with policy_server(tmp_path_factory.mktemp("lists")) as s:
        yield s


def p1_ok(r):
    assert_ok_preflight(r, APP, acam=P1_ACAM, acah=P1_ACAH, acma="600")


def p3_ok(r):
    assert_ok_preflight(r, "*", acam="*", acah="*")


def names_value(n, width=None, sep=","):
    """n distinct header names; with width, each name is exactly width bytes."""
    out = []
    for i in range(n):
        base = f"x-h{i:03d}"
        out.append(base if width is None else base + "a" * (width - len(base)))
    return sep.join(out)


# ---- D: Access-Control-Request-Headers parsing ------------------------------------------

D_OK = [
    ("D01", "content-type,x-requested-with"),
    ("D02", "x-requested-with,content-type"),
    ("D03", "Content-Type"),
    ("D03b", "X-REQUESTED-WITH,CONTENT-TYPE"),
    ("D04", "content-type , x-requested-with"),
    ("D04-tabs", "content-type\t,\tx-requested-with"),
    ("D04-many-spaces", "content-type   ,    x-requested-with"),
    ("D05", ",content-type,,x-requested-with,"),
    ("D06", "content-type" + "," * 17),
    ("D09", "content-type,content-type"),
    ("D10", ""),
    ("only-commas", ", , ,,"),
    ("D13", "x-requested-with"),
    ("safelisted-named", "content-type"),
]


@pytest.mark.parametrize("vid,acrh", D_OK, ids=[v[0] for v in D_OK])
def test_acrh_accepted(srv, vid, acrh):
    r = srv.preflight("/p1/r", APP, "PUT", acrh)
    p1_ok(r)
    assert logged(srv, r) == "OPTIONS /p1/r 204 cors=preflight-ok"


D_DENIED = [
    ("C03", "x-secret"),
    ("D14-dot-token", "content.type"),
    ("one-bad-among-good", "content-type,x-requested-with,x-bad"),
    ("prefix-of-allowed", "x-requested"),
    ("allowed-is-prefix", "x-requested-with-more"),
    ("space-inside", "content type"),
    ("at-sign", "x@y"),
    ("colon", "x-requested-with:1"),
    ("quoted", '"content-type"'),
    ("semicolon", "content-type;x=1"),
    ("slash", "content/type"),
    ("parens", "(content-type)"),
]


@pytest.mark.parametrize("vid,acrh", D_DENIED, ids=[v[0] for v in D_DENIED])
def test_acrh_denied(srv, vid, acrh):
    r = srv.preflight("/p1/r", APP, "PUT", acrh)
    assert_denied_preflight(r)
    assert logged(srv, r) == "OPTIONS /p1/r 403 cors=preflight-denied-headers"


def test_D08_two_acrh_lines(srv):
    r = srv.request("OPTIONS", "/p1/r", [
        ("Origin", APP), ("Access-Control-Request-Method", "PUT"),
        ("Access-Control-Request-Headers", "content-type"),
        ("Access-Control-Request-Headers", "x-requested-with")])
    p1_ok(r)


def test_D08_two_acrh_lines_one_denied(srv):
    r = srv.request("OPTIONS", "/p1/r", [
        ("Origin", APP), ("Access-Control-Request-Method", "PUT"),
        ("Access-Control-Request-Headers", "content-type"),
        ("Access-Control-Request-Headers", "x-nope")])
    assert_denied_preflight(r)


def test_D15_credentials_list(srv):
    r = srv.preflight("/p2/r", APP, "PUT", "authorization, content-type")
    assert_ok_preflight(r, APP, acac=True, acam="PUT", acah="Authorization, Content-Type",
                        acma="7200")


def test_non_token_debug_line(srv):
    srv.mark_log()
    assert_denied_preflight(srv.preflight("/p1/r", APP, "PUT", "content-type,x@y"))
    assert_debug_mentions(srv, "x@y")


# ---- bounds: 64 names, 4096 bytes ---------------------------------------------------------

def test_64_distinct_names_wildcard(srv):
    p3_ok(srv.preflight("/p3/r", ANY, "PUT", names_value(64)))


def test_65_distinct_names_wildcard(srv):
    r = srv.preflight("/p3/r", ANY, "PUT", names_value(65))
    assert_denied_preflight(r)
    assert logged(srv, r) == "OPTIONS /p3/r 403 cors=preflight-denied-headers"


def test_64_allowed_names_with_duplicates(srv):
    p1_ok(srv.preflight("/p1/r", APP, "PUT", ",".join(["content-type"] * 64)))


def test_65_allowed_names_with_duplicates(srv):
    assert_denied_preflight(srv.preflight("/p1/r", APP, "PUT",
                                          ",".join(["content-type"] * 65)))


def test_64_names_plus_empty_elements(srv):
    # empty elements are skipped, not counted as names
    p3_ok(srv.preflight("/p3/r", ANY, "PUT", names_value(64, sep=",,") + ",,,,"))


def test_64_names_padded_with_spaces(srv):
    p3_ok(srv.preflight("/p3/r", ANY, "PUT", names_value(64, sep=" , ")))


def test_65_names_over_two_lines(srv):
    r = srv.request("OPTIONS", "/p3/r", [
        ("Origin", ANY), ("Access-Control-Request-Method", "PUT"),
        ("Access-Control-Request-Headers", names_value(40)),
        ("Access-Control-Request-Headers", ",".join(f"x-k{i}" for i in range(25)))])
    assert_denied_preflight(r)


def _value_of_bytes(total, n=32):
    # n names joined by ",", exactly `total` bytes
    width, extra = divmod(total - (n - 1), n)
    names = [f"x-{i:02d}-" + "a" * (width - 5 + (1 if i < extra else 0)) for i in range(n)]
    v = ",".join(names)
    assert len(v) == total
    return v


def test_4096_bytes_accepted(srv):
    p3_ok(srv.preflight("/p3/r", ANY, "PUT", _value_of_bytes(4096)))


def test_4097_bytes_denied(srv):
    r = srv.preflight("/p3/r", ANY, "PUT", _value_of_bytes(4097))
    assert_denied_preflight(r)
    assert logged(srv, r) == "OPTIONS /p3/r 403 cors=preflight-denied-headers"


def test_over_4096_bytes_few_names(srv):
    # 2 names, 6000 bytes: under httpd's 8190-byte line limit, over the module's bound
    v = "x-" + "a" * 2998 + "," + "x-" + "b" * 2998
    assert_denied_preflight(srv.preflight("/p3/r", ANY, "PUT", v))


def test_over_4096_bytes_of_spaces_and_commas(srv):
    v = "content-type" + " ," * 3000
    assert len(v) < 8000
    assert_denied_preflight(srv.preflight("/p1/r", APP, "PUT", v))


def test_D07_merged_lines_over_bound(srv):
    # 32 lines of 240 commas: httpd merges them into one 7.7 KB value (its own limit on a
    # merged field is 8190 bytes too)
    hdrs = [("Origin", APP), ("Access-Control-Request-Method", "PUT")]
    hdrs += [("Access-Control-Request-Headers", "," * 240)] * 32
    assert_denied_preflight(srv.request("OPTIONS", "/p1/r", hdrs))


@pytest.mark.parametrize("value", ["," * (1 << 20), "content-type," * 80000,
                                   "x" * (1 << 20)], ids=["commas", "names", "one-name"])
def test_D07_one_mebibyte_bounded_time(srv, value):
    # port2 is a vhost with LimitRequestFieldSize 2000000: the module's bound is what answers
    hdrs = [("Origin", APP), ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", value)]
    t = time.monotonic()
    r = srv.request("OPTIONS", "/p1/r", hdrs, port=srv.port2)
    assert time.monotonic() - t < 2.0
    assert_denied_preflight(r)


def test_port2_vhost_has_the_same_policy(srv):
    p1_ok(srv.preflight("/p1/r", APP, "PUT", "content-type", port=srv.port2))


def test_D11_300_names_wildcard(srv):
    # docs/requests.md: > 64 names fails, also under `*`
    assert_denied_preflight(srv.preflight("/p3/r", ANY, "PUT", names_value(300)))


def test_D12_300_names_first_allowed(srv):
    v = "content-type,x-requested-with," + names_value(298)
    assert_denied_preflight(srv.preflight("/p1/r", APP, "PUT", v))


# ---- Access-Control-Request-Method ---------------------------------------------------------

ACRM_DENIED = [
    ("C08-lower-put", "p1", "put"),
    ("C09-lower-patch", "p1", "patch"),
    ("C11-upper-patch-vs-lower", "p10", "PATCH"),
    ("C12-list", "p1", "GET, DELETE"),
    ("list-no-space", "p1", "PUT,DELETE"),
    ("inner-space", "p1", "P UT"),
    ("non-token", "p1", "PU(T"),
    ("lower-get-not-safelisted", "p5", "get"),
    ("lower-post-not-safelisted", "p5", "post"),
    ("mixed-case", "p1", "Put"),
    ("unlisted", "p1", "OPTIONS"),
]


@pytest.mark.parametrize("vid,policy,acrm", ACRM_DENIED, ids=[v[0] for v in ACRM_DENIED])
def test_acrm_denied(srv, vid, policy, acrm):
    origin = "https://example.com" if policy == "p5" else APP
    r = srv.preflight(f"/{policy}/r", origin, acrm)
    assert_denied_preflight(r)
    assert logged(srv, r) == f"OPTIONS /{policy}/r 403 cors=preflight-denied-method"


def test_C12_list_never_reflected(srv):
    srv.mark_log()
    r = srv.preflight("/p1/r", APP, "GET, DELETE")
    assert_denied_preflight(r)
    assert "GET, DELETE" not in str(r.headers)
    assert_debug_mentions(srv, "method", "GET, DELETE")


def test_C14_two_acrm_lines(srv):
    r = srv.request("OPTIONS", "/p1/r", [
        ("Origin", APP), ("Access-Control-Request-Method", "PUT"),
        ("Access-Control-Request-Method", "DELETE")])
    assert_denied_preflight(r)
    assert logged(srv, r) == "OPTIONS /p1/r 403 cors=preflight-denied-method"


def test_C14_two_identical_acrm_lines(srv):
    r = srv.request("OPTIONS", "/p1/r", [
        ("Origin", APP), ("Access-Control-Request-Method", "PUT"),
        ("Access-Control-Request-Method", "PUT")])
    assert_denied_preflight(r)


def test_acrm_surrounding_whitespace_stripped_by_httpd(srv):
    p1_ok(srv.preflight("/p1/r", APP, "  PUT  "))


def test_C10_lowercase_method_configured(srv):
    r = srv.preflight("/p10/r", APP, "patch")
    assert_ok_preflight(r, APP, acam="patch")


@pytest.mark.parametrize("m", ["GET", "HEAD", "POST"])
def test_safelisted_methods_always_allowed(srv, m):
    assert_ok_preflight(srv.preflight("/p10/r", APP, m), APP, acam="patch")


@pytest.mark.parametrize("m", ["FROBNICATE", "patch", "PATCH", "M-SEARCH", "GET"])
def test_wildcard_methods(srv, m):
    p3_ok(srv.preflight("/p3/r", ANY, m))


def test_wildcard_methods_still_one_token(srv):
    assert_denied_preflight(srv.preflight("/p3/r", ANY, "GET, PUT"))


# ---- configured lists: several lines add up, normalization, answer values -----------------

def test_lists_add_up_and_standard_methods_uppercased(srv):
    r = srv.preflight("/lists/r", APP, "PUT", "x-one")
    assert_ok_preflight(r, APP, acam="PUT, DELETE, PURGE", acah="X-One, x-two, X-Three")


@pytest.mark.parametrize("m", ["PUT", "DELETE", "PURGE"])
def test_lists_each_method(srv, m):
    assert srv.preflight("/lists/r", APP, m).status == 204


@pytest.mark.parametrize("m", ["put", "delete", "PATCH", "purge"])
def test_lists_methods_byte_exact(srv, m):
    assert_denied_preflight(srv.preflight("/lists/r", APP, m))


def test_lists_headers_from_every_line_case_insensitive(srv):
    r = srv.preflight("/lists/r", APP, "DELETE", "X-ONE,X-Two,x-three")
    assert_ok_preflight(r, APP, acam="PUT, DELETE, PURGE", acah="X-One, x-two, X-Three")


def test_lists_safelisted_header_not_named(srv):
    r = srv.preflight("/lists/r", APP, "PUT", "x-two,range")
    assert_ok_preflight(r, APP, acam="PUT, DELETE, PURGE",
                        acah="X-One, x-two, X-Three, Accept, Accept-Language, "
                             "Content-Language, Content-Type, Range")


def test_lists_expose_lines_add_up(srv):
    r = srv.request("GET", "/lists/r", {"Origin": APP})
    assert r.status == 200, r
    assert r.get("Access-Control-Expose-Headers") == "X-E1, X-E2", r


# ---- safelisted names when the configured list already names some of them -----------------

def test_safelisted_suffix_with_partly_overlapping_list(srv):
    # P1 names Content-Type but not Accept.  docs/requests.md: the configured list followed by the
    # safelisted names; a value that leaves out the one already listed is as exact.
    r = srv.preflight("/p1/r", APP, "PUT", "accept,x-requested-with")
    literal = P1_ACAH + ", Accept, Accept-Language, Content-Language, Content-Type, Range"
    deduped = P1_ACAH + ", Accept, Accept-Language, Content-Language, Range"
    assert r.status == 204, r
    assert r.get("Access-Control-Allow-Headers") in (literal, deduped), r


@pytest.mark.parametrize("path,acah", [("/p3/r", "*"), ("/p7/r", "*, Authorization")])
def test_safelisted_name_under_wildcard_headers(srv, path, acah):
    r = srv.preflight(path, ANY, "PATCH", "accept,x-foo")
    assert r.status == 204, r
    assert r.get("Access-Control-Allow-Headers") == acah, r
