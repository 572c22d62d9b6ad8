# SPDX-License-Identifier: Apache-2.0
"""Throw-away databases for the tests of `CORSAllowOriginMap dbd:` (imported by
httpd_harness, which re-exports these names).  Standard library only; real servers only.

    pg = Postgres(tmp_path / "pg")      # initdb into a temporary directory
    pg.start()                          # pg_ctl: 127.0.0.1, a free port, log_statement=all
    pg.psql("CREATE TABLE t (origin text)")
    conf = f'DBDriver pgsql\\nDBDParams "{pg.dbd_params()}"\\n...'
    pg.stop(); pg.start()               # an outage, and the way back
    pg.statements()                     # the statements logged since the last mark

    db = Sqlite(tmp_path / "origins.db")  # a database file the run user can read
    db.execute("INSERT INTO t VALUES (?)", ("https://a.example",))

PostgreSQL is Debian's (package postgresql: /usr/lib/postgresql/<version>/bin).  As root,
initdb, pg_ctl and the server run as the `postgres` user (PostgreSQL refuses to run as
root); psql connects over TCP with trust authentication, from any user.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import pwd
import re
import shutil
import socket
import sqlite3
import subprocess
import time


# README's schema ("Many servers, one database"): a table of origins and a version row that
# a trigger bumps in the same transaction as every change, read by the change query.
QUERY = "SELECT origin FROM tenant_origins WHERE active"
CHANGE_QUERY = "SELECT n FROM cors_version"

PG_SCHEMA = """
CREATE TABLE tenant_origins (
    origin     text PRIMARY KEY,
    active     boolean NOT NULL DEFAULT true,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE cors_version (n bigint NOT NULL);
INSERT INTO cors_version VALUES (0);
CREATE FUNCTION cors_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE cors_version SET n = n + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER tenant_origins_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tenant_origins
    FOR EACH STATEMENT EXECUTE FUNCTION cors_version_bump();
"""

SQLITE_SCHEMA = """
CREATE TABLE tenant_origins (origin TEXT PRIMARY KEY, active INTEGER NOT NULL DEFAULT 1);
CREATE TABLE cors_version (n INTEGER NOT NULL);
INSERT INTO cors_version VALUES (0);
CREATE TRIGGER tenant_origins_ins AFTER INSERT ON tenant_origins
    BEGIN UPDATE cors_version SET n = n + 1; END;
CREATE TRIGGER tenant_origins_upd AFTER UPDATE ON tenant_origins
    BEGIN UPDATE cors_version SET n = n + 1; END;
CREATE TRIGGER tenant_origins_del AFTER DELETE ON tenant_origins
    BEGIN UPDATE cors_version SET n = n + 1; END;
"""


MYSQL_SCHEMA = """
CREATE TABLE tenant_origins (
    origin VARCHAR(255) PRIMARY KEY,
    active BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE TABLE cors_version (n BIGINT NOT NULL);
INSERT INTO cors_version VALUES (0);
CREATE TRIGGER tenant_origins_ins AFTER INSERT ON tenant_origins
    FOR EACH ROW UPDATE cors_version SET n = n + 1;
CREATE TRIGGER tenant_origins_upd AFTER UPDATE ON tenant_origins
    FOR EACH ROW UPDATE cors_version SET n = n + 1;
CREATE TRIGGER tenant_origins_del AFTER DELETE ON tenant_origins
    FOR EACH ROW UPDATE cors_version SET n = n + 1;
"""

# How long the tests give a change to a dbd map to be answered: 2 s after the change query's
# answer changed (the contract), and the loader asks it once a second.
CONVERGE_SECONDS = 3.0

# A row that is not a valid entry (a space in the host): skipped and named in the log.
BAD_ROW = "https://bad row.example"


def sql_literal(s: str) -> str:
    """s as an SQL string literal."""
    return "'" + s.replace("'", "''") + "'"


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_bindir() -> pathlib.Path | None:
    """The newest /usr/lib/postgresql/<version>/bin with initdb, or None."""
    found = []
    for d in pathlib.Path("/usr/lib/postgresql").glob("*/bin"):
        if (d / "initdb").exists() and d.parent.name.isdigit():
            found.append((int(d.parent.name), d))
    return max(found)[1] if found else None


def missing_for_postgres() -> str | None:
    """Why the PostgreSQL tests cannot run here (what to install), or None."""
    if postgres_bindir() is None:
        return "PostgreSQL is not installed: apt-get install postgresql"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "no `postgres` user to run PostgreSQL as (it refuses root)"
    return None


def make_traversable(path: pathlib.Path):
    """Lets other users (postgres, httpd's run user) reach path: pytest's temporary
    directories are 0700."""
    for p in [path, *path.parents]:
        mode = p.stat().st_mode
        if not mode & 0o001:
            os.chmod(p, mode | 0o001)


class Postgres:
    """A PostgreSQL cluster of its own: data directory, socket directory and log under
    workdir, listening on 127.0.0.1:port only, every statement logged (log_statement=all),
    each line prefixed with the client's application_name (see dbd_params)."""

    driver = "pgsql"            # DBDriver
    schema = PG_SCHEMA

    def __init__(self, workdir: pathlib.Path, *, dbname: str = "cors"):
        why = missing_for_postgres()
        if why:
            raise RuntimeError(why)
        self.bindir = postgres_bindir()
        self.root = pathlib.Path(workdir).resolve()
        self.datadir = self.root / "data"
        self.sockdir = self.root / "sock"
        self.log_path = self.root / "postgres.log"
        self.dbname = dbname
        self.port = free_port()
        self.user = "postgres"
        self._as_root = os.geteuid() == 0
        self._mark = 0
        self.root.mkdir(parents=True, exist_ok=True)
        self.sockdir.mkdir(exist_ok=True)
        make_traversable(self.root)
        if self._as_root:
            pw = pwd.getpwnam("postgres")
            for p in (self.root, self.sockdir):
                os.chown(p, pw.pw_uid, pw.pw_gid)
        self._run([self.bindir / "initdb", "-D", self.datadir, "-U", self.user,
                   "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"])
        self._initialized = False

    # -- processes -----------------------------------------------------------------------

    def _run(self, cmd, timeout: float = 60, check: bool = True) -> str:
        kw = {"user": "postgres", "group": "postgres"} if self._as_root else {}
        p = subprocess.run([str(c) for c in cmd], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                           timeout=timeout, cwd=self.root, **kw)
        out = p.stdout.decode("utf-8", "replace")
        if check and p.returncode != 0:
            raise RuntimeError(f"{' '.join(map(str, cmd))} exited {p.returncode}:\n{out}"
                               f"\n--- {self.log_path}:\n{self.log()}")
        return out

    def start(self):
        """Starts the server (again, after stop()) and waits until it accepts queries;
        the first start creates the database."""
        opts = " ".join([
            f"-p {self.port}", "-c listen_addresses=127.0.0.1",
            f"-c unix_socket_directories={self.sockdir}",
            "-c log_statement=all", "-c log_line_prefix='%a|'",
            "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off",
            "-c shared_buffers=16MB", "-c max_connections=50",
        ])
        self._run([self.bindir / "pg_ctl", "-D", self.datadir, "-l", self.log_path,
                   "-o", opts, "-w", "-t", "30", "start"])
        if not self._initialized:
            self.psql(f"CREATE DATABASE {self.dbname}", dbname="postgres")
            self._initialized = True

    def stop(self):
        """Stops the server (fast shutdown: connected clients are cut off)."""
        if self.is_running():
            self._run([self.bindir / "pg_ctl", "-D", self.datadir, "-m", "fast", "-w",
                       "-t", "30", "stop"])

    def is_running(self) -> bool:
        return (self.datadir / "postmaster.pid").exists()

    def close(self):
        with contextlib.suppress(Exception):
            self.stop()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()

    # -- clients -------------------------------------------------------------------------

    def dbd_params(self, application: str = "httpd") -> str:
        """DBDParams for mod_dbd's pgsql driver (a libpq connection string); application
        tags this client's statements in the log (statements(application=...))."""
        return (f"host=127.0.0.1 port={self.port} dbname={self.dbname} user={self.user} "
                f"application_name={application} connect_timeout=2")

    def sql(self, statements: str) -> str:
        """Runs statements in the test database (what every database here has)."""
        return self.psql(statements)

    def psql(self, sql: str, *, dbname: str | None = None) -> str:
        """Runs sql (one or more statements) with psql; returns its unaligned output."""
        psql = self.bindir / "psql"
        if not psql.exists():
            psql = pathlib.Path("/usr/bin/psql")
        cmd = [psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
               "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user,
               "-d", dbname or self.dbname, "-c", sql]
        env = dict(os.environ, PGAPPNAME="psql", PGCONNECT_TIMEOUT="5")
        p = subprocess.run([str(c) for c in cmd], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60, env=env)
        if p.returncode != 0:
            raise RuntimeError(f"psql {sql!r}: {p.stderr.decode('utf-8', 'replace')}")
        return p.stdout.decode("utf-8", "replace")

    # -- the statement log ---------------------------------------------------------------

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def mark_log(self):
        try:
            self._mark = self.log_path.stat().st_size
        except OSError:
            self._mark = 0

    STATEMENT_RE = re.compile(r"^([^|\n]*)\|LOG:\s+(statement|execute [^:]*):\s+(.*)$", re.M)
    PREPARE_RE = re.compile(r"PREPARE\s+\S+\s+AS\s+", re.I)

    def statements(self, application: str | None = None) -> list[str]:
        """The queries run since mark_log() (by all clients, or the one whose
        application_name is application), one line each: plain statements, and executions
        of prepared statements as their query.  Preparing a statement runs nothing and is
        left out (APR-util's pgsql driver sends `PREPARE name AS query` on each new
        connection, and the log shows an execution as `execute name: PREPARE name AS
        query`)."""
        with open(self.log_path, "rb") as f:
            f.seek(self._mark)
            text = f.read().decode("utf-8", "replace")
        out = []
        for m in self.STATEMENT_RE.finditer(text):
            app, kind, sql = m.groups()
            if application is not None and app != application:
                continue
            prepare = self.PREPARE_RE.match(sql)
            if kind == "statement" and prepare:
                continue
            out.append(sql[prepare.end():] if prepare else sql)
        return out


def missing_for_mariadb() -> str | None:
    """Why the MariaDB tests cannot run here (what to install), or None."""
    if not shutil.which("mariadbd", path="/usr/sbin:/usr/bin:" + os.environ.get("PATH", "")):
        return "MariaDB is not installed: apt-get install mariadb-server libaprutil1-dbd-mysql"
    return None


class Mariadb:
    """A MariaDB server of its own (make ci-extra): data directory, socket and log under
    workdir, 127.0.0.1:port only.  As root the server runs as `mysql` (it switches itself).
    The tests connect as `apache`@127.0.0.1 without a password, owner of database dbname;
    sql() runs statements as root through the socket."""

    driver = "mysql"            # DBDriver
    schema = MYSQL_SCHEMA

    def __init__(self, workdir: pathlib.Path, *, dbname: str = "cors"):
        why = missing_for_mariadb()
        if why:
            raise RuntimeError(why)
        self.root = pathlib.Path(workdir).resolve()
        self.datadir = self.root / "data"
        self.socket = self.root / "mariadb.sock"
        self.log_path = self.root / "mariadb.log"
        self.dbname = dbname
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.root.mkdir(parents=True, exist_ok=True)
        make_traversable(self.root)
        self._as_root = os.geteuid() == 0
        if self._as_root:
            pw = pwd.getpwnam("mysql")
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        user = ["--user=mysql"] if self._as_root else []
        subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={self.datadir}",
                        *user, "--auth-root-authentication-method=normal", "--skip-test-db"],
                       check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=120, cwd=self.root)
        self._initialized = False

    def start(self):
        user = ["--user=mysql"] if self._as_root else []
        self.proc = subprocess.Popen(
            ["/usr/sbin/mariadbd", "--no-defaults", f"--datadir={self.datadir}",
             f"--socket={self.socket}", f"--port={self.port}", "--bind-address=127.0.0.1",
             f"--pid-file={self.root / 'mariadb.pid'}", f"--log-error={self.log_path}",
             "--skip-name-resolve", "--innodb-buffer-pool-size=32M",
             "--innodb-flush-log-at-trx-commit=0", *user],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        if not wait_until(self._answers, 60, 0.1):
            self.stop()
            raise RuntimeError(f"mariadbd did not start:\n{self.log()}")
        if not self._initialized:
            self.sql(f"CREATE DATABASE {self.dbname}; CREATE USER 'apache'@'127.0.0.1'; "
                     f"GRANT ALL ON {self.dbname}.* TO 'apache'@'127.0.0.1'", dbname="")
            self._initialized = True

    def _answers(self) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError(f"mariadbd exited at startup:\n{self.log()}")
        p = subprocess.run(["mariadb-admin", "--no-defaults", f"--socket={self.socket}",
                            "-u", "root", "ping"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=10)
        return p.returncode == 0

    def stop(self):
        """Stops the server (SIGTERM: a normal shutdown; clients are cut off)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def close(self):
        self.stop()

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def dbd_params(self, application: str = "httpd") -> str:
        """DBDParams for APR-util's mysql driver (which has no application name: every
        client is `apache`)."""
        del application
        return (f"host=127.0.0.1 port={self.port} user=apache dbname={self.dbname} "
                "connecttimeout=2")

    def sql(self, statements: str, *, dbname: str | None = None) -> str:
        """Runs statements (;-separated) as root; returns the tab-separated output."""
        db = self.dbname if dbname is None else dbname
        p = subprocess.run(["mariadb", "--no-defaults", f"--socket={self.socket}", "-u", "root",
                            "-N", "-B", *([db] if db else []), "-e", statements],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        if p.returncode != 0:
            raise RuntimeError(f"mariadb {statements!r}: {p.stderr.decode('utf-8', 'replace')}")
        return p.stdout.decode("utf-8", "replace")


class Sqlite:
    """An SQLite database file that httpd's run user can read (the directory too: SQLite
    needs it for its journal), written by the test through Python's sqlite3 module."""

    driver = "sqlite3"          # DBDriver
    schema = SQLITE_SCHEMA

    def __init__(self, path: pathlib.Path, owner: str | None = None):
        self.path = pathlib.Path(path).resolve()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.owner = owner
        self._fix()

    def _fix(self):
        make_traversable(self.path.parent)
        os.chmod(self.path.parent, 0o755)
        if self.path.exists():
            os.chmod(self.path, 0o644)

    def execute(self, sql: str, params=(), *, script: bool = False) -> list[tuple]:
        """Runs one statement (or a script) in its own transaction; returns the rows."""
        con = sqlite3.connect(self.path, timeout=10)
        try:
            with con:
                if script:
                    con.executescript(sql)
                    rows = []
                else:
                    rows = con.execute(sql, params).fetchall()
        finally:
            con.close()
        self._fix()
        return rows

    def executemany(self, sql: str, rows):
        con = sqlite3.connect(self.path, timeout=10)
        try:
            with con:
                con.executemany(sql, rows)
        finally:
            con.close()
        self._fix()

    def remove(self):
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(str(self.path) + suffix)


def wait_until(predicate, timeout: float, interval: float = 0.05) -> bool:
    """Calls predicate() until it is true or timeout seconds have passed (bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
