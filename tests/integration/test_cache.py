# SPDX-License-Identifier: Apache-2.0
"""mod_cors behind mod_cache + mod_cache_disk: a cached response never reaches another origin.

A response to an actual request in a policy's scope depends on the request's Origin, so it
must carry `Vary: Origin` (docs/contract.md, "What a request gets", rules 1 and 3); mod_cache then keeps
one variant per Origin value.  Cache hits under `CacheQuickHandler On` (the default) are
served from the quick handler and no mod_cors hook runs for them, so whatever the cached
headers say is what the client gets.  Under `CacheQuickHandler Off` the cached response goes
through the output filters again (mod_cors's filter included).

Port ${PORT}: main server, CacheQuickHandler On.  Port ${PORT2}: a <VirtualHost> with
CacheQuickHandler Off.  Both have `CacheHeader On`, so every response says X-Cache: HIT/MISS/
REVALIDATE, which proves that some answers did come from the cache.

Each request kind gets a distinct path per test, so tests do not share cache entries.
"""

import os
import time

import pytest

from httpd_harness import assert_no_cors, serve, skip_unless

A = "https://a.example"
B = "https://b.example"
C = "https://c.example"          # allowed only where named
EVIL = "https://evil.example"
UPPER = "https://A.example"       # not a serialized origin as browsers send it: denied
TWO = [A, B]                      # two Origin lines: httpd joins them, invalid: denied

CONF = r"""
CacheRoot "${SERVERROOT}/cache"
CacheDirLevels 2
CacheDirLength 1
CacheEnable disk /
CacheHeader On
CacheDetailHeader On
CacheIgnoreHeaders Set-Cookie

<VirtualHost 127.0.0.1:${PORT2}>
  CacheQuickHandler Off
  CacheEnable disk /
  CacheHeader On
  CacheDetailHeader On
</VirtualHost>

# origins A and B, fresh for 300 s
<Location "/ab/">
  CORSAllowOrigin https://a.example https://b.example
  CORSExposeHeaders X-Total
  Header set Cache-Control "max-age=300"
</Location>

# the same with credentials
<Location "/cred/">
  CORSAllowOrigin https://a.example https://b.example
  CORSAllowCredentials On
  Header set Cache-Control "max-age=300"
</Location>

# freshness from mod_expires instead of mod_headers
<Location "/exp/">
  CORSAllowOrigin https://a.example https://b.example
  ExpiresActive On
  ExpiresDefault "access plus 5 minutes"
</Location>

# a handler (mod_headers here) that sets its own CORS headers, replaced by mod_cors
<Location "/backend/">
  CORSAllowOrigin https://a.example https://b.example
  Header always set Access-Control-Allow-Origin "https://c.example"
  Header always set Access-Control-Allow-Credentials "true"
  Header set Cache-Control "max-age=300"
</Location>

# the same answer for everyone: ACAO *, no Vary needed
<Location "/star/">
  CORSAllowOrigin *
  CORSExposeHeaders X-Total
  Header set Cache-Control "max-age=300"
</Location>

# fresh for 1 s only: the second round is revalidated with the handler
<Location "/stale/">
  CORSAllowOrigin https://a.example https://b.example
  Header set Cache-Control "max-age=1"
</Location>
"""

PATHS = ("ab", "cred", "exp", "backend", "star", "stale")
FILES = {f"htdocs/{d}/{n}": f"{d}/{n} body\n" for d in PATHS for n in ("q", "nq", "h", "e")}

MODULES = ("cache", "cache_disk", "headers", "expires")


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    wd = tmp_path_factory.mktemp("cache")
    # Files modified less than a second before a request get a weak ETag, and a revalidation
    # then ends in "contradiction: 304 Not Modified; but ETag modified": date them back.
    old = time.time() - 3600
    for rel in FILES:
        p = wd / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(FILES[rel])
        os.utime(p, (old, old))
    with serve(wd, CONF, modules=MODULES) as s:
        yield s


def ports(srv):
    """(label, port): the quick handler server and the CacheQuickHandler Off vhost."""
    return (("quick", srv.port), ("noquick", srv.port2))


def get(srv, port, path, origin, method="GET", extra=()):
    hdrs = []
    if origin is not None:
        hdrs += [("Origin", o) for o in (origin if isinstance(origin, list) else [origin])]
    hdrs += list(extra)
    r = srv.request(method, path, hdrs, port=port)
    # Wait until httpd has finished the request (it logs it last): the client has the
    # whole response before mod_cache_disk has committed the entity when the EOS comes
    # after the body (httpd trunk), and the next request would find no stored entity.
    srv.access_log_line(r)
    return r


def cache_state(r):
    x = r.get("X-Cache") or ""
    for s in ("HIT", "MISS", "REVALIDATE"):
        if x.startswith(s):
            return s
    return x


def check_pair(r, origin, allowed, *, credentials=False, expose=None, ctx=""):
    """One response of an A/B policy: ACAO is exactly the request's own origin when allowed,
    absent otherwise; Vary: Origin always; the rest of the CORS headers follow."""
    where = f"{ctx} Origin={origin!r}\n{r}"
    assert r.status in (200, 304), where
    assert "Origin" in r.vary_tokens(), "no Vary: Origin: " + where
    assert r.vary_tokens().count("Origin") == 1, where
    if allowed:
        assert r.get_all("Access-Control-Allow-Origin") == [origin], where
        assert r.get("Access-Control-Allow-Credentials") == ("true" if credentials else None), where
        assert r.get("Access-Control-Expose-Headers") == expose, where
        assert {k.lower() for k, _ in r.cors_headers()} <= {
            "access-control-allow-origin", "access-control-allow-credentials",
            "access-control-expose-headers"}, where
    else:
        assert_no_cors(r)


# origin, allowed?  The round is sent three times: round 1 fills the cache (one variant per
# Origin value), rounds 2 and 3 must be served from it, each to its own origin.
ROUND = [(A, True), (B, True), (None, False), (A, True), (EVIL, False), (B, True),
         (UPPER, False), (None, False), (TWO, False), (C, False), (A, True), (EVIL, False)]


def key(origin):
    return repr(origin)


def run_rounds(srv, port, path, *, credentials=False, expose=None, label=""):
    states = []
    for rnd in range(3):
        for origin, allowed in ROUND:
            r = get(srv, port, path, origin)
            check_pair(r, origin, allowed, credentials=credentials, expose=expose,
                       ctx=f"{label} {path} round {rnd + 1}:")
            assert r.body == srv.subst(f"{path.strip('/')} body\n").encode(), r
            states.append((rnd, key(origin), cache_state(r)))
    return states


def assert_served_from_cache(states, label):
    """Every Origin value (None included) missed at most once, and rounds 2-3 were hits."""
    later = [(k, s) for rnd, k, s in states if rnd > 0]
    assert later and all(s == "HIT" for _, s in later), f"{label}: not all hits {later}"
    misses = [k for _, k, s in states if s == "MISS"]
    assert len(misses) == len(set(misses)), f"{label}: a variant missed twice: {misses}"


@pytest.mark.parametrize("label,port_index", [("quick", 0), ("noquick", 1)])
@pytest.mark.parametrize("scope,credentials,expose", [
    ("ab", False, "X-Total"),
    ("cred", True, None),
    ("exp", False, None),
    ("backend", False, None),
])
def test_variants_never_cross_origins(srv, label, port_index, scope, credentials, expose):
    port = ports(srv)[port_index][1]
    path = f"/{scope}/{'q' if label == 'quick' else 'nq'}"
    states = run_rounds(srv, port, path, credentials=credentials, expose=expose, label=label)
    assert_served_from_cache(states, f"{label} {path}")


@pytest.mark.parametrize("label,port_index", [("quick", 0), ("noquick", 1)])
def test_star_policy_response_cached_without_origin(srv, label, port_index):
    """A `*` response stored from a request without Origin still says ACAO * to CORS
    requests, and a response stored from a CORS request says the same to everyone."""
    port = ports(srv)[port_index][1]
    path = f"/star/{'q' if label == 'quick' else 'nq'}"
    states = []
    for origin in (None, A, B, None, EVIL, UPPER, TWO, A, None):
        r = get(srv, port, path, origin)
        where = f"{label} Origin={origin!r}\n{r}"
        assert r.status == 200, where
        assert r.get_all("Access-Control-Allow-Origin") == ["*"], where
        assert r.get("Access-Control-Expose-Headers") == "X-Total", where
        assert r.get("Access-Control-Allow-Credentials") is None, where
        states.append(cache_state(r))
    assert states[0] == "MISS" and all(s == "HIT" for s in states[1:]), states


def test_star_policy_cached_from_cors_request_first(srv):
    path = "/star/h"
    states = []
    for origin in (A, None, B, None):
        r = get(srv, srv.port, path, origin)
        assert r.get_all("Access-Control-Allow-Origin") == ["*"], r
        assert r.get("Access-Control-Expose-Headers") == "X-Total", r
        states.append(cache_state(r))
    assert states == ["MISS", "HIT", "HIT", "HIT"], states


@pytest.mark.skipif(**skip_unless("304-headers"))
@pytest.mark.parametrize("label,port_index", [("quick", 0), ("noquick", 1)])
def test_conditional_and_head_from_cache(srv, label, port_index):
    """304s and HEADs answered from the cache carry the requesting origin's headers."""
    port = ports(srv)[port_index][1]
    path = "/ab/h" if label == "quick" else "/ab/e"
    r = get(srv, port, path, A)
    check_pair(r, A, True, expose="X-Total")
    etag = r.get("ETag")
    assert etag, r
    for origin, allowed in ((B, True), (A, True), (EVIL, False), (None, False), (B, True)):
        r = get(srv, port, path, origin, extra=[("If-None-Match", etag)])
        assert r.status == 304, r
        check_pair(r, origin, allowed, expose="X-Total", ctx=f"{label} 304")
    states = []
    for origin, allowed in ((A, True), (B, True), (EVIL, False), (None, False)):
        r = get(srv, port, path, origin, method="HEAD")
        assert r.status == 200 and r.body == b"", r
        check_pair(r, origin, allowed, expose="X-Total", ctx=f"{label} HEAD")
        states.append(cache_state(r))
    # the A variant was stored by the first GET: HEAD is answered from it
    assert states[0] == "HIT", states


def test_stale_entries_revalidated_per_origin(srv):
    """After max-age=1 expires, mod_cache revalidates with the handler (a conditional
    request answered 304, merged into the stored headers): still one origin per variant.
    (A HIT may turn into a REVALIDATE when this machine is slow: both are checked the same.)"""
    path = "/stale/q"
    seq = [(A, True), (B, True), (None, False), (EVIL, False)]

    def send(order):
        return [cache_state(check_and_return(get(srv, srv.port, path, o), o, ok))
                for o, ok in order]

    first = send(seq)
    second = send(seq)
    assert first == ["MISS"] * 4, first
    assert set(second) <= {"HIT", "REVALIDATE"}, second
    time.sleep(2.1)
    third = send(seq)
    assert set(third) <= {"REVALIDATE", "MISS"} and "REVALIDATE" in third, third
    # and in the other order, so that a variant refreshed for A is never handed to B
    fourth = send(reversed(seq))
    assert set(fourth) <= {"HIT", "REVALIDATE"}, fourth


def check_and_return(r, origin, allowed):
    check_pair(r, origin, allowed, ctx="stale")
    return r


def test_preflights_not_cached(srv):
    """mod_cache never stores OPTIONS; a preflight after cached GETs is still judged."""
    path = "/ab/q"
    get(srv, srv.port, path, A)
    for origin, ok in ((A, True), (EVIL, False), (B, True)):
        r = srv.preflight(path, origin, "GET")
        assert r.status == (204 if ok else 403), r
        assert r.get("Access-Control-Allow-Origin") == (origin if ok else None), r
        assert not (r.get("X-Cache") or "").startswith("HIT"), r
