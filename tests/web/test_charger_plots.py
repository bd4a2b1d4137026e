"""The charger page's plots in a real browser, against a running CSMS and API (``live_lab``):
one plot per running transaction, drawn at the size of the page's text on a phone, and when
the next meter values are due read from what the central system stored, the station asked
only when the user presses the button."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from chargeyard.protocol import V16, V201, VersionSpec
from chargeyard.station.model.ev import LARGE_CAR
from tests.web.live_lab import LiveLab
from tests.web.test_browser import LIVE_MS, open_dashboard

pytestmark = pytest.mark.slow

INTERVAL_CALLS = ("GetConfiguration", "GetReport", "GetVariables", "GetBaseReport")


def charging(
    lab: LiveLab, identity: str, version: VersionSpec, evses: tuple[int, ...] = (1,)
) -> None:
    """A station of ``version`` (two EVSEs: ABB Terra 184) charging on ``evses``."""
    lab.station(identity, version=version, new_id=lambda: str(uuid.uuid4()))
    for evse in evses:
        lab.act(identity, lambda s, evse=evse: s.plug(evse, 1, ev=LARGE_CAR))
        lab.act(identity, lambda s, evse=evse: s.present_id_token(f"TAG-{identity}-{evse}", evse))


def calls_sent(lab: LiveLab, identity: str) -> list[str]:
    """The actions of every call the API sent the charger (its command history)."""
    answer = httpx.get(
        f"{lab.base}/api/v1/chargers/{identity}/commands",
        params={"limit": 100},
        headers={"X-API-Key": lab.api_key},
    )
    assert answer.status_code == 200, answer.text
    return [entry["action"] for entry in answer.json()["data"]]


def frames_sent(lab: LiveLab, identity: str) -> list[str]:
    """The actions of the calls the central system sent the charger (its frame log)."""
    answer = httpx.get(
        f"{lab.base}/api/v1/chargers/{identity}/frames",
        params={"limit": 500},
        headers={"X-API-Key": lab.api_key},
    )
    frames: list[dict[str, Any]] = answer.json()["frames"]
    return [f["action"] for f in frames if f["direction"] == "outgoing" and '[2,"' in f["message"]]


@pytest.mark.parametrize(
    ("identity", "version", "key"),
    [
        ("ASK-16", V16, "MeterValueSampleInterval"),
        ("ASK-201", V201, r"SampledDataCtrlr\.TxUpdatedInterval"),
    ],
)
def test_opening_a_charger_sends_it_nothing_and_the_button_asks(
    page: Page, live_lab: LiveLab, identity: str, version: VersionSpec, key: str
) -> None:
    charging(live_lab, identity, version)
    open_dashboard(page, live_lab, f"#/charger/{identity}")

    note = page.locator(".plot-block .plot-note")
    expect(note).to_contain_text("is not known", timeout=LIVE_MS)
    assert not set(calls_sent(live_lab, identity)) & set(INTERVAL_CALLS)
    assert not set(frames_sent(live_lab, identity)) & set(INTERVAL_CALLS)

    page.get_by_role("button", name="Ask the station").click()
    expect(note).to_have_text(
        re.compile(rf"^next meter values due .* \(every \d+ s, {key}\)$"), timeout=LIVE_MS
    )
    expect(page.get_by_role("button", name="Ask the station")).to_be_hidden()
    asked = calls_sent(live_lab, identity)
    assert len([action for action in asked if action in INTERVAL_CALLS]) == 1, asked

    # Opened again, the page reads the answer the central system stored: nothing is sent.
    page.reload()
    expect(note).to_have_text(
        re.compile(rf"^next meter values due .* \(every \d+ s, {key}\)$"), timeout=LIVE_MS
    )
    assert calls_sent(live_lab, identity) == asked


def test_each_evse_charging_has_its_own_plot(page: Page, live_lab: LiveLab) -> None:
    charging(live_lab, "TWO-EVSE", V201, evses=(1, 2))
    open_dashboard(page, live_lab, "#/charger/TWO-EVSE")

    blocks = page.locator(".plot-panel .plot-block")
    expect(blocks).to_have_count(2, timeout=LIVE_MS)
    assert [blocks.nth(i).get_attribute("data-place") for i in range(2)] == ["1/1", "2/1"]
    expect(page.locator(".plot-panel h2")).to_have_text("2 transactions running")
    for i in range(2):
        expect(blocks.nth(i).locator(".plot-title")).to_contain_text(f"{i + 1}/1 · #")
        expect(blocks.nth(i).locator(".plot .energy-line")).to_have_count(1, timeout=LIVE_MS)


@pytest.mark.parametrize("width", [390, 1280])
def test_the_plots_labels_are_the_size_of_the_text(
    browser: Browser, browser_context_args: dict[str, Any], live_lab: LiveLab, width: int
) -> None:
    identity = f"LABELS-{width}"
    charging(live_lab, identity, V16)
    context = browser.new_context(
        **{**browser_context_args, "viewport": {"width": width, "height": 844}}
    )
    try:
        page = context.new_page()
        open_dashboard(page, live_lab, f"#/charger/{identity}")
        labels = page.locator(".plot-block .plot text")
        expect(labels.first).to_be_visible(timeout=LIVE_MS)
        # An 11 px label is about 13 px tall on the screen; the SVG shrunk whole to a phone's
        # width made it about 6. (Measured once the plot is laid out: a plot drawn again as
        # its first meter values arrive has, for a frame, labels not yet laid out.)
        # (Read in the same evaluation that finds them laid out: a plot drawn again between
        # two evaluations measures 0 for that frame.)
        laid_out = page.wait_for_function(
            """() => {
                const texts = [...document.querySelectorAll(".plot-block .plot text")];
                const heights = texts.map((t) => t.getBoundingClientRect().height);
                return heights.length > 0 && heights.every((h) => h > 0) ? heights : null;
            }""",
            timeout=LIVE_MS,
        )
        heights: list[float] = laid_out.json_value()
        assert min(heights) >= 10, heights
        # Resized, the plot is drawn again at its new width: the labels keep their size.
        page.set_viewport_size({"width": width // 2 + 200, "height": 844})
        page.wait_for_function(
            """() => {
                const svg = document.querySelector(".plot-block .plot");
                return Math.abs(svg.viewBox.baseVal.width - svg.getBoundingClientRect().width) < 1;
            }""",
            timeout=LIVE_MS,
        )
    finally:
        context.close()
