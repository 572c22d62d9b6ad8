# SPDX-License-Identifier: Apache-2.0
"""CORSAllowOriginMatch regexes tried against the origins CORS scanners send.

At config time each regex is tried against attacker origins made from its own domain text
(https://evilexample.com, https://example.com.evil.example, https://appxexample.com, plain
http, unrelated sites).  With CORSAllowCredentials On in the same scope, in either order, a
match is a configuration error naming the directive, the regex and the origin; without
credentials a startup warning; when merging brings credentials to such a regex, the policy
is refused per request and the reason logged at debug level.

Also here: the startup warning of CORSAllowPrivateNetwork On (Chrome replaced those
preflights with a permission no header grants) and the debug hint for a method whose case
differs from an allowed one ('patch' vs PATCH), which is not given for the six methods
browsers uppercase themselves ('Delete' is sent as DELETE).
"""

import re

import pytest

from accesslog import assert_logged
from cors_policies import debug_lines
from httpd_harness import Httpd, serve
from test_config_errors import expect_error, loc

# (regex, the attacker origin the error must name)
LOOSE = [
    (".*", "https://evil.example"),
    ("https://.*", "https://evil.example"),
    (r"https://.*example\.com", "https://evilexample.com"),
    (r"https://(.*\.)?example\.com.*", "https://example.com.evil.example"),
    (r"https://(.*)?\.example\.com.*", "https://evil.example.com.evil.example"),
    ("https://app.example.com", "https://appxexample.com"),
    (r".*://app\.example\.com", "http://app.example.com"),
]
SAFE = [
    r"https://[a-z0-9-]+\.example\.com",
    r"https://app\.example\.com",
    r"https://(app|www)\.example\.com",
    r"https://[a-z]+\.example\.com:8443",
]


def logged(regex):
    """The regex as httpd's log writes it: backslashes doubled."""
    return regex.replace("\\", "\\\\")


def _ids(cases):
    return [c[0] if isinstance(c, tuple) else c for c in cases]


@pytest.mark.parametrize("regex,attacker", LOOSE, ids=_ids(LOOSE))
def test_loose_regex_then_credentials_is_an_error(tmp_path, regex, attacker):
    msg = expect_error(tmp_path, loc(f'CORSAllowOriginMatch "{regex}"',
                                     "CORSAllowCredentials On"),
                       "CORSAllowCredentials",
                       ["CORSAllowOriginMatch", f"'{logged(regex)}'", attacker])
    assert "credentialed" in msg, msg


@pytest.mark.parametrize("regex,attacker", LOOSE, ids=_ids(LOOSE))
def test_credentials_then_loose_regex_is_an_error(tmp_path, regex, attacker):
    msg = expect_error(tmp_path, loc("CORSAllowCredentials On",
                                     f'CORSAllowOriginMatch "{regex}"'),
                       "CORSAllowOriginMatch", [f"'{logged(regex)}'", attacker,
                                                "CORSAllowCredentials On"])
    assert "credentialed" in msg, msg


def test_loose_regex_among_good_ones_is_an_error(tmp_path):
    """The second regex of a scope is checked as the first is."""
    expect_error(tmp_path, loc(r'CORSAllowOriginMatch "https://[a-z]+\.example\.com"',
                               "CORSAllowOrigin https://a.example",
                               r'CORSAllowOriginMatch "https://.*example\.org"',
                               "CORSAllowCredentials On"),
                 "CORSAllowCredentials",
                 ["'" + logged(r"https://.*example\.org") + "'", "https://evilexample.org"])


@pytest.mark.parametrize("regex", SAFE)
def test_safe_regex_with_credentials_passes_configtest_quietly(tmp_path, regex):
    srv = Httpd(tmp_path, loc(f'CORSAllowOriginMatch "{regex}"', "CORSAllowCredentials On"))
    rc, out = srv.configtest()
    assert rc == 0, out
    assert "Syntax OK" in out, out
    assert "[cors:" not in out, out


# ---- one server: a safe regex with credentials, a loose one without, merging ---------------

CONF = r"""
<Location "/safe/">
    CORSAllowOriginMatch "https://[a-z0-9-]+\.example\.com"
    CORSAllowCredentials On
    CORSAllowMethods PUT
</Location>
<Location "/open/">
    CORSAllowOriginMatch "https://.*"
    CORSAllowOrigin https://good.example
</Location>
<Location "/open/cred/">
    CORSAllowCredentials On
</Location>
<Location "/open/cred/new/">
    CORSAllowOrigin https://good.example
</Location>
<Location "/pna/">
    CORSAllowOrigin https://intranet.example.com
    CORSAllowPrivateNetwork On
</Location>
<Location "/methods/">
    CORSAllowOrigin https://app.example.com
    CORSAllowMethods DELETE PATCH
</Location>
"""

FILES = {f"htdocs/{d}/r": f"{d}\n" for d in
         ("safe", "open", "open/cred", "open/cred/new", "pna", "methods")}

WARN_OPEN = (r"\[cors:warn\].*CORSAllowOriginMatch: 'https://\.\*' matches the origin of any "
             r"site \(such as https://evil\.example\)")
WARN_PNA = (r"\[cors:warn\].*CORSAllowPrivateNetwork: Chrome has replaced Private Network "
            r"Access preflights with the Local Network Access permission")


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("regex"), CONF, files=FILES,
               startup_allow=[WARN_OPEN, WARN_PNA]) as s:
        yield s


def cors_warnings(srv):
    return [ln for ln in srv.error_log().splitlines() if "[cors:warn]" in ln]


def test_safe_regex_with_credentials_works(srv):
    r = srv.preflight("/safe/r", "https://x.example.com", "PUT")
    assert r.status == 204, r
    assert r.get("Access-Control-Allow-Origin") == "https://x.example.com"
    assert r.get("Access-Control-Allow-Credentials") == "true"
    r = srv.request("GET", "/safe/r", {"Origin": "https://app-1.example.com"})
    assert r.status == 200
    assert r.get("Access-Control-Allow-Origin") == "https://app-1.example.com"
    assert r.get("Access-Control-Allow-Credentials") == "true"


@pytest.mark.parametrize("origin", ["https://evilexample.com",
                                    "https://x.example.com.evil.example",
                                    "http://x.example.com", "https://evil.example"])
def test_safe_regex_refuses_scanner_origins(srv, origin):
    r = srv.request("GET", "/safe/r", {"Origin": origin})
    assert r.status == 200
    assert r.get("Access-Control-Allow-Origin") is None, r
    assert r.get("Access-Control-Allow-Credentials") is None, r
    assert srv.access_log_line(r).endswith("cors=denied-origin")


def test_loose_regex_without_credentials_warns_once_with_file_and_line(srv):
    warns = [ln for ln in cors_warnings(srv) if re.search(WARN_OPEN, ln)]
    assert len(warns) == 1, cors_warnings(srv)
    line = next(i for i, ln in enumerate(srv.conf_path.read_text().splitlines(), 1)
                if ln.strip() == 'CORSAllowOriginMatch "https://.*"')
    assert f"{srv.conf_path}:{line}:" in warns[0], warns[0]
    # only the two expected warnings: the safe regex is quiet
    assert all(re.search(WARN_OPEN, ln) or re.search(WARN_PNA, ln)
               for ln in cors_warnings(srv)), cors_warnings(srv)


def test_loose_regex_without_credentials_still_allows(srv):
    r = srv.request("GET", "/open/r", {"Origin": "https://evil.example"})
    assert r.get("Access-Control-Allow-Origin") == "https://evil.example"
    assert r.get("Access-Control-Allow-Credentials") is None


@pytest.mark.parametrize("origin", ["https://evil.example", "https://good.example"])
def test_merged_credentials_refuse_the_loose_policy_per_request(srv, origin):
    """Credentials from an inner scope meet the outer scope's loose regex: the whole
    policy allows nothing (fail closed), and the debug log says why."""
    srv.mark_log()
    r = srv.request("GET", "/open/cred/r", {"Origin": origin})
    assert r.status == 200
    assert r.get("Access-Control-Allow-Origin") is None, r
    assert r.get("Access-Control-Allow-Credentials") is None, r
    assert "Origin" in r.vary_tokens()
    p = srv.preflight("/open/cred/r", origin, "GET")
    assert p.status == 403, p
    assert p.get("Access-Control-Allow-Origin") is None, p
    assert_logged(srv, "GET /open/cred/r 200 cors=denied-origin",
                  "OPTIONS /open/cred/r 403 cors=preflight-denied-origin")
    lines = [ln for ln in debug_lines(srv)
             if "CORSAllowCredentials On" in ln and "CORSAllowOriginMatch" in ln]
    assert len(lines) == 2, srv.new_log_lines()
    for ln in lines:
        assert "'https://.*' matches the origin of any site" in ln, ln
        assert "https://evil.example" in ln, ln
    assert any("request denied" in ln for ln in lines), lines
    assert any("preflight denied" in ln for ln in lines), lines


def test_inner_origins_replace_the_loose_regex(srv):
    """A scope that sets its own origins drops the inherited regex, and its conflict."""
    r = srv.request("GET", "/open/cred/new/r", {"Origin": "https://good.example"})
    assert r.get("Access-Control-Allow-Origin") == "https://good.example"
    assert r.get("Access-Control-Allow-Credentials") == "true"
    r = srv.request("GET", "/open/cred/new/r", {"Origin": "https://evil.example"})
    assert r.get("Access-Control-Allow-Origin") is None, r


# ---- CORSAllowPrivateNetwork On: one startup warning, and it still answers -------------------

def test_private_network_warns_once_at_startup(srv):
    warns = [ln for ln in cors_warnings(srv) if re.search(WARN_PNA, ln)]
    assert len(warns) == 1, cors_warnings(srv)
    assert "no response header" in warns[0], warns[0]
    line = next(i for i, ln in enumerate(srv.conf_path.read_text().splitlines(), 1)
                if ln.strip() == "CORSAllowPrivateNetwork On")
    assert f"{srv.conf_path}:{line}:" in warns[0], warns[0]


def test_private_network_still_answers_older_browsers(srv):
    r = srv.preflight("/pna/r", "https://intranet.example.com", "GET",
                      extra={"Access-Control-Request-Private-Network": "true"})
    assert r.status == 204, r
    assert r.get("Access-Control-Allow-Private-Network") == "true"


def test_private_network_off_is_quiet(tmp_path):
    srv = Httpd(tmp_path, loc("CORSAllowOrigin https://a.example", "CORSAllowPrivateNetwork Off"))
    rc, out = srv.configtest()
    assert rc == 0 and "[cors:" not in out, out


# ---- the method-case hint ------------------------------------------------------------------

def method_denial(srv, method):
    srv.mark_log()
    r = srv.preflight("/methods/r", "https://app.example.com", method)
    assert r.status == 403, r
    assert_logged(srv, "OPTIONS /methods/r 403 cors=preflight-denied-method")
    lines = [ln for ln in debug_lines(srv) if f"method '{method}' not allowed" in ln]
    assert len(lines) == 1, srv.new_log_lines()
    return lines[0]


def test_case_hint_for_a_method_browsers_send_as_written(srv):
    ln = method_denial(srv, "patch")
    assert "case-sensitive" in ln and "uppercase form" in ln, ln


@pytest.mark.parametrize("method", ["Delete", "delete", "Put"])
def test_no_case_hint_for_methods_browsers_uppercase(srv, method):
    ln = method_denial(srv, method)
    assert "case-sensitive" not in ln, ln
    assert "did not come from a browser" in ln, ln


def test_uppercase_forms_are_allowed(srv):
    for m in ("DELETE", "PATCH"):
        r = srv.preflight("/methods/r", "https://app.example.com", m)
        assert r.status == 204, (m, r)


# ---- apache2 -t -D DUMP_CORS shows what a loose regex lets in ----------------------------------

def test_dump_cors_names_the_attacker_origin(tmp_path):
    from test_admin import _dump, _section
    _, rc, out, err = _dump(tmp_path, loc(r'CORSAllowOriginMatch "https://.*example\.com"',
                                          r'CORSAllowOriginMatch "https://[a-z]+\.example\.org"'))
    assert rc == 0, err
    _, body = _section(out, r'^<Location "?/t/"?>')
    assert body["CORSAllowOriginMatch"] == (
        r"https://.*example\.com (matches https://evilexample.com) "
        r"https://[a-z]+\.example\.org"), body
