"""The OCPP 1.6 Central System cases the suite runs: chargeyard plays the Charge Point.

Each case function or table row (``table``) of the modules here is one case of the catalog
(``catalog.py``), registered under its id (``_registry.py``): ``sessions.py`` what the station
reports of a driver's session, ``remote_control.py`` what the Central System orders,
``profiles.py`` and ``reservations.py`` the optional feature profiles, ``security.py`` the
security extension's cases that need no TLS, ``tls.py`` those over TLS (security profiles 2 and
3), ``secure_firmware.py`` its signed firmware update, ``station_certificate.py`` the Charge
Point certificate the Central System signs. A case's steps follow the use case in the OCPP 1.6
specification that its title names (section numbers in the docstrings); the checks are the
spec's rules for what the Central System sends back. A case that needs the Central System to act
asks the trigger (``CsmsCase.order``).
"""

from chargeyard.conformance.csms_under_test.cases_v16 import (
    profiles,
    remote_control,
    reservations,
    secure_firmware,
    security,
    sessions,
    station_certificate,
    tls,
)
from chargeyard.conformance.csms_under_test.cases_v16._registry import CASES

# The modules register their cases as they are imported.
MODULES = (
    sessions,
    remote_control,
    profiles,
    reservations,
    security,
    tls,
    secure_firmware,
    station_certificate,
)

__all__ = ["CASES", "MODULES"]
