#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""make bench-dbd -- the dbd row of the benchmarks: `CORSAllowOriginMap dbd:` with
DBD_ROWS rows (default 1,000,000) in a throw-away PostgreSQL (tests/lib/db_harness.py),
the schema and queries of README's "Many servers, one database".

    /usr/bin/python3 bench/dbd_bench.py

1. Lookups: instructions per request under callgrind, measured as bench/run.py measures
   (`apache2 -X`, keep-alive, BENCH_REQUESTS requests after a warm-up), for the same policy
   with two configured origins and with the dbd map.  Only connection processing is counted
   (--toggle-collect=ap_run_process_connection, in both): the map's loader runs in the
   same process under -X and asks the change query every second, which is the server's
   work, not a request's.  Goal: the map within 2 % of the two origins.
2. Convergence: DBD_SERVERS servers (event, worker, prefork, in turn) on the one database;
   DBD_CHANGES times, an INSERT of a new origin and the time until every server allows it,
   then its DELETE and the time until every server refuses it (polled every 10 ms, one
   connection per request).  Also each server's first load (start to the first allowed
   answer).  Goal: at most 3 s (2 s after the change query's answer changed, which the
   loader asks every second).
3. At rest: the statements each server sends to the database over DBD_REST_SECONDS while
   requests arrive (PostgreSQL's statement log, by application_name).  Goal: about one a
   second per server (the change query), whatever its number of children.

Prints the table and the goals (a miss does not fail the run) and writes them into
BENCHMARKS.md between `<!-- bench-dbd -->` markers (bench/run.py keeps that section when it
rewrites the file); with DBD_PARTS=fleet, to bench/build/BENCHMARKS.dbd.md.  Not a test.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import statistics
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests" / "lib"))
sys.path.insert(0, str(HERE))

from httpd_harness import (CHANGE_QUERY, DBD_MODULES, PG_SCHEMA, QUERY, Httpd,  # noqa: E402
                           Postgres, _module_line, sql_literal, wait_until)
import run  # noqa: E402

ROWS = run.env_int("DBD_ROWS", 1_000_000)
SERVERS = run.env_int("DBD_SERVERS", 3)
CHANGES = run.env_int("DBD_CHANGES", 5)
REST_SECONDS = run.env_int("DBD_REST_SECONDS", 10)
MPMS = ("event", "worker", "prefork")
GOAL_CONVERGE_S = 3.0
GOAL_QPS = 1.2
LOAD_TIMEOUT = 900          # a first load of a million rows under valgrind
OUT = run.BUILD / "BENCHMARKS.dbd.md"
TOGGLE = ("--toggle-collect=ap_run_process_connection",)
KINDS = ("get-allowed", "preflight", "get-denied")


def fill(pg: Postgres):
    """ROWS origins: the two of the two-origin policy and ROWS - 2 others."""
    pg.psql(PG_SCHEMA)
    pg.psql("INSERT INTO tenant_origins (origin) SELECT 'https://site' || i || '.example.com' "
            f"FROM generate_series(1, {ROWS - 2}) AS i")
    pg.psql(f"INSERT INTO tenant_origins (origin) VALUES ({sql_literal(run.ALLOWED)}), "
            "('https://admin.example.com')")


def dbd_conf(pg: Postgres, application: str) -> str:
    loads = [ln for ln in (_module_line(m) for m in DBD_MODULES) if ln]
    return "\n".join([*loads, "DBDriver pgsql", f'DBDParams "{pg.dbd_params(application)}"',
                      f'CORSAllowOriginMap "dbd:{QUERY}" "{CHANGE_QUERY}"', ""])


def allows(srv: Httpd, origin: str) -> bool:
    r = srv.request("GET", "/data.json", {"Origin": origin})
    return r.get("Access-Control-Allow-Origin") == origin


def wait_loaded(srv: Httpd):
    if not wait_until(lambda: allows(srv, run.ALLOWED), LOAD_TIMEOUT, 0.5):
        raise run.BenchError(f"the dbd map did not load within {LOAD_TIMEOUT} s:\n"
                             + srv.error_log()[-2000:])


# ---------------------------------------------------------------------------------------------
# 1. Lookups
# ---------------------------------------------------------------------------------------------

def part_lookups(pg: Postgres) -> dict:
    configs = [
        run.Config("cors-2-tc", "mod_cors, two configured origins", run.POLICY_2,
                   module=run.CORS_MOD, cors=True, answers_preflight=True,
                   callgrind_args=TOGGLE),
        run.Config("cors-dbd-1m", f"mod_cors, dbd map of {ROWS:,} rows",
                   dbd_conf(pg, "callgrind") + run.CORS_POLICY, module=run.CORS_MOD,
                   cors=True, answers_preflight=True, callgrind_args=TOGGLE,
                   startup_timeout=LOAD_TIMEOUT, ready=wait_loaded),
    ]
    run.WORK.mkdir(parents=True, exist_ok=True)
    out = {}
    for cfg in configs:
        counts = run.callgrind_config(cfg)
        out[cfg.key] = {k: counts[k] for k in KINDS}
    return out


# ---------------------------------------------------------------------------------------------
# 2. Convergence and 3. at rest
# ---------------------------------------------------------------------------------------------

def start_fleet(pg: Postgres) -> tuple[list, list]:
    servers, first_load = [], []
    for i in range(SERVERS):
        root = run.WORK / f"dbd-fleet-{i}"
        if root.exists():
            shutil.rmtree(root)
        srv = Httpd(root, dbd_conf(pg, f"srv{i}") + run.CORS_POLICY, mpm=MPMS[i % len(MPMS)],
                    ports=1, loglevel="warn",
                    files={"htdocs/data.json": "{}\n"})
        t0 = time.monotonic()
        srv.start()
        servers.append(srv)
        wait_loaded(srv)
        first_load.append(time.monotonic() - t0)
    return servers, first_load


def time_until_all(servers, origin: str, want: bool, timeout: float = 30) -> float:
    t0 = time.monotonic()
    pending = list(servers)
    while pending and time.monotonic() - t0 < timeout:
        pending = [s for s in pending if allows(s, origin) != want]
        if pending:
            time.sleep(0.01)
    if pending:
        raise run.BenchError(f"{origin}: {len(pending)} servers did not converge in {timeout} s")
    return time.monotonic() - t0


def part_fleet(pg: Postgres) -> dict:
    servers, first_load = start_fleet(pg)
    try:
        insert, delete = [], []
        for i in range(CHANGES):
            origin = f"https://new{i}.example.com"
            pg.psql(f"INSERT INTO tenant_origins (origin) VALUES ({sql_literal(origin)})")
            insert.append(time_until_all(servers, origin, True))
            pg.psql(f"DELETE FROM tenant_origins WHERE origin = {sql_literal(origin)}")
            delete.append(time_until_all(servers, origin, False))
            time.sleep(0.5)         # changes at another phase of the loaders' second
        pg.mark_log()
        t0 = time.monotonic()
        while time.monotonic() - t0 < REST_SECONDS:
            for s in servers:
                allows(s, run.ALLOWED)
        seconds = time.monotonic() - t0
        qps = [len(pg.statements(application=f"srv{i}")) / seconds for i in range(SERVERS)]
        full = sum(1 for i in range(SERVERS) for q in pg.statements(application=f"srv{i}")
                   if QUERY in q)
    finally:
        for s in servers:
            s.stop()
    return {"first_load": first_load, "insert": insert, "delete": delete, "qps": qps,
            "full_at_rest": full, "mpms": [s.mpm for s in servers]}


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------

def report(lookups: dict, fleet: dict) -> list[str]:
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [f"## CORSAllowOriginMap dbd: {ROWS:,} rows in PostgreSQL (`make bench-dbd`)", "",
             f"Written by `make bench-dbd` (bench/dbd_bench.py) on {when}, "
             f"{os.cpu_count()} CPUs shared with other work.", ""]
    if lookups:
        base, dbd = lookups["cors-2-tc"], lookups["cors-dbd-1m"]
        lines += ["Instructions per request (connection processing only, see "
                  "bench/dbd_bench.py):", "",
                  "| | " + " | ".join(run.KIND_LABEL[k] for k in KINDS) + " |",
                  "|---|" + "---:|" * len(KINDS),
                  "| two configured origins | " + " | ".join(run.fmt_int(base[k])
                                                          for k in KINDS) + " |",
                  f"| dbd map, {ROWS:,} rows | " + " | ".join(
                      f"{run.fmt_int(dbd[k])} ({dbd[k] / base[k]:.4f})" for k in KINDS) + " |",
                  ""]
    lines += [f"Fleet of {SERVERS} ({', '.join(fleet['mpms'])}) on the one database, "
              f"{CHANGES} changes.  A change's time holds the wait for the loader's next "
              "change query (up to 1 s), the read of every row, the new image, and the "
              "children's next look (0.2 s); the loaders of all the servers and PostgreSQL "
              "run at once on this machine's CPUs.", "",
              "| | median | max |", "|---|---:|---:|"]
    for key, label in (("first_load", "start to the first load answered (s)"),
                       ("insert", "INSERT to every server allowing it (s)"),
                       ("delete", "DELETE to every server refusing it (s)"),
                       ("qps", "queries per second per server at rest")):
        v = fleet[key]
        lines.append(f"| {label} | {statistics.median(v):.2f} | {max(v):.2f} |")
    lines += ["", "Goals:", ""]
    if lookups:
        worst = max(lookups["cors-dbd-1m"][k] / lookups["cors-2-tc"][k] for k in KINDS)
        lines.append(f"- lookups within {run.GOAL_MAP_RATIO - 1:.0%} of two origins: "
                     f"{worst:.4f} ({'met' if worst <= run.GOAL_MAP_RATIO else 'MISSED'})")
    worst = max(fleet["insert"] + fleet["delete"])
    lines.append(f"- a change answered by every server within {GOAL_CONVERGE_S:g} s: "
                 f"{worst:.2f} s ({'met' if worst <= GOAL_CONVERGE_S else 'MISSED'})")
    qps = max(fleet["qps"])
    ok = qps <= GOAL_QPS and fleet["full_at_rest"] == 0
    lines.append(f"- at rest about one query a second per server, never the full query: "
                 f"{qps:.2f}/s, {fleet['full_at_rest']} full queries "
                 f"({'met' if ok else 'MISSED'})")
    return lines


def main() -> int:
    parts = [p for p in (os.environ.get("DBD_PARTS") or "lookups,fleet").split(",") if p]
    workdir = run.WORK / "dbd-pg"
    if workdir.exists():
        shutil.rmtree(workdir)
    pg = Postgres(workdir)
    pg.start()
    try:
        t0 = time.monotonic()
        fill(pg)
        run.log(f"dbd: {ROWS:,} rows in {time.monotonic() - t0:.0f} s")
        lookups = part_lookups(pg) if "lookups" in parts else {}
        fleet = part_fleet(pg)
    finally:
        pg.close()
    lines = report(lookups, fleet)
    print("\n".join(lines))
    # BENCHMARKS.md's section only from a whole run; a part of one beside it
    if "lookups" in parts:
        run.write_kept_section("bench-dbd", "\n".join(lines))
        run.log(f"bench-dbd: wrote the section of {run.OUT_MD.relative_to(REPO)}")
    else:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text("\n".join(lines) + "\n")
        run.log(f"bench-dbd: wrote {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except run.BenchError as e:
        sys.exit(f"bench-dbd: {e}")
