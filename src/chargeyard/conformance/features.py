"""Whether a conditional case applies, by the optional features the system under test has.

OCPP 2.0.1 Part 5 lists a case as mandatory (M) or conditional (C) in each certification
profile; a condition is an expression over the optional feature ids of Part 5 section 3
(``C-44``: BootNotification Pending; ``HFS-8 > 1``: more than one EVSE; ``AQ-2``: a cable
lock...), such as ``(C-30 or C-31 or C-32) and NOT AQ-2``. The user says which features the
system has (``--features C-44,C-30``, like the PICS a certification asks for); a condition is
met when its expression is true with those features true and every other false. A range
(``C-30 - C-35``) is any feature of it; a profile's name is a feature the user may name too.
Where no features are given, every conditional case applies; where an expression cannot be
read, the case applies and the report shows its condition.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from chargeyard.conformance.catalog import CaseInfo

_RANGE = re.compile(r"\b([A-Z]+)-(\d+)\s*-\s*(?:\(or\)\s*)?\1-(\d+)\b")
_NAMED = (
    r"ISO ?15118 support|Product Subtype \"[^\"]*\""
    r"|[A-Z][A-Za-z ]+?(?=\s*(?:\)|$|\b(?:and|or)\b))"  # a profile's name
)
_TOKEN = re.compile(
    r"\s*(?:(?P<open>\()|(?P<close>\))|(?P<op>and|or|not)\b"
    r"|(?P<feature>[A-Z]+[-.]?\d+(?:\.\d+)?(?:\s*>\s*\d+)?)"
    rf"|(?P<named>{_NAMED}))",
    re.IGNORECASE,
)


class _Unreadable(ValueError):
    pass


def feature_id(text: str) -> str:
    """One spelling of a feature id: ``C35``, ``C.35`` and ``c-35`` are ``C-35``; ``HFS-8 >
    1`` is ``HFS-8>1``."""
    text = re.sub(r"\s+", "", text).upper()
    return re.sub(r"^([A-Z]+)[-.]?(\d)", r"\1-\2", text)


def _expanded(condition: str) -> str:
    def each(match: re.Match[str]) -> str:
        prefix, first, last = match.group(1), int(match.group(2)), int(match.group(3))
        width = len(match.group(2))
        names = [f"{prefix}-{n:0{width}d}" for n in range(first, last + 1)]
        return "(" + " or ".join(names) + ")"

    text = re.sub(r"(\d)(and|or)\b", r"\1 \2", condition)
    return _RANGE.sub(each, text)


def _tokens(condition: str) -> list[tuple[str, str]]:
    text = _expanded(condition)
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise _Unreadable(condition)
        kind = match.lastgroup or ""
        value = match.group(kind).strip()
        if kind == "feature":
            value = feature_id(value)
        elif kind in ("named", "op"):
            value = value.lower()
        tokens.append((kind, value))
        position = match.end()
    return tokens


def meets(condition: str, features: Collection[str]) -> bool | None:
    """Whether ``condition`` holds with ``features`` (ids or names) true and every other
    false; None when it cannot be read."""
    known = {feature_id(f) for f in features} | {f.lower() for f in features}
    try:
        tokens = _tokens(condition)
        value, rest = _or(tokens, known)
    except (_Unreadable, IndexError):
        return None
    return value if not rest else None


def _or(tokens: list[tuple[str, str]], known: set[str]) -> tuple[bool, list[tuple[str, str]]]:
    value, tokens = _and(tokens, known)
    while tokens and tokens[0] == ("op", "or"):
        right, tokens = _and(tokens[1:], known)
        value = value or right
    return value, tokens


def _and(tokens: list[tuple[str, str]], known: set[str]) -> tuple[bool, list[tuple[str, str]]]:
    value, tokens = _not(tokens, known)
    while tokens and tokens[0] == ("op", "and"):
        right, tokens = _not(tokens[1:], known)
        value = value and right
    return value, tokens


def _not(tokens: list[tuple[str, str]], known: set[str]) -> tuple[bool, list[tuple[str, str]]]:
    kind, value = tokens[0]
    if (kind, value) == ("op", "not"):
        inner, rest = _not(tokens[1:], known)
        return not inner, rest
    if kind == "open":
        inner, rest = _or(tokens[1:], known)
        if not rest or rest[0][0] != "close":
            raise _Unreadable("unbalanced parentheses")
        return inner, rest[1:]
    if kind in ("feature", "named"):
        return value in known, tokens[1:]
    raise _Unreadable(value)


def applicable(
    info: CaseInfo, profiles: Sequence[str] | None, features: Collection[str] | None
) -> str | None:
    """None when ``info`` applies with ``features`` in the ``profiles`` chosen (all: None);
    otherwise why not. A case mandatory in any of those profiles applies; a conditional one
    applies when one of its conditions is met (or cannot be read)."""
    if features is None:
        return None
    relevant = [m for m in info.profiles if not profiles or m.profile in profiles]
    if not relevant or any(m.mandatory for m in relevant):
        return None
    for membership in relevant:
        if meets(membership.condition, [*features, *(profiles or ())]) is not False:
            return None
    conditions = "; ".join(sorted({m.condition for m in relevant}))
    return f"conditional on optional features the system does not have ({conditions})"
