#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Soak test of CORSAllowOriginMap: wrk at 200 connections for a while against httpd with a
txt map that a writer replaces every second, by rename, alternating a small and a large
version, under each MPM; every answer is checked against the versions.

    /usr/bin/python3 tests/soak/map_soak.py [--seconds 60] [--connections 200]
        [--mpms event,worker,prefork] [--small 10000] [--large 100000] [--interval 1]

(`make soak-map` runs it; SOAK_SECONDS, SOAK_CONNECTIONS, SOAK_MPMS, SOAK_MAP_SMALL,
SOAK_MAP_LARGE override the defaults.)

The origins (ORIGINS below): some are in every version (ALWAYS, one of them through a
`*.` pattern), some only in the large one (LARGE_ONLY, one through a pattern), some in
none (NEVER); the rest of each version is filler.  wrk with tests/soak/mix.lua sends
actual requests and preflights from them all and checks each answer's status and
Access-Control-Allow-Origin against the versions in force just before and just after a
swap: an origin in both must always be allowed, one in neither never, one in only one of
them may be either way (mix.lua's "?VALUE").  That the swaps were seen at all is checked
too: each LARGE_ONLY origin must have been allowed at times and refused at times.

Memory: the VmRSS of each child after the warm-up (the small version in force, nothing
reloaded yet) and a few seconds after the last swap (the small version again, the large
one freed); a child must not have grown by more than --rss-slack MiB (default 16, more
than one large version: a child that kept every retired version would grow by hundreds).
Every reload is logged (LogLevel cors:info): each child must have reloaded, and the
reload times are printed.

Under prefork every child reloads the map itself, in the first request it serves after a
change; the test runs --prefork-children (8) children with keep-alive off, so that 200
connections share them (with keep-alive each connection would hold a child).
Fails (exit 1) on a socket error, a wrong status or Access-Control-Allow-Origin, a
LARGE_ONLY origin never allowed or never refused, a child that never reloaded or grew, or
an error-log line.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "tests" / "lib"))

from httpd_harness import MAP_RELOAD_RE, Httpd, child_statuses, status_kb  # noqa: E402
from soak import Kind, mpm_conf, parse_wrk, pf  # noqa: E402

# What each version holds, by category; a tuple is (entry in the map, origin requested).
ALWAYS = [("https://always0.example.com",) * 2,
          ("https://always1.example.com:8443",) * 2,
          ("http://always2.example.com",) * 2,
          ("https://*.tenants.example.org", "https://a.tenants.example.org")]
LARGE_ONLY = [("https://large0.example.com",) * 2,
              ("https://large1.example.com:8443",) * 2,
              ("https://*.big.example.org", "https://x.big.example.org")]
NEVER = ["https://never0.example.com", "https://evil.example",
         "https://always0.example.com.evil.example", "https://a.tenants.example.net",
         "http://always0.example.com"]

CONF = r"""
MaxKeepAliveRequests 0
KeepAliveTimeout 5
Timeout 10
ListenBacklog 1024
<IfModule !mpm_prefork_module>
  KeepAlive On
</IfModule>
<IfModule mpm_prefork_module>
  KeepAlive Off
</IfModule>
{mpm}
Header always set X-Kind "expr=%{{req:X-Kind}}" early

<Location "/api/">
  CORSAllowOriginMap txt:${{SERVERROOT}}/origins.txt
  CORSAllowMethods GET PUT
  CORSAllowHeaders Content-Type
  CORSMaxAge 600
</Location>
"""

FILES = {"htdocs/api/r": "api resource\n" * 8}
PF_VARY = ["Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"]
PF_OK = {"access-control-allow-methods": "GET, PUT",
         "access-control-allow-headers": "Content-Type", "access-control-max-age": "600"}
def kinds() -> list[Kind]:
    out = []
    for i, (_, o) in enumerate(ALWAYS):
        out.append(Kind(f"always{i}-get", "GET", "/api/r", [("Origin", o)], 200, o))
        out.append(Kind(f"always{i}-pf", "OPTIONS", "/api/r", pf(o, "PUT", "content-type"),
                        204, o, extra=PF_OK, vary=PF_VARY))
    for i, (_, o) in enumerate(LARGE_ONLY):
        out.append(Kind(f"large{i}-get", "GET", "/api/r", [("Origin", o)], 200, "?" + o))
    for i, o in enumerate(NEVER):
        out.append(Kind(f"never{i}-get", "GET", "/api/r", [("Origin", o)], 200, None))
        out.append(Kind(f"never{i}-pf", "OPTIONS", "/api/r", pf(o, "PUT"), 403, None))
    out.append(Kind("no-origin", "GET", "/api/r", [], 200, None))
    return out


def write_kinds(path: pathlib.Path, port: int, ks: list[Kind]):
    """The kinds file of tests/soak/mix.lua."""
    with open(path, "w") as f:
        for k in ks:
            f.write(f"{k.name}\t{k.status}\t{k.acao or '-'}\t{k.raw(port).hex()}\n")


def write_version(target: pathlib.Path, large: bool, n: int, serial: int):
    """A new file of n entries at a side name, renamed over target.  The filler differs
    from one version to the next (serial), so that every reload builds a new set."""
    side = target.with_name(target.name + ".new")
    head = [e for e, _ in ALWAYS] + ([e for e, _ in LARGE_ONLY] if large else [])
    with open(side, "w") as f:
        f.write("# written by map_soak.py\n")
        f.writelines(f"{e}\n" for e in head)
        f.writelines(f"https://pad{serial}-{i}.example.com\n" for i in range(n - len(head)))
    os.chmod(side, 0o644)
    os.rename(side, target)


def children_rss(parent: int) -> dict[int, int]:
    """VmRSS (kB) of each child of the httpd parent."""
    return {pid: status_kb(st, "VmRSS") for pid, st in child_statuses(parent).items()}


class Writer(threading.Thread):
    """Replaces the map every `interval` seconds from `start` to `stop` (seconds after t0),
    large and small in turn, and ends with the small version in force; then waits `settle`
    seconds and reads every child's RSS."""

    def __init__(self, srv: Httpd, target: pathlib.Path, args, t0: float, start: float,
                 stop: float, settle: float):
        super().__init__(daemon=True)
        self.srv, self.target, self.args = srv, target, args
        self.t0, self.start_at, self.stop_at, self.settle = t0, start, stop, settle
        self.swaps = 0
        self.write_s: list[float] = []
        self.after: dict[int, int] = {}
        self.error: str | None = None

    def run(self):
        try:
            time.sleep(max(0.0, self.t0 + self.start_at - time.monotonic()))
            large = True
            serial = 1
            nxt = time.monotonic()
            while True:
                now = time.monotonic()
                last = now - self.t0 + self.args.interval > self.stop_at
                if last and large:
                    large = False       # always end on the small version
                t = time.monotonic()
                write_version(self.target, large, self.args.large if large else
                              self.args.small, serial)
                self.write_s.append(time.monotonic() - t)
                self.swaps += 1
                serial += 1
                if last:
                    break
                large = not large
                nxt += self.args.interval
                time.sleep(max(0.0, nxt - time.monotonic()))
            time.sleep(self.settle)
            self.after = children_rss(self.srv.proc.pid)
        except Exception as e:      # noqa: BLE001 -- reported as a problem
            self.error = f"{type(e).__name__}: {e}"


def run_mpm(mpm: str, args, workdir: pathlib.Path) -> dict:
    print(f"== map soak: MPM={mpm}, {args.connections} connections, {args.seconds} s, "
          f"a swap every {args.interval:g} s ({args.small:,} / {args.large:,} entries)",
          flush=True)
    ks = kinds()
    srv = Httpd(workdir / mpm, CONF.format(mpm=mpm_conf(args.prefork_children)), files=FILES,
                mpm=mpm, modules=("headers",), loglevel="warn cors:info")
    target = srv.root / "origins.txt"
    write_version(target, False, args.small, 0)
    kinds_file = srv.root / "kinds.txt"
    write_kinds(kinds_file, srv.port, ks)
    srv.start()
    res = {"mpm": mpm, "problems": []}
    try:
        srv.check_log()
        cmd = ["wrk", "-t", str(args.threads), "-c", str(args.connections),
               "-d", f"{args.seconds}s", "--timeout", "5s", "-s", str(HERE / "mix.lua"),
               f"http://127.0.0.1:{srv.port}/", "--", str(kinds_file)]
        t0 = time.monotonic()
        wrk = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        warmup = min(5.0, args.seconds / 6)
        settle = 3.0
        writer = Writer(srv, target, args, t0, warmup + 0.5, args.seconds - settle - 2.5,
                        settle)
        time.sleep(warmup)
        res["before"] = children_rss(srv.proc.pid)
        writer.start()
        try:
            out, _ = wrk.communicate(timeout=args.seconds + 60)
        except subprocess.TimeoutExpired:
            wrk.kill()
            out, _ = wrk.communicate()
            res["problems"].append("wrk did not finish in time")
        writer.join(timeout=30)
        if writer.is_alive() or writer.error:
            res["problems"].append(f"the writer failed: {writer.error or 'still running'}")
        res["after"] = writer.after
        res["swaps"] = writer.swaps
        res["write_ms"] = statistics.median(writer.write_s) * 1000 if writer.write_s else 0
        if wrk.returncode != 0:
            res["problems"].append(f"wrk exited {wrk.returncode}:\n{out}")
        w = parse_wrk(out)
        res["wrk"] = w
    finally:
        srv.stop()
    try:
        # prefork, 200 connections for a few children: all of them busy is the point
        srv.check_log(allow=[r"AH00161: server reached MaxRequestWorkers"] if mpm == "prefork"
                      else [])
    except AssertionError as e:
        res["problems"].append(str(e)[:3000])
    log = srv.error_log()
    reloads: dict[int, list[int]] = {}
    for m in MAP_RELOAD_RE.finditer(log):
        reloads.setdefault(int(m.group(1)), []).append(int(m.group(3)))
    res["reloads"] = reloads
    check(res, ks, args)
    if not args.keep:
        shutil.rmtree(srv.root, ignore_errors=True)
    return res


def check(res: dict, ks: list[Kind], args):
    w, p = res.get("wrk", {}), res["problems"]
    if "requests" not in w:
        p.append("no summary from mix.lua")
        return
    res["socket_errors"] = w["connect"] + w["read"] + w["write"] + w["timeout"]
    if res["socket_errors"]:
        p.append(f"socket errors: connect {w['connect']}, read {w['read']}, write "
                 f"{w['write']}, timeout {w['timeout']}")
    res["bad_status"] = sum(int(f.get("bad_status", 0)) for f in w["kinds"].values())
    res["wrong"] = sum(int(f.get("bad_acao", 0)) for f in w["kinds"].values())
    if res["bad_status"] or res["wrong"]:
        p.append(f"{res['bad_status']} wrong statuses, {res['wrong']} wrong "
                 f"Access-Control-Allow-Origin: " + "; ".join(w["bad"][:10]))
    for k in ks:
        f = w["kinds"].get(k.name, {})
        if int(f.get("got", 0)) == 0:
            p.append(f"{k.name}: never answered")
        elif k.acao and k.acao.startswith("?"):
            allowed, got = int(f.get("with_acao", 0)), int(f.get("got", 0))
            if not 0 < allowed < got:
                p.append(f"{k.name}: allowed in {allowed} of {got} answers; the swaps were "
                         "not seen")
    pids = set(res.get("before", {})) | set(res.get("after", {}))
    for pid in sorted(pids):
        if pid not in res["reloads"]:
            p.append(f"child {pid} never reloaded the map")
        b, a = res["before"].get(pid), res["after"].get(pid)
        if b is None or a is None:
            p.append(f"child {pid}: not there both before and after (RSS {b} -> {a} kB)")
        elif a - b > args.rss_slack * 1024:
            p.append(f"child {pid} grew from {b / 1024:.1f} to {a / 1024:.1f} MiB")
    if res.get("swaps", 0) < 2:
        p.append("fewer than 2 swaps")


def print_result(r: dict, args):
    w = r.get("wrk", {})
    reqs = w.get("requests", 0)
    dur = w.get("duration_us", 0) / 1e6 or 1
    rl = [t for v in r["reloads"].values() for t in v]
    print(f"{r['mpm']}: {reqs:,} requests ({reqs / dur:,.0f}/s), socket errors "
          f"{r.get('socket_errors', '?')}, wrong statuses {r.get('bad_status', '?')}, wrong "
          f"Access-Control-Allow-Origin {r.get('wrong', '?')}; {r.get('swaps', 0)} swaps "
          f"(writing a version: median {r.get('write_ms', 0):.0f} ms); latency p99 "
          f"{w.get('p99_us', 0) / 1000:.1f} ms, max {w.get('max_us', 0) / 1000:.1f} ms")
    if rl:
        print(f"  reloads: {len(rl)} in {len(r['reloads'])} children, median "
              f"{statistics.median(rl):.0f} ms, max {max(rl)} ms")
    for name, f in sorted(w.get("kinds", {}).items()):
        if name.startswith("large"):
            print(f"  {name}: allowed in {f.get('with_acao')} of {f.get('got')} answers")
    for pid in sorted(set(r.get("before", {})) | set(r.get("after", {}))):
        b, a = r["before"].get(pid, 0), r.get("after", {}).get(pid, 0)
        print(f"  child {pid}: RSS {b / 1024:.1f} MiB before the first swap, "
              f"{a / 1024:.1f} MiB after the last ({(a - b) / 1024:+.1f}); "
              f"{len(r['reloads'].get(pid, []))} reloads")
    for prob in r["problems"]:
        print(f"  PROBLEM ({r['mpm']}): {prob}")
    print(f"  {r['mpm']}: {'ok' if not r['problems'] else 'FAILED'}", flush=True)


def main():
    env = os.environ.get
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=int, default=int(env("SOAK_SECONDS", 60)))
    ap.add_argument("--connections", type=int, default=int(env("SOAK_CONNECTIONS", 200)))
    ap.add_argument("--threads", type=int, default=int(env("SOAK_THREADS", 2)))
    ap.add_argument("--mpms", default=env("SOAK_MPMS", "event,worker,prefork"))
    ap.add_argument("--small", type=int, default=int(env("SOAK_MAP_SMALL", 10000)))
    ap.add_argument("--large", type=int, default=int(env("SOAK_MAP_LARGE", 100000)))
    ap.add_argument("--interval", type=float, default=1.0, help="seconds between swaps")
    ap.add_argument("--prefork-children", type=int, default=8)
    ap.add_argument("--rss-slack", type=float, default=16.0,
                    help="MiB a child may grow from before the first swap to after the last")
    ap.add_argument("--keep", action="store_true", help="keep the server roots and logs")
    args = ap.parse_args()
    if args.seconds < 15:
        ap.error("--seconds must be at least 15")
    if not len(ALWAYS) + len(LARGE_ONLY) < args.small < args.large:
        ap.error("--small must be more than the fixed origins and less than --large")
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian package wrk): run `make soak-map`")
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="mod_cors-map-soak-"))
    os.chmod(workdir, 0o755)
    results = []
    for mpm in [m.strip() for m in args.mpms.split(",") if m.strip()]:
        results.append(run_mpm(mpm, args, workdir))
        print_result(results[-1], args)
    print("== summary")
    for r in results:
        print_result(r, args)
    if args.keep:
        print(f"server roots and logs kept in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    failed = [r["mpm"] for r in results if r["problems"]]
    if failed:
        print(f"map soak: FAILED under {', '.join(failed)}")
        sys.exit(1)
    print(f"map soak: passed under {', '.join(r['mpm'] for r in results)}")


if __name__ == "__main__":
    main()
