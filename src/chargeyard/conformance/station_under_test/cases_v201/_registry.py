"""The OCPP 2.0.1 cases of a charging station under test, by id, and the two ways to fill the table
(``case_tables.CaseTable``): the decorator ``case`` for a case written as a function,
``table`` for cases that are one helper called with different arguments."""

from __future__ import annotations

from chargeyard.conformance.case_tables import CaseTable, Doc
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201

_WRITTEN = CaseTable[StationCaseV201]()
CASES = _WRITTEN.cases
case = _WRITTEN.case
table = _WRITTEN.table

__all__ = ["CASES", "Doc", "case", "table"]
