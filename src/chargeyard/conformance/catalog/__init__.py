"""The test cases the suite knows: each official id and title, the OCPP version, the system
under test, the certification profiles it belongs to, and what it needs that chargeyard does
not have (if anything).

The lists are data (the CSV files beside this module), one per version and role:

* ``ocpp16-csms.csv`` and ``ocpp16-station.csv``: the Open Charge Alliance's public OCPP 1.6
  test case list, its 77 Central System cases and its Charge Point cases, by id and title,
  with the feature profile (Core, Reservation, ...) each belongs to;
* ``ocpp201.csv``: every case of OCPP 2.0.1 Part 6 (edition 3), both roles, with its
  functional block and use cases, and the certification profiles of Part 5 (edition 3) that
  list it, each with M (mandatory) or C (conditional) and, for C, the condition on the
  optional features (Part 5 section 3).

The steps, messages and checks of each case are chargeyard's, written from the specification (the
``cases_*`` packages of each wing); which cases are written is theirs to say (:mod:`~chargeyard.
conformance.suites`). A version without a list of its own (2.1) runs another's cases
(``borrowed.py``): :func:`cases_of` gives them as that version's. ``needs`` names what a case
requires that chargeyard lacks, so it is listed as not available with the reason rather than as
not yet written.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from enum import StrEnum
from importlib import resources

from chargeyard.conformance.catalog.borrowed import BORROWED
from chargeyard.protocol import V16, V201, VersionSpec


class UnderTest(StrEnum):
    CSMS = "csms"
    STATION = "station"


class Need(StrEnum):
    """What a case requires that chargeyard does not have; its value is the reason told."""

    UPGRADE = (
        "needs one central system serving a station at two security profiles, to move it from"
        " the lower to the higher (2.0.1 A05, the 1.6 security profile upgrade), which"
        " chargeyard's does not: a listener serves one security profile"
    )
    CERTIFICATES = (
        "needs certificate handling beyond what chargeyard has (CA certificates installed,"
        " listed and deleted, station certificates signed, signed firmware verified): an"
        " OCSP status, AdditionalRootCertificateCheck, a combined V2G certificate"
    )
    ISO15118 = "needs ISO 15118 (contract and V2G certificates), which chargeyard does not have"


_NEEDS = {"upgrade": Need.UPGRADE, "certificates": Need.CERTIFICATES, "iso15118": Need.ISO15118}


@dataclass(frozen=True, slots=True)
class Membership:
    """A certification profile that lists a case: ``mandatory`` (M) or conditional (C) on
    ``condition``, an expression over Part 5's optional feature ids (``C-44``, ``AQ-6``...)."""

    profile: str
    mandatory: bool = True
    condition: str = ""


@dataclass(frozen=True, slots=True)
class CaseInfo:
    """One test case.

    Attributes:
        block: the functional block (2.0.1: ``Provisioning``, ``Authorization``...; 1.6: the
            feature profile).
        profiles: the certification profiles that list it (2.0.1 Part 5; 1.6: its feature
            profile). Empty: a case of Part 6 that no profile lists.
        use_cases: the 2.0.1 use case ids it tests (``B01``), as Part 6 names them.
        needs: what it requires that chargeyard lacks (None: nothing).
    """

    id: str
    title: str
    version: VersionSpec
    under_test: UnderTest
    block: str
    profiles: tuple[Membership, ...] = ()
    use_cases: str = ""
    needs: Need | None = None

    @property
    def module(self) -> str:
        """The profile a report files it under: its first, or its block where none lists
        it."""
        return self.profiles[0].profile if self.profiles else self.block

    def in_profiles(self, chosen: set[str]) -> bool:
        return any(membership.profile in chosen for membership in self.profiles)


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _ocpp16(name: str, under_test: UnderTest) -> list[CaseInfo]:
    return [
        CaseInfo(
            row["id"],
            row["title"],
            V16,
            under_test,
            row["profile"],
            (Membership(row["profile"]),),
            needs=_NEEDS.get(row["needs"]),
        )
        for row in _rows(name)
    ]


def _membership(entry: str, condition: str) -> Membership:
    profile, _, requirement = entry.rpartition(":")
    mandatory = requirement != "C"
    return Membership(profile, mandatory, "" if mandatory else condition)


def _ocpp201() -> list[CaseInfo]:
    cases = []
    for row in _rows("ocpp201.csv"):
        profiles = tuple(
            _membership(entry, row["condition"]) for entry in row["profiles"].split(";") if entry
        )
        cases.append(
            CaseInfo(
                row["id"],
                row["title"],
                V201,
                UnderTest.CSMS if row["under_test"] == "CSMS" else UnderTest.STATION,
                row["block"],
                profiles,
                row["use_cases"],
                _NEEDS.get(row["needs"]),
            )
        )
    return cases


CASES: tuple[CaseInfo, ...] = (
    *_ocpp16("ocpp16-csms.csv", UnderTest.CSMS),
    *_ocpp16("ocpp16-station.csv", UnderTest.STATION),
    *_ocpp201(),
)
BY_ID = {case.id: case for case in CASES}


def cases_of(version: VersionSpec, under_test: UnderTest) -> list[CaseInfo]:
    """The catalog's cases of ``version`` with ``under_test`` under test, in the list's
    order; for a version that borrows another's list (``borrowed.py``), every case of that
    list, as the version's (those it leaves out too: a run says why it does not run them)."""
    borrowed = BORROWED.get(version)
    if borrowed is not None:
        return [replace(c, version=version) for c in cases_of(borrowed.source, under_test)]
    return [c for c in CASES if c.version is version and c.under_test is under_test]
