#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""make bench-status -- what the CORS counters in mod_status cost per request.

valgrind callgrind on `apache2 -X` (MPM event, one process, run as www-data when we are
root), the module of this checkout, a CORS policy on /api/, two configurations that differ
only in whether mod_status is loaded:

  status     mod_status loaded: every request in the policy's scope is counted
  nostatus   no mod_status: nothing is allocated, cors_status_count() returns at once

For each configuration and each request kind (an allowed keep-alive GET, a successful
preflight) one keep-alive connection sends STATUS_WARMUP requests, `callgrind_control -z`
zeroes the counters, STATUS_REQUESTS requests follow, `callgrind_control -d` dumps.  From
each dump: the whole process's instructions per request, and the inclusive instructions of
cors_status_count() per request (the counting: the server_rec lookup and the atomic add, the
call into libapr included), from callgrind_annotate --inclusive=yes.

The whole-process difference between the two configurations also holds what mod_status
itself does on every request (about 3,000 instructions here); the per-function figure is
what counting costs.  Goal: under 100 instructions per request.

Standard library only; ALWAYS /usr/bin/python3.  Work files in bench/build/status/.
"""

from __future__ import annotations

import grp
import os
import pathlib
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
WORK = REPO / "bench" / "build" / "status"
APACHE2 = "/usr/sbin/apache2"
MODULES = pathlib.Path("/usr/lib/apache2/modules")
MOD_CORS = REPO / ".libs" / "mod_cors.so"
N_REQUESTS = int(os.environ.get("STATUS_REQUESTS") or 1000)
N_WARMUP = int(os.environ.get("STATUS_WARMUP") or 50)
GOAL = 100
AS_ROOT = os.geteuid() == 0
RUN_USER = "www-data"
ORIGIN = "https://app.example.com"
FUNCTIONS = ("cors_status_count",)

KINDS = {
    "actual GET": (f"GET /api/data.json HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {ORIGIN}\r\n"
                   "\r\n", 200),
    "preflight": (f"OPTIONS /api/data.json HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {ORIGIN}\r\n"
                  "Access-Control-Request-Method: PUT\r\n\r\n", 204),
}

POLICY = """
<Location "/api/">
    CORSAllowOrigin https://app.example.com
    CORSAllowMethods GET PUT
</Location>
<Location "/server-status">
    SetHandler server-status
</Location>
"""


class BenchError(Exception):
    pass


def run_user_kwargs() -> dict:
    if not AS_ROOT:
        return {}
    pw = pwd.getpwnam(RUN_USER)
    return {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, name: str, with_status: bool):
        self.name = name
        self.with_status = with_status
        self.root = WORK / name
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def prepare(self):
        if self.root.exists():
            shutil.rmtree(self.root)
        for d in ("conf", "htdocs/api", "logs", "run", "callgrind"):
            (self.root / d).mkdir(parents=True)
        (self.root / "htdocs" / "api" / "data.json").write_text('{"x": 1}\n' * 200)
        if AS_ROOT:
            for p in [self.root, *self.root.parents]:
                if not p.stat().st_mode & 0o001:
                    raise BenchError(f"{p} is not searchable by {RUN_USER}")
            uid, gid = pwd.getpwnam(RUN_USER).pw_uid, grp.getgrnam(RUN_USER).gr_gid
            for d in ("logs", "run", "callgrind"):
                os.chown(self.root / d, uid, gid)
        r = self.root
        mods = ["mpm_event", "authz_core", "mime", "log_config", "unixd"]
        if self.with_status:
            mods.append("status")
        lines = [f'ServerRoot "{r}"', "ServerName 127.0.0.1", f"Listen 127.0.0.1:{self.port}",
                 f'PidFile "{r}/run/httpd.pid"', f'DefaultRuntimeDir "{r}/run"',
                 f"Mutex file:{r}/run default"]
        lines += [f'LoadModule {m}_module "{MODULES}/mod_{m}.so"' for m in mods
                  if (MODULES / f"mod_{m}.so").exists()]
        lines.append(f'LoadModule cors_module "{MOD_CORS}"')
        if AS_ROOT:
            lines += [f"User {RUN_USER}", f"Group {RUN_USER}"]
        lines += [f'ErrorLog "{r}/logs/error_log"', "LogLevel warn",
                  'CustomLog "/dev/null" "%h %t \\"%r\\" %>s %{cors}n"',
                  "TypesConfig /etc/mime.types", "KeepAlive On", "MaxKeepAliveRequests 0",
                  "KeepAliveTimeout 60", "Timeout 60",
                  f'DocumentRoot "{r}/htdocs"', f'<Directory "{r}/htdocs">',
                  "  Require all granted", "</Directory>", POLICY]
        (r / "conf" / "httpd.conf").write_text("\n".join(lines) + "\n")

    def start(self):
        self.prepare()
        cmd = ["valgrind", "--tool=callgrind", "--dump-instr=no",
               f"--callgrind-out-file={self.root}/callgrind/callgrind.out.%p",
               APACHE2, "-d", str(self.root), "-f", str(self.root / "conf" / "httpd.conf"), "-X"]
        out = open(self.root / "logs" / "stdout", "wb")
        self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True,
                                     env=dict(os.environ, HOME=str(self.root)),
                                     **run_user_kwargs())
        out.close()
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise BenchError(f"{self.name}: apache2 did not start\n"
                         + (self.root / "logs" / "stdout").read_text(errors="replace"))

    def stop(self):
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def dumps(self) -> set[pathlib.Path]:
        return {f for f in (self.root / "callgrind").glob("callgrind.out.*.*")
                if f.name.rsplit(".", 1)[1].isdigit()}


class Client:
    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buf = b""

    def request(self, data: bytes, status: int):
        time.sleep(0.002)       # httpd finds the connection idle each time (see bench/run.py)
        self.sock.sendall(data)
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise BenchError("connection closed")
            self.buf += chunk
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        got = int(lines[0].split()[1])
        if got != status:
            raise BenchError(f"expected {status}, got {lines}")
        length = 0
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            if k.strip().lower() == "content-length":
                length = int(v)
        while len(self.buf) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise BenchError("connection closed in the body")
            self.buf += chunk
        self.buf = self.buf[length:]

    def close(self):
        self.sock.close()


def callgrind_control(option: str, pid: int):
    p = subprocess.run(["callgrind_control", option, str(pid)], capture_output=True, text=True,
                       timeout=120, env=dict(os.environ, HOME="/tmp"), **run_user_kwargs())
    if p.returncode != 0 or "OK" not in p.stdout:
        raise BenchError(f"callgrind_control {option} {pid} failed:\n{p.stdout}{p.stderr}")


def summary(dump: pathlib.Path) -> int:
    for line in dump.read_text(errors="replace").splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise BenchError(f"no summary in {dump}")


def inclusive(dump: pathlib.Path) -> dict[str, int]:
    """Inclusive Ir of FUNCTIONS in a dump (0 for one that did not run)."""
    p = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100",
                        str(dump)], capture_output=True, text=True, check=True)
    found = dict.fromkeys(FUNCTIONS, 0)
    for ln in p.stdout.splitlines():
        m = re.match(r"\s*([\d,]+)\s+(?:\([^)]*\)\s+)?\S*?:?(\w+)\s", ln + " ")
        if m and m.group(2) in found:
            found[m.group(2)] = int(m.group(1).replace(",", ""))
    return found


def measure(srv: Server) -> dict[str, dict[str, float]]:
    srv.start()
    out = {}
    try:
        pid = srv.proc.pid
        for kind, (text, status) in KINDS.items():
            data = text.encode()
            c = Client(srv.port)
            try:
                for _ in range(N_WARMUP):
                    c.request(data, status)
                callgrind_control("-z", pid)
                for _ in range(N_REQUESTS):
                    c.request(data, status)
                before = srv.dumps()
                callgrind_control("-d", pid)
            finally:
                c.close()
            new = srv.dumps() - before
            if len(new) != 1:
                raise BenchError(f"{srv.name}/{kind}: expected one new dump, got {new}")
            dump = new.pop()
            dump = dump.rename(srv.root / f"{srv.name}.{kind.replace(' ', '_')}.callgrind")
            res = {"total": summary(dump) / N_REQUESTS}
            res.update({f: v / N_REQUESTS for f, v in inclusive(dump).items()})
            out[kind] = res
    finally:
        srv.stop()
    return out


def main() -> int:
    if not MOD_CORS.exists():
        print(f"{MOD_CORS} missing: run make", file=sys.stderr)
        return 2
    WORK.mkdir(parents=True, exist_ok=True)
    if AS_ROOT:
        for p in [WORK, *WORK.parents]:
            if not p.stat().st_mode & 0o001:
                os.chmod(p, p.stat().st_mode | 0o001)
    results = {name: measure(Server(name, with_status))
               for name, with_status in (("status", True), ("nostatus", False))}
    print(f"Instructions per request (callgrind, apache2 -X, MPM event, "
          f"{N_REQUESTS} requests per kind after {N_WARMUP} warm-up)\n")
    print("| request | config | whole process | cors_status_count |")
    print("|---|---|---:|---:|")
    for kind in KINDS:
        for name in results:
            r = results[name][kind]
            print(f"| {kind} | {name} | {r['total']:,.0f} | {r['cors_status_count']:.1f} |")
    worst = max(results["status"][k]["cors_status_count"] for k in KINDS)
    print(f"\ncounting (cors_status_count, mod_status loaded): at most {worst:.1f} "
          f"instructions per request; goal < {GOAL}: {'met' if worst < GOAL else 'MISSED'}")
    for kind in KINDS:
        d = results["status"][kind]["total"] - results["nostatus"][kind]["total"]
        print(f"{kind}: whole process with mod_status - without: {d:+,.0f} "
              "(counting + mod_status's own per-request work)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        print(f"bench-status: {e}", file=sys.stderr)
        sys.exit(1)
