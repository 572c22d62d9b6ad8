# SPDX-License-Identifier: Apache-2.0
"""The one httpd harness of mod_cors: runs a throw-away httpd on 127.0.0.1.

Standard library only.  Used by the integration tests (tests/integration), the browser
tests (tests/browser), the soak test (tests/soak), the benchmarks (bench/run.py) and the
demo (demo/run.sh, through demo/serve.py).

    srv = Httpd(tmp_path, CONF, files={"htdocs/r": "hello"}, modules=("headers",))
    srv.start()
    r = srv.preflight("/api/r", "https://app.example.com", "PUT", "content-type")
    assert r.status == 204 and r.get("Access-Control-Allow-Origin") == "https://app.example.com"
    srv.stop()

Which httpd (environment variables; `make integration HTTPD=... HTTPD_MODULES=...`):
    HTTPD           the binary (default Debian's /usr/sbin/apache2; a source build's
                    $PREFIX/bin/httpd works too)
    HTTPD_MODULES   its shared modules, mod_*.so (default /usr/lib/apache2/modules;
                    $PREFIX/modules for a source build)
    CORS_MODULE     the mod_cors.so to load (default .libs/mod_cors.so)
    CORS_HTTPD_ENV  NAME=VALUE words added to httpd's environment (make test-asan)
For `CORSAllowOriginMap dbd:` a server loads DBD_MODULES (mod_dbd, and mod_watchdog where it
is not compiled in) and names a database that db_harness.py starts (Postgres, a throw-away
cluster; Mariadb, for make ci-extra) or makes (Sqlite, a file); they are re-exported here.
Nothing is taken from the distribution's configuration: no envvars, no mods-available; the
generated configuration names its ServerRoot, module paths and, as root, User/Group.  The
modules compiled into the binary are asked from `$HTTPD -l`, its version from `$HTTPD -v`.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import http.client
import os
import pathlib
import pwd
import grp
import re
import shlex
import signal
import socket
import subprocess
import time

from db_harness import (BAD_ROW, CHANGE_QUERY, CONVERGE_SECONDS, MYSQL_SCHEMA,  # noqa: F401
                        PG_SCHEMA, QUERY, SQLITE_SCHEMA, Mariadb, Postgres, Sqlite, free_port,
                        make_traversable, missing_for_mariadb, missing_for_postgres,
                        sql_literal, wait_until)

HTTPD = os.environ.get("HTTPD") or "/usr/sbin/apache2"
APACHE2 = HTTPD         # the old name
MODULES_DIR = pathlib.Path(os.environ.get("HTTPD_MODULES") or "/usr/lib/apache2/modules")
REPO = pathlib.Path(__file__).resolve().parents[2]
# CORS_MODULE: the module to load instead of the normal build (make test-asan, the matrix).
MOD_CORS_SO = pathlib.Path(os.environ.get("CORS_MODULE") or REPO / ".libs" / "mod_cors.so").resolve()
# CORS_HTTPD_ENV: NAME=VALUE words (shell quoting) added to httpd's environment only,
# e.g. LD_PRELOAD of a sanitizer runtime and its *SAN_OPTIONS (make test-asan).
HTTPD_ENV = shlex.split(os.environ.get("CORS_HTTPD_ENV", ""))


# ---------------------------------------------------------------------------------------------
# The httpd under test: what it is and what it has
# ---------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def builtin_modules() -> frozenset:
    """Modules compiled into $HTTPD (`httpd -l`: core.c, mod_so.c, event.c ...), by short
    name (core, so, event); these are never LoadModule'd."""
    out = subprocess.run([HTTPD, "-l"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         timeout=30).stdout.decode("utf-8", "replace")
    names = set()
    for ln in out.splitlines():
        m = re.fullmatch(r"\s+(?:mod_)?([A-Za-z0-9_]+)\.c", ln)
        if m:
            names.add(m.group(1))
    if "core" not in names:
        raise RuntimeError(f"`{HTTPD} -l` did not list its modules:\n{out}")
    return frozenset(names)


BUILTIN_MPMS = ("event", "worker", "prefork")

# What a server with a `CORSAllowOriginMap dbd:` map loads: mod_dbd for the connections,
# mod_watchdog for the process that polls the map (compiled into Debian's apache2).
DBD_MODULES = ("dbd", "watchdog")


@functools.lru_cache(maxsize=None)
def version_string() -> str:
    """'2.4.37', '2.5.1-dev' (from `httpd -v`)."""
    out = subprocess.run([HTTPD, "-v"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         timeout=30).stdout.decode("utf-8", "replace")
    m = re.search(r"Apache/(\d+\.\d+\.\d+\S*)", out)
    if not m:
        raise RuntimeError(f"`{HTTPD} -v` did not say its version:\n{out}")
    return m.group(1)


def version() -> tuple:
    """(2, 4, 37): the version of $HTTPD, for skips of what an old httpd cannot do."""
    return tuple(int(x) for x in re.match(r"(\d+)\.(\d+)\.(\d+)", version_string()).groups())


# What an older httpd cannot do at all, whatever the module does: the version that first
# can, and why.  A test that needs one is skipped on an older httpd, with this reason.
LIMITS = {
    "304-headers": ((2, 4, 47),
                    "httpd before 2.4.47 sends only a fixed list of headers (ETag, Vary, "
                    "Cache-Control ...) with a 304 Not Modified, so its core drops the "
                    "Access-Control-* headers the module set (PR 61820)"),
}


def lacks(feature: str) -> str | None:
    """Why $HTTPD cannot do `feature` (a key of LIMITS), or None when it can."""
    first, why = LIMITS[feature]
    if version() >= first:
        return None
    return f"httpd {version_string()}: {why}"


def skip_unless(feature: str) -> dict:
    """Arguments for pytest.mark.skipif: @pytest.mark.skipif(**skip_unless("304-headers"))."""
    why = lacks(feature)
    return {"condition": why is not None, "reason": why or ""}


def has_module(name: str) -> bool:
    """Compiled in, or mod_<name>.so in MODULES_DIR."""
    return name in builtin_modules() or (MODULES_DIR / f"mod_{name}.so").exists()


@functools.lru_cache(maxsize=None)
def run_user() -> tuple[str, str]:
    """(user, group) the children run as when we are root: www-data (Debian) when it exists,
    else nobody or daemon with its primary group."""
    for name in ("www-data", "nobody", "daemon"):
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            continue
        return name, grp.getgrgid(pw.pw_gid).gr_name
    raise RuntimeError("none of the users www-data, nobody, daemon exists")


def mime_types() -> str | None:
    """A mime.types file: the system's, else the one installed beside a source build."""
    for p in (pathlib.Path("/etc/mime.types"),
              pathlib.Path(HTTPD).resolve().parent.parent / "conf" / "mime.types"):
        if p.exists():
            return str(p)
    return None


ERROR_LEVEL_RE = re.compile(r"\[(?:[A-Za-z0-9_.\-]+:)?(error|warn|crit|alert|emerg)\]")
CRASH_RES = [re.compile(p) for p in (
    r"Segmentation fault",
    r"child pid .* exit signal",
    r"glibc detected",
    r"Assertion.*failed",
    r"AddressSanitizer",
    r"Sanitizer",
    r"runtime error:",
    r"pool concurrency check",
)]

ACCESS_LOG_FORMAT = "%m %U %>s cors=%{cors}n"

# Logged (as a notice, whatever the LogLevel) by every MPM when it is up and running.
READY_MARK = b"resuming normal operations"


# ---------------------------------------------------------------------------------------------
# Response
# ---------------------------------------------------------------------------------------------

class Response:
    """A raw response read with http.client; header duplicates and wire order are kept."""

    def __init__(self, status: int, reason: str, headers: list[tuple[str, str]], body: bytes,
                 client_port: int | None = None):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        self.client_port = client_port   # local port of the connection (see access_log_line)

    def get_all(self, name: str) -> list[str]:
        n = name.lower()
        return [v for k, v in self.headers if k.lower() == n]

    def get(self, name: str) -> str | None:
        vals = self.get_all(name)
        assert len(vals) <= 1, f"header {name!r} occurs {len(vals)} times: {vals!r}\n{self}"
        return vals[0] if vals else None

    def has(self, name: str) -> bool:
        return bool(self.get_all(name))

    def vary_tokens(self) -> list[str]:
        out = []
        for v in self.get_all("Vary"):
            out.extend(t.strip() for t in v.split(","))
        return out

    # -- extras (not part of the agreed minimum API, but handy) --
    def cors_headers(self) -> list[tuple[str, str]]:
        """All response headers whose name starts with Access-Control-."""
        return [(k, v) for k, v in self.headers if k.lower().startswith("access-control-")]

    def __repr__(self) -> str:
        hdrs = "".join(f"\n  {k}: {v}" for k, v in self.headers)
        body = self.body[:200]
        return f"<Response {self.status} {self.reason}{hdrs}\n  body={body!r}>"

    __str__ = __repr__


def assert_no_cors(resp: Response) -> None:
    """Fails if the response carries any header whose name starts with Access-Control-."""
    found = resp.cors_headers()
    assert not found, f"unexpected Access-Control-* headers {found!r}\n{resp}"


def assert_allowed(r: Response, origin: str, status: int = 200) -> None:
    """An actual response that allows `origin`: its status, exactly one ACAO equal to the
    origin, and one Origin token in Vary."""
    assert r.status == status, r
    assert r.get_all("Access-Control-Allow-Origin") == [origin], r
    assert r.vary_tokens().count("Origin") == 1, r


def assert_denied(r: Response, status: int = 200) -> None:
    """An actual response that allows nothing: its status, no Access-Control-* header, and
    one Origin token in Vary."""
    assert r.status == status, r
    assert_no_cors(r)
    assert r.vary_tokens().count("Origin") == 1, r


# ---------------------------------------------------------------------------------------------
# Httpd
# ---------------------------------------------------------------------------------------------

def _module_line(name: str) -> str | None:
    """LoadModule line for a module given as 'headers', 'mod_headers', 'headers_module'."""
    n = name
    if n.startswith("mod_"):
        n = n[4:]
    if n.endswith(".so"):
        n = n[:-3]
    if n.endswith("_module"):
        n = n[: -len("_module")]
    builtin = builtin_modules()
    if n in builtin:
        return None
    if n.startswith("mpm_") and any(m in builtin for m in BUILTIN_MPMS):
        mpm = n[4:]
        if mpm in builtin:
            return None      # the one MPM compiled in
        raise FileNotFoundError(f"{HTTPD} has its MPM compiled in; it cannot load {n}")
    path = MODULES_DIR / f"mod_{n}.so"
    if not path.exists():
        raise FileNotFoundError(f"no such Apache module: {path}")
    return f'LoadModule {n}_module "{path}"'


def _allow_core_dumps():
    with contextlib.suppress(Exception):
        import resource
        resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


_RUNNING: "list[Httpd]" = []


def running_servers() -> "list[Httpd]":
    """Servers started by this process and not yet stopped."""
    return [s for s in _RUNNING if s.is_running()]


@atexit.register
def _stop_all():
    for s in list(_RUNNING):
        with contextlib.suppress(Exception):
            s.stop()



def child_statuses(parent: int) -> dict[int, str]:
    """The /proc/<pid>/status text of each child process of parent (httpd's children)."""
    out = {}
    for d in pathlib.Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            status = (d / "status").read_text()
        except OSError:
            continue
        m = re.search(r"^PPid:\s+(\d+)", status, re.M)
        if m and int(m.group(1)) == parent:
            out[int(d.name)] = status
    return out


def status_kb(text: str, field: str) -> int:
    """The "<field>: N kB" line of a /proc status or smaps_rollup text, in kB; 0 without it."""
    m = re.search(rf"^{field}:\s+(\d+) kB", text, re.M)
    return int(m.group(1)) if m else 0


def proc_kb(pid: int, field: str, name: str = "status") -> int:
    """status_kb() of /proc/<pid>/<name>; 0 when the process is gone."""
    try:
        return status_kb(pathlib.Path(f"/proc/{pid}/{name}").read_text(), field)
    except OSError:
        return 0


def mapping_kb(pid: int, path_part: str, field: str = "Pss") -> int:
    """The sum of `field` (kB) over the mappings of /proc/<pid>/smaps whose file name holds
    path_part (e.g. "/cors-maps/": the map images a child has mapped, a replaced one shown
    with " (deleted)"); 0 when the process is gone."""
    try:
        text = pathlib.Path(f"/proc/{pid}/smaps").read_text()
    except OSError:
        return 0
    total, inside = 0, False
    for ln in text.splitlines():
        head = re.match(r"[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$", ln)
        if head:
            inside = path_part in head.group(1)
        elif inside:
            m = re.match(rf"{field}:\s+(\d+) kB", ln)
            if m:
                total += int(m.group(1))
    return total


# Where the loader writes the map images: DefaultRuntimeDir/cors-maps/*.map.
MAP_IMAGE_DIR = "cors-maps"


def map_image_size(rundir: pathlib.Path) -> int:
    """Bytes of the newest map image under rundir (DefaultRuntimeDir); 0 when none."""
    files = list((rundir / MAP_IMAGE_DIR).glob("*.map"))
    return max(f.stat().st_size for f in files) if files else 0


# mod_cors's info line for a map version the loader published: the loader's pid, the map,
# the version, its entries, and the time from reading the source to the image in place.
MAP_PUBLISHED_RE = re.compile(r"\[pid (\d+)[^\]]*\].*CORSAllowOriginMap (\S+): published "
                              r"version (\d+), (\d+) entries, read .+? in (\d+) ms")


def tcp_sockets():
    """(local port, state) of every TCP socket of this machine, from /proc/net/tcp{,6};
    the state in the kernel's hex ("0A" listening, "01" established, ...)."""
    for f in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(f) as fh:
                next(fh, None)
                for ln in fh:
                    parts = ln.split()
                    if len(parts) > 3:
                        yield int(parts[1].rsplit(":", 1)[-1], 16), parts[3]
        except OSError:
            pass

class Httpd:
    """A throw-away httpd: its own server root (conf/, htdocs/, logs/, run/) under workdir,
    a generated configuration, listening on 127.0.0.1 only.

    ports: how many free ports to pick (port, port2, then ports[2:]; ${PORT}, ${PORT2},
    ${PORT3} ... in conf and files), or the port numbers themselves.
    load: extra (module_name, path) LoadModule pairs (e.g. a module built elsewhere).
    wrapper: words put before the httpd command (e.g. valgrind ...);
    single_process: run `httpd -X` (one process, no children) instead of -DFOREGROUND;
    popen_kwargs: more subprocess.Popen arguments (user=, env= ...);
    startup_timeout: seconds to wait for the listeners.
    The pieces of the configuration are methods (conf_modules, conf_logs, conf_tuning,
    conf_docroot), so that a subclass can replace one (bench/run.py does)."""

    def __init__(self, workdir: pathlib.Path, conf: str, *, modules=(), files: dict | None = None,
                 mpm: str | None = None, with_cors: bool = True, loglevel: str = "warn cors:debug",
                 ports=2, load=(), wrapper=(), single_process: bool = False,
                 popen_kwargs: dict | None = None, startup_timeout: float = 10):
        self.root = pathlib.Path(workdir).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.docroot = self.root / "htdocs"
        self.logdir = self.root / "logs"
        self.rundir = self.root / "run"
        self.conf_path = self.root / "conf" / "httpd.conf"
        self.error_log_path = self.logdir / "error_log"
        self.access_log_path = self.logdir / "access_log"
        self.stdout_path = self.logdir / "stdout_stderr"
        self.access_ports_path = self.logdir / "access_log_ports"
        self.ports = self._pick_ports(ports)
        self.port, self.port2 = self.ports[0], self.ports[1] if len(self.ports) > 1 else None
        self.with_cors = with_cors
        if with_cors and not MOD_CORS_SO.exists():
            raise RuntimeError(f"{MOD_CORS_SO} does not exist: run `make` in {REPO} first")
        mpm = mpm or os.environ.get("MPM") or "event"
        if mpm.startswith("mpm_"):
            mpm = mpm[4:]
        self.mpm = mpm
        self.modules = tuple(modules)
        # Warnings some httpd versions log for this configuration and that no test is
        # about: mod_http2 of 2.4.37 warns at startup that mod_ssl is not loaded, which
        # h2c (HTTP/2 over cleartext, all the tests use) does not need; mod_http2's
        # workers may log a cleanup note (AH03198) when the server stops.
        self.expected_warnings = []
        if "http2" in self.modules:
            self.expected_warnings.append(r"AH03198")
            if "ssl" not in self.modules:
                self.expected_warnings.append(r"AH02951: mod_ssl does not seem to be enabled")
        # An older httpd's (2.4.37 seen; trunk and Debian's 2.4.71 do not) worker children
        # with a mod_watchdog thread (the map loader's) are slow to exit at a stop, and after
        # a graceful restart the parent reaps one it no longer knows.
        if version() < (2, 4, 42):
            self.expected_warnings += [r"AH00045: child process \d+ still did not exit",
                                       r"AH00291: long lost child came home"]
        self.load = tuple(load)
        self.wrapper = list(wrapper)
        self.single_process = single_process
        self.popen_kwargs = dict(popen_kwargs or {})
        self.startup_timeout = startup_timeout
        if not with_cors:
            # a per-module level for a module that is not loaded is a config error
            loglevel = " ".join(w for w in loglevel.split() if not w.startswith("cors:"))
        self.loglevel = loglevel
        self.user_conf = conf
        self.proc: subprocess.Popen | None = None
        self._mark = 0
        self._requests = 0      # completed requests, for waiting on the access log

        self._as_root = os.geteuid() == 0
        self.user, self.group = run_user() if self._as_root else (None, None)
        self.coredir = self.root / "cores"
        for d in (self.root / "conf", self.docroot, self.logdir, self.rundir, self.root / "cache",
                  self.coredir):
            d.mkdir(parents=True, exist_ok=True)
        self._fix_permissions()
        self.write_files(files or {})
        self._write_conf()

    @staticmethod
    def _pick_ports(ports) -> list:
        if not isinstance(ports, int):
            return [int(p) for p in ports]
        picked: list = []
        for _ in range(50 * ports):
            if len(picked) == ports:
                break
            p = free_port()
            if p not in picked:
                picked.append(p)
        if len(picked) != ports:
            raise RuntimeError(f"could not find {ports} free ports")
        return picked

    # -- setup ------------------------------------------------------------------------------

    def subst(self, text):
        pairs = [("${DOCROOT}", str(self.docroot)), ("${SERVERROOT}", str(self.root))]
        # longest first: ${PORT2} before ${PORT}
        pairs += [(f"${{PORT{i + 1}}}", str(p)) for i, p in enumerate(self.ports)][1:][::-1]
        pairs += [("${PORT}", str(self.port))]
        for k, v in pairs:
            if isinstance(text, bytes):
                text = text.replace(k.encode(), v.encode())
            else:
                text = text.replace(k, v)
        return text

    def _fix_permissions(self):
        if not self._as_root:
            return
        # The run user must be able to reach the server root (pytest's tmp dirs are 0700).
        make_traversable(self.root)
        os.chmod(self.root, 0o755)
        uid = pwd.getpwnam(self.user).pw_uid
        gid = grp.getgrnam(self.group).gr_gid
        for d in (self.logdir, self.rundir, self.root / "cache", self.coredir):
            os.chown(d, uid, gid)

    def write_files(self, files: dict):
        """Writes files relative to the server root (docroot is 'htdocs'); placeholders are
        substituted; '.cgi' files are made executable."""
        for rel, content in (files or {}).items():
            p = self.root / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            content = self.subst(content)
            if isinstance(content, bytes):
                p.write_bytes(content)
            else:
                p.write_text(content)
            os.chmod(p, 0o755 if p.name.endswith(".cgi") else 0o644)
            # directories created here must be traversable by the run user
            d = p.parent
            while d != self.root and self.root in d.parents:
                os.chmod(d, 0o755)
                d = d.parent

    def conf_modules(self) -> list:
        """LoadModule lines: the MPM, what every configuration needs, mod_cors, the rest."""
        lines = [_module_line(f"mpm_{self.mpm}")]
        # watchdog: CORSAllowOriginMap reads its maps from a mod_watchdog thread
        for m in ("authz_core", "mime", "log_config", "unixd", "watchdog"):
            lines.append(_module_line(m))
        if self.with_cors:
            lines.append(f'LoadModule cors_module "{MOD_CORS_SO}"')
        for name, path in self.load:
            lines.append(f'LoadModule {name} "{path}"')
        for m in self.modules:
            ml = _module_line(m)
            if ml not in lines:
                lines.append(ml)
        return [ln for ln in lines if ln]

    def conf_logs(self) -> list:
        return [
            f'LogFormat "{ACCESS_LOG_FORMAT}" corstest',
            f'CustomLog "{self.access_log_path}" corstest',
            # the same lines prefixed with the client's port, to find a given request's line,
            # and the microseconds httpd spent on it
            f'CustomLog "{self.access_ports_path}" "%{{remote}}p %D {ACCESS_LOG_FORMAT}"',
        ]

    def conf_tuning(self) -> list:
        return [
            "Timeout 10",
            "KeepAlive Off",
            "HostnameLookups Off",
            "GracefulShutdownTimeout 3",
            "<IfModule mpm_event_module>",
            "  StartServers 1", "  ServerLimit 4", "  ThreadsPerChild 8", "  MaxRequestWorkers 32",
            "  MinSpareThreads 8", "  MaxSpareThreads 24", "  ThreadLimit 8",
            "</IfModule>",
            "<IfModule mpm_worker_module>",
            "  StartServers 1", "  ServerLimit 4", "  ThreadsPerChild 8", "  MaxRequestWorkers 32",
            "  MinSpareThreads 8", "  MaxSpareThreads 24", "  ThreadLimit 8",
            "</IfModule>",
            "<IfModule mpm_prefork_module>",
            "  StartServers 2", "  MinSpareServers 1", "  MaxSpareServers 4", "  MaxRequestWorkers 16",
            "</IfModule>",
        ]

    def conf_docroot(self) -> list:
        return [
            f'DocumentRoot "{self.docroot}"',
            "<Directory />",
            "  AllowOverride None",
            "  Require all denied",
            "</Directory>",
            f'<Directory "{self.docroot}">',
            "  AllowOverride None",
            "  Require all granted",
            "</Directory>",
        ]

    def _write_conf(self):
        r = self.root
        lines = [
            f'ServerRoot "{r}"',
            "ServerName 127.0.0.1",
            *(f"Listen 127.0.0.1:{p}" for p in self.ports),
            f'PidFile "{self.rundir}/httpd.pid"',
            f'DefaultRuntimeDir "{self.rundir}"',
            # a crashing child leaves <root>/cores/core* (see start(): RLIMIT_CORE)
            f'CoreDumpDirectory "{self.coredir}"',
            f'Mutex file:{self.rundir} default',
            *self.conf_modules(),
        ]
        if self._as_root:
            # a source build has no www-data default (its compiled-in User is #-1)
            lines += [f"User {self.user}", f"Group {self.group}"]
        types = mime_types()
        lines += [
            f'ErrorLog "{self.error_log_path}"',
            f"LogLevel {self.loglevel}",
            *self.conf_logs(),
            f'TypesConfig "{types}"' if types else "",
            *self.conf_tuning(),
            *self.conf_docroot(),
            "# ---- test configuration ----",
            self.subst(self.user_conf),
            "",
        ]
        self.conf_path.write_text("\n".join(lines))
        os.chmod(self.conf_path, 0o644)

    # -- process control --------------------------------------------------------------------

    def _base_cmd(self):
        env = ["/usr/bin/env", *HTTPD_ENV] if HTTPD_ENV else []
        return [*self.wrapper, *env, HTTPD, "-d", str(self.root), "-f", str(self.conf_path)]

    def configtest(self) -> tuple[int, str]:
        p = subprocess.run(self._base_cmd() + ["-t"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=30)
        return p.returncode, p.stdout.decode("utf-8", "replace")

    def is_running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self):
        if self.is_running():
            return
        start_offset = len(self._error_log_bytes())
        out = open(self.stdout_path, "ab")
        # -DFOREGROUND: the parent stays our child; stdout/stderr go to logs/stdout_stderr
        mode = "-X" if self.single_process else "-DFOREGROUND"
        self.proc = subprocess.Popen(self._base_cmd() + [mode], stdout=out,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True, preexec_fn=_allow_core_dumps,
                                     **self.popen_kwargs)
        out.close()
        _RUNNING.append(self)
        self._mark = start_offset
        timeout = self.startup_timeout
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                self.proc = None
                _RUNNING.remove(self)
                raise RuntimeError(f"{HTTPD} exited at startup\n{self._diag()}")
            # The listeners accept connections before httpd reads its configuration the
            # second time (and logs that read's warnings): wait for the MPM's notice too
            # (httpd -X reads it once and says nothing).
            if all(self._accepts(p) for p in self.ports):
                if self.single_process or \
                        READY_MARK in self._error_log_bytes()[start_offset:]:
                    return
                if time.monotonic() > deadline:
                    return      # serving, but no notice seen: go on anyway
            elif time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{HTTPD} did not accept connections within {timeout:g} s"
                                   f"\n{self._diag()}")
            time.sleep(0.02)

    def _accepts(self, port) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            return False

    def _diag(self) -> str:
        def rd(p):
            try:
                return p.read_text(errors="replace")
            except OSError:
                return ""
        return (f"--- config {self.conf_path}\n--- stdout/stderr:\n{rd(self.stdout_path)}"
                f"--- error_log:\n{rd(self.error_log_path)}")

    def _busy_server_sockets(self) -> int:
        """Server-side TCP connections on our ports still open in httpd (ESTABLISHED,
        SYN_RECV, CLOSE_WAIT), from /proc/net/tcp{,6}."""
        return sum(1 for port, state in tcp_sockets()
                   if port in self.ports and state in ("01", "03", "08"))

    def stop(self):
        """Waits (<= 2 s) until httpd has no connection open on our ports, then SIGTERM
        (httpd's immediate "stop"), wait <= 10 s, then SIGKILL the process group the server
        was started in.

        Why the wait: on SIGTERM the event MPM's main thread closes the sockets its workers
        still hold (close_worker_sockets), which races with a worker finishing a connection
        and can crash the child in apr_os_sock_get() -- an httpd race that has nothing to do
        with the module under test.  A graceful stop (SIGWINCH) avoids it too but costs
        ~1 s per server."""
        proc = self.proc
        if proc is None:
            return
        try:
            if proc.poll() is None:
                deadline = time.monotonic() + 2
                while self._busy_server_sockets() and time.monotonic() < deadline:
                    time.sleep(0.02)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    # kill what is left of our own process group (pgid == our httpd pid)
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=5)
        finally:
            self.proc = None
            if self in _RUNNING:
                _RUNNING.remove(self)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    # -- requests ---------------------------------------------------------------------------

    def request(self, method: str, path: str, headers=None, body: bytes | None = None,
                port: int | None = None) -> Response:
        port = port or self.port
        if headers is None:
            hdrs = []
        elif isinstance(headers, dict):
            hdrs = list(headers.items())
        else:
            hdrs = list(headers)
        try:
            log_offset = self.access_ports_path.stat().st_size
        except FileNotFoundError:
            log_offset = 0
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            names = {k.lower() for k, _ in hdrs}
            if "host" not in names:
                conn.putheader("Host", f"127.0.0.1:{port}")
            for k, v in hdrs:
                conn.putheader(k, v)
            if body is not None and "content-length" not in names \
                    and "transfer-encoding" not in names:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            client_port = conn.sock.getsockname()[1]
            resp = conn.getresponse()
            data = resp.read()
            result = Response(resp.status, resp.reason, list(resp.getheaders()), data,
                              client_port)
            result._log_offset = log_offset
        finally:
            conn.close()
        self._requests += 1
        return result

    def preflight(self, path: str, origin: str, method: str, req_headers=None, extra=None,
                  port: int | None = None) -> Response:
        hdrs = [("Origin", origin), ("Access-Control-Request-Method", method)]
        if req_headers is not None:
            if not isinstance(req_headers, str):
                req_headers = ",".join(req_headers)
            hdrs.append(("Access-Control-Request-Headers", req_headers))
        if extra:
            hdrs += list(extra.items()) if isinstance(extra, dict) else list(extra)
        return self.request("OPTIONS", path, hdrs, port=port)

    # -- logs -------------------------------------------------------------------------------

    def error_log(self) -> str:
        try:
            return self.error_log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def _error_log_bytes(self) -> bytes:
        try:
            return self.error_log_path.read_bytes()
        except FileNotFoundError:
            return b""

    def access_log_lines(self) -> list[str]:
        """Access-log lines. Waits (<= 3 s) until there is a line for every request made
        through this object (httpd logs after it has sent the response)."""
        deadline = time.monotonic() + 3
        while True:
            try:
                lines = self.access_log_path.read_text(errors="replace").splitlines()
            except FileNotFoundError:
                lines = []
            if len(lines) >= self._requests or time.monotonic() > deadline:
                return lines
            time.sleep(0.02)

    def access_log_line(self, resp: Response, timeout: float = 3.0) -> str:
        """The access-log line (format ACCESS_LOG_FORMAT) of the request that got resp."""
        return self._ports_line(resp, timeout)[1]

    def served_seconds(self, resp: Response, timeout: float = 3.0) -> float:
        """The time httpd spent on the request that got resp (%D: from reading the request
        line to logging), which leaves out the wait for a free child or thread."""
        return self._ports_line(resp, timeout)[0] / 1e6

    def _ports_line(self, resp: Response, timeout: float) -> tuple[int, str]:
        """(%D, access-log line) of the request that got resp.  httpd writes a line after
        sending the response, in whichever thread served it, so the lines of consecutive
        requests can swap: this finds the line by the client port (logs/access_log_ports),
        waiting up to `timeout` seconds for it."""
        prefix = f"{resp.client_port} "
        offset = getattr(resp, "_log_offset", 0)
        deadline = time.monotonic() + timeout
        while True:
            try:
                with open(self.access_ports_path, "rb") as f:
                    f.seek(offset)
                    lines = f.read().decode("utf-8", "replace").splitlines()
            except FileNotFoundError:
                lines = []
            for ln in reversed(lines):
                if ln.startswith(prefix):
                    usec, _, line = ln[len(prefix):].partition(" ")
                    return int(usec), line
            if time.monotonic() > deadline:
                raise AssertionError(f"no access-log line for client port {resp.client_port}"
                                     f" (request that got {resp.status})")
            time.sleep(0.02)

    def mark_log(self):
        self._mark = len(self._error_log_bytes())

    def new_log_lines(self) -> list[str]:
        return self._error_log_bytes()[self._mark:].decode("utf-8", "replace").splitlines()

    def check_log(self, allow=()):
        """AssertionError if the error log since the last mark has [error]/[warn]/[crit]/
        [alert]/[emerg] lines not matched by a regex in allow, or signs of a crash.
        Moves the mark to the end of the log."""
        lines = self.new_log_lines()
        self.mark_log()
        allow_res = [re.compile(a) for a in [*allow, *self.expected_warnings]]
        bad = []
        for ln in lines:
            if any(c.search(ln) for c in CRASH_RES):
                bad.append(ln)
            elif ERROR_LEVEL_RE.search(ln) and not any(a.search(ln) for a in allow_res):
                bad.append(ln)
        if bad:
            cores = sorted(str(p) for p in self.coredir.glob("core*"))
            if cores:
                bad.append(f"core files: {cores} (gdb {HTTPD} <core>)")
        assert not bad, "unexpected error-log lines:\n" + "\n".join(bad)


def cgi_script(header_lines, body: str = "") -> str:
    """A /bin/sh CGI script that writes these header lines, the blank line and body
    (write_files makes .cgi files executable)."""
    out = ["#!/bin/sh"]
    out += [f"printf '%s\\r\\n' '{ln}'" for ln in header_lines]
    out.append("printf '\\r\\n'")
    if body:
        out.append(f"printf '{body}'")
    return "\n".join(out) + "\n"


@contextlib.contextmanager
def serve(workdir, conf: str, *, startup_allow=(), **kw):
    """Starts an Httpd, checks its startup log, yields it; on exit checks the log and stops it.
    Use it in module-scoped fixtures:

        @pytest.fixture(scope="module")
        def srv(tmp_path_factory):
            with serve(tmp_path_factory.mktemp("preflight"), CONF, files=FILES) as s:
                yield s
    """
    s = Httpd(workdir, conf, **kw)
    s.start()
    try:
        s.check_log(allow=startup_allow)
        yield s
    finally:
        s.stop()
    s.check_log()   # shutdown: crash signs, warnings
