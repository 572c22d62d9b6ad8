#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""make bench-map (second half) -- what a reload of a big txt map costs a running httpd.

    /usr/bin/python3 bench/map_reload.py [--entries 1000000] [--mpms event,prefork]
                                         [--seconds 12] [--interval 3] [--connections 8]

Per MPM, a throw-away httpd (tests/lib/httpd_harness.py, 127.0.0.1 only, LogLevel
cors:info) serves `CORSAllowOriginMap txt:` of --entries entries with the policy of
bench/run.py.  Two versions of the map, A and B, are built once (bench/build/maps); both
hold https://app.example.com, A also https://only-a.example.com and B
https://only-b.example.com, and the rest differs (site<i> / alt<i>), so a reload rebuilds
the whole set.  A swap is a rename of a hard link of A or B over the configured file.

1. steady: `wrk -t1 -c<connections> -d<seconds>s --latency`, allowed GETs, no swap;
2. reloads: the same wrk run while the map is swapped every --interval seconds.  Each
   child's peak RSS (VmHWM, reset through /proc/PID/clear_refs before the run) and RSS
   are read from /proc; each reload's time is read from its `cors:info` log line; after
   each swap a probe (one connection per request, 20 ms apart) measures how long until
   the new version's own origin is allowed.

It prints, per MPM: p99 (and p50, max) latency steady and during reloads, wrk's errors and
non-2xx answers, the reload times, the children's RSS before / peak / after and their PSS
(memory shared between children counted once), and the probe's apply times.  A figure, not
a test: nothing is asserted but that wrk saw no error and every answer was a 2xx.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests" / "lib"))

from httpd_harness import MAP_RELOAD_RE, Httpd, child_statuses, proc_kb  # noqa: E402
from run import CORS_POLICY as POLICY, parse_duration_us  # noqa: E402

MAPS = REPO / "bench" / "build" / "maps"
ALLOWED = "https://app.example.com"
ONLY = {"A": "https://only-a.example.com", "B": "https://only-b.example.com"}
PREFIX = {"A": "site", "B": "alt"}

CONF = """\
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 60
<IfModule mpm_event_module>
  StartServers 1
  ServerLimit 1
  ThreadsPerChild 32
  ThreadLimit 32
  MaxRequestWorkers 32
  MinSpareThreads 1
  MaxSpareThreads 32
</IfModule>
<IfModule mpm_prefork_module>
  StartServers {prefork}
  MinSpareServers 1
  MaxSpareServers {prefork}
  ServerLimit {prefork}
  MaxRequestWorkers {prefork}
</IfModule>
CORSAllowOriginMap txt:${{SERVERROOT}}/origins.txt
""" + POLICY

def version_file(version: str, n: int) -> pathlib.Path:
    """bench/build/maps/reload-<A|B>-<n>.txt, written once (to the side, then renamed)."""
    path = MAPS / f"reload-{version}-{n}.txt"
    if path.exists():
        return path
    MAPS.mkdir(parents=True, exist_ok=True)
    side = path.with_name(path.name + ".new")
    with open(side, "w") as f:
        f.write(f"{ALLOWED}\n{ONLY[version]}\n")
        f.writelines(f"https://{PREFIX[version]}{i}.example.com\n" for i in range(2, n))
    os.chmod(side, 0o644)
    os.rename(side, path)
    return path


def swap(target: pathlib.Path, source: pathlib.Path):
    """Puts source in place of target the way the README says: a new name, then a rename
    over the one in use (a hard link, so that the big file is not copied each time)."""
    side = target.with_name(target.name + ".new")
    if side.exists():
        side.unlink()
    os.link(source, side)
    os.rename(side, target)


def reset_peak(pid: int):
    """VmHWM := VmRSS (clear_refs 5, Linux >= 4.0)."""
    try:
        pathlib.Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        pass


def memory(parent: int) -> dict[int, dict[str, int]]:
    return {pid: {"rss": proc_kb(pid, "VmRSS"), "hwm": proc_kb(pid, "VmHWM"),
                  "pss": proc_kb(pid, "Pss", "smaps_rollup")}
            for pid in sorted(child_statuses(parent))}


def allowed(port: int, origin: str) -> bool | None:
    """One GET on its own connection: is origin allowed? None on a socket error."""
    req = (f"GET /data.json HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {origin}\r\n"
           "Connection: close\r\n\r\n").encode()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(req)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
    except OSError:
        return None
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
    return f"access-control-allow-origin: {origin}" in head


def run_wrk(port: int, seconds: int, connections: int, script: pathlib.Path) -> dict:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
           "-s", str(script), f"http://127.0.0.1:{port}/data.json"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    out = p.stdout
    res = {"out": out, "bad": 0}
    for pct in ("50", "99"):
        m = re.search(rf"^\s*{pct}%\s+(\S+)", out, re.M)
        res[f"p{pct}"] = parse_duration_us(m.group(1)) if m else float("nan")
    m = re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", out)
    res["max"] = parse_duration_us(m.group(1)) if m else float("nan")
    m = re.search(r"Requests/sec:\s*([\d.]+)", out)
    res["rps"] = float(m.group(1)) if m else 0.0
    m = re.search(r"(\d+) requests in", out)
    res["requests"] = int(m.group(1)) if m else 0
    m = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    res["bad"] += int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    res["bad"] += sum(int(x) for x in m.groups()) if m else 0
    if p.returncode != 0 or not res["requests"]:
        res["bad"] += 1
        res["out"] += p.stderr
    return res


class Prober(threading.Thread):
    """After each swap: how long until the new version's own origin is allowed."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.port = port
        self.todo: list[tuple[float, str]] = []
        self.times: list[float] = []
        self.failed = 0
        self.cv = threading.Condition()
        self.stop = False

    def expect(self, origin: str):
        with self.cv:
            self.todo.append((time.monotonic(), origin))
            self.cv.notify()

    def run(self):
        while True:
            with self.cv:
                while not self.todo and not self.stop:
                    self.cv.wait()
                if self.stop and not self.todo:
                    return
                t0, origin = self.todo.pop(0)
            deadline = t0 + 30
            while time.monotonic() < deadline:
                if allowed(self.port, origin):
                    self.times.append(time.monotonic() - t0)
                    break
                time.sleep(0.02)
            else:
                self.failed += 1


def run_mpm(mpm: str, args, workdir: pathlib.Path) -> dict:
    n = args.entries
    files = {v: version_file(v, n) for v in ("A", "B")}
    srv = Httpd(workdir / mpm, CONF.format(prefork=args.prefork_children),
                files={"htdocs/data.json": "{}\n" * 512}, mpm=mpm, loglevel="warn cors:info",
                startup_timeout=120)
    target = srv.root / "origins.txt"
    swap(target, files["A"])
    os.chmod(srv.root, 0o755)
    script = srv.root / "get.lua"
    script.write_text(f'wrk.headers["Origin"] = "{ALLOWED}"\n')
    res = {"mpm": mpm}
    # A file changed in the last 2 s is read once more at the next check (cors_map.c): a
    # version just written would be reloaded during the steady run.
    age = time.time() - max(f.stat().st_mtime for f in files.values())
    time.sleep(max(0.0, 3 - age))
    t0 = time.monotonic()
    srv.start()
    res["start_s"] = time.monotonic() - t0
    try:
        for _ in range(20):         # every child up and answering
            assert allowed(srv.port, ONLY["A"]), "A's origin is not allowed after the start"
        res["steady"] = run_wrk(srv.port, args.seconds, args.connections, script)
        pids = sorted(child_statuses(srv.proc.pid))
        for pid in pids:
            reset_peak(pid)
        res["before"] = memory(srv.proc.pid)
        log_offset = len(srv.error_log())
        prober = Prober(srv.port)
        prober.start()
        swaps = []

        def swapper():
            version = "A"
            t_end = time.monotonic() + args.seconds - 1
            time.sleep(1)
            while time.monotonic() < t_end:
                version = "B" if version == "A" else "A"
                swap(target, files[version])
                swaps.append(version)
                prober.expect(ONLY[version])
                time.sleep(args.interval)

        sw = threading.Thread(target=swapper, daemon=True)
        sw.start()
        res["reloading"] = run_wrk(srv.port, args.seconds, args.connections, script)
        sw.join()
        with prober.cv:
            prober.stop = True
            prober.cv.notify()
        prober.join(timeout=60)
        res["peak"] = memory(srv.proc.pid)
        time.sleep(3)               # the last reload done, the old set freed
        res["after"] = memory(srv.proc.pid)
        res["swaps"] = len(swaps)
        res["apply_s"] = prober.times
        res["apply_failed"] = prober.failed
        log = srv.error_log()[log_offset:]
        res["reloads_ms"] = [int(m.group(3)) for m in MAP_RELOAD_RE.finditer(log)]
        res["reloads_by_pid"] = {}
        for m in MAP_RELOAD_RE.finditer(log):
            res["reloads_by_pid"].setdefault(int(m.group(1)), []).append(int(m.group(3)))
        res["errors"] = [ln for ln in log.splitlines()
                         if re.search(r"\[[a-z_]*:?(error|crit|alert|emerg)\]", ln)]
    finally:
        srv.stop()
    return res


def mib(kb: float) -> str:
    return f"{kb / 1024:,.1f}"


def ms(us: float) -> str:
    return f"{us / 1000:,.2f} ms"


def report(r: dict, args) -> list[str]:
    out = [f"== {r['mpm']}: txt map of {args.entries:,} entries, wrk -t1 -c{args.connections} "
           f"-d{args.seconds}s, a swap every {args.interval:g} s ({r['swaps']} swaps); "
           f"start-up {r['start_s']:.1f} s"]
    for key, what in (("steady", "no swap"), ("reloading", "swaps")):
        w = r[key]
        out.append(f"  latency, {what:8s}: p50 {ms(w['p50'])}, p99 {ms(w['p99'])}, max "
                   f"{ms(w['max'])}; {w['requests']:,} requests ({w['rps']:,.0f}/s); "
                   f"errors or non-2xx: {w['bad']}")
    rl = r["reloads_ms"]
    if rl:
        out.append(f"  reloads logged: {len(rl)} (by child: "
                   + ", ".join(f"{pid}: {len(v)}" for pid, v in r["reloads_by_pid"].items())
                   + f"); time min {min(rl)} ms, median {statistics.median(rl):.0f} ms, "
                   f"max {max(rl)} ms")
    else:
        out.append("  reloads logged: none")
    a = r["apply_s"]
    if a:
        out.append(f"  rename -> new origin allowed (probe): median {statistics.median(a):.2f} s,"
                   f" max {max(a):.2f} s over {len(a)} swaps; not seen within 30 s: "
                   f"{r['apply_failed']}")
    out.append("  children (RSS before -> peak during swaps -> 3 s after the last; PSS "
               "before -> after), MiB:")
    for pid, b in sorted(r["before"].items()):
        p = r["peak"].get(pid, {})
        af = r["after"].get(pid, {})
        out.append(f"    pid {pid}: RSS {mib(b['rss'])} -> peak {mib(p.get('hwm', 0))} -> "
                   f"{mib(af.get('rss', 0))}; PSS {mib(b['pss'])} -> {mib(af.get('pss', 0))}")
    tb = sum(v["pss"] for v in r["before"].values())
    ta = sum(v["pss"] for v in r["after"].values())
    out.append(f"  all children: PSS {mib(tb)} -> {mib(ta)} MiB")
    for e in r["errors"][:5]:
        out.append(f"  ERROR LOG: {e}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--entries", type=int, default=int(os.environ.get("MAP_ENTRIES", 1000000)))
    ap.add_argument("--mpms", default=os.environ.get("MAP_MPMS", "event,prefork"))
    ap.add_argument("--seconds", type=int, default=int(os.environ.get("MAP_SECONDS", 12)))
    ap.add_argument("--interval", type=float,
                    default=float(os.environ.get("MAP_INTERVAL", 3)))
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--prefork-children", type=int, default=0,
                    help="StartServers = MaxRequestWorkers under prefork (default: one for "
                    "each connection, and two for the probe)")
    args = ap.parse_args()
    args.prefork_children = args.prefork_children or args.connections + 2
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: sh tools/ensure-pkgs.sh wrk")
    if args.seconds < 5 or args.seconds > 600:
        ap.error("--seconds: 5 to 600")
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="mod_cors-map-reload-"))
    os.chmod(workdir, 0o755)
    bad = 0
    try:
        for mpm in [m.strip() for m in args.mpms.split(",") if m.strip()]:
            r = run_mpm(mpm, args, workdir)
            print("\n".join(report(r, args)), flush=True)
            bad += r["steady"]["bad"] + r["reloading"]["bad"] + len(r["errors"])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
