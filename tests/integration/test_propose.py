# SPDX-License-Identifier: Apache-2.0
"""cors-check propose against the log of a real httpd, and its proposal loaded back.

1. An httpd with two virtual hosts logs with the cors_observe LogFormat (read from
   conf-examples/observe-traffic.conf, the one docs/moving-to-mod_cors.md gives) while a reflect-any-origin
   recipe answers and mod_cors runs beside it under CORSEngine ReportOnly.  It gets traffic
   from partners, tenant subdomains of a SaaS, scanners' lookalikes, `null`, values that
   are no origin, rare origins, requests outside --prefix and requests without Origin.
2. `cors-check propose --prefix /api/` on that log: what it proposes (JSON) and why it
   leaves each other origin out.
3. A new httpd, the recipe gone, each virtual host with its section of the text output
   pasted as it is: the same traffic again.  Partners and tenants (the rare one under the
   tenants' pattern too) are allowed, their preflights pass; lookalikes, `null`, invalid
   values and rare origins are refused.
"""

import json
import pathlib
import re
import subprocess

import pytest

from httpd_harness import REPO, serve

CORS_CHECK = REPO / "cors-check" / "cors-check"
EXAMPLE = REPO / "conf-examples" / "observe-traffic.conf"


def observe_logformat() -> str:
    lines = [ln for ln in EXAMPLE.read_text().splitlines() if ln.startswith("LogFormat ")]
    assert len(lines) == 1 and lines[0].endswith(" cors_observe"), lines
    return lines[0]


VHOST = """
<VirtualHost 127.0.0.1:{port}>
    ServerName {name}
    DocumentRoot "${{DOCROOT}}"
    CustomLog "${{SERVERROOT}}/logs/observe_log" cors_observe
{body}
</VirtualHost>
"""

RECIPE = """
    <Location "/api/">
        SetEnvIf Origin "^(.+)$" CORS_ORIGIN=$1
        Header always set Access-Control-Allow-Origin "%{CORS_ORIGIN}e" env=CORS_ORIGIN
        Header always merge Vary Origin
        CORSAllowOrigin https://app.partner-one.test
        CORSEngine ReportOnly
    </Location>
"""

FILES = {"htdocs/api/r": "api\n", "htdocs/page": "page\n"}

PARTNER = "https://app.partner-one.test"
PARTNER2 = "https://portal.partner-two.test:8443"
TENANTS = ["https://acme.app.saas.test", "https://globex.app.saas.test",
           "https://initech.app.saas.test"]
RARE_TENANT = "https://umbrella.app.saas.test"
LOOKALIKES = ["https://evilpartner-one.test", "https://app.partner-one.test.attacker.test",
              "https://evilsaas.test"]
INVALID = ["https://APP.partner-one.test", "https://app.partner-one.test/",
           'https://app.partner-one.test"x']
RARE = ["https://once.other.test", "https://twice.other.test"]
WWW_PARTNER = "https://shop.www-partner.test"

# (origin, GET requests to /api/r, preflights: (method, request headers) or None)
API_TRAFFIC = [
    (PARTNER, 6, [("PUT", "content-type,x-request-id"), ("PUT", "content-type")]),
    (PARTNER2, 4, [("DELETE", None)]),
    (TENANTS[0], 3, [("PATCH", "x-tenant")]),
    (TENANTS[1], 3, []),
    (TENANTS[2], 3, []),
    (RARE_TENANT, 1, []),
    (LOOKALIKES[0], 4, [("DELETE", "x-evil")]),
    (LOOKALIKES[1], 4, []),
    (LOOKALIKES[2], 4, []),
    ("null", 5, []),
    (INVALID[0], 4, []),
    (INVALID[1], 3, []),
    (INVALID[2], 3, []),
    (RARE[0], 1, []),
    (RARE[1], 2, []),
]


def observe_conf(port, port2):
    return "\n".join([
        observe_logformat(),
        VHOST.format(port=port, name="api.example.test", body=RECIPE),
        VHOST.format(port=port2, name="www.example.test", body=RECIPE),
    ])


def send_traffic(srv) -> int:
    """Sends the traffic; returns how many requests it made."""
    n = 0
    for origin, gets, preflights in API_TRAFFIC:
        for method, headers in preflights:
            r = srv.preflight("/api/r", origin, method, headers)
            assert r.status == 200, r            # ReportOnly: the recipe's server answers
            n += 1
        for _ in range(gets):
            assert srv.request("GET", "/api/r", {"Origin": origin}).status == 200
            n += 1
    for _ in range(5):      # outside --prefix, and without an Origin
        srv.request("GET", "/page", {"Origin": "https://outside.test"})
        srv.request("GET", "/api/r")
        n += 2
    for _ in range(3):      # the other virtual host
        srv.request("GET", "/api/r", {"Origin": WWW_PARTNER}, port=srv.port2)
    srv.request("GET", "/api/r", {"Origin": RARE[0]}, port=srv.port2)
    return n + 4


def propose(*args):
    p = subprocess.run([str(CORS_CHECK), "propose", *args], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


@pytest.fixture(scope="module")
def observed(tmp_path_factory):
    """The cors_observe log of the first httpd, after all the traffic."""
    work = tmp_path_factory.mktemp("propose-observe")
    with serve(work, observe_conf("${PORT}", "${PORT2}"), files=FILES,
               modules=("headers", "setenvif")) as srv:
        sent = send_traffic(srv)
    log = work / "logs" / "observe_log"
    assert sum(1 for _ in log.open()) == sent       # httpd has stopped: every line is there
    return log


def test_the_log_is_in_the_format(observed):
    text = observed.read_text()
    assert 'api.example.test "OPTIONS /api/r HTTP/1.1" 200 "https://app.partner-one.test"' \
           ' "PUT" "content-type,x-request-id" preflight-denied-method' in text
    assert 'api.example.test "GET /api/r HTTP/1.1" 200 "https://evilpartner-one.test" "-" "-"' \
           ' denied-origin' in text
    # httpd escapes the quote; the reader keeps the escape
    assert '"https://app.partner-one.test\\"x"' in text


@pytest.fixture(scope="module")
def proposal(observed):
    rc, out, err = propose("--json", "--prefix", "/api/", str(observed))
    assert rc == 0, err
    assert err == ""
    doc = json.loads(out)
    assert list(doc) == ["vhosts"]
    return {v["vhost"]: v for v in doc["vhosts"]}


def test_json_shape(proposal):
    assert sorted(proposal) == ["api.example.test", "www.example.test"]
    for v in proposal.values():
        assert list(v) == ["vhost", "origins", "patterns", "left_out", "methods", "headers",
                           "directives"]
        for o in v["origins"]:
            assert list(o) == ["origin", "requests"]
        for o in v["patterns"]:
            assert list(o) == ["pattern", "origins"]
        for o in v["left_out"]:
            assert list(o) == ["origin", "requests", "reason"]


def test_origins_patterns_and_preflights(proposal):
    api = proposal["api.example.test"]
    assert api["origins"] == [{"origin": PARTNER, "requests": 8},
                              {"origin": PARTNER2, "requests": 5}]
    # three tenants and the rare fourth, under their closest common parent
    assert api["patterns"] == [{"pattern": "https://*.app.saas.test", "origins": 4}]
    assert api["methods"] == ["DELETE", "PATCH", "PUT"]
    assert api["headers"] == ["Content-Type", "X-Request-Id", "X-Tenant"]
    assert "CORSAllowCredentials" not in api["directives"].replace(
        "add CORSAllowCredentials On", "")


def test_left_out_and_why(proposal):
    left = {o["origin"]: (o["reason"], o["requests"])
            for o in proposal["api.example.test"]["left_out"]}
    assert left == {
        "null": ("null", 5),
        INVALID[0]: ("invalid", 4),
        INVALID[1]: ("invalid", 3),
        'https://app.partner-one.test\\"x': ("invalid", 3),
        LOOKALIKES[0]: ("lookalike", 5),
        LOOKALIKES[1]: ("lookalike", 4),
        LOOKALIKES[2]: ("lookalike", 4),
        RARE[1]: ("rare", 2),
        RARE[0]: ("rare", 1),
    }
    www = proposal["www.example.test"]
    assert www["origins"] == [{"origin": WWW_PARTNER, "requests": 3}]
    assert www["left_out"] == [{"origin": RARE[0], "requests": 1, "reason": "rare"}]


def sections(text: str) -> dict:
    """The text output cut into its per-virtual-host sections."""
    parts = re.split(r"^# ---- ServerName (\S+):.*$", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


@pytest.fixture(scope="module")
def enforced(observed, proposal, tmp_path_factory):
    rc, out, err = propose("--prefix", "/api/", "--credentials", str(observed))
    assert rc == 0, err
    parts = sections(out)
    assert sorted(parts) == sorted(proposal)
    for name, v in proposal.items():
        # the text shows the same directives as the JSON (with credentials added)
        assert v["directives"].replace(
            "    # Credentials are not guessed: if the pages send cookies or HTTP "
            "authentication,\n    # add CORSAllowCredentials On (cors-check propose "
            "--credentials).\n", "    CORSAllowCredentials On\n") in parts[name]
    conf = "\n".join([
        VHOST.format(port="${PORT}", name="api.example.test", body=parts["api.example.test"]),
        VHOST.format(port="${PORT2}", name="www.example.test", body=parts["www.example.test"]),
    ]).replace('CustomLog "${SERVERROOT}/logs/observe_log" cors_observe', "")
    with serve(tmp_path_factory.mktemp("propose-enforce"), conf, files=FILES) as srv:
        yield srv


ALLOWED = [PARTNER, PARTNER2, *TENANTS, RARE_TENANT]
REFUSED = [*LOOKALIKES, "null", INVALID[0], INVALID[1], *RARE, "https://outside.test"]


@pytest.mark.parametrize("origin", ALLOWED)
def test_allowed_again(enforced, origin):
    r = enforced.request("GET", "/api/r", {"Origin": origin})
    assert r.status == 200
    assert r.get("Access-Control-Allow-Origin") == origin
    assert r.get("Access-Control-Allow-Credentials") == "true"


@pytest.mark.parametrize("origin", REFUSED)
def test_refused_again(enforced, origin):
    r = enforced.request("GET", "/api/r", {"Origin": origin})
    assert r.status == 200
    assert r.get("Access-Control-Allow-Origin") is None, r


@pytest.mark.parametrize("origin, method, headers", [
    (PARTNER, "PUT", "content-type,x-request-id"),
    (PARTNER2, "DELETE", None),
    (TENANTS[0], "PATCH", "x-tenant"),
    (RARE_TENANT, "PUT", "content-type"),
])
def test_preflights_pass_again(enforced, origin, method, headers):
    r = enforced.preflight("/api/r", origin, method, headers)
    assert r.status == 204, r
    assert r.get("Access-Control-Allow-Origin") == origin


@pytest.mark.parametrize("origin, method, headers", [
    (LOOKALIKES[0], "DELETE", "x-evil"),        # a lookalike's preflight
    (PARTNER, "DELETE", "x-evil"),              # a header no kept origin asked for
    (PARTNER, "PURGE", None),                   # a method no kept origin asked for
    ("null", "PUT", None),
])
def test_preflights_refused_again(enforced, origin, method, headers):
    r = enforced.preflight("/api/r", origin, method, headers)
    assert r.status == 403, r
    assert r.get("Access-Control-Allow-Origin") is None


def test_other_vhost_has_its_own_policy(enforced):
    r = enforced.request("GET", "/api/r", {"Origin": WWW_PARTNER}, port=enforced.port2)
    assert r.get("Access-Control-Allow-Origin") == WWW_PARTNER
    r = enforced.request("GET", "/api/r", {"Origin": PARTNER}, port=enforced.port2)
    assert r.get("Access-Control-Allow-Origin") is None
    # outside the <Location> the proposal wrote, no policy at all
    r = enforced.request("GET", "/page", {"Origin": PARTNER})
    assert r.get("Access-Control-Allow-Origin") is None and r.get("Vary") is None


def test_guide_and_man_page_give_the_same_logformat():
    assert observe_logformat() in (REPO / "docs" / "moving-to-mod_cors.md").read_text()
    man = (REPO / "cors-check" / "cors-check.1").read_text()
    assert observe_logformat().replace('\\"', '\\e"') in man


@pytest.mark.parametrize("args, message", [
    ([], "at least one LOG"),
    (["--min-requests", "0", "x.log"], "--min-requests"),
    (["--min-requests", "3x", "x.log"], "--min-requests"),
    (["--prefix", "api", "x.log"], "--prefix"),
    (["--prefix", '/a"b', "x.log"], "--prefix"),
    (["--bogus", "x.log"], "usage"),
    (["/nonexistent/cors_observe.log"], "cannot open"),
])
def test_usage_and_read_errors_exit_2(args, message):
    rc, out, err = propose(*args)
    assert rc == 2 and message in err and out == ""


def test_a_log_in_another_format_exits_2(tmp_path):
    log = tmp_path / "access.log"
    log.write_text('127.0.0.1 - - [07/Dec/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 12\n' * 3)
    rc, out, err = propose(str(log))
    assert rc == 2 and "no line is in the cors_observe format" in err and out == ""


def test_some_lines_in_another_format_are_skipped_and_said(observed, tmp_path):
    log = tmp_path / "mixed.log"
    log.write_text(observed.read_text() + "junk line\n")
    rc, out, err = propose("--json", str(log))
    assert rc == 0 and "1 of" in err and "the first: line" in err
    assert json.loads(out)["vhosts"]
