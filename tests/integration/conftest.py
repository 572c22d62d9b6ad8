# SPDX-License-Identifier: Apache-2.0
"""pytest configuration for the mod_cors integration tests.

Run with Debian's Python (the `python3` on PATH may have no pytest):

    /usr/bin/python3 -m pytest -q tests/integration

Guidance for test modules
-------------------------
* Starting httpd costs time and `make test` must stay under 10 minutes on 2 cores.  A test
  MODULE should start ONE module-scoped server whose configuration holds many <Location> /
  <Directory> scopes (one per policy), and its tests should use distinct paths:

      from httpd_harness import Httpd, Response, serve, assert_no_cors

      @pytest.fixture(scope="module")
      def srv(tmp_path_factory):
          with serve(tmp_path_factory.mktemp("preflight"), CONF, files=FILES) as s:
              yield s

  `serve` starts the server, fails on [warn]/[error] lines in the startup log (pass
  startup_allow=[regex, ...] when a warning is expected), and stops it at the end.
* Use the function-scoped `make_server(conf, **kw)` factory only for a configuration that
  cannot share a server (a different MPM, a startup warning under test, ...).  It creates the
  server in tmp_path, starts it, and on teardown runs check_log() and stop().
* The autouse fixture `_error_log_discipline` marks the error log of every running server
  before each test and runs check_log() after it.  A test that expects [warn]/[error] lines
  declares them with `@pytest.mark.log_allow(r"regex", ...)`, or calls
  `srv.check_log(allow=[...])` itself (check_log moves the mark, so the later automatic check
  only sees what came after).
* The tests need .libs/mod_cors.so: run `make` first.  Without it every server
  that loads mod_cors fails with a message saying so (the tests fail, they are not skipped).
"""

import pathlib
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "lib"))     # httpd_harness

from httpd_harness import Httpd, MOD_CORS_SO, running_servers  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "log_allow(*regexes): error-log lines ([warn]/[error]) the test expects")


def pytest_report_header(config):
    state = "present" if MOD_CORS_SO.exists() else "MISSING: run `make` in the repository"
    return f"mod_cors: {MOD_CORS_SO} ({state})"


@pytest.fixture
def make_server(tmp_path, request):
    """Factory: make_server(conf, **Httpd kwargs) -> started Httpd in tmp_path (or
    tmp_path/<n> for the second and later servers).  Teardown: check_log(), then stop()."""
    servers = []

    def factory(conf, *, start=True, **kw):
        wd = tmp_path if not servers else tmp_path / f"srv{len(servers)}"
        if not MOD_CORS_SO.exists() and kw.get("with_cors", True):
            pytest.fail(f"{MOD_CORS_SO} does not exist: run `make` in the repository first")
        s = Httpd(wd, conf, **kw)
        servers.append(s)
        if start:
            s.start()
        return s

    yield factory
    allow = [a for m in request.node.iter_markers("log_allow") for a in m.args]
    errors = []
    for s in servers:
        try:
            if s.proc is not None:
                s.check_log(allow=allow)
        except AssertionError as e:
            errors.append(str(e))
        finally:
            s.stop()
    if errors:
        pytest.fail("\n".join(errors))


@pytest.fixture(autouse=True)
def _error_log_discipline(request):
    allow = []
    for m in request.node.iter_markers("log_allow"):
        allow.extend(m.args)
    servers = running_servers()
    for s in servers:
        s.mark_log()
    yield
    # servers started inside the test (make_server) are checked by make_server itself;
    # here: the ones that were already running when the test began.
    errors = []
    for s in servers:
        if s.is_running():
            try:
                s.check_log(allow=allow)
            except AssertionError as e:
                errors.append(str(e))
    if errors:
        pytest.fail("\n".join(errors))
