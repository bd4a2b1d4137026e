"""The dashboard in a real browser (Debian's chromium, through Playwright) against a running
CSMS and API (``live_lab``): stations are driven from the station side, as a person at the
station would, and the dashboard must follow live, without a reload.

The gateway's views, against ``chargeyard up``, are in test_gateway_views.py (the fleet, the
screenshots) and test_simulator_views.py (a simulated charger, a whole session driven from
its buttons); the charger page's command forms in test_command_forms.py.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from chargeyard.protocol import V16, V201, VersionSpec
from chargeyard.station.model.ev import LARGE_CAR
from tests.web.gateway_pages import LIVE_MS
from tests.web.layout import cut_cells, cut_off, wrapped_times
from tests.web.live_lab import LiveLab

pytestmark = pytest.mark.slow

CLICK_ATTEMPTS = 3
DASH = "\N{EN DASH}"


def sign_in(page: Page, lab: LiveLab) -> None:
    """Open the lab's sign-in link, as a user who clicks the one the terminal shows."""
    page.goto(lab.sign_in_url)
    expect(page.locator("#live")).to_have_text("live", timeout=LIVE_MS)


def expect_presence(card: Locator, lab: LiveLab, identity: str, *, online: bool) -> None:
    """``card`` shows ``identity`` online (or offline) within LIVE_MS; if not, the failure says
    what the lab knows of it, telling a change the CSMS never made from one the dashboard
    missed."""
    try:
        expect(card).to_have_attribute("data-online", str(online).lower(), timeout=LIVE_MS)
    except AssertionError as failure:
        raise AssertionError(f"{failure}\n{lab.diagnosis(identity)}") from None


def open_dashboard(page: Page, lab: LiveLab, view: str = "#/central") -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    if not page.url.startswith(lab.base):  # a fresh browser: sign it in first
        sign_in(page, lab)
    page.goto(lab.url + view)
    expect(page.locator("#live")).to_have_text("live", timeout=LIVE_MS)
    assert errors == []


def station_card(page: Page, identity: str):  # type: ignore[no-untyped-def]
    return page.locator(f'article.station[data-station="{identity}"]')


def choose_station(page: Page, identity: str) -> None:
    """Click ``identity``'s card, as a user does, until the command panel has it. The list
    keeps online stations first: another station coming or going (an earlier test's) re-sorts
    it, and a click in that moment lands on the card that moved under the pointer, for a user
    too, who then clicks again."""
    picker = page.locator(".commands-panel").get_by_label("Charger to command")
    for attempt in range(1, CLICK_ATTEMPTS + 1):
        station_card(page, identity).locator(".meta").click()
        last = attempt == CLICK_ATTEMPTS
        try:
            expect(picker).to_have_value(identity, timeout=None if last else 1_000)
            return
        except AssertionError:
            if last:
                raise


def chip(page: Page, identity: str, connector: int):  # type: ignore[no-untyped-def]
    return station_card(page, identity).locator(f'.chip[data-connector="{connector}"]')


def test_the_sign_in_link_signs_one_browser_in(page: Page, live_lab: LiveLab) -> None:
    link = live_lab.sign_in_url
    page.goto(link)

    expect(page.locator("#live")).to_have_text("live", timeout=LIVE_MS)
    assert page.url == f"{live_lab.url}#/central"  # the secret left the address bar
    assert page.evaluate("localStorage.getItem('chargeyard.apiKey')") == live_lab.api_key
    page.click("#open-settings")
    expect(page.locator("dialog input[name=apiKey]")).to_have_value(live_lab.api_key)
    expect(page.locator("dialog input[name=token]")).to_have_value(live_lab.token)
    page.click("dialog button:text('Cancel')")

    # Signed in, it keeps working from its storage: a reload needs no link.
    page.reload()
    expect(page.locator("#live")).to_have_text("live", timeout=LIVE_MS)
    assert live_lab.sign_in_url != link  # the next browser gets the next link


def test_a_used_link_signs_nobody_in(page: Page, live_lab: LiveLab) -> None:
    link = live_lab.sign_in_url
    assert httpx.post(f"{live_lab.url}sign-in", json={"secret": link.split("=")[1]}).is_success

    page.goto(link)

    banner = page.locator("#banner")
    expect(banner).to_contain_text(
        "The sign-in link did not work (403): the sign-in link is not valid: it was used"
        " already, or it is from an earlier start",
        timeout=LIVE_MS,
    )
    expect(page.locator("#live")).to_have_text("offline")
    assert page.evaluate("localStorage.getItem('chargeyard.apiKey')") is None
    assert "signin" not in page.url


def test_without_the_link_the_page_says_how_to_sign_in(page: Page, live_lab: LiveLab) -> None:
    page.goto(live_lab.url)

    expect(page.locator("#banner")).to_contain_text(
        "Not signed in: open the sign-in link chargeyard up printed (…/dashboard/#signin=…),"
        " or paste an API key in Settings."
    )
    expect(page.locator("#live")).to_have_text("offline")

    # A link pasted into the open tab signs it in (only the fragment changes: no reload).
    page.evaluate(f"location.hash = {live_lab.sign_in_url.split('#')[1]!r}")
    expect(page.locator("#live")).to_have_text("live", timeout=LIVE_MS)
    expect(page.locator("#banner")).to_be_hidden()


def test_not_signed_in_the_stations_card_says_what_it_needs(page: Page, live_lab: LiveLab) -> None:
    """Without an API key nothing loads: the card says so instead of "Loading…" for ever."""
    page.goto(live_lab.url)

    expect(page.locator("#banner")).to_contain_text("Not signed in")
    empty = page.locator(".stations-panel .empty")
    expect(empty).to_have_text(
        "Not signed in: the stations show once the dashboard has an API key"
        " (the sign-in link, or Settings)."
    )

    page.evaluate(f"location.hash = {live_lab.sign_in_url.split('#')[1]!r}")
    expect(page.locator("#live")).to_have_text("live", timeout=LIVE_MS)
    expect(page.locator(".stations-panel")).not_to_contain_text("Not signed in")


def test_a_deployment_is_signed_in_by_typing_the_key(page: Page, bare_lab: LiveLab) -> None:
    page.goto(bare_lab.url)
    banner = page.locator("#banner")
    expect(banner).to_contain_text(
        "No API key yet: open Settings and paste one (chargeyard apikey create)."
    )

    banner.get_by_role("button", name="Settings").click()
    page.fill("dialog input[name=apiKey]", bare_lab.api_key)
    page.fill("dialog input[name=token]", bare_lab.token)
    page.click("dialog button[type=submit]")

    expect(page.locator("#live")).to_have_text("live", timeout=LIVE_MS)
    expect(banner).to_be_hidden()


def test_a_station_shows_up_live_with_its_connectors(page: Page, live_lab: LiveLab) -> None:
    open_dashboard(page, live_lab)
    expect(station_card(page, "LIVE-1")).to_have_count(0)

    live_lab.station("LIVE-1")

    card = station_card(page, "LIVE-1")
    expect_presence(card, live_lab, "LIVE-1", online=True)
    # What the boot reported comes a moment after the connection, as its own event.
    expect(card).to_contain_text("ABB Terra 184", timeout=LIVE_MS)
    expect(card).to_contain_text("OCPP 1.6")
    expect(chip(page, "LIVE-1", 1)).to_have_attribute("data-status", "Available", timeout=LIVE_MS)
    expect(chip(page, "LIVE-1", 1)).to_have_class(re.compile(r"\bst-available\b"))

    live_lab.disconnect("LIVE-1")

    expect_presence(card, live_lab, "LIVE-1", online=False)
    expect(chip(page, "LIVE-1", 1)).to_have_class(re.compile(r"\bst-offline\b"))


def test_connector_colour_follows_plug_charge_and_unplug(page: Page, live_lab: LiveLab) -> None:
    live_lab.station("PLUG-1")
    live_lab.act("PLUG-1", lambda s: s.config.change("MeterValueSampleInterval", "1"))
    open_dashboard(page, live_lab)
    connector = chip(page, "PLUG-1", 1)
    expect(connector).to_have_attribute("data-status", "Available", timeout=LIVE_MS)

    live_lab.act("PLUG-1", lambda s: s.plug(1, 1, ev=LARGE_CAR))
    expect(connector).to_have_attribute("data-status", "Preparing", timeout=LIVE_MS)
    expect(connector).to_have_class(re.compile(r"\bst-preparing\b"))

    live_lab.act("PLUG-1", lambda s: s.present_id_token("TAG-PLUG", 1))
    expect(connector).to_have_attribute("data-status", "Charging", timeout=LIVE_MS)
    expect(connector).to_have_class(re.compile(r"\bst-charging\b"))
    row = page.locator(".transactions-panel tbody tr", has_text="PLUG-1")
    expect(row).to_have_attribute("data-state", "active", timeout=LIVE_MS)
    # Energy delivered grows with each MeterValues (transaction.updated), without a reload.
    energy = row.locator("td.energy")
    expect(energy).to_have_text(re.compile(r"^\d+\.\d+ kWh$"), timeout=LIVE_MS)
    first = energy.inner_text()
    expect(energy).not_to_have_text(first, timeout=LIVE_MS)

    live_lab.act("PLUG-1", lambda s: s.unplug(1, 1))
    expect(connector).to_have_attribute("data-status", "Available", timeout=LIVE_MS)
    page.click(".transactions-panel button[data-tab=completed]")
    done = page.locator(".transactions-panel tbody tr", has_text="PLUG-1")
    expect(done).to_have_attribute("data-state", "completed", timeout=LIVE_MS)
    expect(done).to_contain_text("EVDisconnected")


@pytest.mark.parametrize(
    ("identity", "version", "measurands"),
    [
        ("STATE-16", V16, "Energy.Active.Import.Register,Power.Active.Import"),
        ("STATE-16E", V16, "Energy.Active.Import.Register"),  # no power sampled
        ("STATE-201", V201, None),
    ],
)
def test_a_charging_session_reads_the_same_in_both_versions(
    page: Page, live_lab: LiveLab, identity: str, version: VersionSpec, measurands: str | None
) -> None:
    """The State column says active or ended, then how it charges (a 1.6 connector's status,
    section 4.9; a 2.0.1 chargingState, E01-E07), and Power what the latest meter values
    tell, also on a page opened after they came."""
    live_lab.station(identity, version=version, new_id=lambda: str(uuid.uuid4()))
    if version is V16:
        live_lab.act(identity, lambda s: s.config.change("MeterValueSampleInterval", "1"))
        live_lab.act(identity, lambda s: s.config.change("MeterValuesSampledData", measurands))
    else:
        live_lab.act(
            identity,
            lambda s: s.device_model.write("SampledDataCtrlr", "TxUpdatedInterval", "1"),
        )
    live_lab.act(identity, lambda s: s.plug(1, 1, ev=LARGE_CAR))
    live_lab.act(identity, lambda s: s.present_id_token(f"TAG-{identity}", 1))
    # Two meter values stored before the page opens: it reads the power from the API.
    live_lab.run(lambda: _readings_stored(live_lab, identity, 2))

    open_dashboard(page, live_lab)

    row = page.locator(".transactions-panel tbody tr", has_text=identity)
    expect(row.locator("td.state")).to_have_text("active · Charging", timeout=LIVE_MS)
    expect(row.locator("td").nth(6)).to_have_text(re.compile(r"^\d+(\.\d+)? kW$"))


async def _readings_stored(lab: LiveLab, identity: str, count: int) -> None:
    async def stored() -> bool:
        assert lab.store is not None
        page = await lab.store.transactions.list(charge_box_id=identity, status="active")
        if not page:
            return False
        samples = await lab.store.transactions.samples(
            identity, page[0].transaction_id, measurand="Energy.Active.Import.Register"
        )
        return len({sample.sampled_at for sample in samples}) >= count

    deadline = asyncio.get_running_loop().time() + LIVE_MS / 1000
    while not await stored():
        assert asyncio.get_running_loop().time() < deadline, "no meter values stored"
        await asyncio.sleep(0.1)


def test_reset_from_the_command_panel_shows_the_station_answer(
    page: Page, live_lab: LiveLab
) -> None:
    live_lab.station("RESET-1")
    open_dashboard(page, live_lab)

    # Clicked once its card has settled (booted, online): a card that appears or changes
    # re-renders the list, and a click in that moment can land on its neighbour.
    card = station_card(page, "RESET-1")
    expect(card).to_have_attribute("data-online", "true", timeout=LIVE_MS)
    expect(card.locator(".meta")).not_to_have_text("not booted yet", timeout=LIVE_MS)
    choose_station(page, "RESET-1")
    panel = page.locator(".commands-panel")
    panel.locator("form[data-command=reset] select[name=type]").select_option("Soft")
    panel.locator("form[data-command=reset] button[type=submit]").click()

    answer = panel.locator(".answer")
    expect(answer).to_have_attribute("data-kind", "ok", timeout=LIVE_MS)
    expect(answer.locator(".answer-status")).to_have_text("accepted")  # the API's word
    expect(answer).to_contain_text("Reset")


def test_sent_commands_and_ended_sessions_read_whole(page: Page, live_lab: LiveLab) -> None:
    """Nothing is cut while the panel has room: a command's outcome and sender wrap in their
    columns, and an ended session says why ("ended · EVDisconnected") in its State column."""
    live_lab.station("WHOLE-1")
    live_lab.act("WHOLE-1", lambda s: s.plug(1, 1, ev=LARGE_CAR))
    live_lab.act("WHOLE-1", lambda s: s.present_id_token("TAG-WHOLE", 1))
    # The session runs before the reset below (which ends it), or there is none to read.
    open_dashboard(page, live_lab, "#/central")
    running = page.locator(".transactions-panel tbody tr", has_text="WHOLE-1")
    expect(running).to_have_attribute("data-state", "active", timeout=LIVE_MS)
    open_dashboard(page, live_lab, "#/charger/WHOLE-1")
    panel = page.locator(".commands-panel")
    panel.locator("form[data-command=reset] button[type=submit]").click()
    expect(panel.locator(".command-history tbody tr")).to_have_count(1, timeout=LIVE_MS)
    expect(panel.locator(".command-history tbody tr")).to_contain_text("Reset")
    assert cut_cells(page, ".command-history td") == []

    live_lab.act("WHOLE-1", lambda s: s.unplug(1, 1))
    open_dashboard(page, live_lab, "#/central")
    page.click(".transactions-panel button[data-tab=completed]")
    state = page.locator(".transactions-panel tbody tr", has_text="WHOLE-1").locator("td.state")
    expect(state.first).to_have_text(re.compile(r"^ended · \w+"), timeout=LIVE_MS)
    assert cut_cells(page, ".transactions-panel td") == []


def test_an_error_reads_in_plain_words(page: Page, live_lab: LiveLab) -> None:
    live_lab.station("GONE-1")
    live_lab.disconnect("GONE-1")
    open_dashboard(page, live_lab)

    choose_station(page, "GONE-1")
    panel = page.locator(".commands-panel")
    panel.locator("form[data-command=reset] button[type=submit]").click()

    answer = panel.locator(".answer")
    expect(answer).to_have_attribute("data-kind", "error", timeout=LIVE_MS)
    expect(answer).to_contain_text("The charger is not connected (503)")


def test_the_charger_page_lists_the_boot_notification_frames(page: Page, live_lab: LiveLab) -> None:
    live_lab.station("LOG-1")
    open_dashboard(page, live_lab, "#/charger/LOG-1")

    expect(page.locator(".charger-title h1")).to_have_text("LOG-1")
    boot = page.locator('.frame[data-action="BootNotification"]')
    expect(boot).to_have_count(2, timeout=LIVE_MS)  # the CALL and its answer
    expect(boot.locator('xpath=self::*[@data-direction="in"]')).to_have_count(1)
    boot.last.locator("summary").click()  # the oldest: the station's CALL
    expect(boot.last.locator("pre")).to_contain_text('"chargePointVendor": "ABB"')

    page.fill(".frame-log input[type=search]", "StatusNotification")
    page.press(".frame-log input[type=search]", "Enter")
    expect(page.locator('.frame[data-action="BootNotification"]')).to_have_count(0, timeout=LIVE_MS)
    expect(page.locator('.frame[data-action="StatusNotification"]').first).to_be_visible()


def test_a_2_0_1_connector_shows_what_the_driver_sees(page: Page, live_lab: LiveLab) -> None:
    """A 2.0.1 connector is only Occupied while a transaction runs (ConnectorStatusEnumType);
    the chip says what the driver sees, the transaction's chargingState (E01-E07), with the
    connector's status beside it."""
    live_lab.station("DRIVER-1", version=V201, new_id=lambda: str(uuid.uuid4()))
    open_dashboard(page, live_lab)
    connector = chip(page, "DRIVER-1", "1/1")
    expect(connector).to_have_attribute("data-status", "Available", timeout=LIVE_MS)

    # Plugged, no transaction yet: the connector's status is all there is to say.
    live_lab.act("DRIVER-1", lambda s: s.plug(1, 1, ev=LARGE_CAR))
    expect(connector).to_have_attribute("data-status", "Occupied", timeout=LIVE_MS)
    expect(connector).to_have_attribute("data-shown", "Occupied")
    expect(connector.locator(".chip-status")).to_have_count(0)

    live_lab.act("DRIVER-1", lambda s: s.present_id_token("TAG-DRIVER", 1))
    expect(connector).to_have_attribute("data-shown", "Charging", timeout=LIVE_MS)
    expect(connector).to_have_attribute("data-status", "Occupied")
    expect(connector).to_have_attribute("data-charging-state", "Charging")
    expect(connector).to_have_class(re.compile(r"\bst-charging\b"))
    expect(connector).to_contain_text("1/1 Charging")
    expect(connector.locator(".chip-status")).to_have_text("Occupied")

    # Its id, a UUID, shows whole in the transactions table: wrapped, not cut.
    row = page.locator(".transactions-panel tbody tr", has_text="DRIVER-1")
    transaction_id = row.get_attribute("data-transaction", timeout=LIVE_MS)
    assert transaction_id is not None
    assert len(transaction_id) == 36
    cell = row.locator("td.txid")
    expect(cell).to_have_text(f"#{transaction_id}")
    assert cell.evaluate("cell => cell.scrollWidth <= cell.clientWidth")


def _two_digit_hour_zone() -> str:
    """A time zone where it is now 10 or 22 o'clock: the widest 12-hour times ("10:28:54 PM")."""
    hour = datetime.now(UTC).hour
    for local in (10, 22):
        offset = hour - local  # Etc/GMT+N is N hours behind UTC
        if -14 <= offset <= 12:
            return f"Etc/GMT{offset:+d}"
    raise AssertionError("unreachable: one of them is in range")


@pytest.mark.parametrize("width", [1366, 390])
def test_times_stay_on_one_line_and_nothing_is_cut_off(
    browser: Browser, browser_context_args: dict[str, Any], live_lab: LiveLab, width: int
) -> None:
    live_lab.station(f"NARROW-{width}")
    context = browser.new_context(
        **{
            **browser_context_args,
            "viewport": {"width": width, "height": 844},
            "locale": "en-US",
            "timezone_id": _two_digit_hour_zone(),
        }
    )
    try:
        page = context.new_page()
        open_dashboard(page, live_lab, f"#/charger/NARROW-{width}")
        expect(page.locator(".frame time").first).to_be_visible(timeout=LIVE_MS)
        assert re.fullmatch(
            r"1\d:\d\d:\d\d\W?[AP]M", page.locator(".frame time").first.inner_text()
        )
        assert wrapped_times(page) == []
        assert cut_off(page) == []
        settings = page.locator("#open-settings").bounding_box()
        assert settings is not None
        assert settings["x"] + settings["width"] <= width
        open_dashboard(page, live_lab, "#/central")
        expect(station_card(page, f"NARROW-{width}")).to_be_visible()
        assert cut_off(page) == []
    finally:
        context.close()


def test_the_transactions_tab_shown_is_marked(page: Page, live_lab: LiveLab) -> None:
    """The views' links and the transactions' tabs are different things, though both are
    tabs: marking the current view must leave the transactions' tab alone."""
    open_dashboard(page, live_lab, "#/fleet")
    page.click(".topbar .tabs a[data-tab=central]")
    expect(page.locator(".topbar .tabs a[data-tab=central]")).to_have_class(
        re.compile(r"\bcurrent\b")
    )
    # Before the next redraw (events, or the 10 s clock) could put it back.
    expect(page.locator(".transactions-panel button[data-tab=active]")).to_have_class(
        re.compile(r"\bcurrent\b"), timeout=1000
    )


def test_no_horizontal_scrolling_on_a_laptop_screen(page: Page, live_lab: LiveLab) -> None:
    live_lab.station("WIDE-1")
    for view in ("#/central", "#/charger/WIDE-1", "#/fleet"):
        open_dashboard(page, live_lab, view)
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, view


def test_the_central_view_shows_fifty_stations_a_page_at_a_time(
    page: Page, live_lab: LiveLab
) -> None:
    """Last in this module: its stations push the others' onto later pages."""
    live_lab.station("PAGE-LIVE")  # online: on the first page
    for number in range(1, 51):
        registered = httpx.post(
            f"{live_lab.base}/api/v1/chargers",
            json={"chargeBoxId": f"PAGE-{number:02d}"},
            headers={"X-API-Key": live_lab.api_key},
        )
        assert registered.status_code == 201, registered.text
    open_dashboard(page, live_lab)
    stations = page.locator(".stations-panel")
    pages = stations.get_by_role("navigation", name="Pages of stations")

    known = httpx.get(
        f"{live_lab.base}/api/v1/chargers",
        params={"limit": 1},
        headers={"X-API-Key": live_lab.api_key},
    )
    total = known.json()["total"]
    assert total >= 50
    expect(pages.locator(".pager-range")).to_have_text(f"1{DASH}24 of {total}")
    expect(stations.locator("article.station")).to_have_count(24)
    expect(pages.get_by_role("button", name="Previous page of stations")).to_be_disabled()

    # The view draws itself again on every event (the module's charging stations send meter
    # values each second). The pager of the same page stays the same element: one drawn anew
    # between a click's press and release would lose the click.
    pages.evaluate("nav => { nav.dataset.mark = 'kept' }")
    live_lab.act("PAGE-LIVE", lambda s: s.plug(1, 1, ev=LARGE_CAR))
    expect(chip(page, "PAGE-LIVE", 1)).to_have_attribute(
        "data-status", "Preparing", timeout=LIVE_MS
    )
    expect(pages).to_have_attribute("data-mark", "kept")

    pages.get_by_role("button", name="Next page of stations").click()
    expect(pages.locator(".pager-range")).to_have_text(f"25{DASH}48 of {total}")
    expect(stations.locator("article.station")).to_have_count(24)
    pages.get_by_role("button", name="Next page of stations").click()
    expect(pages.locator(".pager-range")).to_have_text(f"49{DASH}{total} of {total}")
    expect(stations.locator("article.station")).to_have_count(total - 48)
    expect(pages.get_by_role("button", name="Next page of stations")).to_be_disabled()
    # Offline stations come after the online ones, in identity order.
    expect(stations.locator("article.station").last).to_have_attribute("data-station", "PAGE-50")
