# SPDX-License-Identifier: Apache-2.0
"""Configuration errors and startup warnings of mod_cors (docs/contract.md, "Directives", docs/requests.md's
decisions, test vectors K).

Errors are checked with `apache2 -t` (configtest): the exit status is not 0, httpd reports
the line of the offending directive, and the message names the directive and the bad value.
Warnings are checked on a started server: they go to the error log as [cors:warn].
"""

import re

import pytest

from httpd_harness import Httpd

SYNTAX_RE = re.compile(r"Syntax error on line (\d+) of (.+?):\s*$")


def conf_line(srv: Httpd, text: str) -> int:
    """1-based line number of the LAST line of the generated httpd.conf whose stripped text
    equals `text` (after placeholder substitution)."""
    want = srv.subst(text).strip()
    found = [i for i, ln in enumerate(srv.conf_path.read_text().splitlines(), 1)
             if ln.strip() == want]
    assert found, f"{text!r} not in {srv.conf_path}"
    return found[-1]


def expect_error(tmp_path, conf: str, directive: str, values=(), bad_line: str | None = None):
    """configtest must fail at `bad_line` (default: the last line of conf that starts with
    `directive`) with a message that starts with the directive name and contains every
    string of `values`."""
    srv = Httpd(tmp_path, conf)
    rc, out = srv.configtest()
    assert rc != 0, f"configtest accepted:\n{conf}\n{out}"
    assert "Syntax OK" not in out, out
    lines = out.splitlines()
    idx = next((i for i, ln in enumerate(lines) if SYNTAX_RE.search(ln)), None)
    assert idx is not None and idx + 1 < len(lines), f"no 'Syntax error on line' in:\n{out}"
    m = SYNTAX_RE.search(lines[idx])
    if bad_line is None:
        bad_line = [ln for ln in conf.splitlines() if ln.strip().startswith(directive + " ")
                    or ln.strip() == directive][-1]
    assert int(m.group(1)) == conf_line(srv, bad_line), \
        f"error reported on the wrong line (want {bad_line!r}):\n{out}"
    msg = lines[idx + 1]
    assert msg.startswith(directive), f"message does not start with {directive!r}:\n{out}"
    for v in values:
        assert v in msg, f"message does not name {v!r}:\n{out}"
    return msg


def loc(*lines: str) -> str:
    body = "\n".join("    " + ln for ln in lines)
    return f'<Location "/t/">\n{body}\n</Location>\n'


# ---------------------------------------------------------------------------------------------
# CORSAllowOrigin values (K03, K04, K06, K09, K10, K11, K12, PSL)
# ---------------------------------------------------------------------------------------------

BAD_ORIGINS = [
    # (value, text the message must contain)
    ("https://a.com/x", "https://a.com/x"),            # K03 path
    ("https://a.com/", "https://a.com/"),              # lone trailing slash
    ("https://a.com?x", "https://a.com?x"),            # K03 query
    ("https://a.com/?x", "https://a.com/?x"),
    ("https://a.com#x", "https://a.com#x"),            # K03 fragment
    ("example.com", "example.com"),                    # K04 no scheme
    ("//example.com", "//example.com"),
    ("https://a.com:0", "https://a.com:0"),            # K06
    ("https://a.com:65536", "https://a.com:65536"),
    ("https://a.com:99999", "https://a.com:99999"),
    ("https://a.com:06060", "https://a.com:06060"),
    ("https://a.com:-1", "https://a.com:-1"),
    ("https://a.com:", "https://a.com:"),              # empty port
    ("https://a.com:8x", "https://a.com:8x"),
    ("https://user@a.com", "https://user@a.com"),      # userinfo
    ("https://user:pw@a.com", "https://user:pw@a.com"),
    ("https://", "https://"),                          # empty host
    ("https://:8443", "https://:8443"),
    ("https://b\u00fccher.example", "cher.example"),   # K09 non-ASCII
    ("http://0x7f000001", "http://0x7f000001"),        # K10 non-canonical IPs
    ("http://127.1", "http://127.1"),
    ("http://127.000.0.1", "http://127.000.0.1"),
    ("http://[0:0:0:0:0:0:0:1]", "http://[0:0:0:0:0:0:0:1]"),
    ("http://[0:0::1]", "http://[0:0::1]"),
    ("https://*example.com", "https://*example.com"),  # K11 patterns
    ("https://a.*.example.com", "https://a.*.example.com"),
    ("https://*", "https://*"),
    ("https://*.*.example.com", "https://*.*.example.com"),
    ("https://ex*.example.com", "https://ex*.example.com"),
    ("file:///x", "file:///x"),                        # K12
    ("https://*.com", "https://*.com"),                # public suffixes
    ("https://*.co.uk", "https://*.co.uk"),
    ("https://*.github.io", "https://*.github.io"),
]


@pytest.mark.parametrize("value,shown", BAD_ORIGINS, ids=[v for v, _ in BAD_ORIGINS])
def test_bad_origin(tmp_path, value, shown):
    expect_error(tmp_path, loc(f'CORSAllowOrigin "{value}"'), "CORSAllowOrigin", [shown])


def test_bad_origin_among_good_ones_names_the_bad_one(tmp_path):
    msg = expect_error(tmp_path, loc("CORSAllowOrigin https://good.example https://bad.example/p "
                                     "https://also-good.example"),
                       "CORSAllowOrigin", ["https://bad.example/p"])
    assert "good.example " not in msg


def test_bad_origin_at_server_level(tmp_path):
    expect_error(tmp_path, "CORSAllowOrigin https://a.com/x\n", "CORSAllowOrigin",
                 ["https://a.com/x"])


def test_bad_origin_in_virtualhost(tmp_path):
    conf = ("<VirtualHost 127.0.0.1:${PORT2}>\n"
            "    CORSAllowOrigin https://a.com#frag\n"
            "</VirtualHost>\n")
    expect_error(tmp_path, conf, "CORSAllowOrigin", ["https://a.com#frag"])


def test_allow_origin_without_arguments(tmp_path):
    # K20: an empty origin list (httpd itself rejects a directive without arguments)
    expect_error(tmp_path, loc("CORSAllowOrigin"), "CORSAllowOrigin")


# ---------------------------------------------------------------------------------------------
# Wildcards / null together with credentials in the same scope (K01, K18, docs/directives.md), both orders
# ---------------------------------------------------------------------------------------------

CRED_CONFLICTS = [
    ("CORSAllowOrigin *", "*"),
    ("CORSAllowOrigin null", "null"),
    ("CORSAllowOrigin https://a.example null", "null"),
    ("CORSAllowOrigin https://a.example *", "*"),
    ("CORSAllowMethods *", "*"),
    ("CORSAllowHeaders *", "*"),
    ("CORSAllowHeaders * Authorization", "*"),
    ("CORSExposeHeaders *", "*"),
]


@pytest.mark.parametrize("line,value", CRED_CONFLICTS, ids=[c[0] for c in CRED_CONFLICTS])
def test_wildcard_then_credentials(tmp_path, line, value):
    lines = [line, "CORSAllowCredentials On"]
    if not line.startswith("CORSAllowOrigin"):
        lines.insert(0, "CORSAllowOrigin https://a.example")
    msg = expect_error(tmp_path, loc(*lines), "CORSAllowCredentials")
    # the message has to say what it conflicts with (or at least which value is refused)
    assert value in msg or "On" in msg, msg


@pytest.mark.parametrize("line,value", CRED_CONFLICTS, ids=[c[0] for c in CRED_CONFLICTS])
def test_credentials_then_wildcard(tmp_path, line, value):
    lines = ["CORSAllowCredentials On", line]
    if not line.startswith("CORSAllowOrigin"):
        lines.insert(0, "CORSAllowOrigin https://a.example")
    directive = line.split()[0]
    expect_error(tmp_path, loc(*lines), directive, [value], bad_line=line)


def test_wildcard_credentials_conflict_at_server_level(tmp_path):
    expect_error(tmp_path, "CORSAllowOrigin *\nCORSAllowCredentials On\n", "CORSAllowCredentials")


def test_wildcard_origin_on_second_line_with_credentials(tmp_path):
    # lines add up: a later '*' line conflicts with credentials set in between
    conf = loc("CORSAllowOrigin https://a.example", "CORSAllowCredentials On",
               "CORSAllowOrigin *")
    expect_error(tmp_path, conf, "CORSAllowOrigin", ["*"], bad_line="CORSAllowOrigin *")


def test_origin_match_is_not_a_credentials_conflict(tmp_path):
    srv = Httpd(tmp_path, loc('CORSAllowOriginMatch "^https://[a-z]+\\.example\\.com$"',
                              "CORSAllowCredentials On"))
    rc, out = srv.configtest()
    assert rc == 0 and "Syntax OK" in out, out


# ---------------------------------------------------------------------------------------------
# Flags, numbers, keywords
# ---------------------------------------------------------------------------------------------

FLAG_DIRECTIVES = ["CORSAllowCredentials", "CORSAllowPrivateNetwork", "CORSPreflightContinue",
                   "CORSEngine"]
BAD_FLAGS = ["maybe", "yes", "1", "true", "Onn"]


@pytest.mark.parametrize("value", BAD_FLAGS)
@pytest.mark.parametrize("directive", FLAG_DIRECTIVES)
def test_bad_flag(tmp_path, directive, value):
    lines = [f"{directive} {value}"]
    if directive != "CORSEngine":
        lines.insert(0, "CORSAllowOrigin https://a.example")
    expect_error(tmp_path, loc(*lines), directive, [value])


@pytest.mark.parametrize("directive", FLAG_DIRECTIVES)
def test_flag_without_argument(tmp_path, directive):
    expect_error(tmp_path, loc(f"{directive}"), directive)


BAD_MAX_AGE = ["-1", "-2", "86401", "abc", "1.5", "600s", "99999999999999999999", "0x10"]


@pytest.mark.parametrize("value", BAD_MAX_AGE)
def test_bad_max_age(tmp_path, value):
    expect_error(tmp_path, loc("CORSAllowOrigin https://a.example", f"CORSMaxAge {value}"),
                 "CORSMaxAge", [value])


def test_empty_max_age(tmp_path):
    expect_error(tmp_path, loc("CORSAllowOrigin https://a.example", 'CORSMaxAge ""'),
                 "CORSMaxAge")


@pytest.mark.parametrize("value", ["201", "404", "0", "2040", "abc", "20 4"])
def test_bad_preflight_status(tmp_path, value):
    expect_error(tmp_path, loc("CORSAllowOrigin https://a.example",
                               f'CORSPreflightStatus "{value}"'),
                 "CORSPreflightStatus", [value])


@pytest.mark.parametrize("value", ["other", "merge", "drop", "replacekeep"])
def test_bad_backend_headers(tmp_path, value):
    expect_error(tmp_path, loc("CORSAllowOrigin https://a.example",
                               f"CORSBackendHeaders {value}"),
                 "CORSBackendHeaders", [value])


@pytest.mark.parametrize("value", ["(unclosed", "[a-", "*abc", "a{2,1}", "(?<n>x"])
def test_bad_origin_regex(tmp_path, value):
    expect_error(tmp_path, loc(f'CORSAllowOriginMatch "{value}"'), "CORSAllowOriginMatch",
                 [value])


def test_origin_match_takes_one_argument(tmp_path):
    expect_error(tmp_path, loc("CORSAllowOriginMatch"), "CORSAllowOriginMatch")


# ---------------------------------------------------------------------------------------------
# Methods (K13, '*' alone, tokens)
# ---------------------------------------------------------------------------------------------

BAD_METHODS = [
    ("CONNECT", "CONNECT"), ("TRACE", "TRACE"), ("TRACK", "TRACK"),
    ("connect", "connect"), ("Trace", "Trace"), ("track", "track"),
    ("GET CONNECT", "CONNECT"),
    ("GET,POST", "GET,POST"), ('"GET POST"', "GET POST"), ("G{T", "G{T"),
    ("GET/1", "GET/1"), ('"GET, PUT"', "GET,"),
]


@pytest.mark.parametrize("args,value", BAD_METHODS, ids=[a for a, _ in BAD_METHODS])
def test_bad_method(tmp_path, args, value):
    expect_error(tmp_path, loc("CORSAllowOrigin https://a.example", f"CORSAllowMethods {args}"),
                 "CORSAllowMethods", [value])


@pytest.mark.parametrize("args", ["* GET", "GET *", "PUT * DELETE", "* *"])
def test_method_star_not_alone(tmp_path, args):
    expect_error(tmp_path, loc("CORSAllowOrigin https://a.example", f"CORSAllowMethods {args}"),
                 "CORSAllowMethods", ["*"])


def test_method_star_not_alone_across_lines(tmp_path):
    # lines of one scope add up, so '*' on a second line stands beside GET
    expect_error(tmp_path, loc("CORSAllowOrigin https://a.example", "CORSAllowMethods GET",
                               "CORSAllowMethods *"), "CORSAllowMethods", ["*"],
                 bad_line="CORSAllowMethods *")


# ---------------------------------------------------------------------------------------------
# Header names (K15, K16, K17, tokens)
# ---------------------------------------------------------------------------------------------

FORBIDDEN_REQUEST_HEADERS = [
    "Accept-Charset", "Accept-Encoding", "Connection", "Content-Length", "Cookie", "Cookie2",
    "Date", "DNT", "Expect", "Host", "Keep-Alive", "Origin", "Referer", "Set-Cookie", "TE",
    "Trailer", "Transfer-Encoding", "Upgrade", "Via", "Proxy-Authorization", "Proxy-Foo",
    "Sec-Fetch-Mode", "Sec-Foo", "Access-Control-Allow-Origin",
    "Access-Control-Request-Method", "Access-Control-Request-Headers", "Access-Control-Foo",
    # case does not matter
    "cookie", "HOST", "sec-ch-ua", "PROXY-CONNECTION", "access-control-allow-credentials",
]


@pytest.mark.parametrize("name", FORBIDDEN_REQUEST_HEADERS)
def test_forbidden_allow_header(tmp_path, name):
    expect_error(tmp_path, loc("CORSAllowOrigin https://a.example",
                               f"CORSAllowHeaders X-Ok {name}"),
                 "CORSAllowHeaders", [name])


@pytest.mark.parametrize("name", ["Set-Cookie", "set-cookie", "Set-Cookie2",
                                  "Access-Control-Allow-Origin", "Access-Control-Request-Method",
                                  "access-control-expose-headers", "Access-Control-X"])
def test_forbidden_expose_header(tmp_path, name):
    expect_error(tmp_path, loc("CORSAllowOrigin https://a.example",
                               f"CORSExposeHeaders X-Ok {name}"),
                 "CORSExposeHeaders", [name])


NON_TOKENS = [("X-Foo:", "X-Foo:"), ("X(Foo)", "X(Foo)"), ('"X Foo"', "X Foo"),
              ("X-Foo,X-Bar", "X-Foo,X-Bar"), ("X@Y", "X@Y"), ("X/Y", "X/Y"), ("X[1]", "X[1]"),
              ('"X\\"Y"', 'X"Y')]


@pytest.mark.parametrize("arg,value", NON_TOKENS, ids=[v for _, v in NON_TOKENS])
@pytest.mark.parametrize("directive", ["CORSAllowHeaders", "CORSExposeHeaders"])
def test_non_token_header_name(tmp_path, directive, arg, value):
    expect_error(tmp_path, loc("CORSAllowOrigin https://a.example", f"{directive} {arg}"),
                 directive, [value])


@pytest.mark.parametrize("args", ["* X-Foo", "X-Foo *", "* *"])
def test_expose_star_not_alone(tmp_path, args):
    expect_error(tmp_path, loc("CORSAllowOrigin https://a.example", f"CORSExposeHeaders {args}"),
                 "CORSExposeHeaders", ["*"])


# ---------------------------------------------------------------------------------------------
# Valid configurations pass configtest
# ---------------------------------------------------------------------------------------------

VALID = {
    "spec-example": loc(
        "CORSAllowOrigin https://app.example.com https://*.example.org",
        "CORSAllowMethods GET POST PUT PATCH DELETE",
        "CORSAllowHeaders Content-Type Authorization X-Request-ID",
        "CORSExposeHeaders X-Total-Count",
        "CORSAllowCredentials On",
        "CORSMaxAge 600"),
    "all-directives": loc(
        "CORSEngine On",
        "CORSAllowOrigin https://a.example",
        'CORSAllowOriginMatch "^https://[a-z0-9-]+\\.b\\.example$"',
        "CORSAllowMethods delete get head options post put PURGE",
        "CORSAllowHeaders X-A x-b",
        "CORSExposeHeaders X-Total-Count Content-Length Origin",
        "CORSAllowCredentials Off",
        "CORSMaxAge 0",
        "CORSAllowPrivateNetwork On",
        "CORSPreflightStatus 200",
        "CORSPreflightContinue Off",
        "CORSBackendHeaders keep"),
    "normalized-origins": loc(
        "CORSAllowOrigin HTTPS://App.Example.COM https://a.com:443 http://b.com:80 "
        "https://c.com:8443 http://[::1]:3000 http://[FE80::1] http://127.0.0.1 "
        "capacitor://localhost http://localhost:* https://*.example.com:* https://*.corp "
        "https://*.a.b.example.net"),
    "null-without-credentials": loc("CORSAllowOrigin null https://a.example"),
    "wildcards-without-credentials": loc(
        "CORSAllowOrigin *", "CORSAllowMethods *", "CORSAllowHeaders * Authorization",
        "CORSExposeHeaders *"),
    "limits": loc("CORSAllowOrigin https://a.example", "CORSMaxAge 86400",
                  "CORSPreflightStatus 204", "CORSBackendHeaders replace"),
    "merge-only-conflict": ("CORSAllowOrigin *\n"
                            + loc("CORSAllowCredentials On")),
    "loopback-http-with-credentials": loc(
        "CORSAllowOrigin http://localhost:3000 http://127.0.0.1:8080 http://[::1]:3000 "
        "http://localhost:*",
        "CORSAllowCredentials On"),
    "contexts": (
        "CORSAllowOrigin https://srv.example\n"
        '<Directory "${DOCROOT}/d">\n  CORSAllowOrigin https://d.example\n</Directory>\n'
        '<DirectoryMatch "^${DOCROOT}/dm[0-9]">\n  CORSAllowOrigin https://dm.example\n'
        "</DirectoryMatch>\n"
        '<Files "x.json">\n  CORSAllowOrigin https://f.example\n</Files>\n'
        '<FilesMatch "\\.csv$">\n  CORSAllowOrigin https://fm.example\n</FilesMatch>\n'
        '<LocationMatch "^/lm/">\n  CORSAllowOrigin https://lm.example\n</LocationMatch>\n'
        "<VirtualHost 127.0.0.1:${PORT2}>\n  CORSAllowOrigin https://vh.example\n"
        '  <Location "/x/">\n    CORSEngine Off\n  </Location>\n</VirtualHost>\n'),
}


@pytest.mark.parametrize("name", list(VALID))
def test_valid_config(tmp_path, name):
    srv = Httpd(tmp_path, VALID[name])
    rc, out = srv.configtest()
    assert rc == 0, out
    assert "Syntax OK" in out, out
    assert "[cors:error]" not in out, out


# ---------------------------------------------------------------------------------------------
# Startup warnings (K07 and K14 as docs/requests.md reads them)
# ---------------------------------------------------------------------------------------------

WARN_CONF = """
<Location "/w1/">
    CORSAllowOrigin https://ok.example http://plain1.example
    CORSAllowCredentials On
</Location>
<Location "/w2/">
    CORSAllowCredentials On
    CORSAllowOrigin http://plain2.example:8080
</Location>
<Location "/w3/">
    CORSAllowOrigin https://a.example
    CORSAllowMethods GET patch
</Location>
"""

WARN_RE = re.compile(r"\[cors:warn\]")


def cors_warn_lines(srv: Httpd) -> list[str]:
    return [ln for ln in srv.error_log().splitlines() if WARN_RE.search(ln)]


@pytest.mark.log_allow(r"\[cors:warn\]")
def test_startup_warnings(make_server):
    srv = make_server(WARN_CONF)
    warns = cors_warn_lines(srv)
    conf = str(srv.conf_path)

    text = srv.conf_path.read_text().splitlines()

    def scope_lines(path):
        start = next(i for i, ln in enumerate(text, 1) if ln.strip() == f'<Location "{path}">')
        return {start + 1, start + 2}

    def named_lines(lines):
        found = set()
        for ln in lines:
            m = re.search(re.escape(conf) + r":(\d+)", ln)
            assert m, f"warning does not name {conf}:<line>: {ln}"
            found.add(int(m.group(1)))
        return found

    # origin first, credentials second
    w1 = [ln for ln in warns if "http://plain1.example" in ln]
    assert w1, "no [cors:warn] for http://plain1.example + credentials:\n" + srv.error_log()
    assert named_lines(w1) <= scope_lines("/w1/"), w1

    # credentials first, origin second
    w2 = [ln for ln in warns if "http://plain2.example:8080" in ln]
    assert w2, "no [cors:warn] for http://plain2.example:8080 + credentials:\n" + srv.error_log()
    assert named_lines(w2) <= scope_lines("/w2/"), w2

    w3 = [ln for ln in warns if "patch" in ln]
    assert w3, "no [cors:warn] for method 'patch':\n" + srv.error_log()
    assert all("PATCH" in ln for ln in w3), w3

    # nothing else warned
    others = [ln for ln in warns if ln not in w1 + w2 + w3]
    assert not others, others
    # the server runs
    assert srv.request("GET", "/w1/").status == 404


NO_WARN_CONF = """
<Location "/n1/">
    CORSAllowOrigin http://localhost:3000 http://127.0.0.1:8080 http://[::1]:3000
    CORSAllowOrigin http://localhost:* http://localhost http://[::1]
    CORSAllowCredentials On
</Location>
<Location "/n2/">
    CORSAllowOrigin http://plain.example https://a.example
</Location>
<Location "/n3/">
    CORSAllowOrigin https://a.example https://*.example.org
    CORSAllowCredentials On
    CORSAllowMethods PATCH get delete PURGE
</Location>
"""


def test_no_startup_warnings(make_server):
    srv = make_server(NO_WARN_CONF)
    assert cors_warn_lines(srv) == []
    assert "[cors:warn]" not in srv.error_log()
    r = srv.request("GET", "/n1/", {"Origin": "http://localhost:3000"})
    assert r.status == 404
    assert r.get("Access-Control-Allow-Origin") == "http://localhost:3000"
    assert r.get("Access-Control-Allow-Credentials") == "true"
