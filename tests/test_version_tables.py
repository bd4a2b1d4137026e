"""Every part of chargeyard that does something per OCPP version keys it by the version object,
in a :class:`~chargeyard.protocol.VersionTable` that names every version of
:data:`~chargeyard.protocol.VERSIONS` (what it does for it, or why it has nothing yet). Adding
a version to the table of versions makes these tests list every table that was not told, and
no code outside ``protocol/versions.py`` compares version strings."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import chargeyard
from chargeyard.fleet.fleet import STATION_CLASSES
from chargeyard.protocol import V16, V21, V201, VERSIONS, UnknownVersion, VersionTable
from chargeyard.station.versions import station_terms

SOURCE = Path(chargeyard.__file__).resolve().parent


def _tables() -> dict[str, VersionTable[object]]:
    """Every module-level table of every chargeyard module, by ``module.NAME``."""
    found: dict[str, VersionTable[object]] = {}
    for module_info in pkgutil.walk_packages(chargeyard.__path__, "chargeyard."):
        if module_info.name.startswith("chargeyard.store.migrations.") or module_info.name.endswith(
            "__main__"
        ):  # alembic's scripts run inside alembic; __main__ runs the command line
            continue
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if isinstance(value, VersionTable):
                found.setdefault(f"{module_info.name}.{name}", value)
    return found


def test_the_tables_are_found_where_the_versions_pick_behaviour() -> None:
    assert {
        "chargeyard.csms.server.HANDLERS",
        "chargeyard.csms.commands.operations.DIALECTS",
        "chargeyard.csms.commands.transactions.REMOTE_DIALECTS",
        "chargeyard.fleet.fleet.STATION_CLASSES",
        "chargeyard.lab.demo._SAMPLING",
    } <= set(_tables())


def test_every_version_a_station_speaks_has_its_terms() -> None:
    # A station class's words for faults, settings and the local list (station/terms.py),
    # read from STATION_CLASSES: a new version's class without them fails here.
    for version in STATION_CLASSES:
        assert station_terms(version).version is version


def test_every_table_names_every_version() -> None:
    forgotten = {
        name: [spec.name for spec in table.forgotten]
        for name, table in _tables().items()
        if table.forgotten
    }
    assert forgotten == {}


def test_a_table_that_forgets_a_version_names_it() -> None:
    table = VersionTable("a part", {V16: "one"})
    assert table.forgotten == (V21, V201)
    told = VersionTable("a part", {V16: "one"}, lacking={V21: "not yet", V201: "not yet"})
    assert told.forgotten == ()


def test_a_lookup_of_a_lacking_version_says_why() -> None:
    table = VersionTable("the thing", {V16: "one", V201: "two"}, lacking={V21: "no 2.1 yet"})
    assert table[V201] == "two"
    assert table.named("OCPP 1.6") == "one"
    assert table.names == ("2.0.1", "1.6")
    assert V21 not in table
    assert V16 in table
    assert table.get(V21) is None
    assert table.get(V16) == "one"
    with pytest.raises(UnknownVersion, match=r"the thing: nothing for OCPP 2\.1 \(no 2\.1 yet\)"):
        table[V21]
    with pytest.raises(UnknownVersion, match=r"unknown OCPP version '1\.5'"):
        table.named("1.5")


def test_a_version_cannot_be_both_given_and_lacking() -> None:
    with pytest.raises(ValueError, match=r"1\.6 both given and lacking"):
        VersionTable("a part", {V16: 1}, lacking={V16: "no"})


# A version literal ("1.6", "ocpp2.0.1", "OCPP 1.6") or a version's name or subprotocol
# compared, or a spelling taken apart by hand: what parse_version() and the tables are for.
_LITERAL = r"""["'](?:ocpp|OCPP)?\s?[12]\.[0-9](?:\.[0-9])?["']"""
_SPEC = r"\w*(?:version|spec)\w*\.(?:name|subprotocol)\b"
_COMPARISON = re.compile(
    rf"(?:==|!=|\bin\b|\bis\b)\s*\(?\s*{_LITERAL}|{_LITERAL}\s*(?:==|!=|\bin\b|\bnot in\b)"
    rf"|{_SPEC}\s*(?:==|!=|\bin\b|\bnot in\b)|(?:==|!=)\s*{_SPEC}|\bin\s*\([^)]*{_SPEC}"
    r"""|\.(?:startswith|removeprefix|endswith)\(\s*["'](?:ocpp|OCPP|[12]\.)"""
)


@pytest.mark.parametrize(
    "line",
    [
        'if version == "1.6":',
        "if station.ocpp_version in (None, version.name):",
        'version = ocpp_version.removeprefix("ocpp")',
        "return next(s for s in VERSIONS.values() if spec.name == wanted)",
        'if "2.0.1" not in classes:',
    ],
)
def test_the_check_recognises_a_version_comparison(line: str) -> None:
    assert _COMPARISON.search(line)


def _comparisons_in(
    paths: list[Path], table: Path, comparison: re.Pattern[str], comment: str
) -> list[str]:
    """Each line of ``paths`` but ``table`` whose code (before ``comment``) ``comparison``
    finds, as ``path:line: text``."""
    found = []
    for path in paths:
        if path == table:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if comparison.search(line.split(comment, 1)[0]):
                found.append(f"{path.relative_to(SOURCE)}:{number}: {line.strip()}")
    return found


def test_no_code_outside_the_table_of_versions_compares_version_strings() -> None:
    paths = sorted(SOURCE.rglob("*.py"))
    assert _comparisons_in(paths, SOURCE / "protocol" / "versions.py", _COMPARISON, "#") == []


# The dashboard's scripts: a version literal compared with === / !== (either side), or a
# version's spelling taken apart by hand; web/js/versions.js is their table of versions.
_JS_VERSIONS = SOURCE / "web" / "js" / "versions.js"
_JS_COMPARISON = re.compile(
    rf"(?:===|!==|==|!=)\s*{_LITERAL}|{_LITERAL}\s*(?:===|!==|==|!=)|\^ocpp|/\^OCPP"
)


@pytest.mark.parametrize(
    "line",
    [
        'const v16 = version === "1.6";',
        "return '2.0.1' !== charger.ocppVersion ? a : b;",
        'return String(charger.ocpp_version || "").replace(/^ocpp/i, "");',
    ],
)
def test_the_check_recognises_a_version_comparison_in_the_dashboard(line: str) -> None:
    assert _JS_COMPARISON.search(line)


def test_no_dashboard_script_outside_its_table_of_versions_compares_version_strings() -> None:
    paths = sorted((SOURCE / "web").rglob("*.js"))
    assert _comparisons_in(paths, _JS_VERSIONS, _JS_COMPARISON, "//") == []


def test_the_dashboard_s_table_of_versions_names_every_version() -> None:
    text = _JS_VERSIONS.read_text(encoding="utf-8")
    table = text[text.index("const TABLE = {") : text.index("\n};\n")]
    named = re.findall(r'^  "([0-9.]+)": \{', table, re.MULTILINE)
    assert sorted(named) == sorted(spec.name for spec in VERSIONS.values())


# -- where text becomes a version ---------------------------------------------------------------

# Text from a person, an API or a payload becomes a version at two edges; a row is read by
# VersionColumn (a lookup of the subprotocol), and the rest of the code holds a VersionSpec.
_PARSE_SITES = {
    "protocol/versions.py": "defines parse_version()",
    "api/ocpp_version.py": "the API's edge: every version a request names (OcppVersion...)",
    "station/versions.py": "every other edge: the CLI, the catalog, a command's JSON payload",
}
_TESTS = Path(__file__).resolve().parent
_TESTS_PARSING = {
    "protocol/test_versions.py": "tests parse_version() itself, every spelling it reads",
    "test_version_tables.py": "this check: its examples name parse_version() in source text",
}


def _parse_version_calls(source: str) -> list[int]:
    """The lines of ``source`` that call ``parse_version`` (by name or as an attribute), or
    import it under another name (a call the check would not see)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            callee = node.func
            name = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", None)
            if name == "parse_version":
                found.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and any(
            a.name == "parse_version" and a.asname for a in node.names
        ):
            found.append(node.lineno)
    return found


@pytest.mark.parametrize(
    "source",
    [
        'version = parse_version("1.6")',
        "return protocol.parse_version(text).subprotocol",
        "from chargeyard.protocol import parse_version as read",
    ],
)
def test_the_check_recognises_a_call_of_parse_version(source: str) -> None:
    assert _parse_version_calls(source) == [1]


def _callers(root: Path, allowed: dict[str, str]) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        name = path.relative_to(root).as_posix()
        if name in allowed:
            continue
        source = path.read_text(encoding="utf-8")
        if "parse_version" not in source:  # no call can hide without the name: skip the parse
            continue
        found.extend(f"{name}:{line}" for line in _parse_version_calls(source))
    return found


def test_text_becomes_a_version_at_the_api_and_the_station_edges_only() -> None:
    assert all((SOURCE / name).is_file() for name in _PARSE_SITES)
    assert _callers(SOURCE, _PARSE_SITES) == []


def test_tests_build_versions_from_the_constants() -> None:
    # A test writes V16, V201, V21 (or an API body's text, which the API reads); calling
    # parse_version() would test the reading of spellings again, everywhere.
    assert all((_TESTS / name).is_file() for name in _TESTS_PARSING)
    assert _callers(_TESTS, _TESTS_PARSING) == []
