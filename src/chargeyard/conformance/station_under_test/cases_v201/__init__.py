"""The OCPP 2.0.1 charging-station cases the suite runs: chargeyard plays the CSMS.

Each case function or table row (``table``) of the modules here is one case of the catalog
(``catalog/ocpp201.csv``), registered under its id (``_registry.py``), the modules by functional
block (Part 6 section 2):

* A security: ``security.py`` (A00 Basic authentication, A01 its password),
  ``security_profile.py`` (A05, an upgrade or a downgrade of the security profile refused),
  ``tls.py`` (A00 over TLS: security profiles 2 and 3), ``station_certificate.py`` (A02, the
  station's own certificate; M04 of it);
* B provisioning: ``boot.py`` (B01-B04), ``device_model_variables.py`` (B05, B06),
  ``device_model_reports.py`` (B07, B08), ``reset.py`` (B11,
  B12), ``network.py`` (B09, reconnecting), ``migration.py`` (B10);
* C authorization: ``authorization.py`` (and by the list: ``local_list.py``);
* D local authorization list: ``local_list.py``;
* E transactions: ``transactions_start_stop.py`` (E01-E03, E06-E10) and
  ``transactions_offline.py`` (E04, E05, E08, E11-E15), what they share in ``transactions.py``;
* F remote control: ``remote_control.py``;
* G availability: ``availability.py``;
* H reservation: ``reservation.py``;
* I tariff and cost: ``tariff_cost.py``;
* J meter values: ``meter_values.py``;
* K smart charging: ``smart_charging_profiles.py`` (K01, K05) and ``smart_charging_reports.py``
  (K08-K10), what they share in ``smart_charging.py``;
* L firmware: ``firmware.py``, ``secure_firmware.py`` (L01's refusals);
* M certificate management of CA certificates: ``certificates.py`` (M03-M05);
* N diagnostics: ``diagnostics.py`` (the Core profile's), ``monitoring_setup.py`` and
  ``monitoring_events.py`` (Advanced Device Management; what they share in ``monitoring.py``);
* O display messages: ``display_messages.py``;
* P data transfer: ``data_transfer.py``.

A case's steps follow Part 6's description of it, built from the reusable states of
:class:`~chargeyard.conformance.station_under_test.case_v201.StationCaseV201`; its checks are the
tool validations Part 6 names and the rules of the use cases its docstring cites. What OCPP can set
up (a variable, a profile, the local list, a reservation) the case sets up itself, as the CSMS, and
undoes when it ends; what only the station can do (a cable, a card at the reader, a power cycle) it
asks of the trigger.
"""

from chargeyard.conformance.station_under_test.cases_v201 import (
    authorization,
    availability,
    boot,
    certificates,
    data_transfer,
    device_model_reports,
    device_model_variables,
    diagnostics,
    display_messages,
    firmware,
    local_list,
    meter_values,
    migration,
    monitoring_events,
    monitoring_setup,
    network,
    remote_control,
    reservation,
    reset,
    secure_firmware,
    security,
    security_profile,
    smart_charging_profiles,
    smart_charging_reports,
    station_certificate,
    tariff_cost,
    tls,
    transactions_offline,
    transactions_start_stop,
)
from chargeyard.conformance.station_under_test.cases_v201._registry import CASES

# The modules register their cases as they are imported.
MODULES = (
    security,
    station_certificate,
    security_profile,
    tls,
    boot,
    device_model_variables,
    device_model_reports,
    reset,
    network,
    migration,
    authorization,
    local_list,
    transactions_start_stop,
    transactions_offline,
    remote_control,
    availability,
    reservation,
    tariff_cost,
    meter_values,
    smart_charging_profiles,
    smart_charging_reports,
    firmware,
    secure_firmware,
    certificates,
    diagnostics,
    monitoring_setup,
    monitoring_events,
    display_messages,
    data_transfer,
)

__all__ = ["CASES", "MODULES"]
