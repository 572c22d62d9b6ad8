#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""make bench-regex -- what a hostile tenant's CORSAllowOriginMatch costs.

Two parts, both printed and written into BENCHMARKS.md's section "Regex bounds" (between
its markers; `make bench` keeps the section when it rewrites the file):

1. bench/build/regex_bench (bench/regex_bench.c): per regex, compiling and checking it as
   reading one .htaccess line does; per request, the decision for a .htaccess scope of 8
   backtracking regexes with a crafted Origin of 261 bytes (the longest https origin),
   1 KB and 8 KB.
2. A throw-away httpd (tests/lib/httpd_harness.py, MPM event, 127.0.0.1): the wall time of
   one request to a directory whose .htaccess holds 1, 10 or 100 CORSAllowOriginMatch
   lines of a shape, each request with a .htaccess of its own (every regex new to the
   child, so that its check runs: what a tenant who writes ever new regexes costs), minus
   the same request with as many comment lines.  REGEX_RUNS requests per case (default 30).

Part 1 is CPU time of the thread (the work, whatever else the shared machine does); part 2
is wall time, where the slowest run holds the noise of everything else the machine does (a
preemption costs milliseconds).  The goals are judged on the 95th percentile; the slowest and
the median are shown beside it.

Standard library only; ALWAYS /usr/bin/python3.  Work files in bench/build/regex/.
"""

from __future__ import annotations

import os
import pathlib
import re
import statistics
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests" / "lib"))
sys.path.insert(0, str(HERE))

from httpd_harness import Httpd  # noqa: E402
from run import OUT_MD, write_kept_section  # noqa: E402

BUILD = REPO / "bench" / "build"
WORK = BUILD / "regex"
RUNS = int(os.environ.get("REGEX_RUNS", "30"))
C_RUNS = os.environ.get("REGEX_C_RUNS", "200")
GOAL_READ_MS = 10.0
GOAL_MATCH_MS = 1.0

# name: a line's regex, {u} unique per request and {i} per line
SHAPES = {
    "nested quantifiers (refused)": r"https://([a-z]+)+\.a{{40}}p{u}x{i}\.com",
    "overlapping alternatives (refused)": r"https://(a|a|[a-z])+\.e{u}x{i}\.com",
    "32 sites under a wildcard label (accepted)":
        r"https://([a-z0-9-]+\.)*(a0|a1|a2|a3|a4|a5|a6|a7|a8|a9|b0|b1|b2|b3|b4|b5|b6|b7|b8|"
        r"b9|c0|c1|c2|c3|c4|c5|c6|c7|c8|c9|d{u}|e{i})\.(example|e\.x\.a\.m\.p\.l\.e)\."
        r"(com|org):?[0-9]*",
    "8 KB regex (refused)": None,
}
LINES = (1, 10, 100)

CONF = r"""
KeepAlive Off
<Directory "${DOCROOT}/t">
    AllowOverride FileInfo
</Directory>
"""


def long_regex(u: int, i: int) -> str:
    alts = "|".join(f"s{k:04d}[a-z]*\\.example" for k in range(8000 // 22))
    return f"https://(u{u}x{i}|{alts})\\.com"


def regex_of(shape: str, u: int, i: int) -> str:
    fmt = SHAPES[shape]
    return long_regex(u, i) if fmt is None else fmt.format(u=u, i=i)


def run_c() -> list[str]:
    out = subprocess.run([str(BUILD / "regex_bench"), C_RUNS], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    print(out, end="", flush=True)
    return out.splitlines()


def timed_request(s: Httpd, path: str) -> tuple[float, int]:
    t0 = time.perf_counter()
    r = s.request("GET", path, {"Origin": "https://app.example.com"})
    return (time.perf_counter() - t0) * 1000, r.status


def p95(values: list[float]) -> float:
    return sorted(values)[len(values) * 95 // 100]


def run_httpd() -> list[tuple[str, int, float, float, float, int]]:
    """(shape, lines, slowest ms, p95 ms, median ms, status) over RUNS, the baseline's
    median subtracted."""
    WORK.mkdir(parents=True, exist_ok=True)
    rows = []
    s = Httpd(WORK / "srv", CONF, files={"htdocs/t/r": "r\n"}, loglevel="warn")
    s.start()
    try:
        htaccess = s.docroot / "t" / ".htaccess"
        u = 0
        for n in LINES:
            base = []
            for _ in range(RUNS):
                htaccess.write_text("".join(f"# line {k}\n" for k in range(n)))
                base.append(timed_request(s, "/t/r")[0])
            floor = statistics.median(base)
            for shape in SHAPES:
                times, status = [], 0
                for _ in range(RUNS):
                    u += 1
                    htaccess.write_text("".join(
                        f'CORSAllowOriginMatch "{regex_of(shape, u, i)}"\n' for i in range(n)))
                    ms, status = timed_request(s, "/t/r")
                    times.append(ms - floor)
                row = (shape, n, max(times), p95(times), statistics.median(times), status)
                print(f"htaccess\t{shape}\t{n} lines\t{row[2]:.2f}\t{row[3]:.2f}\t"
                      f"{row[4]:.2f} ms\tstatus {status}", flush=True)
                rows.append(row)
    finally:
        s.stop()
    return rows


def section(c_lines: list[str], rows) -> str:
    limits = next((ln[len("# limits: "):] for ln in c_lines if ln.startswith("# limits")), "")
    read = [ln.split("\t") for ln in c_lines if ln.startswith("read\t")]
    match = [ln.split("\t") for ln in c_lines if ln.startswith(("match\t", "match-all\t"))]
    # Per regex: one line's check, and a 1-line .htaccess read through httpd (p95).
    worst_read = max([float(r[3]) / 1000 for r in read] + [r[3] for r in rows if r[1] == 1])
    worst_match = max(float(m[3]) for m in match if m[3] != "-") / 1000
    out = ["## Regex bounds (`make bench-regex`)", "",
           f"Written by `make bench-regex` (bench/regex_bounds.py, bench/regex_bench.c) on "
           f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs "
           f"shared with other work. Through httpd: wall time, so the slowest run carries the "
           f"machine's noise; bench/regex_bench.c: the thread's CPU time. Goals on the 95th "
           f"percentile. Limits: {limits}.", "",
           "### Reading a .htaccess (httpd, one request each, every regex new to the child)",
           "", f"Wall time of one request over the same request with as many comment lines "
           f"(median of {RUNS}); {RUNS} requests per row; p95 / median (slowest), ms. "
           f"Past {8} lines a .htaccess scope is refused (500) at the 9th.", "",
           "| Lines of | 1 line | 10 lines | 100 lines | status |",
           "|---|---|---|---|---|"]
    for shape in SHAPES:
        cells = [f"{r[3]:.2f} / {r[4]:.2f} ({r[2]:.2f})" for r in rows if r[0] == shape]
        status = sorted({str(r[5]) for r in rows if r[0] == shape})
        out.append(f"| {shape} | " + " | ".join(cells) + f" | {', '.join(status)} |")
    out += ["", "### One line's check (compile and probe; bench/regex_bench.c)", "",
            f"{C_RUNS} runs each, us of CPU time.", "",
            "| Shape | p95 | median | slowest | verdict |", "|---|---|---|---|---|"]
    out += [f"| {r[1]} | {r[3]} | {r[4]} | {r[2]} | {r[5]} |" for r in read]
    out += ["", "### Matching per request (8 regexes in one .htaccess scope)", "",
            f"{C_RUNS} runs each, us of CPU time. `match`: the decision (it stops at the first regex that "
            "reaches a limit); `match-all`: every regex of the scope asked, the bound.", "",
            "| Case | p95 | median | slowest | |", "|---|---|---|---|---|"]
    out += [f"| {m[0]}: {m[1]} | {m[3]} | {m[4]} | {m[2]} | {m[5]} |" for m in match]
    out += ["", "Goals (on the 95th percentile): at most "
            f"{GOAL_READ_MS:g} ms per regex read: worst {worst_read:.2f} ms -> "
            f"**{'MET' if worst_read <= GOAL_READ_MS else 'NOT MET'}**; at most "
            f"{GOAL_MATCH_MS:g} ms of matching per request: worst {worst_match:.3f} ms -> "
            f"**{'MET' if worst_match <= GOAL_MATCH_MS else 'NOT MET'}**."]
    return "\n".join(out) + "\n"


def main() -> int:
    c_lines = run_c()
    rows = run_httpd()
    text = section(c_lines, rows)
    print("\n" + text)
    write_kept_section("bench-regex", text)
    print(f"bench-regex: wrote the section of {OUT_MD.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
