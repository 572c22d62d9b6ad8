# SPDX-License-Identifier: Apache-2.0
"""Which child answered what: the harness's httpd with an access log of the pid that served
each request, and a prober that asks for an origin on new connections until every child
has answered.  For the map benchmark (bench/map_reload.py) and the map soak
(tests/soak/map_soak.py), which must know that every child of a server answers from the
newest version of a CORSAllowOriginMap, prefork's children included.

    srv = PidLogHttpd(root, CONF, ...)
    srv.start()
    got = srv.until_every_child(pids, "https://a.example", "/api/r", clients=16, timeout=30)
    assert not got["missing"] and not got["regressed"]
"""

from __future__ import annotations

import socket
import threading
import time

from httpd_harness import Httpd

# The pid that served, when the request came (microseconds since the epoch), mod_cors's
# note (allowed, denied-origin, ...), the Origin and the URL (the prober's end in PROBE).
PID_LOG_FORMAT = "%P %{usec}t %{cors}n %{Origin}i %U%q"
PROBE = "?child-probe"


def allowed_on_new_connection(port: int, origin: str, path: str) -> bool | None:
    """One GET on a connection of its own: is origin allowed?  None on a socket error."""
    req = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {origin}\r\n"
           "Connection: close\r\n\r\n").encode()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(req)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
    except OSError:
        return None
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
    return f"access-control-allow-origin: {origin}" in head


class Load:
    """`clients` threads, each asking for one origin on new connections with a pause between
    requests, until end(); counts requests and socket errors."""

    def __init__(self, port: int, origin: str, path: str, clients: int, pause: float):
        self.port, self.origin, self.path, self.pause = port, origin, path, pause
        self.stop = threading.Event()
        self.errors = 0
        self.requests = 0
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(clients)]
        for t in self.threads:
            t.start()

    def run(self):
        while not self.stop.is_set():
            r = allowed_on_new_connection(self.port, self.origin, self.path)
            with self.lock:
                self.requests += 1
                self.errors += r is None
            time.sleep(self.pause)

    def end(self):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=30)


class PidLogHttpd(Httpd):
    """The harness's httpd, with logs/pids_log in PID_LOG_FORMAT."""

    def conf_logs(self) -> list:
        return super().conf_logs() + [f'CustomLog "{self.pids_log_path}" "{PID_LOG_FORMAT}"']

    @property
    def pids_log_path(self):
        return self.logdir / "pids_log"

    def pid_lines(self, offset: int) -> tuple[list[tuple[int, float, str, str, str]], int]:
        """(pid, time in seconds since the epoch, note, origin, URL) of the lines after
        offset (bytes), and the new offset."""
        try:
            data = self.pids_log_path.read_bytes()
        except FileNotFoundError:
            return [], offset
        out = []
        end = data.rfind(b"\n", offset) + 1 or offset     # whole lines only
        for ln in data[offset:end].decode("latin-1").splitlines():
            parts = ln.split()
            if len(parts) == 5:
                out.append((int(parts[0]), int(parts[1]) / 1e6, parts[2], parts[3],
                            parts[4]))
        return out, max(end, offset)

    def until_every_child(self, pids: set[int], origin: str, path: str, clients: int,
                          timeout: float, t0: float | None = None,
                          pause: float = 0.02) -> dict:
        """Asks for origin with GET path + PROBE on new connections (`clients` threads, each
        waiting `pause` seconds between requests: a light load, that leaves the CPUs to the
        server) until every pid has allowed it, or timeout; other requests in the log (a
        load test's) are not counted.  Returns "first": per pid, the time of the first request it
        allowed (minus t0 when given); "regressed": the pids that refused it after they had
        allowed it; "missing": the pids that never allowed it; "seen": the pids that
        answered at all; "requests"; "errors" (socket errors)."""
        offset = self.pids_log_path.stat().st_size if self.pids_log_path.exists() else 0
        load = Load(self.port, origin, path + PROBE, clients, pause)
        first: dict[int, float] = {}
        regressed: set[int] = set()
        seen: set[int] = set()

        def take(lines):
            for pid, when, note, o, url in lines:
                if o != origin or url != path + PROBE:
                    continue
                seen.add(pid)
                if note == "allowed":
                    first.setdefault(pid, when)
                elif pid in first:
                    regressed.add(pid)

        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline and not pids <= set(first):
                time.sleep(0.05)
                lines, offset = self.pid_lines(offset)
                take(lines)
        finally:
            load.end()
        time.sleep(0.1)             # the last requests' lines
        take(self.pid_lines(offset)[0])
        base = t0 if t0 is not None else 0.0
        return {"first": {p: t - base for p, t in first.items()}, "regressed": regressed,
                "missing": pids - set(first), "seen": seen, "requests": load.requests,
                "errors": load.errors}
