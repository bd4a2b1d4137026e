"""A fault in no version's words (``station/faults.py``): the one table holds each version to
its schema, and each version names a fault from the API's word as it always has (1.6 section
7.6 ChargePointErrorCode; 2.0.1 the ReasonEnumType a faulted transaction ends with)."""

from __future__ import annotations

import pytest

from chargeyard.protocol import V201
from chargeyard.protocol.fields import SchemaValueError, request_field
from chargeyard.station.faults import (
    FAULT_WORDS,
    KIND_OF_16_CODE,
    KIND_OF_201_REASON,
    Fault,
    FaultKind,
    code_16,
    fault_codes,
    reason_201,
)
from chargeyard.station.v16 import StationV16
from chargeyard.station.v201 import StationV201
from chargeyard.station.v201.availability import FAULT_REASONS

# What a 2.0.1 station's transaction ends with when given a 1.6 code that says the same.
_REASON_OF_16_CODE = {
    "GroundFailure": "GroundFault",
    "OverCurrentFailure": "OvercurrentFault",
    "UnderVoltage": "PowerQuality",
    "OverVoltage": "PowerQuality",
}


def test_every_kind_has_its_words() -> None:
    assert set(FAULT_WORDS) == set(FaultKind)


def test_7_6_the_1_6_column_is_every_charge_point_error_code_but_no_error() -> None:
    codes = [words.code_16 for words in FAULT_WORDS.values() if words.code_16 is not None]
    assert sorted(codes) == sorted(fault_codes())  # each once
    assert set(KIND_OF_16_CODE) == fault_codes()


def test_the_2_0_1_column_is_the_fault_reasons_of_reason_enum_type() -> None:
    allowed = request_field(V201.schemas, "TransactionEvent", "transactionInfo.stoppedReason")
    reasons = {words.reason_201 for words in FAULT_WORDS.values()}
    assert reasons == set(FAULT_REASONS)
    assert reasons <= set(allowed.allowed or ())
    assert set(KIND_OF_201_REASON) == set(FAULT_REASONS)  # each names one kind


def test_a_kind_without_a_1_6_code_is_reported_as_other_error() -> None:
    assert code_16(FaultKind.EMERGENCY_STOP) == "OtherError"
    assert code_16(FaultKind.POWER_QUALITY) == "OtherError"
    assert code_16(FaultKind.GROUND) == "GroundFailure"


@pytest.mark.parametrize("code", sorted(fault_codes()))
def test_a_1_6_station_names_each_of_its_codes_and_says_it_back(code: str) -> None:
    fault = StationV16.TERMS.fault_named(code, info="leak", vendor_error_code="E1")
    assert fault == Fault(KIND_OF_16_CODE[code], "leak", "E1")
    assert code_16(fault.kind) == code


_ONLY_201 = [reason for reason in FAULT_REASONS if reason != "GroundFault"]  # (the simulator's)


@pytest.mark.parametrize("word", [*_ONLY_201, "NoError", "groundfailure"])
def test_a_1_6_station_refuses_other_words_as_its_fault_block_does(word: str) -> None:
    with pytest.raises(SchemaValueError, match=f"error_code '{word}' is not a fault code: one of"):
        StationV16.TERMS.fault_named(word)


@pytest.mark.parametrize("code", sorted(fault_codes()))
def test_a_2_0_1_station_takes_a_1_6_code_as_the_reason_that_says_the_same(code: str) -> None:
    fault = StationV201.TERMS.fault_named(code)
    assert reason_201(fault.kind) == _REASON_OF_16_CODE.get(code, "Other")


@pytest.mark.parametrize("reason", FAULT_REASONS)
def test_a_2_0_1_station_takes_its_fault_reasons_as_themselves(reason: str) -> None:
    assert reason_201(StationV201.TERMS.fault_named(reason).kind) == reason


@pytest.mark.parametrize("word", ["NoError", "Local", "Meltdown"])
def test_a_2_0_1_station_refuses_other_words_as_its_fault_block_does(word: str) -> None:
    with pytest.raises(SchemaValueError, match=f"reason '{word}' is not a fault: one of Ground"):
        StationV201.TERMS.fault_named(word)


def test_the_words_a_refusal_names_are_each_version_s_own() -> None:
    simulator = ("GroundFault", "OverCurrent", "OverTemperature")
    assert StationV16.TERMS.fault_words == (*sorted(fault_codes()), *simulator)
    assert StationV201.TERMS.fault_words == (
        *FAULT_REASONS,
        *sorted(fault_codes()),
        "OverCurrent",
        "OverTemperature",
    )


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("GroundFault", FaultKind.GROUND),
        ("OverCurrent", FaultKind.OVER_CURRENT),
        ("OverTemperature", FaultKind.HIGH_TEMPERATURE),
    ],
)
def test_both_versions_take_the_simulator_api_s_fault_types(word: str, kind: FaultKind) -> None:
    # OCPPLab's simulator API names these; the others of its FaultType are 1.6 codes.
    assert StationV16.TERMS.fault_named(word, "hot").kind is kind
    assert StationV201.TERMS.fault_named(word).kind is kind
    assert StationV16.TERMS.fault_named(word, "hot").info == "hot"
