# SPDX-License-Identifier: Apache-2.0
"""One server configuration holding the policies of docs/test-vectors.md (P1..P12) and a few more,
each in its own <Location>, shared by test_preflight.py, test_actual.py, test_origins.py and
test_lists.py.  Each of those modules starts one server from it (module scope).

Paths: /pN/r is a static file under policy PN; /pN/missing does not exist.
"""

import contextlib
import re

from httpd_harness import Httpd, Response, assert_no_cors, serve  # noqa: F401

APP = "https://app.example.com"
EVIL = "https://evil.example"

SAFELISTED_SUFFIX = "Accept, Accept-Language, Content-Language, Content-Type, Range"
PF_VARY = ["Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"]
PF_VARY_PN = PF_VARY + ["Access-Control-Request-Private-Network"]

POLICIES = {
    # id: directives
    "p1": """
        CORSAllowOrigin https://app.example.com
        CORSAllowMethods GET POST PUT DELETE PATCH
        CORSAllowHeaders Content-Type X-Requested-With
        CORSMaxAge 600
        CORSExposeHeaders X-Request-Id
    """,
    "p2": """
        CORSAllowOrigin https://app.example.com https://*.example.com
        CORSAllowMethods PUT
        CORSAllowHeaders Authorization Content-Type
        CORSAllowCredentials On
        CORSMaxAge 7200
        CORSExposeHeaders X-Total-Count
    """,
    "p3": """
        CORSAllowOrigin *
        CORSAllowMethods *
        CORSAllowHeaders *
        CORSExposeHeaders *
    """,
    "p4": """
        CORSAllowOrigin http://localhost:*
        CORSAllowMethods PURGE
        CORSAllowHeaders X-Debug
        CORSAllowCredentials On
    """,
    "p5": """
        CORSAllowOrigin https://example.com
    """,
    "p6": """
        CORSAllowOrigin https://intranet.example.com
        CORSAllowMethods GET
        CORSAllowPrivateNetwork On
    """,
    "p7": """
        CORSAllowOrigin *
        CORSAllowMethods PATCH
        CORSAllowHeaders * Authorization
    """,
    "p8": """
        CORSAllowOrigin https://foo.com https://bar.com
    """,
    "p9": """
        CORSAllowOrigin https://*.example.com
    """,
    "p10": """
        CORSAllowOrigin https://app.example.com
        CORSAllowMethods patch
    """,
    "p12": """
        CORSAllowOrigin http://[::1]:*
    """,
    # ---- more scopes ----
    # P1 answered with 200
    "st200": """
        CORSAllowOrigin https://app.example.com
        CORSAllowMethods PUT
        CORSPreflightStatus 200
    """,
    # P1 with CORSPreflightContinue On
    "cont": """
        CORSAllowOrigin https://app.example.com
        CORSAllowMethods PUT
        CORSAllowHeaders X-Requested-With
        CORSMaxAge 600
        CORSExposeHeaders X-Request-Id
        CORSPreflightContinue On
    """,
    "maxage0": """
        CORSAllowOrigin https://app.example.com
        CORSAllowMethods PUT
        CORSMaxAge 0
    """,
    "maxage86400": """
        CORSAllowOrigin https://app.example.com
        CORSAllowMethods PUT
        CORSMaxAge 86400
    """,
    "expose2": """
        CORSAllowOrigin https://app.example.com
        CORSExposeHeaders Content-Type X-Request-Id
    """,
    # exact origins, incl. normalization of the configured values
    "exact": """
        CORSAllowOrigin https://www.example.com https://api.example.com
        CORSAllowOrigin https://xn--bcher-kva.example
        CORSAllowOrigin HTTPS://Upper.Example.COM
        CORSAllowOrigin https://dflt.example:443 http://dflt.example:80
        CORSAllowOrigin https://port.example:8443 capacitor://localhost
        CORSAllowOrigin http://127.0.0.1:5173 http://[::1]:3000
    """,
    # subdomain + port patterns
    "subport": """
        CORSAllowOrigin https://*.sub.test:*
        CORSAllowOrigin https://*.p8443.test:8443
    """,
    "null": """
        CORSAllowOrigin null https://app.example.com
    """,
    # CORSAllowOriginMatch
    "rx1": r"""
        CORSAllowOriginMatch https://.*\.example\.com
    """,
    "rx2": r"""
        CORSAllowOriginMatch app\.example\.com
    """,
    "rx3": r"""
        CORSAllowOriginMatch https://[a-z]+\.example\.com|https://other\.test
    """,
    "rx4": r"""
        CORSAllowOriginMatch ^https://x[0-9]+\.example\.net$
        CORSAllowOrigin https://plain.example.net
    """,
    "rx5": r"""
        CORSAllowOriginMatch https://.*
    """,
    # list directives: repeated lines add up, lowercase standard methods are uppercased
    "lists": """
        CORSAllowOrigin https://app.example.com
        CORSAllowMethods put
        CORSAllowMethods delete PURGE
        CORSAllowHeaders X-One
        CORSAllowHeaders x-two X-Three
        CORSExposeHeaders X-E1
        CORSExposeHeaders X-E2
    """,
}

EXTRA_CONF = """
<Directory "${DOCROOT}">
    AddHandler send-as-is .asis
</Directory>
<Location "/p1/denied">
    Require all denied
</Location>
Redirect 301 /p1/old https://elsewhere.example/new
# the second port accepts huge header fields, to test the module's own ACRH bound (D07)
<VirtualHost 127.0.0.1:${PORT2}>
    LimitRequestFieldSize 2000000
</VirtualHost>
"""


def conf() -> str:
    out = []
    for pid, body in POLICIES.items():
        lines = "\n".join("    " + ln.strip() for ln in body.strip().splitlines())
        out.append(f'<Location "/{pid}/">\n{lines}\n</Location>')
    out.append(EXTRA_CONF)
    return "\n".join(out)


def files() -> dict:
    f = {}
    for pid in POLICIES:
        f[f"htdocs/{pid}/r"] = f"resource {pid}\n"
    f["htdocs/nopolicy/r"] = "no policy\n"
    f["htdocs/p1/err.asis"] = ("Status: 500 Internal Server Error\nContent-Type: text/plain\n\n"
                               "boom\n")
    f["htdocs/p1/denied/r"] = "never\n"
    return f


# Expected startup warnings: P10 lists the lowercase method `patch`; CORSMaxAge 86400
# (Chromium caps at 7200 s); rx5's `https://.*` matches any site; p6's
# CORSAllowPrivateNetwork On (Chrome replaced those preflights).
STARTUP_ALLOW = [r"\[cors:warn\].*patch", r"\[cors:warn\].*CORSMaxAge: 86400",
                 r"\[cors:warn\].*CORSAllowOriginMatch: 'https://\.\*' matches the origin of any",
                 r"\[cors:warn\].*CORSAllowPrivateNetwork: Chrome has replaced Private Network "
                 r"Access preflights with the Local Network Access permission"]


@contextlib.contextmanager
def policy_server(workdir):
    with serve(workdir, conf(), files=files(), modules=("asis", "alias"),
               startup_allow=STARTUP_ALLOW) as s:
        yield s


# ------------------------------------------------------------------------------------------
# assertion helpers
# ------------------------------------------------------------------------------------------

def cors_names(r: Response) -> set[str]:
    return {k.lower() for k, _ in r.cors_headers()}


def assert_ok_preflight(r: Response, origin: str, *, status=204, acac=False, acam=None,
                        acah=None, acma=None, acapn=False, vary=PF_VARY):
    """Exact successful preflight answer: status, no body, exactly these Access-Control-*
    headers, each once."""
    assert r.status == status, r
    assert r.body == b"", r
    assert r.get("Access-Control-Allow-Origin") == origin, r
    expected = {"access-control-allow-origin"}
    if acac:
        assert r.get("Access-Control-Allow-Credentials") == "true", r
        expected.add("access-control-allow-credentials")
    if acam is not None:
        assert r.get("Access-Control-Allow-Methods") == acam, r
        expected.add("access-control-allow-methods")
    if acah is not None:
        assert r.get("Access-Control-Allow-Headers") == acah, r
        expected.add("access-control-allow-headers")
    if acma is not None:
        assert r.get("Access-Control-Max-Age") == acma, r
        expected.add("access-control-max-age")
    if acapn:
        assert r.get("Access-Control-Allow-Private-Network") == "true", r
        expected.add("access-control-allow-private-network")
    assert cors_names(r) == expected, r
    if vary is not None:
        assert r.vary_tokens() == vary, r


def assert_denied_preflight(r: Response, vary=PF_VARY):
    assert r.status == 403, r
    assert r.body == b"", r
    assert_no_cors(r)
    if vary is not None:
        assert r.vary_tokens() == vary, r


def assert_allowed_actual(r: Response, origin: str, *, status=200, acac=False, aceh=None,
                          vary=("Origin",)):
    assert r.status == status, r
    assert r.get_all("Access-Control-Allow-Origin") == [origin], r
    expected = {"access-control-allow-origin"}
    if acac:
        assert r.get("Access-Control-Allow-Credentials") == "true", r
        expected.add("access-control-allow-credentials")
    if aceh is not None:
        assert r.get("Access-Control-Expose-Headers") == aceh, r
        expected.add("access-control-expose-headers")
    assert cors_names(r) == expected, r
    if vary is not None:
        assert r.vary_tokens() == list(vary), r


def assert_denied_actual(r: Response, *, status=200):
    assert r.status == status, r
    assert_no_cors(r)
    assert r.vary_tokens() == ["Origin"], r


def logged(srv, r: Response) -> str:
    """The access-log line of the request that got r ("%m %U %>s cors=%{cors}n")."""
    return srv.access_log_line(r)


def debug_lines(srv) -> list[str]:
    return [ln for ln in srv.new_log_lines() if "[cors:debug]" in ln]


def assert_debug_mentions(srv, *needles, flags=re.I):
    """Some [cors:debug] line since the last mark contains every needle (case-insensitive)."""
    lines = debug_lines(srv)
    for ln in lines:
        if all(re.search(re.escape(n), ln, flags) for n in needles):
            return ln
    raise AssertionError(f"no [cors:debug] line naming {needles!r}; lines since mark:\n"
                         + "\n".join(srv.new_log_lines()))
