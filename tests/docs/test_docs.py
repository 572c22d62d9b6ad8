# SPDX-License-Identifier: Apache-2.0
"""The documentation against the module and against itself.

- docs/directives.md has one `## Name` section for each directive of the module's
  command table (cors_cmds[] in cors_config.c, read from the C source through the C
  preprocessor, with the headers the build uses), each opening
  with the httpd-style table (Description, Syntax, Default, Context, Override where
  .htaccess is a context, Status, Module), and no section for a name the table lacks.
- Every relative link in README.md, INSTALL.md and docs/*.md names a file that exists,
  and every #anchor a heading of that file (as GitHub makes anchors from headings).
- README.md stays a front door: at most 250 lines, `make demo` and `make test`, and a
  link to every page of the documentation.

Starts no httpd: `make test-docs` (part of `make test`).
"""
import os
import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DIRECTIVES = REPO / "docs" / "directives.md"
PAGES = [REPO / "README.md", REPO / "INSTALL.md"] + sorted((REPO / "docs").glob("*.md"))
README_MAX_LINES = 250


# ---- the command table, from the C source ------------------------------------------
#
# The table is read after the C preprocessor, as httpd gets it: its rows may be written
# as AP_INIT_* lines or made by macros (cors_config.c's CORS_DIRECTIVES).

def preprocessor_flags() -> list:
    """-I flags for httpd's, APR's and PCRE2's headers (those the build uses)."""
    apxs = os.environ.get("APXS", "apxs")
    include = subprocess.run([apxs, "-q", "INCLUDEDIR"], capture_output=True, text=True,
                             check=True).stdout.strip()
    pkg = subprocess.run(["pkg-config", "--cflags", "apr-1", "apr-util-1", "libpcre2-8"],
                         capture_output=True, text=True, check=True).stdout.split()
    return [f"-I{include}", f"-I{REPO}"] + pkg


def preprocess(source: str, flags: list) -> str:
    cc = os.environ.get("CC", "cc")
    done = subprocess.run([cc, "-E", "-P", *flags, "-x", "c", "-"], input=source,
                          capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, f"{cc} -E failed:\n{done.stderr[-2000:]}"
    return done.stdout


def c_initializer(text: str, start: int) -> str:
    """The text from the '{' at start to its matching '}', string literals respected."""
    depth, i = 0, start
    while i < len(text):
        c = text[i]
        if c == '"':
            i = re.compile(r'"(?:\\.|[^"\\])*"').match(text, i).end()
            continue
        depth += {"{": 1, "}": -1}.get(c, 0)
        i += 1
        if depth == 0:
            return text[start:i]
    raise AssertionError("an initializer without its closing brace")


def command_names(preprocessed: str) -> list:
    """The directive of each row of cors_cmds[]: the first string of each {...} in it."""
    m = re.search(r"\bcors_cmds\s*\[\s*\]\s*=\s*\{", preprocessed)
    assert m, "no 'cors_cmds[] = {' in the preprocessed cors_config.c"
    table = c_initializer(preprocessed, m.end() - 1)[1:-1]
    names, i = [], 0
    while i < len(table):
        if table[i] == "{":
            row = c_initializer(table, i)
            first = re.match(r'\{\s*"((?:\\.|[^"\\])*)"', row)
            if first:
                names.append(first.group(1))
            i += len(row)
        elif table[i] == '"':
            i = re.compile(r'"(?:\\.|[^"\\])*"').match(table, i).end()
        else:
            i += 1
    return names


@pytest.fixture(scope="module")
def commands() -> list:
    return command_names(preprocess((REPO / "cors_config.c").read_text(), preprocessor_flags()))


def test_the_command_table_is_read(commands):
    # A reader that finds nothing would make every test below pass vacuously.
    assert len(commands) >= 10, commands
    assert all(re.fullmatch(r"CORS[A-Za-z]+", n) for n in commands), commands
    assert len(set(commands)) == len(commands), commands


def test_the_reader_follows_macros_and_skips_comments():
    source = r'''
        #define AP_INIT_TAKE1(d, f, m, w, h) { d, f, m, w, 1, h }
        #define ROWS(X) X(TAKE1, "CORSOne", "{a} \"x\"") \
                        /* X(TAKE1, "CORSGone", "b") */ X(TAKE1, "CORSTwo", "}")
        #define ROW(args, name, help) AP_INIT_##args(name, 0, 0, 0, help),
        typedef struct { const char *n; int f, m, w, a; const char *h; } command_rec;
        const command_rec cors_cmds[] = {
            ROWS(ROW)
            AP_INIT_TAKE1("CORSThree", 0, 0, 0, "c"),
            // AP_INIT_TAKE1("CORSFour", 0, 0, 0, "d"),
            {0}
        };'''
    assert command_names(preprocess(source, [])) == ["CORSOne", "CORSTwo", "CORSThree"]


# ---- Markdown -----------------------------------------------------------------------

def without_code_blocks(text: str) -> list:
    """The lines of a Markdown text, those inside ``` fences blanked."""
    lines, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            lines.append("")
        else:
            lines.append("" if fenced else line)
    return lines


def headings(text: str) -> list:
    """(level, text) of each ATX heading outside code blocks."""
    found = []
    for line in without_code_blocks(text):
        m = re.match(r"(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if m:
            found.append((len(m.group(1)), m.group(2)))
    return found


def anchors(text: str) -> set:
    """The anchors GitHub gives the headings: lowercase, punctuation but '-' and '_'
    dropped, spaces made '-', and '-1', '-2' ... after a repeated one."""
    seen, result = {}, set()
    for _, title in headings(text):
        slug = re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        result.add(slug if n == 0 else f"{slug}-{n}")
    return result


def links(text: str) -> list:
    """(line number, target) of each inline link outside code; links may span lines."""
    body = "\n".join(without_code_blocks(text))
    body = re.sub(r"`[^`\n]*`", lambda m: "x" * len(m.group(0)), body)
    return [(body.count("\n", 0, m.start()) + 1, m.group(1))
            for m in re.finditer(r"\]\(\s*([^)\s]+)(?:\s+\"[^\"]*\")?\s*\)", body)]


def test_the_slugs_are_githubs():
    text = "# A\n## Asking the server why: CORSDebug\n## 2. Observe, under `CORSEngine X`\n" \
           "## mod_cors and the recipe\n## Dup\n```\n# not a heading\n```\n## Dup\n"
    assert anchors(text) == {"a", "asking-the-server-why-corsdebug",
                             "2-observe-under-corsengine-x", "mod_cors-and-the-recipe",
                             "dup", "dup-1"}


def test_links_are_found_across_lines_and_not_in_code():
    text = "see [Moving to\nmod_cors](a.md#b), `[x](in-code.md)`,\n```\n[y](fenced.md)\n```\n" \
           "[`CORSDebug`](#corsdebug)"
    assert links(text) == [(2, "a.md#b"), (6, "#corsdebug")]


# ---- the directive reference ---------------------------------------------------------

def directive_sections(text: str) -> dict:
    """Name -> the lines of each `## Name` section of docs/directives.md."""
    sections, name = {}, None
    for line in without_code_blocks(text):
        m = re.match(r"(#{1,6})\s+(.*?)\s*$", line)
        if m and len(m.group(1)) <= 2:
            name = m.group(2) if len(m.group(1)) == 2 else None
            if name is not None:
                assert name not in sections, f"docs/directives.md: two sections '## {name}'"
                sections[name] = []
        elif name is not None:
            sections[name].append(line)
    return sections


@pytest.fixture(scope="module")
def sections() -> dict:
    return directive_sections(DIRECTIVES.read_text())


def test_every_command_has_its_section(commands, sections):
    missing = [n for n in commands if n not in sections]
    assert not missing, f"directives of cors_cmds[] without '## Name' in docs/directives.md: {missing}"


def test_every_section_names_a_command(commands, sections):
    unknown = [n for n in sections if n not in commands]
    assert not unknown, f"'## ' headings of docs/directives.md that no cors_cmds[] row has: {unknown}"


def test_a_heading_appears_once_per_command(commands):
    titles = [t for level, t in headings(DIRECTIVES.read_text()) if level == 2]
    assert sorted(titles) == sorted(commands)


def summary_table(lines: list) -> list:
    """(field, value) rows of the table that opens a section."""
    body = [ln for ln in lines if ln.strip()]
    rows = []
    for line in body:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0].endswith(":"):
            rows.append((cells[0][:-1], " | ".join(cells[1:])))
    return rows


def table_problems(name: str, lines: list) -> list:
    rows = summary_table(lines)
    fields = [f for f, _ in rows]
    values = dict(rows)
    contexts = [c.strip() for c in values.get("Context", "").split(",")]
    expected = ["Description", "Syntax", "Default", "Context"]
    if ".htaccess" in contexts:
        expected.append("Override")
    expected += ["Status", "Module"]
    if fields != expected:
        return [f"## {name}: table rows {fields}, want {expected}"]
    problems = [f"## {name}: an empty {f} row" for f in fields if not values[f]]
    if not values["Syntax"].startswith(f"`{name} "):
        problems.append(f"## {name}: Syntax does not start with the name: {values['Syntax']}")
    if values["Module"] != "mod_cors":
        problems.append(f"## {name}: Module {values['Module']}")
    if not any(ln.strip() and not ln.startswith("|") for ln in lines):
        problems.append(f"## {name}: no text after the table")
    return problems


def test_each_section_opens_with_the_httpd_table(commands, sections):
    problems = [p for n in commands if n in sections for p in table_problems(n, sections[n])]
    assert not problems, "\n".join(problems)


# ---- links and anchors ---------------------------------------------------------------

@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_and_anchors_resolve(page):
    broken = []
    for line, target in links(page.read_text()):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):        # https:, mailto: ...
            continue
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        if not dest.exists():
            broken.append(f"{page.name}:{line}: {target}: no such file")
        elif anchor:
            if dest.suffix != ".md":
                broken.append(f"{page.name}:{line}: {target}: an anchor in a file that is not Markdown")
            elif anchor not in anchors(dest.read_text()):
                broken.append(f"{page.name}:{line}: {target}: no heading makes '#{anchor}'")
    assert not broken, "\n".join(broken)


# ---- README, the front door ----------------------------------------------------------

def test_readme_is_a_front_door():
    text = (REPO / "README.md").read_text()
    assert len(text.splitlines()) <= README_MAX_LINES
    assert "make demo" in text and "make test" in text


def test_readme_links_every_page():
    linked = {(REPO / t.partition("#")[0]).resolve()
              for _, t in links((REPO / "README.md").read_text()) if not t.startswith("#")}
    wanted = set(PAGES[1:]) | {REPO / "BENCHMARKS.md", REPO / "cors-check" / "cors-check.1"}
    missing = sorted(str(p.relative_to(REPO)) for p in wanted if p.resolve() not in linked)
    assert not missing, f"README.md links none of: {missing}"
