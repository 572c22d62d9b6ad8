# SPDX-License-Identifier: Apache-2.0
"""CORSAllowOriginMap: origins from a txt or dbm file, re-read while httpd runs.

Maps are written by the tests (txt) or built with httxt2dbm (sdbm, gdbm), changed while the
server runs, and the answers polled for in bounded loops (a change must be seen within 2 s;
the loops allow 10 s so that a loaded machine does not fail them, and timing is not
asserted).  Every request is a new connection (the harness sets KeepAlive Off), so with
several children different processes answer.
"""

import os
import pathlib
import re
import shutil
import subprocess
import threading
import time

import pytest

from httpd_harness import Httpd, assert_allowed, assert_denied, serve

HTTXT2DBM = shutil.which("httxt2dbm") or "/usr/sbin/httxt2dbm"
POLL_SECONDS = 10.0

A = "https://a.tenant.example"
B = "https://b.tenant.example"
C = "https://c.tenant.example"
EVIL = "https://evil.example"

FILES = {f"htdocs/{d}/r": "ok\n" for d in ("txt", "sdbm", "gdbm", "mix", "loc", "pat")}
FILES["htdocs/ht/r"] = "ok\n"
FILES["htdocs/vr"] = "ok\n"
FILES["htdocs/ht/.htaccess"] = "CORSAllowOriginMap txt:/etc/passwd\n"

CONF = r"""
<Location "/txt/">
    CORSAllowOriginMap txt:${SERVERROOT}/maps/origins.txt
</Location>
<Location "/sdbm/">
    CORSAllowOriginMap dbm=sdbm:${SERVERROOT}/maps/sdbm.map
</Location>
<Location "/gdbm/">
    CORSAllowOriginMap dbm=gdbm:${SERVERROOT}/maps/gdbm.map
</Location>
<Location "/mix/">
    CORSAllowOrigin https://static.example
    CORSAllowOriginMap maps/origins.txt
    CORSAllowMethods PUT
</Location>
<Location "/pat/">
    CORSAllowOriginMap txt:${SERVERROOT}/maps/patterns.txt
</Location>
<Directory "${DOCROOT}/ht">
    AllowOverride FileInfo
</Directory>
<VirtualHost 127.0.0.1:${PORT2}>
    CORSAllowOriginMap txt:${SERVERROOT}/maps/vhost.txt
    <Location "/loc/">
        CORSAllowOriginMap txt:${SERVERROOT}/maps/loc.txt
    </Location>
</VirtualHost>
"""


def write_atomic(path: pathlib.Path, text: str):
    """Writes a sibling file and renames it over path (as a careful tool does)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def build_dbm(kind: str, txt: pathlib.Path, out: pathlib.Path):
    """httxt2dbm writes into an existing file, so a map is built to the side and renamed
    over the one in use (sdbm: .pag first, then .dir)."""
    side = out.with_name(out.name + ".new")
    for f in out.parent.glob(side.name + "*"):
        f.unlink()
    subprocess.run([HTTXT2DBM, "-f", kind, "-i", str(txt), "-o", str(side)], check=True,
                   stdout=subprocess.DEVNULL)
    for suffix in (".pag", ".dir", ""):
        s = pathlib.Path(str(side) + suffix)
        if s.exists():
            os.chmod(s, 0o644)
            os.replace(s, pathlib.Path(str(out) + suffix))


def write_maps(root: pathlib.Path):
    maps = root / "maps"
    maps.mkdir(parents=True, exist_ok=True)
    os.chmod(maps, 0o755)
    write_atomic(maps / "origins.txt", f"# tenants\n{A} allow\n\n{B}   # second\n")
    write_atomic(maps / "patterns.txt", "https://*.shop.example\nhttp://localhost:*\n")
    write_atomic(maps / "vhost.txt", "https://vhost.example\n")
    write_atomic(maps / "loc.txt", "https://loc.example\n")
    write_atomic(maps / "dbm.txt", f"{A} allow\n{B} allow\n")
    build_dbm("SDBM", maps / "dbm.txt", maps / "sdbm.map")
    build_dbm("GDBM", maps / "dbm.txt", maps / "gdbm.map")


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    root = tmp_path_factory.mktemp("maps")
    write_maps(root)
    with serve(root, CONF, files=FILES) as s:
        yield s


def get(srv, path, origin, port=None):
    return srv.request("GET", path, {"Origin": origin}, port=port)


def allowed(srv, path, origin, port=None) -> bool:
    r = get(srv, path, origin, port)
    assert r.status == 200, r
    return r.get("Access-Control-Allow-Origin") == origin


def poll(srv, path, origin, want: bool, port=None) -> bool:
    deadline = time.monotonic() + POLL_SECONDS
    while time.monotonic() < deadline:
        if allowed(srv, path, origin, port) == want:
            return True
        time.sleep(0.1)
    return False


def wait_log(srv, pattern: str, poke=None) -> list[str]:
    """Error-log lines (since the mark) matching pattern, waiting for them; poke() is
    called each round (a map is looked at only when a request asks it)."""
    rx = re.compile(pattern)
    deadline = time.monotonic() + POLL_SECONDS
    while time.monotonic() < deadline:
        if poke:
            poke()
        found = [ln for ln in srv.new_log_lines() if rx.search(ln)]
        if found:
            return found
        time.sleep(0.1)
    return []


def assert_once_per_child(lines: list[str]):
    """Each child logs a bad or missing file once per change (the error log says which
    process wrote a line: [pid N:tid M] or [pid N])."""
    pids = [m.group(1) for m in (re.search(r"\[pid (\d+)", ln) for ln in lines) if m]
    assert len(pids) == len(lines) and len(lines) >= 1, lines
    assert len(set(pids)) == len(pids), f"logged more than once by one child: {lines}"


# ---------------------------------------------------------------------------------------------
# Allowed and denied
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/txt/r", "/sdbm/r", "/gdbm/r"])
def test_map_allows_listed_origins(srv, path):
    assert_allowed(get(srv, path, A), A)
    assert_allowed(get(srv, path, B), B)
    assert_denied(get(srv, path, EVIL))
    assert_denied(get(srv, path, "https://allow"))          # httxt2dbm's value field
    assert_denied(get(srv, path, A + ":8443"))
    assert_denied(get(srv, path, "null"))


def test_map_adds_up_with_allow_origin(srv):
    assert_allowed(get(srv, "/mix/r", A), A)
    assert_allowed(get(srv, "/mix/r", "https://static.example"), "https://static.example")
    assert_denied(get(srv, "/mix/r", EVIL))
    r = srv.preflight("/mix/r", B, "PUT")
    assert r.status == 204 and r.get("Access-Control-Allow-Origin") == B, r
    r = srv.preflight("/mix/r", EVIL, "PUT")
    assert r.status == 403 and not r.cors_headers(), r


def test_map_patterns(srv):
    assert_allowed(get(srv, "/pat/r", "https://x.shop.example"), "https://x.shop.example")
    assert_allowed(get(srv, "/pat/r", "http://localhost:3000"), "http://localhost:3000")
    assert_denied(get(srv, "/pat/r", "https://shop.example"))
    assert_denied(get(srv, "/pat/r", "https://x.shop.example.evil.net"))


def test_map_in_vhost_and_location(srv):
    p2 = srv.port2
    assert_allowed(get(srv, "/vr", "https://vhost.example", port=p2), "https://vhost.example")
    assert_denied(get(srv, "/loc/r", "https://vhost.example", port=p2))   # <Location> replaces
    assert_allowed(get(srv, "/loc/r", "https://loc.example", port=p2), "https://loc.example")
    r = get(srv, "/vr", "https://vhost.example")                        # main server: no policy
    assert r.status == 200 and not r.cors_headers(), r


@pytest.mark.log_allow(r"CORSAllowOriginMap: not allowed in \.htaccess")
def test_htaccess_refused(srv):
    r = get(srv, "/ht/r", A)
    assert r.status == 500, r
    assert wait_log(srv, r"CORSAllowOriginMap: not allowed in \.htaccess"), srv.new_log_lines()


# ---------------------------------------------------------------------------------------------
# Changes while the server runs
# ---------------------------------------------------------------------------------------------

def test_txt_add_and_remove_while_running(srv):
    f = srv.root / "maps" / "origins.txt"
    assert not allowed(srv, "/txt/r", C)
    write_atomic(f, f"{A}\n{B}\n{C}\n")
    assert poll(srv, "/txt/r", C, True), srv.new_log_lines()
    # edited in place (truncate and write), removing A
    f.write_text(f"{B}\n{C}\n")
    assert poll(srv, "/txt/r", A, False), srv.new_log_lines()
    time.sleep(2.5)     # the other children (prefork) within their 2 s
    assert allowed(srv, "/txt/r", C) and allowed(srv, "/mix/r", C)
    write_atomic(f, f"{A}\n{B}\n")
    assert poll(srv, "/txt/r", C, False)
    time.sleep(2.5)


@pytest.mark.parametrize("kind,path", [("SDBM", "/sdbm/r"), ("GDBM", "/gdbm/r")])
def test_dbm_rebuilt_while_running(srv, kind, path):
    maps = srv.root / "maps"
    txt = maps / f"{kind}-next.txt"
    txt.write_text(f"{A} allow\n{C} allow\n")
    build_dbm(kind, txt, maps / f"{kind.lower()}.map")
    assert poll(srv, path, C, True), srv.new_log_lines()
    assert poll(srv, path, B, False)
    txt.write_text(f"{A} allow\n{B} allow\n")
    build_dbm(kind, txt, maps / f"{kind.lower()}.map")
    assert poll(srv, path, C, False)
    # polled too: the child that answered the poll above may be the first to use the new
    # version (the loader's), and another child answers from the one before until it
    # follows (its next tick; a change is due in every child within 2 s)
    assert poll(srv, path, B, True)


@pytest.mark.log_allow(r"patterns\.txt line 3: 'https://\*\.com'")
def test_broken_edit_keeps_last_good_set(srv):
    # patterns.txt has not changed since startup, so that the last good set is the same in
    # every child (a child that served no request since a change still holds the set
    # before it, and would keep that one)
    f = srv.root / "maps" / "patterns.txt"
    good = f.read_text()
    write_atomic(f, "https://*.shop.example\nhttps://new.example\nhttps://*.com\n")
    try:
        lines = wait_log(srv, r"patterns\.txt line 3: 'https://\*\.com'",
                         lambda: allowed(srv, "/pat/r", "https://x.shop.example"))
        assert lines and "keeping" in lines[0], srv.new_log_lines()
        assert "[cors:error]" in lines[0]
        # the last good set stays in force; an origin of the bad file does not come in
        for _ in range(10):
            assert allowed(srv, "/pat/r", "https://x.shop.example")
            assert allowed(srv, "/pat/r", "http://localhost:1")
            assert not allowed(srv, "/pat/r", "https://new.example")
        time.sleep(2.5)
        for _ in range(5):
            allowed(srv, "/pat/r", "https://x.shop.example")
        assert_once_per_child([ln for ln in srv.new_log_lines() if "line 3" in ln])
    finally:
        write_atomic(f, good)
    assert poll(srv, "/pat/r", "https://new.example", False)


@pytest.mark.log_allow(r"vhost\.txt: No such file or directory; keeping")
def test_deleted_file_keeps_last_good_set(srv):
    f = srv.root / "maps" / "vhost.txt"
    p2 = srv.port2
    f.unlink()
    assert wait_log(srv, r"vhost\.txt: No such file or directory; keeping",
                    lambda: allowed(srv, "/vr", "https://vhost.example", port=p2))
    for _ in range(10):
        assert allowed(srv, "/vr", "https://vhost.example", port=p2)
    time.sleep(2.5)
    allowed(srv, "/vr", "https://vhost.example", port=p2)
    assert_once_per_child([ln for ln in srv.new_log_lines() if "vhost.txt: No such file" in ln])
    write_atomic(f, "https://vhost2.example\n")
    assert poll(srv, "/vr", "https://vhost2.example", True, port=p2)
    time.sleep(2.5)     # the other children (prefork) within their 2 s
    for _ in range(6):
        assert not allowed(srv, "/vr", "https://vhost.example", port=p2)


# ---------------------------------------------------------------------------------------------
# Every child of every MPM
# ---------------------------------------------------------------------------------------------

MPM_CONF = r"""
LogFormat "%P %U %{cors}n" pids
CustomLog "${SERVERROOT}/logs/pids_log" pids
<IfModule mpm_prefork_module>
    StartServers 3
    MinSpareServers 3
</IfModule>
<IfModule !mpm_prefork_module>
    StartServers 3
    MinSpareThreads 24
    MaxSpareThreads 32
</IfModule>
<Location "/txt/">
    CORSAllowOriginMap txt:${SERVERROOT}/maps/origins.txt
</Location>
"""


def burst(srv, origin, n=48, threads=12) -> list[bool]:
    """n requests from `threads` threads at once, so that several children answer."""
    out, lock = [], threading.Lock()

    def worker(k):
        for _ in range(k):
            ok = allowed(srv, "/txt/r", origin)
            with lock:
                out.append(ok)

    ts = [threading.Thread(target=worker, args=(n // threads,)) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=60)
    return out


def pids_of(srv) -> set[str]:
    path = srv.root / "logs" / "pids_log"
    deadline = time.monotonic() + 3
    lines = []
    while time.monotonic() < deadline:
        lines = path.read_text().splitlines() if path.exists() else []
        if len(lines) >= srv._requests:
            break
        time.sleep(0.05)
    return {ln.split()[0] for ln in lines if ln.split()[1:2] == ["/txt/r"]}


@pytest.mark.parametrize("mpm", ["event", "worker", "prefork"])
def test_every_child_sees_a_change(make_server, tmp_path, mpm):
    write_maps(tmp_path)
    s = make_server(MPM_CONF, mpm=mpm, files={"htdocs/txt/r": "ok\n"})
    f = s.root / "maps" / "origins.txt"
    assert all(burst(s, A))
    assert not any(burst(s, C, n=12))
    write_atomic(f, f"{B}\n{C}\n")
    assert poll(s, "/txt/r", C, True)
    # after the first child answers with the new set, every child must (within 2 s);
    # wait those 2 s, then all answers must be the new ones
    time.sleep(2.5)
    assert all(burst(s, C)), "a child still answers with the old set"
    assert not any(burst(s, A)), "a child still allows a removed origin"
    pids = pids_of(s)
    assert len(pids) >= 2, f"only one child answered ({pids}): the test proves nothing"


# ---------------------------------------------------------------------------------------------
# Startup: configtest errors and -D DUMP_CORS
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("content,spec,want", [
    (None, "txt:${SERVERROOT}/maps/missing.txt", ["missing.txt", "No such file"]),
    ("https://a.example\n# x\nhttps://a.example/path\n", "txt:${SERVERROOT}/maps/bad.txt",
     ["bad.txt line 3", "'https://a.example/path'"]),
    ("https://a.example\n*\n", "txt:${SERVERROOT}/maps/bad.txt", ["bad.txt line 2", "'*'"]),
    ("null\n", "txt:${SERVERROOT}/maps/bad.txt", ["bad.txt line 1", "'null'"]),
    (None, "dbm=ndbm:${SERVERROOT}/maps/x", ["dbm=ndbm:", "unknown dbm type"]),
    (None, "dbm=sdbm:${SERVERROOT}/maps/none", ["maps/none", "No such file"]),
    ("https://ok.example allow\nhttps://Upper.example allow\n", "dbm=sdbm:${SERVERROOT}/maps/bad",
     ["maps/bad", "'https://Upper.example'", "not an origin as browsers send it"]),
    ("https://ok.example allow\n", "txt:${SERVERROOT}/maps/bad.txt.pag",
     ["bad.txt.pag line 1"]),
])
def test_configtest_errors(tmp_path, content, spec, want):
    conf = f'<Location "/t/">\n    CORSAllowOriginMap {spec}\n</Location>\n'
    srv = Httpd(tmp_path, conf)
    if content is not None:
        (srv.root / "maps").mkdir(exist_ok=True)
        (srv.root / "maps" / "bad.txt").write_text(content)
        if "dbm=" in spec or spec.endswith(".pag"):
            subprocess.run([HTTXT2DBM, "-f", "SDBM", "-i", str(srv.root / "maps" / "bad.txt"),
                            "-o", str(srv.root / "maps" / "bad")], check=True)
            shutil.copy(srv.root / "maps" / "bad.pag", srv.root / "maps" / "bad.txt.pag")
    rc, out = srv.configtest()
    assert rc != 0 and "Syntax OK" not in out, out
    msg = [ln for ln in out.splitlines() if "CORSAllowOriginMap" in ln]
    assert msg, out
    if "unknown dbm type" not in want:
        # read by -t, not while parsing: the message says where the map was defined
        assert re.search(r"\(\S+httpd\.conf:\d+\)", msg[0]), out
    for w in want:
        assert w in msg[0], out


def dump_cors(srv) -> str:
    """The output of `httpd -t -D DUMP_CORS` on srv's configuration, which must pass."""
    p = subprocess.run(srv._base_cmd() + ["-t", "-D", "DUMP_CORS"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=30)
    out = p.stdout.decode()
    assert p.returncode == 0, out
    return out


def test_dump_cors_shows_maps(srv):
    out = dump_cors(srv)
    # -t reads each file again, and names the version the running server published
    assert re.search(r"CORSAllowOriginMap:.*txt:\S+origins\.txt \(txt\): \d+ entries read by "
                     r"this check; last good version [1-9]", out), out
    assert re.search(r"CORSAllowOriginMap:.*dbm=sdbm:\S+sdbm\.map \(dbm SDBM\): 2 entries", out), out
    assert re.search(r"CORSAllowOriginMap:.*dbm=gdbm:\S+gdbm\.map \(dbm GDBM\): 2 entries", out), out
