#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""demo/serve.py -- the demo's httpd, run through the test harness (tests/lib/httpd_harness.py).

Started by demo/run.sh (`make demo`); see there for the ports and the environment.  The
server root is a fresh temporary directory; httpd runs until Ctrl-C (or SIGTERM), which
stops it and removes the directory.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import signal
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent
# MOD_CORS_SO: the demo's old name for the module to load.
if os.environ.get("MOD_CORS_SO") and not os.environ.get("CORS_MODULE"):
    os.environ["CORS_MODULE"] = os.environ["MOD_CORS_SO"]
sys.path.insert(0, str(REPO / "tests" / "lib"))

import httpd_harness as h  # noqa: E402

MODULES = ("dir", "headers", "cgid", "status", "authz_host")


def say(msg: str) -> None:
    print(msg, flush=True)


def die(msg: str) -> None:
    print(f"demo: {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


# ---------------------------------------------------------------------------------------------
# Ports

def port_busy(port: int) -> bool:
    """Is something listening on TCP port `port`?  (Where /proc/net/tcp is missing: no,
    and httpd reports the conflict when it starts.)"""
    return any(p == port and state == "0A" for p, state in h.tcp_sockets())


def pick_port(name: str, want: str, explicit: bool, avoid: int | None) -> int:
    """A port the user chose must be free; a default one that is busy is replaced by the
    next free port.  `avoid` is the port already taken."""
    if not want.isdigit():
        die(f"{name}='{want}' is not a port number")
    p = int(want)
    if not 1 <= p <= 65535:
        die(f"{name}={want} is not a port number (1-65535)")
    if explicit:
        if p == avoid:
            die(f"DEMO_PORT and DEMO_PAGE_PORT are both {p}; they must differ")
        if port_busy(p):
            die(f"port {p} ({name}) is already in use on this host; choose a free one, "
                f"e.g. {name}={p + 1000} make demo")
        return p
    first = p
    while p == avoid or port_busy(p):
        p += 1
        if p > first + 50:
            die(f"no free port in {first}-{first + 50}; set {name}")
    if p != first:
        why = "is the API's port" if first == avoid else "is in use"
        print(f"demo: port {first} {why}; using {p} for {name}", file=sys.stderr)
    return p


# ---------------------------------------------------------------------------------------------
# The server

class DemoHttpd(h.Httpd):
    """The harness's httpd with the demo's access log and document tree: the API's
    <VirtualHost> on the first port, the page's on the second."""

    def conf_logs(self) -> list:
        # %{cors}n is the note mod_cors sets on every request in a policy's scope.
        return ['LogFormat "%h \\"%r\\" %>s origin=\\"%{Origin}i\\" cors=%{cors}n" cors_demo',
                f'CustomLog "{self.access_log_path}" cors_demo']

    def conf_docroot(self) -> list:
        return ["<Directory />", "    AllowOverride None", "    Require all denied",
                "</Directory>",
                f'<Directory "{self.docroot}">', "    Options None", "    Require all granted",
                "</Directory>"]


DEMO_CONF = """\
ScriptSock "${SERVERROOT}/run/cgisock"
AddType "application/json" .json
AddType "text/javascript; charset=utf-8" .js
AddType "text/html; charset=utf-8" .html
DirectoryIndex index.html

# The API.
<VirtualHost 127.0.0.1:${PORT}>
    DocumentRoot "${DOCROOT}/api-root"
    ErrorDocument 404 /api/errors/404.json
    <Directory "${DOCROOT}/api-root/api">
        Options +ExecCGI
        AddHandler cgi-script .cgi
    </Directory>
    <Files "items.json">
        Header set X-Total-Count "3"
    </Files>
    Include "${SERVERROOT}/conf/cors-demo.conf"
    # The CORS counters, for loopback only.
    <Location "/server-status">
        SetHandler server-status
        Require local
    </Location>
</VirtualHost>

# The page, on another origin.
<VirtualHost 127.0.0.1:${PORT2}>
    DocumentRoot "${DOCROOT}/page"
</VirtualHost>
"""


def populate(root: pathlib.Path, api: str, page: str) -> None:
    doc = root / "htdocs"
    (doc / "api-root" / "api" / "errors").mkdir(parents=True)
    (doc / "page").mkdir(parents=True)
    (root / "conf").mkdir(parents=True, exist_ok=True)
    shutil.copy(HERE / "api" / "items.json", doc / "api-root" / "api")
    shutil.copy(HERE / "api" / "errors" / "404.json", doc / "api-root" / "api" / "errors")
    shutil.copy(HERE / "api" / "echo.cgi", doc / "api-root" / "api")
    os.chmod(doc / "api-root" / "api" / "echo.cgi", 0o755)
    for f in ("index.html", "app.js"):
        shutil.copy(HERE / "page" / f, doc / "page")
    (doc / "page" / "config.js").write_text(f'window.CORS_DEMO = {{ api: "{api}" }};\n')
    (root / "conf" / "cors-demo.conf").write_text(
        (HERE / "cors-demo.conf").read_text().replace("@PAGE_ORIGIN@", page))
    for d in doc.rglob("*"):
        os.chmod(d, 0o755 if d.is_dir() or d.suffix == ".cgi" else 0o644)


def banner(srv: DemoHttpd, api: str, page: str) -> str:
    root, so = srv.root, h.MOD_CORS_SO
    return f"""
mod_cors demo
  httpd:   {h.HTTPD} ({h.version_string()})
  module:  {so}
  API:     {api}/api/   (policy: demo/cors-demo.conf, origin {page})
  page:    {page}/      <- open this in a browser
  logs:    {root}/logs/error_log  (LogLevel cors:debug)
           {root}/logs/access_log (cors=%{{cors}}n)

Try:

# An allowed preflight: 204 with Access-Control-Allow-* headers
curl -si -X OPTIONS {api}/api/echo.cgi \\
     -H 'Origin: {page}' \\
     -H 'Access-Control-Request-Method: PUT' \\
     -H 'Access-Control-Request-Headers: content-type,x-request-id'

# A denied preflight (origin not in the policy): 403, no Access-Control-* headers
curl -si -X OPTIONS {api}/api/echo.cgi \\
     -H 'Origin: https://evil.example' \\
     -H 'Access-Control-Request-Method: PUT'

# An actual request and its response headers
curl -si {api}/api/items.json -H 'Origin: {page}'

# A PUT to the CGI, which sends its own 'Access-Control-Allow-Origin: *':
# the policy's single value replaces it
curl -si -X PUT {api}/api/echo.cgi -H 'Origin: {page}' \\
     -H 'Content-Type: application/json' -H 'X-Request-ID: demo-1' \\
     --data '{{"name": "demo"}}'

# The same PUT as Chromium would judge it, with every check (make builds cors-check)
{REPO}/cors-check/cors-check --origin {page} --method PUT \\
     --header 'Content-Type: application/json' --header 'X-Request-ID: demo-1' \\
     {api}/api/echo.cgi

# Why a preflight was refused, in the CORS-Debug header (CORSDebug is on for loopback)
curl -si -X OPTIONS {api}/api/echo.cgi -H 'Origin: {page}' \\
     -H 'Access-Control-Request-Method: PATCH' | grep -i '^cors-debug'

# The CORS counters (mod_status)
curl -s {api}/server-status?auto | grep ^CORS

# Why a request was denied, and the cors note of each request
tail -f {root}/logs/error_log {root}/logs/access_log

httpd is running in the foreground (pid {srv.proc.pid}); Ctrl-C stops it and removes
{root}.
"""


class Stopped(Exception):
    def __init__(self, code: int, msg: str | None = None):
        super().__init__(code)
        self.code, self.msg = code, msg


def stopped(code: int, msg: str | None = None):
    raise Stopped(code, msg)


def main() -> int:
    if not h.MOD_CORS_SO.exists():
        die(f"{h.MOD_CORS_SO} not found; build the module first with: make")
    for m in ("mpm_event", "authz_core", "mime", *MODULES):
        if not h.has_module(m):
            die(f"{h.MODULES_DIR}/mod_{m}.so not found (package apache2)")

    api_port = pick_port("DEMO_PORT", os.environ.get("DEMO_PORT") or "8080",
                         bool(os.environ.get("DEMO_PORT")), None)
    page_port = pick_port("DEMO_PAGE_PORT", os.environ.get("DEMO_PAGE_PORT") or "8081",
                          bool(os.environ.get("DEMO_PAGE_PORT")), api_port)
    api, page = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{page_port}"

    os.umask(0o022)
    root = pathlib.Path(tempfile.mkdtemp(prefix="mod_cors-demo.",
                                         dir=os.environ.get("TMPDIR") or "/tmp"))
    srv = None
    code = 0
    signal.signal(signal.SIGINT, lambda *_: stopped(130, "\nstopping"))
    signal.signal(signal.SIGTERM, lambda *_: stopped(143))
    signal.signal(signal.SIGHUP, lambda *_: stopped(129))
    try:
        os.chmod(root, 0o755)
        populate(root, api, page)
        srv = DemoHttpd(root, DEMO_CONF, modules=MODULES, ports=[api_port, page_port])
        rc, out = srv.configtest()
        if rc != 0:
            print(out, file=sys.stderr)
            die(f"the generated configuration does not pass configtest ({srv.conf_path})")
        try:
            srv.start()
        except RuntimeError as e:
            print(e, file=sys.stderr)
            die("httpd did not start (a port in use? see above)")
        say(banner(srv, api, page))
        code = srv.proc.wait()
    except Stopped as s:
        code = s.code
        if s.msg:
            say(s.msg)
    finally:
        # The handlers only raise Stopped: the cleanup runs here, after the wait has been
        # left (a wait in a signal handler would find the Popen's lock taken).
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        if srv is not None:
            srv.stop()
        shutil.rmtree(root, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
