# SPDX-License-Identifier: Apache-2.0
"""The grid: server behaviours x requests, each pair asked of Chromium and of cors-check.

One httpd serves every behaviour under /b/<behaviour>/r.cgi on the API origin
http://localhost:${PORT2}; the page that calls fetch() is on http://127.0.0.1:${PORT}
(another origin); http://127.0.0.1:${PORT2} is a third origin, for redirects.  Every pair
fetches its own URL (?p=<pair id>), so no cache (Chromium's preflight cache, its HTTP cache)
carries anything from one pair to the next.

Behaviours are mod_cors policies and deliberately broken servers written with mod_headers
`Header always ...` and mod_rewrite.  A custom access log records, for each request, who sent
it (User-Agent), the method, the URL and the CORS request headers, so the preflights and
requests cors-check sends can be compared with Chromium's.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import itertools
import json
import os
import pathlib
import shutil
import subprocess
import time

from harness_shim import Httpd

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
CORS_CHECK = REPO / "cors-check" / "cors-check"
RUNNER = HERE / "run-grid.mjs"
NODE = shutil.which("node") or "/usr/bin/node"

MODULES = ("cgid", "headers", "rewrite", "auth_basic", "authn_file", "authn_core",
           "authz_user", "alias", "setenvif")

PAGE_ORIGIN = "http://127.0.0.1:${PORT}"
API = "http://localhost:${PORT2}"
ALT = "http://127.0.0.1:${PORT2}"      # a third origin (same port, other host)

USER, PASSWORD = "alice", "wonderland"
HTPASSWD = f"{USER}:{{SHA}}{base64.b64encode(hashlib.sha1(PASSWORD.encode()).digest()).decode()}\n"

ECHO_CGI = r"""#!/bin/sh
printf 'Content-Type: text/plain\r\nX-Total-Count: 42\r\nX-Secret: s3cret\r\n\r\n'
printf '%s\n' "$REQUEST_METHOD"
exit 0
"""

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>cors-check grid</title>
</head><body><p>cors-check grid page: run-grid.mjs calls fetch() from here.</p></body></html>
"""

# what each request line of the grid's access log holds (tab-separated)
WIRE_LOG_FORMAT = ("%{begin:%s}t%{begin:usec_frac}t\\t%{User-Agent}i\\t%m\\t%U%q\\t%{Origin}i\\t%{Access-Control-Request-Method}i"
                   "\\t%{Access-Control-Request-Headers}i")

O = PAGE_ORIGIN


def h_always(name, value, cond=None):
    expr = f' "expr={cond}"' if cond else ""
    return f'Header always set {name} "{value}"{expr}'


OPTIONS_ONLY = "%{REQUEST_METHOD} == 'OPTIONS'"
NOT_OPTIONS = "%{REQUEST_METHOD} != 'OPTIONS'"


def rewrite(rule):
    return "RewriteEngine On\n" + rule


def redirect(target, status=302, only_actual=False):
    cond = "RewriteCond %{REQUEST_METHOD} !=OPTIONS\n" if only_actual else ""
    return rewrite(f"{cond}RewriteRule ^r\\.cgi$ {target} [R={status},L]")


def pf_status(status):
    return rewrite(f"RewriteCond %{{REQUEST_METHOD}} =OPTIONS\nRewriteRule ^ - [R={status},L]")


ALLOW_ALL_FOR_O = "\n".join([
    h_always("Access-Control-Allow-Origin", O),
    h_always("Access-Control-Allow-Credentials", "true"),
    h_always("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE"),
    h_always("Access-Control-Allow-Headers", "Content-Type, Authorization, X-Request-ID"),
    h_always("Access-Control-Expose-Headers", "X-Total-Count"),
    "Header always append Vary Origin",
])

# name -> configuration of <Directory "${DOCROOT}/b/<name>">
BEHAVIOURS: dict[str, str] = {
    # ---- mod_cors policies ----
    "mc-basic": f"CORSAllowOrigin {O}",
    "mc-full": f"""CORSAllowOrigin {O}
CORSAllowMethods GET POST PUT PATCH DELETE
CORSAllowHeaders Content-Type Authorization X-Request-ID
CORSExposeHeaders X-Total-Count
CORSAllowCredentials On
CORSMaxAge 600""",
    "mc-star": """CORSAllowOrigin *
CORSAllowMethods GET PUT
CORSAllowHeaders Content-Type""",
    "mc-star-any": """CORSAllowOrigin *
CORSAllowMethods *
CORSAllowHeaders *
CORSExposeHeaders *""",
    "mc-star-auth": """CORSAllowOrigin *
CORSAllowMethods *
CORSAllowHeaders * Authorization""",
    "mc-other-origin": "CORSAllowOrigin https://app.example.com",
    "mc-nocred": f"""CORSAllowOrigin {O}
CORSAllowMethods PUT DELETE
CORSAllowHeaders X-Request-ID
CORSExposeHeaders X-Total-Count X-Secret""",
    "mc-lower-patch": f"""CORSAllowOrigin {O}
CORSAllowMethods patch""",
    "mc-null": f"""CORSAllowOrigin null {O}
CORSAllowMethods PUT PATCH DELETE
CORSAllowHeaders X-Request-ID Content-Type Authorization""",
    "mc-behind-auth": f"""AuthType Basic
AuthName "grid"
AuthBasicProvider file
AuthUserFile "${{SERVERROOT}}/htpasswd"
Require valid-user
CORSAllowOrigin {O}
CORSAllowMethods PUT DELETE
CORSAllowHeaders Authorization X-Request-ID
CORSAllowCredentials On""",
    "mc-maxage0": f"""CORSAllowOrigin {O}
CORSAllowMethods PUT
CORSAllowHeaders X-Request-ID
CORSMaxAge 0""",
    "mc-redirect-same": f"""CORSAllowOrigin {O}
CORSAllowMethods PUT
CORSAllowCredentials On
""" + redirect("/b/mc-full/r.cgi"),

    # ---- broken servers: Access-Control-Allow-Origin ----
    "h-none": "# no CORS headers at all",
    "h-dup-acao": "\n".join([
        f'Header always add Access-Control-Allow-Origin "{O}"',
        f'Header always add Access-Control-Allow-Origin "{O}"',
    ]),
    "h-two-origins": h_always("Access-Control-Allow-Origin", f"{O}, https://app.example.com"),
    "h-star-cred": "\n".join([
        h_always("Access-Control-Allow-Origin", "*"),
        h_always("Access-Control-Allow-Credentials", "true"),
        h_always("Access-Control-Allow-Methods", "*"),
        h_always("Access-Control-Allow-Headers", "*"),
    ]),
    "h-acao-host-only": h_always("Access-Control-Allow-Origin", "127.0.0.1"),
    "h-acao-slash": h_always("Access-Control-Allow-Origin", f"{O}/"),
    "h-acao-null": h_always("Access-Control-Allow-Origin", "null"),
    "h-acao-upper": h_always("Access-Control-Allow-Origin", "HTTP://127.0.0.1:${PORT}"),
    "h-acao-empty": 'Header always set Access-Control-Allow-Origin ""',
    "h-acac-True": "\n".join([
        h_always("Access-Control-Allow-Origin", O),
        h_always("Access-Control-Allow-Credentials", "True"),
        h_always("Access-Control-Allow-Methods", "PUT"),
        h_always("Access-Control-Allow-Headers", "X-Request-ID"),
    ]),
    "h-no-acac": "\n".join([
        h_always("Access-Control-Allow-Origin", O),
        h_always("Access-Control-Allow-Methods", "PUT, DELETE"),
        h_always("Access-Control-Allow-Headers", "X-Request-ID, Authorization"),
    ]),
    "h-no-vary": "\n".join([
        h_always("Access-Control-Allow-Origin", O),
        h_always("Access-Control-Allow-Credentials", "true"),
    ]),
    # ---- broken servers: Allow-Methods / Allow-Headers ----
    "h-acah-partial": "\n".join([
        h_always("Access-Control-Allow-Origin", O),
        h_always("Access-Control-Allow-Credentials", "true"),
        h_always("Access-Control-Allow-Methods", "PUT, DELETE"),
        h_always("Access-Control-Allow-Headers", "Content-Type"),
    ]),
    "h-acah-missing": "\n".join([
        h_always("Access-Control-Allow-Origin", O),
        h_always("Access-Control-Allow-Methods", "PUT, PATCH, DELETE"),
    ]),
    "h-star-all": "\n".join([
        h_always("Access-Control-Allow-Origin", "*"),
        h_always("Access-Control-Allow-Methods", "*"),
        h_always("Access-Control-Allow-Headers", "*"),
        h_always("Access-Control-Expose-Headers", "*"),
    ]),
    "h-star-all-cred": "\n".join([
        h_always("Access-Control-Allow-Origin", O),
        h_always("Access-Control-Allow-Credentials", "true"),
        h_always("Access-Control-Allow-Methods", "*"),
        h_always("Access-Control-Allow-Headers", "*"),
        h_always("Access-Control-Expose-Headers", "*"),
    ]),
    "h-acam-lower": "\n".join([
        h_always("Access-Control-Allow-Origin", O),
        h_always("Access-Control-Allow-Methods", "put, patch, delete"),
        h_always("Access-Control-Allow-Headers", "x-request-id, authorization, content-type"),
    ]),
    "h-acam-spaces": "\n".join([
        h_always("Access-Control-Allow-Origin", O),
        'Header always add Access-Control-Allow-Methods "PUT"',
        'Header always add Access-Control-Allow-Methods " DELETE ,, PATCH"',
        'Header always add Access-Control-Allow-Headers "x-request-id"',
        'Header always add Access-Control-Allow-Headers "authorization"',
    ]),
    "h-acah-invalid": "\n".join([
        h_always("Access-Control-Allow-Origin", O),
        h_always("Access-Control-Allow-Methods", "PUT, DELETE, PATCH"),
        h_always("Access-Control-Allow-Headers", "x-request-id, (bad), authorization"),
    ]),
    "h-acam-invalid": "\n".join([
        h_always("Access-Control-Allow-Origin", O),
        h_always("Access-Control-Allow-Methods", "PUT, [x], DELETE"),
        h_always("Access-Control-Allow-Headers", "x-request-id, authorization"),
    ]),
    "h-maxage-bad": "\n".join([
        h_always("Access-Control-Allow-Origin", O),
        h_always("Access-Control-Allow-Methods", "PUT"),
        h_always("Access-Control-Allow-Headers", "X-Request-ID"),
        h_always("Access-Control-Max-Age", "abc"),
    ]),
    "h-maxage-big": "\n".join([
        h_always("Access-Control-Allow-Origin", O),
        h_always("Access-Control-Allow-Methods", "PUT"),
        h_always("Access-Control-Allow-Headers", "X-Request-ID"),
        h_always("Access-Control-Max-Age", "86400"),
    ]),
    "h-expose-secret": "\n".join([
        h_always("Access-Control-Allow-Origin", O),
        h_always("Access-Control-Allow-Credentials", "true"),
        h_always("Access-Control-Expose-Headers", "x-secret"),
    ]),
    "h-preflight-only": "\n".join([
        h_always("Access-Control-Allow-Origin", O, OPTIONS_ONLY),
        h_always("Access-Control-Allow-Methods", "PUT, DELETE, PATCH", OPTIONS_ONLY),
        h_always("Access-Control-Allow-Headers", "X-Request-ID, Authorization, Content-Type",
                 OPTIONS_ONLY),
    ]),
    "h-actual-only": h_always("Access-Control-Allow-Origin", O, NOT_OPTIONS),
    # ---- broken servers: preflight status ----
    "pf-401": ALLOW_ALL_FOR_O + "\n" + pf_status(401),
    "pf-403": ALLOW_ALL_FOR_O + "\n" + pf_status(403),
    "pf-404": ALLOW_ALL_FOR_O + "\n" + pf_status(404),
    "pf-500": ALLOW_ALL_FOR_O + "\n" + pf_status(500),
    "pf-auth-nocors": f"""AuthType Basic
AuthName "grid"
AuthBasicProvider file
AuthUserFile "${{SERVERROOT}}/htpasswd"
Require valid-user
Header set Access-Control-Allow-Origin "{O}"
Header set Access-Control-Allow-Methods "PUT"
Header set Access-Control-Allow-Headers "X-Request-ID, Authorization\"""",
    "pf-302": ALLOW_ALL_FOR_O + "\n" + rewrite(
        "RewriteCond %{REQUEST_METHOD} =OPTIONS\n"
        "RewriteRule ^r\\.cgi$ /b/mc-full/r.cgi [R=302,L]"),
    # ---- redirects of the actual request ----
    "rd-same-origin": ALLOW_ALL_FOR_O + "\n" + redirect("/b/mc-full/r.cgi", only_actual=True),
    "rd-same-noacao": redirect("/b/mc-full/r.cgi"),
    "rd-cross-to-null-ok": "\n".join([
        h_always("Access-Control-Allow-Origin", O),
        h_always("Access-Control-Allow-Credentials", "true"),
        h_always("Access-Control-Allow-Methods", "PUT, DELETE, PATCH"),
        h_always("Access-Control-Allow-Headers", "X-Request-ID, Authorization, Content-Type"),
    ]) + "\n" + redirect(f"{ALT}/b/mc-null/r.cgi", only_actual=True),
    "rd-cross-to-basic": ALLOW_ALL_FOR_O + "\n" + redirect(f"{ALT}/b/mc-full/r.cgi",
                                                            only_actual=True),
    "rd-cross-to-star": ALLOW_ALL_FOR_O + "\n" + redirect(f"{ALT}/b/h-star-all/r.cgi",
                                                           status=307, only_actual=True),
    "rd-to-page-origin": ALLOW_ALL_FOR_O + "\n" + redirect(f"{O}/b/mc-null/r.cgi",
                                                            only_actual=True),
    "rd-303": ALLOW_ALL_FOR_O + "\n" + redirect("/b/mc-full/r.cgi", status=303,
                                                 only_actual=True),
    "rd-loop": ALLOW_ALL_FOR_O + "\n" + redirect("/b/rd-loop/r.cgi", only_actual=True),
    "rd-userinfo": ALLOW_ALL_FOR_O + "\n" + redirect(
        "http://user:pw@localhost:${PORT2}/b/mc-full/r.cgi", only_actual=True),
}


@dataclasses.dataclass(frozen=True)
class Req:
    id: str
    method: str = "GET"
    headers: tuple = ()             # ((name, value), ...)
    credentials: bool = False
    read: tuple = ()

    def init(self) -> dict:
        init = {"method": self.method, "headers": [list(h) for h in self.headers]}
        if self.credentials:
            init["credentials"] = "include"
        return init

    def args(self) -> list[str]:
        a = ["--method", self.method]
        for n, v in self.headers:
            a += ["--header", f"{n}: {v}"]
        if self.credentials:
            a.append("--credentials")
        for n in self.read:
            a += ["--read-header", n]
        return a


READ = ("x-total-count", "x-secret", "content-type")

# requests asked of every behaviour
CORE = [
    Req("get", read=READ),
    Req("get-cred", credentials=True, read=READ),
    Req("put", "PUT"),
    Req("put-cred-hdr", "PUT", (("X-Request-ID", "7"),), credentials=True),
    Req("get-hdr", headers=(("X-Request-ID", "7"),), read=READ),
    Req("post-json", "POST", (("Content-Type", "application/json"),)),
    Req("get-auth", headers=(("Authorization", "Bearer t0ken"),)),
    Req("patch-lower", "patch"),
    Req("delete-cred", "DELETE", credentials=True),
]

# request-header safelisting, asked of a server that allows the origin and nothing else:
# a request that needs a preflight is blocked there ("Request header field ... is not
# allowed"), one that needs none is not.
LONG = "a" * 128
TOTAL_1024 = (("Accept", LONG), ("Accept-Language", LONG), ("Content-Language", LONG),
              ("DPR", "1." + "0" * 126), ("Device-Memory", "1." + "0" * 126),
              ("Width", "1" * 128), ("Viewport-Width", "1" * 128),
              ("Content-Type", "text/plain; x=" + "a" * 114))
SAFELIST = [
    Req("ct-text-plain", "POST", (("Content-Type", "text/plain"),)),
    Req("ct-form-charset", "POST", (("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),)),
    Req("ct-multipart", "POST", (("Content-Type", "multipart/form-data; boundary=xyz"),)),
    Req("ct-json", "POST", (("Content-Type", "application/json"),)),
    Req("ct-text-html", "POST", (("Content-Type", "text/html"),)),
    Req("ct-upper", "POST", (("Content-Type", "TEXT/PLAIN"),)),
    Req("ct-unsafe-byte", "POST", (("Content-Type", "text/plain; a=\"b\""),)),
    Req("ct-spaces", "POST", (("Content-Type", " text / plain "),)),
    Req("accept-ok", headers=(("Accept", "application/json, text/*;q=0.5"),)),
    Req("accept-unsafe", headers=(("Accept", "a@b"),)),
    Req("accept-128", headers=(("Accept", LONG),)),
    Req("accept-129", headers=(("Accept", LONG + "b"),)),
    Req("al-ok", headers=(("Accept-Language", "en-US,en;q=0.9"),)),
    Req("al-bad", headers=(("Accept-Language", "en_US"),)),
    Req("cl-ok", headers=(("Content-Language", "de-DE"),)),
    Req("cl-bad", headers=(("Content-Language", "de<"),)),
    Req("range-simple", headers=(("Range", "bytes=0-99"),)),
    Req("range-open", headers=(("Range", "bytes=10-"),)),
    Req("range-multi", headers=(("Range", "bytes=0-1,3-4"),)),
    Req("range-suffix", headers=(("Range", "bytes=-5"),)),
    Req("dpr", headers=(("DPR", "2.0"),)),
    Req("save-data", headers=(("Save-Data", "on"),)),
    Req("width-bad", headers=(("Width", "1.5"),)),
    Req("cookie-dropped", headers=(("Cookie", "a=b"),)),
    Req("sec-dropped", headers=(("Sec-Custom", "1"),)),
    Req("two-custom", headers=(("X-B", "1"), ("x-A", "2"), ("Accept", "*/*"))),
    Req("dup-name", headers=(("X-Dup", "1"), ("x-dup", "2"))),
    # 7 x 128 + a 128-byte Content-Type = 1024 bytes of safelisted values: still safe;
    # one more safelisted header and none of them is
    Req("total-1024", headers=TOTAL_1024),
    Req("total-over", headers=TOTAL_1024 + (("Range", "bytes=0-1"),)),
    Req("head", "HEAD"),
    Req("options", "OPTIONS"),
    Req("post-lower", "post"),
]
SAFELIST_BEHAVIOUR = "h-origin-only"
BEHAVIOURS[SAFELIST_BEHAVIOUR] = h_always("Access-Control-Allow-Origin", O)


@dataclasses.dataclass(frozen=True)
class Pair:
    behaviour: str
    req: Req

    @property
    def id(self) -> str:
        return f"{self.behaviour}--{self.req.id}"

    def path(self) -> str:
        return f"/b/{self.behaviour}/r.cgi?p={self.id}"


def all_pairs() -> list[Pair]:
    pairs = [Pair(b, r) for b, r in itertools.product(
        [b for b in BEHAVIOURS if b != SAFELIST_BEHAVIOUR], CORE)]
    pairs += [Pair(SAFELIST_BEHAVIOUR, r) for r in SAFELIST]
    return pairs


def sample_pairs(n: int) -> list[Pair]:
    """n pairs spread over the grid (every k-th), always the same ones."""
    pairs = all_pairs()
    step = max(1, len(pairs) // n)
    return pairs[::step][:n]


def category(p: Pair) -> str:
    b = p.behaviour
    if b == SAFELIST_BEHAVIOUR:
        return "request-safelist"
    return {"mc": "mod_cors", "h": "broken-headers", "pf": "preflight-status",
            "rd": "redirect"}[b.split("-")[0]]


# ---------------------------------------------------------------------------------------------
# the server
# ---------------------------------------------------------------------------------------------

def server_conf() -> str:
    lines = [
        '<Directory "${DOCROOT}/b">',
        "    Options +ExecCGI",
        "    AddHandler cgi-script .cgi",
        "</Directory>",
        f'CustomLog "${{SERVERROOT}}/logs/wire_log" "{WIRE_LOG_FORMAT}"',
    ]
    for name, conf in BEHAVIOURS.items():
        lines.append(f'<Directory "${{DOCROOT}}/b/{name}">')
        lines += ["    " + ln for ln in conf.splitlines()]
        lines.append("</Directory>")
    return "\n".join(lines) + "\n"


def make_server(workdir) -> Httpd:
    files = {"htpasswd": HTPASSWD, "htdocs/page.html": PAGE}
    for name in BEHAVIOURS:
        files[f"htdocs/b/{name}/r.cgi"] = ECHO_CGI
    return Httpd(pathlib.Path(workdir), server_conf(), modules=MODULES, files=files)


def origins(srv) -> dict:
    return {"page": srv.subst(PAGE_ORIGIN), "api": srv.subst(API)}


# ---------------------------------------------------------------------------------------------
# the two sides
# ---------------------------------------------------------------------------------------------

def run_chromium(srv, pairs, workdir) -> dict:
    """One Chromium run over every pair: {pair id: {ok, status, headers, error, console}}."""
    o = origins(srv)
    spec = {"page": o["page"] + "/page.html",
            "fetches": [{"id": p.id, "url": o["api"] + p.path(), "init": p.req.init(),
                         "read": list(p.req.read)} for p in pairs]}
    spec_path = pathlib.Path(workdir) / "grid-spec.json"
    spec_path.write_text(json.dumps(spec))
    env = dict(os.environ, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1")
    proc = subprocess.run([NODE, str(RUNNER), str(spec_path)], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=60 + 5 * len(pairs), env=env,
                          cwd=HERE)
    if proc.returncode != 0:
        raise RuntimeError(f"run-grid.mjs failed ({proc.returncode}):\n"
                           f"{proc.stderr.decode(errors='replace')[-4000:]}")
    out = json.loads(proc.stdout)
    (pathlib.Path(workdir) / "chromium-results.json").write_text(json.dumps(out, indent=1))
    return out


def run_cors_check(srv, pair, extra=()) -> tuple[int, dict | None, str]:
    o = origins(srv)
    cmd = [str(CORS_CHECK), "--origin", o["page"], *pair.req.args(), "--json", *extra,
           o["api"] + pair.path()]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    text = proc.stdout.decode(errors="replace")
    try:
        doc = json.loads(text) if text.strip() else None
    except ValueError:
        doc = None
    return proc.returncode, doc, text + proc.stderr.decode(errors="replace")


def wire_requests(srv, agent_prefix: str) -> dict:
    """{pair id: [(method, url, origin, acrm, acrh), ...]} from the grid's access log,
    for the requests whose User-Agent starts with agent_prefix."""
    deadline = time.monotonic() + 5
    path = srv.root / "logs" / "wire_log"
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    out: dict = {}
    for ln in path.read_text(errors="replace").splitlines():
        parts = ln.split("\t")
        if len(parts) != 7 or not parts[1].startswith(agent_prefix):
            continue
        began, _, method, url, origin, acrm, acrh = parts
        if "?p=" not in url:
            continue
        pid = url.split("?p=", 1)[1].split("&", 1)[0]
        out.setdefault(pid, []).append((int(began), (method, url, origin, acrm, acrh)))
    # the log is written when a response is done: order by when each request began
    return {pid: [r for _, r in sorted(reqs)] for pid, reqs in out.items()}
