"""The OCPP 1.6 Charge Point cases the suite runs: chargeyard plays the Central System.

Each case function or table row (``table``) of the modules here is one case of the catalog
(``catalog/ocpp16-station.csv``), registered under its id (``_registry.py``). A case's steps
follow the use case of the OCPP 1.6 specification its title names (section numbers in the
docstrings); the checks are the spec's rules for what the Charge Point sends. What OCPP can set
up (configuration keys, the local list, a reservation) the case sets up itself, as the Central
System; what only the station can do (a cable, a tag at the reader, a power cycle) it asks of
the trigger (``StationCase.act``).
"""

from chargeyard.conformance.station_under_test.cases_v16 import (
    certificates,
    configuration,
    firmware,
    lifecycle,
    local_list,
    profiles,
    remote,
    reservations,
    secure_firmware,
    security,
    security_profile,
    sessions,
    station_certificate,
    tls,
)
from chargeyard.conformance.station_under_test.cases_v16._registry import CASES

# The modules register their cases as they are imported: the Core profile's in
# ``lifecycle`` (boot, resets, power, the connection), ``sessions`` (a driver's sessions),
# ``remote`` (what the Central System orders) and ``configuration``; the optional profiles'
# in ``local_list``, ``firmware``, ``reservations``, ``profiles`` (Remote Trigger, Smart
# Charging), ``security`` (the security whitepaper without TLS or certificates),
# ``security_profile`` (its SecurityProfile, 7.6), ``tls`` (security profiles 2 and 3),
# ``certificates`` (its certificate management without TLS), ``secure_firmware`` (its signed
# firmware update) and ``station_certificate`` (the Charge Point certificate the Central System
# signs).
MODULES = (
    lifecycle,
    sessions,
    remote,
    configuration,
    local_list,
    firmware,
    reservations,
    profiles,
    security,
    security_profile,
    tls,
    certificates,
    secure_firmware,
    station_certificate,
)

__all__ = ["CASES", "MODULES"]
