# SPDX-License-Identifier: Apache-2.0
"""cors-check's exit status against a real httpd: 0 only when the response and every
--read-header name can be read by the page's script, 1 when the browser blocks the response
or a named header is not readable (not exposed, or not sent), 2 on a network error."""

import json
import pathlib
import subprocess

import pytest

import harness_shim  # noqa: F401  (puts the harness on the path)
from httpd_harness import serve

CORS_CHECK = pathlib.Path(__file__).resolve().parents[2] / "cors-check" / "cors-check"
PAGE = "https://page.example"

CONF = f"""
<Location "/api/">
    CORSAllowOrigin {PAGE}
    CORSExposeHeaders X-Shown
    Header always set X-Shown yes
    Header always set X-Hidden yes
</Location>
"""


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("exit"), CONF, files={"htdocs/api/r": "ok\n"},
               modules=("headers",)) as s:
        yield s


def check(srv, origin, *names):
    args = [str(CORS_CHECK), "--origin", origin, "--json"]
    for n in names:
        args += ["--read-header", n]
    p = subprocess.run(args + [f"http://127.0.0.1:{srv.port}/api/r"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    return p.returncode, json.loads(p.stdout.decode())


@pytest.mark.parametrize("names,rc,states", [
    ((), 0, {}),
    (("X-Shown",), 0, {"X-Shown": "readable"}),
    (("Content-Length",), 0, {"Content-Length": "readable"}),      # safelisted
    (("X-Hidden",), 1, {"X-Hidden": "not-exposed"}),
    (("X-Shown", "X-Hidden"), 1, {"X-Shown": "readable", "X-Hidden": "not-exposed"}),
    (("X-Absent",), 1, {}),
])
def test_read_header_exit(srv, names, rc, states):
    got_rc, doc = check(srv, PAGE, *names)
    assert doc["verdict"] == "allowed", doc
    assert got_rc == rc, doc
    for name, state in states.items():
        assert doc["read_headers"][name] == state, doc
    if "X-Absent" in names:
        assert doc["read_headers"]["X-Absent"] != "readable", doc


def test_blocked_exit(srv):
    rc, doc = check(srv, "https://evil.example", "X-Shown")
    assert rc == 1 and doc["verdict"] == "blocked", doc
