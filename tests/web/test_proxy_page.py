"""The recording proxy's page (``proxy/page.html``) in a browser: the charger relayed is listed,
its frames arrive live, a CALL sent from the form is answered on the page and never reaches the
upstream, and a hold set from the form is listed and released.

The proxy, its API, a scripted upstream and a 1.6 charger run on an event loop in a background
thread (``proxy_thread.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from playwright.sync_api import Page, expect

from tests.web.proxy_thread import ProxyInAThread

pytestmark = pytest.mark.slow

HEARTBEAT = '[2,"h1","Heartbeat",{}]'


@pytest.fixture
def proxied(tmp_path: Path) -> Iterator[ProxyInAThread]:
    with ProxyInAThread(tmp_path / "traces") as running:
        yield running


def test_the_page_shows_the_charger_its_frames_live_a_call_and_a_hold(
    page: Page, proxied: ProxyInAThread
) -> None:
    charger, upstream = proxied.charger, proxied.upstream
    assert charger is not None
    assert upstream is not None
    page.goto(proxied.url)
    page.get_by_role("button", name="CP-1 (ocpp1.6)").click()
    expect(page.locator("#status")).to_have_text("live")

    proxied.run(charger.send(HEARTBEAT))
    expect(page.locator("#frames tr").first).to_contain_text('"Heartbeat"')

    page.locator("#call-form input[name=action]").fill("GetConfiguration")
    page.locator("#call-form textarea").fill('{"key": ["HeartbeatInterval"]}')
    page.locator("#call-form button").click()

    async def answer_the_call() -> None:
        call = orjson.loads(await charger.recv())
        await charger.send(f'[3,"{call[1]}",{{"unknownKey":["HeartbeatInterval"]}}]')

    proxied.run(answer_the_call())
    expect(page.locator("#call-answer")).to_contain_text('"unknownKey"')
    expect(page.locator("#frames")).to_contain_text("proxy_injected")

    page.locator("#hold-form input[name=action]").fill("MeterValues")
    page.locator("#hold-form select").select_option("drop")
    page.locator("#hold-form button").click()
    expect(page.locator("#holds")).to_contain_text("MeterValues: drop, until released")
    page.locator("#holds button").click()
    expect(page.locator("#holds li")).to_have_count(0)
    assert upstream.received == [HEARTBEAT]  # the injected CALL's answer stayed at the proxy
