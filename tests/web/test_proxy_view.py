"""The dashboard's Proxy view in a browser: a recording proxy relayed by the lab (``--proxy-api``)
shows its charger, whose frames arrive live in the dashboard's frame log (filtered by action,
its trace downloaded), its holds set and released from the view, and a clear message once the
proxy stops answering.

The proxy and its charger run on a loop of their own (``proxy_thread.py``), the lab on another
(``live_lab.py``); the browser reaches the proxy only through the lab."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.web.gateway_pages import LIVE_MS
from tests.web.live_lab import LiveLab
from tests.web.proxy_thread import ProxyInAThread

pytestmark = pytest.mark.slow

HEARTBEAT = '[2,"h1","Heartbeat",{}]'
HEARTBEAT_ANSWER = '[3,"h1",{"currentTime":"2026-01-01T10:00:00Z"}]'


def test_a_relayed_chargers_frames_appear_live_in_the_proxy_view(
    page: Page, tmp_path: Path
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    with ProxyInAThread(tmp_path / "traces", upstream_answer=HEARTBEAT_ANSWER) as proxied:
        (tmp_path / "lab").mkdir()
        lab = LiveLab(tmp_path / "lab", proxy_api=proxied.url).open()
        try:
            page.goto(lab.sign_in_url)
            page.get_by_role("link", name="Proxy").click()
            page.get_by_role("button", name="CP-1 (ocpp1.6)").click()
            frames = page.locator(".frame-log .frame")
            expect(page.locator(".frame-log")).to_contain_text("No frames yet.", timeout=LIVE_MS)

            assert proxied.charger is not None
            proxied.run(proxied.charger.send(HEARTBEAT))
            # The CALL and its answer, newest first, the answer named by its CALL's action.
            expect(frames).to_have_count(2, timeout=LIVE_MS)
            expect(frames.locator(".dir")).to_have_text(["CSMS → CP", "CP → CSMS"])
            expect(frames.locator(".type")).to_have_text(["RESULT", "CALL"])
            expect(frames.locator(".action")).to_have_text(["Heartbeat", "Heartbeat"])
            with page.expect_download() as download:
                page.get_by_role("button", name="Download trace").click()
            saved = download.value
            assert saved.suggested_filename.startswith("CP-1-")
            assert saved.suggested_filename.endswith(".trace.jsonl")
            header, call, answer = Path(saved.path()).read_text().splitlines()
            assert '"source":"proxy"' in header.replace(" ", "")
            assert '"Heartbeat"' in call
            assert '"currentTime"' in answer
            search = page.locator(".frame-log input[type=search]")
            search.fill("StatusNotification")
            search.press("Enter")
            expect(frames).to_have_count(0)

            page.locator(".proxy-hold-form input[name=action]").fill("MeterValues")
            page.locator(".proxy-hold-form select").select_option("drop")
            page.locator(".proxy-hold-form button").click()
            holds = page.locator(".proxy-holds li")
            expect(holds).to_have_text(["MeterValues: drop, until released Release"])
            holds.get_by_role("button", name="Release").click()
            expect(holds).to_have_count(0)

            proxied.stop()  # the proxy gone: the view says so, where the chargers were
            expect(page.locator(".proxy-notice")).to_contain_text(
                "The proxy cannot be reached (502)", timeout=LIVE_MS
            )
        finally:
            lab.close()
    assert errors == []
