#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Soak test of mod_cors: wrk drives a mix of CORS requests at 200 connections for a while
against a throw-away httpd under each MPM, and everything that comes back is checked.

    /usr/bin/python3 tests/soak/soak.py [--seconds 60] [--connections 200]
                                          [--mpms event,worker,prefork]

(`make soak` runs it; SOAK_SECONDS, SOAK_CONNECTIONS, SOAK_MPMS override the defaults.)

Per MPM:
  * wrk with tests/soak/mix.lua sends the request kinds of KINDS below in turn: allowed and
    denied preflights, actual requests (allowed, denied, without Origin, a 404, a `*`
    policy), malformed CORS headers, and a malformed header line.  The script checks the
    status and the Access-Control-Allow-Origin of every response, per kind.
  * meanwhile a checker sends every kind CHECKS (50) times over its own connections and
    checks every header of the answer: the exact set of Access-Control-* headers and their
    values, the Vary tokens, no duplicate header, the echoed X-Kind;
  * a second access log records "kind status note" for every request: each line must show
    the status and the `cors` note expected for its kind;
  * the resident memory of the httpd children (sum of VmRSS, and of RssAnon, from /proc) is
    read after a 5 s warm-up under load and again when wrk ends;
  * the error log must show no crash and no [warn]/[error] line.

It prints a table per MPM and exits 1 if anything was off: a socket error (connect, read,
write, timeout), an unexpected status or Access-Control-Allow-Origin, a checker failure, an
access-log line that does not match its kind, or an error-log line.
"""

from __future__ import annotations

import argparse
import http.client
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "tests" / "lib"))

from httpd_harness import Httpd, child_statuses, status_kb  # noqa: E402

APP = "https://app.example.com"
SUB = "https://x.example.org"
EVIL = "https://evil.example"
ANY = "https://any.test"


def mpm_conf(prefork_children: int) -> str:
    """The MPM settings of the soaks.  200 connections are served at once: every keep-alive
    connection holds a thread (event, worker) or a process (prefork).  Under event, a child
    whose workers are all busy closes its idle keep-alive connections, which races with the
    client's next request (a read error for wrk): so every child has a worker for each of
    the 200 connections, and no child ever has them all busy.  Children are never recycled,
    so that their memory can be compared."""
    min_spare = min(8, prefork_children)
    return f"""
<IfModule !mpm_prefork_module>
  StartServers 2
  ServerLimit 2
  ThreadLimit 256
  ThreadsPerChild 256
  MaxRequestWorkers 512
  MinSpareThreads 256
  MaxSpareThreads 512
  MaxConnectionsPerChild 0
</IfModule>
<IfModule mpm_prefork_module>
  StartServers {prefork_children}
  ServerLimit {prefork_children}
  MaxRequestWorkers {prefork_children}
  MinSpareServers {min_spare}
  MaxSpareServers {prefork_children}
  MaxConnectionsPerChild 0
</IfModule>
"""


CONF = mpm_conf(256) + r"""
KeepAlive On
MaxKeepAliveRequests 100
KeepAliveTimeout 5
Timeout 10
ListenBacklog 1024

# Echo the request kind, so that wrk's script can tell which answer it is reading.
Header always set X-Kind "expr=%{req:X-Kind}" early
LogFormat "%{X-Kind}i %>s %{cors}n" soakkind
CustomLog "${SERVERROOT}/logs/kinds_log" soakkind

<Location "/api/">
  CORSAllowOrigin https://app.example.com https://*.example.org
  CORSAllowMethods GET POST PUT DELETE
  CORSAllowHeaders Content-Type X-Requested-With Authorization
  CORSExposeHeaders X-Total-Count
  CORSAllowCredentials On
  CORSMaxAge 600
</Location>

<Location "/star/">
  CORSAllowOrigin *
  CORSAllowMethods *
  CORSExposeHeaders X-Total-Count
</Location>
"""

FILES = {
    "htdocs/api/r": "api resource\n" * 8,
    "htdocs/star/r": "star resource\n" * 8,
}

PF_VARY = ["Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"]

API_OK = {   # what an allowed actual request under /api/ gets, besides ACAO
    "access-control-allow-credentials": "true",
    "access-control-expose-headers": "X-Total-Count",
}
API_PF_OK = {
    "access-control-allow-credentials": "true",
    "access-control-allow-methods": "GET, POST, PUT, DELETE",
    "access-control-allow-headers": "Content-Type, X-Requested-With, Authorization",
    "access-control-max-age": "600",
}


class Kind:
    def __init__(self, name, method, path, headers, status, acao, *, extra=None, vary=None,
                 note=None, raw_lines=(), echo=True):
        self.name = name
        self.method = method
        self.path = path
        self.headers = list(headers)      # request headers: (name, value) pairs
        self.raw_lines = list(raw_lines)  # request lines sent as they are (malformed ones)
        self.status = status
        self.acao = acao                  # expected ACAO or None
        cors = dict(extra or {})
        if acao is not None:
            cors["access-control-allow-origin"] = acao
        self.cors = cors                  # every expected Access-Control-* header
        self.vary = vary                  # expected Vary tokens, in order
        self.note = note                  # expected `cors` request note ("-": none)
        self.echo = echo

    def raw(self, port, close=False) -> bytes:
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
        if self.echo:
            lines.append(f"X-Kind: {self.name}")
        lines += [f"{k}: {v}" for k, v in self.headers]
        lines += self.raw_lines
        if close:
            lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def pf(origin, method, req_headers=None):
    h = [("Origin", origin), ("Access-Control-Request-Method", method)]
    if req_headers is not None:
        h.append(("Access-Control-Request-Headers", req_headers))
    return h


LONG_ACRH = ", ".join(f"x-h{i}" for i in range(100))             # > 64 names
BIG_ACRH = ", ".join("x-" + "a" * 120 + str(i) for i in range(40))  # > 4096 bytes, < 64 names

KINDS = [
    # preflights
    Kind("pf-ok", "OPTIONS", "/api/r", pf(APP, "PUT", "content-type, x-requested-with"), 204,
         APP, extra=API_PF_OK, vary=PF_VARY, note="preflight-ok"),
    Kind("pf-sub-ok", "OPTIONS", "/api/r", pf(SUB, "DELETE", "X-Requested-With"), 204, SUB,
         extra=API_PF_OK, vary=PF_VARY, note="preflight-ok"),
    Kind("pf-deny-origin", "OPTIONS", "/api/r", pf(EVIL, "PUT"), 403, None, vary=PF_VARY,
         note="preflight-denied-origin"),
    Kind("pf-deny-method", "OPTIONS", "/api/r", pf(APP, "PURGE"), 403, None, vary=PF_VARY,
         note="preflight-denied-method"),
    Kind("pf-deny-header", "OPTIONS", "/api/r", pf(APP, "PUT", "x-secret"), 403, None,
         vary=PF_VARY, note="preflight-denied-headers"),
    Kind("pf-star", "OPTIONS", "/star/r", pf(ANY, "PATCH"), 204, "*",
         extra={"access-control-allow-methods": "*"}, vary=PF_VARY, note="preflight-ok"),
    # actual requests
    Kind("get-ok", "GET", "/api/r", [("Origin", APP)], 200, APP, extra=API_OK,
         vary=["Origin"], note="allowed"),
    Kind("get-sub-ok", "GET", "/api/r", [("Origin", SUB)], 200, SUB, extra=API_OK,
         vary=["Origin"], note="allowed"),
    Kind("get-deny", "GET", "/api/r", [("Origin", EVIL)], 200, None, vary=["Origin"],
         note="denied-origin"),
    Kind("get-no-origin", "GET", "/api/r", [], 200, None, vary=["Origin"], note="no-origin"),
    Kind("get-404", "GET", "/api/missing", [("Origin", APP)], 404, APP, extra=API_OK,
         vary=["Origin"], note="allowed"),
    Kind("options-actual", "OPTIONS", "/api/r", [("Origin", APP)], 200, APP, extra=API_OK,
         vary=["Origin"], note="allowed"),
    Kind("get-star", "GET", "/star/r", [("Origin", ANY)], 200, "*",
         extra={"access-control-expose-headers": "X-Total-Count"}, vary=[], note="allowed"),
    Kind("get-star-no-origin", "GET", "/star/r", [], 200, "*",
         extra={"access-control-expose-headers": "X-Total-Count"}, vary=[], note="no-origin"),
    # malformed CORS headers
    Kind("bad-origin-slash", "GET", "/api/r", [("Origin", APP + "/")], 200, None,
         vary=["Origin"], note="denied-origin"),
    Kind("bad-origin-upper", "GET", "/api/r", [("Origin", "https://APP.example.com")], 200,
         None, vary=["Origin"], note="denied-origin"),
    Kind("bad-origin-two", "GET", "/api/r", [("Origin", APP), ("Origin", SUB)], 200, None,
         vary=["Origin"], note="denied-origin"),
    Kind("bad-origin-space", "GET", "/api/r", [("Origin", "https://app.example.com x")], 200,
         None, vary=["Origin"], note="denied-origin"),
    Kind("bad-pf-null", "OPTIONS", "/api/r", pf("null", "GET"), 403, None, vary=PF_VARY,
         note="preflight-denied-origin"),
    Kind("bad-pf-acrm-list", "OPTIONS", "/api/r", pf(APP, "GET, DELETE"), 403, None,
         vary=PF_VARY, note="preflight-denied-method"),
    Kind("bad-pf-acrh-long", "OPTIONS", "/api/r", pf(APP, "PUT", LONG_ACRH), 403, None,
         vary=PF_VARY, note="preflight-denied-headers"),
    Kind("bad-pf-acrh-big", "OPTIONS", "/api/r", pf(APP, "PUT", BIG_ACRH), 403, None,
         vary=PF_VARY, note="preflight-denied-headers"),
    Kind("bad-pf-acrh-token", "OPTIONS", "/api/r", pf(APP, "PUT", "x-requested-with, a b, (c)"),
         403, None, vary=PF_VARY, note="preflight-denied-headers"),
    # a header line without ':' -- httpd answers 400 before any module sees the request
    Kind("bad-header-line", "GET", "/api/r", [("Origin", APP)], 400, None, vary=None,
         note="-", raw_lines=["This line has no colon"], echo=False),
]


# ---------------------------------------------------------------------------------------------

def write_kinds(path: pathlib.Path, port: int):
    with open(path, "w") as f:
        for k in KINDS:
            f.write(f"{k.name}\t{k.status}\t{k.acao or '-'}\t{k.raw(port).hex()}\n")


def children_memory(parent: int) -> tuple[int, int, int]:
    """(number of children, sum of VmRSS kB, sum of RssAnon kB) of the httpd children."""
    statuses = child_statuses(parent).values()
    return (len(statuses), sum(status_kb(st, "VmRSS") for st in statuses),
            sum(status_kb(st, "RssAnon") for st in statuses))


def send_and_check(kind: Kind, port: int) -> str | None:
    """One request of this kind on its own connection; None if every header is right,
    else what is wrong."""
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    except OSError as e:
        return f"connect: {e}"
    try:
        sock.sendall(kind.raw(port, close=True))
        resp = http.client.HTTPResponse(sock, method=kind.method)
        resp.begin()
        headers = resp.getheaders()
        body = resp.read()
    except (OSError, http.client.HTTPException) as e:
        return f"{type(e).__name__}: {e}"
    finally:
        sock.close()
    problems = []
    shown = "".join(f"\n    {k}: {v}" for k, v in headers)
    if resp.status != kind.status:
        problems.append(f"status {resp.status}, expected {kind.status}")
    names = [k.lower() for k, _ in headers]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        problems.append(f"duplicate headers {dups}")
    cors = {k.lower(): v for k, v in headers if k.lower().startswith("access-control-")}
    if cors != kind.cors:
        problems.append(f"Access-Control-* {cors}, expected {kind.cors}")
    if kind.vary is not None:
        vary = [t.strip() for k, v in headers if k.lower() == "vary" for t in v.split(",")]
        if vary != kind.vary:
            problems.append(f"Vary {vary}, expected {kind.vary}")
    echo = [v for k, v in headers if k.lower() == "x-kind"]
    if kind.echo and echo != [kind.name]:
        problems.append(f"X-Kind {echo}")
    if kind.method == "OPTIONS" and kind.status in (204, 403) and body:
        problems.append(f"preflight answer has a body ({len(body)} bytes)")
    if problems:
        return f"{kind.name}: " + "; ".join(problems) + shown
    return None


class Checker(threading.Thread):
    """Sends every kind `rounds` times, spread over `seconds`."""

    def __init__(self, port: int, rounds: int, seconds: float):
        super().__init__(daemon=True)
        self.port, self.rounds, self.seconds = port, rounds, seconds
        self.sent = 0
        self.failures: list[str] = []

    def run(self):
        pause = max(0.0, self.seconds / self.rounds - 0.002 * len(KINDS))
        for _ in range(self.rounds):
            t0 = time.monotonic()
            for kind in KINDS:
                err = send_and_check(kind, self.port)
                self.sent += 1
                if err:
                    self.failures.append(err)
            spent = time.monotonic() - t0
            time.sleep(max(0.0, pause - spent))


def parse_wrk(out: str) -> dict:
    res = {"kinds": {}, "bad": []}
    for line in out.splitlines():
        if line.startswith("SOAK total "):
            res.update({k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)})
        elif line.startswith("SOAK latency "):
            res.update({k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)})
        elif line.startswith("SOAK kind "):
            name = line.split()[2]
            fields = dict(re.findall(r"(\w+)=(\S*)", line))
            res["kinds"][name] = fields
        elif line.startswith("SOAK bad "):
            res["bad"].append(line[9:])
    return res


def check_kinds_log(path: pathlib.Path) -> tuple[int, int, list[str]]:
    """(lines, mismatches, examples): every 'kind status note' line against its kind."""
    by_name = {k.name: k for k in KINDS}
    unkeyed = [k for k in KINDS if not k.echo]
    lines = bad = 0
    examples: list[str] = []
    with open(path, errors="replace") as f:
        for line in f:
            lines += 1
            parts = line.split()
            if len(parts) != 3:
                bad += 1
                if len(examples) < 5:
                    examples.append(line.strip())
                continue
            name, status, note = parts
            kind = by_name.get(name) or (unkeyed[0] if name == "-" and unkeyed else None)
            ok = kind is not None and status == str(kind.status) and \
                (kind.note is None or note == kind.note)
            if not ok:
                bad += 1
                if len(examples) < 5:
                    examples.append(line.strip())
    return lines, bad, examples


def run_mpm(mpm: str, args, workdir: pathlib.Path) -> dict:
    print(f"== soak: MPM={mpm}, {args.connections} connections, {args.seconds} s", flush=True)
    srv = Httpd(workdir / mpm, CONF, files=FILES, mpm=mpm, modules=("headers",),
                loglevel="warn")
    kinds_file = srv.root / "kinds.txt"
    write_kinds(kinds_file, srv.port)
    srv.start()
    result = {"mpm": mpm, "problems": []}
    try:
        srv.check_log()
        # every kind once, before the load: fail fast on a plain mistake
        for kind in KINDS:
            err = send_and_check(kind, srv.port)
            if err:
                result["problems"].append("before the load: " + err)
        cmd = ["wrk", "-t", str(args.threads), "-c", str(args.connections),
               "-d", f"{args.seconds}s", "--timeout", "5s", "-s", str(HERE / "mix.lua"),
               f"http://127.0.0.1:{srv.port}/", "--", str(kinds_file)]
        wrk = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        warmup = min(5.0, args.seconds / 4)
        time.sleep(warmup)
        result["before"] = children_memory(srv.proc.pid)
        checker = Checker(srv.port, args.checks, max(1.0, args.seconds - warmup - 3))
        checker.start()
        # RSS every 10 s while wrk runs: a leak grows steadily, a warm-up levels off
        samples = [(warmup, result["before"][1])]
        deadline = time.monotonic() + args.seconds + 60
        next_sample = time.monotonic() + 10
        t0 = time.monotonic() - warmup
        while wrk.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
            if time.monotonic() >= next_sample and wrk.poll() is None:
                samples.append((time.monotonic() - t0, children_memory(srv.proc.pid)[1]))
                next_sample += 10
        if wrk.poll() is None:
            wrk.kill()
            result["problems"].append("wrk did not finish in time")
        result["after"] = children_memory(srv.proc.pid)
        samples.append((time.monotonic() - t0, result["after"][1]))
        result["rss_samples"] = samples
        out, _ = wrk.communicate()
        checker.join(timeout=60)
        if checker.is_alive():
            result["problems"].append("the checker did not finish")
        if wrk.returncode != 0:
            result["problems"].append(f"wrk exited {wrk.returncode}:\n{out}")
        w = parse_wrk(out)
        result["wrk"] = w
        result["wrk_output"] = out
        result["checks"] = checker.sent
        result["problems"] += [f"checker: {f}" for f in checker.failures[:10]]
        if len(checker.failures) > 10:
            result["problems"].append(f"checker: ... {len(checker.failures)} failures in all")
        result["check_failures"] = len(checker.failures)
        if "requests" not in w:
            result["problems"].append(f"no summary from mix.lua:\n{out}")
        else:
            sock_errors = w["connect"] + w["read"] + w["write"] + w["timeout"]
            result["socket_errors"] = sock_errors
            if sock_errors:
                result["problems"].append(
                    f"socket errors: connect {w['connect']}, read {w['read']}, "
                    f"write {w['write']}, timeout {w['timeout']}")
            unexpected = sum(int(f.get("bad_status", 0)) for f in w["kinds"].values())
            wrong_acao = sum(int(f.get("bad_acao", 0)) for f in w["kinds"].values())
            result["unexpected"] = unexpected
            result["wrong_acao"] = wrong_acao
            if unexpected or wrong_acao:
                result["problems"].append(
                    f"{unexpected} unexpected statuses, {wrong_acao} wrong ACAO: "
                    + "; ".join(w["bad"][:10]))
            missing = [k.name for k in KINDS if int(w["kinds"].get(k.name, {}).get("got", 0)) == 0]
            if missing:
                result["problems"].append(f"kinds never answered: {missing}")
            if w["requests"] == 0:
                result["problems"].append("no request completed")
    finally:
        srv.stop()
    try:
        srv.check_log()
    except AssertionError as e:
        result["problems"].append(str(e)[:3000])
    lines, bad, examples = check_kinds_log(srv.root / "logs" / "kinds_log")
    result["logged"], result["log_mismatch"] = lines, bad
    if bad:
        result["problems"].append(f"{bad} of {lines} access-log lines do not match their kind: "
                                  + " | ".join(examples))
    if not args.keep:
        shutil.rmtree(srv.root, ignore_errors=True)
    return result


def mib(kb: int) -> str:
    return f"{kb / 1024:.1f}"


def print_tables(results: list[dict], args):
    print()
    print(f"mod_cors soak: {args.connections} connections, {args.seconds} s, "
          f"{len(KINDS)} request kinds, {args.checks} checked samples of each kind per MPM")
    head = (f"{'MPM':<8} {'requests':>10} {'req/s':>9} {'sock err':>8} {'unexp st':>8} "
            f"{'bad ACAO':>8} {'checks':>7} {'chk fail':>8} {'log bad':>7} "
            f"{'children':>9} {'RSS before MiB':>14} {'RSS after MiB':>13} "
            f"{'anon before':>11} {'anon after':>10}  result")
    print(head)
    print("-" * len(head))
    for r in results:
        w = r.get("wrk", {})
        reqs = w.get("requests", 0)
        dur = w.get("duration_us", 0) / 1e6 or 1
        b = r.get("before", (0, 0, 0))
        a = r.get("after", (0, 0, 0))
        print(f"{r['mpm']:<8} {reqs:>10} {reqs / dur:>9.0f} {r.get('socket_errors', '?'):>8} "
              f"{r.get('unexpected', '?'):>8} {r.get('wrong_acao', '?'):>8} "
              f"{r.get('checks', 0):>7} {r.get('check_failures', '?'):>8} "
              f"{r.get('log_mismatch', '?'):>7} {f'{b[0]}->{a[0]}':>9} {mib(b[1]):>14} "
              f"{mib(a[1]):>13} {mib(b[2]):>11} {mib(a[2]):>10}  "
              f"{'ok' if not r['problems'] else 'FAILED'}")
    print()
    for r in results:
        w = r.get("wrk", {})
        if w.get("kinds"):
            print(f"{r['mpm']}: latency mean {w.get('mean_us', 0) / 1000:.1f} ms, "
                  f"p99 {w.get('p99_us', 0) / 1000:.1f} ms, max {w.get('max_us', 0) / 1000:.1f} "
                  f"ms; answers per kind:")
            for name, f in sorted(w["kinds"].items()):
                print(f"    {name:<20} got {f.get('got'):>8}  statuses {f.get('statuses')}"
                      f"{'  bad_status ' + f['bad_status'] if f.get('bad_status') != '0' else ''}"
                      f"{'  bad_acao ' + f['bad_acao'] if f.get('bad_acao') != '0' else ''}")
        if r.get("rss_samples"):
            print(f"{r['mpm']}: children's VmRSS (MiB) at t seconds: "
                  + ", ".join(f"{t:.0f}s {mib(kb)}" for t, kb in r["rss_samples"]))
        for p in r["problems"]:
            print(f"  PROBLEM ({r['mpm']}): {p}")
    print()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=int, default=int(os.environ.get("SOAK_SECONDS", 60)))
    ap.add_argument("--connections", type=int,
                    default=int(os.environ.get("SOAK_CONNECTIONS", 200)))
    ap.add_argument("--threads", type=int, default=int(os.environ.get("SOAK_THREADS", 2)))
    ap.add_argument("--checks", type=int, default=50, help="checked samples of each kind")
    ap.add_argument("--mpms", default=os.environ.get("SOAK_MPMS", "event,worker,prefork"))
    ap.add_argument("--workdir", default=None, help="default: a new directory under /tmp")
    ap.add_argument("--keep", action="store_true", help="keep the server roots and logs")
    ap.add_argument("--kinds", default=os.environ.get("SOAK_KINDS", ""),
                    help="comma-separated kind names to send (default: all)")
    args = ap.parse_args()
    if args.kinds:
        wanted = set(args.kinds.split(","))
        unknown = wanted - {k.name for k in KINDS}
        if unknown:
            ap.error(f"unknown kinds {sorted(unknown)}; known: {[k.name for k in KINDS]}")
        KINDS[:] = [k for k in KINDS if k.name in wanted]
    if args.seconds < 10:
        ap.error("--seconds must be at least 10")
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian package wrk): run `make soak`")
    workdir = pathlib.Path(args.workdir or tempfile.mkdtemp(prefix="mod_cors-soak-"))
    workdir.mkdir(parents=True, exist_ok=True)
    os.chmod(workdir, 0o755)
    results = []
    for mpm in [m.strip() for m in args.mpms.split(",") if m.strip()]:
        results.append(run_mpm(mpm, args, workdir))
        print_tables(results[-1:], args)
    print("== summary")
    print_tables(results, args)
    if not args.keep and not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    failed = [r["mpm"] for r in results if r["problems"]]
    if failed:
        print(f"soak: FAILED under {', '.join(failed)}")
        sys.exit(1)
    print(f"soak: passed under {', '.join(r['mpm'] for r in results)}")


if __name__ == "__main__":
    main()
