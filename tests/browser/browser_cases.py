# SPDX-License-Identifier: Apache-2.0
"""The browser cases: what each page does, what it must see, and how to run them all.

One httpd serves every case (app.conf + mod_cors.conf, or app.conf + recipe.conf for
`make compare`); run-cases.mjs opens Debian's chromium once (playwright-core) and runs every
case in order, printing one JSON document; evaluate() judges each case's results.

Used by test_browser.py (pytest, one test per case) and compare.py (the comparison table).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import os
import pathlib
import shutil
import subprocess
import sys
import time
from typing import Callable

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "lib"))

from httpd_harness import Httpd  # noqa: E402

NODE = shutil.which("node") or "/usr/bin/node"
RUNNER = HERE / "run-cases.mjs"
NODE_MODULES = HERE / "node_modules"
BROWSER_VERSION = None      # set by run_browser(): what chromium said its version is

MODULES = ("cgid", "headers", "setenvif", "rewrite", "auth_basic", "authn_file", "authn_core",
           "authz_user", "cache", "cache_disk", "proxy", "proxy_http", "alias")

USER, PASSWORD = "alice", "wonderland"
BASIC = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
HTPASSWD = f"{USER}:{{SHA}}{base64.b64encode(hashlib.sha1(PASSWORD.encode()).digest()).decode()}\n"

ECHO_CGI = r"""#!/bin/sh
# Echoes the method, the X-Request-ID request header and the request body.
printf 'Content-Type: text/plain\r\nX-Total-Count: 42\r\nX-Secret: s3cret\r\n\r\n'
printf '%s' "$REQUEST_METHOD"
[ -n "$HTTP_X_REQUEST_ID" ] && printf ' x-request-id=%s' "$HTTP_X_REQUEST_ID"
if [ "${CONTENT_LENGTH:-0}" -gt 0 ]; then printf ' '; head -c "$CONTENT_LENGTH"; fi
exit 0
"""
# an application that sets CORS headers itself (behind mod_proxy: /proxied/ -> /backend/)
BACKEND_CGI = r"""#!/bin/sh
printf 'Content-Type: text/plain\r\nAccess-Control-Allow-Origin: *\r\n\r\n'
printf 'from the backend\n'
"""
# no header block: httpd answers 500 ("malformed header from script")
BROKEN_CGI = "#!/bin/sh\necho 'this is not a header line'\n"

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>mod_cors browser test page</title></head>
<body><h1>mod_cors browser test page</h1>
<p>run-cases.mjs calls fetch() from here against the API on another origin.</p></body></html>
"""

DATA_JSON = '{"hello": "world"}\n'
SECRET = "secret data\n"
CACHED = "cached data\n"

FILES = {
    "htpasswd": HTPASSWD,
    "htdocs/page.html": PAGE,
    "htdocs/api/data.json": DATA_JSON,
    "htdocs/api/echo.cgi": ECHO_CGI,
    "htdocs/api/broken.cgi": BROKEN_CGI,
    "htdocs/api/private/data.txt": SECRET,
    "htdocs/lower/echo.cgi": ECHO_CGI,
    "htdocs/plain/echo.cgi": ECHO_CGI,
    "htdocs/star/data.txt": "public data\n",
    "htdocs/star/echo.cgi": ECHO_CGI,
    "htdocs/nullok/data.txt": "null is welcome\n",
    "htdocs/maxage/echo.cgi": ECHO_CGI,
    "htdocs/maxage0/echo.cgi": ECHO_CGI,
    "htdocs/cached/data.txt": CACHED,
    "htdocs/shared/data.txt": "shared data\n",
    "htdocs/backend/data.cgi": BACKEND_CGI,
}

# error-log lines the cases cause on purpose
LOG_ALLOW = [
    r"malformed header from script|AH01215|AH02429|Premature end of script headers",
    r"cgid:error.*broken\.cgi",
    r"\[cors:warn\].*patch",           # CORSAllowMethods patch (mod_cors.conf /lower/)
]


# ---------------------------------------------------------------------------------------------
# the server
# ---------------------------------------------------------------------------------------------

class BrowserHttpd(Httpd):
    """Httpd with two more ports (page origins B and U): ${PORT3} and ${PORT4} in the
    configuration (the harness listens on all four)."""

    def __init__(self, workdir, conf, **kw):
        super().__init__(workdir, conf, ports=4, **kw)
        self.port3, self.port4 = self.ports[2:]

    def origins(self) -> dict:
        return {
            "a": f"http://127.0.0.1:{self.port}",
            "b": f"http://127.0.0.1:{self.port3}",
            "u": f"http://127.0.0.1:{self.port4}",
            "api": f"http://localhost:{self.port2}",
        }


def variant_conf(variant: str) -> str:
    cors = {"mod_cors": "mod_cors.conf", "recipe": "recipe.conf"}[variant]
    return (HERE / "app.conf").read_text() + "\n" + (HERE / cors).read_text()


def make_server(workdir, variant: str = "mod_cors") -> BrowserHttpd:
    return BrowserHttpd(pathlib.Path(workdir), variant_conf(variant), modules=MODULES,
                        files=FILES, with_cors=(variant == "mod_cors"))


# ---------------------------------------------------------------------------------------------
# the cases
# ---------------------------------------------------------------------------------------------

def step(page, path, init=None, read=()):
    """One fetch(): page 'a', 'b' or 'u' (the page origins), or 'null' (a sandboxed iframe
    inside page a); path on the API origin; init is fetch()'s second argument; read names
    response headers to report."""
    return {"page": page, "path": path, "init": init or {}, "read": list(read)}


@dataclasses.dataclass
class Case:
    id: str
    title: str
    steps: list
    check: Callable       # check(results, srv) -> list of problems; [] = pass
    expect: str           # what should happen, for people


def _fmt(r):
    if r.get("ok"):
        return f"status {r['status']} body {r['body']!r} headers {r.get('headers')}"
    return f"{r.get('error')} (console: {r.get('console')})"


def response(status, body=None, headers=None, origin=None):
    """The fetch resolves with this status (and body / header values, when given)."""
    def check(results, srv, i=0):
        r = results[i]
        if not r.get("ok"):
            return [f"fetch failed: {_fmt(r)}; expected status {status}"]
        bad = []
        if r["status"] != status:
            bad.append(f"status {r['status']}, expected {status}")
        if body is not None and r["body"] != body:
            bad.append(f"body {r['body']!r}, expected {body!r}")
        for k, v in (headers or {}).items():
            if r["headers"].get(k) != v:
                bad.append(f"header {k}: {r['headers'].get(k)!r}, expected {v!r}")
        if origin is not None and r.get("origin") != origin:
            bad.append(f"page origin {r.get('origin')!r}, expected {origin!r}")
        return [f"{b} ({_fmt(r)})" for b in bad]
    return check


def blocked(origin=None):
    """The fetch rejects with a TypeError (the browser blocked the response)."""
    def check(results, srv, i=0):
        r = results[i]
        bad = []
        if r.get("ok"):
            bad.append(f"fetch resolved ({_fmt(r)}); expected a TypeError")
        elif not str(r.get("error", "")).startswith("TypeError"):
            bad.append(f"fetch failed with {r.get('error')!r}; expected a TypeError")
        if origin is not None and r.get("origin") != origin:
            bad.append(f"page origin {r.get('origin')!r}, expected {origin!r}")
        return bad
    return check


def access_count(srv, method, path):
    return sum(1 for ln in srv.access_log_lines()
               if ln.split(" ", 2)[:2] == [method, path])


def preflight_cache(path, want_options):
    each = response(200, "PUT {\"n\":1}")

    def check(results, srv):
        bad = [f"step {i + 1}: {b}" for i in range(2) for b in each(results, srv, i)]
        n_opt = access_count(srv, "OPTIONS", path)
        n_put = access_count(srv, "PUT", path)
        if n_put != 2:
            bad.append(f"{n_put} PUT requests reached httpd, expected 2")
        if n_opt != want_options:
            bad.append(f"{n_opt} OPTIONS requests (preflights) reached httpd, "
                       f"expected {want_options}")
        return bad
    return check


def cache_alternation(results, srv):
    bad = []
    for i, who in enumerate(["a", "b", "a", "b"]):
        bad += [f"step {i + 1} (page {who}): {b}"
                for b in response(200, CACHED)(results, srv, i)]
    hits = [r.get("headers", {}).get("x-cache") or "" for r in results[:4]]
    if not any(h.startswith("HIT") for h in hits[2:4]):
        bad.append(f"X-Cache of the repeated fetches: {hits[2:4]}; expected mod_cache to serve "
                   "them (HIT), else this case proves nothing")
    bad += [f"step 5 (page u): {b}" for b in blocked()(results, srv, 4)]
    return bad


def revalidation(results, srv):
    bad = []
    for i, who in enumerate(["a", "b", "a"]):
        bad += [f"step {i + 1} (page {who}): {b}"
                for b in response(200, "shared data\n")(results, srv, i)]
    n304 = sum(1 for ln in srv.access_log_lines() if ln.startswith("GET /shared/data.txt 304"))
    if n304 == 0:
        bad.append("no 304 for /shared/data.txt in the access log: the browser did not "
                   "revalidate, so this case proves nothing")
    return bad


JSON_PUT = {"method": "PUT", "credentials": "include",
            "headers": {"Content-Type": "application/json", "X-Request-ID": "req-42"},
            "body": '{"n":1}'}
PLAIN_PUT = {"method": "PUT", "headers": {"Content-Type": "application/json"}, "body": '{"n":1}'}
NO_STORE = {"cache": "no-store"}


def single(check):
    return lambda results, srv: check(results, srv, 0)


CASES = [
    Case("simple-get", "simple GET",
         [step("a", "/api/data.json")],
         single(response(200, DATA_JSON)), "200 and the body"),
    Case("put-json-credentials", "PUT, JSON, X-Request-ID, credentials: 'include'",
         [step("a", "/api/echo.cgi", JSON_PUT)],
         single(response(200, 'PUT x-request-id=req-42 {"n":1}')), "preflight passes; 200"),
    Case("patch", "PATCH",
         [step("a", "/api/echo.cgi", {"method": "PATCH", "body": "p"})],
         single(response(200, "PATCH p")), "200"),
    Case("patch-lowercase", "'patch' where PATCH is allowed",
         [step("a", "/api/echo.cgi", {"method": "patch", "body": "p"})],
         single(blocked()), "TypeError: fetch() does not uppercase patch"),
    Case("patch-lowercase-configured", "'patch' where lowercase patch is allowed",
         [step("a", "/lower/echo.cgi", {"method": "patch", "body": "p"})],
         single(response(200, "patch p")), "200"),
    Case("delete", "DELETE",
         [step("a", "/api/echo.cgi", {"method": "DELETE"})],
         single(response(200, "DELETE")), "200"),
    Case("unlisted-header", "unlisted request header X-Other",
         [step("a", "/api/echo.cgi", {"headers": {"X-Other": "1"}})],
         single(blocked()), "TypeError"),
    Case("expose-headers", "exposed header readable, other one null",
         [step("a", "/api/echo.cgi", read=["x-total-count", "x-secret"])],
         single(response(200, "GET", {"x-total-count": "42", "x-secret": None})),
         "X-Total-Count 42, X-Secret null"),
    Case("auth-401", "401 from the auth-protected path",
         [step("a", "/api/private/data.txt", {"credentials": "include"})],
         single(response(401)), "status 401 readable"),
    Case("auth-preflight", "Authorization header to the auth-protected path",
         [step("a", "/api/private/data.txt",
               {"credentials": "include", "headers": {"Authorization": BASIC}})],
         single(response(200, SECRET)), "preflight passes (no credentials on it); 200"),
    Case("redirect", "302 (mod_alias Redirect) to another API URL, followed",
         [step("a", "/api/old.json")],
         single(response(200, DATA_JSON)), "the redirect and its target both allow A: 200"),
    Case("not-found", "404",
         [step("a", "/api/missing.json")],
         single(response(404)), "status 404 readable"),
    Case("server-error", "500 (broken CGI)",
         [step("a", "/api/broken.cgi")],
         single(response(500)), "status 500 readable"),
    Case("json-post-default", "POST JSON where no allowed headers are configured",
         [step("a", "/plain/echo.cgi", {"method": "POST", "body": '{"n":1}',
                                         "headers": {"Content-Type": "application/json"}})],
         single(response(200, 'POST {"n":1}')),
         "200: Content-Type is a CORS-safelisted name, its preflight passes"),
    Case("star", "* policy, GET without credentials",
         [step("a", "/star/data.txt")],
         single(response(200, "public data\n")), "200"),
    Case("star-put", "* policy, PUT with JSON (preflight)",
         [step("a", "/star/echo.cgi", PLAIN_PUT)],
         single(response(200, 'PUT {"n":1}')), "200"),
    Case("star-credentials", "* policy, credentials: 'include'",
         [step("a", "/star/data.txt", {"credentials": "include"})],
         single(blocked()), "TypeError: * never goes with credentials"),
    Case("unlisted-origin", "page on an origin no policy names",
         [step("u", "/api/data.json")],
         single(blocked()), "TypeError"),
    Case("null-allowed", "sandboxed iframe (null) where null is named",
         [step("null", "/nullok/data.txt")],
         single(response(200, "null is welcome\n", origin="null")), "200"),
    Case("null-not-named", "sandboxed iframe (null) where null is not named",
         [step("null", "/api/data.json")],
         single(blocked(origin="null")), "TypeError"),
    Case("preflight-max-age", "Max-Age 600: 2nd identical PUT sends no preflight",
         [step("a", "/maxage/echo.cgi", PLAIN_PUT), step("a", "/maxage/echo.cgi", PLAIN_PUT)],
         preflight_cache("/maxage/echo.cgi", 1), "2 PUTs, 1 OPTIONS"),
    Case("preflight-max-age-0", "Max-Age 0: every PUT is preflighted",
         [step("a", "/maxage0/echo.cgi", PLAIN_PUT), step("a", "/maxage0/echo.cgi", PLAIN_PUT)],
         preflight_cache("/maxage0/echo.cgi", 2), "2 PUTs, 2 OPTIONS"),
    Case("mod_cache", "mod_cache in front: origins A, B, A, B, then U",
         [step("a", "/cached/data.txt", NO_STORE, ["x-cache"]),
          step("b", "/cached/data.txt", NO_STORE, ["x-cache"]),
          step("a", "/cached/data.txt", NO_STORE, ["x-cache"]),
          step("b", "/cached/data.txt", NO_STORE, ["x-cache"]),
          step("u", "/cached/data.txt", NO_STORE, ["x-cache"])],
         cache_alternation, "A and B each get their own answer (cache HITs); U fails"),
    Case("revalidation", "browser cache revalidates (304) for origins A, B, A",
         [step("a", "/shared/data.txt"), step("b", "/shared/data.txt"),
          step("a", "/shared/data.txt")],
         revalidation, "each 304 carries the right origin; all three read the body"),
    Case("backend-acao", "backend behind mod_proxy sends its own ACAO: *, credentials",
         [step("a", "/proxied/data.cgi", {"credentials": "include"})],
         single(response(200, "from the backend\n")), "one Access-Control-Allow-Origin: 200"),
]

CASE_IDS = [c.id for c in CASES]
assert len(set(CASE_IDS)) == len(CASE_IDS)


# ---------------------------------------------------------------------------------------------
# running them
# ---------------------------------------------------------------------------------------------

def run_browser(srv: BrowserHttpd, timeout: float = 150) -> dict:
    """Runs every case in one chromium; returns {case id: [step result, ...]}."""
    if not (NODE_MODULES / "playwright-core").is_dir():
        raise RuntimeError(f"{NODE_MODULES}/playwright-core is missing: run `make browser` "
                           "(it runs npm ci in tests/browser)")
    spec = {"origins": srv.origins(),
            "cases": [{"id": c.id, "steps": c.steps} for c in CASES]}
    spec_path = srv.root / "cases.json"
    spec_path.write_text(json.dumps(spec, indent=1))
    env = dict(os.environ, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1")
    p = subprocess.run([NODE, str(RUNNER), str(spec_path)], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout, env=env, cwd=str(HERE))
    (srv.root / "browser_stderr.txt").write_bytes(p.stderr)
    if p.returncode != 0:
        raise RuntimeError(f"run-cases.mjs exited {p.returncode}\n"
                           f"{p.stderr.decode(errors='replace')[-4000:]}")
    out = json.loads(p.stdout)
    _wait_access_log_settled(srv)
    global BROWSER_VERSION
    BROWSER_VERSION = out.get("browser")
    (srv.root / "results.json").write_text(json.dumps(out, indent=1))
    return out["results"]


def _wait_access_log_settled(srv, timeout=3.0):
    """httpd logs a request after sending its response: wait until the log stops growing."""
    deadline = time.monotonic() + timeout
    last = -1
    while time.monotonic() < deadline:
        try:
            size = srv.access_log_path.stat().st_size
        except FileNotFoundError:
            size = 0
        if size == last:
            return
        last = size
        time.sleep(0.15)


def evaluate(case: Case, results: dict, srv) -> list:
    steps = results.get(case.id)
    if steps is None or len(steps) != len(case.steps):
        return [f"no results for {case.id}: {steps!r}"]
    try:
        return case.check(steps, srv)
    except Exception as e:  # a check that breaks is a failure, not a crash of the run
        return [f"check raised {e!r} on {steps!r}"]
