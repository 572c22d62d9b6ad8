# SPDX-License-Identifier: Apache-2.0
"""cors-check audit's proposals, run in a real httpd next to the recipes they replace.

Each case is a recipe as admins write it in .htaccess (mod_headers, mod_setenvif,
mod_rewrite, <If>).  `cors-check audit --json` reads it; one httpd then serves the recipe
in htdocs/recipe/<case>/ and the proposal it printed in htdocs/proposal/<case>/.  Over a grid
of origins, the legitimate ones and attacker origins of the kinds the module's probe makes
(another site, a prefix, a suffix, a dot replaced, plain http, null), the tests check:

* the recipe really lets in the attacker origin audit names (the risk is real), and answers
  the legitimate origins;
* the proposal answers every legitimate origin (with credentials where the recipe had them)
  and refuses every attacker origin of the grid and the one audit named;
* for the other risk kinds, what the recipe does wrong and the proposal does right
  (Vary, error responses, OPTIONS, '*' with credentials).
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "lib"))
from httpd_harness import REPO, serve  # noqa: E402

CHECK = REPO / "cors-check" / "cors-check"
VARY = "Header always merge Vary Origin\n"

# name: (recipe, legitimate origins, credentials, host the attacker grid is made from)
CASES = {
    "dots": ('SetEnvIf Origin "https://.*.your-domain.tld" ORIGIN=$0\n'
             'Header always set Access-Control-Allow-Origin "%{ORIGIN}e" env=ORIGIN\n'
             'Header always set Access-Control-Allow-Credentials "true"\n' + VARY,
             ["https://app.your-domain.tld", "https://a.b.your-domain.tld"], True,
             "app.your-domain.tld"),
    "start-only": ('SetEnvIf Origin "^https://app\\.example\\.com" CORS_OK\n'
                   'Header always set Access-Control-Allow-Origin expr=%{req:Origin} env=CORS_OK\n'
                   + VARY,
                   ["https://app.example.com"], False, "app.example.com"),
    "end-only": ('SetEnvIf Origin "(.*example\\.com)$" CORS_ORIGIN=$1\n'
                 'Header always set Access-Control-Allow-Origin %{CORS_ORIGIN}e env=CORS_ORIGIN\n'
                 + VARY,
                 ["https://example.com", "https://www.example.com"], False, "example.com"),
    "allowlist": ('SetEnvIf Origin "http(s)?://(www\\.)?(google.com|staging.google.com)$" '
                  'AccessControlAllowOrigin=$0\n'
                  'Header add Access-Control-Allow-Origin %{AccessControlAllowOrigin}e '
                  'env=AccessControlAllowOrigin\n'
                  'Header merge Vary Origin\n',
                  ["https://google.com", "https://www.staging.google.com", "http://google.com"],
                  False, "staging.google.com"),
    "https-optional": ('SetEnvIf Origin "^https?://(www\\.)?example\\.com$" CORS_ORIGIN=$0\n'
                       'Header always set Access-Control-Allow-Origin "%{CORS_ORIGIN}e" '
                       'env=CORS_ORIGIN\n'
                       'Header always set Access-Control-Allow-Credentials "true"\n' + VARY,
                       ["https://example.com", "https://www.example.com"], True, "www.example.com"),
    "path-after": ('SetEnvIf Origin "https://(.*)?\\.example\\.com.*" CORS_ORIGIN=$0\n'
                   'Header always set Access-Control-Allow-Origin "%{CORS_ORIGIN}e" env=CORS_ORIGIN\n'
                   + VARY,
                   ["https://app.example.com", "https://a.b.example.com"], False, "app.example.com"),
    "rewrite-dot": ("RewriteEngine on\n"
                    "RewriteCond %{HTTP:Origin} ^https://api.example.com$\n"
                    "RewriteRule ^ - [E=AO:%0]\n"
                    "Header set Access-Control-Allow-Origin %{AO}e env=AO\n",
                    ["https://api.example.com"], False, "api.example.com"),
    "if-unanchored": ('<If "%{HTTP:Origin} =~ /example\\.com/">\n'
                      "    Header always set Access-Control-Allow-Origin expr=%{req:Origin}\n"
                      "</If>\n",
                      ["https://example.com"], False, "example.com"),
    "two-setenvif": ('SetEnvIf Origin "^https://a\\.example\\.com$" ORIGIN_OK=$0\n'
                     'SetEnvIf Origin "^https://b.example.com$" ORIGIN_OK=$0\n'
                     'Header always set Access-Control-Allow-Origin "%{ORIGIN_OK}e" env=ORIGIN_OK\n'
                     + VARY,
                     ["https://a.example.com", "https://b.example.com"], False, "b.example.com"),
    "rewrite-or": ("RewriteEngine On\n"
                   "RewriteCond %{HTTP:Origin} ^https://a\\.example\\.com$ [OR]\n"
                   "RewriteCond %{HTTP:Origin} ^https://b\\.example\\.com$\n"
                   "RewriteRule .* - [E=CORS_ORIGIN:%{HTTP:Origin}]\n"
                   "Header always set Access-Control-Allow-Origin %{CORS_ORIGIN}e env=CORS_ORIGIN\n"
                   + VARY,
                   ["https://a.example.com", "https://b.example.com"], False, "a.example.com"),
    "subdomains": ('SetEnvIf Origin "^https://([a-z0-9-]+\\.)*example\\.com$" CORS_ORIGIN=$0\n'
                   'Header always set Access-Control-Allow-Origin "%{CORS_ORIGIN}e" env=CORS_ORIGIN\n'
                   'Header always set Access-Control-Allow-Credentials "true"\n' + VARY,
                   ["https://example.com", "https://a.b.example.com"], True, "app.example.com"),
    "localhost": ('SetEnvIf Origin "^http://localhost(:[0-9]+)?$" CORS_ORIGIN=$0\n'
                  'Header always set Access-Control-Allow-Origin "%{CORS_ORIGIN}e" env=CORS_ORIGIN\n'
                  'Header always set Access-Control-Allow-Credentials "true"\n' + VARY,
                  ["http://localhost", "http://localhost:3000"], True, "localhost"),
    "if-in": ("<If \"%{HTTP:Origin} in { 'https://a.example.com', 'https://b.example.com' }\">\n"
              "    Header always set Access-Control-Allow-Origin expr=%{req:Origin}\n"
              "    " + VARY + "</If>\n",
              ["https://a.example.com", "https://b.example.com"], False, "a.example.com"),
}

# Recipes whose other risks are checked one by one below.
OTHER = {
    "reflect-any": "SetEnvIf Origin \"(.*)\" ORIGIN=$1\n"
                   "Header always set Access-Control-Allow-Origin \"%{ORIGIN}e\" env=ORIGIN\n"
                   "Header always set Access-Control-Allow-Credentials \"true\"\n",
    "star-credentials": 'Header always set Access-Control-Allow-Origin "*"\n'
                        'Header always set Access-Control-Allow-Credentials "true"\n',
    "lost-on-errors": 'Header set Access-Control-Allow-Origin "*"\n',
    "options": 'Header always set Access-Control-Allow-Origin "https://app.example.com"\n'
               'Header always set Access-Control-Allow-Methods "GET, PUT"\n'
               "RewriteEngine On\n"
               "RewriteCond %{REQUEST_METHOD} OPTIONS\n"
               "RewriteRule ^(.*)$ $1 [R=200,L]\n",
    "no-vary": 'SetEnvIf Origin "^https://app\\.example\\.com$" CORS_ORIGIN=$0\n'
               'Header always set Access-Control-Allow-Origin "%{CORS_ORIGIN}e" env=CORS_ORIGIN\n',
    "null": 'Header always set Access-Control-Allow-Origin "https://app.example.com"\n'
            '<If "%{HTTP:Origin} == \'null\'">\n'
            '    Header always set Access-Control-Allow-Origin "null"\n'
            "</If>\n" + VARY,
}

CONF = """
<Directory "${DOCROOT}/recipe">
    AllowOverride All
    Options FollowSymLinks
</Directory>
<Directory "${DOCROOT}/proposal">
    AllowOverride All
    Options FollowSymLinks
</Directory>
"""


def attacker_grid(host: str) -> list[str]:
    """Origins of the kinds a CORS scanner (and the module's probe) tries for host."""
    site = ".".join(host.split(".")[-2:])
    grid = ["https://evil.example", "null", f"https://evil{site}", f"https://evil-{site}",
            f"https://{host}.evil.example", f"https://{host}evil.example",
            f"http://{host}.evil.example"]
    for i, c in enumerate(host):
        if c == ".":
            grid.append(f"https://{host[:i]}x{host[i + 1:]}")
    return grid


def audit(path: pathlib.Path) -> tuple[int, dict]:
    assert CHECK.exists(), f"{CHECK} does not exist: run `make` in {REPO} first"
    p = subprocess.run([str(CHECK), "audit", "--json", str(path)], capture_output=True,
                       text=True, timeout=30)
    assert p.returncode in (0, 1), p.stderr
    return p.returncode, json.loads(p.stdout)


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    """name -> (exit status, the one recipe's JSON object), for CASES and OTHER."""
    work = tmp_path_factory.mktemp("audit-recipes")
    out = {}
    for name, recipe in [*((n, c[0]) for n, c in CASES.items()), *OTHER.items()]:
        d = work / name
        d.mkdir()
        (d / ".htaccess").write_text(recipe)
        rc, doc = audit(d)
        assert len(doc["recipes"]) == 1, (name, doc)
        out[name] = (rc, doc["recipes"][0])
    return out


@pytest.fixture(scope="module")
def srv(tmp_path_factory, audited):
    files = {}
    for name, (_, recipe) in audited.items():
        source = CASES[name][0] if name in CASES else OTHER[name]
        files[f"htdocs/recipe/{name}/.htaccess"] = source
        files[f"htdocs/recipe/{name}/r"] = "r\n"
        files[f"htdocs/proposal/{name}/.htaccess"] = recipe["proposal"]
        files[f"htdocs/proposal/{name}/r"] = "r\n"
    with serve(tmp_path_factory.mktemp("audit-httpd"), CONF, files=files,
               modules=("headers", "setenvif", "rewrite")) as s:
        yield s


def acao(srv, where: str, name: str, origin: str, path: str = "r"):
    r = srv.request("GET", f"/{where}/{name}/{path}", {"Origin": origin})
    return r, r.get("Access-Control-Allow-Origin")


def regex_attackers(recipe: dict) -> list[str]:
    return [k["origin"] for k in recipe["risks"] if k["kind"] == "regex-lets-in"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_recipe_lets_in_what_audit_says(srv, audited, name):
    _, recipe = audited[name]
    legit = CASES[name][1]
    for origin in legit:
        r, got = acao(srv, "recipe", name, origin)
        assert got == origin, (name, origin, r)
    for origin in regex_attackers(recipe):
        r, got = acao(srv, "recipe", name, origin)
        assert got == origin, f"{name}: audit says {origin} gets in, the recipe says {r}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_proposal_allows_the_intended_and_refuses_attackers(srv, audited, name):
    _, recipe = audited[name]
    legit, credentials, host = CASES[name][1:]
    assert "CORSEngine ReportOnly" not in recipe["proposal"], recipe
    for origin in legit:
        r, got = acao(srv, "proposal", name, origin)
        assert got == origin, (name, origin, recipe["proposal"], r)
        assert r.get("Access-Control-Allow-Credentials") == ("true" if credentials else None)
        assert "Origin" in r.vary_tokens()
    let_in = []
    for origin in [*attacker_grid(host), *regex_attackers(recipe)]:
        if origin in legit:
            continue
        _, by_recipe = acao(srv, "recipe", name, origin)
        r, got = acao(srv, "proposal", name, origin)
        assert got is None, f"{name}: the proposal lets {origin} in:\n{recipe['proposal']}"
        if by_recipe == origin:
            let_in.append(origin)
    # every recipe here has a hole, and the grid or audit's origin finds it
    risky = {k["kind"] for k in recipe["risks"]} & {"regex-lets-in",
                                                   "http-origin-with-credentials"}
    if risky:
        assert let_in or "http-origin-with-credentials" in risky, (name, recipe)


def test_http_origin_with_credentials_is_real(srv, audited):
    _, recipe = audited["https-optional"]
    assert "http-origin-with-credentials" in {k["kind"] for k in recipe["risks"]}
    r, got = acao(srv, "recipe", "https-optional", "http://example.com")
    assert got == "http://example.com" and r.get("Access-Control-Allow-Credentials") == "true"
    _, got = acao(srv, "proposal", "https-optional", "http://example.com")
    assert got is None


def test_reflect_any_is_real_and_its_proposal_only_reports(srv, audited):
    rc, recipe = audited["reflect-any"]
    assert rc == 1 and recipe["origins"] == "any"
    assert [k["kind"] for k in recipe["risks"]] == ["reflects-any-origin", "no-vary"]
    r, got = acao(srv, "recipe", "reflect-any", "https://evil.example")
    assert got == "https://evil.example" and r.get("Access-Control-Allow-Credentials") == "true"
    assert "Origin" not in r.vary_tokens()
    # CORSEngine ReportOnly: the proposal loads, and changes no header
    assert "CORSEngine ReportOnly" in recipe["proposal"]
    r, got = acao(srv, "proposal", "reflect-any", "https://evil.example")
    assert r.status == 200 and got is None


def test_wildcard_with_credentials(srv, audited):
    _, recipe = audited["star-credentials"]
    assert [k["kind"] for k in recipe["risks"]] == ["wildcard-with-credentials"]
    r, got = acao(srv, "recipe", "star-credentials", "https://a.example")
    assert got == "*" and r.get("Access-Control-Allow-Credentials") == "true"
    r, got = acao(srv, "proposal", "star-credentials", "https://a.example")
    assert got == "*" and r.get("Access-Control-Allow-Credentials") is None


def test_lost_on_errors(srv, audited):
    _, recipe = audited["lost-on-errors"]
    assert [k["kind"] for k in recipe["risks"]] == ["lost-on-errors"]
    r, got = acao(srv, "recipe", "lost-on-errors", "https://a.example", path="missing")
    assert r.status == 404 and got is None
    r, got = acao(srv, "proposal", "lost-on-errors", "https://a.example", path="missing")
    assert r.status == 404 and got == "*"


def test_preflight_any_options(srv, audited):
    _, recipe = audited["options"]
    assert [k["kind"] for k in recipe["risks"]] == ["preflight-any-options"]
    r = srv.preflight("/recipe/options/r", "https://evil.example", "DELETE")
    assert r.status == 200
    r = srv.preflight("/proposal/options/r", "https://evil.example", "DELETE")
    assert r.status == 403 and not r.cors_headers()
    r = srv.preflight("/proposal/options/r", "https://app.example.com", "PUT")
    assert r.status == 204 and r.get("Access-Control-Allow-Origin") == "https://app.example.com"


def test_null_allowed(srv, audited):
    _, recipe = audited["null"]
    assert [k["kind"] for k in recipe["risks"]] == ["null-allowed"]
    _, got = acao(srv, "recipe", "null", "null")
    assert got == "null"
    _, got = acao(srv, "proposal", "null", "null")
    assert got is None
    _, got = acao(srv, "proposal", "null", "https://app.example.com")
    assert got == "https://app.example.com"


def test_no_vary(srv, audited):
    _, recipe = audited["no-vary"]
    assert [k["kind"] for k in recipe["risks"]] == ["no-vary"]
    r, got = acao(srv, "recipe", "no-vary", "https://app.example.com")
    assert got == "https://app.example.com" and "Origin" not in r.vary_tokens()
    r, got = acao(srv, "proposal", "no-vary", "https://app.example.com")
    assert got == "https://app.example.com" and "Origin" in r.vary_tokens()


@pytest.mark.parametrize("name", ["rewrite-dot", "if-unanchored", "rewrite-or"])
def test_origin_checks_that_add_vary_themselves(srv, audited, name):
    """mod_rewrite's %{HTTP:Origin} and ap_expr's req('Origin') add Origin to Vary: audit
    says no-vary only where it is really missing."""
    _, recipe = audited[name]
    assert "no-vary" not in {k["kind"] for k in recipe["risks"]}
    r, _ = acao(srv, "recipe", name, CASES[name][1][0])
    assert "Origin" in r.vary_tokens()
