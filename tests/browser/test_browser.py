# SPDX-License-Identifier: Apache-2.0
"""Browser tests: mod_cors seen from fetch() in Debian's chromium.

One httpd (app.conf + mod_cors.conf) serves every case; one run of run-cases.mjs opens
chromium once and runs them all (browser_cases.CASES); each case is one test here.

    make browser                      (installs chromium / playwright-core when missing)
    /usr/bin/python3 -m pytest -q tests/browser
"""

import pytest

import browser_cases as bc


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    srv = bc.make_server(tmp_path_factory.mktemp("browser"), "mod_cors")
    srv.start()
    try:
        srv.check_log(allow=bc.LOG_ALLOW)   # startup: only the expected 'patch' warning
        results = bc.run_browser(srv)
        yield srv, results
    finally:
        srv.stop()
    srv.check_log(allow=bc.LOG_ALLOW)       # shutdown: no crash signs


@pytest.mark.parametrize("case", bc.CASES, ids=bc.CASE_IDS)
def test_case(run, case):
    srv, results = run
    problems = bc.evaluate(case, results, srv)
    assert not problems, (f"{case.title}: expected {case.expect}\n  "
                          + "\n  ".join(problems)
                          + f"\n(all results: {srv.root}/results.json; httpd: {srv.root}/logs)")


def test_error_log(run):
    """Nothing but the errors the cases cause on purpose (the broken CGI)."""
    srv, _ = run
    srv.check_log(allow=bc.LOG_ALLOW)
