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

from __future__ import annotations

from typing import TYPE_CHECKING

from chargeyard.lazy_names import lazy_names

if TYPE_CHECKING:
    from chargeyard.pytest_plugin.csms import CsmsCallError, CsmsFactory, LabCsms
    from chargeyard.pytest_plugin.fleet import FleetFactory, SimFleet
    from chargeyard.pytest_plugin.frames import Frame, WaitTimedOut
    from chargeyard.pytest_plugin.station import SimStation, StationFactory

# Each name's module, imported when the name is first read: pytest imports this package (for
# ``fixtures.py``) in every run of a project that installed chargeyard, and a run that uses no
# fixture of ours should not pay for importing the fleet and the conformance suite.
_HOMES = {
    "CsmsCallError": "csms",
    "CsmsFactory": "csms",
    "LabCsms": "csms",
    "FleetFactory": "fleet",
    "SimFleet": "fleet",
    "Frame": "frames",
    "WaitTimedOut": "frames",
    "SimStation": "station",
    "StationFactory": "station",
}


__getattr__ = lazy_names(__name__, _HOMES)


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
