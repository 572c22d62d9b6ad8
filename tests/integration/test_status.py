# SPDX-License-Identifier: Apache-2.0
"""The CORS counters in mod_status: exact counts per virtual host and note, the ?auto
totals, a graceful restart in the middle, and a server without mod_status.

Each MPM (event, worker, prefork; only $MPM when the suite runs under one, as `make
test-mpm` does) gets its own server with two processes or more: the requests of a batch are
all connected before the first is sent, so that they are held by different threads and, past
one child's worth of threads, by different children.  The test checks from the per-vhost
access logs (%P) that more than one child answered, so the counts shown are sums over
processes."""

import collections
import http.client
import os
import re
import signal
import threading
import time

import pytest

from httpd_harness import READY_MARK, Httpd

APP = "https://app.example.com"
EVIL = "https://evil.example"

NOTES = ["preflight-ok", "preflight-denied-origin", "preflight-denied-method",
         "preflight-denied-headers", "allowed", "denied-origin", "no-origin"]
AUTO_NAMES = ["CORSPreflightOk", "CORSPreflightDeniedOrigin", "CORSPreflightDeniedMethod",
              "CORSPreflightDeniedHeaders", "CORSAllowed", "CORSDeniedOrigin", "CORSNoOrigin"]

# note -> (method, headers, expected status) of a request that gets that note
REQUEST_FOR = {
    "preflight-ok": ("OPTIONS", {"Origin": APP, "Access-Control-Request-Method": "PUT"}, 204),
    "preflight-denied-origin":
        ("OPTIONS", {"Origin": EVIL, "Access-Control-Request-Method": "PUT"}, 403),
    "preflight-denied-method":
        ("OPTIONS", {"Origin": APP, "Access-Control-Request-Method": "PURGE"}, 403),
    "preflight-denied-headers":
        ("OPTIONS", {"Origin": APP, "Access-Control-Request-Method": "PUT",
                     "Access-Control-Request-Headers": "x-secret"}, 403),
    "allowed": ("GET", {"Origin": APP}, 200),
    "denied-origin": ("GET", {"Origin": EVIL}, 200),
    "no-origin": ("GET", {}, 200),
}

# How many requests of each note (in NOTES order) each virtual host gets.  Chosen so that
# no two notes and no two virtual hosts have the same count, and neither do the totals
# (5, 3, 8, 6, 9, 7, 10): a count in the wrong row or column shows.
MIX_A = [1, 2, 3, 4, 5, 6, 7]
MIX_B = [4, 1, 5, 2, 4, 1, 3]

POLICY = """
    <Location "/api/">
        CORSAllowOrigin https://app.example.com
        CORSAllowMethods GET PUT
        CORSAllowHeaders X-Custom
    </Location>
"""

STATUS_LOCATION = """
<Location "/server-status">
    SetHandler server-status
</Location>
"""

# Two processes at least under every MPM; a batch of BATCH held connections needs more
# threads than one child of a threaded MPM has (ThreadsPerChild 8 in the harness).
BATCH = 10
MPM_CONF = """
<IfModule mpm_event_module>
    StartServers 2
</IfModule>
<IfModule mpm_worker_module>
    StartServers 2
</IfModule>
<IfModule mpm_prefork_module>
    StartServers 4
    MinSpareServers 4
    MaxSpareServers 8
</IfModule>
"""


def vhosts_conf(with_status: bool, extra_a: str = "") -> str:
    return (MPM_CONF + (STATUS_LOCATION if with_status else "") + f"""
<VirtualHost 127.0.0.1:${{PORT}}>
    ServerName a.test
    CustomLog "${{SERVERROOT}}/logs/a_log" "%P %{{cors}}n"
{POLICY}
{extra_a}
</VirtualHost>
<VirtualHost 127.0.0.1:${{PORT2}}>
    ServerName b.test
    CustomLog "${{SERVERROOT}}/logs/b_log" "%P %{{cors}}n"
{POLICY}
</VirtualHost>
""")


FILES = {"htdocs/api/r.txt": "resource\n"}

MPMS = [os.environ["MPM"].removeprefix("mpm_")] if os.environ.get("MPM") \
    else ["event", "worker", "prefork"]


# ---- requests --------------------------------------------------------------------------------

def plan(mix) -> list[str]:
    """The notes of a mix, interleaved (not all of one kind in a row)."""
    left = list(mix)
    out = []
    while any(left):
        for i, n in enumerate(left):
            if n:
                out.append(NOTES[i])
                left[i] -= 1
    return out


def send_batch(port: int, notes: list[str]):
    """Connects one connection per note first, then sends each request and reads its
    answer: every connection is held by its own thread (or prefork child) until it is
    answered.  Checks each status."""
    conns = []
    try:
        for _ in notes:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.connect()
            conns.append(c)
        for c, note in zip(conns, notes):
            method, headers, status = REQUEST_FOR[note]
            c.putrequest(method, "/api/r.txt", skip_host=True, skip_accept_encoding=True)
            c.putheader("Host", f"127.0.0.1:{port}")
            for k, v in headers.items():
                c.putheader(k, v)
            c.endheaders()
            resp = c.getresponse()
            resp.read()
            assert resp.status == status, (note, resp.status, resp.getheaders())
    finally:
        for c in conns:
            c.close()


def run_mix(srv: Httpd, mix_a, mix_b):
    for port, mix in ((srv.port, mix_a), (srv.port2, mix_b)):
        notes = plan(mix)
        for i in range(0, len(notes), BATCH):
            send_batch(port, notes[i:i + BATCH])


def log_lines(srv: Httpd, name: str, want: int) -> list[str]:
    """The lines of logs/<name>, waiting (<= 3 s) until there are `want` of them (httpd
    writes a line after it has sent the response)."""
    path = srv.logdir / name
    deadline = time.monotonic() + 3
    while True:
        try:
            lines = path.read_text().splitlines()
        except FileNotFoundError:
            lines = []
        if len(lines) >= want or time.monotonic() > deadline:
            return lines
        time.sleep(0.02)


def logged_notes(lines: list[str]) -> list[int]:
    c = collections.Counter(ln.split(" ", 1)[1] for ln in lines)
    return [c[n] for n in NOTES]


# ---- server-status -----------------------------------------------------------------------

def get(srv: Httpd, path: str) -> str:
    r = srv.request("GET", path)
    assert r.status == 200, r
    return r.body.decode()


def auto_counts(srv: Httpd) -> list[int]:
    body = get(srv, "/server-status?auto")
    found = {}
    for ln in body.splitlines():
        name, _, value = ln.partition(": ")
        if name.startswith("CORS"):
            assert name not in found, f"{name} twice in ?auto:\n{body}"
            found[name] = int(value)
    # Besides the notes: origins refused because a regex reached its match limit (none
    # here: these policies have no regex; test_regex_bounds counts them).
    assert sorted(found) == sorted(AUTO_NAMES + ["CORSRegexLimit"]), body
    assert found["CORSRegexLimit"] == 0, body
    return [found[n] for n in AUTO_NAMES]


ROW_RE = re.compile(r"<tr><td>([^<]*)</td>((?:<td>\d+</td>)+)</tr>")


def table_counts(srv: Httpd) -> dict[str, list[int]]:
    """server name (the label's first word) -> counts, from the HTML page's CORS table."""
    body = get(srv, "/server-status")
    start = body.find("<table border=\"0\" class=\"cors\">")
    assert start >= 0, body
    table = body[start:body.index("</table>", start)]
    head = re.findall(r"<th>([^<]*)</th>", table)
    assert head == ["Server", *NOTES], head
    rows = {}
    for label, cells in ROW_RE.findall(table):
        rows[label.split(" ")[0]] = [int(x) for x in re.findall(r"\d+", cells)]
    return rows


def assert_counts(srv: Httpd, mix_a, mix_b):
    rows = table_counts(srv)
    # the main server first, then the virtual hosts in the order they are written
    assert list(rows) == ["127.0.0.1", "a.test", "b.test"], rows
    assert rows["a.test"] == list(mix_a), rows
    assert rows["b.test"] == list(mix_b), rows
    assert rows["127.0.0.1"] == [0] * len(NOTES), rows      # the main server got none
    assert auto_counts(srv) == [a + b for a, b in zip(mix_a, mix_b)]


def wait_for_workers(srv: Httpd, mpm: str):
    """Waits (<= 10 s) until server-status shows more idle workers than one child of a
    threaded MPM has (ThreadsPerChild 8), or 3 idle prefork children: the children that
    StartServers asks for are up, so that a batch spreads over them."""
    want = 3 if mpm == "prefork" else 9
    deadline = time.monotonic() + 10
    while True:
        m = re.search(r"^IdleWorkers: (\d+)$", get(srv, "/server-status?auto"), re.M)
        assert m, "no IdleWorkers in server-status?auto"
        if int(m.group(1)) >= want:
            return
        assert time.monotonic() < deadline, f"only {m.group(1)} idle workers under {mpm}"
        time.sleep(0.05)


# ---- graceful restart --------------------------------------------------------------------

def children(pid: int) -> set[int]:
    out = set()
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.add(int(d))
    return out


def shared_segments(srv: Httpd) -> int:
    """Anonymous shared mappings of the parent process (the scoreboard's and ours)."""
    with open(f"/proc/{srv.proc.pid}/maps") as f:
        return sum(1 for ln in f if "/dev/zero" in ln)


def graceful_restart(srv: Httpd):
    """SIGUSR1, then waits (<= 15 s) for the new generation's ready notice and for every
    child of the old generation to be gone (so that no old child answers what follows)."""
    parent = srv.proc.pid
    old = children(parent)
    assert old, "no children before the restart"
    mark = READY_MARK.decode()
    ready_before = srv.error_log().count(mark)
    os.kill(parent, signal.SIGUSR1)
    deadline = time.monotonic() + 15
    while True:
        assert srv.is_running(), "httpd exited on graceful restart\n" + srv.error_log()
        ready = srv.error_log().count(mark) > ready_before
        if ready and not (old & children(parent)):
            return
        assert time.monotonic() < deadline, \
            f"graceful restart: ready={ready}, old children left {old & children(parent)}"
        time.sleep(0.05)


# ---- tests -------------------------------------------------------------------------------

@pytest.mark.parametrize("mpm", MPMS)
@pytest.mark.log_allow(r"\[cors:debug\]")
def test_counts_per_vhost_and_totals_across_a_graceful_restart(make_server, mpm):
    srv = make_server(vhosts_conf(True), modules=("status",), files=FILES, mpm=mpm)

    assert_counts(srv, [0] * 7, [0] * 7)
    wait_for_workers(srv, mpm)
    run_mix(srv, MIX_A, MIX_B)
    # the requests got the notes the mix means (the per-vhost logs say so) ...
    lines_a = log_lines(srv, "a_log", sum(MIX_A))
    lines_b = log_lines(srv, "b_log", sum(MIX_B))
    assert logged_notes(lines_a) == MIX_A
    assert logged_notes(lines_b) == MIX_B
    # ... answered by more than one child process ...
    pids = {ln.split(" ")[0] for ln in lines_a + lines_b}
    assert len(pids) >= 2, f"all requests answered by one process {pids} under {mpm}"
    # ... and server-status counts each of them once, in its vhost's row.
    assert_counts(srv, MIX_A, MIX_B)
    # status requests themselves are no CORS requests
    assert_counts(srv, MIX_A, MIX_B)

    segments = shared_segments(srv)
    graceful_restart(srv)
    # counts start again at a restart: the new generation has a new segment, and the old
    # one is gone from the parent (not leaked)
    assert_counts(srv, [0] * 7, [0] * 7)
    assert shared_segments(srv) == segments
    run_mix(srv, MIX_B, MIX_A)
    assert logged_notes(log_lines(srv, "a_log", sum(MIX_A) + sum(MIX_B))[len(lines_a):]) \
        == MIX_B
    assert_counts(srv, MIX_B, MIX_A)
    # the server still answers, and nothing was logged at warn or above (make_server checks
    # the whole log at teardown: no crash, no [error])
    assert srv.request("GET", "/api/r.txt").status == 200


@pytest.mark.log_allow(r"\[cors:debug\]")
def test_notable_report_lists_the_same_counts(make_server):
    srv = make_server(vhosts_conf(True), modules=("status",), files=FILES)
    run_mix(srv, [1, 0, 0, 0, 2, 0, 0], [0, 0, 0, 0, 0, 0, 3])
    body = get(srv, "/server-status?notable")
    assert "class=\"cors\"" not in body          # no table
    sections = re.findall(r"<h3>([^ <]*)[^<]*</h3>\n<dl>\n((?:<dt>[^<]*</dt><dd>\d+</dd>\n)+)"
                          r"</dl>", body)
    got = {name: re.findall(r"<dt>([^<]*)</dt><dd>(\d+)</dd>", dl) for name, dl in sections}
    assert set(got) == {"127.0.0.1", "a.test", "b.test"}, body
    assert got["a.test"] == list(zip(NOTES, ["1", "0", "0", "0", "2", "0", "0"]))
    assert got["b.test"] == list(zip(NOTES, ["0", "0", "0", "0", "0", "0", "3"]))


@pytest.mark.log_allow(r"\[cors:debug\]")
def test_concurrent_requests_all_counted(make_server):
    """8 clients at once, 40 requests each: no count is lost between threads and
    processes (the counters are atomic adds)."""
    srv = make_server(vhosts_conf(True), modules=("status",), files=FILES)
    errors = []

    def client(k):
        try:
            for i in range(40):
                send_batch(srv.port if k % 2 else srv.port2,
                           ["allowed" if i % 2 else "preflight-ok"])
        except Exception as e:      # noqa: BLE001 -- reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=client, args=(k,)) for k in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert not errors, errors
    assert not any(th.is_alive() for th in threads)
    rows = table_counts(srv)
    assert rows["a.test"] == [80, 0, 0, 0, 80, 0, 0], rows
    assert rows["b.test"] == [80, 0, 0, 0, 80, 0, 0], rows
    assert auto_counts(srv) == [160, 0, 0, 0, 160, 0, 0]


# A preflight handed on (CORSPreflightContinue) that fails into a local ErrorDocument: the
# ErrorDocument's request carries the preflight's note again, and the counters still count
# one preflight.  The same for an actual request.
CONTINUE_INTO_ERROR = """
    ErrorDocument 403 /oops.html
    <Location "/cont/">
        CORSAllowOrigin https://app.example.com
        CORSAllowMethods PUT
        CORSPreflightContinue On
        Require all denied
    </Location>
"""


@pytest.mark.log_allow(r"\[cors:debug\]", r"AH01630: client denied by server configuration")
def test_error_document_counted_once(make_server):
    srv = make_server(vhosts_conf(True, CONTINUE_INTO_ERROR), modules=("status",),
                      files={**FILES, "htdocs/oops.html": "oops\n"})
    r = srv.preflight("/cont/r.txt", APP, "PUT")
    assert r.status == 403 and r.body == b"oops\n", r
    assert r.get("Access-Control-Allow-Origin") == APP, r
    r = srv.request("GET", "/cont/r.txt", {"Origin": APP})
    assert r.status == 403 and r.body == b"oops\n", r
    assert r.get("Access-Control-Allow-Origin") == APP, r
    assert sorted(ln.split(" ", 1)[1] for ln in log_lines(srv, "a_log", 2)) \
        == ["allowed", "preflight-ok"]
    assert auto_counts(srv) == [1, 0, 0, 0, 1, 0, 0]


@pytest.mark.log_allow(r"\[cors:debug\]")
def test_without_mod_status_nothing_breaks(make_server):
    srv = make_server(vhosts_conf(False), files=FILES)
    with_status = make_server(vhosts_conf(True), modules=("status",), files=FILES)
    # nothing allocated: one shared segment fewer than with mod_status
    assert shared_segments(srv) == shared_segments(with_status) - 1
    run_mix(srv, MIX_A, MIX_B)
    assert logged_notes(log_lines(srv, "a_log", sum(MIX_A))) == MIX_A
    assert logged_notes(log_lines(srv, "b_log", sum(MIX_B))) == MIX_B
    r = srv.request("GET", "/server-status?auto")
    assert r.status == 404 and b"CORS" not in r.body, r
    graceful_restart(srv)
    run_mix(srv, [1] * 7, [1] * 7)
    assert srv.request("GET", "/api/r.txt").status == 200
