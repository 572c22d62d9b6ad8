# SPDX-License-Identifier: Apache-2.0
"""Checks on the sources themselves (no server): each log tag names one call
site, and the pure files (the Makefile's PURE_SRCS) include no httpd header."""
import re
import subprocess
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HTTPD_HEADER = re.compile(r'#include\s+"(httpd|http_\w+|ap_\w+|util_\w+|mod_\w+)\.h"')


def make_var(name: str) -> list[str]:
    """A variable of the Makefile, expanded by make itself."""
    out = subprocess.run(["make", "-s", "--no-print-directory", "-C", str(ROOT),
                          f"print-{name}"], capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_log_tags_are_unique():
    uses = Counter()
    for src in ROOT.glob("*.c"):
        for number in re.findall(r"CORSLOGNO\((\d+)\)", src.read_text()):
            uses[(number, src.name)] += 1
    numbers = Counter(number for number, _ in uses.elements())
    twice = {n: [f for (m, f) in uses if m == n] for n, count in numbers.items() if count > 1}
    assert numbers, "no CORSLOGNO found: the pattern is wrong"
    assert not twice, f"log tags used at more than one call site: {twice}"


def test_one_definition_of_the_log_tag():
    defined = [src.name for src in ROOT.glob("*.[ch]")
               if re.search(r"#\s*define\s+CORSLOGNO\b", src.read_text())]
    assert defined == ["mod_cors.h"]


def test_pure_files_include_no_httpd_header():
    pure = make_var("PURE_SRCS") + make_var("PURE_HDRS")
    assert "cors_origin.c" in pure and "cors_decide.c" in pure
    offenders = {f: HTTPD_HEADER.findall((ROOT / f).read_text()) for f in pure}
    assert not {f: h for f, h in offenders.items() if h}
