# SPDX-License-Identifier: Apache-2.0
"""How httpd's request paths meet the module (docs/contract.md, "What a request gets" rules 2-5, vectors
H01-H03, H06-H08): authentication, error statuses, ErrorDocument, HEAD, DirectoryIndex,
mod_rewrite, CGI, mod_proxy and mod_headers with CORSBackendHeaders replace/keep."""

import base64
import hashlib

import pytest

from accesslog import assert_logged
from httpd_harness import (Httpd, assert_allowed, assert_denied, assert_no_cors, cgi_script,
                           serve)

APP = "https://app.example.com"
A = "https://a.example"
B = "https://b.example"
EVIL = "https://evil.example"
# The contract writes "Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers";
# compared as a token list (order and count), since "," and ", " are the same list.
PREFLIGHT_VARY = ["Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"]

USER, PASSWORD = "alice", "s3cret-pw"
HTPASSWD = f"{USER}:{{SHA}}{base64.b64encode(hashlib.sha1(PASSWORD.encode()).digest()).decode()}\n"
BASIC = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
BAD_BASIC = "Basic " + base64.b64encode(f"{USER}:wrong".encode()).decode()

MODULES = ("cgid", "headers", "proxy", "proxy_http", "auth_basic", "authn_file", "authn_core",
           "authz_user", "dir", "rewrite", "alias")

CONF = r"""
# ---- H01/H02: authentication ----------------------------------------------------------------
<Location "/auth/">
    AuthType Basic
    AuthName "cors test"
    AuthBasicProvider file
    AuthUserFile "${SERVERROOT}/htpasswd"
    Require valid-user
    CORSAllowOrigin https://app.example.com
    CORSAllowMethods GET POST PUT DELETE PATCH
    CORSAllowHeaders Content-Type X-Requested-With
    CORSExposeHeaders X-Request-Id
    CORSAllowCredentials On
    CORSMaxAge 600
</Location>

<Location "/auth2/">
    AuthType Basic
    AuthName "cors test 2"
    AuthBasicProvider file
    AuthUserFile "${SERVERROOT}/htpasswd"
    Require valid-user
    CORSAllowOrigin https://app.example.com
    CORSAllowCredentials On
    ErrorDocument 401 /errors/401.html
</Location>

# ---- plain policy scope, DirectoryIndex, 405 ---------------------------------------------------
<Directory "${DOCROOT}/p">
    CORSAllowOrigin https://app.example.com
    CORSExposeHeaders X-Request-Id
    CORSAllowMethods PUT
    DirectoryIndex index.html
</Directory>

# ---- ErrorDocument ---------------------------------------------------------------------------
<Directory "${DOCROOT}/pe">
    CORSAllowOrigin https://app.example.com
    ErrorDocument 404 /errors/404.html
</Directory>
<Directory "${DOCROOT}/pe2">
    CORSAllowOrigin https://app.example.com
    ErrorDocument 404 /pe2/err.html
</Directory>
<Directory "${DOCROOT}/nopol">
    ErrorDocument 404 /p/404.html
</Directory>
<Directory "${DOCROOT}/pa">
    CORSAllowOrigin https://a.example
    ErrorDocument 404 /pb/404.html
</Directory>
<Directory "${DOCROOT}/pb">
    CORSAllowOrigin https://b.example
</Directory>

# ---- mod_rewrite ------------------------------------------------------------------------------
RewriteEngine On
RewriteRule "^/rwpt/(.*)$" "/p/$1" [PT]
<Directory "${DOCROOT}/rw">
    Options +FollowSymLinks
    RewriteEngine On
    RewriteRule "^(.*)$" "/p/$1" [L]
</Directory>

# ---- CGI ------------------------------------------------------------------------------------
<Directory "${DOCROOT}/cgi">
    Options +ExecCGI
    AddHandler cgi-script .cgi
</Directory>
<Directory "${DOCROOT}/cgi/replace">
    CORSAllowOrigin https://app.example.com
</Directory>
<Directory "${DOCROOT}/cgi/keep">
    CORSAllowOrigin https://app.example.com
    CORSBackendHeaders keep
</Directory>

# ---- mod_proxy ------------------------------------------------------------------------------
<VirtualHost 127.0.0.1:${PORT2}>
    DocumentRoot "${SERVERROOT}/backend"
    <Directory "${SERVERROOT}/backend">
        Require all granted
    </Directory>
    Header always set Access-Control-Allow-Origin "*"
    Header always set Access-Control-Allow-Credentials "true"
    Header always set Access-Control-Expose-Headers "X-Backend"
    Header always set Vary "Accept-Encoding"
    Header always set X-Backend "1"
</VirtualHost>
<Location "/proxied/">
    ProxyPass "http://127.0.0.1:${PORT2}/"
    CORSAllowOrigin https://app.example.com
</Location>
<Location "/proxied-keep/">
    ProxyPass "http://127.0.0.1:${PORT2}/"
    CORSAllowOrigin https://app.example.com
    CORSBackendHeaders keep
</Location>
<Location "/down/">
    ProxyPass "http://127.0.0.1:1/"
    CORSAllowOrigin https://app.example.com
</Location>

# ---- mod_headers in the same scope (H08) -------------------------------------------------------
<Directory "${DOCROOT}/hdr">
    CORSAllowOrigin https://app.example.com
    Header always set Access-Control-Allow-Origin "*"
    Header always set Access-Control-Allow-Credentials "true"
    Header merge Vary Origin
    Header set X-Hdr "1"
</Directory>
<Directory "${DOCROOT}/hdr2">
    CORSAllowOrigin https://app.example.com
    Header set Access-Control-Allow-Origin "https://other.example"
    Header always set Vary "Origin, Accept-Encoding"
</Directory>
"""


ACAO_CGI = cgi_script(["Content-Type: text/plain",
                       "Access-Control-Allow-Origin: *",
                       "Access-Control-Allow-Credentials: true",
                       "Access-Control-Expose-Headers: X-Cgi",
                       "Access-Control-Max-Age: 99",
                       "Vary: Accept-Encoding",
                       "X-Cgi: 1"], "cgi body\n")
PLAIN_CGI = cgi_script(["Content-Type: text/plain", "Vary: Accept-Encoding", "X-Cgi: 1"],
                       "cgi body\n")
S500_CGI = cgi_script(["Status: 500 Script Says No", "Content-Type: text/plain"], "script error\n")

FILES = {
    "htpasswd": HTPASSWD,
    "htdocs/auth/r.txt": "secret\n",
    "htdocs/p/r.txt": "p\n",
    "htdocs/p/404.html": "p-404-page\n",
    "htdocs/p/dir/index.html": "index\n",
    "htdocs/pe/r.txt": "pe\n",
    "htdocs/pe2/err.html": "pe2-error-page\n",
    "htdocs/errors/404.html": "errors-404-page\n",
    "htdocs/errors/401.html": "errors-401-page\n",
    "htdocs/auth2/r.txt": "secret2\n",
    "htdocs/nopol/r.txt": "nopol\n",
    "htdocs/pa/r.txt": "pa\n",
    "htdocs/pb/404.html": "pb-404-page\n",
    "htdocs/rw/.keep": "",
    "htdocs/cgi/replace/acao.cgi": ACAO_CGI,
    "htdocs/cgi/replace/plain.cgi": PLAIN_CGI,
    "htdocs/cgi/replace/s500.cgi": S500_CGI,
    "htdocs/cgi/replace/bad.cgi": "#!/bin/sh\nexit 1\n",
    "htdocs/cgi/keep/acao.cgi": ACAO_CGI,
    "htdocs/cgi/keep/plain.cgi": PLAIN_CGI,
    "backend/x.txt": "backend\n",
    "htdocs/hdr/r.txt": "hdr\n",
    "htdocs/hdr2/r.txt": "hdr2\n",
}


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("paths"), CONF, files=FILES, modules=MODULES) as s:
        yield s


def get(srv: Httpd, path: str, origin: str | None = None, extra=None, method="GET", port=None):
    hdrs = []
    if origin:
        hdrs.append(("Origin", origin))
    hdrs += list((extra or {}).items())
    return srv.request(method, path, hdrs, port=port)



# ---------------------------------------------------------------------------------------------
# H01-H03: authentication
# ---------------------------------------------------------------------------------------------

def test_preflight_to_protected_location(srv):
    r = srv.preflight("/auth/r.txt", APP, "PUT", "content-type,x-requested-with")
    assert r.status == 204, r
    assert r.body == b""
    assert r.get("Access-Control-Allow-Origin") == APP
    assert r.get("Access-Control-Allow-Credentials") == "true"
    assert r.get("Access-Control-Allow-Methods") == "GET, POST, PUT, DELETE, PATCH"
    assert r.get("Access-Control-Allow-Headers") == "Content-Type, X-Requested-With"
    assert r.get("Access-Control-Max-Age") == "600"
    assert r.vary_tokens() == PREFLIGHT_VARY
    assert not r.has("WWW-Authenticate"), r
    assert not r.has("Access-Control-Expose-Headers"), r
    assert_logged(srv, "OPTIONS /auth/r.txt 204 cors=preflight-ok")


def test_preflight_to_missing_protected_resource(srv):
    r = srv.preflight("/auth/does-not-exist", APP, "DELETE")
    assert r.status == 204, r
    assert r.get("Access-Control-Allow-Origin") == APP
    assert not r.has("WWW-Authenticate"), r


def test_denied_preflight_to_protected_location_is_403_not_401(srv):
    r = srv.preflight("/auth/r.txt", EVIL, "PUT")
    assert r.status == 403, r
    assert_no_cors(r)
    assert not r.has("WWW-Authenticate"), r
    assert r.vary_tokens() == PREFLIGHT_VARY
    assert_logged(srv, "OPTIONS /auth/r.txt 403 cors=preflight-denied-origin")


@pytest.mark.log_allow(r"\[auth_basic:error\].*AH01617")
@pytest.mark.parametrize("auth", [None, BAD_BASIC], ids=["no-credentials", "wrong-password"])
def test_actual_request_without_valid_credentials_gets_401_with_cors(srv, auth):
    r = get(srv, "/auth/r.txt", APP, {"Authorization": auth} if auth else None)
    assert_allowed(r, APP, 401)
    assert r.get("Access-Control-Allow-Credentials") == "true"
    assert r.get("Access-Control-Expose-Headers") == "X-Request-Id"
    assert r.get("WWW-Authenticate") == 'Basic realm="cors test"'
    assert_logged(srv, "GET /auth/r.txt 401 cors=allowed")


def test_actual_request_with_credentials(srv):
    r = get(srv, "/auth/r.txt", APP, {"Authorization": BASIC})
    assert_allowed(r, APP)
    assert r.body == b"secret\n"
    assert r.get("Access-Control-Allow-Credentials") == "true"
    assert r.get("Access-Control-Expose-Headers") == "X-Request-Id"
    assert not r.has("WWW-Authenticate")


def test_401_with_local_error_document(srv):
    r = get(srv, "/auth2/r.txt", APP)
    assert_allowed(r, APP, 401)
    assert r.body == b"errors-401-page\n"
    assert r.get("Access-Control-Allow-Credentials") == "true"
    assert r.get("WWW-Authenticate") == 'Basic realm="cors test 2"'
    assert_denied(get(srv, "/auth2/r.txt", EVIL), 401)
    r = srv.preflight("/auth2/r.txt", APP, "GET")
    assert r.status == 204, r
    assert r.body == b""
    assert not r.has("WWW-Authenticate"), r


def test_options_without_request_method_is_not_a_preflight(srv):
    r = get(srv, "/auth/r.txt", APP, method="OPTIONS")
    assert_allowed(r, APP, 401)
    assert r.has("WWW-Authenticate")


# ---------------------------------------------------------------------------------------------
# error statuses
# ---------------------------------------------------------------------------------------------

def test_404_without_error_document(srv):
    r = get(srv, "/p/missing.txt", APP)
    assert_allowed(r, APP, 404)
    assert r.get("Access-Control-Expose-Headers") == "X-Request-Id"
    assert_logged(srv, "GET /p/missing.txt 404 cors=allowed")
    assert_denied(get(srv, "/p/missing.txt", EVIL), 404)
    assert_denied(get(srv, "/p/missing.txt"), 404)


def test_404_error_document_in_scope_without_policy(srv):
    # the failing URL's policy applies to the ErrorDocument page
    r = get(srv, "/pe/missing.txt", APP)
    assert_allowed(r, APP, 404)
    assert r.body == b"errors-404-page\n"
    assert_logged(srv, "GET /pe/missing.txt 404 cors=allowed")
    r = get(srv, "/pe/missing.txt", EVIL)
    assert_denied(r, 404)
    assert r.body == b"errors-404-page\n"


def test_404_error_document_in_same_scope(srv):
    # H06
    r = get(srv, "/pe2/missing.txt", APP)
    assert_allowed(r, APP, 404)
    assert r.body == b"pe2-error-page\n"


def test_404_outside_policy_with_error_document_inside_policy(srv):
    r = get(srv, "/nopol/missing.txt", APP)
    assert r.status == 404, r
    assert r.body == b"p-404-page\n"
    assert_no_cors(r)
    assert "Origin" not in r.vary_tokens(), r


def test_404_error_document_under_another_policy(srv):
    r = get(srv, "/pa/missing.txt", A)
    assert_allowed(r, A, 404)
    assert r.body == b"pb-404-page\n"
    r = get(srv, "/pa/missing.txt", B)
    assert_denied(r, 404)
    assert r.body == b"pb-404-page\n"


def test_405(srv):
    r = srv.request("PUT", "/p/r.txt", {"Origin": APP}, body=b"data")
    assert_allowed(r, APP, 405)
    assert r.get("Access-Control-Expose-Headers") == "X-Request-Id"
    assert r.has("Allow"), r
    assert_logged(srv, "PUT /p/r.txt 405 cors=allowed")


@pytest.mark.log_allow(r"\[cgid:error\].*(End of script output before headers|AH01215|AH01241)",
                       r"\[cgid:error\]")
def test_500_from_failing_cgi(srv):
    r = get(srv, "/cgi/replace/bad.cgi", APP)
    assert_allowed(r, APP, 500)


def test_500_status_from_cgi(srv):
    r = get(srv, "/cgi/replace/s500.cgi", APP)
    assert_allowed(r, APP, 500)
    assert r.body == b"script error\n"


@pytest.mark.log_allow(r"\[proxy:error\]", r"\[proxy_http:error\]")
def test_503_from_unreachable_backend(srv):
    r = get(srv, "/down/x", APP)
    assert_allowed(r, APP, 503)
    assert_logged(srv, "GET /down/x 503 cors=allowed")
    assert_denied(get(srv, "/down/x", EVIL), 503)


# ---------------------------------------------------------------------------------------------
# HEAD, DirectoryIndex, redirects, mod_rewrite
# ---------------------------------------------------------------------------------------------

def test_head_has_the_same_headers(srv):
    g = get(srv, "/p/r.txt", APP)
    h = get(srv, "/p/r.txt", APP, method="HEAD")
    assert_allowed(h, APP)
    assert h.body == b""
    assert h.cors_headers() == g.cors_headers()
    assert h.get_all("Vary") == g.get_all("Vary")
    assert sorted(h.cors_headers()) == [("Access-Control-Allow-Origin", APP),
                                        ("Access-Control-Expose-Headers", "X-Request-Id")], h


def test_directory_index(srv):
    # H07
    r = get(srv, "/p/dir/", APP)
    assert_allowed(r, APP)
    assert r.body == b"index\n"
    assert r.get("Access-Control-Expose-Headers") == "X-Request-Id"
    assert_logged(srv, "GET /p/dir/index.html 200 cors=allowed")  # %U after mod_dir
    r = get(srv, "/p/dir/", EVIL)
    assert_denied(r)
    r = srv.preflight("/p/dir/", APP, "PUT")
    assert r.status == 204, r
    assert r.vary_tokens() == PREFLIGHT_VARY


def test_trailing_slash_redirect(srv):
    r = get(srv, "/p/dir", APP)
    assert_allowed(r, APP, 301)
    assert r.get("Location").endswith("/p/dir/"), r


def test_rewrite_internal_redirect_into_policy(srv):
    """One request, one policy: /rw/ has none when the module first sees the request, so
    the per-directory rewrite into /p/ brings none, for the GET and the preflight alike."""
    r = get(srv, "/rw/r.txt", APP)
    assert r.status == 200 and r.body == b"p\n", r
    assert_no_cors(r)
    assert "Origin" not in r.vary_tokens(), r
    pf = srv.preflight("/rw/r.txt", APP, "PUT")
    assert pf.status != 204, pf
    assert_no_cors(pf)


def test_rewrite_passthrough_into_policy(srv):
    r = get(srv, "/rwpt/r.txt", APP)
    assert_allowed(r, APP)
    assert r.body == b"p\n"


# ---------------------------------------------------------------------------------------------
# CGI and CORSBackendHeaders
# ---------------------------------------------------------------------------------------------

def test_cgi_headers_replaced(srv):
    r = get(srv, "/cgi/replace/acao.cgi", APP)
    assert r.status == 200, r
    assert r.body == b"cgi body\n"
    assert r.get_all("Access-Control-Allow-Origin") == [APP]
    assert not r.has("Access-Control-Allow-Credentials"), r
    assert not r.has("Access-Control-Expose-Headers"), r
    assert not r.has("Access-Control-Max-Age"), r
    assert r.get("X-Cgi") == "1"
    tokens = r.vary_tokens()
    assert tokens.count("Accept-Encoding") == 1 and tokens.count("Origin") == 1, r
    assert len(tokens) == 2, r


def test_cgi_headers_removed_for_disallowed_origin(srv):
    r = get(srv, "/cgi/replace/acao.cgi", EVIL)
    assert r.status == 200, r
    assert_no_cors(r)
    assert sorted(r.vary_tokens()) == ["Accept-Encoding", "Origin"], r


def test_cgi_without_cors_headers_under_replace(srv):
    r = get(srv, "/cgi/replace/plain.cgi", APP)
    assert_allowed(r, APP)
    assert sorted(r.vary_tokens()) == ["Accept-Encoding", "Origin"], r


@pytest.mark.parametrize("origin", [APP, EVIL, None])
def test_cgi_headers_kept(srv, origin):
    r = get(srv, "/cgi/keep/acao.cgi", origin)
    assert r.status == 200, r
    assert r.get_all("Access-Control-Allow-Origin") == ["*"], r
    assert r.get_all("Access-Control-Allow-Credentials") == ["true"], r
    assert r.get_all("Access-Control-Expose-Headers") == ["X-Cgi"], r
    assert r.get_all("Access-Control-Max-Age") == ["99"], r
    assert r.vary_tokens() == ["Accept-Encoding"], r


def test_cgi_without_cors_headers_under_keep(srv):
    r = get(srv, "/cgi/keep/plain.cgi", APP)
    assert_allowed(r, APP)
    assert sorted(r.vary_tokens()) == ["Accept-Encoding", "Origin"], r


# ---------------------------------------------------------------------------------------------
# mod_proxy and CORSBackendHeaders
# ---------------------------------------------------------------------------------------------

def test_backend_sends_its_own_cors_headers(srv):
    # the precondition of the proxy tests
    r = get(srv, "/x.txt", APP, port=srv.port2)
    assert r.status == 200
    assert r.get_all("Access-Control-Allow-Origin") == ["*"]
    assert r.get_all("Access-Control-Allow-Credentials") == ["true"]


def test_proxy_headers_replaced(srv):
    r = get(srv, "/proxied/x.txt", APP)
    assert r.status == 200, r
    assert r.body == b"backend\n"
    assert r.get_all("Access-Control-Allow-Origin") == [APP], r
    assert not r.has("Access-Control-Allow-Credentials"), r
    assert not r.has("Access-Control-Expose-Headers"), r
    assert r.get("X-Backend") == "1"
    tokens = r.vary_tokens()
    assert tokens.count("Accept-Encoding") == 1 and tokens.count("Origin") == 1, r
    assert len(tokens) == 2, r
    assert_logged(srv, "GET /proxied/x.txt 200 cors=allowed")


def test_proxy_backend_404_replaced(srv):
    r = get(srv, "/proxied/missing.txt", APP)
    assert_allowed(r, APP, 404)
    assert not r.has("Access-Control-Allow-Credentials"), r


def test_proxy_headers_removed_for_disallowed_origin(srv):
    r = get(srv, "/proxied/x.txt", EVIL)
    assert r.status == 200, r
    assert_no_cors(r)
    assert sorted(r.vary_tokens()) == ["Accept-Encoding", "Origin"], r


@pytest.mark.parametrize("origin", [APP, EVIL])
def test_proxy_headers_kept(srv, origin):
    r = get(srv, "/proxied-keep/x.txt", origin)
    assert r.status == 200, r
    assert r.get_all("Access-Control-Allow-Origin") == ["*"], r
    assert r.get_all("Access-Control-Allow-Credentials") == ["true"], r
    assert r.get_all("Access-Control-Expose-Headers") == ["X-Backend"], r
    assert r.vary_tokens() == ["Accept-Encoding"], r


# ---------------------------------------------------------------------------------------------
# mod_headers in the same scope (H08)
# ---------------------------------------------------------------------------------------------

def test_mod_headers_in_same_scope(srv):
    r = get(srv, "/hdr/r.txt", APP)
    assert_allowed(r, APP)
    assert not r.has("Access-Control-Allow-Credentials"), r
    assert r.get("X-Hdr") == "1"
    assert r.vary_tokens() == ["Origin"], r


def test_mod_headers_disallowed_origin_and_no_origin(srv):
    for origin in (EVIL, None):
        r = get(srv, "/hdr/r.txt", origin)
        assert r.status == 200, r
        assert_no_cors(r)
        assert r.vary_tokens() == ["Origin"], r


def test_mod_headers_on_404(srv):
    r = get(srv, "/hdr/missing.txt", APP)
    assert_allowed(r, APP, 404)
    assert not r.has("Access-Control-Allow-Credentials"), r


def test_mod_headers_onsuccess_and_vary_set(srv):
    r = get(srv, "/hdr2/r.txt", APP)
    assert_allowed(r, APP)
    tokens = r.vary_tokens()
    assert sorted(tokens) == ["Accept-Encoding", "Origin"], r


# ---------------------------------------------------------------------------------------------
# preflights never reach the handler or the backend
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/proxied/x.txt", "/proxied-keep/x.txt",
                                  "/cgi/replace/acao.cgi", "/cgi/keep/acao.cgi",
                                  "/hdr/r.txt"])
def test_preflight_answered_by_module(srv, path):
    r = srv.preflight(path, APP, "GET", "content-type")
    assert r.status == 204, r
    assert r.body == b"", r
    assert r.get_all("Access-Control-Allow-Origin") == [APP], r
    assert not r.has("Access-Control-Allow-Credentials"), r
    assert not r.has("X-Backend") and not r.has("X-Cgi") and not r.has("X-Hdr"), r
    assert r.vary_tokens() == PREFLIGHT_VARY, r
