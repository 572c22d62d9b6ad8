# SPDX-License-Identifier: Apache-2.0
"""cors-check against headless Chromium: one test per (server behaviour, request) pair.

For each pair of grid.py, Chromium (a page on http://127.0.0.1:P fetch()ing
http://localhost:P2/b/<behaviour>/r.cgi) and cors-check (--origin http://127.0.0.1:P, the
same request) must agree on:
  - the verdict: the fetch resolves (exit 0) or is blocked (exit 1);
  - for a block, the console message Chromium prints (the same text, word for word);
  - for a response, its status and which --read-header names the script can read;
  - the requests on the wire: each preflight and request, in order, with its method, URL,
    Origin, Access-Control-Request-Method and Access-Control-Request-Headers.

    make grid-cors-check        every pair (CI: make ci-extra)
    make test-cors-check        CORS_CHECK_SAMPLE=20 pairs (make test)
"""

import concurrent.futures
import json
import os

import pytest

import grid

SAMPLE = int(os.environ.get("CORS_CHECK_SAMPLE", "0") or 0)
PAIRS = grid.sample_pairs(SAMPLE) if SAMPLE else grid.all_pairs()
LOG_ALLOW = [r"AH01797|AH01630|AH01618|AH01617|AH01614|user .* not found|"
             r"authentication failure|No user",   # the auth behaviours' 401s
             r"\[cors:warn\].*'patch'"]           # mc-lower-patch, on purpose


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    work = tmp_path_factory.mktemp("cors-check-grid")
    srv = grid.make_server(work)
    srv.start()
    try:
        chromium = grid.run_chromium(srv, PAIRS, work)
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            checks = dict(zip([p.id for p in PAIRS],
                              pool.map(lambda p: grid.run_cors_check(srv, p), PAIRS)))
        wire_chromium = grid.wire_requests(srv, "Mozilla")
        wire_check = grid.wire_requests(srv, "cors-check")
        yield srv, chromium, checks, wire_chromium, wire_check, work
    finally:
        srv.stop()


def compare(pair, chromium, check, wire_chromium, wire_check):
    """The differences between Chromium and cors-check for one pair ([] = agreement)."""
    c = chromium["results"].get(pair.id)
    rc, doc, text = check
    bad = []
    if c is None:
        return [f"no Chromium result for {pair.id}"]
    if doc is None or rc not in (0, 1):
        return [f"cors-check exit {rc}, no verdict:\n{text}"]
    # exit 0 only when the response and every --read-header name are readable
    all_read = all(v == "readable" for v in doc["read_headers"].values())
    if rc != (0 if doc["verdict"] == "allowed" and all_read else 1):
        bad.append(f"exit {rc} for verdict {doc['verdict']} and headers {doc['read_headers']}")
    if c["ok"] != (doc["verdict"] == "allowed"):
        bad.append(f"verdict: Chromium {'allowed' if c['ok'] else 'blocked'} "
                   f"({c.get('error')}; console {c.get('console')}), cors-check exit {rc} "
                   f"({doc.get('console_message')})")
    elif c["ok"]:
        if c["status"] != doc["status"]:
            bad.append(f"status: Chromium {c['status']}, cors-check {doc['status']}")
        for name, value in c["headers"].items():
            readable = doc["read_headers"].get(name) == "readable"
            if (value is not None) != readable:
                bad.append(f"read-header {name}: Chromium {value!r}, cors-check "
                           f"{doc['read_headers'].get(name)}")
    else:
        cons = c.get("console") or []
        cors = [m for m in cons if m.startswith("Access to fetch at ")]
        want = doc.get("console_message")
        if cors:
            if want not in cors:
                bad.append(f"console message:\n  Chromium:   {cors[0]}\n  cors-check: {want}")
        elif not any(want and want in m for m in cons):
            bad.append(f"console message: Chromium {cons}, cors-check {want!r}")
    wc, wk = wire_chromium.get(pair.id, []), wire_check.get(pair.id, [])
    if wc != wk:
        bad.append("requests on the wire differ:\n  Chromium:   "
                   + "\n              ".join(map(str, wc))
                   + "\n  cors-check: " + "\n              ".join(map(str, wk)))
    return bad


@pytest.mark.parametrize("pair", PAIRS, ids=[p.id for p in PAIRS])
def test_pair(run, pair):
    srv, chromium, checks, wire_chromium, wire_check, work = run
    bad = compare(pair, chromium, checks[pair.id], wire_chromium, wire_check)
    assert not bad, f"{pair.id}: " + "\n".join(bad) + f"\n(results in {work})"


def test_summary(run):
    """Agreement over the whole grid, by category, written to grid-summary.json."""
    srv, chromium, checks, wire_chromium, wire_check, work = run
    by_cat: dict = {}
    diffs = []
    for p in PAIRS:
        bad = compare(p, chromium, checks[p.id], wire_chromium, wire_check)
        ok = not bad
        if bad:
            diffs.append(f"== {p.id}\n" + "\n".join(bad))
        cat = by_cat.setdefault(grid.category(p), {"pairs": 0, "agree": 0, "blocked": 0})
        cat["pairs"] += 1
        cat["agree"] += ok
        cat["blocked"] += not chromium["results"][p.id]["ok"]
    total = sum(c["pairs"] for c in by_cat.values())
    agree = sum(c["agree"] for c in by_cat.values())
    summary = {"browser": chromium["browser"], "pairs": total, "agree": agree,
               "agreement_percent": round(100.0 * agree / total, 2), "categories": by_cat}
    (work / "grid-diff.txt").write_text("\n".join(diffs) + "\n")
    (work / "grid-summary.json").write_text(json.dumps(summary, indent=1))
    print("\ncors-check grid: " + json.dumps(summary))
    assert total >= (200 if not SAMPLE else 1)
    assert agree == total, f"{total - agree} of {total} pairs disagree"


def test_server_log(run):
    srv = run[0]
    srv.check_log(allow=LOG_ALLOW)
