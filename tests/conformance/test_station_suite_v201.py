"""The charging-station suite against chargeyard's own OCPP 2.0.1 simulated station, unattended:
the suite plays the CSMS, the station connects to its listener, and every physical act (a cable,
a card, a fault, a power cycle) goes through the station's verbs. Every available 2.0.1 case
that applies to the station (its optional features given as Part 5 ids) must pass both
verdicts, or be not applicable to it with its reason; where one does not, the product is fixed,
not the case."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from chargeyard.conformance import Verdict
from chargeyard.conformance.catalog import CaseInfo, UnderTest, cases_of
from chargeyard.conformance.report_html import html_page
from chargeyard.conformance.runner import RunResult
from chargeyard.conformance.station_under_test.cases_v201 import CASES as WRITTEN
from chargeyard.conformance.suites import why_not_available
from chargeyard.protocol import V201
from chargeyard.station.clock import SystemClock
from chargeyard.station.endpoint import Endpoint
from chargeyard.station.v201 import StationV201
from tests.conformance.station_lab import IDENTITY, SOCKET
from tests.conformance.station_lab_v201 import DOUBLE, new_station, run_against
from tests.station.wall_clock import without_clock_aligned_readings

# The station and the suite wait on the loop's clock alone: their waits pass at once.
pytestmark = [pytest.mark.slow, pytest.mark.virtual_time]

FEATURES = (
    # Core: offline authorization, of unknown tokens too; the Authorization Cache; Reset per
    # EVSE; a SummaryInventory; cards (ISO14443) for local and remote starts; the fallback
    # after NetworkProfileConnectionAttempts per entry of NetworkConfigurationPriority (B10).
    "C-01",
    "C-02",
    "C-49",
    "C-13",
    "C-56",
    "C-30",
    "C-36",
    "C-47",
    # Transactions: start and stop points (EVConnected, Authorized, PowerPathClosed,
    # EnergyTransfer), configurable; authorization kept or not when the EV unplugs; an EV of
    # IEC 61851-1 (mode 3) behind a socket (a detachable cable), AC.
    "C-09.1",
    "C-09.2",
    "C-09.4",
    "C-09.5",
    "C-51",
    "C-10.1",
    "C-10.2",
    "C-10.3",
    "C-10.4",
    "C-52",
    "C-06.1",
    "C-06.2",
    "AQ-9",
    "HFS-1",
    "HFS-3",
    # Remote control: a remote start authorized first or not (AuthorizeRemoteStart); every
    # message TriggerMessage may ask for (MeterValues, TransactionEvent, LogStatusNotification,
    # FirmwareStatusNotification, StatusNotification, BootNotification).
    "C-48.1",
    "C-48.2",
    "C-29.1",
    "C-29.2",
    "C-29.3",
    "C-29.4",
    "C-29.5",
    "C-29.6",
    # Meter values: measurands it reports; clock-aligned values only while idle, on request.
    "C-40",
    "C-28",
    # Firmware and logs: an update or an upload under way cancelled by a newer one; firmware
    # downloaded during a transaction (installed once it ended).
    "C-60",
    "C-57",
    "AQ-7",
    # Reservations it can be told to refuse (ReservationCtrlr.Enabled); smart charging, with
    # schedules in A.
    "R-3",
    "Smart Charging",
    "SC-2.1",
    # Monitoring: events queued offline by severity; a hard-wired monitor (of the password).
    "DM-3",
    "AQ-5",
    # Advanced security: SignCertificate repeated when no CertificateSigned comes (A02.FR.17).
    "AS-3",
    # Security: the last CSMSRootCertificate can be removed (nothing keeps one in use).
    "AQ-1",
    # Display messages: every priority; ASCII and UTF8 (not HTML, not URI).
    "UI-1.1",
    "UI-1.2",
    "UI-1.3",
    "UI-2.1",
    "UI-2.4",
)
"""The optional features (Part 5 section 3.1) chargeyard's 2.0.1 station has."""

PASSWORD = "Conformance-Basic-Password-1"
"""The station presents one (security profile 1), for the Basic authentication cases."""


def _not_passed(run: RunResult) -> dict[str, tuple[Verdict, Verdict, str | None]]:
    return {
        result.info.id: (result.conformance, result.compatibility, result.reason)
        for result in run.results
        if result.ran and (result.conformance, result.compatibility) != (Verdict.PASS,) * 2
    }


def test_the_catalog_says_which_cases_run_and_every_one_that_does_is_written() -> None:
    catalog = cases_of(V201, UnderTest.STATION)
    available = {case.id for case in catalog if why_not_available(case) is None}
    assert available == set(WRITTEN)


ON_ANOTHER_STATION: tuple[tuple[str, Callable[[], StationV201]], ...] = (
    # Reservations of any EVSE (ReservationCtrlr.NonEvseSpecific, which the template's
    # ReserveConnectorZeroSupported seeds).
    ("R-2", lambda: new_station(ReserveConnectorZeroSupported="true")),
    # More than one EVSE.
    ("HFS-8 > 1", lambda: new_station(DOUBLE)),
)
"""Features a station of the suite's own configuration has not: the cases conditional on
each run on a station that has it."""


def _needs(case: CaseInfo, feature: str) -> bool:
    return any(feature in membership.condition for membership in case.profiles)


async def _run_in_parallel(features: tuple[str, ...], lanes: int = 6) -> list[RunResult]:
    """Every case, dealt in turn to ``lanes`` stations that each have a listener of their own
    and run at once (a case waits on its station's clock far more than it computes); the
    cases of the features of :data:`ON_ANOTHER_STATION` on one more each, which has it."""
    catalog = cases_of(V201, UnderTest.STATION)
    ids = [case.id for case in catalog]
    dealt = [ids[lane::lanes] for lane in range(lanes)]
    return list(
        await asyncio.gather(
            *(
                run_against(new_station(), share, features=features, password=PASSWORD)
                for share in dealt
            ),
            *(
                run_against(
                    make(),
                    [case.id for case in catalog if _needs(case, feature)],
                    features=(*features, feature),
                )
                for feature, make in ON_ANOTHER_STATION
            ),
        )
    )


OVER_WS = (
    Verdict.NOT_APPLICABLE,
    Verdict.NOT_APPLICABLE,
    "not applicable: the suite listens on ws://: the case needs --tls-cert and --tls-key"
    " (security profile 2 or 3)",
)
NOT_PASSED = {
    # On ws://: the TLS cases run in labs of their own (test_station_suite_tls.py).
    "TC_A_04_CS": OVER_WS,
    "TC_A_05_CS": OVER_WS,
    "TC_A_07_CS": OVER_WS,
    "TC_A_19_CS": OVER_WS,
}
"""The cases of the station's own configuration that do not pass, and why."""


async def test_chargeyard_s_201_station_passes_every_case_that_applies_to_it() -> None:
    runs = await _run_in_parallel(FEATURES)
    ran = {result.info.id for run in runs for result in run.results if result.ran}
    assert ran <= set(WRITTEN)
    assert {key: value for run in runs for key, value in _not_passed(run).items()} == NOT_PASSED
    assert not any(run.failed for run in runs)
    # Every case's details but a passing case's frames and checks are in the page, which
    # stays small enough to open at once and to keep as a CI artifact.
    assert len(html_page(_as_one(runs)).encode()) < 500_000


@pytest.mark.timeout(600)
async def test_every_case_in_a_row_on_one_station_gets_the_verdicts_of_parallel_lanes() -> None:
    """What a case leaves on the station (a certificate the suite signed, A02) and what
    another case needs it without (A05.FR.03) do not change a verdict: each case states its
    precondition (``conformance/station_under_test/preconditions.py``)."""
    run = await run_against(new_station(), features=FEATURES, password=PASSWORD)
    assert _not_passed(run) == NOT_PASSED


def _as_one(runs: list[RunResult]) -> RunResult:
    """The lanes' runs as one run of the whole catalog (a case run in any lane once)."""
    first = runs[0]
    results = {result.info.id: result for run in runs for result in run.results if result.ran}
    for run in runs:
        for result in run.results:
            results.setdefault(result.info.id, result)
    whole = RunResult(first.under_test, first.target, first.version, first.started)
    whole.results = [results[case.id] for case in cases_of(V201, UnderTest.STATION)]
    return whole


class _StaysPut(StationV201):
    """A station that keeps every network connection profile it is given but always dials
    the connection it was started with: it never migrates (B10)."""

    def endpoint(self) -> Endpoint | None:
        return None


async def test_a_station_that_does_not_migrate_fails_the_b10_cases_with_the_reason() -> None:
    station = _StaysPut(
        IDENTITY, without_clock_aligned_readings(SOCKET), clock=SystemClock(), call_timeout=1.0
    )
    station.reboot_delay_s = 0.2
    run = await run_against(station, ["TC_B_45_CS", "TC_B_46_CS"], features=FEATURES)
    failed = {
        result.info.id: [
            check.rule for step in result.steps for check in step.checks if not check.passed
        ]
        for result in run.results
    }
    assert failed == {
        "TC_B_45_CS": [
            "after the reset the station connects with the first entry of the priority (B10.FR.04)",
            "ActiveNetworkProfile names the slot it connected with",
        ],
        "TC_B_46_CS": [
            "the station tries the new profile first, NetworkProfileConnectionAttempts times,"
            " before the next entry (B10.FR.03, B10.FR.04)",
        ],
    }
    assert all(result.conformance is Verdict.FAIL for result in run.results)
