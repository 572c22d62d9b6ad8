# SPDX-License-Identifier: Apache-2.0
"""The documentation against the module and against itself.

- docs/directives.md has one `## Name` section for each directive of the module's
  command table (cors_cmds[] in cors_config.c, read from the C source), each opening
  with the httpd-style table (Description, Syntax, Default, Context, Override where
  .htaccess is a context, Status, Module), and no section for a name the table lacks.
- Every relative link in README.md, INSTALL.md and docs/*.md names a file that exists,
  and every #anchor a heading of that file (as GitHub makes anchors from headings).
- README.md stays a front door: at most 250 lines, `make demo` and `make test`, and a
  link to every page of the documentation.

Needs no httpd: `make test-docs` (part of `make test`).
"""
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DIRECTIVES = REPO / "docs" / "directives.md"
PAGES = [REPO / "README.md", REPO / "INSTALL.md"] + sorted((REPO / "docs").glob("*.md"))
README_MAX_LINES = 250


# ---- the command table, from the C source ------------------------------------------

def strip_c_comments(text: str) -> str:
    """The C text without comments (string literals kept: a directive's name is one)."""
    return re.sub(r'/\*.*?\*/|//[^\n]*|("(?:\\.|[^"\\])*")',
                  lambda m: m.group(1) or " ", text, flags=re.S)


def command_names(source: str) -> list:
    """The names of the AP_INIT_* rows of `cors_cmds[]`, in order."""
    table = re.search(r"\bcors_cmds\s*\[\s*\]\s*=\s*\{(.*?)\{\s*NULL\s*\}\s*\}\s*;",
                      strip_c_comments(source), re.S)
    assert table, "cors_config.c: no cors_cmds[] = { ... {NULL} }; table"
    return re.findall(r'\bAP_INIT_[A-Z0-9_]+\s*\(\s*"([^"]+)"', table.group(1))


@pytest.fixture(scope="module")
def commands() -> list:
    return command_names((REPO / "cors_config.c").read_text())


def test_the_command_table_is_read(commands):
    # A parser that finds nothing would make every test below pass vacuously.
    assert len(commands) >= 10, commands
    assert all(re.fullmatch(r"CORS[A-Za-z]+", n) for n in commands), commands
    assert len(set(commands)) == len(commands), commands


def test_the_reader_skips_commented_rows():
    source = '''const command_rec cors_cmds[] = {
        AP_INIT_TAKE1("CORSOne", f, NULL, OR_FILEINFO, "a"),
        /* AP_INIT_TAKE1("CORSGone", f, NULL, OR_FILEINFO, "b"), */
        AP_INIT_FLAG("CORSTwo", f, NULL, OR_FILEINFO, "/* not a comment */"),
        {NULL}
    };'''
    assert command_names(source) == ["CORSOne", "CORSTwo"]


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


@pytest.mark.parametrize("name", command_names((REPO / "cors_config.c").read_text()))
def test_each_section_opens_with_the_httpd_table(name, sections):
    rows = summary_table(sections.get(name, []))
    fields = [f for f, _ in rows]
    values = dict(rows)
    contexts = [c.strip() for c in values.get("Context", "").split(",")]
    expected = ["Description", "Syntax", "Default", "Context"]
    if ".htaccess" in contexts:
        expected.append("Override")
    expected += ["Status", "Module"]
    assert fields == expected, f"## {name}: table rows {fields}, want {expected}"
    assert all(values[f] for f in fields), f"## {name}: an empty row: {rows}"
    assert values["Syntax"].startswith(f"`{name} "), f"## {name}: Syntax {values['Syntax']}"
    assert values["Module"] == "mod_cors"
    assert any(ln.strip() and not ln.startswith("|") for ln in sections[name]), \
        f"## {name}: no text after the table"


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
