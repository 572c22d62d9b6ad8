# SPDX-License-Identifier: Apache-2.0
"""Hostile input: oversized, repeated, malformed and binary request fields, and a huge origin
list in .htaccess.  Every request must be answered in bounded time (< 2 s here, generously),
must never be allowed when it should not be, and must leave no crash or error in the log
(the autouse log check of conftest.py).

Requests with raw bytes go through a plain socket (http.client refuses some of them).

httpd's own limits, as measured on Debian's apache2 2.4.71 with the defaults
(LimitRequestFieldSize 8190, HttpProtocolOptions Strict):
  * a request field line ("Name: value") of up to 8191 bytes is read; 8192 and more gets a
    400 from httpd before any module runs;
  * control bytes (NUL, 0x01-0x1f except HTAB, DEL) in a field value get a 400 from httpd;
    bytes 0x80-0xff (obs-text) are passed on to the module;
  * leading and trailing spaces/tabs of a value are stripped by httpd; an obs-fold line is
    joined to the previous one with a space;
  * more than 100 request fields (LimitRequestFields) get a 400;
  * repeated fields reach the module joined with ", ";
  * a .htaccess line over 8 KB is an error ("Line too long": 500 and a [core:alert]).
"""

import http.client
import re
import socket
import time

import pytest

from httpd_harness import Response, assert_no_cors, serve

APP = "https://app.example.com"
BOUND = 2.0             # seconds, per request
FIELD_LINE_MAX = 8191   # longest request field line httpd 2.4.71 reads (see above)

PREFLIGHT_VARY = ["Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"]

# 5,000 exact origins for the .htaccess tests, 100 per line (a .htaccess line must stay under
# 8 KB), plus two patterns.
BIG_ORIGINS = [f"https://o{i}.example.net" for i in range(5000)]
BIG_HTACCESS = "".join("CORSAllowOrigin " + " ".join(BIG_ORIGINS[i:i + 100]) + "\n"
                       for i in range(0, len(BIG_ORIGINS), 100))
BIG_HTACCESS += ("CORSAllowOrigin https://*.big.example http://localhost:*\n"
                 "CORSAllowMethods PUT\nCORSAllowHeaders X-A\n")
ONE_PER_LINE = "".join(f"CORSAllowOrigin {o}\n" for o in BIG_ORIGINS) + "CORSAllowMethods PUT\n"

CONF = r"""
<Location "/api/">
    CORSAllowOrigin https://app.example.com https://*.example.org
    CORSAllowMethods PUT DELETE
    CORSAllowHeaders X-A Content-Type X-Requested-With
</Location>
<Location "/star/">
    CORSAllowOrigin *
</Location>
<Directory "${DOCROOT}/big">
    AllowOverride FileInfo
</Directory>
"""

FILES = {
    "htdocs/api/r": "api\n",
    "htdocs/star/r": "star\n",
    "htdocs/big/lines/.htaccess": BIG_HTACCESS,
    "htdocs/big/lines/r": "big\n",
    "htdocs/big/each/.htaccess": ONE_PER_LINE,
    "htdocs/big/each/r": "each\n",
    "htdocs/big/oneline/.htaccess": "CORSAllowOrigin " + " ".join(BIG_ORIGINS) + "\n",
    "htdocs/big/oneline/r": "oneline\n",
}


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("hostile"), CONF, files=FILES) as s:
        yield s


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------

def raw(srv, method: str, path: str, fields) -> tuple[Response, float]:
    """Sends one HTTP/1.1 request whose fields are (bytes, bytes) pairs, byte for byte, and
    returns the response and the seconds it took."""
    lines = [f"{method} {path} HTTP/1.1".encode(), f"Host: 127.0.0.1:{srv.port}".encode()]
    lines += [k + b": " + v for k, v in fields]
    lines += [b"Connection: close", b"", b""]
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
        sock.sendall(b"\r\n".join(lines))
        resp = http.client.HTTPResponse(sock, method=method)
        resp.begin()
        body = resp.read()
    elapsed = time.monotonic() - start
    return Response(resp.status, resp.reason, list(resp.getheaders()), body), elapsed


def get(srv, path, origin: bytes, extra=()):
    return raw(srv, "GET", path, [(b"Origin", origin), *extra])


def preflight(srv, path, origin: bytes, method: bytes = b"PUT", acrh: bytes | None = None,
              extra=()):
    fields = [(b"Origin", origin), (b"Access-Control-Request-Method", method)]
    if acrh is not None:
        fields.append((b"Access-Control-Request-Headers", acrh))
    return raw(srv, "OPTIONS", path, fields + list(extra))


def cors_note(srv, path: str) -> str | None:
    """The `cors` request note of the (one) request for path, from the access log."""
    deadline = time.monotonic() + 3
    pat = re.compile(r"^\S+ " + re.escape(path) + r" \d+ cors=(\S*)$")
    while True:
        try:
            lines = srv.access_log_path.read_text(errors="replace").splitlines()
        except FileNotFoundError:
            lines = []
        for ln in lines:
            m = pat.match(ln)
            if m:
                return m.group(1)
        if time.monotonic() > deadline:
            return None
        time.sleep(0.02)


def denied_actual(resp: Response, elapsed: float):
    """An actual request the module judged and refused: status untouched, no CORS headers,
    Vary: Origin."""
    assert elapsed < BOUND, f"took {elapsed:.2f} s\n{resp}"
    assert resp.status == 200, resp
    assert_no_cors(resp)
    assert "Origin" in resp.vary_tokens(), resp


def denied_preflight(resp: Response, elapsed: float):
    assert elapsed < BOUND, f"took {elapsed:.2f} s\n{resp}"
    assert resp.status == 403, resp
    assert_no_cors(resp)
    assert resp.vary_tokens()[:3] == PREFLIGHT_VARY, resp


def refused_by_httpd(resp: Response, elapsed: float):
    """httpd's own 400 (the module never saw the request)."""
    assert elapsed < BOUND, f"took {elapsed:.2f} s\n{resp}"
    assert resp.status == 400, resp
    assert_no_cors(resp)


def long_origin(length: int) -> bytes:
    return b"https://" + b"a" * (length - len("https://"))


def subdomain_origin(length: int) -> bytes:
    """An https origin of `length` bytes whose host is a (too long) subdomain of example.org,
    which the /api/ policy allows by pattern."""
    tail = b".example.org"
    labels = b""
    while len(b"https://") + len(labels) + len(tail) + 2 <= length:
        labels += b"a."
    labels = labels[:-1] + b"b" * (length - len(b"https://") - len(labels) - len(tail) + 1)
    o = b"https://" + labels + tail
    assert len(o) == length
    return o


# ---------------------------------------------------------------------------------------------
# Origin: length
# ---------------------------------------------------------------------------------------------

def test_controls_are_allowed(srv):
    """The baseline the hostile variants are judged against."""
    r, t = get(srv, "/api/r", APP.encode())
    assert r.status == 200 and r.get("Access-Control-Allow-Origin") == APP and t < BOUND, r
    r, t = preflight(srv, "/api/r", b"https://x.example.org", b"PUT", b"x-a")
    assert r.status == 204 and r.get("Access-Control-Allow-Origin") == "https://x.example.org"


@pytest.mark.parametrize("length", [327, 1000, 4096, 8000])
def test_long_origin_denied(srv, length):
    """Origins over CORS_ORIGIN_MAX (326 bytes) are refused before any other work, including
    a long, otherwise well-formed subdomain of an allowed pattern."""
    for origin in (long_origin(length), subdomain_origin(length)):
        denied_actual(*get(srv, "/api/r", origin))
        denied_preflight(*preflight(srv, "/api/r", origin))


def test_origin_at_the_field_limit(srv):
    """8 KB Origin values right at httpd's field-line limit: up to FIELD_LINE_MAX bytes of
    line the module sees it and denies it; one byte more and httpd answers 400 itself."""
    value_max = FIELD_LINE_MAX - len("Origin: ")
    for length in (value_max - 1, value_max):
        denied_actual(*get(srv, "/api/r", subdomain_origin(length)))
        denied_preflight(*preflight(srv, "/api/r", subdomain_origin(length)))
    for length in (value_max + 1, value_max + 2, 9000, 20000):
        refused_by_httpd(*get(srv, "/api/r", subdomain_origin(length)))
        refused_by_httpd(*preflight(srv, "/api/r", subdomain_origin(length)))


def test_long_origin_under_star_policy(srv):
    """Under `*` without credentials the answer is the constant `*`, never the 8 KB value."""
    r, t = get(srv, "/star/r", long_origin(8000))
    assert t < BOUND and r.status == 200, r
    assert r.get("Access-Control-Allow-Origin") == "*", r
    assert "a" * 100 not in str(r.headers)


# ---------------------------------------------------------------------------------------------
# Access-Control-Request-Headers: size
# ---------------------------------------------------------------------------------------------

def test_acrh_10000_names_refused_by_httpd(srv):
    """10,000 names (~80 KB) exceed httpd's field limit: httpd's 400, in bounded time."""
    acrh = ",".join(f"x-h{i}" for i in range(10000)).encode()
    assert len(acrh) > 8190
    refused_by_httpd(*preflight(srv, "/api/acrh-10000", APP.encode(), b"PUT", acrh))


def test_acrh_just_under_field_limit_denied_by_module(srv):
    """~8,000 bytes of names: read by httpd, over the module's bounds (64 names, 4 KB): 403
    quickly, and the note says why."""
    names = []
    while len(",".join(names)) < 8000:
        names.append(f"x-h{len(names)}")
    acrh = ",".join(names).encode()
    assert 8000 <= len(acrh) < FIELD_LINE_MAX - len("Access-Control-Request-Headers: ")
    denied_preflight(*preflight(srv, "/api/acrh-8000", APP.encode(), b"PUT", acrh))
    assert cors_note(srv, "/api/acrh-8000") == "preflight-denied-headers"


def test_acrh_name_count_bound(srv):
    """64 allowed names pass, 65 fail (CORS_ACRH_MAX_NAMES), both fast."""
    r, t = preflight(srv, "/api/acrh-64", APP.encode(), b"PUT", b",".join([b"x-a"] * 64))
    assert r.status == 204 and t < BOUND, r
    denied_preflight(*preflight(srv, "/api/acrh-65", APP.encode(), b"PUT",
                                b",".join([b"x-a"] * 65)))


def test_acrh_byte_bound(srv):
    """4096 bytes pass, 4097 fail (CORS_ACRH_MAX_BYTES), whatever they hold."""
    def value(length):      # two allowed names, blanks between them
        v = b"x-a," + b" " * (length - 7) + b"x-a"
        assert len(v) == length
        return v
    r, t = preflight(srv, "/api/acrh-4096", APP.encode(), b"PUT", value(4096))
    assert r.status == 204 and t < BOUND, r
    denied_preflight(*preflight(srv, "/api/acrh-4097", APP.encode(), b"PUT", value(4097)))


def test_acrh_thousands_of_empty_items(srv):
    """Empty list elements are skipped (RFC 9110 §5.6.1.2) up to the 4 KB bound; beyond it
    the preflight fails; never slow."""
    r, t = preflight(srv, "/api/empty-4000", APP.encode(), b"PUT",
                     b"," * 4000 + b"content-type" + b"," * 50)
    assert r.status == 204 and t < BOUND, r
    r, t = preflight(srv, "/api/empty-ows", APP.encode(), b"PUT", b" ,\t," * 1000 + b"x-a")
    assert r.status == 204 and t < BOUND, r
    denied_preflight(*preflight(srv, "/api/empty-8000", APP.encode(), b"PUT",
                                b"," * 8000 + b"content-type"))
    denied_preflight(*preflight(srv, "/api/empty-only", APP.encode(), b"PUT", b"," * 8100))
    assert cors_note(srv, "/api/empty-8000") == "preflight-denied-headers"


# ---------------------------------------------------------------------------------------------
# repeated fields (httpd joins them with ", ")
# ---------------------------------------------------------------------------------------------

def test_repeated_origin(srv):
    for second in (APP.encode(), b"https://evil.example", b"null"):
        extra = [(b"Origin", second)]
        denied_actual(*get(srv, "/api/r", APP.encode(), extra))
        denied_preflight(*preflight(srv, "/api/r", APP.encode(), extra=extra))


def test_many_repeated_origins(srv):
    """90 Origin fields reach the module joined (denied); 200 exceed httpd's
    LimitRequestFields (100): its own 400."""
    denied_actual(*get(srv, "/api/r", APP.encode(), [(b"Origin", APP.encode())] * 89))
    refused_by_httpd(*get(srv, "/api/r", APP.encode(), [(b"Origin", APP.encode())] * 199))


def test_repeated_acrm(srv):
    for second in (b"PUT", b"DELETE", b"GET"):
        denied_preflight(*preflight(srv, "/api/r", APP.encode(), b"PUT",
                                    extra=[(b"Access-Control-Request-Method", second)]))


def test_repeated_acrh_merged(srv):
    """Split ACRH lines (some proxies do this) are one list: allowed when every name is."""
    r, t = preflight(srv, "/api/r", APP.encode(), b"PUT", b"x-a",
                     extra=[(b"Access-Control-Request-Headers", b"content-type")])
    assert r.status == 204 and t < BOUND, r
    denied_preflight(*preflight(srv, "/api/r", APP.encode(), b"PUT", b"x-a",
                                extra=[(b"Access-Control-Request-Headers", b"x-secret")]))
    # 64 names over 64 field lines pass, 70 fail (the name bound applies to the joined list)
    many = [(b"Access-Control-Request-Headers", b"x-a")] * 63
    r, t = preflight(srv, "/api/r", APP.encode(), b"PUT", b"x-a", extra=many)
    assert r.status == 204 and t < BOUND, r
    many = [(b"Access-Control-Request-Headers", b"x-a")] * 69
    denied_preflight(*preflight(srv, "/api/r", APP.encode(), b"PUT", b"x-a", extra=many))


# ---------------------------------------------------------------------------------------------
# control and non-UTF-8 bytes
# ---------------------------------------------------------------------------------------------

CONTROL = [b"\x00", b"\x01", b"\x08", b"\x0b", b"\x0c", b"\x1b", b"\x7f"]
HIGH = [b"\x80", b"\xff", b"\xc3\xa9", b"\xed\xa0\x80", b"\xef\xbb\xbf"]


def _variants(value: bytes, bad: bytes):
    """bad at the start, in the middle and at the end of value."""
    mid = len(value) // 2
    return [bad + value, value[:mid] + bad + value[mid:], value + bad]


@pytest.mark.parametrize("bad", CONTROL, ids=lambda b: b.hex())
def test_control_bytes_refused(srv, bad):
    """Control bytes in Origin, ACRM or ACRH: httpd's 400 (Strict), or, should a future httpd
    pass them on, a denial.  Never an ACA* header."""
    cases = []
    for o in _variants(APP.encode(), bad):
        cases.append(("GET", get(srv, "/api/r", o)))
        cases.append(("OPTIONS", preflight(srv, "/api/r", o)))
    for m in _variants(b"PUT", bad):
        cases.append(("OPTIONS", preflight(srv, "/api/r", APP.encode(), m)))
    for h in _variants(b"x-a,content-type", bad):
        cases.append(("OPTIONS", preflight(srv, "/api/r", APP.encode(), b"PUT", h)))
    for method, (r, t) in cases:
        assert t < BOUND, r
        assert_no_cors(r)
        assert r.status in ((400, 200) if method == "GET" else (400, 403)), r


@pytest.mark.parametrize("bad", HIGH, ids=lambda b: b.hex())
def test_non_utf8_bytes_denied(srv, bad):
    """Bytes 0x80-0xff reach the module: never a valid origin, method or header name."""
    for o in _variants(APP.encode(), bad) + [b"https://x" + bad + b".example.org"]:
        denied_actual(*get(srv, "/api/r", o))
        denied_preflight(*preflight(srv, "/api/r", o))
    for m in _variants(b"PUT", bad):
        denied_preflight(*preflight(srv, "/api/r", APP.encode(), m))
    for h in _variants(b"x-a", bad):
        denied_preflight(*preflight(srv, "/api/r", APP.encode(), b"PUT", h))


def test_inner_whitespace_denied(srv):
    """A tab or space inside a value is not stripped by httpd: denied."""
    for o in (b"https://app\t.example.com", b"https://app .example.com",
              b"https:// app.example.com", b"https://app.example.com\t:8443"):
        denied_actual(*get(srv, "/api/r", o))
        denied_preflight(*preflight(srv, "/api/r", o))
    for m in (b"PU T", b"PUT\tDELETE", b"PUT ,DELETE"):
        denied_preflight(*preflight(srv, "/api/r", APP.encode(), m))
    denied_preflight(*preflight(srv, "/api/r", APP.encode(), b"PUT", b"x-a, x a"))


def test_outer_whitespace_stripped_by_httpd(srv):
    """Leading and trailing blanks never reach the module (vector E29)."""
    r, t = get(srv, "/api/r", b" \t" + APP.encode() + b" \t ")
    assert r.status == 200 and r.get("Access-Control-Allow-Origin") == APP and t < BOUND, r


def test_obs_fold(srv):
    """A folded (obs-fold) Origin line: httpd 2.4.71 unfolds it with a space, which the module
    denies; never glued into an allowed origin."""
    r, t = raw(srv, "GET", "/api/r", [(b"Origin", b"https://app.\r\n example.com")])
    assert t < BOUND and r.status in (200, 400), r
    assert_no_cors(r)


# ---------------------------------------------------------------------------------------------
# a huge origin list in .htaccess (parsed again for every request)
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("d", ["lines", "each"])
def test_htaccess_5000_origins(srv, d):
    for o in (BIG_ORIGINS[0], BIG_ORIGINS[2500], BIG_ORIGINS[-1]):
        r, t = get(srv, f"/big/{d}/r", o.encode())
        assert t < BOUND and r.status == 200 and r.get("Access-Control-Allow-Origin") == o, r
        r, t = preflight(srv, f"/big/{d}/r", o.encode())
        assert t < BOUND and r.status == 204 and r.get("Access-Control-Allow-Origin") == o, r
    for o in ("https://o5000.example.net", "https://o49999.example.net", "https://o1.example.ne",
              "https://o1.example.net.evil", "http://o1.example.net", "https://O1.example.net",
              "https://o1.example.net:443"):
        denied_actual(*get(srv, f"/big/{d}/r", o.encode()))
        denied_preflight(*preflight(srv, f"/big/{d}/r", o.encode()))


def test_htaccess_5000_origins_patterns(srv):
    r, t = get(srv, "/big/lines/r", b"https://a.b.big.example")
    assert t < BOUND and r.get("Access-Control-Allow-Origin") == "https://a.b.big.example", r
    r, t = get(srv, "/big/lines/r", b"http://localhost:5173")
    assert t < BOUND and r.get("Access-Control-Allow-Origin") == "http://localhost:5173", r
    denied_actual(*get(srv, "/big/lines/r", b"https://big.example"))
    denied_actual(*get(srv, "/big/lines/r", b"https://evilbig.example"))


def test_htaccess_5000_origins_under_load(srv):
    """100 requests in a row: the per-request parse of the list stays cheap."""
    start = time.monotonic()
    for i in range(100):
        o = BIG_ORIGINS[(i * 37) % len(BIG_ORIGINS)]
        r, t = get(srv, "/big/lines/r", o.encode())
        assert r.get("Access-Control-Allow-Origin") == o and t < BOUND, r
    assert time.monotonic() - start < 50 * BOUND


@pytest.mark.log_allow(r"\[core:alert\].*oneline/\.htaccess.*Line too long")
def test_htaccess_one_line_over_8k(srv):
    """httpd refuses a .htaccess line over 8 KB itself: 500 for the directory, nothing allowed."""
    r, t = get(srv, "/big/oneline/r", BIG_ORIGINS[0].encode())
    assert t < BOUND and r.status == 500, r
    assert_no_cors(r)
