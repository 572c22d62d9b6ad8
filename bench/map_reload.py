#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""make bench-map (second half) -- what one change of a big txt map costs a running httpd:
memory per server, and the time until every child answers from the new version.

    /usr/bin/python3 bench/map_reload.py [--entries 200000,1000000]
                                         [--servers prefork:8,event:2]

For each entry count and each server (an MPM and its number of children), a throw-away
httpd (tests/lib/httpd_harness.py, 127.0.0.1 only, LogLevel cors:info, keep-alive off so
that every request comes on a new connection) serves `CORSAllowOriginMap txt:` with the
policy of bench/run.py.  Two versions of the map, A and B, are built once
(bench/build/maps); both hold https://app.example.com, A also https://only-a.example.com
and B https://only-b.example.com, and the rest differs (site<i> / alt<i>), so a change
rebuilds the whole set.  The change is a rename of a hard link of B over the configured
file (a file written long before: settled the moment it is seen).

1. A is in force: requests on new connections (tests/lib/child_answers.py: children + 2
   clients, 20 ms between two requests of one client) until the access log (`%P`, the
   pid that served) shows that every child allows A's origin.  Memory "before".
2. At T0, B is renamed in; the same requests ask for B's origin until every child has
   allowed it.  "Rename -> every child": the latest, over the children, of the first
   request (its `%{usec}t`) a child allowed, minus T0.  A child that refused the origin
   again after it had allowed it once is counted as a regression (there must be none).
3. Two seconds later (the old version unmapped at a watchdog tick), every child answers
   once more (B's origin allowed, A's refused) and memory "after" is read.

Memory: each child's whole-process PSS (/proc/PID/smaps_rollup: pages shared between
processes counted once, split among them), summed over the children; the share of it
that is the map images (the mappings of files under DefaultRuntimeDir/cors-maps in
/proc/PID/smaps, PSS and RSS); and the same sum for the same server with a 1-entry map,
so that "map's cost" = sum - that baseline.  One copy = the size of the image file that
the loader published.  Goals (issue: one copy per server): the children's PSS after the
change at most 1.5x one copy over the baseline, one copy at most 2x the txt file, every
child on the new version within 2 s.  A figure, not a test: the exit status is 1 only
when a request failed, a child regressed or an error was logged.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import re
import shutil
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests" / "lib"))

from child_answers import PidLogHttpd  # noqa: E402
from httpd_harness import (MAP_IMAGE_DIR, MAP_PUBLISHED_RE, child_statuses,  # noqa: E402
                           map_image_size, mapping_kb, proc_kb)
from run import CORS_POLICY as POLICY, OUT_MD, write_kept_section  # noqa: E402

MAPS = REPO / "bench" / "build" / "maps"
ALLOWED = "https://app.example.com"
ONLY = {"A": "https://only-a.example.com", "B": "https://only-b.example.com"}
PREFIX = {"A": "site", "B": "alt"}
TARGET = "/data.json"
IMAGES = f"/{MAP_IMAGE_DIR}/"   # in /proc/PID/smaps: the images mapped

GOAL_PSS_COPIES = 1.5           # children's PSS (over the baseline) / one copy
GOAL_COPY_FILE = 2.0            # one copy / the txt file
GOAL_APPLY_S = 2.0              # rename -> every child on the new version

# One child per connection under prefork; a fixed number of children under event.
CONF = """\
<IfModule mpm_event_module>
  StartServers {children}
  ServerLimit {children}
  ThreadsPerChild 16
  ThreadLimit 16
  MaxRequestWorkers {workers}
  MinSpareThreads 1
  MaxSpareThreads {workers}
</IfModule>
<IfModule mpm_prefork_module>
  StartServers {children}
  MinSpareServers {children}
  MaxSpareServers {children}
  ServerLimit {children}
  MaxRequestWorkers {children}
</IfModule>
CORSAllowOriginMap txt:${{SERVERROOT}}/origins.txt
""" + POLICY


METHOD = """\
- Each row is a throw-away httpd (tests/lib/httpd_harness.py) with `CORSAllowOriginMap txt:`
  and the policy of `make bench`, keep-alive off; prefork with 8 children, event with 2 children
  of 16 threads.  Two versions of the map, A and B, of N entries each (`https://site<i>.example.com`
  / `https://alt<i>.example.com`, one origin per line, no second field) differ in every entry
  but https://app.example.com, so a change rebuilds the whole set.
- The change: a hard link of B renamed over the configured file.  Requests for B's own origin
  on new connections (children + 2 clients, 20 ms apart each) until an access log with `%P`
  shows that every child allowed it; "rename -> every child" is the latest, over the
  children, of the first request (`%{usec}t`) each allowed, minus the time of the rename.
  "rename -> published" is the time of the loader's `published version` line at
  `LogLevel cors:info` (and the read, compile and write it reports).  No child refused B's
  origin after it had allowed it, and two seconds later none allowed A's.
- Memory: each child's whole-process PSS (`/proc/PID/smaps_rollup`: a page shared by k
  processes counts 1/k in each), summed over the children, once every child had answered
  from A ("before") and two seconds after every child answered from B ("after"; the old
  image is unmapped at the next watchdog tick); "images' PSS" is the part of that sum in
  the mappings of the image files (`DefaultRuntimeDir/cors-maps/*.map`, from
  `/proc/PID/smaps`); "with a 1-entry map" is the same server's sum with a map of one line,
  and "map's cost" = the sum after the change minus that.  One copy = the size of the image
  file the loader published (a hash table of 8-byte slots at most 80% full, then each entry
  as a 2-byte length and its bytes).
- Goals: the children's PSS at most 1.5 copies (the map's cost; the whole-process sum in
  copies is given too: with a 200,000-entry map, httpd's own PSS, the 1-entry
  column, is half a copy or more), one copy at most 2x the txt file, every child on the new
  version within 2 s of the rename."""


def version_file(version: str, n: int) -> pathlib.Path:
    """bench/build/maps/reload-<A|B>-<n>.txt, written once (to the side, then renamed) and
    dated an hour back."""
    path = MAPS / f"reload-{version}-{n}.txt"
    if path.exists():
        return path
    MAPS.mkdir(parents=True, exist_ok=True)
    side = path.with_name(path.name + ".new")
    with open(side, "w") as f:
        f.write(f"{ALLOWED}\n{ONLY[version]}\n")
        f.writelines(f"https://{PREFIX[version]}{i}.example.com\n" for i in range(2, n))
    os.chmod(side, 0o644)
    t = time.time() - 3600
    os.utime(side, (t, t))
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


def memory(parent: int) -> dict[int, dict[str, int]]:
    out = {}
    for pid in sorted(child_statuses(parent)):
        out[pid] = {"pss": proc_kb(pid, "Pss", "smaps_rollup"),
                    "rss": proc_kb(pid, "Rss", "smaps_rollup"),
                    "img_pss": mapping_kb(pid, IMAGES, "Pss"),
                    "img_rss": mapping_kb(pid, IMAGES, "Rss")}
    return out


def start(workdir: pathlib.Path, name: str, mpm: str, children: int,
          source: pathlib.Path) -> PidLogHttpd:
    srv = PidLogHttpd(workdir / name, CONF.format(children=children, workers=16 * children),
                      files={"htdocs/data.json": "{}\n" * 512}, mpm=mpm,
                      loglevel="warn cors:info", startup_timeout=180)
    swap(srv.root / "origins.txt", source)
    srv.start()
    return srv


def wait_children(srv: PidLogHttpd, children: int, timeout: float = 60) -> set[int]:
    deadline = time.monotonic() + timeout
    while True:
        pids = set(child_statuses(srv.proc.pid))
        if len(pids) == children or time.monotonic() > deadline:
            return pids
        time.sleep(0.1)


def baseline(mpm: str, children: int, workdir: pathlib.Path) -> int:
    """The children's PSS sum (kB) with a 1-entry map, every child having answered."""
    one = MAPS / "reload-1.txt"
    if not one.exists():
        MAPS.mkdir(parents=True, exist_ok=True)
        one.write_text(f"{ALLOWED}\n")
        os.utime(one, (time.time() - 3600,) * 2)
    srv = start(workdir, f"{mpm}-base", mpm, children, one)
    try:
        pids = wait_children(srv, children)
        srv.until_every_child(pids, ALLOWED, TARGET, children + 2, 30)
        return sum(v["pss"] for v in memory(srv.proc.pid).values())
    finally:
        srv.stop()


def run_one(n: int, mpm: str, children: int, workdir: pathlib.Path) -> dict:
    files = {v: version_file(v, n) for v in ("A", "B")}
    res = {"n": n, "mpm": mpm, "children": children,
           "file": files["B"].stat().st_size, "problems": []}
    res["baseline"] = baseline(mpm, children, workdir)
    t = time.monotonic()
    srv = start(workdir, f"{mpm}-{n}", mpm, children, files["A"])
    res["start_s"] = time.monotonic() - t
    clients = children + 2
    try:
        pids = wait_children(srv, children)
        if len(pids) != children:
            res["problems"].append(f"{len(pids)} children, not {children}")
        a = srv.until_every_child(pids, ONLY["A"], TARGET, clients, 60)
        if a["missing"]:
            res["problems"].append(f"children {sorted(a['missing'])} never allowed A")
        time.sleep(1)
        res["before"] = memory(srv.proc.pid)
        res["copy_before"] = map_image_size(srv.rundir)
        log_offset = len(srv.error_log())
        t0 = time.time()
        swap(srv.root / "origins.txt", files["B"])
        b = srv.until_every_child(pids, ONLY["B"], TARGET, clients, 30, t0)
        res["apply"] = b
        if b["missing"]:
            res["problems"].append(f"children {sorted(b['missing'])} never allowed B")
        if b["regressed"]:
            res["problems"].append(f"children {sorted(b['regressed'])} refused B after "
                                   "allowing it")
        time.sleep(2)
        old = srv.until_every_child(pids, ONLY["A"], TARGET, clients, 3)
        if old["first"] or old["seen"] != pids:
            res["problems"].append(f"children {sorted(old['first'])} still allow A, "
                                   f"{sorted(pids - old['seen'])} not asked")
        again = srv.until_every_child(pids, ONLY["B"], TARGET, clients, 30)
        if again["missing"]:
            res["problems"].append(f"children {sorted(again['missing'])} did not answer "
                                   "after the change")
        res["after"] = memory(srv.proc.pid)
        res["copy"] = map_image_size(srv.rundir)
        if set(res["after"]) != pids:
            res["problems"].append(f"children changed: {sorted(pids)} -> "
                                   f"{sorted(res['after'])}")
        log = srv.error_log()[log_offset:]
        res["published"] = [(int(m.group(1)), int(m.group(3)), int(m.group(4)),
                             int(m.group(5)), log_time(log, m.start()) - t0)
                            for m in MAP_PUBLISHED_RE.finditer(log)]
        # prefork: twice as many clients as children keep every child busy, on purpose
        res["errors"] = [ln for ln in log.splitlines()
                         if re.search(r"\[[a-z_]*:?(error|crit|alert|emerg)\]", ln)
                         and "AH00161" not in ln]
        errors = a["errors"] + b["errors"] + old["errors"] + again["errors"]
        if errors:
            res["problems"].append(f"{errors} socket errors")
    finally:
        srv.stop()
    return res


def log_time(log: str, at: int) -> float:
    """The time (seconds since the epoch) of the error-log line that holds offset at."""
    line = log[log.rfind("\n", 0, at) + 1:]
    m = re.match(r"\[\w+ (\w+ \d+ [\d:]+)\.(\d+) (\d+)\]", line)
    if not m:
        return float("nan")
    when = time.strptime(f"{m.group(1)} {m.group(3)}", "%b %d %H:%M:%S %Y")
    return time.mktime(when) + int(m.group(2)) / 10 ** len(m.group(2))


def mib(kb: float) -> str:
    return f"{kb / 1024:,.1f}"


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def figures(r: dict) -> dict:
    """The summary of one run (kB, seconds, ratios)."""
    copy_kb = r["copy"] / 1024
    sum_a = sum(v["pss"] for v in r["after"].values())
    apply = r["apply"]["first"]
    return {"copy_kb": copy_kb, "file_kb": r["file"] / 1024,
            "sum_b": sum(v["pss"] for v in r["before"].values()), "sum_a": sum_a,
            "img_a": sum(v["img_pss"] for v in r["after"].values()),
            "cost": sum_a - r["baseline"],
            "apply": max(apply.values()) if apply else float("nan")}


def report(r: dict) -> list[str]:
    f = figures(r)
    copy_kb, sum_b, sum_a, img_a, cost, worst = (f["copy_kb"], f["sum_b"], f["sum_a"],
                                                  f["img_a"], f["cost"], f["apply"])
    b, a = r["before"], r["after"]
    img_b = sum(v["img_pss"] for v in b.values())
    apply = r["apply"]["first"]
    out = [f"== {r['n']:,}-entry txt map, {r['mpm']} with {r['children']} children "
           f"(started in {r['start_s']:.1f} s)",
           f"  txt file {mib(r['file'] / 1024)} MiB; one copy (the image file) "
           f"{mib(copy_kb)} MiB = {r['copy'] / r['file']:.2f}x the file "
           f"(goal <= {GOAL_COPY_FILE:g}x: {verdict(r['copy'] <= GOAL_COPY_FILE * r['file'])})",
           f"  children's PSS, whole processes: {mib(sum_b)} MiB before the change, "
           f"{mib(sum_a)} MiB after; with a 1-entry map {mib(r['baseline'])} MiB",
           f"  of which the map images: {mib(img_b)} MiB before, {mib(img_a)} MiB after "
           f"(= {img_a / copy_kb:.2f} copies; RSS of the image mappings per child: "
           + ", ".join(mib(v["img_rss"]) for v in a.values()) + " MiB)",
           f"  after the change: map's cost (PSS - 1-entry baseline) {mib(cost)} MiB = "
           f"{cost / copy_kb:.2f} copies (goal <= {GOAL_PSS_COPIES:g}: "
           f"{verdict(cost <= GOAL_PSS_COPIES * copy_kb)}); whole PSS {sum_a / copy_kb:.2f} "
           f"copies ({verdict(sum_a <= GOAL_PSS_COPIES * copy_kb)})",
           "  per child, PSS before -> after (images before -> after), MiB: "
           + "; ".join(f"{pid}: {mib(b[pid]['pss'])} -> {mib(a.get(pid, {}).get('pss', 0))}"
                       f" ({mib(b[pid]['img_pss'])} -> "
                       f"{mib(a.get(pid, {}).get('img_pss', 0))})" for pid in sorted(b))]
    pub = r["published"]
    out.append("  published: " + (", ".join(f"version {v} ({e:,} entries) by pid {p}, "
                                            f"read to image in place in {ms} ms, logged "
                                            f"{at:.2f} s after the rename"
                                            for p, v, e, ms, at in pub) or "none"))
    out.append(f"  rename -> every child allowing the new origin: {worst:.2f} s (goal <= "
               f"{GOAL_APPLY_S:g} s: {verdict(worst <= GOAL_APPLY_S)}); per child: "
               + ", ".join(f"{t:.2f}" for t in sorted(apply.values()))
               + f" s; {r['apply']['requests']:,} requests on new connections")
    for e in r["errors"][:5]:
        out.append(f"  ERROR LOG: {e}")
    for p in r["problems"]:
        out.append(f"  PROBLEM: {p}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--entries", default=os.environ.get("MAP_ENTRIES", "200000,1000000"))
    ap.add_argument("--servers", default=os.environ.get("MAP_SERVERS", "prefork:8,event:2"),
                    help="MPM:children,...")
    ap.add_argument("--bench-lines", type=pathlib.Path,
                    help="map_bench's output (load times, lookups), for BENCHMARKS.md")
    args = ap.parse_args()
    load = os.getloadavg()
    servers = []
    for s in args.servers.split(","):
        mpm, _, children = s.strip().partition(":")
        servers.append((mpm, int(children or 2)))
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="mod_cors-map-reload-"))
    os.chmod(workdir, 0o755)
    bad = 0
    results = []
    try:
        for n in [int(x) for x in args.entries.split(",") if x.strip()]:
            for mpm, children in servers:
                r = run_one(n, mpm, children, workdir)
                print("\n".join(report(r)), flush=True)
                results.append(r)
                bad += len(r["problems"]) + len(r["errors"])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("\n".join(summary(results)))
    write_md(results, args, load)
    return 1 if bad else 0


def write_md(results: list[dict], args, load: tuple) -> None:
    """The section of BENCHMARKS.md, when the run is the default one (both sizes, both
    servers); else bench/build/BENCHMARKS-map.partial.md."""
    bench = args.bench_lines.read_text().splitlines() if args.bench_lines and \
        args.bench_lines.exists() else []
    section = ["## Origin maps: one copy per server, and a change (`make bench-map`)",
               "",
               f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, "
               f"load average {load[0]:.1f} at the start (the machine is shared).", "",
               *[ln for ln in METHOD.splitlines()], ""]
    section += summary(results)[1:] + [""]
    for r in results:
        if r["problems"] or r["errors"]:
            section.append(f"- {r['n']:,} entries, {r['mpm']}: "
                           + "; ".join(r["problems"] + r["errors"][:3]))
    if bench:
        section += ["bench/map_bench.c (`map_bench load N`: the parent's read, compile and "
                    "publish of a txt map of `https://t<i>.tenant.example allow` lines; "
                    "`map_bench lookup`: instructions per lookup under callgrind, half hits, "
                    "half misses; `set 2` is two configured origins):", "", "```",
                    *bench, "```", ""]
    complete = args.entries.replace(" ", "") == "200000,1000000" and \
        args.servers.replace(" ", "") == "prefork:8,event:2"
    target = OUT_MD if complete else REPO / "bench" / "build" / "BENCHMARKS-map.partial.md"
    if not complete and target.exists():
        target.unlink()
    write_kept_section("bench-map", "\n".join(section), target)
    print(f"bench-map: wrote {target.relative_to(REPO)}")


def published_after(r: dict) -> str:
    """When the loader logged the new version, after the rename, and how long its read took."""
    pub = r["published"]
    if not pub:
        return "none"
    _, _, _, ms, at = pub[-1]
    return f"{at:.2f} s (read {ms:,} ms)"


def summary(results: list[dict]) -> list[str]:
    """A Markdown table of every run (BENCHMARKS.md)."""
    out = ["", "| entries | server | txt file | one copy (image) | copy / file | children's PSS "
           "before -> after | with a 1-entry map | images' PSS after | map's cost after "
           "(copies) | whole PSS after (copies) | rename -> published | rename -> every child |",
           "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        f = figures(r)
        c = f["copy_kb"]
        out.append(f"| {r['n']:,} | {r['mpm']}, {r['children']} children | "
                   f"{mib(f['file_kb'])} MiB | {mib(c)} MiB | {r['copy'] / r['file']:.2f} | "
                   f"{mib(f['sum_b'])} -> {mib(f['sum_a'])} MiB | {mib(r['baseline'])} MiB | "
                   f"{mib(f['img_a'])} MiB | {mib(f['cost'])} MiB ({f['cost'] / c:.2f}) | "
                   f"{f['sum_a'] / c:.2f} | {published_after(r)} | {f['apply']:.2f} s |")
    return out


if __name__ == "__main__":
    sys.exit(main())
