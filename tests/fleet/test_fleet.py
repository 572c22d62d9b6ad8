# SPDX-License-Identifier: Apache-2.0
"""make test-fleet: three httpd servers (event, worker, prefork) share one PostgreSQL
through `CORSAllowOriginMap dbd:`, as a fleet of web servers shares an application's table
of tenant origins.

The cluster is a throw-away one (tests/lib/db_harness.py: initdb, pg_ctl on 127.0.0.1, every
statement logged with the client's application_name, which is each server's MPM).  The
schema is README's (db_harness.PG_SCHEMA): a table of origins and a version row that a
statement trigger bumps on every change, read by the change query.  The tests run in order
and share the fleet: insert, delete, an invalid row, requests alone, the database stopped (a
server restarted meanwhile), the database back.

FLEET_DB=mysql runs the same against a throw-away MariaDB (make test-fleet-mysql, in
make ci-extra), with README's MySQL schema; its log does not say which server asked what,
so the statement-log test is PostgreSQL's only.
"""

import os
import re
import statistics
import time

import pytest

from httpd_harness import (BAD_ROW, CHANGE_QUERY, CONVERGE_SECONDS, DBD_MODULES, QUERY, Httpd,
                           Mariadb, Postgres, missing_for_mariadb, missing_for_postgres,
                           sql_literal, wait_until)

MPMS = ("event", "worker", "prefork")
DATABASES = {"pgsql": (Postgres, missing_for_postgres), "mysql": (Mariadb, missing_for_mariadb)}
FLEET_DB = os.environ.get("FLEET_DB") or "pgsql"

A, B, C, D, E = (f"https://{t}.tenant.example" for t in "abcde")
EVIL = "https://evil.example"

CONF = f"""
DBDriver ${{DBDRIVER}}
DBDParams "${{DBDPARAMS}}"
# README's advice: only the process that polls the map holds a connection
DBDMin 0
DBDKeep 1
<Location "/api/">
    CORSAllowOriginMap "dbd:{QUERY}" "{CHANGE_QUERY}"
</Location>
<IfModule mpm_prefork_module>
    # new children keep coming: each must start with the current version
    MaxConnectionsPerChild 5
</IfModule>
"""

# mod_dbd's errors while the database is down, and the map's own; the invalid row, and
# the first start (no version yet).
OUTAGE_LOG = [r"\[dbd:(error|crit)\]", r"\[cors:(error|warn)\].*dbd"]
ALLOW_LOG = [re.escape(BAD_ROW), r"no version on disk yet"]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """The database of the fleet (FLEET_DB), with README's schema and two origins."""
    cls, missing = DATABASES[FLEET_DB]
    why = missing()
    if why:
        pytest.fail(f"{why} (make deps installs it)")
    d = cls(tmp_path_factory.mktemp(FLEET_DB))
    d.start()
    d.sql(d.schema)
    d.sql(f"INSERT INTO tenant_origins (origin) VALUES ({sql_literal(A)}), ({sql_literal(B)})")
    yield d
    d.close()


@pytest.fixture(scope="module")
def fleet(db, tmp_path_factory):
    servers = {}
    try:
        for mpm in MPMS:
            conf = CONF.replace("${DBDRIVER}", db.driver).replace("${DBDPARAMS}",
                                                                  db.dbd_params(mpm))
            s = Httpd(tmp_path_factory.mktemp(mpm), conf, mpm=mpm, modules=DBD_MODULES,
                      files={"htdocs/api/r": "ok\n"})
            s.start()
            servers[mpm] = s
        yield servers
        for s in servers.values():
            s.check_log(allow=ALLOW_LOG + OUTAGE_LOG)
    finally:
        for s in servers.values():
            s.stop()


def allowed(srv, origin) -> bool:
    r = srv.request("GET", "/api/r", {"Origin": origin})
    assert r.status == 200, r
    return r.get("Access-Control-Allow-Origin") == origin


def every_server(fleet, origin, want: bool, timeout: float = CONVERGE_SECONDS) -> list:
    """The servers that did not answer as wanted, 10 requests in a row (one connection
    each: several children), within timeout (polled together)."""
    pending = dict(fleet)
    deadline = time.monotonic() + timeout
    while pending:
        for name, s in list(pending.items()):
            if all(allowed(s, origin) == want for _ in range(10)):
                del pending[name]
        if not pending or time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    return sorted(pending)


def steady(fleet, origin, want: bool, n: int = 10) -> list:
    """Servers where one of n requests did not answer as wanted (several children)."""
    return sorted(name for name, s in fleet.items()
                  if not all(allowed(s, origin) == want for _ in range(n)))


def check_logs(fleet, allow=()):
    for s in fleet.values():
        s.check_log(allow=[*ALLOW_LOG, *allow])


def timed_requests(srv, origin, n: int) -> tuple[list, list]:
    """n requests in a row: the seconds each took as the client saw it, and as httpd spent
    it (%D).  Under prefork the client's figure can include up to a second of waiting for
    the parent to start a child (MaxConnectionsPerChild 5; it does its upkeep once a
    second), with or without a database: that wait is before httpd reads the request."""
    client, served = [], []
    for _ in range(n):
        t0 = time.monotonic()
        r = srv.request("GET", "/api/r", {"Origin": origin})
        client.append(time.monotonic() - t0)
        assert r.status == 200 and r.get("Access-Control-Allow-Origin") == origin, r
        served.append(srv.served_seconds(r))
    return client, served


def test_initial_set_everywhere(fleet):
    assert not every_server(fleet, A, True), {n: s.error_log() for n, s in fleet.items()}
    assert not steady(fleet, B, True)
    assert not steady(fleet, EVIL, False)
    check_logs(fleet)


def test_insert_answered_by_all_within_3s(fleet, db):
    db.sql(f"INSERT INTO tenant_origins (origin) VALUES ({sql_literal(C)})")
    late = every_server(fleet, C, True)
    assert not late, f"{late} did not allow a new row within {CONVERGE_SECONDS} s"
    assert not steady(fleet, C, True)
    check_logs(fleet)


def test_delete_refused_by_all_within_3s(fleet, db):
    db.sql(f"DELETE FROM tenant_origins WHERE origin = {sql_literal(C)}")
    late = every_server(fleet, C, False)
    assert not late, f"{late} still allowed a deleted row after {CONVERGE_SECONDS} s"
    assert not steady(fleet, C, False)
    # an UPDATE that deactivates is a change too
    db.sql(f"UPDATE tenant_origins SET active = false WHERE origin = {sql_literal(B)}")
    assert not every_server(fleet, B, False)
    db.sql(f"UPDATE tenant_origins SET active = true WHERE origin = {sql_literal(B)}")
    assert not every_server(fleet, B, True)
    check_logs(fleet)


def test_invalid_row_skipped_and_named(fleet, db):
    for s in fleet.values():
        s.mark_log()
    db.sql(f"INSERT INTO tenant_origins (origin) VALUES ({sql_literal(BAD_ROW)}), "
            f"({sql_literal(D)})")
    assert not every_server(fleet, D, True), "the valid rows beside an invalid one"
    assert not steady(fleet, A, True)
    assert not allowed(fleet["event"], "https://bad")
    for name, s in fleet.items():
        named = [ln for ln in s.new_log_lines() if BAD_ROW in ln and "skipped" in ln]
        assert named and "[cors:warn]" in named[0], (name, s.new_log_lines())
        # read once per server per change, not once per child
        assert len(named) == 1, (name, named)
    check_logs(fleet)


@pytest.mark.skipif(FLEET_DB != "pgsql", reason="PostgreSQL's log names each client")
def test_only_the_change_query_while_requests_arrive(fleet, db):
    db.mark_log()
    t0 = time.monotonic()
    while time.monotonic() - t0 < 3:
        for s in fleet.values():
            allowed(s, A)
    seconds = time.monotonic() - t0
    for name in fleet:
        stmts = db.statements(application=name)
        full = [q for q in stmts if QUERY in q]
        assert not full, f"{name} ran the full query with no change: {full}"
        change = [q for q in stmts if CHANGE_QUERY in q]
        assert change, f"{name} never asked the change query: {stmts}"
        # one loader per server, about once a second (not one per child)
        assert len(change) <= seconds + 2, (name, len(change), seconds)
    check_logs(fleet)


def test_database_down_last_version_answered(fleet, db):
    base = {n: statistics.median(timed_requests(s, A, 20)[0]) for n, s in fleet.items()}
    db.stop()
    try:
        time.sleep(1.5)             # every loader has met the outage at least once
        for name, s in fleet.items():
            times, served = timed_requests(s, A, 20)
            assert not steady({name: s}, A, True) and not steady({name: s}, D, True)
            assert not steady({name: s}, C, False) and not steady({name: s}, EVIL, False)
            # no request waits on the database (mod_dbd's connect_timeout is 2 s)
            assert max(served) < 0.5, (name, served)
            if name != "prefork":
                assert max(times) < 1.0, (name, times)
            assert statistics.median(times) < 5 * base[name] + 0.02, (name, base[name], times)
        # a server restarted during the outage starts with its last version (on disk)
        s = fleet["prefork"]
        s.stop()
        s.start()
        assert not steady({"prefork": s}, A, True, 20)
        assert not steady({"prefork": s}, D, True)
        assert not steady({"prefork": s}, C, False)
        for s in fleet.values():
            logged = re.compile(OUTAGE_LOG[1])
            assert wait_until(lambda: any(logged.search(ln) for ln in s.new_log_lines()),
                              CONVERGE_SECONDS), s.new_log_lines()
    finally:
        db.start()
    check_logs(fleet, OUTAGE_LOG)


def test_database_back_new_row_converges(fleet, db):
    db.sql(f"INSERT INTO tenant_origins (origin) VALUES ({sql_literal(E)})")
    # the loaders find the database again on their next poll (mod_dbd reconnects)
    late = every_server(fleet, E, True, CONVERGE_SECONDS + 2)
    assert not late, {n: fleet[n].new_log_lines() for n in late}
    assert not steady(fleet, A, True) and not steady(fleet, C, False)
    check_logs(fleet, OUTAGE_LOG)
