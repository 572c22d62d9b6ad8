# SPDX-License-Identifier: Apache-2.0
"""A tenant's CORSAllowOriginMatch cannot stall the server.

On shared hosting a tenant writes .htaccess.  Every regex is checked against attacker
origins when the file is read (on each request that reads it) and matched against the Origin
of each request: both under PCRE2 match, depth and memory limits, a length limit, at most 8
regexes per .htaccess scope and a budget of work for the check (cors_regex.h).  Here:

* backtracking shapes (nested quantifiers, alternations of overlapping classes), an 8 KB
  regex and 100 lines in one .htaccess give a 500 for that directory and an [core:alert]
  line that names the directive, the regex and the limit; in the server config, the same
  regexes are configuration errors;
* a regex that passes the check but backtracks on a crafted Origin refuses that Origin
  (fail closed), logs why at debug, and counts it in server-status?auto (CORSRegexLimit);
* an 8 KB Origin is refused before any matching;
* while 32 clients hit the hostile directories, a request elsewhere on the same server is
  answered normally within a few seconds: under event and prefork.

How long reading such a .htaccess and matching such an Origin take is measured by
`make bench-regex` (bench/regex_bench.c), not here.
"""

import os
import re
import threading
import time

import pytest

from httpd_harness import Httpd, assert_allowed, assert_denied, assert_no_cors, serve

NESTED = r"https://([a-z]+)+\.a{40}p0\.com"
OVERLAP = r"https://(a|a|[a-z])+\.example\.com"
NESTED_ALT = r"https://(?:[a-z]+|[a-z0-9]+)+\.example\.com"
# 8 KB: an alternation of 300 sites, as a tenant who pastes a list might write it.
LONG = "https://(" + "|".join(f"site{i:04d}\\.example" for i in range(300)) + r")\.com"
# Passes the check (its attacker and backtracking origins are cheap), but backtracks on an
# Origin of a's that ends in something else: Fibonacci in the number of a's.
FIB = r"https://(a|aa)+\.example\.com"
CRAFTED = "https://" + "a" * 60 + "b.example.com"
# A tenant's worst: as many such regexes as it may write, and 100 of them (each costs up
# to PCRE2's default ten million steps under ap_regex: seconds per request).
FIB8 = "".join(f'CORSAllowOriginMatch "https://(a|aa)+\\.example{i}\\.com"\n' for i in range(8))
FIB100 = "".join(f'CORSAllowOriginMatch "https://(a|aa)+\\.example{i}\\.com"\n'
                 for i in range(100))
MANY = "".join(f'CORSAllowOriginMatch "https://app{i}\\.example\\.com"\n' for i in range(100))
EIGHT = "".join(f'CORSAllowOriginMatch "https://app{i}\\.example\\.com"\n' for i in range(8))

HOSTILE = {  # directory: (its .htaccess, what the [core:alert] line must name)
    "nested": (f'CORSAllowOriginMatch "{NESTED}"\n',
               [NESTED, "the match limit (500 steps)"]),
    "overlap": (f'CORSAllowOriginMatch "{OVERLAP}"\n',
                [OVERLAP, "the match limit (500 steps)"]),
    "nestedalt": (f'CORSAllowOriginMatch "{NESTED_ALT}"\n',
                  [NESTED_ALT[:40], "the match limit (500 steps)"]),
    "long": (f'CORSAllowOriginMatch "{LONG}"\n',
             [LONG[:64], f"({len(LONG)} bytes)", "the length limit (512 bytes)"]),
    "many": (MANY, [r"https://app8\.example\.com",
                    "a .htaccess scope can have at most 8 CORSAllowOriginMatch regexes"]),
}

CONF = r"""
<Directory "${DOCROOT}/t">
    AllowOverride FileInfo
</Directory>
<Location "/plain/">
    CORSAllowOrigin https://app.example.com
</Location>
<Location "/server-status">
    SetHandler server-status
</Location>
"""

FILES = {
    "htdocs/plain/r": "plain\n",
    "htdocs/t/fib/.htaccess": f'CORSAllowOriginMatch "{FIB}"\n',
    "htdocs/t/fib/r": "fib\n",
    "htdocs/t/eight/.htaccess": EIGHT,
    "htdocs/t/fib8/.htaccess": FIB8,
    "htdocs/t/fib8/r": "fib8\n",
    "htdocs/t/fib100/.htaccess": FIB100,
    "htdocs/t/fib100/r": "fib100\n",
    "htdocs/t/eight/r": "eight\n",
    **{f"htdocs/t/{d}/.htaccess": h for d, (h, _) in HOSTILE.items()},
    **{f"htdocs/t/{d}/r": f"{d}\n" for d in HOSTILE},
}

ALERT_ALLOW = r"\[core:alert\].*/t/[a-z0-9]+/\.htaccess: CORSAllowOriginMatch: "

MPMS = [os.environ["MPM"].removeprefix("mpm_")] if os.environ.get("MPM") \
    else ["event", "prefork"]


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("regex_bounds"), CONF, files=FILES,
               modules=("status",)) as s:
        yield s


def alerts(srv: Httpd) -> list[str]:
    return [ln for ln in srv.new_log_lines() if "[core:alert]" in ln]


def regex_limit_count(srv: Httpd) -> int:
    body = srv.request("GET", "/server-status?auto").body.decode()
    m = re.search(r"^CORSRegexLimit: (\d+)$", body, re.M)
    assert m, body
    return int(m.group(1))


# ---------------------------------------------------------------------------------------------
# Refused when read
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("directory", sorted(HOSTILE))
@pytest.mark.log_allow(ALERT_ALLOW)
def test_hostile_htaccess_is_a_500_naming_regex_and_limit(srv, directory):
    t0 = time.monotonic()
    r = srv.request("GET", f"/t/{directory}/r", {"Origin": "https://app.example.com"})
    elapsed = time.monotonic() - t0
    assert r.status == 500, r
    assert_no_cors(r)
    assert elapsed < 2.0, f"{elapsed:.2f} s to refuse /t/{directory}/"
    lines = alerts(srv)
    assert len(lines) == 1, lines
    assert f"/t/{directory}/.htaccess: CORSAllowOriginMatch: " in lines[0], lines
    for what in HOSTILE[directory][1]:
        # The log escapes backslashes.
        assert what in lines[0].replace("\\\\", "\\"), (what, lines[0])


def test_eight_regexes_in_one_scope_are_read(srv):
    r = srv.request("GET", "/t/eight/r", {"Origin": "https://app7.example.com"})
    assert_allowed(r, "https://app7.example.com")
    assert_denied(srv.request("GET", "/t/eight/r", {"Origin": "https://app8.example.com"}))


@pytest.mark.parametrize("regex,limit", [
    (NESTED, "the match limit (500 steps)"),
    (OVERLAP, "the match limit (500 steps)"),
    (LONG, "the length limit (512 bytes)"),
])
def test_hostile_regex_in_server_config_is_an_error(tmp_path, regex, limit):
    conf = f'<Location "/t/">\n    CORSAllowOriginMatch "{regex}"\n</Location>\n'
    rc, out = Httpd(tmp_path, conf).configtest()
    assert rc != 0, out
    assert "CORSAllowOriginMatch: " in out and limit in out, out
    assert regex[:64] in out.replace("\\\\", "\\"), out


def test_many_regexes_in_server_config_are_not_limited(tmp_path):
    conf = f'<Location "/t/">\n{MANY}</Location>\n'
    rc, out = Httpd(tmp_path, conf).configtest()
    assert rc == 0, out


# ---------------------------------------------------------------------------------------------
# Bounded per request
# ---------------------------------------------------------------------------------------------

@pytest.mark.log_allow(r"\[cors:debug\]")
def test_crafted_origin_reaching_the_limit_is_refused_and_counted(srv):
    before = regex_limit_count(srv)
    r = srv.request("GET", "/t/fib/r", {"Origin": CRAFTED})
    assert_denied(r)
    assert regex_limit_count(srv) == before + 1
    assert any("reached its match limit" in ln and "[cors:debug]" in ln
               for ln in srv.new_log_lines()), srv.new_log_lines()
    # The origins the regex is written for are still allowed; a plain miss is not counted.
    assert_allowed(srv.request("GET", "/t/fib/r", {"Origin": "https://aaaa.example.com"}),
                   "https://aaaa.example.com")
    assert_denied(srv.request("GET", "/t/fib/r", {"Origin": "https://b.example.com"}))
    assert regex_limit_count(srv) == before + 1
    line = srv.access_log_line(r)
    assert "cors=denied-origin" in line, line


@pytest.mark.log_allow(r"\[cors:debug\]")
def test_eight_backtracking_regexes_cost_a_refusal(srv):
    before = regex_limit_count(srv)
    t0 = time.monotonic()
    assert_denied(srv.request("GET", "/t/fib8/r", {"Origin": CRAFTED}))
    assert time.monotonic() - t0 < 1.0
    assert regex_limit_count(srv) == before + 1
    assert_allowed(srv.request("GET", "/t/fib8/r", {"Origin": "https://aaa.example7.com"}),
                   "https://aaa.example7.com")


@pytest.mark.log_allow(ALERT_ALLOW)
def test_hundred_backtracking_regexes_are_a_500(srv):
    r = srv.request("GET", "/t/fib100/r", {"Origin": CRAFTED})
    assert r.status == 500, r
    assert any("at most 8 CORSAllowOriginMatch regexes" in ln for ln in alerts(srv))


@pytest.mark.log_allow(r"\[cors:debug\]")
def test_preflight_with_crafted_origin_is_refused(srv):
    r = srv.preflight("/t/fib/r", CRAFTED, "PUT")
    assert r.status == 403, r
    assert_no_cors(r)


@pytest.mark.log_allow(r"\[cors:debug\]")
def test_8k_origin_is_refused_before_matching(srv):
    before = regex_limit_count(srv)
    origin = "https://" + "a" * 8000 + ".example.com"
    r = srv.request("GET", "/t/fib/r", {"Origin": origin})
    assert_denied(r)
    # Refused as no serialized origin, not by the regex: nothing was matched.
    assert regex_limit_count(srv) == before
    assert any("is not a serialized origin" in ln for ln in srv.new_log_lines())


# ---------------------------------------------------------------------------------------------
# The hostile tenant and the others
# ---------------------------------------------------------------------------------------------

CLIENTS = 32
ROUNDS = 200         # requests per client at most: a bounded loop, stopped sooner


def hammer(s: Httpd, stop: threading.Event, errors: list, counts: list):
    paths = [("/t/fib100/r", CRAFTED), ("/t/fib8/r", CRAFTED), ("/t/nested/r", CRAFTED),
             ("/t/fib100/r", CRAFTED.replace("example", "example7"))]
    def client(k):
        for i in range(ROUNDS):
            if stop.is_set():
                return
            path, origin = paths[(k + i) % len(paths)]
            try:
                r = s.request("GET", path, {"Origin": origin or "https://app.example.com"})
                counts.append(r.status)
            except OSError as e:       # the server must keep answering them too
                errors.append(repr(e))
    return [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]


@pytest.mark.parametrize("mpm", MPMS)
@pytest.mark.log_allow(ALERT_ALLOW, r"\[cors:debug\]")
def test_other_sites_answered_while_32_clients_hit_hostile_regexes(make_server, mpm):
    s = make_server(CONF, files=FILES, mpm=mpm, modules=("status",))
    stop = threading.Event()
    errors, statuses = [], []
    threads = hammer(s, stop, errors, statuses)
    for t in threads:
        t.start()
    try:
        time.sleep(0.5)
        answered = len(statuses)
        worst = 0.0
        for _ in range(5):
            t0 = time.monotonic()
            r = s.request("GET", "/plain/r", {"Origin": "https://app.example.com"})
            worst = max(worst, time.monotonic() - t0)
            assert_allowed(r, "https://app.example.com")
            assert r.body == b"plain\n"
        assert worst < 2.0, f"a request elsewhere took {worst:.2f} s"
        # Measured while the hostile clients were at it, and they were answered too.
        assert sum(t.is_alive() for t in threads) == CLIENTS
        assert len(statuses) > answered
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert not errors, errors[:5]
    # Every hostile request was answered: a 500 for the hostile .htaccess, a refusal for
    # the crafted Origin.
    assert statuses and set(statuses) <= {200, 500}, set(statuses)
