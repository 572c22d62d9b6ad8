# SPDX-License-Identifier: Apache-2.0
"""CORSAllowOriginMap "dbd:QUERY" ["CHANGE-QUERY"]: origins from an SQLite database through
mod_dbd (the embedded driver; tests/fleet has PostgreSQL and several servers).

The database is a real SQLite file that the test writes with Python's sqlite3 while httpd
reads it.  Its change query reads a version row that triggers bump on every INSERT, UPDATE
and DELETE (db_harness.SQLITE_SCHEMA, README's "Many servers, one database"), so a change
is answered within CONVERGE_SECONDS: the loader asks the change query every second and the new version
reaches every child within 2 s.
"""

import re
import time

import pytest

from httpd_harness import (BAD_ROW, CHANGE_QUERY, CONVERGE_SECONDS, DBD_MODULES, QUERY,
                           SQLITE_SCHEMA, Httpd, Sqlite, assert_allowed, assert_denied, serve,
                           wait_until)

REREAD_SECONDS = 10.0       # without a change query QUERY runs every 10 s

A, B, C, D, E = (f"https://{t}.tenant.example" for t in "abcde")
EVIL = "https://evil.example"

CONF = f"""
DBDriver sqlite3
DBDParams "${{SERVERROOT}}/db/origins.db"
<Location "/dbd/">
    CORSAllowOriginMap "dbd:{QUERY}" "{CHANGE_QUERY}"
</Location>
<Location "/dbd-slow/">
    CORSAllowOriginMap "dbd:{QUERY} AND origin <> 'x'"
</Location>
"""

FILES = {"htdocs/dbd/r": "ok\n", "htdocs/dbd-slow/r": "ok\n"}

# The invalid row is named at every load of the map; a first start has no version yet.
FIRST_START = r"no version on disk yet"
pytestmark = pytest.mark.log_allow(re.escape(BAD_ROW), FIRST_START)

# What the database's absence logs: mod_dbd's own errors, and the map's.
# (with mod_dbd's defaults every child connects at its start: AH00636 when it cannot).
OUTAGE_LOG = (r"\[dbd:(error|crit)\]", r"\[cors:(error|warn)\].*dbd")


def skipped_row_lines(srv, value: str) -> list[str]:
    return [ln for ln in srv.new_log_lines() if "skipped" in ln and value in ln]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    root = tmp_path_factory.mktemp("dbd")
    d = Sqlite(root / "db" / "origins.db")
    d.execute(SQLITE_SCHEMA, script=True)
    d.executemany("INSERT INTO tenant_origins (origin) VALUES (?)", [(A,), (B,), (BAD_ROW,)])
    return d


@pytest.fixture(scope="module")
def srv(db):
    root = db.path.parent.parent
    with serve(root, CONF, files=FILES, modules=DBD_MODULES,
               startup_allow=[re.escape(BAD_ROW), FIRST_START]) as s:
        yield s


def get(srv, path, origin):
    return srv.request("GET", path, {"Origin": origin})


def allowed(srv, path, origin) -> bool:
    r = get(srv, path, origin)
    assert r.status == 200, r
    return r.get("Access-Control-Allow-Origin") == origin


def answers(srv, origin, want: bool, timeout: float, path="/dbd/r") -> bool:
    """Waits (bounded) until origin is allowed (want) or refused (not want) at path, 10
    requests in a row (one connection each: with several children, every one)."""
    return wait_until(lambda: all(allowed(srv, path, origin) == want for _ in range(10)),
                      timeout, 0.05)


def test_initial_set(srv):
    # The first load may come a moment after the start: the loader reads the database.
    assert answers(srv, A, True, CONVERGE_SECONDS), srv.error_log()
    assert_allowed(get(srv, "/dbd/r", A), A)
    assert_allowed(get(srv, "/dbd/r", B), B)
    assert_denied(get(srv, "/dbd/r", EVIL))
    assert_denied(get(srv, "/dbd/r", "null"))
    r = srv.preflight("/dbd/r", B, "GET")
    assert r.status == 204 and r.get("Access-Control-Allow-Origin") == B, r


def test_invalid_row_skipped_and_named_in_the_log(srv, db):
    # Named at the first load (at startup, before the mark) and at every load after it.
    assert BAD_ROW in srv.error_log(), srv.error_log()
    db.execute("INSERT INTO tenant_origins (origin) VALUES (?)", (D,))
    assert answers(srv, D, True, CONVERGE_SECONDS), srv.new_log_lines()
    assert allowed(srv, "/dbd/r", A) and allowed(srv, "/dbd/r", B)
    lines = skipped_row_lines(srv, BAD_ROW)
    assert lines and "[cors:warn]" in lines[0], srv.new_log_lines()
    # one loader for the server: read once per change, not once per child
    assert len(lines) == 1, lines
    assert not allowed(srv, "/dbd/r", "https://bad")


def test_insert_answered_within_3s(srv, db):
    assert not allowed(srv, "/dbd/r", C)
    db.execute("INSERT INTO tenant_origins (origin) VALUES (?)", (C,))
    t0 = time.monotonic()
    assert answers(srv, C, True, CONVERGE_SECONDS), srv.new_log_lines()
    # and stays allowed, whichever child answers
    assert all(allowed(srv, "/dbd/r", C) for _ in range(20)), \
        f"allowed after {time.monotonic() - t0:.1f} s, then refused by a child"


def test_delete_refused_within_3s(srv, db):
    assert allowed(srv, "/dbd/r", C)
    db.execute("DELETE FROM tenant_origins WHERE origin = ?", (C,))
    assert answers(srv, C, False, CONVERGE_SECONDS), srv.new_log_lines()
    assert not any(allowed(srv, "/dbd/r", C) for _ in range(20)), "a child still allows it"
    assert allowed(srv, "/dbd/r", A)


def test_without_change_query_read_every_10s(srv, db):
    # /dbd-slow/ has no change query: QUERY runs again at most REREAD_SECONDS later
    assert allowed(srv, "/dbd-slow/r", A)
    db.execute("INSERT INTO tenant_origins (origin) VALUES (?)", (C,))
    assert answers(srv, C, True, CONVERGE_SECONDS), srv.new_log_lines()
    assert answers(srv, C, True, REREAD_SECONDS + CONVERGE_SECONDS, "/dbd-slow/r"), \
        srv.new_log_lines()


@pytest.mark.log_allow(*OUTAGE_LOG)
def test_database_removed_keeps_last_version(srv, db):
    assert allowed(srv, "/dbd/r", C)
    db.remove()
    # running: the last version stays in force (an open connection may still read the
    # removed file: it must not matter either way)
    for _ in range(30):
        assert allowed(srv, "/dbd/r", A) and allowed(srv, "/dbd/r", C)
        assert not allowed(srv, "/dbd/r", EVIL)
        time.sleep(0.05)
    # restarted without the database: the last good version on disk
    srv.stop()
    srv.start()
    for _ in range(20):
        assert allowed(srv, "/dbd/r", A) and allowed(srv, "/dbd/r", C)
        assert allowed(srv, "/dbd/r", D)
        assert not allowed(srv, "/dbd/r", EVIL)
    logged = re.compile(r"\[cors:(error|warn)\].*dbd")
    assert wait_until(lambda: any(logged.search(ln) for ln in srv.new_log_lines()),
                      CONVERGE_SECONDS), \
        "the failed load is not logged:\n" + "\n".join(srv.new_log_lines())
    # the database back (made anew): a new row is answered, the removed ones are gone
    db.execute(SQLITE_SCHEMA, script=True)
    db.executemany("INSERT INTO tenant_origins (origin) VALUES (?)", [(A,), (E,)])
    assert answers(srv, E, True, CONVERGE_SECONDS), srv.new_log_lines()
    assert not allowed(srv, "/dbd/r", C) and not allowed(srv, "/dbd/r", D)
    srv.check_log(allow=OUTAGE_LOG)     # what the outage logged, up to the recovery


@pytest.mark.log_allow(*OUTAGE_LOG)
def test_unreachable_at_start_allows_nothing_until_the_first_load(make_server, tmp_path):
    # No database file and no version on disk: a start, not an error; nothing is allowed
    # (the map's origins are unknown) until the database answers, retried every second.
    s = make_server(CONF, files=FILES, modules=DBD_MODULES)
    for _ in range(10):
        assert_denied(get(s, "/dbd/r", A))
    logged = re.compile(r"\[cors:error\].*dbd")
    assert wait_until(lambda: any(logged.search(ln) for ln in s.new_log_lines()),
                      CONVERGE_SECONDS), s.new_log_lines()
    db = Sqlite(s.root / "db" / "origins.db")
    db.execute(SQLITE_SCHEMA, script=True)
    db.execute("INSERT INTO tenant_origins (origin) VALUES (?)", (A,))
    assert answers(s, A, True, CONVERGE_SECONDS), s.new_log_lines()
    assert not allowed(s, "/dbd/r", B)


def test_empty_table_allows_nothing(make_server, tmp_path):
    # Unlike an empty file (a failed export), a database that answers no rows has answered:
    # the version allows nothing, and rows that come back are answered again.
    db = Sqlite(tmp_path / "db" / "origins.db")
    db.execute(SQLITE_SCHEMA, script=True)
    db.execute("INSERT INTO tenant_origins (origin) VALUES (?)", (A,))
    s = make_server(CONF, files=FILES, modules=DBD_MODULES)
    s.check_log(allow=[FIRST_START])
    assert answers(s, A, True, CONVERGE_SECONDS), s.new_log_lines()
    db.execute("DELETE FROM tenant_origins")
    assert answers(s, A, False, CONVERGE_SECONDS), s.new_log_lines()
    db.execute("INSERT INTO tenant_origins (origin) VALUES (?)", (B,))
    assert answers(s, B, True, CONVERGE_SECONDS), s.new_log_lines()
    assert not allowed(s, "/dbd/r", A)


# ---------------------------------------------------------------------------------------------
# Configuration errors (apache2 -t): nothing connects to a database for these
# ---------------------------------------------------------------------------------------------

def configtest(tmp_path, conf, modules=DBD_MODULES) -> str:
    rc, out = Httpd(tmp_path, conf, modules=modules).configtest()
    assert rc != 0 and "Syntax OK" not in out, out
    msg = [ln for ln in out.splitlines() if ln.startswith("CORSAllowOriginMap")]
    assert msg, out
    return msg[0]


MAP = f'<Location "/t/">\n    CORSAllowOriginMap "dbd:{QUERY}"\n</Location>\n'
DRIVER = 'DBDriver sqlite3\nDBDParams "/nonexistent/origins.db"\n'


def test_mod_dbd_not_loaded(tmp_path):
    msg = configtest(tmp_path, DRIVER.replace("DB", "#DB") + MAP, modules=())
    assert "mod_dbd" in msg, msg


def test_no_dbdriver(tmp_path):
    msg = configtest(tmp_path, MAP)
    assert "DBDriver" in msg, msg


def test_dbdriver_of_another_vhost_does_not_count(tmp_path):
    conf = (f"<VirtualHost 127.0.0.1:${{PORT2}}>\n{DRIVER}</VirtualHost>\n"
            f"<VirtualHost 127.0.0.1:${{PORT}}>\n{MAP}</VirtualHost>\n")
    msg = configtest(tmp_path, conf)
    assert "DBDriver" in msg, msg


@pytest.mark.parametrize("args", ['"dbd:"', '"dbd:   "'])
def test_empty_query(tmp_path, args):
    msg = configtest(tmp_path, DRIVER + f'<Location "/t/">\nCORSAllowOriginMap {args}\n'
                     "</Location>\n")
    assert "query" in msg, msg


def test_change_query_only_with_dbd(tmp_path):
    msg = configtest(tmp_path, '<Location "/t/">\nCORSAllowOriginMap txt:/x.txt "SELECT 1"\n'
                     "</Location>\n")
    assert "txt:/x.txt" in msg or "SELECT 1" in msg, msg


def test_refused_in_htaccess(make_server):
    conf = '<Directory "${DOCROOT}/ht">\n    AllowOverride FileInfo\n</Directory>\n'
    s = make_server(conf, modules=DBD_MODULES,
                    files={"htdocs/ht/r": "ok\n",
                           "htdocs/ht/.htaccess": f'CORSAllowOriginMap "dbd:{QUERY}"\n'})
    r = get(s, "/ht/r", A)
    assert r.status == 500, r
    assert wait_until(lambda: any("not allowed in .htaccess" in ln
                                  for ln in s.new_log_lines()), 3), s.error_log()
    s.check_log(allow=[r"not allowed in \.htaccess"])


def test_valid_configuration_with_a_dbdriver_after_the_map(tmp_path):
    # The vhost's DBDriver may come after the map in the file.
    rc, out = Httpd(tmp_path, MAP + DRIVER, modules=DBD_MODULES).configtest()
    assert rc == 0 and "Syntax OK" in out, out
