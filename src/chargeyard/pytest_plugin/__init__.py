"""chargeyard inside other projects' tests: the pytest plugin (docs/pytest.md).

Installed with chargeyard and registered through the ``pytest11`` entry point, so that a
project that installs chargeyard gets three fixtures (``fixtures.py``, the one module here that
imports pytest):

* ``ocpp_station``: simulated stations, one at a time, each a :class:`SimStation` with
  awaitable helpers for a test (``station.py``);
* ``ocpp_fleet``: many stations at once, booted together (:class:`SimFleet`, ``fleet.py``);
* ``ocpp_csms``: a central system that a charger under test connects to (:class:`LabCsms`,
  ``csms.py``), the conformance suite's scripted central system.

What they share: every frame recorded with its direction, and waits that wake on each frame
and fail with what was awaited and what was seen (``frames.py``).
"""

from chargeyard.pytest_plugin.csms import CsmsCallError, CsmsFactory, LabCsms
from chargeyard.pytest_plugin.fleet import FleetFactory, SimFleet
from chargeyard.pytest_plugin.frames import Frame, WaitTimedOut
from chargeyard.pytest_plugin.station import SimStation, StationFactory

__all__ = [
    "CsmsCallError",
    "CsmsFactory",
    "FleetFactory",
    "Frame",
    "LabCsms",
    "SimFleet",
    "SimStation",
    "StationFactory",
    "WaitTimedOut",
]
