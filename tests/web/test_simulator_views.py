"""A simulated charger's page of the dashboard in a real browser, against ``chargeyard up``
as a user starts it (``up_lab``): a whole session from its buttons, the Simulator controls
panel acting and reading back, its errors in plain words, its frame log downloaded as a trace.

Each test acts on chargers of its own.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.web.gateway_pages import LIVE_MS, card, connector_row, open_dashboard, station_frame
from tests.web.up_lab import UpLab

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("identity", "connector", "charging", "start_action", "started"),
    [
        ("DEMO-01", "1", "Charging", "StartTransaction", '"idTag": "PROOF-TAG"'),
        # 2.0.1: the connector is Occupied; the chip says Charging, the transaction's state.
        ("DEMO-02", "1/1", "Occupied", "TransactionEvent", '"eventType": "Started"'),
    ],
    ids=["ocpp1.6", "ocpp2.0.1"],
)
def test_plug_and_start_a_session_from_the_buttons(
    page: Page,
    up_lab: UpLab,
    identity: str,
    connector: str,
    charging: str,
    start_action: str,
    started: str,
) -> None:
    """From the simulated charger's buttons, a whole session."""
    charger = up_lab.chargers_by_identity()[identity]
    up_lab.sample_every_second(charger)
    errors = open_dashboard(page, up_lab, "#/fleet")
    card(page, identity).locator("a.station-id").click()
    expect(page.locator(".charger-title h1")).to_have_text(identity, timeout=LIVE_MS)
    row = connector_row(page, connector)
    chip = row.locator(".chip")
    answer = page.locator(".commands-panel .answer")
    expect(chip).to_have_attribute("data-status", "Available", timeout=LIVE_MS)

    row.get_by_role("button", name="Plug", exact=True).click()
    expect(answer).to_have_attribute("data-outcome", "applied", timeout=LIVE_MS)
    expect(answer).to_contain_text("Plug")
    expect(answer).to_contain_text("done: the cable is plugged in")
    expect(chip).not_to_have_attribute("data-status", "Available", timeout=LIVE_MS)

    page.get_by_label("Id tag").fill("PROOF-TAG")
    row.get_by_role("button", name="Start session", exact=True).click()
    expect(answer).to_contain_text(
        "the session is under way with id tag PROOF-TAG", timeout=LIVE_MS
    )
    expect(chip).to_have_attribute("data-status", charging, timeout=LIVE_MS)
    expect(chip).to_have_attribute("data-shown", "Charging", timeout=LIVE_MS)
    expect(chip).to_have_class(re.compile(r"\bst-charging\b"))
    session = row.locator(".session-energy")
    if charging == "Occupied":  # 2.0.1: the connector is Occupied, the transaction Charging
        expect(session).to_have_attribute("data-charging-state", "Charging", timeout=LIVE_MS)
        expect(chip.locator(".chip-status")).to_have_text("Occupied")

    # The energy rises, live, in the connector's session and in the plot.
    expect(session).to_have_attribute("data-energy-wh", re.compile(r"^\d"), timeout=LIVE_MS)
    first = session.get_attribute("data-energy-wh")
    assert first is not None
    expect(session).not_to_have_attribute("data-energy-wh", first, timeout=LIVE_MS)
    assert float(session.get_attribute("data-energy-wh") or 0) > float(first)
    expect(page.locator(".plot-panel .plot .energy-line")).to_have_count(1, timeout=LIVE_MS)

    # The station's frames: its new status and the transaction's start, pretty-printed.
    status_key = '"status"' if charging == "Charging" else '"connectorStatus"'
    status = f'{status_key}: "{charging}"'
    expect(station_frame(page, "StatusNotification", status)).to_be_visible()
    expect(station_frame(page, start_action, started)).to_be_visible()

    row.get_by_role("button", name="Stop session", exact=True).click()
    stopped = "done: the session is stopped and the cable is out"
    expect(answer).to_contain_text(stopped, timeout=LIVE_MS)
    expect(chip).to_have_attribute("data-status", "Available", timeout=LIVE_MS)
    expect(row.locator(".session-energy")).to_have_count(0)
    assert errors == []


@pytest.mark.parametrize(
    ("identity", "version", "connector", "reset"),
    [("CONTROLS-16", "ocpp1.6", "1", "Hard"), ("CONTROLS-201", "ocpp2.0.1", "1/1", "Immediate")],
)
def test_the_simulator_controls_act_and_read_back(
    page: Page, up_lab: UpLab, identity: str, version: str, connector: str, reset: str
) -> None:
    """The simulated charger's Simulator controls panel: the EV chosen before the plug, its
    SoC, a jammed lock in the fault status, the local list changed and read back from the
    station's memory, a message sent now, and the reset button."""
    demo = up_lab.chargers_by_identity()["DEMO-01"]
    accepted = up_lab.gateway(
        "POST",
        "/chargers",
        json={
            "identity": identity,
            "brand_slug": "alfen",
            "model_slug": "eve-single-pro-line",
            "connector_type": "sType2",
            "ws_url": demo["ws_url"],
            "ocpp_version": version,
            "location_id": "loc-demo",
        },
    )
    errors = open_dashboard(page, up_lab, f"#/sim/{accepted['charger_id']}")
    row = connector_row(page, connector)
    expect(row.locator(".chip")).to_have_attribute("data-status", "Available", timeout=LIVE_MS)
    panel = page.locator(".sim-controls")
    answer = page.locator(".commands-panel .answer")

    def click(name: str, words: str) -> None:
        panel.get_by_role("button", name=name, exact=True).click()
        expect(answer).to_have_attribute("data-outcome", "applied", timeout=LIVE_MS)
        expect(answer).to_contain_text(words)

    panel.get_by_label("Model").select_option("phev-12")
    panel.get_by_label("SoC at arrival (%)").fill("35")
    click("Set EV", "done: the EV of the next session is chosen")
    row.get_by_role("button", name="Plug", exact=True).click()
    expect(answer).to_contain_text("done: the cable is plugged in", timeout=LIVE_MS)
    click("EV state", "done: the EV's state is read")
    expect(answer.locator("pre")).to_contain_text('"model": "phev-12"')
    expect(answer.locator("pre")).to_contain_text('"soc": 35,')
    panel.get_by_label("SoC now (%)").fill("90")
    click("Update SoC", "done: the EV's state of charge changed")
    expect(answer.locator("pre")).to_contain_text('"soc": 90,')

    click("Jam lock", "done: the lock is jammed or freed as asked")
    click("Fault status", "done: the faults are read")
    expect(answer.locator("pre")).to_contain_text('"lock_jammed": true')

    panel.get_by_label("Entry tag").fill("PANEL-TAG")
    panel.get_by_label("Entry status").select_option("Blocked")
    click("Add entry", "done: the local list entry is in")
    click("Local list", "done: the local list is read")
    expect(answer.locator("pre")).to_contain_text('"id_tag": "PANEL-TAG"')
    expect(answer.locator("pre")).to_contain_text('"status": "Blocked"')

    panel.get_by_label("Message").select_option("Heartbeat")
    click("Send message", "done: the message was sent")
    expect(station_frame(page, "Heartbeat", "{}")).to_be_attached()

    panel.get_by_label("Reset").select_option(reset)
    click("Reboot", "done: the station restarts")
    expect(page.locator(".charger-title")).to_have_attribute(
        "data-online", "false", timeout=LIVE_MS
    )
    expect(page.locator(".charger-title")).to_have_attribute("data-online", "true", timeout=LIVE_MS)
    assert errors == []


def test_gateway_errors_read_in_plain_words(page: Page, up_lab: UpLab) -> None:
    open_dashboard(page, up_lab, "#/sim/dep-nowhere")
    expect(page.locator(".charger-head .notice.error")).to_contain_text(
        re.compile(r"Not found \(404\): .*dep-nowhere"), timeout=LIVE_MS
    )

    charger = up_lab.chargers_by_identity()["DEMO-03"]
    page.goto(f"{up_lab.url}#/sim/{charger['id']}")
    row = connector_row(page, "1")
    answer = page.locator(".commands-panel .answer")
    expect(row.locator(".chip")).to_have_attribute("data-status", "Available", timeout=LIVE_MS)

    # The gateway refuses it for this charger (a 202 with the reason in `failed`).
    row.get_by_role("button", name="Clear fault", exact=True).click()
    expect(answer).to_have_attribute("data-kind", "error", timeout=LIVE_MS)
    expect(answer).to_contain_text(
        "Clear fault (connector 1): not sent: the connector is not Faulted"
    )

    # An invalid body (422) names the field and what is wrong.
    page.get_by_label("Duration (s)").fill("-5")
    row.get_by_role("button", name="Start session", exact=True).click()
    expect(answer).to_contain_text(
        re.compile(
            r"Start session .* failed: The request is not valid \(422\): "
            r"event\.duration_seconds: .*greater than 0"
        ),
        timeout=LIVE_MS,
    )

    # A wrong token: the fleet says so (401), instead of an empty site.
    page.evaluate("localStorage.setItem('chargeyard.token', 'not-a-token')")
    page.goto(f"{up_lab.url}#/fleet")
    page.reload()
    expect(page.locator(".fleet-body .notice.error")).to_contain_text(
        "Not signed in: the API key or token is missing or wrong (401)", timeout=LIVE_MS
    )


def test_a_simulated_charger_s_frame_log_downloads_as_a_trace(page: Page, up_lab: UpLab) -> None:
    charger = up_lab.chargers_by_identity()["DEMO-03"]
    errors = open_dashboard(page, up_lab, f"#/sim/{charger['id']}")
    expect(page.locator(".frame-log .frame").first).to_be_attached(timeout=LIVE_MS)
    with page.expect_download() as downloading:
        page.locator(".frame-log button.frames-download").click()
    download = downloading.value
    assert download.suggested_filename == "DEMO-03.trace.jsonl"
    header, *frames = Path(download.path()).read_text().splitlines()
    assert json.loads(header)["identity"] == "DEMO-03"
    assert json.loads(frames[0])["frame"][2] == "BootNotification"
    expect(page.locator(".frame-log .frames-status")).to_contain_text("trace saved")
    assert errors == []
