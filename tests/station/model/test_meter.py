"""The meter: an energy register fed by the EV's charging, readings per configured measurand,
and their 1.6 and 2.0.1 wire shapes checked against the official schemas."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chargeyard.protocol import V16, V201, OcppError
from chargeyard.station.model.ev import CITY_CAR, MID_SUV, Ev, charge
from chargeyard.station.model.meter import (
    READING_CONTEXTS,
    SUPPORTED_MEASURANDS,
    SUPPORTED_MEASURANDS_201,
    ElectricalSpec,
    Meter,
    ReadingContext,
    SampledValue,
    sample,
    to_ocpp16_sampled_value,
    to_ocpp201_sampled_value,
)

ENERGY, POWER, CURRENT, VOLTAGE = (
    "Energy.Active.Import.Register",
    "Power.Active.Import",
    "Current.Import",
    "Voltage",
)
AC3 = ElectricalSpec("AC", phases=3)
AC1 = ElectricalSpec("AC", phases=1)
DC = ElectricalSpec("DC", nominal_voltage=400.0)
ALL = sorted(SUPPORTED_MEASURANDS)
ALL_201 = sorted(SUPPORTED_MEASURANDS_201)
TIMESTAMP = "2026-11-21T10:00:00Z"


def periodic(meter: Meter, measurands: list[str], spec: ElectricalSpec, **options: Any) -> Any:
    """``sample`` with the options a periodic reading of a plain AC/DC session has."""
    return sample(
        meter,
        measurands=measurands,
        spec=spec,
        soc=options.pop("soc", None),
        context=options.pop("context", "Sample.Periodic"),
        phases_wanted=options.pop("phases_wanted", True),
        **options,
    )


def v16_meter_values(values: list[SampledValue]) -> dict[str, Any]:
    sampled = [to_ocpp16_sampled_value(sv) for sv in values]
    return {"connectorId": 1, "meterValue": [{"timestamp": TIMESTAMP, "sampledValue": sampled}]}


def v201_meter_values(values: list[SampledValue]) -> dict[str, Any]:
    sampled = [to_ocpp201_sampled_value(sv) for sv in values]
    return {"evseId": 1, "meterValue": [{"timestamp": TIMESTAMP, "sampledValue": sampled}]}


def schema_enum(package: str, file: str, definition: str) -> set[str]:
    text = (resources.files("ocpp") / package / "schemas" / file).read_text(encoding="utf-8")
    schema = json.loads(text)
    if package == "v16":
        item = schema["properties"]["meterValue"]["items"]["properties"]["sampledValue"]
        return set(item["items"]["properties"][definition]["enum"])
    return set(schema["definitions"][definition]["enum"])


# -- the register --------------------------------------------------------------------------


def test_meter_register_grows_by_what_is_added() -> None:
    meter = Meter(energy_register_wh=1_234_567.8)
    meter.add(100.25, 7_400)
    assert (meter.energy_register_wh, meter.power_w, meter.whole_wh) == (
        1_234_668.05,
        7_400,
        1_234_668,
    )
    meter.add(0, 0)
    assert (meter.energy_register_wh, meter.power_w) == (1_234_668.05, 0)


@pytest.mark.parametrize(("energy", "power"), [(-0.1, 0), (0, -1)])
def test_meter_register_never_runs_backwards(energy: float, power: float) -> None:
    meter = Meter(energy_register_wh=10.0)
    with pytest.raises(ValueError, match="negative"):
        meter.add(energy, power)
    assert meter.energy_register_wh == 10.0


def test_energy_conservation_meter_counts_what_the_ev_takes() -> None:
    meter, ev = Meter(energy_register_wh=5_000.0), Ev(MID_SUV, soc=0.75)
    steps = [charge(ev, seconds=60, current_type="DC", limit_w=120_000) for _ in range(30)]
    for step in steps:
        meter.add(step.energy_wh, step.end_power_w)
    total = sum(step.energy_wh for step in steps)
    assert meter.energy_register_wh - 5_000.0 == pytest.approx(total, abs=1e-9)
    assert ev.energy_delivered_wh == pytest.approx(total, abs=1e-9)
    assert ev.soc - 0.75 == pytest.approx(total * 0.92 / 77_000)
    assert meter.power_w == steps[-1].end_power_w < 120_000  # tapering by now


# -- readings ------------------------------------------------------------------------------


def test_j02_sampled_meter_values_three_phase_ac_per_phase() -> None:
    meter = Meter(energy_register_wh=1_000_000.0, power_w=11_040.0)
    values = periodic(meter, [ENERGY, POWER, CURRENT, VOLTAGE], AC3)
    assert values == [
        SampledValue(ENERGY, 1_000_000.0, "Wh"),
        SampledValue(POWER, 11_040.0, "W"),
        SampledValue(POWER, 3_680.0, "W", "L1"),
        SampledValue(POWER, 3_680.0, "W", "L2"),
        SampledValue(POWER, 3_680.0, "W", "L3"),
        SampledValue(CURRENT, 16.0, "A", "L1"),
        SampledValue(CURRENT, 16.0, "A", "L2"),
        SampledValue(CURRENT, 16.0, "A", "L3"),
        SampledValue(VOLTAGE, 230.0, "V", "L1-N"),
        SampledValue(VOLTAGE, 230.0, "V", "L2-N"),
        SampledValue(VOLTAGE, 230.0, "V", "L3-N"),
    ]
    per_phase = [sv for sv in values if sv.measurand == POWER and sv.phase]
    assert sum(sv.value for sv in per_phase) == values[1].value


def test_three_phase_without_phases_wanted_reports_totals() -> None:
    meter = Meter(energy_register_wh=42.0, power_w=11_040.0)
    values = periodic(meter, [POWER, CURRENT, VOLTAGE], AC3, phases_wanted=False)
    assert values == [
        SampledValue(POWER, 11_040.0, "W"),
        SampledValue(CURRENT, 16.0, "A"),
        SampledValue(VOLTAGE, 230.0, "V"),
    ]


def test_single_phase_has_no_l2_or_l3() -> None:
    meter = Meter(energy_register_wh=42.0, power_w=7_360.0)
    values = periodic(meter, [ENERGY, POWER, CURRENT, VOLTAGE], AC1)
    assert values == [
        SampledValue(ENERGY, 42.0, "Wh"),
        SampledValue(POWER, 7_360.0, "W"),
        SampledValue(CURRENT, 32.0, "A"),
        SampledValue(VOLTAGE, 230.0, "V"),
    ]


def test_dc_voltage_follows_soc_and_current_is_power_over_voltage() -> None:
    meter = Meter(energy_register_wh=0.0, power_w=100_000.0)
    measurands = [POWER, CURRENT, VOLTAGE, "Frequency"]
    # DC has no phases and no frequency, whatever is asked.
    assert periodic(meter, measurands, DC, soc=0.5, phases_wanted=True) == [
        SampledValue(POWER, 100_000.0, "W"),
        SampledValue(CURRENT, 250.0, "A"),
        SampledValue(VOLTAGE, 400.0, "V"),
    ]
    assert [DC.voltage_v(soc) for soc in (0.0, 1.0, None)] == [360.0, 440.0, 400.0]


def test_soc_only_with_an_ev_that_tells_it() -> None:
    meter = Meter(energy_register_wh=1.0)
    assert periodic(meter, ["SoC"], DC, soc=None) == []
    assert periodic(meter, ["SoC"], DC, soc=0.42, location="Inlet") == [
        SampledValue("SoC", 42.0, "Percent", location="EV")
    ]


def test_offered_values_come_from_the_limit() -> None:
    meter = Meter(energy_register_wh=1.0, power_w=5_000.0)
    offered = ["Power.Offered", "Current.Offered"]
    assert periodic(meter, offered, AC3) == []
    assert periodic(meter, offered, AC3, offered_w=22_080.0) == [
        SampledValue("Power.Offered", 22_080.0, "W"),
        SampledValue("Current.Offered", 32.0, "A"),
    ]


def test_frequency_and_body_temperature() -> None:
    measurands = ["Frequency", "Temperature"]
    idle = periodic(Meter(power_w=0.0), measurands, AC3)
    busy = periodic(Meter(power_w=300_000.0), measurands, ElectricalSpec("AC", 3, 120.0, 60.0))
    assert idle == [
        SampledValue("Frequency", 50.0, "Hz"),
        SampledValue("Temperature", 25.0, "Celsius", location="Body"),
    ]
    assert busy == [
        SampledValue("Frequency", 60.0, "Hz"),
        SampledValue("Temperature", 40.0, "Celsius", location="Body"),
    ]
    given = periodic(Meter(), ["Temperature"], AC1, temperature_c=-5.0)
    assert given == [SampledValue("Temperature", -5.0, "Celsius", location="Body")]


def test_unsupported_measurands_are_skipped_and_order_is_kept() -> None:
    meter = Meter(energy_register_wh=7.0, power_w=230.0)
    values = periodic(meter, ["Bogus", CURRENT, "RPM", ENERGY], AC1, context="Trigger")
    assert values == [
        SampledValue(CURRENT, 1.0, "A", context="Trigger"),
        SampledValue(ENERGY, 7.0, "Wh", context="Trigger"),
    ]


def test_unknown_context_is_refused() -> None:
    with pytest.raises(ValueError, match="context"):
        periodic(Meter(), [ENERGY], AC1, context="Sample.Sometimes")


# -- wire shapes -----------------------------------------------------------------------------


def test_supported_measurands_are_in_the_official_enumerations() -> None:
    assert schema_enum("v16", "MeterValues.json", "measurand") >= SUPPORTED_MEASURANDS
    assert (
        schema_enum("v201", "MeterValuesRequest.json", "MeasurandEnumType")
        >= SUPPORTED_MEASURANDS_201
    )
    assert {"Temperature"} == SUPPORTED_MEASURANDS - SUPPORTED_MEASURANDS_201
    assert schema_enum("v16", "MeterValues.json", "context") == READING_CONTEXTS


def test_ocpp16_sampled_value_is_a_string_with_unit() -> None:
    energy = SampledValue(ENERGY, 1_234.56, "Wh", context="Transaction.Begin")
    current = SampledValue(CURRENT, 15.942, "A", "L2")
    assert to_ocpp16_sampled_value(energy) == {
        "value": "1234.6",
        "context": "Transaction.Begin",
        "format": "Raw",
        "measurand": ENERGY,
        "location": "Outlet",
        "unit": "Wh",
    }
    assert to_ocpp16_sampled_value(current) == {
        "value": "15.94",
        "context": "Sample.Periodic",
        "format": "Raw",
        "measurand": CURRENT,
        "phase": "L2",
        "location": "Outlet",
        "unit": "A",
    }


def test_ocpp16_frequency_has_no_unit_and_soc_is_whole_percent() -> None:
    frequency = to_ocpp16_sampled_value(SampledValue("Frequency", 50.0, "Hz"))
    soc = to_ocpp16_sampled_value(SampledValue("SoC", 57.4, "Percent", location="EV"))
    assert (frequency["value"], "unit" in frequency) == ("50.00", False)
    assert (soc["value"], soc["unit"], soc["location"]) == ("57", "Percent", "EV")
    assert to_ocpp16_sampled_value(SampledValue(POWER, -0.01, "W"))["value"] == "0.0"


def test_ocpp201_sampled_value_is_a_number_with_unit_of_measure() -> None:
    power = SampledValue(POWER, 3_666.666, "W", "L1", context="Sample.Clock")
    soc = SampledValue("SoC", 57.6, "Percent", location="EV")
    assert to_ocpp201_sampled_value(power) == {
        "value": 3_666.7,
        "context": "Sample.Clock",
        "measurand": POWER,
        "phase": "L1",
        "location": "Outlet",
        "unitOfMeasure": {"unit": "W", "multiplier": 0},
    }
    assert to_ocpp201_sampled_value(soc)["value"] == 58
    with pytest.raises(ValueError, match="Temperature"):
        to_ocpp201_sampled_value(SampledValue("Temperature", 30.0, "Celsius", location="Body"))


@pytest.mark.parametrize(
    ("spec", "soc", "left_out"),
    [(AC3, None, {"SoC"}), (AC1, 0.3, set()), (DC, 0.8, {"Frequency"})],
)
def test_j02_meter_values_validate_against_the_official_schemas(
    spec: ElectricalSpec, soc: float | None, left_out: set[str]
) -> None:
    meter = Meter(energy_register_wh=98_765.4, power_w=7_000.0)
    v16 = periodic(meter, ALL, spec, soc=soc, offered_w=11_000.0)
    v201 = periodic(meter, ALL_201, spec, soc=soc, offered_w=11_000.0)
    assert {sv.measurand for sv in v16} == SUPPORTED_MEASURANDS - left_out
    assert {sv.measurand for sv in v201} == SUPPORTED_MEASURANDS_201 - left_out
    V16.schemas.check_request("MeterValues", v16_meter_values(v16))
    V201.schemas.check_request("MeterValues", v201_meter_values(v201))


def test_e06_transaction_end_values_validate_in_stop_and_transaction_event() -> None:
    meter = Meter(energy_register_wh=12_345.6, power_w=0.0)
    end = periodic(meter, [ENERGY, "SoC", "Frequency"], AC1, soc=0.9, context="Transaction.End")
    stop = {
        "transactionId": 7,
        "timestamp": TIMESTAMP,
        "meterStop": meter.whole_wh,
        "transactionData": [
            {"timestamp": TIMESTAMP, "sampledValue": [to_ocpp16_sampled_value(sv) for sv in end]}
        ],
    }
    V16.schemas.check_request("StopTransaction", stop)
    event = {
        "eventType": "Ended",
        "timestamp": TIMESTAMP,
        "triggerReason": "EVDeparted",
        "seqNo": 3,
        "transactionInfo": {"transactionId": "tx-7"},
        "meterValue": [
            {"timestamp": TIMESTAMP, "sampledValue": [to_ocpp201_sampled_value(sv) for sv in end]}
        ],
    }
    V201.schemas.check_request("TransactionEvent", event)


def test_schemas_do_catch_a_broken_sampled_value() -> None:
    broken = to_ocpp16_sampled_value(SampledValue(ENERGY, 1.0, "Wh")) | {"unit": "Hz"}
    payload = {"connectorId": 1, "meterValue": [{"timestamp": TIMESTAMP, "sampledValue": [broken]}]}
    with pytest.raises(OcppError):
        V16.schemas.check_request("MeterValues", payload)


contexts: st.SearchStrategy[ReadingContext] = st.sampled_from(get_args(ReadingContext))


@settings(max_examples=200, deadline=None)
@given(
    register=st.floats(0.0, 1e9),
    power=st.floats(0.0, 400_000.0),
    spec=st.sampled_from([AC1, AC3, DC, ElectricalSpec("DC", nominal_voltage=800.0)]),
    soc=st.none() | st.floats(0.0, 1.0),
    context=contexts,
    phases_wanted=st.booleans(),
    offered=st.none() | st.floats(0.0, 400_000.0),
)
def test_every_reading_validates_in_both_versions(
    register: float,
    power: float,
    spec: ElectricalSpec,
    soc: float | None,
    context: ReadingContext,
    phases_wanted: bool,
    offered: float | None,
) -> None:
    meter = Meter(energy_register_wh=register, power_w=power)
    options: dict[str, Any] = {
        "spec": spec,
        "soc": soc,
        "context": context,
        "phases_wanted": phases_wanted,
        "offered_w": offered,
    }
    V16.schemas.check_request(
        "MeterValues", v16_meter_values(sample(meter, measurands=ALL, **options))
    )
    v201 = sample(meter, measurands=ALL_201, **options)
    V201.schemas.check_request("MeterValues", v201_meter_values(v201))


def test_city_car_session_reads_sensibly_end_to_end() -> None:
    # A single-phase city car on a 32 A single-phase outlet: 7.36 kW, 32 A, for an hour.
    meter, ev = Meter(energy_register_wh=500.0), Ev(CITY_CAR, soc=0.3)
    for _ in range(60):
        step = charge(ev, seconds=60, current_type="AC", limit_w=7_360.0)
        meter.add(step.energy_wh, step.end_power_w)
    values = periodic(meter, [ENERGY, CURRENT, "SoC"], AC1, soc=ev.soc)
    wire = [to_ocpp16_sampled_value(sv)["value"] for sv in values]
    assert wire == ["7860.0", "32.00", "47"]


def test_the_register_is_set_forward_only() -> None:
    meter = Meter(energy_register_wh=1_000.0)
    meter.set_register(5_000.0)
    assert meter.energy_register_wh == 5_000.0
    for backwards in (4_999.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="reads 5000 Wh and never runs backwards"):
            meter.set_register(backwards)
    assert meter.energy_register_wh == 5_000.0
