# SPDX-License-Identifier: Apache-2.0
"""One request, one policy: the policy in effect when mod_cors first sees a request (the URL
the browser asked for, after every section is merged) governs its preflight and every
response to it.  An internal redirect -- a per-directory RewriteRule (.htaccess or
<Directory>), DirectoryIndex, ErrorDocument, a CGI's local `Location:` -- never switches to
the target's policy, and a request that had no policy when first seen gets none from its
target.  So a preflight and the actual request to one URL always agree.

Every case is sent over HTTP/1.1 (the harness's raw client) and over HTTP/2 (h2c with prior
knowledge, through test_http2's curl client); the request note is read from the access log
for HTTP/1.1.

The last part checks that a response carries the `Origin` token of Vary once whoever else
sets Vary (a CGI and `Header always set` in err_headers_out, a proxied backend and
`Header set` in headers_out).  httpd itself folds duplicate Vary tokens of the two tables on
the wire, over HTTP/1.1 (the header filter) and over HTTP/2 alike (mod_http2 does the same
when it builds the HEADERS frame): a mod_cors that added `Origin` unconditionally would still
pass those.  So the same responses are also read where httpd has not folded them yet: the
headers mod_cache_disk stores, taken after mod_cors's filter has run.

Policies: A, B and C are three origins; each scope allows one of them, so which one a
response allows says which scope's policy answered.
"""

import pathlib
import time

import pytest

from httpd_harness import cgi_script, serve
from test_http2 import curl, h2c_unavailable

A = "https://a.example"
B = "https://b.example"
C = "https://c.example"
EVIL = "https://evil.example"
PF_VARY = ["Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"]

# mod_http2 needs a threaded MPM (under prefork it stays off and logs a warning).
H2_UNAVAILABLE = h2c_unavailable()

MODULES = ("rewrite", "dir", "cgid", "headers", "proxy", "proxy_http", "alias", "cache",
           "cache_disk") \
    + (("http2",) if H2_UNAVAILABLE is None else ())

CONF = r"""
<IfModule http2_module>
  Protocols h2c http/1.1
  H2Direct on
</IfModule>

# ---- per-directory mod_rewrite into another policy ------------------------------------------
# /rwa/: policy A and its rewrites in .htaccess; /rwd/: the same in <Directory>; /rwl/: in
# <Location>.
<Directory "${DOCROOT}/rwa">
  AllowOverride FileInfo
  Options +FollowSymLinks
</Directory>
<Directory "${DOCROOT}/rwd">
  Options +FollowSymLinks
  CORSAllowOrigin https://a.example
  RewriteEngine On
  RewriteRule "^to-b$" "/rwb/data.json" [L]
</Directory>
<Location "/rwl/">
  CORSAllowOrigin https://a.example
  RewriteEngine On
  RewriteRule "to-b$" "/rwb/data.json" [L]
</Location>
<Directory "${DOCROOT}/rwb">
  CORSAllowOrigin https://b.example
  ErrorDocument 404 /rwb/404.html
</Directory>
# a step of a rewrite chain, under a third policy
<Directory "${DOCROOT}/mid">
  Options +FollowSymLinks
  CORSAllowOrigin https://c.example
  RewriteEngine On
  RewriteRule "^chain$" "/rwb/data.json" [L]
  RewriteRule "^to-h$" "/h/d.json" [L]
</Directory>

# ---- rewritten from outside any policy into one ----------------------------------------------
<Directory "${DOCROOT}/norw">
  AllowOverride FileInfo
  Options +FollowSymLinks
</Directory>
<Directory "${DOCROOT}/h">
  CORSAllowOrigin https://a.example
</Directory>

# ---- DirectoryIndex into a <Files> policy ----------------------------------------------------
<Directory "${DOCROOT}/dx">
  DirectoryIndex index.json
  <Files "index.json">
    CORSAllowOrigin https://a.example
  </Files>
</Directory>
<Directory "${DOCROOT}/dy">
  CORSAllowOrigin https://a.example
  DirectoryIndex index.json
  <Files "index.json">
    CORSAllowOrigin https://b.example
  </Files>
</Directory>

# ---- ErrorDocument ---------------------------------------------------------------------------
<Directory "${DOCROOT}/ea">
  CORSAllowOrigin https://a.example
  ErrorDocument 404 /eb/404.html
</Directory>
<Directory "${DOCROOT}/eb">
  CORSAllowOrigin https://b.example
</Directory>
<Directory "${DOCROOT}/ec">
  CORSAllowOrigin https://a.example
  ErrorDocument 404 /enone/404.html
</Directory>
<Directory "${DOCROOT}/enp">
  ErrorDocument 404 /h/404.html
</Directory>

# ---- a handler's internal redirect: CGI "Location: /path" without a status -------------------
<Directory "${DOCROOT}/cgia">
  Options +ExecCGI
  AddHandler cgi-script .cgi
  CORSAllowOrigin https://a.example
</Directory>
<Directory "${DOCROOT}/cginp">
  Options +ExecCGI
  AddHandler cgi-script .cgi
</Directory>

# ---- redirects to the client, made before mod_cors sees the request -------------------------
# httpd merges <Location> sections before it maps the URL (so a Redirect there, or at server
# level, sees them), <Directory> sections only after.
Redirect 302 /srvloc/ /h/
<Location "/srvloc/">
  CORSAllowOrigin https://a.example
</Location>
<Location "/locredir/">
  CORSAllowOrigin https://a.example
  Redirect 302 /h/
</Location>
Redirect 302 /srvdir/ /h/
<Directory "${DOCROOT}/srvdir">
  CORSAllowOrigin https://a.example
</Directory>

# ---- Vary set by others ----------------------------------------------------------------------
<Directory "${DOCROOT}/vcgi">
  Options +ExecCGI
  AddHandler cgi-script .cgi
  CORSAllowOrigin https://a.example
</Directory>
<VirtualHost 127.0.0.1:${PORT2}>
  DocumentRoot "${SERVERROOT}/backend"
  <Directory "${SERVERROOT}/backend">
    Require all granted
  </Directory>
  Header set Vary Origin
</VirtualHost>
<Location "/vproxy/">
  ProxyPass "http://127.0.0.1:${PORT2}/"
  CORSAllowOrigin https://a.example
</Location>
<Directory "${DOCROOT}/vhset">
  CORSAllowOrigin https://a.example
  Header set Vary Origin
</Directory>
<Directory "${DOCROOT}/vhalways">
  CORSAllowOrigin https://a.example
  Header always set Vary Origin
</Directory>
# The same four under /cache/, where mod_cache_disk stores each response as the output
# filters leave it, before httpd folds the Vary lines of the two header tables into one.
CacheRoot "${SERVERROOT}/cache"
CacheDirLevels 1
CacheDirLength 1
CacheEnable disk /cache/
Alias "/cache/vcgi" "${DOCROOT}/vcgi"
Alias "/cache/vhset" "${DOCROOT}/vhset"
Alias "/cache/vhalways" "${DOCROOT}/vhalways"
<Location "/cache/vproxy/">
  ProxyPass "http://127.0.0.1:${PORT2}/"
  CORSAllowOrigin https://a.example
</Location>
<Location "/cache/">
  Header always set Cache-Control "max-age=300"
</Location>
"""


FILES = {
    "htdocs/rwa/.htaccess": (
        "CORSAllowOrigin https://a.example\n"
        "RewriteEngine On\n"
        'RewriteRule "^to-b$" "/rwb/data.json" [L]\n'
        'RewriteRule "^to-missing$" "/rwb/missing.json" [L]\n'
        'RewriteRule "^chain$" "/mid/chain" [L]\n'),
    "htdocs/rwd/.keep": "",
    "htdocs/rwl/.keep": "",
    "htdocs/rwb/data.json": '{"dir": "rwb"}\n',
    "htdocs/rwb/404.html": "rwb-404-page\n",
    "htdocs/mid/.keep": "",
    "htdocs/norw/.htaccess": (
        "RewriteEngine On\n"
        'RewriteRule "^to-h$" "/h/d.json" [L]\n'
        'RewriteRule "^chain$" "/mid/to-h" [L]\n'),
    "htdocs/h/d.json": '{"dir": "h"}\n',
    "htdocs/h/404.html": "h-404-page\n",
    "htdocs/dx/index.json": '{"dir": "dx"}\n',
    "htdocs/dy/index.json": '{"dir": "dy"}\n',
    "htdocs/ea/.keep": "",
    "htdocs/eb/404.html": "eb-404-page\n",
    "htdocs/ec/.keep": "",
    "htdocs/enone/404.html": "enone-404-page\n",
    "htdocs/enp/.keep": "",
    "htdocs/cgia/redir.cgi": cgi_script(["Location: /rwb/data.json"]),
    "htdocs/cginp/redir.cgi": cgi_script(["Location: /h/d.json"]),
    "htdocs/vcgi/v.cgi": cgi_script(["Content-Type: text/plain", "Vary: Origin"], "vcgi\\n"),
    "backend/x.txt": "backend\n",
    "htdocs/vhset/r.txt": "vhset\n",
    "htdocs/vhalways/r.txt": "vhalways\n",
}


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("one-policy"), CONF, files=FILES,
               modules=MODULES) as s:
        yield s


@pytest.fixture(params=["h1", "h2"])
def proto(request):
    if request.param == "h2":
        if H2_UNAVAILABLE is not None:
            pytest.skip(H2_UNAVAILABLE)
    return request.param


# ---------------------------------------------------------------------------------------------
# requests and checks, the same for both protocols
# ---------------------------------------------------------------------------------------------

def send(srv, proto, method, path, headers=()):
    """The response over HTTP/1.1 (with its body and access-log line) or HTTP/2 (headers
    only: test_http2's curl client)."""
    if proto == "h1":
        r = srv.request(method, path, list(headers))
        r.note = srv.access_log_line(r).rsplit(" cors=", 1)[1]
        return r
    r = curl(srv, "h2", method, path, list(headers))
    r.body = r.note = None
    return r


def get(srv, proto, path, origin=None):
    return send(srv, proto, "GET", path, [("Origin", origin)] if origin else [])


def preflight(srv, proto, path, origin, method="GET"):
    return send(srv, proto, "OPTIONS", path,
                [("Origin", origin), ("Access-Control-Request-Method", method)])


def cors_headers(r):
    return [(k, v) for k, v in r.headers if k.lower().startswith("access-control-")]


def origin_tokens(r):
    """How often `origin` (any case) stands in the Vary lines of r, all lines together."""
    return [t for t in r.vary_tokens() if t.lower() == "origin"]


def assert_note(r, note):
    if r.note is not None:      # HTTP/1.1: the access log
        assert r.note == note, f"note {r.note!r}, want {note!r}\n{r}"


def assert_body(r, body):
    if r.body is not None:      # HTTP/1.1
        assert r.body == body, r


def assert_allows(r, origin, status=200, note="allowed"):
    """An actual response under a policy that allows `origin`."""
    assert r.status == status, r
    assert r.get_all("Access-Control-Allow-Origin") == [origin], r
    assert len(origin_tokens(r)) == 1, r
    assert_note(r, note)


def assert_denies(r, status=200, note="denied-origin"):
    """An actual response under a policy that does not allow the request's origin."""
    assert r.status == status, r
    assert not cors_headers(r), r
    assert len(origin_tokens(r)) == 1, r
    assert_note(r, note)


def assert_no_policy(r, status=200):
    """A response to a request outside any policy: nothing of mod_cors."""
    assert r.status == status, r
    assert not cors_headers(r), r
    assert not origin_tokens(r), r
    assert_note(r, "-")


def assert_preflight_ok(r, origin):
    assert r.status == 204, r
    assert r.get_all("Access-Control-Allow-Origin") == [origin], r
    assert r.vary_tokens() == PF_VARY, r
    assert_note(r, "preflight-ok")


def assert_preflight_denied(r):
    assert r.status == 403, r
    assert not cors_headers(r), r
    assert r.vary_tokens() == PF_VARY, r
    assert_note(r, "preflight-denied-origin")


def assert_not_answered(r):
    """A preflight outside any policy: not answered by mod_cors (the handler answered the
    OPTIONS request, with 200 and Allow), no CORS header, no Vary token, no note."""
    assert r.status == 200, r
    assert r.get("Allow") is not None, r
    assert_no_policy(r)


# ---------------------------------------------------------------------------------------------
# The targets' own policies: what the redirected requests would get if the policy switched
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, own, other", [
    ("/rwb/data.json", B, A), ("/h/d.json", A, B), ("/dx/index.json", A, B),
    ("/dy/index.json", B, A), ("/eb/404.html", B, A),
])
def test_targets_have_their_own_policy(srv, proto, path, own, other):
    """The precondition of every test below: requested directly, each target answers with
    its own policy."""
    assert_allows(get(srv, proto, path, own), own)
    assert_denies(get(srv, proto, path, other))
    assert_preflight_ok(preflight(srv, proto, path, own), own)


# ---------------------------------------------------------------------------------------------
# 1. per-directory RewriteRule into a directory with another policy
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/rwa/to-b", "/rwd/to-b", "/rwl/to-b"],
                         ids=["htaccess", "directory", "location"])
def test_rewrite_keeps_the_policy_of_the_requested_url(srv, proto, path):
    """/rwa/to-b is rewritten to /rwb/data.json (policy B): the preflight and the GET both
    answer with /rwa/'s policy (A allowed, B denied)."""
    assert_preflight_ok(preflight(srv, proto, path, A), A)
    assert_preflight_denied(preflight(srv, proto, path, B))
    r = get(srv, proto, path, A)
    assert_allows(r, A)
    assert_body(r, b'{"dir": "rwb"}\n')
    r = get(srv, proto, path, B)
    assert_denies(r)
    assert_body(r, b'{"dir": "rwb"}\n')
    assert_denies(get(srv, proto, path), note="no-origin")


def test_rewrite_chain_keeps_the_first_policy(srv, proto):
    """/rwa/chain (A) -> /mid/chain (C) -> /rwb/data.json (B): A throughout."""
    path = "/rwa/chain"
    assert_preflight_ok(preflight(srv, proto, path, A), A)
    for other in (B, C):
        assert_preflight_denied(preflight(srv, proto, path, other))
    r = get(srv, proto, path, A)
    assert_allows(r, A)
    assert_body(r, b'{"dir": "rwb"}\n')
    for other in (B, C):
        assert_denies(get(srv, proto, path, other))


# ---------------------------------------------------------------------------------------------
# 2. rewritten from outside any policy into one
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/norw/to-h", "/norw/chain"], ids=["rewrite", "chain"])
def test_rewrite_from_no_policy_brings_none(srv, proto, path):
    """/norw/to-h (no policy) is rewritten to /h/d.json (policy A); /norw/chain goes there
    through /mid/ (policy C).  Neither the preflight nor the GET gets a policy."""
    for origin in (A, C):
        assert_not_answered(preflight(srv, proto, path, origin))
        r = get(srv, proto, path, origin)
        assert_no_policy(r)
        assert_body(r, b'{"dir": "h"}\n')
    assert_no_policy(get(srv, proto, path))


# ---------------------------------------------------------------------------------------------
# 3. DirectoryIndex into a <Files> policy
# ---------------------------------------------------------------------------------------------

def test_directory_index_from_no_policy_brings_none(srv, proto):
    """/dx/ has no policy, its index.json has A (<Files>): requested as /dx/, none."""
    assert_not_answered(preflight(srv, proto, "/dx/", A))
    r = get(srv, proto, "/dx/", A)
    assert_no_policy(r)
    assert_body(r, b'{"dir": "dx"}\n')


def test_directory_index_keeps_the_directory_policy(srv, proto):
    """/dy/ has A, its index.json has B (<Files>): requested as /dy/, A."""
    assert_preflight_ok(preflight(srv, proto, "/dy/", A), A)
    assert_preflight_denied(preflight(srv, proto, "/dy/", B))
    r = get(srv, proto, "/dy/", A)
    assert_allows(r, A)
    assert_body(r, b'{"dir": "dy"}\n')
    assert_denies(get(srv, proto, "/dy/", B))


# ---------------------------------------------------------------------------------------------
# 4. ErrorDocument, a handler's internal redirect
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, page", [
    ("/ea/missing", b"eb-404-page\n"),        # the error page is under policy B
    ("/ec/missing", b"enone-404-page\n"),     # the error page is under no policy
])
def test_error_document_answers_with_the_policy_of_the_failed_url(srv, proto, path, page):
    assert_preflight_ok(preflight(srv, proto, path, A), A)
    assert_preflight_denied(preflight(srv, proto, path, B))
    r = get(srv, proto, path, A)
    assert_allows(r, A, 404)
    assert_body(r, page)
    r = get(srv, proto, path, B)
    assert_denies(r, 404)
    assert_body(r, page)


def test_error_document_from_no_policy_brings_none(srv, proto):
    """/enp/ has no policy; its ErrorDocument page is under policy A."""
    r = preflight(srv, proto, "/enp/missing", A)
    assert not cors_headers(r) and not origin_tokens(r), r
    assert_note(r, "-")
    r = get(srv, proto, "/enp/missing", A)
    assert_no_policy(r, 404)
    assert_body(r, b"h-404-page\n")


def test_error_document_after_a_rewrite(srv, proto):
    """/rwa/to-missing (A) is rewritten to /rwb/missing.json (B), which fails; /rwb/'s
    ErrorDocument answers.  The policy is still /rwa/'s."""
    path = "/rwa/to-missing"
    assert_preflight_ok(preflight(srv, proto, path, A), A)
    assert_preflight_denied(preflight(srv, proto, path, B))
    r = get(srv, proto, path, A)
    assert_allows(r, A, 404)
    assert_body(r, b"rwb-404-page\n")
    assert_denies(get(srv, proto, path, B), 404)


def test_cgi_local_redirect_keeps_the_policy(srv, proto):
    """A CGI under policy A answers `Location: /rwb/data.json` with no status, which mod_cgid
    turns into an internal redirect to a file under policy B: A throughout."""
    path = "/cgia/redir.cgi"
    assert_preflight_ok(preflight(srv, proto, path, A), A)
    assert_preflight_denied(preflight(srv, proto, path, B))
    r = get(srv, proto, path, A)
    assert_allows(r, A)
    assert_body(r, b'{"dir": "rwb"}\n')
    assert_denies(get(srv, proto, path, B))


def test_cgi_local_redirect_from_no_policy_brings_none(srv, proto):
    """The same from a CGI under no policy to /h/d.json (policy A): none, for the GET and
    for an OPTIONS preflight (which the CGI answers with the same redirect)."""
    path = "/cginp/redir.cgi"
    r = get(srv, proto, path, A)
    assert_no_policy(r)
    assert_body(r, b'{"dir": "h"}\n')
    r = preflight(srv, proto, path, A)
    assert_no_policy(r)
    assert_body(r, b'{"dir": "h"}\n')


@pytest.mark.parametrize("path, policy", [("/srvloc/x", True), ("/locredir/x", True),
                                          ("/srvdir/x", False)],
                         ids=["server-level-location-policy", "in-location",
                              "server-level-directory-policy"])
def test_redirect_before_the_module_is_outside_the_rule(srv, proto, path, policy):
    """A Redirect at server level or in <Location> answers before mod_cors sees the request,
    preflight and GET alike (a 302, never a 204 from the module).  Its response gets what
    httpd had merged by then: a <Location> policy (as for an actual request), not a
    <Directory> one.  The preflight and the GET still agree."""
    for origin in (A, B):
        pf = preflight(srv, proto, path, origin)
        r = get(srv, proto, path, origin)
        for resp in (pf, r):
            assert resp.status == 302 and "/h/" in resp.get("Location"), resp
            if not policy:
                assert_no_policy(resp, 302)
            elif origin == A:
                assert_allows(resp, A, 302)
            else:
                assert_denies(resp, 302)


# ---------------------------------------------------------------------------------------------
# 6. Vary: Origin once, whoever else sets it
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/vcgi/v.cgi", "/vproxy/x.txt", "/vhset/r.txt",
                                  "/vhalways/r.txt"],
                         ids=["cgi", "proxy", "header-set", "header-always-set"])
def test_vary_origin_once(srv, proto, path):
    """A CGI's Vary (err_headers_out), a proxied backend's (headers_out), mod_headers'
    `Header set` (headers_out) and `Header always set` (err_headers_out) already name Origin:
    the response names it once, for an allowed and a denied origin, without Origin, and on a
    preflight."""
    r = get(srv, proto, path, A)
    assert_allows(r, A)
    assert len(r.vary_tokens()) == 1, r
    r = get(srv, proto, path, EVIL)
    assert_denies(r)
    assert len(r.vary_tokens()) == 1, r
    r = get(srv, proto, path)
    assert_denies(r, note="no-origin")
    assert len(r.vary_tokens()) == 1, r
    assert_preflight_ok(preflight(srv, proto, path, A), A)
    assert_preflight_denied(preflight(srv, proto, path, EVIL))


def stored_response_headers(srv, path, want):
    """The response header lines mod_cache_disk stored for `path` (one list per stored
    variant), waiting (<= 3 s) until there are `want` variants."""
    key = f"{path}?".encode()
    deadline = time.monotonic() + 3
    while True:
        found = []
        for f in pathlib.Path(srv.root, "cache").rglob("*.header"):
            data = f.read_bytes()
            at = data.find(key)
            if at < 0 or b".vary" not in str(f).encode():
                continue
            head = data[at + len(key):].split(b"\r\n\r\n", 1)[0]
            found.append(head.decode("latin-1").split("\r\n"))
        if len(found) >= want or time.monotonic() > deadline:
            return found
        time.sleep(0.02)


@pytest.mark.parametrize("path", ["/cache/vcgi/v.cgi", "/cache/vproxy/x.txt",
                                  "/cache/vhset/r.txt", "/cache/vhalways/r.txt"],
                         ids=["cgi", "proxy", "header-set", "header-always-set"])
def test_vary_origin_once_in_both_header_tables(srv, path):
    """mod_cors's own de-duplication, seen where httpd has not folded the Vary lines yet: the
    headers mod_cache stores are both tables of the response as the output filters (mod_cors
    among them) left them.  Each stored variant (an allowed origin, a denied one) names
    Origin once across all of its Vary lines."""
    assert_allows(get(srv, "h1", path, A), A)
    assert_denies(get(srv, "h1", path, EVIL))
    stored = stored_response_headers(srv, path, 2)
    assert len(stored) == 2, stored
    for lines in stored:
        vary = [ln.split(":", 1)[1] for ln in lines if ln.lower().startswith("vary:")]
        tokens = [t.strip().lower() for v in vary for t in v.split(",")]
        assert tokens == ["origin"], lines
