# SPDX-License-Identifier: Apache-2.0
"""mod_cors over HTTP/2 (mod_http2, h2c with prior knowledge on loopback).

Every request is sent twice with curl, once with --http1.1 and once with
--http2-prior-knowledge, and both answers must have the same status and the same
Access-Control-* and Vary headers (names compared case-insensitively: HTTP/2 sends them in
lowercase), besides the values the contract asks for.  Then 48 streams with different origins
and kinds are sent at once on one HTTP/2 connection (a small client at the end of this file,
since Debian 12's curl cannot reuse an HTTP/2 connection), and each must get its own answer.

mod_http2 does not work under the prefork MPM (it logs a warning and stays off), so the
module is skipped there.
"""

import ctypes
import ctypes.util
import os
import re
import shutil
import socket
import struct
import subprocess
import time

import pytest

from httpd_harness import MODULES_DIR, serve

MPM = (os.environ.get("MPM") or "event").removeprefix("mpm_")

H2_SUPPORTED = None


def curl_supports_http2() -> bool:
    global H2_SUPPORTED
    if H2_SUPPORTED is None:
        out = subprocess.run(["curl", "-V"], stdout=subprocess.PIPE, text=True,
                             timeout=10).stdout
        H2_SUPPORTED = bool(re.search(r"^Features:.*\bHTTP2\b", out, re.M))
    return H2_SUPPORTED


def h2c_unavailable() -> str | None:
    """Why HTTP/2 over cleartext cannot be tested here, or None (also for the test files
    that run their cases over both protocols)."""
    if MPM == "prefork":
        return ("mod_http2 disables itself under the prefork MPM (it needs a threaded MPM); "
                "HTTP/2 is tested with MPM=event/worker")
    if shutil.which("curl") is None:
        return "curl is not installed"
    if not (MODULES_DIR / "mod_http2.so").exists():
        return f"no {MODULES_DIR}/mod_http2.so"
    if not curl_supports_http2():
        return "this curl has no HTTP2 feature (`curl -V`)"
    return None


pytestmark = pytest.mark.skipif(h2c_unavailable() is not None, reason=h2c_unavailable() or "")

A = "https://app.example.com"
B = "https://b.example.com"
EVIL = "https://evil.example"

CONF = r"""
Protocols h2c http/1.1
H2Direct on
KeepAlive On

<Location "/api/">
  CORSAllowOrigin https://app.example.com https://b.example.com
  CORSAllowMethods GET POST PUT DELETE
  CORSAllowHeaders Content-Type X-Requested-With
  CORSExposeHeaders X-Total-Count
  CORSAllowCredentials On
  CORSMaxAge 600
  Header always set X-Total-Count 7
</Location>

<Location "/star/">
  CORSAllowOrigin *
  CORSExposeHeaders X-Total-Count
</Location>

<Location "/p200/">
  CORSAllowOrigin https://app.example.com
  CORSAllowMethods PATCH
  CORSPreflightStatus 200
</Location>

<Location "/private/">
  CORSAllowOrigin https://app.example.com
  Require all denied
</Location>
"""

FILES = {
    "htdocs/api/r": "api resource\n",
    "htdocs/star/r": "star resource\n",
    "htdocs/p200/r": "p200\n",
    "htdocs/private/r": "private\n",
}

@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("http2"), CONF, files=FILES,
               modules=("http2", "headers")) as s:
        yield s


class CurlResponse:
    def __init__(self, status_line: str, headers: list[tuple[str, str]]):
        self.status_line = status_line
        self.version, self.status = status_line.split()[0], int(status_line.split()[1])
        self.headers = headers

    def get_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def get(self, name):
        vals = self.get_all(name)
        assert len(vals) <= 1, f"{name} occurs {len(vals)} times\n{self}"
        return vals[0] if vals else None

    def vary_tokens(self):
        return [t.strip() for v in self.get_all("Vary") for t in v.split(",") if t.strip()]

    def cors_view(self):
        """What must not differ between HTTP/1.1 and HTTP/2: status, Access-Control-* headers
        (lowercased names, sorted) and the Vary tokens in order."""
        acs = sorted((k.lower(), v) for k, v in self.headers
                     if k.lower().startswith("access-control-"))
        return self.status, acs, self.vary_tokens()

    def __repr__(self):
        return self.status_line + "".join(f"\n  {k}: {v}" for k, v in self.headers)


def parse_header_dump(text: str) -> list[CurlResponse]:
    """curl -D output: one block per response (an interim 1xx would be its own block)."""
    out = []
    for block in re.split(r"\r?\n\r?\n", text.strip()):
        lines = [ln for ln in re.split(r"\r?\n", block) if ln]
        if not lines:
            continue
        hdrs = []
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            hdrs.append((k.strip(), v.strip()))
        out.append(CurlResponse(lines[0], hdrs))
    return out


def curl_args(srv, method, path, headers):
    args = ["-s", "-o", "/dev/null", "-X", method, f"http://127.0.0.1:{srv.port}{path}"]
    for k, v in headers:
        args += ["-H", f"{k}: {v}"]
    return args


def curl(srv, proto, method, path, headers=()) -> CurlResponse:
    flag = {"h1": "--http1.1", "h2": "--http2-prior-knowledge"}[proto]
    cmd = ["curl", flag, "--max-time", "10", "-D", "-"] + curl_args(srv, method, path, headers)
    if method == "HEAD":
        cmd[cmd.index("-X"):cmd.index("-X") + 2] = ["-I"]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=20)
    assert p.returncode == 0, f"{cmd}: rc={p.returncode} {p.stderr}"
    blocks = parse_header_dump(p.stdout)
    assert blocks, f"{cmd}: no response\n{p.stdout}"
    r = blocks[-1]
    want = "HTTP/2" if proto == "h2" else "HTTP/1.1"
    assert r.version == want, f"{cmd}: answered over {r.version}, not {want}\n{r}"
    return r


def both(srv, method, path, headers=()):
    h1 = curl(srv, "h1", method, path, headers)
    h2 = curl(srv, "h2", method, path, headers)
    assert h1.cors_view() == h2.cors_view(), f"HTTP/1.1 and HTTP/2 differ:\n{h1}\n---\n{h2}"
    return h2


def pf_headers(origin, method, req_headers=None):
    h = [("Origin", origin), ("Access-Control-Request-Method", method)]
    if req_headers is not None:
        h.append(("Access-Control-Request-Headers", req_headers))
    return h


PF_VARY = ["Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"]


def test_preflight_allowed(srv):
    r = both(srv, "OPTIONS", "/api/r", pf_headers(A, "PUT", "content-type,x-requested-with"))
    assert r.status == 204, r
    assert r.get("Access-Control-Allow-Origin") == A
    assert r.get("Access-Control-Allow-Credentials") == "true"
    assert r.get("Access-Control-Allow-Methods") == "GET, POST, PUT, DELETE"
    assert r.get("Access-Control-Allow-Headers") == "Content-Type, X-Requested-With"
    assert r.get("Access-Control-Max-Age") == "600"
    assert r.vary_tokens() == PF_VARY
    assert r.get("Content-Length") in (None, "0"), r


def test_preflight_allowed_200_and_star(srv):
    r = both(srv, "OPTIONS", "/p200/r", pf_headers(A, "PATCH"))
    assert r.status == 200 and r.get("Content-Length") == "0", r
    assert r.get("Access-Control-Allow-Methods") == "PATCH"
    r = both(srv, "OPTIONS", "/star/r", pf_headers(EVIL, "GET"))
    assert r.status == 204 and r.get("Access-Control-Allow-Origin") == "*", r


@pytest.mark.log_allow(r"AH01630")   # client denied by server configuration (the GET)
def test_preflight_before_authorization(srv):
    """Answered in header_parser, before `Require all denied` would refuse it."""
    r = both(srv, "OPTIONS", "/private/r", pf_headers(A, "GET"))
    assert r.status == 204 and r.get("Access-Control-Allow-Origin") == A, r
    r = both(srv, "GET", "/private/r", [("Origin", A)])
    assert r.status == 403 and r.get("Access-Control-Allow-Origin") == A, r


@pytest.mark.parametrize("headers", [
    pf_headers(EVIL, "PUT"),                       # origin
    pf_headers(A, "PURGE"),                        # method
    pf_headers(A, "put"),                          # method is case-sensitive
    pf_headers(A, "PUT", "x-secret"),              # header
    pf_headers(A, "GET, DELETE"),                  # not one token
    pf_headers("https://APP.example.com", "GET"),  # not a serialized origin
], ids=["origin", "method", "method-case", "header", "two-methods", "uppercase-origin"])
def test_preflight_denied(srv, headers):
    r = both(srv, "OPTIONS", "/api/r", headers)
    assert r.status == 403, r
    assert not [k for k, _ in r.headers if k.lower().startswith("access-control-")], r
    assert r.vary_tokens() == PF_VARY, r


@pytest.mark.parametrize("method", ["GET", "POST", "HEAD", "DELETE"])
def test_actual_allowed(srv, method):
    r = both(srv, method, "/api/r", [("Origin", B)])
    assert r.status in (200, 405), r
    assert r.get("Access-Control-Allow-Origin") == B, r
    assert r.get("Access-Control-Allow-Credentials") == "true"
    assert r.get("Access-Control-Expose-Headers") == "X-Total-Count"
    assert r.vary_tokens().count("Origin") == 1, r


@pytest.mark.parametrize("origins", [[EVIL], [A, B], [A, A]], ids=["evil", "two", "twice"])
def test_actual_denied(srv, origins):
    """A disallowed origin; and two Origin fields, which httpd joins with ", " over HTTP/1.1
    and mod_http2 over HTTP/2 alike: not a serialized origin, denied."""
    r = both(srv, "GET", "/api/r", [("Origin", o) for o in origins])
    assert r.status == 200, r
    assert not [k for k, _ in r.headers if k.lower().startswith("access-control-")], r
    assert r.vary_tokens() == ["Origin"], r


def test_preflight_request_headers_in_two_fields(srv):
    """Access-Control-Request-Headers sent as two fields is joined into one list."""
    r = both(srv, "OPTIONS", "/api/r", pf_headers(A, "PUT", "content-type")
             + [("Access-Control-Request-Headers", "x-requested-with")])
    assert r.status == 204 and r.get("Access-Control-Allow-Origin") == A, r
    r = both(srv, "OPTIONS", "/api/r", pf_headers(A, "PUT", "content-type")
             + [("Access-Control-Request-Headers", "x-secret")])
    assert r.status == 403, r


def test_no_origin(srv):
    r = both(srv, "GET", "/api/r")
    assert r.status == 200, r
    assert not [k for k, _ in r.headers if k.lower().startswith("access-control-")], r
    assert r.vary_tokens() == ["Origin"], r
    r = both(srv, "GET", "/star/r")
    assert r.status == 200 and r.get("Access-Control-Allow-Origin") == "*", r
    assert r.get("Access-Control-Expose-Headers") == "X-Total-Count", r
    assert "Origin" not in r.vary_tokens(), r


def test_error_404(srv):
    r = both(srv, "GET", "/api/missing", [("Origin", A)])
    assert r.status == 404, r
    assert r.get("Access-Control-Allow-Origin") == A, r
    assert r.get("Access-Control-Allow-Credentials") == "true"
    assert r.vary_tokens() == ["Origin"], r
    r = both(srv, "GET", "/api/missing", [("Origin", EVIL)])
    assert r.status == 404 and r.get("Access-Control-Allow-Origin") is None, r


def access_log_after(srv, before, n):
    """Access-log lines after the first `before`, waiting (<= 3 s) until there are n."""
    deadline = time.monotonic() + 3
    while True:
        lines = srv.access_log_path.read_text(errors="replace").splitlines()[before:]
        if len(lines) >= n or time.monotonic() > deadline:
            return lines
        time.sleep(0.02)


def test_access_log_notes_over_h2(srv):
    """The request note `cors` is set for HTTP/2 streams too.  (Each line is waited for before
    the next request: an HTTP/2 stream is logged by its worker after the answer went out.)"""
    before = len(srv.access_log_lines())
    sent = [
        ("OPTIONS", pf_headers(A, "PUT"), "OPTIONS /api/r 204 cors=preflight-ok"),
        ("OPTIONS", pf_headers(EVIL, "PUT"), "OPTIONS /api/r 403 cors=preflight-denied-origin"),
        ("GET", [("Origin", A)], "GET /api/r 200 cors=allowed"),
        ("GET", [("Origin", EVIL)], "GET /api/r 200 cors=denied-origin"),
        ("GET", [], "GET /api/r 200 cors=no-origin"),
    ]
    for i, (method, headers, _) in enumerate(sent):
        curl(srv, "h2", method, "/api/r", headers)
        access_log_after(srv, before, i + 1)
    assert access_log_after(srv, before, len(sent)) == [want for _, _, want in sent]


# ---------------------------------------------------------------------------------------------
# Concurrent streams on one connection.  curl 7.88 (Debian 12) cannot reuse an HTTP/2
# connection (curl issue 10634, fixed in 8.0): its second transfer fails with "(16) Error in
# the HTTP2 framing layer".  So this is a minimal HTTP/2 client: requests are encoded as HPACK
# literals by hand; responses are decoded with the HPACK inflater of libnghttp2 (which curl
# itself links), through ctypes.
# ---------------------------------------------------------------------------------------------

class _NV(ctypes.Structure):
    _fields_ = [("name", ctypes.POINTER(ctypes.c_uint8)), ("value", ctypes.POINTER(ctypes.c_uint8)),
                ("namelen", ctypes.c_size_t), ("valuelen", ctypes.c_size_t),
                ("flags", ctypes.c_uint8)]


def _nghttp2():
    name = ctypes.util.find_library("nghttp2") or "libnghttp2.so.14"
    try:
        lib = ctypes.CDLL(name)
    except OSError as e:
        pytest.skip(f"libnghttp2 not found ({e})")
    lib.nghttp2_hd_inflate_new.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
    lib.nghttp2_hd_inflate_new.restype = ctypes.c_int
    lib.nghttp2_hd_inflate_hd2.argtypes = [ctypes.c_void_p, ctypes.POINTER(_NV),
                                           ctypes.POINTER(ctypes.c_int), ctypes.c_char_p,
                                           ctypes.c_size_t, ctypes.c_int]
    lib.nghttp2_hd_inflate_hd2.restype = ctypes.c_ssize_t
    lib.nghttp2_hd_inflate_end_headers.argtypes = [ctypes.c_void_p]
    lib.nghttp2_hd_inflate_del.argtypes = [ctypes.c_void_p]
    return lib


class _Inflater:
    FINAL, EMIT = 0x01, 0x02

    def __init__(self):
        self.lib = _nghttp2()
        self.ptr = ctypes.c_void_p()
        assert self.lib.nghttp2_hd_inflate_new(ctypes.byref(self.ptr)) == 0

    def inflate(self, block: bytes) -> list[tuple[str, str]]:
        out, off = [], 0
        nv, flags = _NV(), ctypes.c_int(0)
        for _ in range(10000):
            rest = block[off:]
            rv = self.lib.nghttp2_hd_inflate_hd2(self.ptr, ctypes.byref(nv), ctypes.byref(flags),
                                                 rest, len(rest), 1)
            assert rv >= 0, f"HPACK inflate error {rv}"
            off += rv
            if flags.value & self.EMIT:
                out.append((ctypes.string_at(nv.name, nv.namelen).decode("latin-1"),
                            ctypes.string_at(nv.value, nv.valuelen).decode("latin-1")))
            if flags.value & self.FINAL:
                self.lib.nghttp2_hd_inflate_end_headers(self.ptr)
                return out
            if not flags.value & self.EMIT and off >= len(block):
                return out
        raise AssertionError("HPACK inflate did not finish")

    def close(self):
        self.lib.nghttp2_hd_inflate_del(self.ptr)


def _hpack_int(value: int, prefix: int, first: int = 0) -> bytes:
    limit = (1 << prefix) - 1
    if value < limit:
        return bytes([first | value])
    out = [first | limit]
    value -= limit
    while value >= 128:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _hpack_literal(name: str, value: str) -> bytes:
    """Literal header field without indexing, new name, no Huffman (RFC 7541 6.2.2)."""
    n, v = name.lower().encode(), value.encode()
    return b"\x00" + _hpack_int(len(n), 7) + n + _hpack_int(len(v), 7) + v


def _frame(ftype: int, flags: int, stream: int, payload: bytes = b"") -> bytes:
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + \
        struct.pack(">I", stream) + payload


def h2_concurrent(port: int, requests) -> list[CurlResponse]:
    """Sends every (method, path, headers) request as its own stream of ONE connection, all
    before reading any answer, and returns the answers in request order."""
    DATA, HEADERS, RST, SETTINGS, PING, GOAWAY, CONT = 0, 1, 3, 4, 6, 7, 9
    END_STREAM, END_HEADERS, PADDED, PRIORITY = 0x1, 0x4, 0x8, 0x20
    inflater = _Inflater()
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        out = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + _frame(SETTINGS, 0, 0, struct.pack(">HI", 2, 0))
        for i, (method, path, headers) in enumerate(requests):
            block = b"".join(_hpack_literal(k, v) for k, v in
                             [(":method", method), (":scheme", "http"), (":path", path),
                              (":authority", f"127.0.0.1:{port}"), *headers])
            out += _frame(HEADERS, END_HEADERS | END_STREAM, 2 * i + 1, block)
        sock.sendall(out)
        buf = b""
        answers: dict[int, list] = {}
        done: set[int] = set()
        pending_block: dict[int, bytes] = {}

        def read_exact(n):
            nonlocal buf
            while len(buf) < n:
                chunk = sock.recv(65536)
                assert chunk, f"connection closed; finished streams {sorted(done)}"
                buf += chunk
            data, buf = buf[:n], buf[n:]
            return data

        for _ in range(100000):
            if len(done) == len(requests):
                break
            hdr = read_exact(9)
            length = int.from_bytes(hdr[:3], "big")
            ftype, flags = hdr[3], hdr[4]
            stream = int.from_bytes(hdr[5:9], "big") & 0x7FFFFFFF
            payload = read_exact(length)
            if ftype in (HEADERS, CONT):
                if ftype == HEADERS:
                    if flags & PADDED:
                        payload = payload[1:len(payload) - payload[0]]
                    if flags & PRIORITY:
                        payload = payload[5:]
                    answers.setdefault(stream, [])
                pending_block[stream] = pending_block.get(stream, b"") + payload
                if flags & END_HEADERS:
                    answers[stream].append(inflater.inflate(pending_block.pop(stream)))
                if ftype == HEADERS and flags & END_STREAM:
                    done.add(stream)
            elif ftype == DATA:
                if flags & END_STREAM:
                    done.add(stream)
            elif ftype == SETTINGS and not flags & 1:
                sock.sendall(_frame(SETTINGS, 1, 0))
            elif ftype == PING and not flags & 1:
                sock.sendall(_frame(PING, 1, 0, payload))
            elif ftype == RST:
                raise AssertionError(f"stream {stream} reset: {payload.hex()}")
            elif ftype == GOAWAY and len(done) < len(requests):
                raise AssertionError(f"GOAWAY {payload.hex()} with streams still open")
        else:
            raise AssertionError("too many frames")
        sock.sendall(_frame(GOAWAY, 0, 0, struct.pack(">II", 2 * len(requests) - 1, 0)))
    finally:
        sock.close()
        inflater.close()
    result = []
    for i in range(len(requests)):
        blocks = answers.get(2 * i + 1)
        assert blocks, f"no answer on stream {2 * i + 1}"
        hdrs = blocks[-1] if len(blocks) == 1 else blocks[0]
        status = dict(hdrs).get(":status")
        result.append(CurlResponse(f"HTTP/2 {status}", [(k, v) for k, v in hdrs
                                                        if not k.startswith(":")]))
    return result


def test_multiplexed_streams_keep_their_own_origin(srv):
    """48 streams sent at once on one HTTP/2 connection (mod_http2 runs them in parallel on
    its workers), with different origins and kinds: each gets the answer for its own Origin,
    the same as over HTTP/1.1."""
    kinds = [
        ("GET", [("Origin", A)], 200, A),
        ("GET", [("Origin", B)], 200, B),
        ("GET", [("Origin", EVIL)], 200, None),
        ("OPTIONS", pf_headers(B, "DELETE"), 204, B),
        ("OPTIONS", pf_headers(EVIL, "DELETE"), 403, None),
        ("GET", [], 200, None),
        ("OPTIONS", pf_headers(A, "PUT", "x-secret"), 403, None),
        ("GET", [("Origin", A)], 404, A),
    ]
    reqs, want = [], []
    for i in range(48):
        method, headers, status, acao = kinds[i % len(kinds)]
        path = "/api/missing" if status == 404 else "/api/r"
        reqs.append((method, path, headers))
        want.append((status, acao))
    got = h2_concurrent(srv.port, reqs)
    h1 = {}
    for (method, path, headers), w, r in zip(reqs, want, got):
        where = f"{method} {path} {headers}\n{r}"
        assert (r.status, r.get("Access-Control-Allow-Origin")) == w, where
        key = (method, path, tuple(headers))
        if key not in h1:
            h1[key] = curl(srv, "h1", method, path, headers)
        assert r.cors_view() == h1[key].cors_view(), f"differs from HTTP/1.1:\n{h1[key]}\n{where}"
