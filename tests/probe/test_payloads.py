"""Payloads from the official schemas (``probe/payloads.py``): a valid one for every action a
station sends, each mutation a real violation of the one rule it names, and the same seed
giving the same cases."""

from __future__ import annotations

import random

import pytest

from chargeyard.probe import ProbeTarget, cases_of
from chargeyard.probe.payloads import EXTRA_FIELD, Rule, mutations, valid_payload
from chargeyard.protocol import V16, V201, OcppError, VersionSpec
from chargeyard.protocol.initiators import STATION_INITIATED

VERSIONS = pytest.mark.parametrize("version", [V16, V201], ids=lambda version: version.name)

# The JSON-schema keyword each rule breaks.
KEYWORDS = {
    Rule.MISSING: {"required"},
    Rule.WRONG_TYPE: {"type"},
    Rule.BAD_ENUM: {"enum"},
    Rule.OUT_OF_RANGE: {"minimum", "maximum"},
    Rule.TOO_LONG: {"maxLength"},
    Rule.BAD_FORMAT: {"format"},
    Rule.EXTRA_FIELD: {"additionalProperties"},
}


@VERSIONS
def test_the_payloads_written_from_the_schemas_are_valid(version: VersionSpec) -> None:
    for action in sorted(STATION_INITIATED[version]):
        version.schemas.check_request(action, valid_payload(version, action))
        for seed in range(5):
            version.schemas.check_request(
                action, valid_payload(version, action, random.Random(seed))
            )


@VERSIONS
def test_each_mutation_breaks_the_one_rule_it_names(version: VersionSpec) -> None:
    rules: set[Rule] = set()
    for action in sorted(STATION_INITIATED[version]):
        for mutation in mutations(version, action, random.Random(7)):
            rules.add(mutation.rule)
            assert mutation.keyword in KEYWORDS[mutation.rule], mutation
            with pytest.raises(OcppError):
                version.schemas.check_request(action, mutation.payload)
    # 1.6's schemas bound no number, so no value of theirs is out of range.
    assert rules == set(Rule) - ({Rule.OUT_OF_RANGE} if version is V16 else set())


def test_a_mutation_changes_one_place_of_the_valid_payload() -> None:
    [extra] = [m for m in mutations(V16, "Heartbeat", random.Random(0))]
    assert (extra.rule, extra.path, extra.payload) == (
        Rule.EXTRA_FIELD,
        f"/{EXTRA_FIELD}",
        {EXTRA_FIELD: "probe"},
    )
    by_rule = {m.rule: m for m in mutations(V16, "StatusNotification", random.Random(0))}
    missing = by_rule[Rule.MISSING]
    assert missing.path.removeprefix("/") not in missing.payload
    assert by_rule[Rule.BAD_ENUM].payload[by_rule[Rule.BAD_ENUM].path[1:]] == "ProbeNoSuchValue"


def test_the_seed_gives_the_same_cases_and_another_seed_other_places() -> None:
    def sent(seed: int) -> list[tuple[str, tuple[object, ...]]]:
        target = ProbeTarget("ws://127.0.0.1:9/ocpp", "CP-1", V201, seed=seed)
        return [(case.id, tuple(out.data for out in case.sends)) for case in cases_of(target)]

    assert sent(11) == sent(11)
    assert sent(11) != sent(12)
