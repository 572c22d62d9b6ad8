#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Soak test of CORSAllowOriginMap: wrk at 200 connections for a while against httpd with a
txt map that a writer replaces every second, in every way an admin's tools do, alternating
a small and a large version, under each MPM; every answer is checked against the versions.

    /usr/bin/python3 tests/soak/map_soak.py [--seconds 60] [--connections 200]
        [--mpms event,worker,prefork] [--small 10000] [--large 100000] [--interval 1]

(`make soak-map` runs it; SOAK_SECONDS, SOAK_CONNECTIONS, SOAK_MPMS, SOAK_MAP_SMALL,
SOAK_MAP_LARGE override the defaults.)

The writer's steps, in turn (STEPS): a version renamed in; a version written in place
(truncate, then the text in pieces cut mid-line, a few ms apart); a torn file (in place, a
prefix cut mid-line, left --hold seconds); a FIFO renamed in (left --hold s); the file
truncated to 0 bytes (left --hold s).  It ends on a small version.  None of the last three
is a version: the one in force stays, and the loader logs each (those error lines are
expected).

The origins (ORIGINS below): some are in every version (ALWAYS, one of them through a
`*.` pattern), some only in the large one (LARGE_ONLY, one through a pattern), some in
none (NEVER: among them TORN_ONLY, which only the torn files have: a whole line of them,
and the cut line, a prefix of an ALWAYS origin); the rest of each version is filler, and
ALWAYS and LARGE_ONLY come last, so that a version taken before its end would miss them.
wrk with tests/soak/mix.lua sends actual requests and preflights from them all and checks
each answer's status and Access-Control-Allow-Origin: an ALWAYS origin must always be
allowed, a NEVER one never, a LARGE_ONLY one either way (mix.lua's "?VALUE").  That the
changes were seen: each LARGE_ONLY origin must have been allowed at times and refused at
times, the loader must have published versions (its `published version` lines at
LogLevel cors:info; one per good write when it keeps up) and logged each kind of bad
file, and at the end every child (pids from an access log with %P) must answer from the
last version: an ALWAYS origin allowed, LARGE_ONLY and TORN_ONLY refused.

Memory: the children's PSS (/proc/PID/smaps_rollup), summed, after a warm-up run of wrk
(the small version in force) and after the main run (a small version again, the last
change more than 5 s before), both read with no load; the
sum must not grow by more than --pss-slack MiB (default 16: a child that kept retired
versions, or a copy per child, grows by far more), and the map images that the children
have mapped must add up to at most 1.5 copies of the image in force (one per server).

Under prefork the test runs --prefork-children (8) children with keep-alive off, so that
200 connections share them (with keep-alive each connection would hold a child).
Fails (exit 1) on a socket error, a wrong status or Access-Control-Allow-Origin, a
LARGE_ONLY origin never allowed or never refused, no version published, a kind of bad
file never logged, a child not on the last version at the end, memory over the bounds, or
an unexpected error-log line.
"""

from __future__ import annotations

import argparse
import itertools
import os
import pathlib
import re
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

from child_answers import PidLogHttpd  # noqa: E402
from httpd_harness import (MAP_IMAGE_DIR, MAP_PUBLISHED_RE, child_statuses,  # noqa: E402
                           map_image_size, mapping_kb, proc_kb)
from soak import Kind, mpm_conf, parse_wrk, pf  # noqa: E402

# What each version holds, by category; a tuple is (entry in the map, origin requested).
ALWAYS = [("https://always0.example.com",) * 2,
          ("https://always1.example.com:8443",) * 2,
          ("http://always2.example.com",) * 2,
          ("https://*.tenants.example.org", "https://a.tenants.example.org")]
LARGE_ONLY = [("https://large0.example.com",) * 2,
              ("https://large1.example.com:8443",) * 2,
              ("https://*.big.example.org", "https://x.big.example.org")]
# What only a torn file has: a whole line, and its last line cut mid-line.
TORN_LINE = "https://torn.example.com"
TORN_CUT = ("https://always1.example.com:8443", "https://always1.example.com:84")
TORN_ONLY = [TORN_LINE, TORN_CUT[1]]
NEVER = ["https://never0.example.com", "https://evil.example",
         "https://always0.example.com.evil.example", "https://a.tenants.example.net",
         "http://always0.example.com", *TORN_ONLY]

# The writer's steps, in turn: (how, version); the bad ones have no version.
STEPS = [("rename", "large"), ("torn", None), ("rename", "small"), ("inplace", "large"),
         ("fifo", None), ("rename", "small"), ("empty", None), ("inplace", "large"),
         ("rename", "small")]
BAD = {"torn": "does not end with a newline", "fifo": "not a regular file",
       "empty": "empty \\(0 bytes\\)"}
# The loader's line for a bad file: an error, expected here.
BAD_FILE_RE = r"CORSAllowOriginMap txt:\S+: .*; keeping the last good version"
IMAGES = f"/{MAP_IMAGE_DIR}/"

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


def version_text(large: bool, n: int, serial: int) -> str:
    """A version of n entries: filler that differs from one version to the next (serial),
    so that every version is a new set, then ALWAYS (and LARGE_ONLY)."""
    head = [e for e, _ in ALWAYS] + ([e for e, _ in LARGE_ONLY] if large else [])
    return ("# written by map_soak.py\n"
            + "".join(f"https://pad{serial}-{i}.example.com\n" for i in range(n - len(head)))
            + "".join(f"{e}\n" for e in head))


def torn_text(n: int, serial: int) -> str:
    """What a writer that died mid-line leaves: filler, TORN_LINE, ALWAYS but the one whose
    line is cut, and that line cut (no newline)."""
    return ("".join(f"https://pad{serial}-{i}.example.com\n" for i in range(n))
            + f"{TORN_LINE}\n"
            + "".join(f"{e}\n" for e, _ in ALWAYS if e != TORN_CUT[0])
            + TORN_CUT[1])


def rename_in(target: pathlib.Path, text: str | None):
    """A new file at a side name (a FIFO for None), renamed over target."""
    side = target.with_name(target.name + ".new")
    if side.exists():
        side.unlink()
    if text is None:
        os.mkfifo(side, 0o644)
    else:
        side.write_text(text)
        os.chmod(side, 0o644)
    os.rename(side, target)


def write_in_place(target: pathlib.Path, text: str, pieces: int = 4, pause: float = 0.02):
    """Truncates target and writes text in `pieces` pieces, `pause` seconds apart (an
    editor's or cp's slow write; shorter than the settle interval).  Every cut is mid-line:
    a write that stops at the end of a line for longer than the settle interval may be
    taken for a version (a shorter one), and a stalled writer must not make the soak fail
    for it."""
    cuts = []
    for k in range(1, pieces):
        at = len(text) * k // pieces
        while at < len(text) and text[at - 1] == "\n":
            at += 1
        cuts.append(at)
    with open(target, "w") as f:
        start = 0
        for at in [*cuts, len(text)]:
            f.write(text[start:at])
            f.flush()
            start = at
            if at < len(text):
                time.sleep(pause)


def write_step(target: pathlib.Path, how: str, large: bool, n: int, serial: int):
    if how == "rename":
        rename_in(target, version_text(large, n, serial))
    elif how == "inplace":
        write_in_place(target, version_text(large, n, serial))
    elif how == "torn":
        write_in_place(target, torn_text(n, serial))
    elif how == "fifo":
        rename_in(target, None)
    elif how == "empty":
        with open(target, "w"):
            pass
    else:
        raise ValueError(how)


def children_pss(parent: int) -> dict[int, dict[str, int]]:
    """PSS (kB) of each child of the httpd parent, whole and of its map images."""
    return {pid: {"pss": proc_kb(pid, "Pss", "smaps_rollup"),
                  "img": mapping_kb(pid, IMAGES, "Pss")}
            for pid in child_statuses(parent)}


class Writer(threading.Thread):
    """Runs STEPS in turn from `start` to `stop` (seconds after t0): a good write every
    `interval` seconds, a bad one left `hold` seconds; ends with a small version renamed
    in."""

    def __init__(self, target: pathlib.Path, args, t0: float, start: float, stop: float):
        super().__init__(daemon=True)
        self.target, self.args = target, args
        self.t0, self.start_at, self.stop_at = t0, start, stop
        self.counts = {how: 0 for how, _ in STEPS}
        self.write_s: list[float] = []
        self.error: str | None = None

    def run(self):
        try:
            time.sleep(max(0.0, self.t0 + self.start_at - time.monotonic()))
            serial = 1
            for i in itertools.count():
                how, version = STEPS[i % len(STEPS)]
                wait = self.args.interval if version else self.args.hold
                last = time.monotonic() - self.t0 + wait + self.args.interval > self.stop_at
                if last:
                    how, version = "rename", "small"      # always end on a small version
                large = version == "large"
                t = time.monotonic()
                write_step(self.target, how, large, self.args.large if large else
                           self.args.small, serial)
                self.write_s.append(time.monotonic() - t)
                self.counts[how] += 1
                serial += 1
                if last:
                    break
                time.sleep(wait)
        except Exception as e:      # noqa: BLE001 -- reported as a problem
            self.error = f"{type(e).__name__}: {e}"


def run_wrk(srv: PidLogHttpd, args, seconds: float, kinds_file: pathlib.Path):
    """wrk with tests/soak/mix.lua for `seconds`, started; communicate() for its output."""
    cmd = ["wrk", "-t", str(args.threads), "-c", str(args.connections),
           "-d", f"{seconds:g}s", "--timeout", "5s", "-s", str(HERE / "mix.lua"),
           f"http://127.0.0.1:{srv.port}/", "--", str(kinds_file)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def final_answers(srv: PidLogHttpd, res: dict):
    """Every child answers from the last version: ALWAYS allowed, LARGE_ONLY and TORN_ONLY
    refused (asked on new connections until every child has answered)."""
    pids = set(child_statuses(srv.proc.pid))
    clients = 2 * len(pids)
    got = srv.until_every_child(pids, ALWAYS[0][1], "/api/r", clients, 30)
    res["final_children"] = len(pids)
    if got["missing"] or got["regressed"] or got["errors"]:
        res["problems"].append(f"at the end, children {sorted(got['missing'])} did not "
                               f"allow {ALWAYS[0][1]}, children {sorted(got['regressed'])} "
                               f"refused it after they had allowed it ({got['errors']} socket "
                               "errors)")
    for origin in (LARGE_ONLY[0][1], *TORN_ONLY):
        got = srv.until_every_child(pids, origin, "/api/r", clients, 2)
        if got["first"]:
            res["problems"].append(f"at the end, children {sorted(got['first'])} allow "
                                   f"{origin}")
        if got["seen"] != pids:
            res["problems"].append(f"at the end, children {sorted(pids - got['seen'])} "
                                   f"never answered {origin}")


def run_mpm(mpm: str, args, workdir: pathlib.Path) -> dict:
    print(f"== map soak: MPM={mpm}, {args.connections} connections, {args.seconds} s, "
          f"a change every {args.interval:g} s ({args.small:,} / {args.large:,} entries)",
          flush=True)
    ks = kinds()
    srv = PidLogHttpd(workdir / mpm, CONF.format(mpm=mpm_conf(args.prefork_children)),
                      files=FILES, mpm=mpm, modules=("headers",), loglevel="warn cors:info")
    target = srv.root / "origins.txt"
    rename_in(target, version_text(False, args.small, 0))
    kinds_file = srv.root / "kinds.txt"
    write_kinds(kinds_file, srv.port, ks)
    srv.start()
    res = {"mpm": mpm, "problems": []}
    try:
        srv.check_log()
        # The memory figures are read with no load: reading /proc/PID/smaps of a child
        # whose 256 threads are all busy can take tens of seconds.  A warm-up run first,
        # so that both figures are of children that have served the same load.
        warm = run_wrk(srv, args, min(5.0, args.seconds / 6), kinds_file)
        out, _ = warm.communicate(timeout=args.seconds + 60)
        w = parse_wrk(out)
        if warm.returncode != 0 or w["bad"]:
            res["problems"].append(f"warm-up: wrk exited {warm.returncode}; "
                                   + "; ".join(w["bad"][:5]))
        res["before"] = children_pss(srv.proc.pid)
        t0 = time.monotonic()
        wrk = run_wrk(srv, args, args.seconds, kinds_file)
        # The last change a few seconds before wrk ends: its answers are checked too.
        writer = Writer(target, args, t0, 0.5, args.seconds - 5.5)
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
        res["after"] = children_pss(srv.proc.pid)
        res["counts"] = writer.counts
        res["image"] = map_image_size(srv.rundir)
        res["write_ms"] = statistics.median(writer.write_s) * 1000 if writer.write_s else 0
        if wrk.returncode != 0:
            res["problems"].append(f"wrk exited {wrk.returncode}:\n{out}")
        res["wrk"] = parse_wrk(out)
        final_answers(srv, res)
    finally:
        srv.stop()
    # prefork, 200 connections for a few children: all of them busy is the point
    allow = [BAD_FILE_RE] + ([r"AH00161: server reached MaxRequestWorkers"]
                             if mpm == "prefork" else [])
    try:
        srv.check_log(allow=allow)
    except AssertionError as e:
        res["problems"].append(str(e)[:3000])
    log = srv.error_log()
    res["published"] = [(int(m.group(1)), int(m.group(5))) for m in MAP_PUBLISHED_RE.finditer(log)]
    bad_lines = [ln for ln in log.splitlines() if re.search(BAD_FILE_RE, ln)]
    res["bad_logged"] = {how: sum(1 for ln in bad_lines if re.search(pat, ln))
                         for how, pat in BAD.items()}
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
                p.append(f"{k.name}: allowed in {allowed} of {got} answers; the changes "
                         "were not seen")
    counts = res.get("counts", {})
    good = counts.get("rename", 0) + counts.get("inplace", 0)
    if not res["published"]:
        p.append("the loader published no version")
    elif len(res["published"]) > good:
        p.append(f"{len(res['published'])} versions published for {good} good writes")
    for how, n in res["bad_logged"].items():
        if counts.get(how) and not n:
            p.append(f"{counts[how]} {how} writes, none logged by the loader")
    check_memory(res, args)
    if good < 2:
        p.append("fewer than 2 good writes")


def check_memory(res: dict, args):
    """The children's PSS sum grew by at most --pss-slack; their images add up to at most
    1.5 copies of the image in force."""
    before, after, p = res.get("before", {}), res.get("after", {}), res["problems"]
    if not after:
        p.append("no memory figures after the last change")
        return
    if set(before) != set(after):
        p.append(f"children changed: {sorted(before)} -> {sorted(after)}")
    res["pss_before"] = sum(v["pss"] for v in before.values())
    res["pss_after"] = sum(v["pss"] for v in after.values())
    res["img_after"] = sum(v["img"] for v in after.values())
    if res["pss_after"] - res["pss_before"] > args.pss_slack * 1024:
        p.append(f"the children's PSS grew from {res['pss_before'] / 1024:.1f} to "
                 f"{res['pss_after'] / 1024:.1f} MiB")
    if res["img_after"] * 1024 > 1.5 * res["image"]:
        p.append(f"the children map {res['img_after'] / 1024:.1f} MiB of images for one "
                 f"of {res['image'] / 1048576:.1f} MiB")


def print_result(r: dict, args):
    w = r.get("wrk", {})
    reqs = w.get("requests", 0)
    dur = w.get("duration_us", 0) / 1e6 or 1
    counts = r.get("counts", {})
    pub = [ms for _, ms in r.get("published", [])]
    print(f"{r['mpm']}: {reqs:,} requests ({reqs / dur:,.0f}/s), socket errors "
          f"{r.get('socket_errors', '?')}, wrong statuses {r.get('bad_status', '?')}, wrong "
          f"Access-Control-Allow-Origin {r.get('wrong', '?')}; latency p99 "
          f"{w.get('p99_us', 0) / 1000:.1f} ms, max {w.get('max_us', 0) / 1000:.1f} ms")
    print("  writes: " + ", ".join(f"{how} {n}" for how, n in counts.items())
          + f" (median {r.get('write_ms', 0):.0f} ms each); bad files logged by the loader: "
          + ", ".join(f"{how} {n}" for how, n in r.get("bad_logged", {}).items()))
    if pub:
        print(f"  published: {len(pub)} versions, by pids "
              f"{sorted({pid for pid, _ in r['published']})}; read to image in place: median "
              f"{statistics.median(pub):.0f} ms, max {max(pub)} ms")
    for name, f in sorted(w.get("kinds", {}).items()):
        if name.startswith("large"):
            print(f"  {name}: allowed in {f.get('with_acao')} of {f.get('got')} answers")
    if "pss_after" in r:
        print(f"  children's PSS: {r['pss_before'] / 1024:.1f} MiB before the first change, "
              f"{r['pss_after'] / 1024:.1f} MiB after the last "
              f"({(r['pss_after'] - r['pss_before']) / 1024:+.1f}); map images in it "
              f"{r['img_after'] / 1024:.1f} MiB, one image {r['image'] / 1048576:.1f} MiB; "
              f"{r.get('final_children', '?')} children on the last version at the end")
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
    ap.add_argument("--interval", type=float, default=1.0,
                    help="seconds between a good write and the next step")
    ap.add_argument("--hold", type=float, default=2.5,
                    help="seconds a torn file, a FIFO or an empty file stays (more than the "
                    "2 s in which the loader must see a change, so that it reads it)")
    ap.add_argument("--prefork-children", type=int, default=8)
    ap.add_argument("--pss-slack", type=float, default=16.0,
                    help="MiB the children's PSS sum may grow from before the first change "
                    "to after the last")
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
