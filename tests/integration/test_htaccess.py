# SPDX-License-Identifier: Apache-2.0
"""CORS policy in .htaccess files (docs/contract.md, "Directives": OR_FILEINFO, AllowOverrideList;
configuration errors in .htaccess give a 500 and an [core:alert] line; the contract "Scopes and
merging"; docs/shared-hosting.md: .htaccess warnings are logged at debug level only)."""

import re

import pytest

from accesslog import assert_logged
from httpd_harness import Httpd, assert_no_cors, serve, assert_allowed, assert_denied

A = "https://a.example"
B = "https://b.example"
C = "https://c.example"
EVIL = "https://evil.example"

# The contract writes "Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers";
# compared as a token list (order and count), since "," and ", " are the same list.
PREFLIGHT_VARY = ["Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"]

CONF = r"""
<Directory "${DOCROOT}/fi">
    AllowOverride FileInfo
</Directory>
<Directory "${DOCROOT}/none">
    AllowOverride None
</Directory>
<Directory "${DOCROOT}/authcfg">
    AllowOverride AuthConfig
</Directory>
<Directory "${DOCROOT}/list">
    AllowOverride None
    AllowOverrideList CORSAllowOrigin CORSAllowMethods
</Directory>
<Directory "${DOCROOT}/fi/mix">
    CORSAllowOrigin https://a.example
    CORSAllowCredentials On
    CORSExposeHeaders X-Conf
</Directory>
<Location "/fi/locwins/">
    CORSAllowOrigin https://loc.example
</Location>
"""

BAD = {
    # name: (.htaccess, directive, values the [core:alert] line must name)
    "origin-path": ("CORSAllowOrigin https://a.com/x\n", "CORSAllowOrigin", ["https://a.com/x"]),
    "origin-psl": ("CORSAllowOrigin https://*.com\n", "CORSAllowOrigin", ["https://*.com"]),
    "max-age": ("CORSAllowOrigin https://a.example\nCORSMaxAge abc\n", "CORSMaxAge", ["abc"]),
    "star-credentials": ("CORSAllowOrigin *\nCORSAllowCredentials On\n", "CORSAllowCredentials",
                         []),
    "method": ("CORSAllowOrigin https://a.example\nCORSAllowMethods GET TRACE\n",
               "CORSAllowMethods", ["TRACE"]),
    "header": ("CORSAllowOrigin https://a.example\nCORSAllowHeaders X-A Cookie\n",
               "CORSAllowHeaders", ["Cookie"]),
    "expose": ("CORSAllowOrigin https://a.example\nCORSExposeHeaders Set-Cookie\n",
               "CORSExposeHeaders", ["Set-Cookie"]),
    "regex": ('CORSAllowOriginMatch "(bad"\n', "CORSAllowOriginMatch", ["(bad"]),
    "engine": ("CORSEngine maybe\n", "CORSEngine", ["maybe"]),
    "status": ("CORSAllowOrigin https://a.example\nCORSPreflightStatus 201\n",
               "CORSPreflightStatus", ["201"]),
}

FILES = {
    "htdocs/fi/basic/.htaccess": "CORSAllowOrigin https://a.example\nCORSAllowMethods PUT\n"
                                 "CORSAllowHeaders X-A\nCORSMaxAge 60\n",
    "htdocs/fi/basic/r.txt": "basic\n",
    "htdocs/none/.htaccess": "CORSAllowOrigin https://a.example\n",
    "htdocs/none/r.txt": "none\n",
    "htdocs/authcfg/.htaccess": "CORSAllowOrigin https://a.example\n",
    "htdocs/authcfg/r.txt": "authcfg\n",
    "htdocs/list/ok/.htaccess": "CORSAllowOrigin https://a.example\nCORSAllowMethods PUT\n",
    "htdocs/list/ok/r.txt": "list ok\n",
    "htdocs/list/other/.htaccess": "CORSAllowOrigin https://a.example\nCORSAllowHeaders X-A\n",
    "htdocs/list/other/r.txt": "list other\n",
    "htdocs/fi/parent/.htaccess": "CORSAllowOrigin https://a.example https://b.example\n"
                                  "CORSAllowMethods PUT\nCORSExposeHeaders X-P\n",
    "htdocs/fi/parent/r.txt": "parent\n",
    "htdocs/fi/parent/child/.htaccess": "CORSAllowOrigin https://c.example\n",
    "htdocs/fi/parent/child/r.txt": "child\n",
    "htdocs/fi/eng/.htaccess": "CORSAllowOrigin https://a.example\nCORSAllowMethods PUT\n",
    "htdocs/fi/eng/r.txt": "eng\n",
    "htdocs/fi/eng/off/.htaccess": "CORSEngine Off\n",
    "htdocs/fi/eng/off/r.txt": "off\n",
    "htdocs/fi/eng/off/on/.htaccess": "CORSEngine On\n",
    "htdocs/fi/eng/off/on/r.txt": "on\n",
    "htdocs/fi/warn/.htaccess": "CORSAllowOrigin http://plain.example\nCORSAllowCredentials On\n"
                                "CORSAllowMethods patch\n",
    "htdocs/fi/warn/r.txt": "warn\n",
    "htdocs/fi/mix/.htaccess": "CORSAllowOrigin https://b.example\n",
    "htdocs/fi/mix/r.txt": "mix\n",
    "htdocs/fi/mix/star/.htaccess": "CORSAllowOrigin *\n",
    "htdocs/fi/mix/star/r.txt": "star\n",
    "htdocs/fi/locwins/.htaccess": "CORSAllowOrigin https://ht.example\n",
    "htdocs/fi/locwins/r.txt": "locwins\n",
    "htdocs/fi/edit/r.txt": "edit\n",
    # a regex that lets other sites in: judged again on every request (a child keeps the
    # probe's verdict by regex), the answer must never change
    "htdocs/fi/mix/rx/.htaccess": 'CORSAllowOriginMatch "https://.*example\\.com"\n',
    "htdocs/fi/mix/rx/r.txt": "rx\n",
    "htdocs/fi/rxcred/.htaccess": 'CORSAllowCredentials On\n'
                                  'CORSAllowOriginMatch "https://.*example\\.com"\n',
    "htdocs/fi/rxcred/r.txt": "rxcred\n",
    "htdocs/fi/rxok/.htaccess": 'CORSAllowCredentials On\n'
                                'CORSAllowOriginMatch "https://[a-z0-9-]+\\.example\\.com"\n',
    "htdocs/fi/rxok/r.txt": "rxok\n",
}
for _name, (_ht, _d, _v) in BAD.items():
    FILES[f"htdocs/fi/bad-{_name}/.htaccess"] = _ht
    FILES[f"htdocs/fi/bad-{_name}/r.txt"] = "bad\n"


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("htaccess"), CONF, files=FILES) as s:
        yield s


def get(srv: Httpd, path: str, origin: str | None = None):
    return srv.request("GET", path, {"Origin": origin} if origin else None)



def alert_lines(srv: Httpd) -> list[str]:
    return [ln for ln in srv.new_log_lines() if "[core:alert]" in ln]


# ---------------------------------------------------------------------------------------------


def test_fileinfo_actual_request(srv):
    r = get(srv, "/fi/basic/r.txt", A)
    assert_allowed(r, A)
    assert r.body == b"basic\n"
    assert not r.has("Access-Control-Allow-Credentials")
    assert_denied(get(srv, "/fi/basic/r.txt", EVIL))
    r = get(srv, "/fi/basic/r.txt")
    assert_denied(r)
    assert_logged(srv, "GET /fi/basic/r.txt 200 cors=allowed",
                  "GET /fi/basic/r.txt 200 cors=denied-origin",
                  "GET /fi/basic/r.txt 200 cors=no-origin")


def test_fileinfo_preflight(srv):
    r = srv.preflight("/fi/basic/r.txt", A, "PUT", "x-a")
    assert r.status == 204, r
    assert r.body == b""
    assert r.get("Access-Control-Allow-Origin") == A
    assert r.get("Access-Control-Allow-Methods") == "PUT"
    assert r.get("Access-Control-Allow-Headers") == "X-A"
    assert r.get("Access-Control-Max-Age") == "60"
    assert r.vary_tokens() == PREFLIGHT_VARY
    r = srv.preflight("/fi/basic/r.txt", A, "DELETE")
    assert r.status == 403, r
    assert_no_cors(r)


def test_override_none_ignores_htaccess(srv):
    # httpd does not even read .htaccess files under "AllowOverride None" (and no
    # AllowOverrideList): the directive is neither applied nor an error.
    r = get(srv, "/none/r.txt", A)
    assert r.status == 200, r
    assert r.body == b"none\n"
    assert_no_cors(r)
    assert not r.has("Vary"), r
    r = srv.preflight("/none/r.txt", A, "PUT")
    assert r.status == 200, r          # the core's OPTIONS answer
    assert r.has("Allow"), r
    assert_no_cors(r)
    assert alert_lines(srv) == []


@pytest.mark.log_allow(r"\[core:alert\].*authcfg/\.htaccess: CORSAllowOrigin not allowed here")
def test_override_without_fileinfo_gives_500(srv):
    r = get(srv, "/authcfg/r.txt", A)
    assert r.status == 500, r
    assert_no_cors(r)
    alerts = alert_lines(srv)
    assert len(alerts) == 1, alerts
    assert re.search(r"authcfg/\.htaccess: CORSAllowOrigin not allowed here", alerts[0]), alerts


def test_override_list_allows_named_directives(srv):
    r = get(srv, "/list/ok/r.txt", A)
    assert_allowed(r, A)
    assert r.body == b"list ok\n"
    r = srv.preflight("/list/ok/r.txt", A, "PUT")
    assert r.status == 204, r
    assert r.get("Access-Control-Allow-Origin") == A
    assert r.get("Access-Control-Allow-Methods") == "PUT"


@pytest.mark.log_allow(r"\[core:alert\].*list/other/\.htaccess: CORSAllowHeaders not allowed here")
def test_override_list_refuses_other_directive(srv):
    r = get(srv, "/list/other/r.txt", A)
    assert r.status == 500, r
    assert_no_cors(r)
    alerts = alert_lines(srv)
    assert len(alerts) == 1, alerts
    assert "list/other/.htaccess: CORSAllowHeaders not allowed here" in alerts[0], alerts


@pytest.mark.parametrize("name", list(BAD))
@pytest.mark.log_allow(r"\[core:alert\].*/fi/bad-[a-z-]+/\.htaccess: CORS")
def test_htaccess_config_error(srv, name):
    _, directive, values = BAD[name]
    r = get(srv, f"/fi/bad-{name}/r.txt", A)
    assert r.status == 500, r
    assert_no_cors(r)
    r = srv.preflight(f"/fi/bad-{name}/r.txt", A, "PUT")
    assert r.status == 500, r
    assert_no_cors(r)
    alerts = alert_lines(srv)
    assert len(alerts) == 2, alerts
    for ln in alerts:
        m = re.search(r"/fi/bad-" + re.escape(name) + r"/\.htaccess: (.*)$", ln)
        assert m, ln
        assert m.group(1).startswith(directive), ln
        for v in values:
            assert v in m.group(1), ln


def test_subdirectory_replaces_origins(srv):
    # parent: a, b; child: c only (replace, not add); other directives are inherited
    assert_allowed(get(srv, "/fi/parent/r.txt", A), A)
    assert_allowed(get(srv, "/fi/parent/r.txt", B), B)
    assert_denied(get(srv, "/fi/parent/r.txt", C))
    assert_denied(get(srv, "/fi/parent/child/r.txt", A))
    assert_denied(get(srv, "/fi/parent/child/r.txt", B))
    r = get(srv, "/fi/parent/child/r.txt", C)
    assert_allowed(r, C)
    assert r.get("Access-Control-Expose-Headers") == "X-P"
    r = srv.preflight("/fi/parent/child/r.txt", C, "PUT")
    assert r.status == 204, r
    assert r.get("Access-Control-Allow-Origin") == C
    assert r.get("Access-Control-Allow-Methods") == "PUT"
    r = srv.preflight("/fi/parent/child/r.txt", A, "PUT")
    assert r.status == 403, r
    assert_no_cors(r)


def test_engine_off_then_on_in_htaccess(srv):
    assert_allowed(get(srv, "/fi/eng/r.txt", A), A)
    # Off: no change at all, not even Vary
    r = get(srv, "/fi/eng/off/r.txt", A)
    assert r.status == 200 and r.body == b"off\n", r
    assert_no_cors(r)
    assert not r.has("Vary"), r
    r = get(srv, "/fi/eng/off/r.txt")
    assert not r.has("Vary"), r
    # H05: a preflight there is not handled by the module: the core answers OPTIONS
    r = srv.preflight("/fi/eng/off/r.txt", A, "PUT")
    assert r.status == 200, r
    assert r.has("Allow"), r
    assert_no_cors(r)
    # On in a deeper .htaccess brings the inherited policy back
    r = get(srv, "/fi/eng/off/on/r.txt", A)
    assert_allowed(r, A)
    r = srv.preflight("/fi/eng/off/on/r.txt", A, "PUT")
    assert r.status == 204, r
    assert r.get("Access-Control-Allow-Methods") == "PUT"
    assert_logged(srv, "GET /fi/eng/off/r.txt 200 cors=-", "GET /fi/eng/off/r.txt 200 cors=-",
                  "OPTIONS /fi/eng/off/r.txt 200 cors=-",
                  "GET /fi/eng/off/on/r.txt 200 cors=allowed",
                  "OPTIONS /fi/eng/off/on/r.txt 204 cors=preflight-ok")


def test_htaccess_warnings_are_debug_only(srv):
    r = get(srv, "/fi/warn/r.txt", "http://plain.example")
    assert_allowed(r, "http://plain.example")
    assert r.get("Access-Control-Allow-Credentials") == "true"
    r = srv.preflight("/fi/warn/r.txt", "http://plain.example", "patch")
    assert r.status == 204, r
    assert r.get("Access-Control-Allow-Methods") == "patch"
    new = srv.new_log_lines()
    assert not [ln for ln in new if "[cors:warn]" in ln], new
    debug = [ln for ln in new if "[cors:debug]" in ln]
    assert any("http://plain.example" in ln for ln in debug), new
    assert any("PATCH" in ln for ln in debug), new


def test_htaccess_merges_with_directory_config(srv):
    # <Directory fi/mix>: a + credentials + expose; its .htaccess: origins b
    r = get(srv, "/fi/mix/r.txt", B)
    assert_allowed(r, B)
    assert r.get("Access-Control-Allow-Credentials") == "true"
    assert r.get("Access-Control-Expose-Headers") == "X-Conf"
    assert_denied(get(srv, "/fi/mix/r.txt", A))


def test_location_beats_htaccess(srv):
    assert_allowed(get(srv, "/fi/locwins/r.txt", "https://loc.example"), "https://loc.example")
    assert_denied(get(srv, "/fi/locwins/r.txt", "https://ht.example"))


def test_htaccess_star_under_inherited_credentials_is_denied(srv):
    # '*' from .htaccess + credentials from <Directory>: only merging brings them together,
    # so every CORS request there is denied (fail closed) and the reason is logged at debug
    r = get(srv, "/fi/mix/star/r.txt", A)
    assert_denied(r)
    assert r.body == b"star\n"
    r = srv.preflight("/fi/mix/star/r.txt", A, "GET")
    assert r.status == 403, r
    assert_no_cors(r)
    assert r.vary_tokens() == PREFLIGHT_VARY
    assert_logged(srv, "GET /fi/mix/star/r.txt 200 cors=denied-origin",
                  "OPTIONS /fi/mix/star/r.txt 403 cors=preflight-denied-origin")
    debug = [ln for ln in srv.new_log_lines() if "[cors:debug]" in ln]
    assert len([ln for ln in debug if "credentials" in ln.lower()]) >= 2, debug


def test_htaccess_edit_takes_effect_without_restart(srv):
    assert not get(srv, "/fi/edit/r.txt", A).has("Vary")
    srv.write_files({"htdocs/fi/edit/.htaccess": "CORSAllowOrigin https://a.example\n"})
    assert_allowed(get(srv, "/fi/edit/r.txt", A), A)
    srv.write_files({"htdocs/fi/edit/.htaccess": "CORSAllowOrigin https://b.example\n"})
    assert_denied(get(srv, "/fi/edit/r.txt", A))
    assert_allowed(get(srv, "/fi/edit/r.txt", B), B)


APP = "https://app.example.com"


@pytest.mark.log_allow(r"\[core:alert\].*/fi/rxcred/\.htaccess: CORSAllowOriginMatch")
def test_regex_verdict_is_the_same_on_every_request(srv):
    # each .htaccess line is read again per request; the regex probe's verdict, kept by the
    # child after the first, must give the first request's answer to all of them
    for _ in range(8):
        # loose regex + credentials inherited from <Directory>: denied, fail closed
        r = get(srv, "/fi/mix/rx/r.txt", APP)
        assert_denied(r)
        assert r.body == b"rx\n"
        # loose regex + credentials in the same .htaccess: a configuration error
        r = get(srv, "/fi/rxcred/r.txt", APP)
        assert r.status == 500, r
        assert_no_cors(r)
        # a regex that lets no other site in: allowed, with credentials
        r = get(srv, "/fi/rxok/r.txt", APP)
        assert_allowed(r, APP)
        assert r.get_all("Access-Control-Allow-Credentials") == ["true"], r
        assert_denied(get(srv, "/fi/rxok/r.txt", EVIL))
    alerts = alert_lines(srv)
    assert len(alerts) == 8, alerts
    for ln in alerts:
        assert "CORSAllowOriginMatch" in ln and "credentials" in ln.lower(), ln


# An unreadable .htaccess: httpd refuses the request (403, AH00529) while it walks the
# directories, before any module sees it.  A <Location> policy still governs that 403 (the
# module walks the locations itself); a <Directory> policy at or above that directory cannot
# be known, since httpd's walk stopped there (docs/requests.md, "Decisions the rules leave open").
UNREADABLE_CONF = r"""
<Location "/loc/">
    CORSAllowOrigin https://a.example
</Location>
<Directory "${DOCROOT}">
    AllowOverride FileInfo
</Directory>
<Directory "${DOCROOT}/dir">
    CORSAllowOrigin https://a.example
</Directory>
"""


def test_unreadable_htaccess_403_keeps_the_location_policy(tmp_path):
    files = {"htdocs/loc/r": "ok\n", "htdocs/loc/.htaccess": "# tenant\n",
             "htdocs/dir/r": "ok\n", "htdocs/dir/.htaccess": "# tenant\n",
             "htdocs/ok/r": "ok\n"}
    s = Httpd(tmp_path, UNREADABLE_CONF, files=files)
    s.start()
    try:
        for f in ("loc", "dir"):
            (s.root / "htdocs" / f / ".htaccess").chmod(0)
        r = s.request("GET", "/loc/r", {"Origin": A})
        assert_allowed(r, A, status=403)
        assert_denied(s.request("GET", "/loc/r", {"Origin": EVIL}), status=403)
        # the exception: no policy is known for the directory whose walk failed
        r = s.request("GET", "/dir/r", {"Origin": A})
        assert r.status == 403 and not r.cors_headers(), r
        r = s.request("GET", "/ok/r", {"Origin": A})
        assert r.status == 200 and not r.cors_headers(), r
    finally:
        s.stop()
    s.check_log(allow=[r"AH00529"])
