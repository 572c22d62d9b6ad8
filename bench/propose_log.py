#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""cors-check propose on a large access log: how long it takes, how much memory it holds.

    bench/propose_log.py --lines 1000000 --run cors-check/cors-check   (make bench-propose)
    bench/propose_log.py --lines 1000 --out small.log                  (only write a log)

Writes a log in the cors_observe format (docs/moving-to-mod_cors.md) to
bench/build/propose-<lines>.log unless it is there already, then runs
`cors-check propose` on it three times and prints the fastest wall time and the peak RSS.
The traffic is fixed by a seed: 3 virtual hosts; 25% of the requests without an Origin;
partners, 1,500 tenant subdomains of two SaaS domains, scanners' lookalikes, null, invalid
values, and 20,000 rare origins each seen once or twice (so that memory is measured with
many distinct origins); one request in eight is a preflight with request headers.
Goal: under 5 seconds for 1,000,000 lines.  Standard library only; not a test.
"""

import argparse
import pathlib
import random
import resource
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
GOAL_SECONDS = 5.0

VHOSTS = ["api.example.com", "shop.example.com", "static.example.org"]
PARTNERS = [f"https://app.partner{i}.com" for i in range(20)] + [
    "http://localhost:3000", "http://127.0.0.1:8080", "https://admin.example.com"]
TENANTS = [f"https://t{i}.app.saas-one.net" for i in range(1000)] + [
    f"https://shop{i}.saas-two.io" for i in range(500)]
LOOKALIKES = ["https://evilpartner0.com", "https://app.partner1.com.evil.net",
              "https://example.com.attacker.test", "https://xadmin.example.comx.org"]
INVALID = ["HTTPS://APP.PARTNER0.COM", "https://app.partner0.com/", "https://a.test, https://b.test",
           "file://", ""]
PATHS = ["/api/v1/items", "/api/v1/orders/17", "/api/v2/search?q=x", "/static/app.js", "/"]
HEADERS = ["content-type", "authorization", "content-type,x-request-id",
           "authorization,content-type,x-client-version", "x-csrf-token"]
METHODS = ["PUT", "DELETE", "PATCH", "POST", "GET"]


def pick_origin(rng: random.Random, rare: list) -> str | None:
    r = rng.random()
    if r < 0.25:
        return None
    if r < 0.60:
        return rng.choice(PARTNERS)
    if r < 0.90:
        return rng.choice(TENANTS)
    if r < 0.93:
        return rng.choice(LOOKALIKES)
    if r < 0.95:
        return "null"
    if r < 0.96:
        return rng.choice(INVALID)
    return rng.choice(rare)


def write_log(path: pathlib.Path, lines: int) -> None:
    rng = random.Random(21)
    rare = [f"https://site{i}.example{i % 97}.net" for i in range(20000)]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w") as f:
        for _ in range(lines):
            vhost = rng.choice(VHOSTS)
            origin = pick_origin(rng, rare)
            path_ = rng.choice(PATHS)
            if origin is not None and rng.random() < 0.125:
                f.write(f'{vhost} "OPTIONS {path_} HTTP/1.1" 204 "{origin}" '
                        f'"{rng.choice(METHODS)}" "{rng.choice(HEADERS)}" preflight-ok\n')
            else:
                o = "-" if origin is None else origin
                note = "no-origin" if origin is None else "allowed"
                f.write(f'{vhost} "GET {path_} HTTP/1.1" 200 "{o}" "-" "-" {note}\n')
    tmp.rename(path)


def run(binary: str, log: pathlib.Path) -> tuple[float, int, int]:
    """(fastest wall seconds of 3 runs, peak RSS in KB, output bytes)."""
    best, out_len = None, 0
    for _ in range(3):
        t0 = time.monotonic()
        p = subprocess.run([binary, "propose", str(log)], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, check=False)
        dt = time.monotonic() - t0
        if p.returncode != 0:
            sys.exit(f"cors-check propose exited {p.returncode}: {p.stderr.decode()}")
        best = dt if best is None else min(best, dt)
        out_len = len(p.stdout)
    return best, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, out_len


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--out", type=pathlib.Path)
    ap.add_argument("--run", metavar="CORS_CHECK")
    a = ap.parse_args()
    log = a.out or ROOT / "bench" / "build" / f"propose-{a.lines}.log"
    if not log.exists():
        print(f"propose: writing {log} ({a.lines:,} lines)", flush=True)
        write_log(log, a.lines)
    if not a.run:
        return 0
    seconds, rss_kb, out_len = run(a.run, log)
    mb = log.stat().st_size / 1e6
    verdict = "met" if seconds < GOAL_SECONDS else "MISSED"
    print(f"propose: {a.lines:,} lines ({mb:.0f} MB) in {seconds:.2f} s "
          f"({a.lines / seconds / 1e6:.2f} M lines/s), peak RSS {rss_kb / 1024:.1f} MB, "
          f"{out_len:,} bytes of proposal; goal under {GOAL_SECONDS:.0f} s: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
