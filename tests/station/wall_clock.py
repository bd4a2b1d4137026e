"""Simulated stations on the real wall clock, for tests over real sockets.

The catalog's templates send clock-aligned meter readings every 900 s, at the quarter hours of
the wall clock (1.6 ClockAlignedDataInterval, 2.0.1 AlignedDataCtrlr.Interval). A test that
reads a session's messages or events in order sees one more when it runs across a quarter
hour, so CI failed at 07:00:00 once. These stations ship with them off; tests of the
clock-aligned readings themselves run on a ManualClock (``tests/station/harness.py``).
"""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

from chargeyard.protocol import V16, V21, V201, VersionSpec
from chargeyard.station.catalog import load_catalog
from chargeyard.station.catalog.templates import StationTemplate
from chargeyard.station.clock import SystemClock
from chargeyard.station.v16 import StationV16
from chargeyard.station.v21 import StationV21
from chargeyard.station.v201 import StationV201


def without_clock_aligned_readings(template_id: str) -> StationTemplate:
    """The catalog's template with ClockAlignedDataInterval 0 (1.6 9.1.7; on 2.0.1 it seeds
    AlignedDataCtrlr.Interval)."""
    template = load_catalog().template(template_id)
    configuration = {**template.default_configuration, "ClockAlignedDataInterval": "0"}
    return dataclasses.replace(template, default_configuration=MappingProxyType(configuration))


def wall_clock_station(
    identity: str, template_id: str, version: VersionSpec = V16
) -> StationV16 | StationV201:
    """A station of ``version`` (1.6, 2.0.1 or 2.1) on the system clock, without
    clock-aligned readings."""
    kind = {V16: StationV16, V201: StationV201, V21: StationV21}[version]
    return kind(identity, without_clock_aligned_readings(template_id), clock=SystemClock())
