"""The connector's energy meter and the sampled values it reports, in no particular OCPP version.

Theory of operation
-------------------
A :class:`Meter` is an energy register in Wh and the power flowing now. The station runtime
integrates the EV's charging (``ev.charge``) and calls :meth:`Meter.add` with the energy and
the power at the end of the step; the register only ever grows (Energy.Active.Import.Register,
OCPP 1.6 section 7.31, is a register reading, not a session counter).

Everything else a CSMS can ask for is derived when a reading is taken, by :func:`sample`, from
the register, the power and an :class:`ElectricalSpec` (AC or DC, the phases carrying current,
the nominal voltage). It returns version-neutral :class:`SampledValue` records in the order of
the configured measurands (OCPP 1.6 section 3.16 and section 9.1 MeterValuesSampledData /
MeterValuesAlignedData; OCPP 2.0.1 part 2 functional block J and SampledDataCtrlr /
AlignedDataCtrlr). The electrical model is deliberately simple and exact, with no noise, so
tests can assert whole values:

* AC: the nominal phase-to-neutral voltage on every phase (230 V in Europe), the frequency of
  the spec (50 Hz), power shared evenly by the phases, current per phase = P / (V * phases).
* DC: the battery's voltage, rising linearly from 90 % of nominal when empty to 110 % when full
  (nominal when the SoC is unknown); current = P / V; no phases, no frequency.
* Temperature: the station body, 25 degC plus 0.1 degC per kW flowing, at most 40 degC.

Phases. The energy register is always one total: per-phase energy is not modelled (2.0.1 even
lets the CSMS forbid it, SampledDataCtrlr.RegisterValuesWithoutPhases). With three AC phases
and ``phases_wanted``, power comes as the total plus L1, L2 and L3, current as L1, L2 and L3,
voltage as L1-N, L2-N and L3-N. A value without a phase is "an overall value" (1.6 section
7.43): for current and voltage that is the per-phase figure, as in charging schedules in A.
Single-phase and DC readings carry no phase.

The formatting helpers at the bottom are the one place that knows the two wire shapes of a
sampled value, so the personalities need not: 1.6 sends the value as a string with a separate
``unit`` (section 7.43), 2.0.1 as a number with ``unitOfMeasure`` (part 2 SampledValueType).
Clock alignment (:func:`next_aligned`) and the parsing of measurand lists from configuration
(:func:`parse_measurands`) live here too. Nothing reads a clock.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, TypeVar, get_args

from chargeyard.protocol.messages import v16, v201
from chargeyard.station.catalog import CurrentType

ENERGY = "Energy.Active.Import.Register"
POWER = "Power.Active.Import"
CURRENT = "Current.Import"
VOLTAGE = "Voltage"
SOC = "SoC"
POWER_OFFERED = "Power.Offered"
CURRENT_OFFERED = "Current.Offered"
FREQUENCY = "Frequency"
TEMPERATURE = "Temperature"

SUPPORTED_MEASURANDS = frozenset(
    {ENERGY, POWER, CURRENT, VOLTAGE, SOC, POWER_OFFERED, CURRENT_OFFERED, FREQUENCY, TEMPERATURE}
)
"""Measurands :func:`sample` produces; all are in OCPP 1.6's Measurand enumeration."""

SUPPORTED_MEASURANDS_201 = SUPPORTED_MEASURANDS - {TEMPERATURE}
"""The subset OCPP 2.0.1 knows: its MeasurandEnumType has no Temperature (2.0.1 reports
temperatures through the device model instead)."""

ReadingContext = Literal[
    "Interruption.Begin",
    "Interruption.End",
    "Other",
    "Sample.Clock",
    "Sample.Periodic",
    "Transaction.Begin",
    "Transaction.End",
    "Trigger",
]
READING_CONTEXTS: frozenset[str] = frozenset(get_args(ReadingContext))

# The words of a reading that :func:`sample` uses. The formatters below hand them to the
# generated message types, so the type checker holds them to both versions' schemas; the
# exceptions (no Temperature in 2.0.1, no Hz in 1.6) are the formatters' own.
Measurand = Literal[
    "Energy.Active.Import.Register",
    "Power.Active.Import",
    "Current.Import",
    "Voltage",
    "SoC",
    "Power.Offered",
    "Current.Offered",
    "Frequency",
    "Temperature",
]
Unit = Literal["Wh", "W", "A", "V", "Percent", "Hz", "Celsius"]
Phase = Literal["L1", "L2", "L3", "L1-N", "L2-N", "L3-N"]
Location = Literal["Body", "EV", "Outlet"]

_PHASES: tuple[Phase, ...] = ("L1", "L2", "L3")
_PHASES_TO_NEUTRAL: tuple[Phase, ...] = ("L1-N", "L2-N", "L3-N")


def check_power(watts: float | None) -> None:
    """Raise ValueError unless ``watts`` may limit an EVSE's power: None (no limit of its own)
    or a finite power, not negative. A NaN or infinite limit would reach the meter values,
    which no OCPP message can carry."""
    if watts is not None and not (math.isfinite(watts) and watts >= 0):
        raise ValueError(f"a power limit is a finite number of watts, not negative: {watts!r}")


@dataclass(slots=True)
class Meter:
    """A connector's meter.

    Attributes:
        energy_register_wh: the import register; it starts where the template (or a random
            draw by the caller) puts it and never goes down.
        power_w: the active power flowing now.
    """

    energy_register_wh: float = 0.0
    power_w: float = 0.0

    def __post_init__(self) -> None:
        if self.energy_register_wh < 0 or self.power_w < 0:
            raise ValueError("the register and the power must not be negative")

    def add(self, energy_wh: float, power_w: float) -> None:
        """Count ``energy_wh`` into the register and set the power now flowing.

        Raises:
            ValueError: for negative energy or power (the register is monotonic).
        """
        if energy_wh < 0 or power_w < 0:
            raise ValueError(f"energy and power must not be negative: {energy_wh}, {power_w}")
        self.energy_register_wh += energy_wh
        self.power_w = power_w

    def set_register(self, energy_wh: float) -> None:
        """Set the import register to ``energy_wh`` (a technician's or a test bench's hand on
        the meter): forward only, since Energy.Active.Import.Register is cumulative (1.6
        section 7.31, 2.0.1 MeasurandEnumType) and a transaction's energy is its difference.

        Raises:
            ValueError: below the register now, negative, infinite or NaN; nothing changes.
        """
        if not math.isfinite(energy_wh) or energy_wh < self.energy_register_wh:
            raise ValueError(
                f"the energy register reads {self.energy_register_wh:.0f} Wh and never runs"
                f" backwards: {energy_wh} Wh cannot be set"
            )
        self.energy_register_wh = energy_wh

    @property
    def whole_wh(self) -> int:
        """The register in whole Wh, as meterStart and meterStop carry it (1.6 sections 6.45
        and 6.49 are integers): truncated, the way a meter's display shows it."""
        return math.floor(self.energy_register_wh)


@dataclass(frozen=True, slots=True)
class ElectricalSpec:
    """What the meter measures on.

    Attributes:
        current_type: "AC" or "DC".
        phases: for AC, the phases carrying current in this session: the smaller of the
            station's and the EV's (a single-phase car on a three-phase station uses one).
            Ignored for DC.
        nominal_voltage: AC: phase-to-neutral (230 V in Europe); DC: the battery's nominal.
        frequency_hz: the grid frequency (AC only).
    """

    current_type: CurrentType
    phases: int = 1
    nominal_voltage: float = 230.0
    frequency_hz: float = 50.0

    def __post_init__(self) -> None:
        if self.phases not in (1, 3):
            raise ValueError(f"phases must be 1 or 3: {self.phases}")
        if self.nominal_voltage <= 0:
            raise ValueError(f"nominal_voltage must be positive: {self.nominal_voltage}")

    def voltage_v(self, soc: float | None = None) -> float:
        """AC: the nominal voltage. DC: the battery's, from 90 % of nominal empty to 110 % full."""
        # (9 + 2 soc) / 10 rather than 0.9 + 0.2 soc: 400 V full is 440.0, not 440.00000000000006.
        if self.current_type == "AC" or soc is None:
            return self.nominal_voltage
        return self.nominal_voltage * (9.0 + 2.0 * soc) / 10.0

    def current_a(self, power_w: float, soc: float | None = None) -> float:
        """The current per phase (AC) or on the DC line that carries ``power_w``."""
        conductors = self.phases if self.current_type == "AC" else 1
        return power_w / (self.voltage_v(soc) * conductors)


@dataclass(frozen=True, slots=True)
class SampledValue:
    """One reading, as OCPP's SampledValue has it but with a float value and no version.

    ``unit`` follows 2.0.1's standardized units ("Wh", "W", "A", "V", "Percent", "Hz",
    "Celsius"); the formatters below map it where 1.6 differs.
    """

    measurand: Measurand
    value: float
    unit: Unit
    phase: Phase | None = None
    location: Location = "Outlet"
    context: ReadingContext = "Sample.Periodic"


def sample(
    meter: Meter,
    *,
    measurands: Sequence[str],
    spec: ElectricalSpec,
    soc: float | None,
    context: ReadingContext,
    phases_wanted: bool,
    location: Location = "Outlet",
    offered_w: float | None = None,
    temperature_c: float | None = None,
) -> list[SampledValue]:
    """Read the meter for the given measurands, in their order.

    Args:
        meter: the connector's meter.
        measurands: names as configured; those outside :data:`SUPPORTED_MEASURANDS` are skipped.
        spec: the electrical side, see :class:`ElectricalSpec`.
        soc: the EV's state of charge (0..1), or None without an EV or without ISO 15118 /
            DC communication; SoC is reported only when known.
        context: why the reading is taken.
        phases_wanted: report per-phase values where the supply has three phases.
        location: where the meter sits; SoC is always at the EV and Temperature at the body.
        offered_w: the limit offered to the EV; Power.Offered and Current.Offered are skipped
            without it.
        temperature_c: the body temperature; None: the simple model of the module docstring.

    Raises:
        ValueError: for an unknown context.
    """
    if context not in READING_CONTEXTS:
        raise ValueError(f"unknown reading context: {context!r}")
    split = phases_wanted and spec.current_type == "AC" and spec.phases == 3
    power = meter.power_w
    body_c = min(40.0, 25.0 + power / 10_000) if temperature_c is None else temperature_c
    values: list[SampledValue] = []

    def add(
        measurand: Measurand,
        value: float,
        unit: Unit,
        phases: Sequence[Phase | None] = (None,),
        where: Location = location,
    ) -> None:
        for phase in phases:
            values.append(SampledValue(measurand, value, unit, phase, where, context))

    for measurand in measurands:
        match measurand:
            case "Energy.Active.Import.Register":
                add(measurand, meter.energy_register_wh, "Wh")
            case "Power.Active.Import":
                add(measurand, power, "W")
                if split:
                    add(measurand, power / 3, "W", _PHASES)
            case "Current.Import":
                add(measurand, spec.current_a(power, soc), "A", _PHASES if split else (None,))
            case "Voltage":
                phases = _PHASES_TO_NEUTRAL if split else (None,)
                add(measurand, spec.voltage_v(soc), "V", phases)
            case "Power.Offered" if offered_w is not None:
                add(measurand, offered_w, "W")
            case "Current.Offered" if offered_w is not None:
                add(measurand, spec.current_a(offered_w, soc), "A")
            case "Frequency" if spec.current_type == "AC":
                add(measurand, spec.frequency_hz, "Hz")
            case "Temperature":
                add(measurand, body_c, "Celsius", where="Body")
            case "SoC" if soc is not None:
                add(measurand, soc * 100.0, "Percent", where="EV")
            case _:
                pass  # unsupported, or not applicable to this reading
    return values


# Decimals on the wire, per unit: 0.1 Wh and 0.1 W as metering-grade meters show them, SoC in
# whole percent as the EV reports it (ISO 15118 and CHAdeMO carry integers).
_DECIMALS = {"Wh": 1, "W": 1, "A": 2, "V": 1, "Percent": 0, "Hz": 2, "Celsius": 1}

# OCPP 1.6 section 7.45 UnitOfMeasure has no unit for frequency (StopTransaction's schema
# rejects one), so a 1.6 Frequency value goes without a unit.
_V16_UNITS: dict[Unit, v16.TransactionDataSampledValueUnit | None] = {
    "Wh": "Wh",
    "W": "W",
    "A": "A",
    "V": "V",
    "Percent": "Percent",
    "Hz": None,
    "Celsius": "Celsius",
}

# 1.6's two schemas of a SampledValue, MeterValues' and StopTransaction's transactionData's,
# differ only in MeterValues' one more unit (Hertz): the formatter builds either, and the type
# checker reads it once for each.
_SampledValue16 = TypeVar(
    "_SampledValue16", v16.MeterValueSampledValue, v16.TransactionDataSampledValue
)


def _rounded(sv: SampledValue) -> tuple[float, int]:
    decimals = _DECIMALS.get(sv.unit, 2)
    # Adding 0.0 turns a rounded -0.0 into 0.0.
    return round(sv.value, decimals) + 0.0, decimals


def to_ocpp16_sampled_value(sv: SampledValue) -> v16.MeterValueSampledValue:
    """The OCPP 1.6 SampledValue (section 7.43) of MeterValues: the value a decimal string,
    format Raw."""
    return _sampled_value_16(sv, v16.MeterValueSampledValue)


def to_ocpp16_transaction_sampled_value(sv: SampledValue) -> v16.TransactionDataSampledValue:
    """The same SampledValue in StopTransaction's transactionData (section 6.49)."""
    return _sampled_value_16(sv, v16.TransactionDataSampledValue)


def _sampled_value_16(sv: SampledValue, shape: type[_SampledValue16]) -> _SampledValue16:
    # ``shape`` only picks the type the type checker reads the body as.
    value, decimals = _rounded(sv)
    wire: _SampledValue16 = {
        "value": f"{value:.{decimals}f}",
        "context": sv.context,
        "format": "Raw",
        "measurand": sv.measurand,
    }
    if sv.phase is not None:
        wire["phase"] = sv.phase
    wire["location"] = sv.location
    unit = _V16_UNITS[sv.unit]
    if unit is not None:
        wire["unit"] = unit
    return wire


def to_ocpp201_sampled_value(sv: SampledValue) -> v201.SampledValueType:
    """The OCPP 2.0.1 SampledValueType: the value a number, the unit in unitOfMeasure.

    Raises:
        ValueError: for a measurand 2.0.1 does not have (see :data:`SUPPORTED_MEASURANDS_201`).
    """
    measurand = sv.measurand
    if measurand == "Temperature":  # the one of SUPPORTED_MEASURANDS that 2.0.1 lacks
        raise ValueError(f"OCPP 2.0.1 has no measurand {measurand!r}")
    value, decimals = _rounded(sv)
    wire: v201.SampledValueType = {
        "value": int(value) if decimals == 0 else value,
        "context": sv.context,
        "measurand": measurand,
    }
    if sv.phase is not None:
        wire["phase"] = sv.phase
    wire["location"] = sv.location
    wire["unitOfMeasure"] = {"unit": sv.unit, "multiplier": 0}
    return wire


def next_aligned(now: datetime, interval_s: int) -> datetime:
    """The first clock-aligned instant strictly after ``now``, in UTC.

    Aligned instants divide each day into intervals from 00:00:00 UTC (OCPP 1.6 section 9.1
    ClockAlignedDataInterval: "900 = every 15 minutes aligned to the hour"; OCPP 2.0.1
    AlignedDataCtrlr.Interval). When ``interval_s`` does not divide a day, the last interval
    of the day is short and the next day starts again at midnight; an interval of a day or
    more gives midnights.

    Raises:
        ValueError: for a naive ``now``, and for ``interval_s`` <= 0 (0 means clock-aligned
            data is off; the caller must not schedule anything then).
    """
    if interval_s <= 0:
        raise ValueError(f"interval_s must be positive (0 disables alignment): {interval_s}")
    if now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware: {now!r}")
    now = now.astimezone(UTC)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    step = timedelta(seconds=interval_s)
    following = midnight + ((now - midnight) // step + 1) * step
    return min(following, midnight + timedelta(days=1))


def parse_measurands(
    csv: str, *, supported: Collection[str] = SUPPORTED_MEASURANDS
) -> tuple[list[str], list[str]]:
    """Split a configured measurand list into the ones we can sample and the rest.

    The value is comma-separated (OCPP 1.6 section 9.1 MeterValuesSampledData and friends;
    2.0.1 MemberList variables such as SampledDataCtrlr.TxUpdatedMeasurands). Blanks around
    names are ignored, names are case-sensitive like the enumeration, a repeated name counts
    once, an empty item ("a,,b") is invalid and an empty string is a valid empty list. Names
    with a phase suffix ("Voltage.L1") are not understood and come back invalid.

    Args:
        csv: the configuration value.
        supported: what counts as valid; pass :data:`SUPPORTED_MEASURANDS_201` for 2.0.1.

    Returns:
        ``(valid, invalid)``, each in the order given.
    """
    valid: list[str] = []
    invalid: list[str] = []
    if not csv.strip():
        return valid, invalid
    for item in csv.split(","):
        name = item.strip()
        if name not in supported:
            invalid.append(name)
        elif name not in valid:
            valid.append(name)
    return valid, invalid
