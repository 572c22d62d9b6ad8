# SPDX-License-Identifier: Apache-2.0
"""Scopes and merging (docs/contract.md, "Scopes and merging", docs/scopes.md list semantics, vector H04):
nested <Directory>/<Location>/<Files>/<LocationMatch>, replace-per-directive merging,
CORSEngine Off/On, merge-induced '*' + credentials conflicts, lists adding up in one scope."""

import pytest

from accesslog import assert_logged
from httpd_harness import Httpd, assert_no_cors, serve, assert_allowed, assert_denied

A = "https://a.example"
B = "https://b.example"
C = "https://c.example"
EVIL = "https://evil.example"
APP = "https://app.example.com"

# The contract writes "Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers";
# compared as a token list (order and count), since "," and ", " are the same list.
PREFLIGHT_VARY = ["Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"]
PREFLIGHT_VARY_PNA = PREFLIGHT_VARY + ["Access-Control-Request-Private-Network"]

CONF = r"""
# ---- nested <Directory> merging ------------------------------------------------------------
<Directory "${DOCROOT}/m">
    CORSAllowOrigin https://a.example
    CORSAllowMethods PUT DELETE
    CORSAllowHeaders X-A
    CORSExposeHeaders X-E
    CORSMaxAge 600
    CORSAllowCredentials On
    CORSPreflightStatus 200
    CORSAllowPrivateNetwork On
    <Files "data.json">
        CORSAllowOrigin https://f.example
    </Files>
</Directory>
<Directory "${DOCROOT}/m/o">
    CORSAllowOrigin https://b.example
</Directory>
<Directory "${DOCROOT}/m/o/deep">
    CORSAllowMethods PATCH
</Directory>
<Directory "${DOCROOT}/m/h">
    CORSAllowHeaders X-B
    CORSPreflightStatus 204
</Directory>
<Directory "${DOCROOT}/m/c">
    CORSAllowCredentials Off
    CORSExposeHeaders X-F X-G
    CORSMaxAge 0
    CORSAllowPrivateNetwork Off
</Directory>
<Location "/m/loc/">
    CORSAllowMethods PURGE
</Location>
<Directory "${DOCROOT}/m/dl">
    CORSAllowOrigin https://dir.example
</Directory>
<Location "/m/dl/">
    CORSAllowOrigin https://loc.example
</Location>

# ---- nested <Location> ------------------------------------------------------------------------
<Location "/ln/">
    CORSAllowOrigin https://a.example
    CORSAllowMethods PUT
</Location>
<Location "/ln/sub/">
    CORSAllowHeaders X-S
</Location>

# ---- <LocationMatch>, <DirectoryMatch> --------------------------------------------------------
<LocationMatch "^/lm/.*\.txt$">
    CORSAllowOrigin https://lm.example
</LocationMatch>
<DirectoryMatch "^${DOCROOT}/dm[0-9]">
    CORSAllowOrigin https://dm.example
</DirectoryMatch>

# ---- CORSEngine -----------------------------------------------------------------------------
<Directory "${DOCROOT}/e">
    CORSAllowOrigin https://a.example
    CORSAllowMethods PUT
</Directory>
<Directory "${DOCROOT}/e/off">
    CORSEngine Off
</Directory>
<Directory "${DOCROOT}/e/off/on">
    CORSEngine On
</Directory>
<Directory "${DOCROOT}/e/off/neworig">
    CORSAllowOrigin https://n.example
</Directory>
<Location "/e/locoff/">
    CORSEngine Off
</Location>
<Directory "${DOCROOT}/eon">
    CORSEngine On
</Directory>
<Directory "${DOCROOT}/nopol">
    CORSAllowMethods PUT
    CORSAllowCredentials On
    CORSExposeHeaders X-E
</Directory>

# ---- conflicts that only merging brings together ---------------------------------------------
<Directory "${DOCROOT}/x">
    CORSAllowOrigin *
    CORSExposeHeaders X-Star
</Directory>
<Directory "${DOCROOT}/x/cred">
    CORSAllowCredentials On
</Directory>
<Directory "${DOCROOT}/y">
    CORSAllowOrigin https://a.example
    CORSAllowCredentials On
</Directory>
<Directory "${DOCROOT}/y/star">
    CORSAllowOrigin *
</Directory>
<Directory "${DOCROOT}/y/null">
    CORSAllowOrigin null https://a.example
</Directory>
<Directory "${DOCROOT}/y/meth">
    CORSAllowMethods *
</Directory>
<Directory "${DOCROOT}/y/hdr">
    CORSAllowHeaders *
</Directory>
<Directory "${DOCROOT}/y/exp">
    CORSExposeHeaders *
</Directory>
<Directory "${DOCROOT}/y/off">
    CORSAllowCredentials Off
    CORSAllowOrigin *
</Directory>

# ---- origins normalized when read ---------------------------------------------------------------
<Directory "${DOCROOT}/norm">
    CORSAllowOrigin HTTPS://App.Example.COM:443 http://B.example:80 https://c.example:8443
</Directory>

# ---- lists add up within one scope -------------------------------------------------------------
<Directory "${DOCROOT}/add">
    CORSAllowOrigin https://a.example
    CORSAllowOrigin https://b.example
    CORSAllowMethods PUT
    CORSAllowMethods DELETE
    CORSAllowHeaders X-A
    CORSAllowHeaders X-B
    CORSExposeHeaders X-E
    CORSExposeHeaders X-F
</Directory>

# ---- CORSAllowOrigin + CORSAllowOriginMatch -----------------------------------------------------
<Directory "${DOCROOT}/om">
    CORSAllowOrigin https://a.example
    CORSAllowOriginMatch "https://[a-z]+\.m\.example"
</Directory>
<Directory "${DOCROOT}/om/child">
    CORSAllowOriginMatch "^https://c\.example$"
</Directory>
<Directory "${DOCROOT}/om/child2">
    CORSAllowOrigin https://d.example
</Directory>

# ---- H04: policy at the <VirtualHost> level, <Location> override ---------------------------
<VirtualHost 127.0.0.1:${PORT2}>
    DocumentRoot "${DOCROOT}/vh"
    CORSAllowOrigin https://app.example.com
    CORSAllowMethods GET POST PUT DELETE PATCH
    CORSAllowHeaders Content-Type X-Requested-With
    CORSExposeHeaders X-Request-Id
    CORSMaxAge 600
    <Location "/api">
        CORSAllowOrigin https://b.example
    </Location>
    <Location "/quiet">
        CORSEngine Off
    </Location>
</VirtualHost>
"""

_DIRS = ["m", "m/o", "m/o/deep", "m/h", "m/c", "m/loc", "m/dl", "ln", "ln/sub", "lm", "dm1",
         "e", "e/off", "e/off/on", "e/off/neworig", "e/locoff", "eon", "nopol", "x", "x/cred",
         "y", "y/star", "y/null", "y/meth", "y/hdr", "y/exp", "y/off", "add", "om", "om/child",
         "om/child2", "norm", "vh", "vh/api", "vh/quiet"]
FILES = {f"htdocs/{d}/r.txt": f"{d}\n" for d in _DIRS}
FILES.update({
    "htdocs/m/data.json": "{}\n",
    "htdocs/lm/r.html": "<p>lm</p>\n",
    "htdocs/vh/other": "other\n",
})


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    # CORSAllowPrivateNetwork On in /m warns that Chrome replaced those preflights.
    with serve(tmp_path_factory.mktemp("scopes"), CONF, files=FILES,
               startup_allow=[r"\[cors:warn\].*CORSAllowPrivateNetwork: Chrome has "
                              r"replaced"]) as s:
        yield s


def get(srv: Httpd, path: str, origin: str | None = None, port=None):
    return srv.request("GET", path, {"Origin": origin} if origin else None, port=port)



def assert_untouched(r, status=200):
    """Outside any policy: no CORS header and no Vary at all (static files get none)."""
    assert r.status == status, r
    assert_no_cors(r)
    assert not r.has("Vary"), r


def assert_core_options(r):
    """A preflight the module does not handle: the core's OPTIONS answer."""
    assert r.status == 200, r
    assert r.has("Allow"), r
    assert_no_cors(r)


def assert_preflight_denied(r, vary=PREFLIGHT_VARY):
    assert r.status == 403, r
    assert_no_cors(r)
    assert r.vary_tokens() == vary, r
    assert r.body == b"", r


# ---------------------------------------------------------------------------------------------
# nested <Directory>
# ---------------------------------------------------------------------------------------------

def test_parent_directory_policy(srv):
    r = srv.preflight("/m/r.txt", A, "PUT", "x-a")
    assert r.status == 200, r
    assert r.get("Content-Length") == "0", r
    assert r.body == b""
    assert r.get("Access-Control-Allow-Origin") == A
    assert r.get("Access-Control-Allow-Credentials") == "true"
    assert r.get("Access-Control-Allow-Methods") == "PUT, DELETE"
    assert r.get("Access-Control-Allow-Headers") == "X-A"
    assert r.get("Access-Control-Max-Age") == "600"
    assert r.vary_tokens() == PREFLIGHT_VARY_PNA
    r = get(srv, "/m/r.txt", A)
    assert_allowed(r, A)
    assert r.get("Access-Control-Allow-Credentials") == "true"
    assert r.get("Access-Control-Expose-Headers") == "X-E"


def test_child_replaces_origins_and_inherits_the_rest(srv):
    assert_denied(get(srv, "/m/o/r.txt", A))
    r = get(srv, "/m/o/r.txt", B)
    assert_allowed(r, B)
    assert r.get("Access-Control-Allow-Credentials") == "true"
    assert r.get("Access-Control-Expose-Headers") == "X-E"
    r = srv.preflight("/m/o/r.txt", B, "DELETE", "X-A",
                      extra={"Access-Control-Request-Private-Network": "true"})
    assert r.status == 200, r                      # CORSPreflightStatus inherited
    assert r.get("Access-Control-Allow-Origin") == B
    assert r.get("Access-Control-Allow-Methods") == "PUT, DELETE"
    assert r.get("Access-Control-Allow-Headers") == "X-A"
    assert r.get("Access-Control-Max-Age") == "600"
    assert r.get("Access-Control-Allow-Private-Network") == "true"
    assert r.vary_tokens() == PREFLIGHT_VARY_PNA
    assert_preflight_denied(srv.preflight("/m/o/r.txt", A, "PUT"), PREFLIGHT_VARY_PNA)


def test_grandchild_inherits_through_two_levels(srv):
    # origins from m/o, methods from m/o/deep, the rest from m
    r = srv.preflight("/m/o/deep/r.txt", B, "PATCH", "x-a")
    assert r.status == 200, r
    assert r.get("Access-Control-Allow-Origin") == B
    assert r.get("Access-Control-Allow-Methods") == "PATCH"
    assert r.get("Access-Control-Allow-Headers") == "X-A"
    assert r.get("Access-Control-Allow-Credentials") == "true"
    assert_preflight_denied(srv.preflight("/m/o/deep/r.txt", B, "PUT"), PREFLIGHT_VARY_PNA)
    assert_preflight_denied(srv.preflight("/m/o/deep/r.txt", A, "PATCH"), PREFLIGHT_VARY_PNA)


def test_child_replaces_header_list(srv):
    assert_preflight_denied(srv.preflight("/m/h/r.txt", A, "PUT", "x-a"), PREFLIGHT_VARY_PNA)
    r = srv.preflight("/m/h/r.txt", A, "PUT", "x-b")
    assert r.status == 204, r
    assert r.get("Access-Control-Allow-Headers") == "X-B"
    assert r.get("Access-Control-Allow-Methods") == "PUT, DELETE"
    assert not r.has("Content-Length") or r.get("Content-Length") == "0"


def test_child_turns_off_credentials_and_replaces_expose(srv):
    r = get(srv, "/m/c/r.txt", A)
    assert_allowed(r, A)
    assert not r.has("Access-Control-Allow-Credentials"), r
    assert r.get("Access-Control-Expose-Headers") == "X-F, X-G"
    r = srv.preflight("/m/c/r.txt", A, "PUT",
                      extra={"Access-Control-Request-Private-Network": "true"})
    assert r.status == 200, r
    assert r.get("Access-Control-Max-Age") == "0"
    assert not r.has("Access-Control-Allow-Credentials"), r
    assert not r.has("Access-Control-Allow-Private-Network"), r
    assert r.vary_tokens() == PREFLIGHT_VARY


def test_location_sets_only_methods_under_directory_origin(srv):
    r = srv.preflight("/m/loc/r.txt", A, "PURGE")
    assert r.status == 200, r
    assert r.get("Access-Control-Allow-Origin") == A
    assert r.get("Access-Control-Allow-Methods") == "PURGE"
    assert r.get("Access-Control-Allow-Credentials") == "true"
    assert_preflight_denied(srv.preflight("/m/loc/r.txt", A, "PUT"), PREFLIGHT_VARY_PNA)


def test_location_wins_over_directory(srv):
    assert_allowed(get(srv, "/m/dl/r.txt", "https://loc.example"), "https://loc.example")
    assert_denied(get(srv, "/m/dl/r.txt", "https://dir.example"))
    assert_denied(get(srv, "/m/dl/r.txt", A))


def test_files_section(srv):
    r = get(srv, "/m/data.json", "https://f.example")
    assert_allowed(r, "https://f.example")
    assert r.get("Access-Control-Allow-Credentials") == "true"
    assert_denied(get(srv, "/m/data.json", A))
    assert_denied(get(srv, "/m/r.txt", "https://f.example"))


def test_nested_locations(srv):
    r = srv.preflight("/ln/sub/r.txt", A, "PUT", "X-S")
    assert r.status == 204, r
    assert r.get("Access-Control-Allow-Methods") == "PUT"
    assert r.get("Access-Control-Allow-Headers") == "X-S"
    r = srv.preflight("/ln/r.txt", A, "PUT", "X-S")
    assert_preflight_denied(r)
    r = srv.preflight("/ln/r.txt", A, "PUT")
    assert r.status == 204, r
    assert not r.has("Access-Control-Allow-Headers"), r


def test_location_match(srv):
    assert_allowed(get(srv, "/lm/r.txt", "https://lm.example"), "https://lm.example")
    assert_denied(get(srv, "/lm/r.txt", A))
    assert_untouched(get(srv, "/lm/r.html", "https://lm.example"))


def test_directory_match(srv):
    assert_allowed(get(srv, "/dm1/r.txt", "https://dm.example"), "https://dm.example")
    assert_denied(get(srv, "/dm1/r.txt", A))


# ---------------------------------------------------------------------------------------------
# CORSEngine
# ---------------------------------------------------------------------------------------------

def test_engine_off_changes_nothing(srv):
    assert_allowed(get(srv, "/e/r.txt", A), A)
    assert_untouched(get(srv, "/e/off/r.txt", A))
    assert_untouched(get(srv, "/e/off/r.txt"))
    assert_untouched(get(srv, "/e/off/r.txt", EVIL))
    assert_core_options(srv.preflight("/e/off/r.txt", A, "PUT"))
    assert_untouched(get(srv, "/e/off/missing", A), 404)
    assert_logged(srv, "GET /e/off/r.txt 200 cors=-", "GET /e/off/r.txt 200 cors=-",
                  "GET /e/off/r.txt 200 cors=-", "OPTIONS /e/off/r.txt 200 cors=-",
                  "GET /e/off/missing 404 cors=-")


def test_engine_on_below_off_restores_inherited_policy(srv):
    assert_allowed(get(srv, "/e/off/on/r.txt", A), A)
    r = srv.preflight("/e/off/on/r.txt", A, "PUT")
    assert r.status == 204, r
    assert r.get("Access-Control-Allow-Methods") == "PUT"


def test_engine_off_is_inherited_by_a_scope_that_sets_origins(srv):
    # "CORSEngine Off turns the policy off for a scope and below": a deeper scope that only
    # sets origins inherits Off
    assert_untouched(get(srv, "/e/off/neworig/r.txt", "https://n.example"))
    assert_untouched(get(srv, "/e/off/neworig/r.txt", A))


def test_engine_off_in_location(srv):
    assert_untouched(get(srv, "/e/locoff/r.txt", A))
    assert_core_options(srv.preflight("/e/locoff/r.txt", A, "PUT"))


def test_engine_on_without_origins_is_no_policy(srv):
    assert_untouched(get(srv, "/eon/r.txt", A))
    assert_untouched(get(srv, "/eon/r.txt"))
    assert_core_options(srv.preflight("/eon/r.txt", A, "GET"))


def test_scope_without_origins_is_no_policy(srv):
    assert_untouched(get(srv, "/nopol/r.txt", A))
    assert_untouched(get(srv, "/nopol/r.txt"))
    assert_core_options(srv.preflight("/nopol/r.txt", A, "PUT"))
    assert_logged(srv, "GET /nopol/r.txt 200 cors=-", "GET /nopol/r.txt 200 cors=-",
                  "OPTIONS /nopol/r.txt 200 cors=-")


# ---------------------------------------------------------------------------------------------
# '*' + credentials brought together by merging: fail closed
# ---------------------------------------------------------------------------------------------

def test_star_policy_parent_works(srv):
    r = get(srv, "/x/r.txt", A)
    assert r.status == 200
    assert r.get_all("Access-Control-Allow-Origin") == ["*"]
    assert r.get("Access-Control-Expose-Headers") == "X-Star"
    assert not r.has("Access-Control-Allow-Credentials")
    r = get(srv, "/x/r.txt")
    assert r.get_all("Access-Control-Allow-Origin") == ["*"]
    assert "Origin" not in r.vary_tokens()


CONFLICT_DIRS = ["x/cred", "y/star", "y/null", "y/meth", "y/hdr", "y/exp"]


@pytest.mark.parametrize("d", CONFLICT_DIRS)
def test_merge_conflict_denies_every_cors_request(srv, d):
    path = f"/{d}/r.txt"
    for origin in (A, "null", EVIL):
        r = get(srv, path, origin)
        assert_denied(r)
        assert r.body == f"{d}\n".encode()
    r = get(srv, path)                         # no Origin: not a '*' policy, so Vary only
    assert_denied(r)
    r = srv.preflight(path, A, "GET")
    assert_preflight_denied(r)
    assert_logged(srv, *[f"GET {path} 200 cors=denied-origin"] * 3,
                  f"GET {path} 200 cors=no-origin",
                  f"OPTIONS {path} 403 cors=preflight-denied-origin")
    debug = [ln for ln in srv.new_log_lines() if "[cors:debug]" in ln]
    assert len([ln for ln in debug if "credentials" in ln.lower()]) >= 4, debug


def test_star_with_credentials_off_again_is_fine(srv):
    r = get(srv, "/y/off/r.txt", A)
    assert r.get_all("Access-Control-Allow-Origin") == ["*"], r
    assert not r.has("Access-Control-Allow-Credentials")
    r = srv.preflight("/y/off/r.txt", A, "GET")
    assert r.status == 204
    assert r.get("Access-Control-Allow-Origin") == "*"


# ---------------------------------------------------------------------------------------------
# lists in one scope add up; CORSAllowOrigin + CORSAllowOriginMatch
# ---------------------------------------------------------------------------------------------

def test_lists_add_up_in_one_scope(srv):
    for o in (A, B):
        r = get(srv, "/add/r.txt", o)
        assert_allowed(r, o)
        assert r.get("Access-Control-Expose-Headers") == "X-E, X-F"
    assert_denied(get(srv, "/add/r.txt", C))
    r = srv.preflight("/add/r.txt", B, "DELETE", "x-a, X-B")
    assert r.status == 204, r
    assert r.get("Access-Control-Allow-Methods") == "PUT, DELETE"
    assert r.get("Access-Control-Allow-Headers") == "X-A, X-B"


@pytest.mark.parametrize("origin,ok", [
    (A, True),
    ("https://x.m.example", True),
    ("https://abc.m.example", True),
    ("https://x.m.example.evil.net", False),   # anchored at the end
    ("https://x.m.example:8443", False),
    ("https://evil.example", False),
    ("https://X.m.example", False),             # not a valid serialized origin
    ("https://x.y.m.example", False),           # [a-z]+ has no dot
    ("http://x.m.example", False),
    ("https://c.example", False),
])
def test_origin_and_origin_match_in_one_scope(srv, origin, ok):
    r = get(srv, "/om/r.txt", origin)
    if ok:
        assert_allowed(r, origin)
    else:
        assert_denied(r)


def test_origin_match_in_child_replaces_both(srv):
    assert_allowed(get(srv, "/om/child/r.txt", C), C)
    assert_denied(get(srv, "/om/child/r.txt", A))
    assert_denied(get(srv, "/om/child/r.txt", "https://x.m.example"))
    assert_allowed(get(srv, "/om/child2/r.txt", "https://d.example"), "https://d.example")
    assert_denied(get(srv, "/om/child2/r.txt", "https://x.m.example"))
    assert_denied(get(srv, "/om/child2/r.txt", A))


@pytest.mark.parametrize("origin,ok", [
    ("https://app.example.com", True),
    ("http://b.example", True),
    ("https://c.example:8443", True),
    ("https://app.example.com:443", False),    # browsers never send a default port
    ("https://App.Example.COM", False),        # not a serialized origin
    ("http://b.example:80", False),
    ("https://c.example", False),
    ("http://app.example.com", False),
])
def test_configured_origins_are_normalized(srv, origin, ok):
    r = get(srv, "/norm/r.txt", origin)
    if ok:
        assert_allowed(r, origin)
    else:
        assert_denied(r)


# ---------------------------------------------------------------------------------------------
# H04: <VirtualHost> policy with a <Location> override
# ---------------------------------------------------------------------------------------------

def test_vhost_location_override(srv):
    p2 = srv.port2
    r = get(srv, "/api/r.txt", APP, port=p2)
    assert_denied(r)
    r = get(srv, "/api/r.txt", B, port=p2)
    assert_allowed(r, B)
    assert r.get("Access-Control-Expose-Headers") == "X-Request-Id"
    r = srv.preflight("/api/r.txt", B, "PATCH", "content-type,x-requested-with", port=p2)
    assert r.status == 204, r
    assert r.get("Access-Control-Allow-Origin") == B
    assert r.get("Access-Control-Allow-Methods") == "GET, POST, PUT, DELETE, PATCH"
    assert r.get("Access-Control-Allow-Headers") == "Content-Type, X-Requested-With"
    assert r.get("Access-Control-Max-Age") == "600"
    assert_preflight_denied(srv.preflight("/api/r.txt", APP, "PUT", port=p2))


def test_vhost_level_policy(srv):
    p2 = srv.port2
    r = get(srv, "/other", APP, port=p2)
    assert_allowed(r, APP)
    assert r.body == b"other\n"
    assert r.get("Access-Control-Expose-Headers") == "X-Request-Id"
    assert_denied(get(srv, "/other", B, port=p2))
    assert_allowed(get(srv, "/missing", APP, port=p2), APP, status=404)
    r = srv.preflight("/other", APP, "DELETE", port=p2)
    assert r.status == 204, r
    assert_untouched(get(srv, "/quiet/r.txt", APP, port=p2))


def test_vhost_policy_does_not_leak_into_main_server(srv):
    assert_untouched(get(srv, "/vh/other", APP))
    assert_core_options(srv.preflight("/vh/other", APP, "DELETE"))


# ---------------------------------------------------------------------------------------------
# main server -> <VirtualHost> inheritance (needs a server-wide policy: its own server)
# ---------------------------------------------------------------------------------------------

INHERIT_CONF = r"""
CORSAllowOrigin https://main.example
CORSAllowMethods PUT
CORSExposeHeaders X-Main
<VirtualHost 127.0.0.1:${PORT2}>
    DocumentRoot "${DOCROOT}"
    CORSAllowMethods DELETE
</VirtualHost>
"""


def test_main_server_policy_inherited_by_vhost(make_server):
    s = make_server(INHERIT_CONF, files={"htdocs/r.txt": "r\n"})
    r = get(s, "/r.txt", "https://main.example")
    assert_allowed(r, "https://main.example")
    assert r.get("Access-Control-Expose-Headers") == "X-Main"
    r = get(s, "/r.txt", "https://main.example", port=s.port2)
    assert_allowed(r, "https://main.example")
    assert r.get("Access-Control-Expose-Headers") == "X-Main"
    assert s.preflight("/r.txt", "https://main.example", "PUT").get(
        "Access-Control-Allow-Methods") == "PUT"
    r = s.preflight("/r.txt", "https://main.example", "DELETE", port=s.port2)
    assert r.status == 204, r
    assert r.get("Access-Control-Allow-Methods") == "DELETE"
    assert_preflight_denied(s.preflight("/r.txt", "https://main.example", "PUT", port=s.port2))
    assert_denied(get(s, "/r.txt", A, port=s.port2))
