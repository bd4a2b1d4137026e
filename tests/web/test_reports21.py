"""The charger page's OCPP 2.1 panel (web/js/views/reports21.js): what it makes of the
notifications the central system keeps of a 2.1 station's reports (csms/v21/*.py), run in
Node without a browser (which event streams are open and their latest value, the latest
priority charging change, the payments, battery swaps and dynamic schedule pulls); and, in a
browser against a running lab, that a 2.1 charger's page shows it, filled as the station
reports, and a 2.0.1 charger's does not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from chargeyard.protocol import V21, V201
from tests.web.gateway_pages import LIVE_MS
from tests.web.live_lab import LiveLab
from tests.web.node_script import run_node
from tests.web.test_browser import open_dashboard

pytestmark = pytest.mark.slow

REPORTS21_JS = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "chargeyard"
    / "web"
    / "js"
    / "views"
    / "reports21.js"
)

SCRIPT = """
const { summarize21 } = await import(process.argv[1]);
console.log(JSON.stringify(summarize21(JSON.parse(process.argv[2]))));
"""


def _row(kind: str, action: str, status: str, at: str, detail: object = None, **more: object):
    return {
        "kind": kind,
        "action": action,
        "status": status,
        "requestId": more.get("requestId"),
        "evseId": more.get("evseId"),
        "detail": None if detail is None else json.dumps(detail),
        "at": at,
    }


# As the central system keeps them (csms/v21/*.py), in no particular order.
ROWS = [
    _row(
        "event_stream",
        "OpenPeriodicEventStream",
        "stream 1",
        "2026-11-26T10:00:00Z",
        {"id": 1, "variableMonitoringId": 4, "params": {"interval": 60}},
    ),
    _row(
        "event_stream",
        "NotifyPeriodicEventStream",
        "stream 1",
        "2026-11-26T10:01:00Z",
        {
            "pending": 2,
            "basetime": "2026-11-26T10:01:00Z",
            "data": [{"t": 0, "v": "230.1"}, {"t": 30, "v": "229.8"}],
        },
    ),
    _row(
        "event_stream",
        "OpenPeriodicEventStream",
        "stream 2",
        "2026-11-26T09:00:00Z",
        {"id": 2, "variableMonitoringId": 5, "params": {}},
    ),
    _row("event_stream", "ClosePeriodicEventStream", "stream 2", "2026-11-26T09:30:00Z"),
    _row(
        "priority",
        "NotifyPriorityCharging",
        "activated",
        "2026-11-26T10:02:00Z",
        {"transactionId": "TX-1"},
    ),
    _row(
        "priority",
        "NotifyPriorityCharging",
        "deactivated",
        "2026-11-26T10:05:00Z",
        {"transactionId": "TX-1"},
    ),
    _row(
        "payment",
        "NotifySettlement",
        "Settled",
        "2026-11-26T10:06:00Z",
        {"pspRef": "PSP-9", "settlementAmount": 12.5, "transactionId": "TX-1"},
    ),
    _row(
        "payment", "VatNumberValidation", "Rejected", "2026-11-26T10:07:00Z", {"vatNumber": "XX1"}
    ),
    _row(
        "battery_swap",
        "BatterySwap",
        "BatteryIn",
        "2026-11-26T10:08:00Z",
        {"batteryData": [{"evseId": 2, "serialNumber": "B-7", "soC": 95, "soH": 98}]},
        requestId=3,
    ),
    _row(
        "dynamic_schedule",
        "PullDynamicScheduleUpdate",
        "Rejected",
        "2026-11-26T10:09:00Z",
        {
            "status": "Rejected",
            "statusInfo": {
                "reasonCode": "NotFound",
                "additionalInfo": "no charging profile 8 was set by this central system",
            },
        },
        requestId=8,
    ),
]


def test_the_panel_tells_each_2_1_report_kind_newest_first() -> None:
    printed = run_node(SCRIPT, REPORTS21_JS.as_uri(), json.dumps(ROWS))
    assert json.loads(printed) == {
        "streams": [
            {
                "name": "stream 1",
                "open": True,
                "monitor": 4,
                "interval": 60,
                # The last value is at basetime + its t.
                "latest": {
                    "at": "2026-11-26T10:01:30.000Z",
                    "value": "229.8",
                    "pending": 2,
                    "count": 2,
                },
                "at": "2026-11-26T10:01:00Z",
            },
            {
                "name": "stream 2",
                "open": False,
                "monitor": 5,
                "interval": None,
                "latest": None,
                "at": "2026-11-26T09:30:00Z",
            },
        ],
        "priority": {"state": "deactivated", "transactionId": "TX-1", "at": "2026-11-26T10:05:00Z"},
        "payments": [
            {
                "action": "VatNumberValidation",
                "status": "Rejected",
                "at": "2026-11-26T10:07:00Z",
                "what": "VAT number XX1",
            },
            {
                "action": "NotifySettlement",
                "status": "Settled",
                "at": "2026-11-26T10:06:00Z",
                "what": "12.5 settled · PSP reference PSP-9 · transaction TX-1",
            },
        ],
        "swaps": [
            {
                "event": "BatteryIn",
                "requestId": 3,
                "batteries": ["B-7 in slot 2, 95% charged"],
                "at": "2026-11-26T10:08:00Z",
            },
        ],
        "pulls": [
            {
                "profileId": 8,
                "status": "Rejected",
                "why": "no charging profile 8 was set by this central system",
                "at": "2026-11-26T10:09:00Z",
            },
        ],
    }


def test_a_2_1_charger_s_page_shows_its_2_1_reports_live_and_a_2_0_1_charger_s_none(
    page: Page, live_lab: LiveLab
) -> None:
    live_lab.station("PANEL-21", version=V21)
    live_lab.station("PANEL-201", version=V201)
    open_dashboard(page, live_lab, "#/charger/PANEL-21")
    panel = page.locator("section.reports21")
    expect(panel).to_be_visible(timeout=LIVE_MS)
    expect(panel.locator("[data-part='Priority charging']")).to_contain_text(
        "Never activated.", timeout=LIVE_MS
    )
    # What the station reports after the page opened shows as it comes (the live stream).
    live_lab.act(
        "PANEL-21",
        lambda station: station.call(
            "NotifyPriorityCharging", {"transactionId": "TX-PANEL", "activated": True}
        ),
    )
    expect(panel.locator("[data-part='Priority charging']")).to_contain_text(
        "activated for transaction TX-PANEL", timeout=LIVE_MS
    )
    open_dashboard(page, live_lab, "#/charger/PANEL-201")
    expect(page.locator(".charger-title h1")).to_have_text("PANEL-201", timeout=LIVE_MS)
    expect(page.locator("section.reports21")).to_be_hidden()
