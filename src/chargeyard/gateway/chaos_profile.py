"""Faults as a user writes them: the JSON of ``POST /ocpp/chaos`` and the TOML of
``chargeyard sim --chaos FILE.toml``, read and checked by pydantic, then handed inside as the
plain faults of ``fleet/chaos/faults.py`` (:meth:`ChaosProfile.to_faults`).

One model per fault kind, told apart by ``kind``; every field has its unit in its name
(``_ms``, ``_s``, ``_bytes_per_s``) and ``for_s`` is the fault's end (absent: until cleared).
A test holds these models to :data:`~chargeyard.fleet.chaos.faults.KINDS`, so a new kind is
refused here until it is described here too. docs/chaos.md shows them all.
"""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from chargeyard.fleet.chaos.faults import Fault, fault_from_dict
from chargeyard.station.clock_faults import MAX_DRIFT_PPM, MAX_OFFSET_S, RTC_RESET

Seconds = Annotated[float, Field(gt=0, le=7 * 86_400)]
Milliseconds = Annotated[float, Field(ge=0, le=600_000)]
Share = Annotated[float, Field(ge=0, le=1, description="0 to 1: the share of messages hit")]
Actions = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=64)]],
    Field(max_length=64, description="Only messages of these OCPP actions (empty: all)"),
]
Rate = Annotated[float, Field(gt=0, le=1e9)]


class _Fault(BaseModel):
    model_config = ConfigDict(extra="forbid")

    for_s: Seconds | None = Field(
        None, description="Seconds until the fault ends by itself (absent: until cleared)"
    )


class LatencySpec(_Fault):
    """Added latency per direction, with jitter drawn per chunk (the order kept)."""

    kind: Literal["latency"]
    up_ms: Milliseconds = Field(0, description="Station to central system")
    down_ms: Milliseconds = Field(0, description="Central system to station")
    jitter_ms: Milliseconds = Field(0, description="Plus or minus, drawn per chunk")


class BandwidthSpec(_Fault):
    """A bandwidth cap per direction (bytes a second; absent: uncapped)."""

    kind: Literal["bandwidth"]
    up_bytes_per_s: Rate | None = None
    down_bytes_per_s: Rate | None = None

    @model_validator(mode="after")
    def _a_cap(self) -> BandwidthSpec:
        if self.up_bytes_per_s is None and self.down_bytes_per_s is None:
            raise ValueError("give up_bytes_per_s, down_bytes_per_s or both")
        return self


class DisconnectSpec(_Fault):
    """The connection cut now (neither ``every_s`` nor ``per_minute``), every ``every_s``
    seconds, or with a probability ``per_minute`` in each minute; after each cut the central
    system is unreachable for ``offline_s`` seconds."""

    kind: Literal["disconnect"]
    every_s: Seconds | None = None
    per_minute: Annotated[float, Field(gt=0, le=1)] | None = None
    offline_s: Annotated[float, Field(ge=0, le=7 * 86_400)] = 0.0

    @model_validator(mode="after")
    def _one_schedule(self) -> DisconnectSpec:
        if self.every_s is not None and self.per_minute is not None:
            raise ValueError("give every_s or per_minute, not both")
        return self


class HalfOpenSpec(_Fault):
    """The station stops reading its socket without closing it."""

    kind: Literal["half_open"]


class RefuseConnectSpec(_Fault):
    """Every connection attempt of the station is refused."""

    kind: Literal["refuse_connect"]


class DropFramesSpec(_Fault):
    """A share of the station's outgoing messages never reaches the wire."""

    kind: Literal["drop_frames"]
    share: Share = 1.0
    actions: Actions = []


class DuplicateFramesSpec(_Fault):
    """A share of outgoing messages is sent twice with the same message id."""

    kind: Literal["duplicate_frames"]
    share: Share = 1.0
    actions: Actions = []


class DelayFramesSpec(_Fault):
    """A share of outgoing messages is held ``delay_s`` seconds."""

    kind: Literal["delay_frames"]
    share: Share = 1.0
    delay_s: Seconds = 1.0
    actions: Actions = []


class ReorderFramesSpec(_Fault):
    """Messages written together go out reversed, or one is held for the next ones."""

    kind: Literal["reorder_frames"]
    share: Share = 1.0
    hold_s: Seconds = 1.0


class DelayAnswersSpec(_Fault):
    """A share of the station's answers to the central system's calls is held ``delay_s``."""

    kind: Literal["delay_answers"]
    share: Share = 1.0
    delay_s: Seconds = 60.0
    actions: Actions = []


class WithholdAnswersSpec(_Fault):
    """A share of the station's answers to the central system's calls is never sent."""

    kind: Literal["withhold_answers"]
    share: Share = 1.0
    actions: Actions = []


class ClockSpec(_Fault):
    """The station's clock wrong by an offset and a drift, and set to a moment (1970 by
    default: an RTC reset) after ``jump_after_s`` when a jump is given."""

    kind: Literal["clock"]
    offset_s: Annotated[float, Field(ge=-MAX_OFFSET_S, le=MAX_OFFSET_S)] = Field(
        0, description="Seconds ahead (negative: behind)"
    )
    drift_ppm: Annotated[float, Field(ge=-MAX_DRIFT_PPM, le=MAX_DRIFT_PPM)] = Field(
        0, description="Gains (negative: loses), parts per million"
    )
    jump_to: AwareDatetime | None = Field(
        None, description="The moment the clock jumps to (default with jump_after_s: 1970)"
    )
    jump_after_s: Annotated[float, Field(ge=0, le=7 * 86_400)] | None = Field(
        None, description="Seconds until the jump (default with jump_to: at once)"
    )

    @field_validator("jump_to")
    @classmethod
    def _in_range(cls, value: datetime | None) -> datetime | None:
        if value is not None and not RTC_RESET <= value < datetime(9999, 1, 1, tzinfo=UTC):
            raise ValueError("a clock jumps to a moment from 1970 to 9998")
        return value


class StatusForUnknownConnectorSpec(_Fault):
    """A StatusNotification for a connector the station lacks after each one it sends."""

    kind: Literal["status_for_unknown_connector"]


class UnknownTransactionIdSpec(_Fault):
    """Transaction messages that name a transaction the central system never heard of."""

    kind: Literal["unknown_transaction_id"]


class MeterBackwardsSpec(_Fault):
    """The energy register counts down while charging."""

    kind: Literal["meter_backwards"]


class BootInTransactionSpec(_Fault):
    """A BootNotification while a transaction runs, the registration standing."""

    kind: Literal["boot_in_transaction"]


class _Crowd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    after_s: Annotated[float, Field(ge=0, le=7 * 86_400)] = Field(
        0, description="Seconds until it strikes (a rolling restart: its first station)"
    )


class ReconnectStormSpec(_Crowd):
    """Every targeted station's connection cut at once; each dials again within
    ``jitter_s`` (drawn from the random seed; 0: all at once)."""

    kind: Literal["reconnect_storm"]
    jitter_s: Annotated[float, Field(ge=0, le=3600)] = 0


class RollingRestartSpec(_Crowd):
    """The targeted stations reboot one by one, ``per_minute`` a minute, in an order drawn
    from the random seed."""

    kind: Literal["rolling_restart"]
    per_minute: Annotated[float, Field(gt=0, le=60_000)] = 6
    off_s: Annotated[float, Field(ge=0, le=86_400)] | None = Field(
        None, description="Seconds each stays off (absent: its own reboot delay)"
    )


class PowerCutSpec(_Crowd):
    """Every targeted station loses its power at once and boots ``off_s`` later; open
    transactions are reported ended with reason PowerLoss after the boot."""

    kind: Literal["power_cut"]
    off_s: Annotated[float, Field(ge=0, le=86_400)] | None = Field(
        None, description="Seconds the power stays off (absent: the station's reboot delay)"
    )


FaultSpec = Annotated[
    LatencySpec
    | BandwidthSpec
    | DisconnectSpec
    | HalfOpenSpec
    | RefuseConnectSpec
    | DropFramesSpec
    | DuplicateFramesSpec
    | DelayFramesSpec
    | ReorderFramesSpec
    | DelayAnswersSpec
    | WithholdAnswersSpec
    | ClockSpec
    | StatusForUnknownConnectorSpec
    | UnknownTransactionIdSpec
    | MeterBackwardsSpec
    | BootInTransactionSpec
    | ReconnectStormSpec
    | RollingRestartSpec
    | PowerCutSpec,
    Field(discriminator="kind"),
]

SPECS: tuple[type[_Fault] | type[_Crowd], ...] = (
    LatencySpec,
    BandwidthSpec,
    DisconnectSpec,
    HalfOpenSpec,
    RefuseConnectSpec,
    DropFramesSpec,
    DuplicateFramesSpec,
    DelayFramesSpec,
    ReorderFramesSpec,
    DelayAnswersSpec,
    WithholdAnswersSpec,
    ClockSpec,
    StatusForUnknownConnectorSpec,
    UnknownTransactionIdSpec,
    MeterBackwardsSpec,
    BootInTransactionSpec,
    ReconnectStormSpec,
    RollingRestartSpec,
    PowerCutSpec,
)


class ChaosProfile(BaseModel):
    """Faults and the random seed their draws come from (each charger's source is that seed
    and its identity: the same seed and profile give each charger the same faults again)."""

    model_config = ConfigDict(extra="forbid")

    # At most 2**53 - 1: the largest integer every JSON reader (JavaScript's too) keeps exact.
    seed: Annotated[int, Field(ge=0, le=2**53 - 1)] | None = Field(
        None, description="What the faults' random draws are seeded with (absent: one is chosen)"
    )
    faults: list[FaultSpec] = Field(min_length=1, max_length=64)

    def to_faults(self) -> list[Fault]:
        return [fault_from_dict(spec.model_dump(mode="json")) for spec in self.faults]


class ProfileError(ValueError):
    """A chaos profile file that cannot be read, in a line or a few."""


def load_profile(path: Path) -> ChaosProfile:
    """The chaos profile in the TOML file ``path`` (docs/chaos.md).

    Raises:
        ProfileError: the file cannot be read, is not TOML, or does not describe faults.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ProfileError(f"{path}: {error}") from None
    try:
        return ChaosProfile.model_validate(data)
    except ValidationError as error:
        lines = [
            f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}"
            for item in error.errors()
        ]
        raise ProfileError(f"{path}: " + "; ".join(lines)) from None


__all__ = ["SPECS", "ChaosProfile", "FaultSpec", "ProfileError", "load_profile"]
