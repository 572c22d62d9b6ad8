# SPDX-License-Identifier: Apache-2.0
"""The admin's tools: CORSEngine ReportOnly, apache2 -t -D DUMP_CORS, and the startup lint."""

import re

import pytest

from accesslog import assert_logged
from httpd_harness import Httpd, serve

ORIGIN = "https://app.example.com"
EVIL = "https://evil.example"

# The same server twice: once with mod_cors in ReportOnly, once without mod_cors at all.
# ReportOnly must leave every response byte-identical (Date aside).
REPORT_POLICY = """
<Location "/api/">
    CORSAllowOrigin https://app.example.com
    CORSAllowMethods PUT DELETE
    CORSAllowHeaders Content-Type X-Request-ID
    CORSExposeHeaders X-Total-Count
    CORSAllowCredentials On
    CORSMaxAge 600
    CORSEngine ReportOnly
</Location>
"""
BACKEND_HEADER = """
<Location "/api/backend/">
    Header always set Access-Control-Allow-Origin "*"
</Location>
"""
FILES = {
    "htdocs/api/r.json": '{"ok": true}\n',
    "htdocs/api/backend/b.json": '{"backend": true}\n',
}

REQUESTS = [
    ("preflight allowed", "OPTIONS", "/api/r.json",
     {"Origin": ORIGIN, "Access-Control-Request-Method": "PUT",
      "Access-Control-Request-Headers": "content-type"}),
    ("preflight denied origin", "OPTIONS", "/api/r.json",
     {"Origin": EVIL, "Access-Control-Request-Method": "PUT"}),
    ("preflight denied method", "OPTIONS", "/api/r.json",
     {"Origin": ORIGIN, "Access-Control-Request-Method": "PURGE"}),
    ("actual allowed", "GET", "/api/r.json", {"Origin": ORIGIN}),
    ("actual denied", "GET", "/api/r.json", {"Origin": EVIL}),
    ("no origin", "GET", "/api/r.json", {}),
    ("404 allowed", "GET", "/api/missing", {"Origin": ORIGIN}),
    ("backend header", "GET", "/api/backend/b.json", {"Origin": ORIGIN}),
]
EXPECTED_NOTES = ["preflight-ok", "preflight-denied-origin", "preflight-denied-method",
                  "allowed", "denied-origin", "no-origin", "allowed", "allowed"]


def _comparable(resp):
    """Status, headers in order and body; Date dropped, and Allow compared as a set (httpd
    lists its methods in hash order, which differs from one server process to another)."""
    headers = []
    for k, v in resp.headers:
        if k.lower() == "date":
            continue
        if k.lower() == "allow":
            v = ",".join(sorted(v.split(",")))
        headers.append((k, v))
    return resp.status, headers, resp.body


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("report"), REPORT_POLICY + BACKEND_HEADER,
               files=FILES, modules=("headers",)) as with_cors:
        # the same files (so the same ETag and Last-Modified), without mod_cors
        same_docroot = (f'DocumentRoot "{with_cors.docroot}"\n'
                        f'<Directory "{with_cors.docroot}">\n  Require all granted\n'
                        '</Directory>\n' + BACKEND_HEADER)
        with serve(tmp_path_factory.mktemp("plain"), same_docroot, modules=("headers",),
                   with_cors=False) as without:
            yield with_cors, without


@pytest.mark.parametrize("name,method,path,headers", REQUESTS, ids=[r[0] for r in REQUESTS])
def test_report_only_leaves_response_byte_identical(pair, name, method, path, headers):
    with_cors, without = pair
    got = with_cors.request(method, path, headers=headers)
    plain = without.request(method, path, headers=headers)
    assert _comparable(got) == _comparable(plain), f"{name}:\n{got}\n---\n{plain}"


def test_report_only_writes_the_note_for_each_request(pair):
    with_cors, _ = pair
    for (_, method, path, headers), note in zip(REQUESTS, EXPECTED_NOTES):
        r = with_cors.request(method, path, headers=headers)
        # httpd writes the line after the response: wait for it, in any order
        assert_logged(with_cors, f"{method} {path} {r.status} cors={note}")


def test_report_only_logs_why_a_request_would_be_denied(pair):
    with_cors, _ = pair
    with_cors.mark_log()
    with_cors.request("OPTIONS", "/api/r.json",
                      headers={"Origin": ORIGIN, "Access-Control-Request-Method": "PURGE"})
    with_cors.request("GET", "/api/r.json", headers={"Origin": EVIL})
    text = "\n".join(with_cors.new_log_lines())
    assert re.search(r"\[cors:debug\].*preflight denied: method 'PURGE' not allowed", text), text
    assert re.search(r"\[cors:debug\].*request denied: origin 'https://evil.example' not allowed",
                     text), text


# ---------------------------------------------------------------------------------------
# apache2 -t -D DUMP_CORS

DUMP_CONF = """
CORSAllowOrigin https://site.example.com
CORSMaxAge 300
<Location "/api/">
    CORSAllowOrigin https://app.example.com https://*.example.org
    CORSAllowOriginMatch "^https://[a-z]+\\.example\\.net$"
    CORSAllowMethods PUT DELETE
    CORSAllowHeaders Content-Type
    CORSAllowCredentials On
</Location>
<Directory "${DOCROOT}/static">
    CORSAllowOrigin *
    CORSEngine ReportOnly
</Directory>
<Location "/plain/">
    Require all granted
</Location>
"""


def _dump(tmp_path, conf):
    srv = Httpd(tmp_path, conf)
    import subprocess
    p = subprocess.run(srv._base_cmd() + ["-t", "-D", "DUMP_CORS"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30)
    return srv, p.returncode, p.stdout.decode(), p.stderr.decode()


def _section(out, header_re):
    """The indented lines under the first dump header that matches header_re."""
    lines = out.splitlines()
    for i, ln in enumerate(lines):
        if re.search(header_re, ln):
            body = {}
            for sub in lines[i + 1:]:
                if not sub.startswith("    "):
                    break
                key, _, value = sub.strip().partition(":")
                body[key] = value.strip()
            return ln, body
    raise AssertionError(f"no section matching {header_re!r} in:\n{out}")


def test_dump_cors_lists_every_scope_with_its_effective_policy(tmp_path):
    srv, rc, out, err = _dump(tmp_path, DUMP_CONF)
    assert rc == 0, err
    conf_lines = srv.conf_path.read_text().splitlines()
    api_line = next(i + 1 for i, ln in enumerate(conf_lines)
                    if "CORSAllowOrigin https://app.example.com" in ln)

    header, api = _section(out, r'^<Location "?/api/"?>')
    assert f"httpd.conf:{api_line})" in header, header
    assert set(api["CORSAllowOrigin"].split()) == {
        "https://app.example.com", "https://*.example.org"}, api
    assert api["CORSAllowOriginMatch"] == "^https://[a-z]+\\.example\\.net$", api
    assert api["CORSAllowMethods"] == "PUT, DELETE"
    assert api["CORSAllowHeaders"] == "Content-Type"
    assert api["CORSAllowCredentials"] == "On"
    assert api["CORSMaxAge"] == "300"          # inherited from the server config
    assert api["CORSEngine"] == "(unset: On)"
    assert api["CORSExposeHeaders"] == "(unset: none)"
    assert api["CORSPreflightStatus"] == "(unset: 204)"

    _, static = _section(out, r"^<Directory .*/static")
    assert static["CORSAllowOrigin"] == "*"
    assert static["CORSEngine"] == "ReportOnly"
    assert static["CORSAllowCredentials"] == "(unset: Off)"

    _, server = _section(out, r"^server config")
    assert server["CORSAllowOrigin"] == "https://site.example.com"

    assert "/plain/" not in out               # no CORS directive there


DUMP_ALL_CONF = """
<Location "/all/">
    CORSAllowOrigin https://app.example.com
    CORSAllowOriginMatch "^https://[a-z]+\\.example\\.net$"
    CORSAllowMethods PUT
    CORSAllowHeaders X-One
    CORSExposeHeaders X-Two
    CORSAllowCredentials On
    CORSMaxAge 60
    CORSAllowPrivateNetwork On
    CORSPreflightStatus 200
    CORSPreflightContinue On
    CORSBackendHeaders keep
    CORSEngine ReportOnly
</Location>
<Location "/if/">
    <If "%{HTTP_HOST} == 'if.example'">
        CORSAllowOrigin https://inside-if.example.com
    </If>
</Location>
"""


def _module_directives(srv):
    """Every directive mod_cors registers, as `apache2 -L` lists them."""
    import subprocess
    p = subprocess.run(srv._base_cmd() + ["-L"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=30)
    names, module = [], None
    for ln in p.stdout.decode().splitlines():
        if ln and not ln[0].isspace():
            module = ln.split()[0]
            if module.startswith("CORS"):
                names.append(module)
    return names


@pytest.mark.log_allow(r"CORSAllowPrivateNetwork", r"CORS0\d+")
def test_dump_cors_shows_every_directive_and_if_sections(tmp_path):
    srv, rc, out, err = _dump(tmp_path, DUMP_ALL_CONF)
    assert rc == 0, err
    directives = _module_directives(srv)
    assert len(directives) >= 12, directives
    _, all_ = _section(out, r'^<Location "?/all/"?>')
    assert sorted(all_) == sorted(directives), (all_, directives)
    expected = {
        "CORSAllowOrigin": "https://app.example.com",
        "CORSAllowOriginMatch": "^https://[a-z]+\\.example\\.net$",
        "CORSAllowMethods": "PUT", "CORSAllowHeaders": "X-One",
        "CORSExposeHeaders": "X-Two", "CORSAllowCredentials": "On",
        "CORSMaxAge": "60", "CORSAllowPrivateNetwork": "On",
        "CORSPreflightStatus": "200", "CORSPreflightContinue": "On",
        "CORSBackendHeaders": "keep", "CORSEngine": "ReportOnly",
    }
    for name, value in expected.items():
        assert all_[name] == value, (name, all_)
    # a policy inside <If> is part of the dump too
    header, inside = _section(out, r"^<If ")
    assert inside["CORSAllowOrigin"] == "https://inside-if.example.com", (header, inside)


def test_dump_cors_is_silent_without_the_define(tmp_path):
    srv = Httpd(tmp_path, DUMP_CONF)
    rc, out = srv.configtest()
    assert rc == 0, out
    assert "CORS policies" not in out


# ---------------------------------------------------------------------------------------
# Startup lint: warnings naming file and line, in configtest and in the error log

LINT_CASES = [
    ("CORSAllowOrigin https://app.example.com\nCORSMaxAge 86400",
     r"CORSMaxAge: 86400: Chromium caps the preflight cache at 7200 seconds"),
    ('CORSAllowOriginMatch "^https://app.example.com$"',
     r"CORSAllowOriginMatch: '\^https://app\.example\.com\$' has a '\.' that matches any "
     r"character \(it matches https://appxexample\.com\)"),
    ("CORSAllowOrigin https://app.example.com\nCORSAllowMethods GET patch",
     r"CORSAllowMethods: method 'patch' is kept as written.*did you mean 'PATCH'"),
    ("CORSAllowOrigin http://app.example.com\nCORSAllowCredentials On",
     r"CORSAllowCredentials: plain-http origin 'http://app.example.com' is allowed with "
     r"credentials"),
    # a regex that admits its own site on plain http, either order
    ('CORSAllowOriginMatch "https?://app\\.example\\.com"\nCORSAllowCredentials On',
     r"CORSAllowCredentials: plain-http origin 'http://app.example.com' is allowed with "
     r"credentials"),
    ('CORSAllowCredentials On\nCORSAllowOriginMatch "^(https|http)://[a-z]+\\.example\\.com$"',
     r"CORSAllowOriginMatch: plain-http origin 'http://app.example.com' is allowed with "
     r"credentials"),
    ("CORSAllowMethods PUT",
     r"CORS0002: .*httpd.conf:\d+: CORS directives in <Location \"?/lint/\"?> have no effect"),
    ('CORSAllowOriginMatch "https://.*"',
     r"CORSAllowOriginMatch: 'https://\.\*' matches the origin of any site \(such as "
     r"https://evil\.example\)"),
    ('CORSAllowOriginMatch "https://.*example\\.com"',
     r"CORSAllowOriginMatch: 'https://\.\*example\\\\\.com' matches "
     r"https://evilexample\.com"),
    ("CORSAllowOrigin https://app.example.com\nCORSAllowPrivateNetwork On",
     r"CORSAllowPrivateNetwork: Chrome has replaced Private Network Access preflights with "
     r"the Local Network Access permission"),
]
QUIET_CASES = [
    "CORSAllowOrigin https://app.example.com\nCORSMaxAge 7200",
    'CORSAllowOriginMatch "^https://app\\.example\\.com$"',
    'CORSAllowOriginMatch "^https://[a-z]+\\.example\\.com$"',
    'CORSAllowOriginMatch "https://[a-z0-9-]+\\.example\\.com"\nCORSAllowCredentials On',
    'CORSAllowOriginMatch "https://(app|www)\\.example\\.com"\nCORSAllowCredentials On',
    'CORSAllowOriginMatch "https://[a-z]+\\.example\\.com:8443"',
    "CORSAllowOrigin http://localhost:3000 http://127.0.0.1:8080\nCORSAllowCredentials On",
    'CORSAllowOriginMatch "https?://localhost:[0-9]+"\nCORSAllowCredentials On',
    'CORSAllowOriginMatch "https?://app\\.example\\.com"',
    "CORSAllowOrigin https://app.example.com\nCORSAllowMethods PATCH put",
]


def _scoped(body):
    return '<Location "/lint/">\n' + body + "\n</Location>\n"


def _line_of(srv, needle):
    lines = srv.conf_path.read_text().splitlines()
    return next(i + 1 for i, ln in enumerate(lines) if needle in ln)


@pytest.mark.parametrize("body,warning", LINT_CASES, ids=[c[1][:40] for c in LINT_CASES])
def test_lint_warns_in_configtest_with_file_and_line(tmp_path, body, warning):
    srv = Httpd(tmp_path, _scoped(body))
    rc, out = srv.configtest()
    assert rc == 0, out
    assert "Syntax OK" in out
    m = re.search(r"\[cors:warn\].*?(httpd\.conf:(\d+)).*", out)
    assert m and re.search(warning, out), out
    # the line named is the directive's own (or, for CORS0002, the scope's first directive)
    last_directive = body.splitlines()[-1].split()[0]
    assert int(m.group(2)) in (_line_of(srv, last_directive), _line_of(srv, body.split()[0])), out


@pytest.mark.parametrize("body,warning", LINT_CASES[:2], ids=["max-age", "regex-dot"])
def test_lint_warns_once_in_the_error_log_at_start(make_server, tmp_path, body, warning):
    srv = make_server(_scoped(body))
    srv.check_log(allow=[warning])
    lines = [ln for ln in srv.error_log().splitlines() if "[cors:warn]" in ln]
    assert len(lines) == 1 and re.search(warning, lines[0]), lines


@pytest.mark.parametrize("body", QUIET_CASES)
def test_lint_is_quiet_for_good_configurations(tmp_path, body):
    srv = Httpd(tmp_path, _scoped(body))
    rc, out = srv.configtest()
    assert rc == 0, out
    assert "[cors:" not in out, out


def test_lint_in_htaccess_is_debug_only(make_server):
    conf = """
<Directory "${DOCROOT}/ht">
    AllowOverride FileInfo
</Directory>
"""
    srv = make_server(conf, files={
        "htdocs/ht/.htaccess": "CORSAllowOrigin https://app.example.com\nCORSMaxAge 86400\n",
        "htdocs/ht/a.txt": "a\n"})
    r = srv.request("GET", "/ht/a.txt", headers={"Origin": ORIGIN})
    assert r.status == 200
    assert r.get("Access-Control-Allow-Origin") == ORIGIN
    text = srv.error_log()
    assert re.search(r"\[cors:debug\].*\.htaccess:2: CORSMaxAge: 86400: Chromium caps", text), text
    assert "[cors:warn]" not in text
