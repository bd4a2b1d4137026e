"""What a case leaves on a charging station under test that the suite cannot take back through
OCPP, and the cases whose precondition is a station without it.

Theory of operation
-------------------
A case puts back what it changed (a configuration key, a CA certificate it installed, a
profile) through OCPP when it ends, so the cases of a run can follow each other on one station
in any order. A few changes cannot be taken back: a Charging Station Certificate the suite
signed (A02, A03; the Charge Point certificate of the 1.6 security extension) stays, since a
station never deletes its own certificate (M04.FR.06). Each such change is a :class:`Mark`:

* :data:`LEAVES` names the cases that leave a mark, and the suite records it on the run's
  bench when it happens (``Bench.left``: the mark and the case that left it);
* :data:`NEEDS_WITHOUT` names the cases whose precondition is a station without a mark (Part
  6's prerequisite): such a case checks the bench first and is not applicable, naming the case
  that left the mark, when the station has it (:func:`check_without`);
* :func:`run_order` runs each case that needs a station without a mark before the cases that
  leave it, so a run of every case on one station gives each case the station its
  precondition asks for: the verdicts of one station in a row are those of parallel lanes,
  each case on a station of its own. The reports keep the catalog's order.

A station that came to the run with the mark already (a certificate of its manufacturer's)
cannot be told apart through OCPP; such a case's prerequisite says so, and its report shows
what the station answered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum


class Mark(StrEnum):
    """A lasting change to a station; its value is how a report names it."""

    STATION_CERTIFICATE = "a Charging Station Certificate the suite signed for it"


LEAVES: Mapping[str, frozenset[Mark]] = {
    # A02 RenewChargingStationCertificate, CertificateSigned Accepted.
    "TC_A_11_CS": frozenset({Mark.STATION_CERTIFICATE}),
    "TC_A_23_CS": frozenset({Mark.STATION_CERTIFICATE}),
    "TC_M_23_CS": frozenset({Mark.STATION_CERTIFICATE}),
    # The 1.6 security extension's certificate update, CertificateSigned Accepted.
    "TC_074_CS": frozenset({Mark.STATION_CERTIFICATE}),
}
"""The cases that leave a mark on the station when they pass."""

NEEDS_WITHOUT: Mapping[str, frozenset[Mark]] = {
    # A05.FR.03: a station without a certificate of its own refuses security profile 3.
    "TC_A_21_CS": frozenset({Mark.STATION_CERTIFICATE}),
}
"""The cases whose precondition is a station without the marks named."""


class MarkLeft(Exception):
    """The station has a mark the case needs it without."""


def check_without(case_id: str, left: Mapping[Mark, str]) -> None:
    """Check ``case_id``'s precondition against the marks ``left`` on the station (each with
    the case that left it).

    Raises:
        MarkLeft: the station has a mark the case needs it without.
    """
    for mark in sorted(NEEDS_WITHOUT.get(case_id, frozenset()) & left.keys()):
        raise MarkLeft(
            f"the station holds {mark.value} ({left[mark]}): the case needs a station without"
            " one, which the suite cannot take back through OCPP"
        )


def run_order(ids: Sequence[str]) -> list[str]:
    """``ids`` in the order to run them: each case that leaves a mark which a later case needs
    the station without runs after the last such case; the others keep their place."""
    needing = [index for index, case_id in enumerate(ids) if case_id in NEEDS_WITHOUT]
    if not needing:
        return list(ids)
    last = needing[-1]
    needed = frozenset().union(*(NEEDS_WITHOUT[ids[index]] for index in needing))
    deferred = [case_id for case_id in ids[:last] if LEAVES.get(case_id, frozenset()) & needed]
    kept = [case_id for case_id in ids[: last + 1] if case_id not in deferred]
    return [*kept, *deferred, *ids[last + 1 :]]
