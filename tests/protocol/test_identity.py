"""The charging station identity rule (OCPP 2.0.1 part 4's connection URL: an identifierString
without ':', at most 48 characters), applied to every version."""

from __future__ import annotations

import pytest

from chargeyard.protocol.identity import identity_problem, loggable


@pytest.mark.parametrize(
    "identity",
    ["CP-1", "a", "x" * 48, "EVB*P1224001", "site_7=A+B|C@d.e", "...a", "1.6"],
)
def test_identifier_strings_without_colon_are_identities(identity: str) -> None:
    assert identity_problem(identity) is None


@pytest.mark.parametrize(
    ("identity", "why"),
    [
        ("", "empty"),
        ("x" * 49, "longer than 48"),
        ("x" * 7000, "longer than 48"),
        ("CP:1", "without ':'"),
        ("CP 1", "only letters"),
        ("CP-1\nINFO forged line", "only letters"),
        ("CP\x00", "only letters"),
        ("CP-\u202e1", "only letters"),
        ("CP/1", "only letters"),
        ("%2e%2e", "only letters"),
        ("café", "only letters"),
        (".", "dot-segment"),
        ("..", "dot-segment"),
    ],
)
def test_anything_else_is_refused_with_the_reason(identity: str, why: str) -> None:
    problem = identity_problem(identity)
    assert problem is not None
    assert why in problem


def test_a_refused_identity_is_logged_escaped_and_cut() -> None:
    assert loggable("CP-1") == "CP-1"
    assert loggable("CP-1\nINFO forged") == "'CP-1\\nINFO forged'"
    assert loggable("\u202e") == "'\\u202e'"
    long = loggable("x" * 7000)
    assert "\n" not in long
    assert long.endswith("... (7000 chars)")
    assert len(long) < 150
