#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""make test-httpd-matrix -- the unit tests and the integration suite against every httpd
version whose source tarball is in a directory.

    /usr/bin/python3 tools/httpd-matrix.py SOURCES_DIR [VERSION ...]

For each SOURCES_DIR/httpd-<version>.tar.gz (or only the VERSIONs named: 2.4.37, trunk):
  1. tools/build-httpd.sh builds httpd into build/httpd/<version>/prefix, once; the tree is
     reused while the tarball's sha256 is unchanged;
  2. `make` builds mod_cors with that version's apxs into build/httpd/<version>/mod_cors;
  3. `make test-unit`, then pytest runs tests/integration with HTTPD, HTTPD_MODULES and
     CORS_MODULE naming that build (tests/lib/httpd_harness.py).
Then it prints a table: version, the unit checks and the integration tests passed /
failed / skipped, and why each skip happened.  Exit status 1 when any version failed a
test (or did not build), 0 otherwise.  Logs: build/httpd/<version>/{unit,integration}.log.
"""

from __future__ import annotations

import collections
import os
import pathlib
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

REPO = pathlib.Path(__file__).resolve().parents[1]
CACHE = REPO / "build" / "httpd"
PYTHON = os.environ.get("PYTHON", "/usr/bin/python3")
MAKE = os.environ.get("MAKE", "make")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def version_key(v: str):
    """2.4.9 < 2.4.37 < trunk."""
    if v == "trunk":
        return (9999,)
    return tuple(int(x) if x.isdigit() else 0 for x in re.split(r"[.\-]", v))


def make_env() -> dict:
    """The environment for make: without the variables of the make that runs us, so that
    our own APXS/HTTPD/CORS_BUILD are the ones that count."""
    env = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "APXS", "HTTPD",
              "HTTPD_MODULES", "CORS_BUILD", "CORS_MODULE"):
        env.pop(k, None)
    return env


def run(cmd: list, logfile: pathlib.Path, env: dict | None = None) -> tuple[int, str]:
    with open(logfile, "w") as f:
        p = subprocess.run(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           env=env or make_env(), text=True)
        f.write(p.stdout)
    return p.returncode, p.stdout


def unit_counts(out: str) -> tuple[int, int]:
    """The checks of every unit program, summed (each ends with "N passed, N failed")."""
    found = re.findall(r"^(\d+) passed, (\d+) failed$", out, re.M)
    if not found:
        return (0, 1)
    return (sum(int(p) for p, _ in found), sum(int(f) for _, f in found))


def junit_counts(path: pathlib.Path) -> tuple[int, int, int, collections.Counter]:
    """(passed, failed, skipped, Counter of skip reasons) from pytest's JUnit XML."""
    tests = failed = skipped = 0
    reasons: collections.Counter = collections.Counter()
    for case in ET.parse(path).getroot().iter("testcase"):
        tests += 1
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        sk = case.find("skipped")
        if sk is not None:
            skipped += 1
            reasons[(sk.get("message") or "").removeprefix("Skipped: ")] += 1
    return tests - failed - skipped, failed, skipped, reasons


def test_version(tarball: pathlib.Path) -> dict:
    version = tarball.name.removeprefix("httpd-").removesuffix(".tar.gz")
    row = {"version": version, "problems": [], "unit": None, "integration": None,
           "reasons": collections.Counter()}
    t0 = time.monotonic()
    p = subprocess.run(["sh", str(REPO / "tools" / "build-httpd.sh"), str(tarball), str(CACHE)],
                       cwd=REPO, stdout=subprocess.PIPE, text=True)
    if p.returncode != 0:
        row["problems"].append("httpd did not build")
        return row
    prefix = pathlib.Path(p.stdout.strip().splitlines()[-1])
    work = CACHE / version
    httpd_vars = [f"APXS={prefix}/bin/apxs", f"HTTPD={prefix}/bin/httpd",
                  f"HTTPD_MODULES={prefix}/modules",
                  f"CORS_BUILD={work.relative_to(REPO)}/mod_cors"]
    rc, out = run([MAKE, "--no-print-directory", "all", *httpd_vars], work / "module.log")
    if rc != 0:
        log(out[-3000:])
        row["problems"].append("mod_cors did not build with its apxs")
        return row
    so = work / "mod_cors" / ".libs" / "mod_cors.so"
    row["httpd"] = subprocess.run([f"{prefix}/bin/httpd", "-v"], stdout=subprocess.PIPE,
                                  text=True).stdout.split("\n")[0].split(": ", 1)[-1]

    rc, out = run([MAKE, "--no-print-directory", "test-unit", *httpd_vars], work / "unit.log")
    row["unit"] = unit_counts(out)
    if rc != 0:
        row["problems"].append("unit tests failed")

    xml = work / "integration.xml"
    xml.unlink(missing_ok=True)
    env = make_env()
    env.update(HTTPD=f"{prefix}/bin/httpd", HTTPD_MODULES=f"{prefix}/modules",
               CORS_MODULE=str(so))
    rc, out = run([PYTHON, "-m", "pytest", "-q", "-rfEs", "-p", "no:cacheprovider",
                   f"--basetemp={work}/pytest", f"--junitxml={xml}", "tests/integration"],
                  work / "integration.log", env)
    if xml.exists():
        passed, failed, skipped, reasons = junit_counts(xml)
        row["integration"] = (passed, failed, skipped)
        row["reasons"] = reasons
        if failed:
            row["problems"].append(f"{failed} integration tests failed "
                                   f"(see {work.relative_to(REPO)}/integration.log)")
    else:
        row["problems"].append("the integration suite did not run")
    if rc != 0 and not row["problems"]:
        row["problems"].append(f"pytest exited {rc}")
    row["seconds"] = time.monotonic() - t0
    return row


def fmt(counts) -> str:
    return " / ".join(str(c) for c in counts) if counts else "-"


def print_table(rows: list) -> None:
    print()
    print("| httpd | unit passed / failed | integration passed / failed / skipped | result |")
    print("|---|---|---|---|")
    for r in rows:
        result = "FAIL: " + "; ".join(r["problems"]) if r["problems"] else "pass"
        print(f"| {r['version']} | {fmt(r['unit'])} | {fmt(r['integration'])} | {result} |")
    skips = [(r["version"], why, n) for r in rows for why, n in sorted(r["reasons"].items())]
    if skips:
        print()
        print("Skipped:")
        for v, why, n in skips:
            print(f"  {v}: {n} test{'s' if n != 1 else ''}: {why}")
    print()


def main() -> int:
    if len(sys.argv) < 2:
        log(__doc__)
        return 2
    src = pathlib.Path(sys.argv[1])
    wanted = sys.argv[2:]
    tarballs = sorted(src.glob("httpd-*.tar.gz"),
                      key=lambda t: version_key(t.name[6:-7]))
    if wanted:
        tarballs = [t for t in tarballs if t.name[6:-7] in wanted]
        missing = set(wanted) - {t.name[6:-7] for t in tarballs}
        if missing:
            log(f"httpd-matrix: no httpd-<version>.tar.gz in {src} for: {sorted(missing)}")
            return 1
    if not tarballs:
        log(f"httpd-matrix: no httpd-*.tar.gz in {src}")
        return 1
    rows = []
    for t in tarballs:
        log(f"== httpd {t.name[6:-7]}")
        rows.append(test_version(t))
        r = rows[-1]
        log(f"   unit {fmt(r['unit'])}, integration {fmt(r['integration'])}"
            + (f", {r['seconds']:.0f} s" if "seconds" in r else "")
            + (f": {'; '.join(r['problems'])}" if r["problems"] else ""))
    print_table(rows)
    return 1 if any(r["problems"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
