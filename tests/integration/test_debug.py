# SPDX-License-Identifier: Apache-2.0
"""CORSDebug: the CORS-Debug response header that explains a decision.

One server (module scope) with a scope per case: the exact header for every note and reason,
on preflights (204/403 unchanged) and on 2xx/4xx/5xx, CGI, proxy and ErrorDocument responses,
over HTTP/1.1 and HTTP/2; never when the expression is false, and then the response is the
same as without CORSDebug; expressions on a request header and on the client address;
.htaccess; configuration errors and the startup warning for expressions true for everyone.
"""

import subprocess

import pytest

from httpd_harness import Httpd, cgi_script, serve
from test_http2 import curl, h2c_unavailable

APP = "https://app.example.com"
B = "https://b.example.com"
EVIL = "https://evil.example"
SECRET = {"X-CORS-Debug": "secret"}

H2_UNAVAILABLE = h2c_unavailable()

CONF = r"""
<IfModule http2_module>
    Protocols h2c http/1.1
    H2Direct on
</IfModule>

# ---- the main policy: debug for a secret request header ---------------------------------
<Directory "${DOCROOT}/d">
    CORSAllowOrigin https://app.example.com https://b.example.com
    CORSAllowMethods GET POST PATCH
    CORSAllowHeaders Content-Type X-Request-ID
    CORSDebug "%{HTTP:X-CORS-Debug} == 'secret'"
    Options +ExecCGI
    AddHandler cgi-script .cgi
    ErrorDocument 404 /d/err.html
</Directory>
<Files "forbidden.txt">
    Require all denied
</Files>
<Directory "${DOCROOT}/d/off">
    CORSDebug Off
</Directory>

# ---- the client's address: loopback always, a documentation network never --------------
<Location "/ip/">
    CORSAllowOrigin https://ip.example
    CORSDebug -R '127.0.0.0/8'
</Location>
<Location "/ipno/">
    CORSAllowOrigin https://ip.example
    CORSDebug "-R '192.0.2.0/24'"
</Location>

# ---- '*' and credentials brought together by merging ------------------------------------
<Directory "${DOCROOT}/m">
    CORSAllowOrigin *
    CORSDebug "-R '127.0.0.0/8'"
</Directory>
<Directory "${DOCROOT}/m/cred">
    CORSAllowCredentials On
</Directory>

# ---- ReportOnly -----------------------------------------------------------------------------
<Directory "${DOCROOT}/ro">
    CORSAllowOrigin https://ro.example
    CORSEngine ReportOnly
    CORSDebug "-R '127.0.0.0/8'"
</Directory>

# ---- CORSPreflightContinue: the handler answers, the filter adds the header ------------
<Directory "${DOCROOT}/cont">
    CORSAllowOrigin https://cont.example
    CORSPreflightContinue On
    CORSDebug "-R '127.0.0.0/8'"
</Directory>

# ---- .htaccess ------------------------------------------------------------------------------
<Directory "${DOCROOT}/ht">
    AllowOverride FileInfo
</Directory>
<Directory "${DOCROOT}/htbad">
    AllowOverride FileInfo
</Directory>

# ---- mod_proxy: a backend that sends its own CORS-Debug ---------------------------------
<VirtualHost 127.0.0.1:${PORT2}>
    DocumentRoot "${SERVERROOT}/backend"
    <Directory "${SERVERROOT}/backend">
        Require all granted
    </Directory>
    Header always set Access-Control-Allow-Origin "*"
    Header always set CORS-Debug "from-the-backend"
</VirtualHost>
<Location "/px/">
    ProxyPass "http://127.0.0.1:${PORT2}/"
    CORSAllowOrigin https://px.example
    CORSDebug "%{HTTP:X-CORS-Debug} == 'secret'"
</Location>
<Location "/pxdown/">
    ProxyPass "http://127.0.0.1:1/"
    CORSAllowOrigin https://px.example
    CORSDebug "%{HTTP:X-CORS-Debug} == 'secret'"
</Location>
"""


HTACCESS = ("# a policy in .htaccess\n"
            "\n"
            "CORSAllowOrigin https://ht.example\n"
            "CORSDebug \"%{HTTP:X-CORS-Debug} == 'secret'\"\n")

FILES = {
    "htdocs/d/r.txt": "d\n",
    "htdocs/d/err.html": "d-404-page\n",
    "htdocs/d/forbidden.txt": "no\n",
    "htdocs/d/plain.cgi": cgi_script(["Content-Type: text/plain", "X-Cgi: 1"], "cgi body\n"),
    "htdocs/d/own.cgi": cgi_script(["Content-Type: text/plain", "CORS-Debug: from-the-cgi"],
                                   "cgi body\n"),
    "htdocs/d/s500.cgi": cgi_script(["Status: 500 Script Says No", "Content-Type: text/plain"],
                                    "script error\n"),
    "htdocs/d/off/r.txt": "off\n",
    "htdocs/ip/r.txt": "ip\n",
    "htdocs/ipno/r.txt": "ipno\n",
    "htdocs/m/cred/r.txt": "m\n",
    "htdocs/ro/r.txt": "ro\n",
    "htdocs/cont/r.txt": "cont\n",
    "htdocs/ht/.htaccess": HTACCESS,
    "htdocs/ht/r.txt": "ht\n",
    "htdocs/htbad/.htaccess": "CORSAllowOrigin https://ht.example\nCORSDebug \"(bad\"\n",
    "htdocs/htbad/r.txt": "htbad\n",
    "backend/x.txt": "backend\n",
}

MODULES = ["cgid", "headers", "proxy", "proxy_http"] + (["http2"] if H2_UNAVAILABLE is None else [])


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("debug"), CONF, files=FILES, modules=MODULES) as s:
        yield s


def defined_at(srv, text, path=None):
    """'file:line' of the (only) line of the configuration file holding text."""
    path = path or srv.conf_path
    lines = [i + 1 for i, ln in enumerate(path.read_text().splitlines()) if text in ln]
    assert len(lines) == 1, (text, lines)
    return f"{path}:{lines[0]}"


def policy_d(srv):
    return defined_at(srv, "CORSAllowOrigin https://app.example.com https://b.example.com")


def debug_header(r):
    """The one CORS-Debug header of the response (it must be there exactly once)."""
    values = r.get_all("CORS-Debug")
    assert len(values) == 1, f"CORS-Debug {len(values)} times\n{r}"
    return values[0]


def preflight(srv, path, origin, method, req_headers=None, debug=True):
    return srv.preflight(path, origin, method, req_headers, extra=SECRET if debug else None)


def get(srv, path, origin=None, debug=True, method="GET"):
    hdrs = [("Origin", origin)] if origin else []
    if debug:
        hdrs += list(SECRET.items())
    return srv.request(method, path, hdrs)


D_ORIGINS = 'allowed="https://app.example.com, https://b.example.com"'
D_METHODS = 'allowed="GET, POST, PATCH"'
D_HEADERS = 'allowed="Content-Type, X-Request-ID"'


# ---- every note and reason, on a preflight ----------------------------------------------------

PREFLIGHTS = {
    # id: (origin, method, request headers, status, the header before '; policy=')
    "ok": (APP, "PATCH", "content-type,x-request-id", 204, "preflight-ok"),
    "origin": (EVIL, "GET", None, 403,
               f'preflight-denied-origin; origin="{EVIL}"; {D_ORIGINS}; reason=not-allowed'),
    "origin-invalid": ("https://APP.example.com", "GET", None, 403,
                       'preflight-denied-origin; origin="https://APP.example.com"; '
                       f"{D_ORIGINS}; reason=invalid"),
    "method": (APP, "DELETE", None, 403,
               f'preflight-denied-method; method="DELETE"; {D_METHODS}; reason=not-allowed'),
    "method-case": (APP, "patch", None, 403,
                    f'preflight-denied-method; method="patch"; {D_METHODS}; reason=case'),
    "method-list": (APP, "GET, PATCH", None, 403,
                    f'preflight-denied-method; method="GET, PATCH"; {D_METHODS}; '
                    "reason=not-allowed"),
    "header": (APP, "GET", "content-type,x-secret", 403,
               f'preflight-denied-headers; header="x-secret"; {D_HEADERS}; reason=not-allowed'),
    "header-malformed": (APP, "GET", "content-type,x(y)", 403,
                         f'preflight-denied-headers; header="x(y)"; {D_HEADERS}; '
                         "reason=malformed"),
    "headers-too-long": (APP, "GET", ",".join(["content-type"] * 65), 403,
                         f"preflight-denied-headers; {D_HEADERS}; reason=too-long; "
                         'limit="64 names, 4096 bytes"'),
}


@pytest.mark.parametrize("case", PREFLIGHTS, ids=list(PREFLIGHTS))
def test_preflight_explained(srv, case):
    origin, method, acrh, status, expect = PREFLIGHTS[case]
    r = preflight(srv, "/d/r.txt", origin, method, acrh)
    assert r.status == status, r
    assert debug_header(r) == f'{expect}; policy="{policy_d(srv)}"', r


@pytest.mark.parametrize("case", PREFLIGHTS, ids=list(PREFLIGHTS))
def test_preflight_without_debug_is_unchanged(srv, case):
    """The same preflight without the secret: no CORS-Debug, and otherwise the same
    response, header for header."""
    origin, method, acrh, status, _ = PREFLIGHTS[case]
    with_debug = preflight(srv, "/d/r.txt", origin, method, acrh)
    without = preflight(srv, "/d/r.txt", origin, method, acrh, debug=False)
    assert without.status == with_debug.status == status
    assert not without.has("CORS-Debug"), without
    assert comparable(without) == comparable(with_debug, drop=("CORS-Debug",))


def comparable(r, drop=()):
    skip = {"date", *(d.lower() for d in drop)}
    return r.status, [(k, v) for k, v in r.headers if k.lower() not in skip], r.body


def test_client_values_are_escaped_and_cut(srv):
    hostile = 'https://e"v\\il\xe9.example'
    r = preflight(srv, "/d/r.txt", hostile, "GET")
    assert r.status == 403
    assert debug_header(r).startswith(
        'preflight-denied-origin; origin="https://e\\"v\\\\il?.example"; '), r
    long_origin = "https://" + "a" * 300 + ".example"     # a DNS label over 63: invalid
    r = get(srv, "/d/r.txt", long_origin)
    assert r.status == 200
    assert debug_header(r) == (f'denied-origin; origin="{long_origin[:128]}..."; {D_ORIGINS}; '
                               f'reason=invalid; policy="{policy_d(srv)}"'), r
    r = preflight(srv, "/d/r.txt", APP, "GET", "content-type," + "x" * 200)
    assert debug_header(r).startswith(f'preflight-denied-headers; header="{"x" * 128}..."; ')


# ---- actual requests and every kind of response -------------------------------------------------

def test_actual_notes(srv):
    at = f'policy="{policy_d(srv)}"'
    r = get(srv, "/d/r.txt", APP)
    assert r.status == 200 and r.get("Access-Control-Allow-Origin") == APP, r
    assert debug_header(r) == f"allowed; {at}"
    r = get(srv, "/d/r.txt", EVIL)
    assert r.status == 200 and not r.cors_headers(), r
    assert debug_header(r) == (f'denied-origin; origin="{EVIL}"; {D_ORIGINS}; '
                               f"reason=not-allowed; {at}")
    r = get(srv, "/d/r.txt", "null")
    assert debug_header(r) == f'denied-origin; origin="null"; {D_ORIGINS}; reason=not-allowed; {at}'
    r = get(srv, "/d/r.txt")
    assert r.status == 200 and debug_header(r) == f"no-origin; {at}", r


def test_actual_without_debug_is_unchanged(srv):
    for origin in (APP, EVIL, None):
        with_debug = get(srv, "/d/r.txt", origin)
        without = get(srv, "/d/r.txt", origin, debug=False)
        assert not without.has("CORS-Debug"), without
        assert comparable(without) == comparable(with_debug, drop=("CORS-Debug",))


def test_wrong_secret_gets_nothing(srv):
    r = srv.request("GET", "/d/r.txt", {"Origin": EVIL, "X-CORS-Debug": "Secret"})
    assert r.status == 200 and not r.has("CORS-Debug"), r
    r = srv.preflight("/d/r.txt", EVIL, "GET", extra={"X-CORS-Debug": "secret2"})
    assert r.status == 403 and not r.has("CORS-Debug"), r


def test_expression_adds_nothing_to_vary(srv):
    """The expression reads X-CORS-Debug, but never adds it to Vary: the response of a
    request it is false for is exactly what it would be without CORSDebug."""
    for r in (get(srv, "/d/r.txt", APP, debug=False), get(srv, "/d/r.txt", APP)):
        assert r.vary_tokens() == ["Origin"], r
    r = preflight(srv, "/d/r.txt", EVIL, "GET", debug=False)
    assert r.vary_tokens() == ["Origin", "Access-Control-Request-Method",
                               "Access-Control-Request-Headers"], r


@pytest.mark.log_allow(r"AH01630")      # client denied by server configuration
def test_4xx(srv):
    r = get(srv, "/d/forbidden.txt", APP)
    assert r.status == 403 and r.get("Access-Control-Allow-Origin") == APP, r
    assert debug_header(r) == f'allowed; policy="{policy_d(srv)}"'
    r = get(srv, "/d/forbidden.txt", EVIL, debug=False)
    assert r.status == 403 and not r.has("CORS-Debug"), r


def test_error_document(srv):
    r = get(srv, "/d/missing.txt", EVIL)
    assert r.status == 404 and r.body == b"d-404-page\n", r
    assert debug_header(r) == (f'denied-origin; origin="{EVIL}"; {D_ORIGINS}; '
                               f'reason=not-allowed; policy="{policy_d(srv)}"')
    without = get(srv, "/d/missing.txt", EVIL, debug=False)
    assert comparable(without) == comparable(r, drop=("CORS-Debug",))


def test_cgi(srv):
    r = get(srv, "/d/plain.cgi", APP)
    assert r.status == 200 and r.body == b"cgi body\n" and r.get("X-Cgi") == "1", r
    assert debug_header(r) == f'allowed; policy="{policy_d(srv)}"'
    # a CGI's own CORS-Debug is replaced: one header, the module's
    r = get(srv, "/d/own.cgi", EVIL)
    assert debug_header(r) == (f'denied-origin; origin="{EVIL}"; {D_ORIGINS}; '
                               f'reason=not-allowed; policy="{policy_d(srv)}"'), r
    # ... and left alone where the expression is false
    r = get(srv, "/d/own.cgi", EVIL, debug=False)
    assert r.get_all("CORS-Debug") == ["from-the-cgi"], r


def test_5xx_cgi(srv):
    r = get(srv, "/d/s500.cgi", B)
    assert r.status == 500 and r.get("Access-Control-Allow-Origin") == B, r
    assert debug_header(r) == f'allowed; policy="{policy_d(srv)}"'


def test_proxy(srv):
    at = f'policy="{location_at(srv, "/px/")}"'
    r = get(srv, "/px/x.txt", "https://px.example")
    assert r.status == 200 and r.body == b"backend\n", r
    assert r.get_all("Access-Control-Allow-Origin") == ["https://px.example"], r
    assert debug_header(r) == f"allowed; {at}"
    r = get(srv, "/px/x.txt", "https://px.example", debug=False)
    assert r.get_all("CORS-Debug") == ["from-the-backend"], r


def location_at(srv, location):
    """'file:line' of the first CORSAllowOrigin in <Location "location">."""
    lines = srv.conf_path.read_text().splitlines()
    start = lines.index(f'<Location "{location}">')
    for i in range(start, len(lines)):
        if lines[i].strip().startswith("CORSAllowOrigin"):
            return f"{srv.conf_path}:{i + 1}"
    raise AssertionError(location)


@pytest.mark.log_allow(r"\[proxy:error\]", r"\[proxy_http:error\]")
def test_5xx_proxy_down(srv):
    r = get(srv, "/pxdown/x.txt", EVIL)
    assert r.status == 503, r
    assert debug_header(r) == ('denied-origin; origin="https://evil.example"; '
                               'allowed="https://px.example"; reason=not-allowed; '
                               f'policy="{location_at(srv, "/pxdown/")}"')


# ---- scopes ---------------------------------------------------------------------------------------

def test_off_below_turns_it_off(srv):
    r = get(srv, "/d/off/r.txt", EVIL)
    assert r.status == 200 and not r.has("CORS-Debug"), r
    r = preflight(srv, "/d/off/r.txt", EVIL, "GET")
    assert r.status == 403 and not r.has("CORS-Debug"), r


def test_client_address(srv):
    at = f'policy="{location_at(srv, "/ip/")}"'
    r = srv.request("GET", "/ip/r.txt", {"Origin": "https://ip.example"})
    assert debug_header(r) == f"allowed; {at}", r
    r = srv.preflight("/ip/r.txt", "https://ip.example", "PUT")
    assert r.status == 403
    assert debug_header(r) == ('preflight-denied-method; method="PUT"; '
                               f'allowed="GET, HEAD, POST"; reason=not-allowed; {at}')
    # a network the client is not in
    for r in (srv.request("GET", "/ipno/r.txt", {"Origin": EVIL}),
              srv.preflight("/ipno/r.txt", EVIL, "GET", extra=SECRET)):
        assert r.status in (200, 403) and not r.has("CORS-Debug"), r


def test_outside_any_policy_nothing(srv):
    r = srv.request("GET", "/backend-less", {"Origin": APP, **SECRET})
    assert r.status == 404 and not r.has("CORS-Debug"), r


def test_merge_conflict(srv):
    at = f'policy="{defined_at(srv, "CORSAllowCredentials On")}"'
    expect = (f'origin="{APP}"; allowed="*"; reason=merged-conflict; '
              f'conflict="CORSAllowOrigin *"; {at}')
    r = srv.request("GET", "/m/cred/r.txt", {"Origin": APP})
    assert r.status == 200 and not r.cors_headers(), r
    assert debug_header(r) == f"denied-origin; {expect}"
    r = srv.preflight("/m/cred/r.txt", APP, "GET")
    assert r.status == 403
    assert debug_header(r) == f"preflight-denied-origin; {expect}"


def test_report_only(srv):
    """ReportOnly writes no CORS header, but the CORS-Debug header still says what would
    have been decided, and that it was only reported."""
    at = f'policy="{defined_at(srv, "CORSAllowOrigin https://ro.example")}"'
    r = srv.request("GET", "/ro/r.txt", {"Origin": EVIL})
    assert r.status == 200 and not r.cors_headers() and not r.has("Vary"), r
    assert debug_header(r) == ('denied-origin; origin="https://evil.example"; '
                               f'allowed="https://ro.example"; reason=not-allowed; {at}; '
                               "report-only")
    r = srv.request("GET", "/ro/r.txt", {"Origin": "https://ro.example"})
    assert not r.cors_headers() and debug_header(r) == f"allowed; {at}; report-only", r
    r = srv.preflight("/ro/r.txt", "https://ro.example", "PUT")
    assert r.status == 200 and not r.cors_headers(), r   # the handler answered
    assert debug_header(r) == ('preflight-denied-method; method="PUT"; '
                               f'allowed="GET, HEAD, POST"; reason=not-allowed; {at}; '
                               "report-only")


def test_preflight_continue(srv):
    at = f'policy="{defined_at(srv, "CORSAllowOrigin https://cont.example")}"'
    r = srv.preflight("/cont/r.txt", "https://cont.example", "GET")
    assert r.status == 200 and r.get("Access-Control-Allow-Origin") == "https://cont.example", r
    assert debug_header(r) == f"preflight-ok; {at}"
    r = srv.preflight("/cont/r.txt", "https://cont.example", "PUT")
    assert r.status == 200 and not r.cors_headers(), r
    assert debug_header(r) == ('preflight-denied-method; method="PUT"; '
                               f'allowed="GET, HEAD, POST"; reason=not-allowed; {at}')


def test_htaccess(srv):
    at = f'policy="{srv.docroot}/ht/.htaccess:3"'
    r = get(srv, "/ht/r.txt", "https://ht.example")
    assert r.status == 200 and debug_header(r) == f"allowed; {at}", r
    r = preflight(srv, "/ht/r.txt", "https://ht.example", "GET", "x-secret")
    assert r.status == 403
    assert debug_header(r) == ('preflight-denied-headers; header="x-secret"; '
                               'allowed="Accept, Accept-Language, Content-Language, '
                               f'Content-Type, Range"; reason=not-allowed; {at}')
    r = get(srv, "/ht/r.txt", "https://ht.example", debug=False)
    assert r.status == 200 and not r.has("CORS-Debug"), r


@pytest.mark.log_allow(r"\[core:alert\].*CORSDebug: '\(bad' is not a valid expression")
def test_htaccess_bad_expression(srv):
    r = get(srv, "/htbad/r.txt", "https://ht.example")
    assert r.status == 500, r
    assert any("CORSDebug: '(bad' is not a valid expression" in ln
               for ln in srv.new_log_lines()), srv.new_log_lines()


# ---- HTTP/2 -------------------------------------------------------------------------------------

def curl_headers(srv, proto, method, path, headers):
    r = curl(srv, proto, method, path, headers)
    return r.status, r.get_all("CORS-Debug")


@pytest.mark.skipif(H2_UNAVAILABLE is not None, reason=H2_UNAVAILABLE or "")
@pytest.mark.parametrize("method,path,headers,status,expect", [
    ("OPTIONS", "/d/r.txt", [("Origin", APP), ("Access-Control-Request-Method", "PUT")], 403,
     f'preflight-denied-method; method="PUT"; {D_METHODS}; reason=not-allowed'),
    ("OPTIONS", "/d/r.txt", [("Origin", APP), ("Access-Control-Request-Method", "POST")], 204,
     "preflight-ok"),
    ("GET", "/d/missing.txt", [("Origin", EVIL)], 404,
     f'denied-origin; origin="{EVIL}"; {D_ORIGINS}; reason=not-allowed'),
    ("GET", "/d/plain.cgi", [("Origin", APP)], 200, "allowed"),
], ids=["preflight-denied", "preflight-ok", "error-document", "cgi"])
def test_http2(srv, method, path, headers, status, expect):
    want = f'{expect}; policy="{policy_d(srv)}"'
    for proto in ("h1", "h2"):
        assert curl_headers(srv, proto, method, path, headers + list(SECRET.items())) \
            == (status, [want]), proto
        assert curl_headers(srv, proto, method, path, headers) == (status, []), proto


# ---- configuration ----------------------------------------------------------------------------

def configtest(tmp_path, directive):
    s = Httpd(tmp_path, f'<Location "/a/">\n    CORSAllowOrigin https://a.example\n'
                        f"    {directive}\n</Location>\n")
    return s.configtest()


@pytest.mark.parametrize("expr,message", [
    ('"(bad"', "'(bad' is not a valid expression"),
    ("%{HTTP:X} = = 'a'", "'%{HTTP:X} = = 'a'' is not a valid expression"),
    ('"-R \'not-an-ip\'"', "'-R 'not-an-ip'' is not a valid expression"),
    ("", "needs Off or an expression"),
], ids=["paren", "operator", "subnet", "empty"])
def test_bad_expression_fails_configtest(tmp_path, expr, message):
    rc, out = configtest(tmp_path, f"CORSDebug {expr}")
    assert rc != 0, out
    assert f"CORSDebug: {message}" in out, out


@pytest.mark.parametrize("expr", ["on", "On", "true", '"true"', "1 == 1", '"\'a\' == \'a\'"',
                                  "!false", "true || -R '10.0.0.0/8'"])
def test_always_true_is_warned_about(tmp_path, expr):
    rc, out = configtest(tmp_path, f"CORSDebug {expr}")
    assert rc == 0, out
    assert "[cors:warn]" in out and "is true for every request" in out, out
    assert "publishes the policy" in out and "to anyone" in out, out


@pytest.mark.parametrize("expr", ["Off", "off", "false", "-R '127.0.0.0/8'",
                                  "\"%{HTTP:X-CORS-Debug} == 'secret'\""])
def test_restricted_is_not_warned_about(tmp_path, expr):
    rc, out = configtest(tmp_path, f"CORSDebug {expr}")
    assert rc == 0 and "Syntax OK" in out and "warn" not in out, out


def test_dump_cors_shows_the_expression(tmp_path):
    s = Httpd(tmp_path, '<Location "/a/">\n    CORSAllowOrigin https://a.example\n'
                        "    CORSDebug -R '127.0.0.0/8'\n</Location>\n"
                        '<Location "/b/">\n    CORSAllowOrigin https://b.example\n</Location>\n'
                        '<Location "/c/">\n    CORSAllowOrigin https://c.example\n'
                        "    CORSDebug off\n</Location>\n")
    p = subprocess.run(s._base_cmd() + ["-t", "-D", "DUMP_CORS"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    shown = [ln.split(":", 1)[1].strip() for ln in p.stdout.splitlines()
             if ln.strip().startswith("CORSDebug:")]
    assert shown == ["-R '127.0.0.0/8'", "(unset: Off)", "Off"], p.stdout
