"""The repository's text speaks of the product: the README and the docs link only to files
inside the repository, and no README, doc, comment or docstring tells the project's
development history (work sessions, issue numbers, the source documents by a private name)
instead of what the product does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SOURCES = [
    path
    for folder in ("src", "tests", "benchmarks", "scripts", ".ci")
    for path in sorted((ROOT / folder).rglob("*"))
    if path.is_file()
    and path.suffix in {".py", ".md", ".toml", ".sh", ""}
    and "__pycache__" not in path.parts
    and path != Path(__file__).resolve()  # this file names the patterns it looks for
]
_LINK = re.compile(r"\]\(([^)\s]+)\)")
# Development history told in place of the product: "session 7's runs", "issue #3",
# "the seed's shape" (the API reference under its drafting name), "this VM", "slow VM".
_HISTORY = re.compile(
    r"\bsessions? \d|\bsession's (?:code|runs?|last|VM|work)|\bissue #?\d|\bissue's\b"
    r"|\bthe seed'?s?\b|\bseed ``gateway-|\bthis VM\b|\bslow VM\b|\bDESIGN\.md\b|\bSTYLE\.md\b",
    re.IGNORECASE,
)

# The history of benchmark runs told in place of their method and latest figures: "on the VM",
# "a quieter machine", "that day", "Earlier runs could hang", "the runs since", "the code
# before them", "not measured again", "the machine ran slower".
_RUN_HISTORY = re.compile(
    r"\bon the VM\b|\bquieter machine\b|\bthat day\b|\bsame day\b|\bearlier (?:runs?|days?)\b"
    r"|\bruns? since\b|\bthis \d-(?:core|vCPU) machine\b|\bthis project ran\b"
    r"|\bmeasured again\b|\bran (?:faster|slower) than on\b|\bthe code before\b"
    r"|\bthe machine (?:ran|was) (?:faster|slower|shared)\b",
    re.IGNORECASE,
)
# A calendar date (not an example payload's timestamp, 2030-01-01T18:00:00Z).
_DATE = re.compile(r"\b20\d\d-[01]\d-[0-3]\d\b(?!T)")


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


# The argument is ``doc``, not ``page``: a test taking ``page`` is a browser test to
# pytest-playwright (it gets a browser parameter and the browser session) and to the workers'
# order (tests/conftest.py runs such files last, after the browser tests).
@pytest.mark.parametrize("doc", PAGES, ids=_relative)
def test_pages_link_only_to_files_inside_the_repository(doc: Path) -> None:
    broken = []
    for target in _LINK.findall(doc.read_text(encoding="utf-8")):
        if target.startswith("#"):
            continue  # a heading of the same page
        if re.match(r"^[a-z]+:", target):
            broken.append(f"{target} (not a file of the repository)")
            continue
        resolved = (doc.parent / target.split("#", 1)[0]).resolve()
        if not resolved.is_relative_to(ROOT) or not resolved.exists():
            broken.append(f"{target} (no such file in the repository)")
    assert broken == []


def test_no_text_tells_the_development_history() -> None:
    found = [
        f"{_relative(path)}:{number}: {line.strip()}"
        for path in [*PAGES, *SOURCES]
        for number, line in enumerate(
            path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1
        )
        if _HISTORY.search(line)
    ]
    assert found == []


def test_no_text_tells_the_history_of_benchmark_runs() -> None:
    """A benchmark's page says its method, its latest figures with their date and command, and
    how to reproduce them; not how earlier runs or other machines went."""
    found = [
        f"{_relative(path)}:{number}: {line.strip()}"
        for path in [*PAGES, *SOURCES]
        for number, line in enumerate(
            path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1
        )
        if _RUN_HISTORY.search(line)
    ]
    assert found == []


def _prose(page: Path) -> list[tuple[int, str]]:
    """(number, line) of each line of ``page`` outside code blocks and tables."""
    lines, fenced = [], False
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and not line.lstrip().startswith("|"):
            lines.append((number, line))
    return lines


def test_figures_are_dated_in_their_tables_only() -> None:
    """When a figure was measured is a date column of its table, beside its command; a date in
    a page's prose tells when something happened rather than what the product does."""
    found = [
        f"{_relative(page)}:{number}: {line.strip()}"
        for page in PAGES
        for number, line in _prose(page)
        if _DATE.search(line)
    ]
    assert found == []
