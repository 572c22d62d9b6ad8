# SPDX-License-Identifier: Apache-2.0
"""CORSAllowOriginMap as published versions: what happens to real map files on real servers.

Each test breaks a map the way files break (a write caught midway, a revoked permission, a
FIFO, an empty export, a truncated dbm, a directory, a rebuild in place) or restarts and
stops the server around a bad or missing map, and checks that no child ever answers an
origin that no complete version had, nor one a newer version revoked; that the last good
version stays in force and the failure is logged once; that nothing blocks; and that a fix
is picked up.

One server per MPM (event, worker, prefork; only $MPM when the suite runs under one) holds
every map, one <Location> each.  Prefork recycles its children (MaxConnectionsPerChild 5),
so children start all the time and the loader (the child that reads the maps) keeps moving
from one child to the next.  Waits for a change are bounded loops (10 s ceiling, a change is
due within 2 s); "stays" checks watch for a few seconds.  The tests of one server run in the
order written: the last one stops and starts it.
"""

import os
import random
import re
import signal
import socket
import subprocess
import threading
import time

import pytest

from httpd_harness import MAP_PUBLISHED_RE, READY_MARK, Httpd, serve
from test_maps import (HTTXT2DBM, POLL_SECONDS, allowed, build_dbm, dump_cors, poll, wait_log,
                       write_atomic)
from test_status import MPMS, children, graceful_restart

KEEP = "https://keep.example.com"
LAST = "https://last.example.com:8443"
TORN = "https://last.example.com:84"         # what a cut write of LAST leaves
ALPHA = "https://alpha.example"
BETA = "https://beta.example"
VHOST = "https://vhost.example"

# location -> the map it asks
SPECS = {
    "torn": "txt:${SERVERROOT}/maps/torn.txt",
    "revive": "txt:${SERVERROOT}/maps/revive.txt",
    "perm": "txt:${SERVERROOT}/maps/perm.txt",
    "fifo": "txt:${SERVERROOT}/maps/fifo.txt",
    "other": "txt:${SERVERROOT}/maps/other.txt",
    "grace": "txt:${SERVERROOT}/maps/grace.txt",
    "status": "txt:${SERVERROOT}/maps/status.txt",
    "gone": "txt:${SERVERROOT}/maps/gone.txt",
    "live-sdbm": "dbm=sdbm:${SERVERROOT}/maps/live-sdbm",
    "live-default": "dbm:${SERVERROOT}/maps/live-default",
    "lost-rename": "txt:${SERVERROOT}/maps/lost-rename.txt",
    "lost-trunc": "txt:${SERVERROOT}/maps/lost-trunc.txt",
    "lost-blank": "txt:${SERVERROOT}/maps/lost-blank.txt",
    "lost-dir": "txt:${SERVERROOT}/maps/lost-dir.txt",
    "lost-comment": "txt:${SERVERROOT}/maps/lost-comment.txt",
    "lost-zero": "dbm=sdbm:${SERVERROOT}/maps/lost-zero",
    "lost-rand": "dbm=sdbm:${SERVERROOT}/maps/lost-rand",
    "lost-pagdir": "dbm=sdbm:${SERVERROOT}/maps/lost-pagdir",
}


def origin_of(name: str) -> str:
    """The origin a map allows from the start (each map its own)."""
    return f"https://{name}.example"


CONF = r"""
LogFormat "%P %U" pids
CustomLog "${SERVERROOT}/logs/pids_log" pids
<IfModule mpm_prefork_module>
    StartServers 3
    MinSpareServers 2
    MaxSpareServers 6
    MaxConnectionsPerChild 5
</IfModule>
<IfModule !mpm_prefork_module>
    StartServers 2
</IfModule>
<Location "/server-status">
    SetHandler server-status
</Location>
""" + "".join(f"""<Location "/{name}/">
    CORSAllowOriginMap {spec}
</Location>
""" for name, spec in SPECS.items()) + r"""
<VirtualHost 127.0.0.1:${PORT2}>
    CORSAllowOriginMap txt:${SERVERROOT}/maps/vhost.txt
</VirtualHost>
"""

FILES = {f"htdocs/{name}/r": "ok\n" for name in SPECS}
FILES["htdocs/vr"] = "ok\n"


def initial_map(maps, name: str):
    """Writes map `name` as it is at the start: its own origin (revive: ALPHA, torn: KEEP)."""
    first = {"revive": ALPHA, "torn": KEEP}.get(name, origin_of(name))
    spec = SPECS[name]
    if spec.startswith("txt:"):
        write_atomic(maps / f"{name}.txt", f"{first}\n")
    else:
        (maps / f"{name}.src").write_text(f"{first} allow\n")
        kind = "SDBM" if spec.startswith("dbm=sdbm:") else "default"
        build_dbm(kind, maps / f"{name}.src", maps / name)


@pytest.fixture(scope="module", params=MPMS)
def srv(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(f"versions-{request.param}")
    maps = root / "maps"
    maps.mkdir()
    os.chmod(maps, 0o755)
    for name in SPECS:
        initial_map(maps, name)
    write_atomic(maps / "vhost.txt", f"{VHOST}\n")
    with serve(root, CONF, files=FILES, mpm=request.param, modules=("status",)) as s:
        yield s


def maps_of(srv):
    return srv.root / "maps"


def hammer(srv, checks, seconds: float, threads: int = 4) -> list:
    """Requests from `threads` threads at once for `seconds`, each thread going round
    `checks` ((path, origin) pairs): [(path, origin, allowed)].  A request that fails or
    hangs (the harness gives each 10 s) fails the test."""
    out, errors, lock = [], [], threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(k):
        i = k
        try:
            while time.monotonic() < deadline:
                path, origin = checks[i % len(checks)]
                ok = allowed(srv, path, origin)
                with lock:
                    out.append((path, origin, ok))
                i += 1
        except Exception as e:      # noqa: BLE001 -- reported below
            errors.append(repr(e))

    ts = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=seconds + 30)
    assert not any(t.is_alive() for t in ts), "requests hang"
    assert not errors, errors
    assert out, "no request answered"
    return out


def logged(srv, pattern: str) -> list[str]:
    rx = re.compile(pattern)
    return [ln for ln in srv.new_log_lines() if rx.search(ln)]


def answered_by(srv, path: str) -> list[str]:
    """The pids of the children that answered requests for path, in log order (waits <= 3 s
    for a line per request made)."""
    log = srv.logdir / "pids_log"
    deadline = time.monotonic() + 3
    while True:
        lines = log.read_text().splitlines() if log.exists() else []
        if len(lines) >= srv._requests or time.monotonic() > deadline:
            return [ln.split()[0] for ln in lines if ln.split()[1:2] == [path]]
        time.sleep(0.05)


# ---------------------------------------------------------------------------------------------
# A write caught midway
# ---------------------------------------------------------------------------------------------

@pytest.mark.log_allow(r"torn\.txt")
def test_torn_write_never_adds_the_cut_origin(srv):
    f = maps_of(srv) / "torn.txt"
    assert allowed(srv, "/torn/r", KEEP)
    with open(f, "w") as fh:                # in place, cut short and left so
        fh.write(f"{KEEP}\n{TORN}")
    got = hammer(srv, [("/torn/r", TORN), ("/torn/r", KEEP)], 3.0)
    assert not [g for g in got if g[1] == TORN and g[2]], "a cut line was taken for an origin"
    assert all(g[2] for g in got if g[1] == KEEP), "the version in force was lost"
    cut = r"torn\.txt line 2: the file does not end with a newline.*keeping the last good"
    assert wait_log(srv, cut), srv.new_log_lines()
    assert len(logged(srv, cut)) == 1, logged(srv, cut)
    with open(f, "a") as fh:                # the write completes
        fh.write("43\n")
    assert poll(srv, "/torn/r", LAST, True), srv.new_log_lines()
    assert not allowed(srv, "/torn/r", TORN)
    assert allowed(srv, "/torn/r", KEEP)


# ---------------------------------------------------------------------------------------------
# New children: never the startup version once a newer one was published
# ---------------------------------------------------------------------------------------------

def assert_new_children_answer_beta(srv, pids_before: set):
    results = [(allowed(srv, "/revive/r", ALPHA), allowed(srv, "/revive/r", BETA))
               for _ in range(24)]
    assert [a for a, _ in results].count(True) == 0, "a revoked origin came back"
    assert [b for _, b in results].count(False) == 0, "the current origin was lost"
    new = set(answered_by(srv, "/revive/r")[-48:]) - pids_before
    if srv.mpm == "prefork":
        # MaxConnectionsPerChild 5: 48 requests are answered by children started since
        assert len(new) >= 2, f"no new child answered: the test proves nothing ({new})"
    return pids_before | new


@pytest.mark.log_allow(r"revive\.txt")
def test_new_children_answer_the_newest_version(srv):
    f = maps_of(srv) / "revive.txt"
    assert allowed(srv, "/revive/r", ALPHA)
    write_atomic(f, f"{BETA}\n")
    assert poll(srv, "/revive/r", BETA, True), srv.new_log_lines()
    assert poll(srv, "/revive/r", ALPHA, False)

    def poke():         # (a map that is looked at only when a request asks it would wait)
        allowed(srv, "/revive/r", BETA)

    try:
        # an invalid edit: the last good version (BETA) stays, in every child to come
        write_atomic(f, f"{BETA}\n{ALPHA}/path\n")
        assert wait_log(srv, r"revive\.txt line 2: .*; keeping the", poke), srv.new_log_lines()
        pids = assert_new_children_answer_beta(srv, set(answered_by(srv, "/revive/r")))
        # the file removed: the same
        f.unlink()
        assert wait_log(srv, r"revive\.txt: No such file or directory; keeping the", poke), \
            srv.new_log_lines()
        assert_new_children_answer_beta(srv, pids)
    finally:
        write_atomic(f, f"{BETA}\n")


# ---------------------------------------------------------------------------------------------
# A failed load is retried
# ---------------------------------------------------------------------------------------------

@pytest.mark.skipif(os.geteuid() != 0, reason="needs root: the children run as another user "
                    "only when httpd is started by root")
@pytest.mark.log_allow(r"perm\.txt: .*Permission denied")
def test_failed_load_retried_after_a_permission_fix(srv):
    f = maps_of(srv) / "perm.txt"
    old, new = origin_of("perm"), "https://perm-new.example"
    side = f.with_name("perm.txt.new")
    side.write_text(f"{new}\n")
    os.chmod(side, 0o600)                   # root's: the children cannot read it
    os.replace(side, f)
    assert wait_log(srv, r"perm\.txt: .*Permission denied; keeping the",
                    lambda: allowed(srv, "/perm/r", old)), srv.new_log_lines()
    got = hammer(srv, [("/perm/r", old), ("/perm/r", new)], 1.5, threads=2)
    assert all(ok == (o == old) for _, o, ok in got), "changed without a readable file"
    os.chmod(f, 0o644)                      # the fix: content and inode unchanged
    assert poll(srv, "/perm/r", new, True), srv.new_log_lines()
    assert poll(srv, "/perm/r", old, False)


# ---------------------------------------------------------------------------------------------
# A FIFO in place of a map
# ---------------------------------------------------------------------------------------------

@pytest.mark.log_allow(r"fifo\.txt: not a regular file")
def test_fifo_in_place_of_a_map_blocks_nothing(srv):
    maps = maps_of(srv)
    f = maps / "fifo.txt"
    old = origin_of("fifo")
    side = maps / "fifo.txt.fifo"
    os.mkfifo(side, 0o644)
    os.replace(side, f)
    try:
        assert wait_log(srv, r"fifo\.txt: not a regular file; keeping the last good",
                        lambda: allowed(srv, "/fifo/r", old)), srv.new_log_lines()
        # requests are answered, from the last good version
        got = hammer(srv, [("/fifo/r", old)], 1.5)
        assert all(ok for _, _, ok in got)
        # the loader still reloads another map
        write_atomic(maps / "other.txt", "https://other-new.example\n")
        assert poll(srv, "/other/r", "https://other-new.example", True), srv.new_log_lines()
        # apachectl -t answers, and names the file
        rc, out = srv.configtest()          # (a hang: its timeout fails the test)
        assert rc != 0 and "Syntax OK" not in out, out
        assert re.search(r"fifo\.txt: not a regular file", out), out
        # a graceful restart comes back, with the last good version
        graceful_restart(srv)
        assert logged(srv, r"fifo\.txt: not a regular file; starting with the last good"), \
            srv.new_log_lines()
        assert allowed(srv, "/fifo/r", old)
        assert allowed(srv, "/other/r", "https://other-new.example")
        assert allowed(srv, "/vr", VHOST, port=srv.port2)
    finally:
        f.unlink()
        initial_map(maps, "fifo")
        write_atomic(maps / "other.txt", f"{origin_of('other')}\n")


# ---------------------------------------------------------------------------------------------
# Map data never takes the server down
# ---------------------------------------------------------------------------------------------

@pytest.mark.log_allow(r"grace\.txt line 2")
def test_graceful_restart_with_a_bad_line(srv):
    f = maps_of(srv) / "grace.txt"
    old, new = origin_of("grace"), "https://grace-new.example"
    write_atomic(f, f"{new}\nhttps://*.com\n")
    try:
        assert wait_log(srv, r"grace\.txt line 2: 'https://\*\.com'.*; keeping the",
                        lambda: allowed(srv, "/grace/r", old)), srv.new_log_lines()
        graceful_restart(srv)                   # the parent stays up
        assert logged(srv, r"grace\.txt line 2: .*starting with the last good version"), \
            srv.new_log_lines()
        assert allowed(srv, "/grace/r", old)
        assert not allowed(srv, "/grace/r", new)
        assert allowed(srv, "/vr", VHOST, port=srv.port2)      # every vhost answers
        assert allowed(srv, "/torn/r", KEEP)
    finally:
        write_atomic(f, f"{old}\n")


# One child at the start, which is the loader: a request it has not finished reading keeps it
# in the old generation after a graceful restart.
ONE_CHILD_CONF = r"""
<IfModule mpm_prefork_module>
    StartServers 1
    MinSpareServers 1
    MaxSpareServers 2
</IfModule>
<Location "/g/">
    CORSAllowOriginMap txt:${SERVERROOT}/maps/g.txt
</Location>
"""


def restart_gracefully(srv):
    """SIGUSR1, and waits (<= 15 s) for the new generation's ready notice; children of the
    old generation may still finish their requests."""
    mark = READY_MARK.decode()
    before = srv.error_log().count(mark)
    os.kill(srv.proc.pid, signal.SIGUSR1)
    deadline = time.monotonic() + 15
    while srv.error_log().count(mark) == before:
        assert srv.is_running(), "httpd exited on graceful restart\n" + srv.error_log()
        assert time.monotonic() < deadline, "no new generation after a graceful restart"
        time.sleep(0.05)


def read_response(sock) -> bytes:
    """The raw response on a connection the server closes after it (<= 15 s)."""
    out = b""
    sock.settimeout(15)
    while chunk := sock.recv(65536):
        out += chunk
    return out


@pytest.mark.parametrize("mpm", MPMS)
def test_one_loader_across_a_graceful_restart(make_server, tmp_path, mpm):
    """The loader finishing a request after a graceful restart: once the MPM says the child
    stops, it loads no more (httpd 2.4's mod_watchdog ends the thread then; trunk's goes
    on under prefork, and the tick itself checks), and the new generation's loader
    publishes the next change; the old child publishes nothing beside it."""
    maps = tmp_path / "maps"
    maps.mkdir()
    os.chmod(maps, 0o755)
    write_atomic(maps / "g.txt", f"{ALPHA}\n")
    s = make_server(ONE_CHILD_CONF, mpm=mpm, files={"htdocs/g/r": "ok\n"})
    found = wait_log(s, r"this child now loads the CORS origin maps")
    assert found, s.error_log()
    old_loader = int(re.search(r"\[pid (\d+)", found[-1]).group(1))
    assert children(s.proc.pid) == {old_loader}
    with socket.create_connection(("127.0.0.1", s.port), timeout=15) as sock:
        # the old loader reads this request until its last line comes (Timeout 10)
        sock.sendall(f"GET /g/r HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {ALPHA}\r\n"
                     "Connection: close\r\n".encode())
        time.sleep(0.3)
        restart_gracefully(s)
        assert old_loader in children(s.proc.pid), "the old child did not wait for the request"
        s.mark_log()
        write_atomic(maps / "g.txt", f"{BETA}\n")
        assert poll(s, "/g/r", BETA, True)
        assert not allowed(s, "/g/r", ALPHA)
        time.sleep(1.0)                 # five ticks of a loader that would go on
        assert old_loader in children(s.proc.pid)
        sock.sendall(b"\r\n")
        raw = read_response(sock)
    assert raw.startswith(b"HTTP/1.1 200"), raw
    published = [m for m in map(MAP_PUBLISHED_RE.search, s.new_log_lines()) if m]
    assert published, s.new_log_lines()
    assert all(int(m.group(1)) != old_loader for m in published), \
        f"the old generation's loader went on loading: {[m.group(0) for m in published]}"
    assert any(ln for ln in s.error_log().splitlines()
               if "now loads the CORS origin maps" in ln and f"[pid {old_loader}" not in ln)


def test_start_without_a_last_good_version_fails(tmp_path):
    conf = '<Location "/t/">\n    CORSAllowOriginMap txt:${SERVERROOT}/maps/bad.txt\n</Location>\n'
    s = Httpd(tmp_path, conf)
    (s.root / "maps").mkdir()
    (s.root / "maps" / "bad.txt").write_text("https://ok.example\nhttps://*.com\n")
    try:
        with pytest.raises(RuntimeError, match="exited at startup") as e:
            s.start()
    finally:
        s.stop()
    assert re.search(r"bad\.txt line 2: 'https://\*\.com'.*\(and no last good version in ",
                     str(e.value)), e.value


# ---------------------------------------------------------------------------------------------
# Lost data: what is not a version leaves the last good one in force
# ---------------------------------------------------------------------------------------------

def replace_by_dir(path):
    path.unlink()
    path.mkdir()


# map -> (how it is broken, why it is refused)
LOST = {
    "lost-rename": (lambda m: write_atomic(m / "lost-rename.txt", ""),
                    r"lost-rename\.txt: empty \(0 bytes\)"),
    "lost-trunc": (lambda m: open(m / "lost-trunc.txt", "w").close(),     # : > file
                   r"lost-trunc\.txt: empty \(0 bytes\)"),
    "lost-blank": (lambda m: write_atomic(m / "lost-blank.txt", "\n   \n\t\n"),
                   r"lost-blank\.txt: has no entries"),
    "lost-dir": (lambda m: replace_by_dir(m / "lost-dir.txt"),
                 r"lost-dir\.txt: not a regular file"),
    "lost-zero": (lambda m: os.truncate(m / "lost-zero.pag", 0),
                  r"lost-zero: has no keys"),
    "lost-rand": (lambda m: (m / "lost-rand.pag").write_bytes(random.Random(23).randbytes(8192)),
                  r"lost-rand\S*: "),
    "lost-pagdir": (lambda m: replace_by_dir(m / "lost-pagdir.pag"),
                    r"lost-pagdir\.pag: not a regular file"),
}


def restore(maps, name):
    for p in maps.glob(f"{name}*"):
        if p.is_dir():
            p.rmdir()
    initial_map(maps, name)


@pytest.mark.log_allow(r"CORSAllowOriginMap \S+lost-", r"lost-comment\.txt has only comments")
def test_lost_data_keeps_the_last_good_version(srv):
    maps = maps_of(srv)
    for name in LOST:
        assert allowed(srv, f"/{name}/r", origin_of(name))
    try:
        for name, (lose, _) in LOST.items():
            lose(maps)
        write_atomic(maps / "lost-comment.txt", "# no origins\n")
        checks = [(f"/{name}/r", origin_of(name)) for name in LOST]
        # the loader has looked at every one of them (each failure logged), and for those
        # seconds and one more every answer is the last good version's
        # (twice the usual window: under prefork with children recycled every 5
        # connections, the loader moves while the files are broken)
        deadline = time.monotonic() + 2 * POLL_SECONDS
        refused = {name: rf"{why}.*keeping the last good" for name, (_, why) in LOST.items()}
        while not all(logged(srv, rx) for rx in refused.values()):
            assert time.monotonic() < deadline, (
                f"not refused: {[n for n, rx in refused.items() if not logged(srv, rx)]}\n"
                + "\n".join(srv.new_log_lines()))
            got = hammer(srv, checks, 0.5, threads=2)
            assert all(ok for _, _, ok in got), [g for g in got if not g[2]]
        got = hammer(srv, checks, 1.5, threads=2)
        assert all(ok for _, _, ok in got), [g for g in got if not g[2]]
        for name, rx in refused.items():
            assert len(logged(srv, rx)) == 1, (name, logged(srv, rx))
        # a comment-only file is a version: it allows nothing, with a warning
        assert poll(srv, "/lost-comment/r", origin_of("lost-comment"), False)
        assert len(logged(srv, r"lost-comment\.txt has only comments: the map allows no "
                               r"origin")) == 1, srv.new_log_lines()
        assert "[cors:warn]" in logged(srv, r"lost-comment\.txt has only comments")[0]
    finally:
        for name in [*LOST, "lost-comment"]:
            restore(maps, name)


# ---------------------------------------------------------------------------------------------
# httxt2dbm on the live map
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,kind", [("live-sdbm", "SDBM"), ("live-default", None)])
def test_httxt2dbm_on_the_live_map(srv, name, kind):
    maps = maps_of(srv)
    added = f"https://{name}-added.example"
    assert allowed(srv, f"/{name}/r", origin_of(name))
    src = maps / f"{name}.add"
    src.write_text(f"{added} allow\n")
    got = []        # what requests during the rebuild got (a failure there: an exception)
    readers = threading.Thread(target=lambda: got.append(
        hammer(srv, [(f"/{name}/r", origin_of(name))], 2.0, threads=2)))
    readers.start()
    try:
        time.sleep(0.5)
        cmd = [HTTXT2DBM, *(["-f", kind] if kind else []), "-i", str(src), "-o", str(maps / name)]
        # in place, as the admin does it: it must not wait on a lock the server holds
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, timeout=10)
    finally:
        readers.join(timeout=40)
    assert got and all(ok for _, _, ok in got[0]), "the version in force was lost"
    assert poll(srv, f"/{name}/r", added, True), srv.new_log_lines()
    assert allowed(srv, f"/{name}/r", origin_of(name))


# ---------------------------------------------------------------------------------------------
# mod_status and -D DUMP_CORS
# ---------------------------------------------------------------------------------------------

def map_row(srv, name: str) -> dict:
    """The cells of map `name`'s row in server-status's table of maps, by column title."""
    body = srv.request("GET", "/server-status").body.decode()
    start = body.find("CORS origin maps")
    assert start >= 0, body
    table = body[body.index("<table", start):body.index("</table>", start)]
    head = [h.lower() for h in re.findall(r"<th>([^<]*)</th>", table)]
    for cells in re.findall(r"<tr>((?:<td>.*?</td>)+)</tr>", table):
        vals = re.findall(r"<td>(.*?)</td>", cells)
        if f"/{name}" in vals[0]:
            return dict(zip(head, vals))
    raise AssertionError(f"no row for {name}:\n{table}")


def wait_row(srv, name: str, want) -> dict:
    deadline = time.monotonic() + POLL_SECONDS
    while True:
        row = map_row(srv, name)
        if want(row) or time.monotonic() > deadline:
            return row
        time.sleep(0.1)


@pytest.mark.log_allow(r"status\.txt line 2")
def test_status_and_dump_show_the_version(srv):
    f = maps_of(srv) / "status.txt"
    one, two = origin_of("status"), "https://status-two.example"
    row = map_row(srv, "status.txt")
    assert row["entries"] == "1", row
    version, failures = int(row["version"]), int(row["failed loads"])
    assert version >= 1, row
    write_atomic(f, f"{one}\n{two}\n")
    row = wait_row(srv, "status.txt", lambda r: r["entries"] == "2")
    assert row["entries"] == "2" and int(row["version"]) == version + 1, row
    write_atomic(f, f"{one}\n{two}/x\n")
    row = wait_row(srv, "status.txt", lambda r: int(r["failed loads"]) > failures)
    assert int(row["failed loads"]) == failures + 1, row
    assert "status.txt line 2" in row["last error"], row
    assert row["entries"] == "2" and int(row["version"]) == version + 1, row
    write_atomic(f, f"{one}\n{two}\n")
    row = wait_row(srv, "status.txt", lambda r: int(r["version"]) == version + 2)
    assert int(row["version"]) == version + 2 and row["last error"] == "", row
    # ?auto: one block per map, numbered as defined (the child that answers may take its
    # 0.2 s tick to follow the version the table's child showed)
    deadline = time.monotonic() + POLL_SECONDS
    while True:
        auto = srv.request("GET", "/server-status?auto").body.decode()
        lines = dict(ln.split(": ", 1) for ln in auto.splitlines() if ln.startswith("CORSMap"))
        n = next(k[len("CORSMap"):-len("Source")] for k, v in lines.items()
                 if k.endswith("Source") and v.endswith("/status.txt"))
        if lines[f"CORSMap{n}Version"] == str(version + 2) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert lines[f"CORSMap{n}Entries"] == "2" and lines[f"CORSMap{n}Skipped"] == "0", auto
    assert lines[f"CORSMap{n}Version"] == str(version + 2), auto
    assert int(lines[f"CORSMap{n}FailedLoads"]) == failures + 1, auto
    assert int(lines[f"CORSMap{n}Read"]) > 1_700_000_000, auto
    assert int(lines["CORSMapFailedLoads"]) >= failures + 1, auto
    out = dump_cors(srv)
    assert re.search(rf"status\.txt \(txt\): 2 entries read by this check; last good version "
                     rf"{version + 2}\b", out), out


# ---------------------------------------------------------------------------------------------
# Stop and start while a map is missing (last: it stops this MPM's server)
# ---------------------------------------------------------------------------------------------

def _dead_pid() -> int:
    """The pid of a process that has ended."""
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


@pytest.mark.log_allow(r"gone\.txt: No such file or directory")
def test_stop_and_start_while_a_map_is_missing(srv):
    f = maps_of(srv) / "gone.txt"
    old = origin_of("gone")
    f.unlink()
    try:
        assert wait_log(srv, r"gone\.txt: No such file or directory; keeping the",
                        lambda: allowed(srv, "/gone/r", old)), srv.new_log_lines()
        srv.check_log(allow=[r"gone\.txt: No such file or directory"])
        p = subprocess.run(srv._base_cmd() + ["-k", "stop"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=20)
        assert p.returncode == 0, p.stdout.decode()
        try:
            srv.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pytest.fail("apache2 -k stop did not stop the server")
        srv.stop()
        # every loader finished what it was writing (a child's exit waits for its load)
        images = srv.rundir / "cors-maps"
        assert not list(images.glob("*.tmp"))
        # what a loader killed while it published leaves (its pid is gone), what a live one
        # is writing, and a file that is not a temporary image
        gone = _dead_pid()
        planted = {f"txt-0123456789abcdef.map.{gone}.tmp": False,
                   f"txt-0123456789abcdef.map.{os.getpid()}.tmp": True,
                   "notes.map.x.tmp": True}
        for name in planted:
            (images / name).write_bytes(b"partial")
        # a start with the map still missing starts from the last good version on disk
        srv.start()
        assert {n: (images / n).exists() for n in planted} == planted
        assert logged(srv, r"removed 1 temporary CORS map image\(s\)"), srv.new_log_lines()
        assert logged(srv, r"gone\.txt: No such file or directory; starting with the last "
                           r"good version"), srv.new_log_lines()
        assert allowed(srv, "/gone/r", old)
        assert allowed(srv, "/torn/r", KEEP)
    finally:
        initial_map(maps_of(srv), "gone")
