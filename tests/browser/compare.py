# SPDX-License-Identifier: Apache-2.0
"""make compare: the browser cases against mod_cors and against the usual recipe.

Runs browser_cases.CASES twice in Debian's chromium: once with app.conf + mod_cors.conf,
once with app.conf + recipe.conf (mod_setenvif + mod_headers + mod_rewrite, no mod_cors),
prints a table (✓ = the page saw what it should) and writes it, with the browser's own
words for every ✗, to compare.md (or --out FILE).

    /usr/bin/python3 tests/browser/compare.py [--out FILE] [--keep]

Exit status: 0 when both runs completed (whatever the ✓/✗), 1 when a run broke.
"""

from __future__ import annotations

import argparse
import pathlib
import shutil
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import browser_cases as bc  # noqa: E402

VARIANTS = ("mod_cors", "recipe")

# Why the recipe (or mod_cors) fails a case, shown under the table for each ✗ it has.
CAUSES = {
    ("recipe", "auth-preflight"):
        "The preflight carries no credentials, and in `<Directory>`/.htaccess context the "
        "`RewriteRule` that answers OPTIONS runs after authentication, so the preflight gets "
        "the 401. (A `RewriteRule` in server/vhost context runs before authentication; the "
        "usual per-directory paste does not.)",
    ("recipe", "backend-acao"):
        "The application behind mod_proxy sends its own `Access-Control-Allow-Origin: *`; "
        "`Header always set` adds a second value instead of replacing it (the two header "
        "tables of mod_headers).",
    ("recipe", "redirect"):
        "`Redirect` answers in the translate phase, before httpd maps the URL to a "
        "directory, so headers set in `<Directory>` or .htaccess are never added to the 302 "
        "(in `<Location>` they would be). This one is about where the policy is written, not "
        "the recipe: a mod_cors policy in `<Directory>` or .htaccess misses the 302 as well.",
    ("recipe", "json-post-default"):
        "`Content-Type: application/json` is not a CORS-safelisted value, so the browser "
        "asks for `content-type` in its preflight; a recipe that lists no "
        "`Access-Control-Allow-Headers` refuses it. mod_cors allows the safelisted names "
        "always and says so in its answer.",
}


def run_variant(variant: str, keep: bool):
    wd = pathlib.Path(tempfile.mkdtemp(prefix=f"cors-compare-{variant}-"))
    srv = bc.make_server(wd, variant)
    srv.start()
    try:
        results = bc.run_browser(srv)
        verdicts = {c.id: bc.evaluate(c, results, srv) for c in bc.CASES}
        said = {c.id: browser_said(results.get(c.id) or []) for c in bc.CASES}
        subst = {v: f"<{k}>" for k, v in srv.origins().items()}
        subst.update({str(p): "<port>" for p in (srv.port, srv.port2, srv.port3, srv.port4)})
    finally:
        srv.stop()
        if not keep:
            shutil.rmtree(wd, ignore_errors=True)
    return verdicts, said, subst, wd


def browser_said(steps: list) -> str | None:
    """Chromium's console message about CORS for the first step that has one."""
    for st in steps:
        for line in st.get("console") or []:
            if "CORS policy" in line:
                return line
    return None


def symbolic(text: str, subst: dict) -> str:
    """This run's origins and ports made symbolic, so compare.md does not change per run."""
    for k in sorted(subst, key=len, reverse=True):
        text = text.replace(k, subst[k])
    return text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(pathlib.Path(__file__).resolve().parent / "compare.md"))
    ap.add_argument("--keep", action="store_true", help="keep the servers' work directories")
    args = ap.parse_args()

    verdicts, saids, substs = {}, {}, {}
    for v in VARIANTS:
        print(f"== running the browser cases against {v} ...", file=sys.stderr)
        try:
            verdicts[v], saids[v], substs[v], wd = run_variant(v, args.keep)
        except Exception as e:  # noqa: BLE001 - report and stop
            print(f"compare: the {v} run broke: {e}", file=sys.stderr)
            return 1
        if args.keep:
            print(f"   work directory: {wd}", file=sys.stderr)

    def mark(v, cid):
        return "✓" if not verdicts[v][cid] else "✗"

    w = max(len(c.title) for c in bc.CASES)
    lines = [f"| {'case'.ljust(w)} | mod_cors | recipe |",
             f"|{'-' * (w + 2)}|:--------:|:------:|"]
    for c in bc.CASES:
        lines.append(f"| {c.title.ljust(w)} |    {mark('mod_cors', c.id)}     |   "
                     f"{mark('recipe', c.id)}    |")
    totals = {v: sum(1 for c in bc.CASES if not verdicts[v][c.id]) for v in VARIANTS}
    lines.append(f"| {'cases passed'.ljust(w)} | {totals['mod_cors']:>4}/{len(bc.CASES):<3} | "
                 f"{totals['recipe']:>2}/{len(bc.CASES):<3} |")
    table = "\n".join(lines)
    print(table)

    notes = []
    for c in bc.CASES:
        for v in VARIANTS:
            if verdicts[v][c.id]:
                cause = CAUSES.get((v, c.id), "")
                said = saids[v][c.id]
                said = (f"Chromium: `{symbolic(said, substs[v])}`" if said else
                        "Test: " + symbolic("; ".join(verdicts[v][c.id]), substs[v])[:600])
                notes.append(f"- **{c.title}**, {v}: {cause}{' ' if cause else ''}{said}")
    for n in notes:
        print(n)

    md = [
        "# mod_cors and the usual recipe, seen from a browser",
        "",
        "Generated by `make compare` (tests/browser/compare.py): every case of",
        "tests/browser/browser_cases.py runs in headless Chromium (Debian's `chromium`, driven",
        "by playwright-core) against httpd configured with mod_cors (tests/browser/mod_cors.conf)",
        "and with the usual `SetEnvIf Origin` + `Header always set` + `RewriteRule` OPTIONS → 204",
        "recipe (tests/browser/recipe.conf), with the same origins, methods and headers. A ✓ means",
        "that `fetch()` in the page saw what it should: the response, or a `TypeError` where the",
        "browser must refuse it. Page origins: `<a>` and `<b>` are allowed, `<u>` is named by no",
        "policy; the API is on `<api>`.",
        "",
        f"Browser: Chromium {bc.BROWSER_VERSION}.",
        "",
        table,
        "",
    ]
    if notes:
        md += ["Where a ✗ comes from:", ""] + notes + [""]
    pathlib.Path(args.out).write_text("\n".join(md))
    print(f"written: {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
