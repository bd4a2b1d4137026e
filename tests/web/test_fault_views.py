"""Faults on the dashboard, in a real browser against ``chargeyard up`` (``up_lab``): a badge
on a charger whose station has faults applied (``POST /ocpp/chaos``), on its card in the fleet
and on its own view, and the frame log's marks of what a network fault did to a frame."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.web.gateway_pages import LIVE_MS, card, open_dashboard
from tests.web.up_lab import UpLab

pytestmark = pytest.mark.slow


def test_a_charger_with_faults_has_a_badge_and_its_frames_their_marks(
    page: Page, up_lab: UpLab
) -> None:
    charger = up_lab.chargers_by_identity()["DEMO-05"]
    faults = [
        {"kind": "duplicate_frames", "share": 1.0, "actions": ["StatusNotification"]},
        {"kind": "clock", "offset_s": -300, "for_s": 3600},
    ]
    up_lab.gateway(
        "POST",
        "/chaos",
        json={"target": {"charger_id": charger["id"]}, "seed": 1, "faults": faults},
    )

    errors = open_dashboard(page, up_lab, "#/fleet")
    badge = card(page, "DEMO-05").locator(".badge.faults")
    expect(badge).to_have_text("2 faults", timeout=LIVE_MS)
    expect(badge).to_have_attribute("title", "Faults applied: duplicate_frames, clock")
    expect(card(page, "DEMO-04").locator(".badge.faults")).to_have_count(0)

    page.goto(f"{up_lab.url}#/sim/{charger['id']}")
    expect(page.locator(".charger-title .badge.faults")).to_have_text("2 faults", timeout=LIVE_MS)
    up_lab.command("plug-connector", charger["id"], {"evse_id": 1, "connector_id": 1})
    marked = page.locator('.frame[data-action="StatusNotification"][data-fault="frame_duplicated"]')
    expect(marked.first).to_be_attached(timeout=LIVE_MS)
    expect(marked.first.locator(".fault-mark")).to_have_text("duplicated")
    expect(page.locator('.frame[data-fault=""]').first).to_be_attached()  # the others: no mark

    up_lab.gateway("DELETE", "/chaos", params={"charger_id": charger["id"]})
    up_lab.command("unplug-connector", charger["id"], {"evse_id": 1, "connector_id": 1})
    page.reload()
    expect(page.locator(".charger-title h1")).to_have_text("DEMO-05", timeout=LIVE_MS)
    expect(page.locator(".charger-title .badge.faults")).to_have_count(0)
    assert errors == []
