"""The OCPP 2.0.1 CSMS cases the suite runs: chargeyard plays the charging station.

Each case function or table row (``table``) of the modules here is one case of the catalog
(``catalog/ocpp201.csv``), registered under its id (``_registry.py``), the modules by functional
block (Part 6 section 3): ``security.py`` (A, those without TLS), ``tls.py`` (A, over TLS:
security profiles 2 and 3), ``station_certificate.py`` (A02, the station's own certificate),
``provisioning.py`` (B), ``authorization.py`` (C), ``local_list.py`` (D), ``transactions.py``
(E), ``remote_control.py`` (F), ``availability.py`` (G), ``reservation.py`` (H),
``tariff_cost.py`` (I), ``meter_values.py`` (J), ``smart_charging.py`` and
``charging_limits.py`` (K), ``firmware.py``, ``secure_firmware.py`` and
``firmware_publishing.py`` (L), ``certificates.py`` (M, the CA certificates only),
``diagnostics.py`` and ``monitoring.py`` (N), ``display_messages.py`` (O) and
``data_transfer.py`` (P); ``message_limits.py`` holds the cases of B and N on the items one
request may carry. A case's steps follow Part 6's description of it, built from the reusable
states of :class:`~chargeyard.conformance.csms_under_test.case_v201.CsmsCaseV201`; its checks
are the tool validations Part 6 names and the rules of the use cases its docstring cites. A case
that needs the CSMS to act asks the trigger; one that needs the CSMS configured in a way no
trigger can ask ends inconclusive, saying how.
"""

from chargeyard.conformance.csms_under_test.cases_v201 import (
    authorization,
    availability,
    certificates,
    charging_limits,
    data_transfer,
    diagnostics,
    display_messages,
    firmware,
    firmware_publishing,
    local_list,
    message_limits,
    meter_values,
    monitoring,
    provisioning,
    remote_control,
    reservation,
    secure_firmware,
    security,
    smart_charging,
    station_certificate,
    tariff_cost,
    tls,
    transactions,
)
from chargeyard.conformance.csms_under_test.cases_v201._registry import CASES

# The modules register their cases as they are imported.
MODULES = (
    security,
    station_certificate,
    tls,
    provisioning,
    authorization,
    local_list,
    transactions,
    remote_control,
    availability,
    reservation,
    tariff_cost,
    meter_values,
    smart_charging,
    charging_limits,
    firmware,
    secure_firmware,
    firmware_publishing,
    certificates,
    diagnostics,
    monitoring,
    display_messages,
    data_transfer,
    message_limits,
)

__all__ = ["CASES", "MODULES"]
