#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""make bench -- what mod_cors costs, side by side with its alternatives.

Run by `make bench` (mk/bench.mk builds bench/build/micro and the floor modules
first).  Standard library only; ALWAYS /usr/bin/python3.  Three parts, in one run:

1. Instructions per request: valgrind callgrind on `apache2 -X` (one process,
   MPM event, LogLevel warn), run as www-data when we are root.  After
   BENCH_WARMUP requests of every kind, for each request kind one keep-alive
   connection sends BENCH_WARMUP requests, `callgrind_control -z` zeroes the
   counters, BENCH_REQUESTS requests follow (every status and the presence of
   Access-Control-Allow-Origin are checked; BENCH_PAUSE_MS before each, so that
   httpd always finds the connection idle), `callgrind_control -d` dumps, and
   Ir per request = the dump's summary / BENCH_REQUESTS.
2. Throughput: wrk against the same configurations (MPM event, not -X), all
   servers up at once on their own loopback ports, BENCH_ROUNDS rounds of
   BENCH_SECONDS per run with the configurations interleaved; medians of
   requests/s and p99 latency, and each one's ratio to no CORS.
3. The decision microbenchmark bench/build/micro (ns per call of the origin and list logic).

It prints the tables and the goals (met or missed; a miss does not fail the
run) and, when all three parts ran (BENCH_PARTS, default micro,callgrind,wrk),
writes them to BENCHMARKS.md with the machine and tool versions; otherwise to
bench/build/BENCHMARKS.partial.md.  Work files (configurations, logs) are in
bench/build/work/{cg,wk}-NN (CONFIG in each says which); every callgrind dump is
kept there as <config>.<kind>.callgrind, for callgrind_annotate.  The map files of the
CORSAllowOriginMap configurations are built once into bench/build/maps (txt by this
script, sdbm with httxt2dbm) and reused while their entry count is the same.
"""

from __future__ import annotations

import datetime
import grp
import os
import pathlib
import pwd
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "lib"))

from httpd_harness import HTTPD, MOD_CORS_SO, Httpd, _module_line, run_user  # noqa: E402

BUILD = REPO / "bench" / "build"
WORK = BUILD / "work"
MOD_CORS = MOD_CORS_SO
FLOOR = BUILD / "floor" / ".libs" / "mod_cors_floor.so"
FLOOR_SAME = BUILD / "floor" / ".libs" / "mod_cors_floor_same.so"
NOOP = BUILD / "floor" / ".libs" / "mod_cors_noop.so"
MICRO = BUILD / "micro"
OUT_MD = REPO / "BENCHMARKS.md"
PARTIAL_MD = BUILD / "BENCHMARKS.partial.md"


def env_int(name: str, default: int) -> int:
    v = os.environ.get(name, "").strip()
    return int(v) if v else default


N_REQUESTS = env_int("BENCH_REQUESTS", 1000)
N_WARMUP = env_int("BENCH_WARMUP", 50)
ROUNDS = env_int("BENCH_ROUNDS", 5)
SECONDS = env_int("BENCH_SECONDS", 3)
CONNECTIONS = env_int("BENCH_CONNECTIONS", 8)
PAUSE_MS = env_int("BENCH_PAUSE_MS", 2)
# BENCH_CONFIGS: only these configurations (comma-separated keys), for a quick look;
# goals whose configurations were not measured are left out.
ONLY = [c for c in re.split(r"[,\s]+", os.environ.get("BENCH_CONFIGS", "")) if c]
PARTS = [p for p in re.split(r"[,\s]+", os.environ.get("BENCH_PARTS", "") or
                                        "micro,callgrind,wrk") if p]

AS_ROOT = os.geteuid() == 0
RUN_USER = run_user()[0]

# The goals; each verdict compares figures measured in the same run.
GOAL_HTACCESS_RATIO = 1.5      # a .htaccess policy <= 1.5 x httpd reading its lines as no-ops
GOAL_PREFLIGHT_RATIO = 1.03    # a preflight <= 1.03 x a module sending the same headers
GOAL_OWN_WORK = 800            # allowed GET: mod_cors's own work over the same-headers floor
GOAL_SCALE_RATIO = 1.02        # 10,000 origins within 2 % of the 2-origin policy
GOAL_MAP_RATIO = 1.02          # a 1,000,000-entry txt map within 2 % of the 2-origin policy

# ---------------------------------------------------------------------------------------------
# What is measured
# ---------------------------------------------------------------------------------------------

ALLOWED = "https://app.example.com"
DENIED = "https://evil.example.net"

# (key, label, method, headers); every request also carries Host, User-Agent and Accept.
KINDS = [
    ("get-allowed", "GET, allowed origin", "GET", [("Origin", ALLOWED)]),
    ("preflight", "preflight", "OPTIONS",
     [("Origin", ALLOWED), ("Access-Control-Request-Method", "PUT"),
      ("Access-Control-Request-Headers", "content-type,x-request-id")]),
    ("get-denied", "GET, denied origin", "GET", [("Origin", DENIED)]),
    ("get-no-origin", "GET, no Origin", "GET", []),
]
KIND_LABEL = {k: label for k, label, _, _ in KINDS}
TARGET = "/data.json"

# The policy, written for mod_cors and as the recipe people paste.
CORS_POLICY = """\
CORSAllowMethods GET POST PUT DELETE
CORSAllowHeaders Content-Type Authorization X-Request-ID
CORSExposeHeaders X-Total-Count
CORSAllowCredentials On
CORSMaxAge 600
"""
CORS_ORIGINS_2 = "CORSAllowOrigin https://app.example.com https://admin.example.com\n"

RECIPE = r"""
SetEnvIf Origin "^https://(app\.example\.com|admin\.example\.com)$" CORS_ORIGIN=$0
Header always set Access-Control-Allow-Origin "%{CORS_ORIGIN}e" env=CORS_ORIGIN
Header always set Access-Control-Allow-Credentials "true" env=CORS_ORIGIN
Header always set Access-Control-Allow-Methods "GET, POST, PUT, DELETE" env=CORS_ORIGIN
Header always set Access-Control-Allow-Headers "Content-Type, Authorization, X-Request-ID" env=CORS_ORIGIN
Header always set Access-Control-Expose-Headers "X-Total-Count" env=CORS_ORIGIN
Header always set Access-Control-Max-Age "600" env=CORS_ORIGIN
Header always merge Vary Origin
RewriteEngine On
RewriteCond %{REQUEST_METHOD} OPTIONS
RewriteRule ^ - [R=204,L]
"""


def origins_conf(n: int, patterns: int) -> str:
    """https://app.example.com, then https://site<i>.example.com up to n origins, then
    `patterns` subdomain patterns https://*.tenant<i>.example.org (as bench/micro.c)."""
    values = [ALLOWED] + [f"https://site{i}.example.com" for i in range(1, n)]
    values += [f"https://*.tenant{i}.example.org" for i in range(patterns)]
    return "".join("CORSAllowOrigin " + " ".join(values[i:i + 50]) + "\n"
                   for i in range(0, len(values), 50))


MAPS = BUILD / "maps"


def map_origins(n: int):
    """The entries of an n-entry map: https://app.example.com (the allowed origin of
    KINDS), then https://site<i>.example.com, as origins_conf writes them."""
    yield ALLOWED
    for i in range(1, n):
        yield f"https://site{i}.example.com"


def write_txt_map(path: pathlib.Path, n: int, origins=map_origins) -> pathlib.Path:
    """A txt map of n entries at path (written to the side and renamed into place; an
    existing file is kept).  Each line carries a second field, so that httxt2dbm can read
    the same file."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    side = path.with_name(path.name + ".new")
    with open(side, "w") as f:
        f.writelines(f"{o} allow\n" for o in origins(n))
    os.chmod(side, 0o644)
    os.rename(side, path)
    date_back(path)
    return path


def date_back(path) -> None:
    """Dates a map file an hour back, so that the parent reads it at the start without
    waiting for it to settle (a file changed in the last CORS_MAP_SETTLE_MS is waited
    for), and nothing is read again while requests are counted: callgrind counts every
    thread, the loader's watchdog thread included (its ticks, every 200 ms, stat the file
    and cost about 40 instructions per counted request)."""
    t = time.time() - 3600
    os.utime(path, (t, t))


def map_path(kind: str, n: int) -> pathlib.Path:
    """bench/build/maps/origins-<n>.txt, or the sdbm map origins-<n> (.dir, .pag) built
    from it with httxt2dbm; made the first time it is asked for."""
    txt = write_txt_map(MAPS / f"origins-{n}.txt", n)
    if kind == "txt":
        return txt
    out = MAPS / f"origins-{n}"
    if not pathlib.Path(f"{out}.pag").exists():
        side = MAPS / f"origins-{n}.new"
        for f in MAPS.glob(side.name + "*"):
            f.unlink()
        p = subprocess.run(["httxt2dbm", "-f", "SDBM", "-i", str(txt), "-o", str(side)],
                           capture_output=True, text=True, timeout=600)
        if p.returncode != 0:
            raise BenchError(f"httxt2dbm failed:\n{p.stdout}{p.stderr}")
        # sdbm: the .pag (the keys) first, then the .dir (the index): see the README
        for suffix in (".pag", ".dir"):
            os.chmod(f"{side}{suffix}", 0o644)
            os.rename(f"{side}{suffix}", f"{out}{suffix}")
            date_back(f"{out}{suffix}")
    return out


def map_conf(kind: str, n: int) -> str:
    spec = f"txt:{MAPS}/origins-{n}.txt" if kind == "txt" else f"dbm=sdbm:{MAPS}/origins-{n}"
    return f"CORSAllowOriginMap {spec}\n" + CORS_POLICY


class Config:
    def __init__(self, key, label, conf="", *, module=None, htaccess=None, cors=False,
                 answers_preflight=False, acao_always=False, wrk_kinds=(), map_file=None,
                 startup_timeout=180, ready=None, callgrind_args=()):
        self.key = key
        self.label = label
        self.conf = conf                    # server-level configuration
        self.module = module                # (name, path) of an extra module
        self.htaccess = htaccess            # .htaccess in the document root, or None
        self.cors = cors                    # allowed origin gets ACAO, others none
        self.answers_preflight = answers_preflight
        self.acao_always = acao_always      # sets ACAO on every response (floor-same)
        self.wrk_kinds = wrk_kinds
        self.map_file = map_file            # (kind, n): a map to build before the start
        self.startup_timeout = startup_timeout   # under callgrind
        self.ready = ready                  # ready(srv): waits until it can be measured
        self.callgrind_args = tuple(callgrind_args)   # more valgrind options

    def prepare(self):
        if self.map_file:
            map_path(*self.map_file)


ALL_KINDS = tuple(k for k, _, _, _ in KINDS)
CORS_MOD = ("cors_module", MOD_CORS)
NOOP_MOD = ("cors_noop_module", NOOP)
EMPTY_HTACCESS = "# AllowOverride FileInfo, nothing in it\n"
POLICY_2 = CORS_ORIGINS_2 + CORS_POLICY
POLICY_20 = origins_conf(20, 3) + CORS_POLICY
CONFIGS = [
    Config("nocors", "no CORS", wrk_kinds=ALL_KINDS),
    Config("recipe", "recipe: SetEnvIf + Header + RewriteRule", RECIPE, cors=True,
           answers_preflight=True, wrk_kinds=ALL_KINDS),
    Config("floor", "floor module (fixed 204)", module=("cors_floor_module", FLOOR),
           answers_preflight=True, wrk_kinds=("preflight",)),
    Config("floor-same", "floor module, mod_cors's headers (reference)",
           module=("cors_floor_module", FLOOR_SAME), answers_preflight=True, acao_always=True,
           wrk_kinds=("get-allowed", "preflight")),
    Config("cors", "mod_cors, same policy", CORS_ORIGINS_2 + CORS_POLICY, module=CORS_MOD,
           cors=True, answers_preflight=True, wrk_kinds=ALL_KINDS),
    Config("cors-1", "mod_cors, 1 origin", origins_conf(1, 0) + CORS_POLICY, module=CORS_MOD,
           cors=True, answers_preflight=True, wrk_kinds=("get-allowed", "preflight")),
    Config("cors-100", "mod_cors, 100 origins + 100 patterns",
           origins_conf(100, 100) + CORS_POLICY, module=CORS_MOD, cors=True,
           answers_preflight=True, wrk_kinds=("get-allowed", "preflight")),
    Config("cors-10k", "mod_cors, 10,000 origins + 100 patterns",
           origins_conf(10_000, 100) + CORS_POLICY, module=CORS_MOD, cors=True,
           answers_preflight=True, wrk_kinds=("get-allowed", "preflight", "get-denied")),
    Config("cors-htaccess", "mod_cors, policy in .htaccess", module=CORS_MOD,
           htaccess=POLICY_2, cors=True, answers_preflight=True,
           wrk_kinds=("get-allowed", "preflight")),
    Config("cors-htaccess-empty", "mod_cors, same policy, empty .htaccess (reference)",
           POLICY_2, module=CORS_MOD, htaccess=EMPTY_HTACCESS, cors=True,
           answers_preflight=True),
    Config("noop-htaccess", "no-op directives, policy in .htaccess (floor)",
           module=NOOP_MOD, htaccess=POLICY_2),
    Config("cors-htaccess-20", "mod_cors, 20 origins + 3 patterns in .htaccess",
           module=CORS_MOD, htaccess=POLICY_20, cors=True, answers_preflight=True),
    Config("cors-htaccess-20-empty",
           "mod_cors, 20 origins + 3 patterns, empty .htaccess (reference)", POLICY_20,
           module=CORS_MOD, htaccess=EMPTY_HTACCESS, cors=True, answers_preflight=True),
    Config("noop-htaccess-20", "no-op directives, 20 origins + 3 patterns in .htaccess "
           "(floor)", module=NOOP_MOD, htaccess=POLICY_20),
    Config("noop-htaccess-empty", "no-op directives, empty .htaccess (reference)",
           module=NOOP_MOD, htaccess=EMPTY_HTACCESS),
    Config("recipe-htaccess", "recipe, in .htaccess (reference)", htaccess=RECIPE, cors=True,
           answers_preflight=True, wrk_kinds=("get-allowed", "preflight")),
    Config("htaccess-empty", "no CORS, empty .htaccess (reference)",
           htaccess=EMPTY_HTACCESS,
           wrk_kinds=("get-allowed", "preflight")),
    Config("cors-idle", "mod_cors loaded, no policy", module=CORS_MOD),
    # CORSDebug whose expression is false for every measured request: its per-request
    # cost is this row minus "cors".
    Config("cors-debug", "mod_cors, same policy + CORSDebug (false)",
           CORS_ORIGINS_2 + CORS_POLICY + "CORSDebug \"%{HTTP:X-CORS-Debug} == 'secret'\"\n",
           module=CORS_MOD, cors=True, answers_preflight=True),
    # CORSAllowOriginMap, against "cors" (goal 5).  The parent reads a map once, at the
    # second configuration pass, and the child maps its image: a million entries take
    # about 10 s under callgrind.
    Config("cors-map-1", "mod_cors, txt map of 1 entry", map_conf("txt", 1), module=CORS_MOD,
           cors=True, answers_preflight=True, map_file=("txt", 1)),
    Config("cors-map-10k", "mod_cors, txt map of 10,000 entries", map_conf("txt", 10_000),
           module=CORS_MOD, cors=True, answers_preflight=True, map_file=("txt", 10_000)),
    Config("cors-map-1m", "mod_cors, txt map of 1,000,000 entries", map_conf("txt", 1_000_000),
           module=CORS_MOD, cors=True, answers_preflight=True, map_file=("txt", 1_000_000),
           startup_timeout=900),
    Config("cors-sdbm-1m", "mod_cors, sdbm map of 1,000,000 entries",
           map_conf("sdbm", 1_000_000), module=CORS_MOD, cors=True, answers_preflight=True,
           map_file=("sdbm", 1_000_000), startup_timeout=900),
]
CONFIG = {c.key: c for c in CONFIGS}
if ONLY:
    _unknown = set(ONLY) - set(CONFIG)
    if _unknown:
        sys.exit(f"bench: unknown BENCH_CONFIGS {sorted(_unknown)}; known: {sorted(CONFIG)}")
    CONFIGS = [c for c in CONFIGS if c.key in ONLY]

# Debian's default module set (a2enmod state of a fresh apache2 install), plus
# mod_headers and mod_rewrite for the recipe: loaded in every configuration, so
# that a difference is what the configuration does, not what is loaded.
BASE_MODULES = ["mpm_event", "access_compat", "alias", "auth_basic", "authn_core",
                "authn_file", "authz_core", "authz_host", "authz_user", "autoindex",
                "deflate", "dir", "env", "filter", "mime", "negotiation", "reqtimeout",
                "setenvif", "status", "headers", "rewrite"]

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run_user_kwargs() -> dict:
    """Popen arguments that run a command as www-data when we are root."""
    if not AS_ROOT:
        return {}
    return {"user": RUN_USER, "group": run_user()[1], "extra_groups": []}


def fmt_int(v: float) -> str:
    return f"{v:,.0f}"


def fmt_delta(v: float) -> str:
    return f"{v:+,.0f}"


class BenchError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# A keep-alive client that checks every response
# ---------------------------------------------------------------------------------------------


def request_bytes(kind: str, port: int) -> bytes:
    for key, _, method, headers in KINDS:
        if key == kind:
            lines = [f"{method} {TARGET} HTTP/1.1", f"Host: 127.0.0.1:{port}",
                     "User-Agent: mod_cors-bench/1.0", "Accept: */*"]
            lines += [f"{k}: {v}" for k, v in headers]
            return ("\r\n".join(lines) + "\r\n\r\n").encode()
    raise KeyError(kind)


def expectation(cfg: Config, kind: str) -> tuple[int, str | None]:
    """(status, Access-Control-Allow-Origin value or None) the response must have."""
    status = 204 if kind == "preflight" and cfg.answers_preflight else 200
    acao = None
    if cfg.acao_always or (kind == "preflight" and cfg.key == "floor"):
        acao = ALLOWED
    elif cfg.cors and kind in ("get-allowed", "preflight"):
        acao = ALLOWED
    return status, acao


class Client:
    """One keep-alive connection; request() sends one request and reads the whole
    response, and fails unless the status and Access-Control-Allow-Origin are right."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=120)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rfile = self.sock.makefile("rb")

    def close(self):
        self.rfile.close()
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def request(self, data: bytes, expect: tuple[int, str | None], head: bool = False):
        self.sock.sendall(data)
        line = self.rfile.readline()
        if not line:
            raise BenchError("connection closed by the server")
        status = int(line.split()[1])
        headers = {}
        while True:
            h = self.rfile.readline()
            if h in (b"\r\n", b"\n"):
                break
            if not h:
                raise BenchError("connection closed in the headers")
            k, _, v = h.decode("latin-1").partition(":")
            k = k.strip().lower()
            headers[k] = headers[k] + ", " + v.strip() if k in headers else v.strip()
        if status in (204, 304) or head or 100 <= status < 200:
            pass
        elif "content-length" in headers:
            self.rfile.read(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                self.rfile.read(size + 2)
                if size == 0:
                    break
        else:
            raise BenchError(f"response without a length: {line!r} {headers}")
        want_status, want_acao = expect
        got_acao = headers.get("access-control-allow-origin")
        if status != want_status or got_acao != want_acao:
            raise BenchError(f"expected {want_status} with Access-Control-Allow-Origin "
                             f"{want_acao!r}, got {status} with {got_acao!r}: {headers}")
        if headers.get("connection", "").lower() == "close":
            raise BenchError("the server closed the keep-alive connection")
        return status, headers


# ---------------------------------------------------------------------------------------------
# A throw-away httpd
# ---------------------------------------------------------------------------------------------


def json_document(size: int) -> str:
    """A JSON document of exactly size bytes."""
    items = ",\n".join(f'    {{"id": {i}, "name": "item-{i:04d}", "price": {i * 7 % 100}.5, '
                       f'"tags": ["a", "b"]}}' for i in range(size // 80))
    head = '{\n  "items": [\n' + items + '\n  ],\n  "pad": "'
    tail = '"\n}\n'
    return head + "x" * (size - len(head) - len(tail)) + tail


class Server(Httpd):
    """The harness's httpd (tests/lib/httpd_harness.py) with the bench's configuration:
    Debian's default module set, keep-alive on, an access log that costs what Debian's
    does, and under callgrind `httpd -X` in valgrind, run as the run user from the start
    (callgrind_control talks to valgrind through vgdb, which cannot reach a process of
    another user here)."""

    def __init__(self, cfg: Config, mode: str):
        assert mode in ("callgrind", "wrk")
        self.cfg = cfg
        self.mode = mode
        # Names of one length: a longer path costs a few instructions more per request.
        slot = CONFIGS.index(cfg) if cfg in CONFIGS else 90 + len(cfg.key) % 10
        root = WORK / f"{'cg' if mode == 'callgrind' else 'wk'}-{slot:02d}"
        if root.exists():
            shutil.rmtree(root)
        files = {"CONFIG": f"{cfg.key}: {cfg.label}\n", "htdocs/data.json": json_document(2048)}
        if cfg.htaccess is not None:
            files["htdocs/.htaccess"] = cfg.htaccess
        callgrind = mode == "callgrind"
        cgdir = root / "callgrind"
        super().__init__(
            root, cfg.conf, files=files, with_cors=cfg.module == CORS_MOD, loglevel="warn",
            ports=1, single_process=callgrind,
            wrapper=["valgrind", "--tool=callgrind", "--dump-instr=no", *cfg.callgrind_args,
                     f"--callgrind-out-file={cgdir}/callgrind.out.%p"] if callgrind else (),
            popen_kwargs=dict(env=dict(os.environ, HOME=str(root)),
                              **(run_user_kwargs() if callgrind else {})),
            startup_timeout=cfg.startup_timeout if callgrind else 20)
        cgdir.mkdir()
        if AS_ROOT:
            os.chown(cgdir, pwd.getpwnam(self.user).pw_uid, grp.getgrnam(self.group).gr_gid)

    @property
    def cgdir(self) -> pathlib.Path:
        return self.root / "callgrind"

    def conf_modules(self) -> list:
        lines = [_module_line(m) for m in BASE_MODULES]
        if self.cfg.module:
            name, path = self.cfg.module
            lines.append(f'LoadModule {name} "{path}"')
        return [ln for ln in lines if ln]

    def conf_logs(self) -> list:
        # Debian's access log format; the file does not matter to what is counted.
        return ['LogFormat "%h %l %u %t \\"%r\\" %>s %O \\"%{Referer}i\\" \\"%{User-Agent}i\\"" '
                'combined',
                'CustomLog "/dev/null" combined']

    def conf_tuning(self) -> list:
        return ["HostnameLookups Off", "Timeout 60", "KeepAlive On", "MaxKeepAliveRequests 0",
                "KeepAliveTimeout 60",
                "<IfModule mpm_event_module>",
                "  StartServers 1", "  ServerLimit 2", "  ThreadsPerChild 16", "  ThreadLimit 16",
                "  MaxRequestWorkers 32", "  MinSpareThreads 8", "  MaxSpareThreads 32",
                "</IfModule>"]

    def conf_docroot(self) -> list:
        lines = super().conf_docroot()
        if self.cfg.htaccess is not None:
            lines[-3] = "  AllowOverride FileInfo"
        return lines

    def error_lines(self) -> list[str]:
        return [ln for ln in self.error_log().splitlines()
                if re.search(r"\[[a-z_]*:?(error|crit|alert|emerg)\]", ln)]


def start_server(cfg: Config, mode: str) -> Server:
    """A started Server; a new port when the one picked was taken meanwhile."""
    for _ in range(3):
        srv = Server(cfg, mode)
        try:
            srv.start()
            return srv
        except RuntimeError as e:
            if "Address already in use" not in str(e):
                raise BenchError(f"{cfg.key}: httpd did not start\n{e}") from None
            log(f"  port {srv.port} was taken, retrying")
    raise BenchError(f"{cfg.key}: no free port")


# ---------------------------------------------------------------------------------------------
# 1. callgrind
# ---------------------------------------------------------------------------------------------


def callgrind_control(option: str, pid: int):
    p = subprocess.run(["callgrind_control", option, str(pid)], capture_output=True, text=True,
                       timeout=120, env=dict(os.environ, HOME="/tmp"), **run_user_kwargs())
    if p.returncode != 0 or "OK" not in p.stdout:
        raise BenchError(f"callgrind_control {option} {pid} failed:\n{p.stdout}{p.stderr}")


def dump_files(srv: Server) -> dict[int, pathlib.Path]:
    files = {}
    for f in srv.cgdir.glob("callgrind.out.*.*"):
        suffix = f.name.rsplit(".", 1)[1]
        if suffix.isdigit():
            files[int(suffix)] = f
    return files


def dump_totals(path: pathlib.Path) -> int:
    """The dump's `summary:`, the cost of everything run between the zeroing and the dump
    (callgrind_annotate's PROGRAM TOTALS); `totals:`, the sum of its cost lines, when there
    is no summary."""
    totals = None
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("summary:"):
                return int(line.split()[1])
            if line.startswith("totals:"):
                totals = int(line.split()[1])
    if totals is None:
        raise BenchError(f"no summary or totals in {path}")
    return totals


def callgrind_config(cfg: Config) -> dict[str, float]:
    t0 = time.monotonic()
    srv = start_server(cfg, "callgrind")
    results = {}
    pause = PAUSE_MS / 1000

    def send(c: Client, data: bytes, expect, count: int):
        for _ in range(count):
            # A pause before each request, so that httpd always finds the connection
            # idle (as a browser's keep-alive connection is) and always takes the same
            # path: without it, whether the next request is already there when httpd
            # looks depends on timing, and the count moves by ~1,500 from kind to kind.
            time.sleep(pause)
            c.request(data, expect)

    try:
        if cfg.ready:
            cfg.ready(srv)
        pid = srv.proc.pid
        # Every kind once before anything is counted: one-time work (first use of a
        # code path, the allocator's first requests) stays out of the counts.
        with Client(srv.port) as c:
            for kind in ALL_KINDS:
                send(c, request_bytes(kind, srv.port), expectation(cfg, kind), N_WARMUP)
        # One zero and dump thrown away: the first dump after start-up also holds, in its
        # cost lines, start-up work (configuration parsing) that -z leaves in place.
        before = dump_files(srv)
        callgrind_control("-z", pid)
        callgrind_control("-d", pid)
        for k, f in dump_files(srv).items():
            if k not in before:
                f.unlink()
        for kind in ALL_KINDS:
            data = request_bytes(kind, srv.port)
            expect = expectation(cfg, kind)
            with Client(srv.port) as c:
                send(c, data, expect, N_WARMUP)
                callgrind_control("-z", pid)
                send(c, data, expect, N_REQUESTS)
                before = dump_files(srv)
                callgrind_control("-d", pid)
            new = {k: f for k, f in dump_files(srv).items() if k not in before}
            if len(new) != 1:
                raise BenchError(f"{cfg.key}/{kind}: expected one new callgrind dump, got "
                                 f"{sorted(new)}")
            dump = next(iter(new.values()))
            results[kind] = dump_totals(dump) / N_REQUESTS
            shutil.copy(dump, WORK / f"{cfg.key}.{kind}.callgrind")
    finally:
        srv.stop()
    errors = srv.error_lines()
    if errors:
        raise BenchError(f"{cfg.key}: errors in the error log:\n" + "\n".join(errors[:10]))
    log(f"  {cfg.key:15s} " + "  ".join(f"{k}={results[k]:,.0f}" for k in ALL_KINDS)
        + f"  ({time.monotonic() - t0:.0f} s)")
    return results


# mod_cors's hook functions: their inclusive cost is what the module spends per request
# (the output filter's without ap_pass_brigade, i.e. without the filters after it).
MODULE_HOOKS = ("merge_dir_config", "cors_header_parser", "cors_insert_filter",
                "cors_output_filter")
LINE_RE = re.compile(r"^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+([*>]?)\s*(\S+?)"
                     r"(?:\s+\(([\d,]+)x\))?\s+\[(.+)\]\s*$")


def annotate(path: pathlib.Path, *args: str) -> list[tuple]:
    """callgrind_annotate lines as (cost, mark, function, calls, object)."""
    p = subprocess.run(["callgrind_annotate", "--threshold=100", *args, str(path)],
                       capture_output=True, text=True, timeout=300)
    rows = []
    for line in p.stdout.splitlines():
        m = LINE_RE.match(line)
        if m:
            func = re.sub(r"'\d+$", "", m.group(3).rsplit(":", 1)[-1])
            rows.append((int(m.group(1).replace(",", "")), m.group(2), func,
                         int(m.group(4).replace(",", "")) if m.group(4) else 0, m.group(5)))
    return rows


def module_profile(path: pathlib.Path, so_name: str) -> dict:
    """Per request: inclusive cost of each hook, self cost of each function of the module,
    and the calls its functions make into httpd, APR and libc."""
    hooks, selfs, calls = {}, {}, {}
    for cost, mark, func, _, obj in annotate(path, "--inclusive=no"):
        if obj.endswith(so_name):
            selfs[func] = selfs.get(func, 0) + cost / N_REQUESTS
    current = None
    for cost, mark, func, ncalls, obj in annotate(path, "--inclusive=yes", "--tree=calling"):
        if mark == "*":
            current = func if obj.endswith(so_name) else None
            if current in MODULE_HOOKS:
                hooks[current] = hooks.get(current, 0) + cost / N_REQUESTS
        elif mark == ">" and current is not None and not obj.endswith(so_name):
            if func.startswith("ap_pass_brigade"):
                if current in hooks:
                    hooks[current] -= cost / N_REQUESTS
                continue
            c = calls.setdefault(func, [0.0, 0.0])
            c[0] += cost / N_REQUESTS
            c[1] += ncalls / N_REQUESTS
    return {"hooks": hooks, "self": selfs, "calls": calls}


def part_callgrind() -> dict:
    log(f"== 1. callgrind: {N_WARMUP} warm-up + {N_REQUESTS} counted keep-alive requests per "
        "configuration and kind")
    ir = {}
    for cfg in CONFIGS:
        cfg.prepare()
        ir[cfg.key] = callgrind_config(cfg)
    profile = {}
    for kind in ALL_KINDS:
        path = WORK / f"cors.{kind}.callgrind"
        if path.exists():
            profile[kind] = module_profile(path, MOD_CORS.name)
    return {"ir": ir, "profile": profile}


# ---------------------------------------------------------------------------------------------
# 2. wrk
# ---------------------------------------------------------------------------------------------


def wrk_script(kind: str) -> pathlib.Path:
    path = WORK / f"wrk-{kind}.lua"
    for key, _, method, headers in KINDS:
        if key == kind:
            lines = [f'wrk.method = "{method}"',
                     'wrk.headers["User-Agent"] = "mod_cors-bench/1.0"',
                     'wrk.headers["Accept"] = "*/*"']
            lines += [f'wrk.headers["{k}"] = "{v}"' for k, v in headers]
            path.write_text("\n".join(lines) + "\n")
            return path
    raise KeyError(kind)


def parse_duration_us(s: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", s)
    if not m:
        raise BenchError(f"cannot read the wrk latency {s!r}")
    return float(m.group(1)) * {"us": 1, "ms": 1e3, "s": 1e6, "m": 60e6}[m.group(2)]


def run_wrk(port: int, kind: str) -> dict:
    cmd = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", "--timeout", "5s",
           "-s", str(wrk_script(kind)), f"http://127.0.0.1:{port}{TARGET}"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=SECONDS + 60)
    out = p.stdout
    rps = re.search(r"Requests/sec:\s*([\d.]+)", out)
    p99 = re.search(r"^\s*99%\s+(\S+)", out, re.M)
    if p.returncode != 0 or not rps or not p99:
        raise BenchError(f"wrk failed:\n{' '.join(cmd)}\n{out}{p.stderr}")
    bad = 0
    m = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    if m:
        bad += int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        bad += sum(int(x) for x in m.groups())
    return {"rps": float(rps.group(1)), "p99": parse_duration_us(p99.group(1)), "bad": bad}


def part_wrk() -> dict:
    cells = [(cfg, kind) for cfg in CONFIGS for kind in cfg.wrk_kinds]
    log(f"== 2. wrk: {len(cells)} configuration x kind cells, {ROUNDS} rounds x {SECONDS} s, "
        f"1 thread, {CONNECTIONS} connections (about "
        f"{len(cells) * ROUNDS * (SECONDS + 0.3) / 60:.0f} min)")
    servers = {}
    runs: dict[tuple[str, str], list[dict]] = {}
    try:
        for cfg in CONFIGS:
            if not cfg.wrk_kinds:
                continue
            srv = start_server(cfg, "wrk")
            servers[cfg.key] = srv
            for kind in cfg.wrk_kinds:       # the server answers as expected
                with Client(srv.port) as c:
                    for _ in range(3):
                        c.request(request_bytes(kind, srv.port), expectation(cfg, kind))
        for rnd in range(ROUNDS):
            # Rotate the order each round so that no cell always runs first or last.
            shift = rnd * len(cells) // max(ROUNDS, 1)
            for cfg, kind in cells[shift:] + cells[:shift]:
                res = run_wrk(servers[cfg.key].port, kind)
                runs.setdefault((cfg.key, kind), []).append(res)
            log(f"  round {rnd + 1}/{ROUNDS} done")
    finally:
        for srv in servers.values():
            srv.stop()
    for srv in servers.values():
        errors = srv.error_lines()
        if errors:
            raise BenchError(f"{srv.cfg.key}: errors in the error log:\n"
                             + "\n".join(errors[:10]))
    result = {}
    for key, rs in runs.items():
        result[key] = {"rps": statistics.median(r["rps"] for r in rs),
                       "p99": statistics.median(r["p99"] for r in rs),
                       "bad": sum(r["bad"] for r in rs),
                       "rounds": [r["rps"] for r in rs]}
    return result


# ---------------------------------------------------------------------------------------------
# 3. micro
# ---------------------------------------------------------------------------------------------


def part_micro() -> list[tuple[str, float, str]]:
    log("== 3. decision microbenchmark (bench/build/micro)")
    if not MICRO.exists():
        raise BenchError(f"{MICRO} is missing: run `make bench`")
    p = subprocess.run([str(MICRO)], capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        raise BenchError(f"micro failed:\n{p.stdout}{p.stderr}")
    rows = []
    for line in p.stdout.splitlines():
        name, ns, what = line.split("\t")
        rows.append((name, float(ns), what))
    return rows


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def sh(cmd: str) -> str:
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True,
                              timeout=30).stdout.strip()
    except Exception:           # noqa: BLE001 -- the report must not fail on this
        return "?"


def machine_section() -> list[str]:
    model = sh("lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1")
    mem_kb = sh("sed -n 's/^MemTotal:[[:space:]]*\\([0-9]*\\).*/\\1/p' /proc/meminfo")
    mem = f"{int(mem_kb) / 1024 / 1024:.1f} GiB" if mem_kb.isdigit() else "?"
    apache = sh(f"{HTTPD} -v | head -1").replace("Server version: ", "")
    return [
        "## Machine and versions",
        "",
        f"- Date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- CPUs (`nproc`): {sh('nproc')}; model (`lscpu`): {model}; memory: {mem}; "
        f"kernel {sh('uname -r')}",
        f"- {apache} (`apache2 -v`), {sh('valgrind --version')}, "
        f"wrk {sh('wrk -v 2>&1 | head -1').split(' ')[1] if sh('wrk -v 2>&1 | head -1') else '?'}"
        f", {sh('gcc --version | head -1')}",
        "",
    ]


def method_section() -> list[str]:
    return [
        "## How it was measured",
        "",
        "- Every configuration is the same httpd: MPM event, Debian's default module set "
        "(" + ", ".join(m for m in BASE_MODULES if m not in ("headers", "rewrite")) + ") "
        "plus headers and rewrite, `LogLevel warn`, Debian's `combined` access log "
        "(to /dev/null), keep-alive, the policy at server level. The target is a static "
        f"2 KB JSON file (`{TARGET}`); each request also sends Host, User-Agent and "
        "Accept.",
        "- Policy: origins https://app.example.com and https://admin.example.com, methods "
        "GET POST PUT DELETE, headers Content-Type Authorization X-Request-ID, expose "
        "X-Total-Count, credentials, max-age 600. The recipe is the same policy as "
        "SetEnvIf Origin + `Header always set` (ACAO, ACAC, ACAM, ACAH, ACEH, Max-Age) + "
        "`Header always merge Vary Origin` + `RewriteCond %{REQUEST_METHOD} OPTIONS` / "
        "`RewriteRule ^ - [R=204,L]`. The floor module (bench/floor/mod_cors_floor.c) "
        "answers every OPTIONS in header_parser with a fixed 204 and two fixed headers; its "
        "reference variant (-DFLOOR_SAME_HEADERS) answers with the six headers mod_cors "
        "sends and adds mod_cors's four actual-request headers to every other response "
        "(fixups hook), deciding nothing, with apr_table_addn (the cheapest way). "
        "The `mod_cors, N origins` configurations list https://app.example.com and "
        "https://site<i>.example.com up to N origins, plus 100 patterns "
        "https://*.tenant<i>.example.org for N > 1 (3 patterns for the 20-origin "
        ".htaccess policy). The no-op directives module (bench/floor/mod_cors_noop.c) "
        "declares mod_cors's directives with handlers that do nothing: with the policy's "
        "lines in .htaccess it costs what httpd spends reading them, the floor of goal 1. "
        "The .htaccess configurations allow FileInfo overrides in the document root; "
        "their `empty .htaccess` references hold one comment line.",
        "- The `map` configurations have the same policy with `CORSAllowOriginMap` in place "
        "of `CORSAllowOrigin`: a txt map (`txt:`) or an sdbm map (`dbm=sdbm:`, built by "
        "`httxt2dbm -f SDBM` from the same file) of https://app.example.com and "
        "https://site<i>.example.com up to N entries; each line of the txt file carries a "
        "second field (`allow`) for httxt2dbm. The files are dated an hour back, so that "
        "httpd takes them as settled and the measured requests see no reload. The parent "
        "reads a map at the start and compiles it into an image that the child maps; the "
        "counts include the child's watchdog thread, which looks at the file every 200 ms "
        "(about 40 instructions per counted request at this pace).",
        "- Kinds: GET with an allowed Origin; preflight (OPTIONS, Origin, "
        "Access-Control-Request-Method: PUT, Access-Control-Request-Headers: "
        "content-type,x-request-id); GET with a denied Origin; GET without Origin. "
        "Every response's status and Access-Control-Allow-Origin are checked.",
        f"- Instructions: valgrind callgrind on `apache2 -X` (one process, run as "
        f"{RUN_USER}); after {N_WARMUP} requests of every kind, per kind one keep-alive "
        f"connection: {N_WARMUP} warm-up requests, `callgrind_control -z`, {N_REQUESTS} "
        "requests, `callgrind_control -d`; Ir per request = the dump's `summary` (its total "
        "for the run between the zeroing and the dump) / "
        f"{N_REQUESTS} (all threads, so the event MPM's listener is counted too). The "
        f"client waits {PAUSE_MS} ms before each request, so that httpd always finds an idle "
        "keep-alive connection (as with a browser) and takes the same path every time: "
        "about 1,500 instructions more than when the next request is already waiting.",
        f"- Throughput: `wrk -t1 -c{CONNECTIONS} -d{SECONDS}s --latency` on 127.0.0.1, "
        f"httpd -DFOREGROUND (MPM event, children of 16 threads), {ROUNDS} rounds with the "
        "configurations interleaved (order rotated each round); the medians, and their "
        "ratio to no CORS. wrk and httpd share the machine's CPUs, so differences of a few "
        "percent are noise.",
        "- Microbenchmark: bench/micro.c linked with the origin and list logic (LOGIC_SRCS) "
        "at -O2; the fastest of 50 runs of ~2 ms each.",
        "",
    ]


def ir_table(ir: dict) -> list[str]:
    base = ir.get("nocors")
    head = "| configuration | " + " | ".join(KIND_LABEL[k] for k in ALL_KINDS) + " |"
    lines = ["Instructions per request (Ir), and in brackets the difference from no CORS.",
             "", head, "|---|" + "---:|" * len(ALL_KINDS)]
    for cfg in CONFIGS:
        if cfg.key not in ir:
            continue
        cells = []
        for k in ALL_KINDS:
            v = ir[cfg.key][k]
            d = f" ({fmt_delta(v - base[k])})" if base and cfg.key != "nocors" else ""
            cells.append(fmt_int(v) + d)
        lines.append(f"| {cfg.label} | " + " | ".join(cells) + " |")
    return lines


def profile_table(profile: dict, ir: dict) -> list[str]:
    if not profile:
        return []
    kinds = [k for k in ALL_KINDS if k in profile]
    lines = ["", f"Where mod_cors's instructions go ({CONFIG['cors'].label}; per request, "
             "from the dumps above with callgrind_annotate): its hooks, inclusive (the output "
             "filter's without the filters after it); then its own functions (self cost) and "
             "the httpd/APR/libc functions they call (inclusive, calls per request). The rest "
             "of the difference from no CORS is httpd's: running the hooks, and above all "
             "checking, merging (Vary) and writing the headers mod_cors sets.", "",
             "| | " + " | ".join(KIND_LABEL[k] for k in kinds) + " |",
             "|---|" + "---:|" * len(kinds)]

    def row(label, values):
        lines.append(f"| {label} | " + " | ".join(values) + " |")

    if "nocors" in ir and "cors" in ir:
        row("**mod_cors - no CORS (table above)**",
            [fmt_delta(ir["cors"][k] - ir["nocors"][k]) for k in kinds])
    row("**all hooks of mod_cors**",
        [fmt_int(sum(profile[k]["hooks"].values())) for k in kinds])
    for h in MODULE_HOOKS:
        if any(h in profile[k]["hooks"] for k in kinds):
            row(f"hook {h}", [fmt_int(profile[k]["hooks"][h]) if h in profile[k]["hooks"]
                              else "-" for k in kinds])
    funcs = sorted({f for k in kinds for f in profile[k]["self"]},
                   key=lambda f: -max(profile[k]["self"].get(f, 0) for k in kinds))
    for f in funcs:
        if max(profile[k]["self"].get(f, 0) for k in kinds) >= 10:
            row(f"self: {f}", [fmt_int(profile[k]["self"][f]) if f in profile[k]["self"]
                               else "-" for k in kinds])
    callees = sorted({f for k in kinds for f in profile[k]["calls"]},
                     key=lambda f: -max(profile[k]["calls"].get(f, [0])[0] for k in kinds))
    for f in callees:
        if max(profile[k]["calls"].get(f, [0])[0] for k in kinds) >= 10:
            row(f"calls: {f}", [
                f"{fmt_int(profile[k]['calls'][f][0])} ({profile[k]['calls'][f][1]:.0f}x)"
                if f in profile[k]["calls"] else "-" for k in kinds])
    return lines


def wrk_table(wrk: dict) -> list[str]:
    lines = ["| configuration | request | req/s (median) | x no CORS | p99 latency (median) "
             "| x no CORS | req/s of each round |",
             "|---|---|---:|---:|---:|---:|---|"]
    for cfg in CONFIGS:
        for k in cfg.wrk_kinds:
            r = wrk.get((cfg.key, k))
            if not r:
                continue
            b = wrk.get(("nocors", k))
            ratio_rps = f"{r['rps'] / b['rps']:.3f}" if b else "-"
            ratio_p99 = f"{r['p99'] / b['p99']:.3f}" if b else "-"
            bad = f" ({r['bad']} errors or non-2xx!)" if r["bad"] else ""
            lines.append(f"| {cfg.label} | {KIND_LABEL[k]} | {r['rps']:,.0f}{bad} | "
                         f"{ratio_rps} | {r['p99']:,.0f} µs | {ratio_p99} | "
                         + ", ".join(f"{x:,.0f}" for x in r["rounds"]) + " |")
    return lines


def micro_table(micro: list) -> list[str]:
    lines = ["Nanoseconds per call of the origin and list logic (origin: "
             "cors_origin_is_valid + cors_origins_match; request headers: cors_request_headers_check). They move "
             "with the machine's load from run to run; the instruction counts above do not.",
             "", "| decision | ns per call |", "|---|---:|"]
    for name, ns, what in micro:
        lines.append(f"| {what} | {ns:,.1f} |")
    return lines


def goals(ir: dict) -> tuple[list[str], list[str]]:
    """(lines, numbers of the missed goals), from the figures of this run only: a goal
    whose configurations were not measured is left out."""
    lines, missed = [], []

    def verdict(ok: bool, name: str) -> str:
        if not ok:
            missed.append(name)
        return "**MET**" if ok else "**MISSED**"

    def worst(num: dict, den: dict) -> tuple[str, float]:
        k = max(ALL_KINDS, key=lambda k: num[k] / den[k])
        return k, num[k] / den[k]

    # 1. What reading the policy from .htaccess costs (mod_cors with the policy in
    # .htaccess, over the same policy at server level and an empty .htaccess: the CORS
    # work of the request itself is the same in both), against what httpd spends
    # reading the same lines for a module whose handlers do nothing (over an empty
    # .htaccess).  Per kind; the verdict is on the worst.
    cases = [("the benchmark's policy (2 origins)", "cors-htaccess", "cors-htaccess-empty",
              "noop-htaccess"),
             ("20 origins + 3 patterns", "cors-htaccess-20", "cors-htaccess-20-empty",
              "noop-htaccess-20")]
    e = ir.get("noop-htaccess-empty")
    for i, (what, m_key, me_key, n_key) in enumerate(cases):
        m, me, n = ir.get(m_key), ir.get(me_key), ir.get(n_key)
        if not (m and me and n and e):
            continue
        cost = {k: m[k] - me[k] for k in ALL_KINDS}
        floor = {k: n[k] - e[k] for k in ALL_KINDS}
        k, ratio = worst(cost, floor)
        sub = "ab"[i]
        lines.append(f"1{sub}. a policy in .htaccess, {what}, costs at most "
                     f"{GOAL_HTACCESS_RATIO} x httpd reading the same lines as no-ops: "
                     + ", ".join(f"{KIND_LABEL[x]} {fmt_delta(cost[x])} / "
                                 f"{fmt_delta(floor[x])} = {cost[x] / floor[x]:.3f}"
                                 for x in ALL_KINDS)
                     + f"; worst {ratio:.3f} ({KIND_LABEL[k]}) -> "
                     f"{verdict(ratio <= GOAL_HTACCESS_RATIO, '1' + sub)}")
        if ir.get("htaccess-empty"):
            x = "get-allowed"
            raw = m[x] - ir["htaccess-empty"][x]
            lines.append(f"    - informative: the same configuration over no CORS with an "
                         f"empty .htaccess, the CORS work of the request included: "
                         f"{fmt_delta(raw)} ({raw / floor[x]:.3f} x) for a "
                         f"{KIND_LABEL[x]}")
    c, fs = ir.get("cors"), ir.get("floor-same")
    if c and fs:
        ratio = c["preflight"] / fs["preflight"]
        lines.append(f"2. a preflight costs at most {GOAL_PREFLIGHT_RATIO} x a module answering "
                     f"with the same headers and deciding nothing: {fmt_int(c['preflight'])} / "
                     f"{fmt_int(fs['preflight'])} = {ratio:.3f} -> "
                     f"{verdict(ratio <= GOAL_PREFLIGHT_RATIO, '2')}")
        own = c["get-allowed"] - fs["get-allowed"]
        lines.append(f"3. an allowed actual GET: mod_cors's own work over the module sending the "
                     f"same four headers at most {GOAL_OWN_WORK}: {fmt_int(c['get-allowed'])} - "
                     f"{fmt_int(fs['get-allowed'])} = {fmt_delta(own)} -> "
                     f"{verdict(own <= GOAL_OWN_WORK, '3')}")
    a = ir.get("cors-10k")
    if a and c:
        k, ratio = worst(a, c)
        lines.append(f"4. 10,000 origins (+ 100 patterns) stay within "
                     f"{GOAL_SCALE_RATIO - 1:.0%} of the 2-origin policy of goal 2: "
                     + ", ".join(f"{KIND_LABEL[x]} {a[x] / c[x]:.4f}" for x in ALL_KINDS)
                     + f"; worst {ratio:.4f} -> {verdict(ratio <= GOAL_SCALE_RATIO, '4')}")
    m = ir.get("cors-map-1m")
    if m and c:
        k, ratio = worst(m, c)
        lines.append(f"5. a txt map of 1,000,000 entries within {GOAL_MAP_RATIO - 1:.0%} of "
                     f"2 configured origins (the policy of goal 2; the allowed origin is in "
                     f"the map): "
                     + ", ".join(f"{KIND_LABEL[x]} {fmt_int(m[x])} / {fmt_int(c[x])} = "
                                 f"{m[x] / c[x]:.4f}" for x in ALL_KINDS)
                     + f"; worst {ratio:.4f} ({KIND_LABEL[k]}) -> "
                     f"{verdict(ratio <= GOAL_MAP_RATIO, '5')}")
        for key in ("cors-map-1", "cors-map-10k", "cors-sdbm-1m"):
            o = ir.get(key)
            if o:
                lines.append(f"    - informative: {CONFIG[key].label} / 2 configured origins: "
                             + ", ".join(f"{KIND_LABEL[x]} {o[x] / c[x]:.4f}"
                                         for x in ALL_KINDS))
    return lines, missed


def report(results: dict, elapsed: float) -> str:
    md = ["# mod_cors benchmarks", "",
          "Written by `make bench` (bench/run.py, mk/bench.mk); running it again rewrites "
          "this file.", ""]
    md += machine_section()
    md += method_section()
    ir = results.get("callgrind", {}).get("ir", {})
    if ir:
        md += ["## 1. Instructions per request (callgrind)", ""] + ir_table(ir)
        md += profile_table(results["callgrind"].get("profile", {}), ir) + [""]
    if "wrk" in results:
        md += ["## 2. Throughput (wrk)", ""] + wrk_table(results["wrk"]) + [""]
    if "micro" in results:
        md += ["## 3. Decision microbenchmark (bench/micro.c)", ""] \
            + micro_table(results["micro"]) + [""]
    if ir:
        glines, missed = goals(ir)
        md += ["## Goals", ""] + glines + [""]
    md += [f"The whole run took {elapsed / 60:.1f} min.", ""]
    return "\n".join(md)


def kept_sections(path: pathlib.Path) -> str:
    """The sections other benchmarks write into the file between their markers
    ("<!-- bench-regex: begin -->" ... "end -->"), kept when the file is rewritten."""
    old = path.read_text() if path.exists() else ""
    blocks = re.finditer(r"<!-- ([a-z-]+): begin -->.*?<!-- \1: end -->\n?", old, re.S)
    return "".join("\n" + b.group(0) for b in blocks)


def write_kept_section(name: str, text: str, path: pathlib.Path = OUT_MD) -> None:
    """Puts text into path between the markers of `name` (see kept_sections), in place of
    the section written before, or at the end."""
    text = f"<!-- {name}: begin -->\n{text.strip()}\n<!-- {name}: end -->\n"
    md = path.read_text() if path.exists() else ""
    pat = re.compile(rf"<!-- {re.escape(name)}: begin -->.*?<!-- {re.escape(name)}: end -->\n?",
                     re.S)
    md = pat.sub(lambda _: text, md) if pat.search(md) else md.rstrip("\n") + "\n\n" + text
    path.write_text(md)


def main() -> int:
    t0 = time.monotonic()
    for tool, hint in (("valgrind", "valgrind"), ("callgrind_control", "valgrind"),
                       ("wrk", "wrk")):
        if shutil.which(tool) is None:
            log(f"bench: {tool} is missing: sh tools/ensure-pkgs.sh {hint}")
            return 1
    for path in (MOD_CORS, FLOOR, FLOOR_SAME, NOOP):
        if not path.exists():
            log(f"bench: {path} is missing: run `make bench`")
            return 1
    WORK.mkdir(parents=True, exist_ok=True)
    results = {}
    try:
        if "micro" in PARTS:
            results["micro"] = part_micro()
            print("\n".join(["", "## 3. Decision microbenchmark", ""]
                            + micro_table(results["micro"])), flush=True)
        if "callgrind" in PARTS:
            results["callgrind"] = part_callgrind()
            print("\n".join(["", "## 1. Instructions per request", ""]
                            + ir_table(results["callgrind"]["ir"])), flush=True)
        if "wrk" in PARTS:
            results["wrk"] = part_wrk()
    except BenchError as e:
        log(f"bench: {e}")
        return 1
    text = report(results, time.monotonic() - t0)
    print("\n" + text)
    complete = all(p in PARTS for p in ("micro", "callgrind", "wrk"))
    target = OUT_MD if complete else PARTIAL_MD
    target.write_text(text + kept_sections(target))
    log(f"bench: wrote {target.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
