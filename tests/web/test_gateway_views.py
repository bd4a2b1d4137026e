"""The dashboard's fleet view in a real browser, against ``chargeyard up`` as a user starts
it (``up_lab``): the demo site of simulated chargers, pointed at the lab's own CSMS, live as
their connectors change, a charger of another central system followed from its frames, every
view at a laptop's and a phone's width. A simulated charger's own page is in
``test_simulator_views.py`` (a lab of its own, so that the two files run at once).

Each test acts on demo chargers of its own (DEMO-01 ... DEMO-08, a mix of 1.6 and 2.0.1).
The last test takes screenshots of the main views (``screenshots`` in conftest.py says where).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from tests.web.gateway_pages import LIVE_MS, card, connector_row, open_dashboard
from tests.web.layout import cut_cells, cut_off, lines, wrapped_times
from tests.web.live_lab import LiveLab
from tests.web.up_lab import UpLab

pytestmark = pytest.mark.slow


def test_the_fleet_shows_the_demo_site_live(page: Page, up_lab: UpLab) -> None:
    # A site without chargers yet shows too.
    harbour = up_lab.gateway(
        "POST", "/locations", json={"name": "Harbour Park", "city": "Rotterdam", "country": "NL"}
    )
    errors = open_dashboard(page, up_lab, "#/fleet")
    empty = page.locator(f'.fleet section.location[data-location="{harbour["id"]}"]')
    expect(empty).to_contain_text("No chargers here.", timeout=LIVE_MS)
    up_lab.gateway("DELETE", f"/locations/{harbour['id']}")

    site = page.locator('.fleet section.location[data-location="loc-demo"]')
    expect(site.locator("h2")).to_have_text("Demo charging site", timeout=LIVE_MS)
    expect(site.locator("article.station")).to_have_count(up_lab.chargers)
    keba = card(page, "DEMO-03")
    expect(keba).to_have_attribute("data-online", "true")
    expect(keba.locator(".version")).to_have_text("OCPP 1.6")
    expect(card(page, "DEMO-04").locator(".version")).to_have_text("OCPP 2.0.1")
    chip = keba.locator('.chip[data-connector="1"]')
    expect(chip).to_have_attribute("data-status", "Available")
    expect(chip).to_have_class(re.compile(r"\bst-available\b"))

    # A cable plugged through the API shows without a reload (the CSMS's event stream).
    charger = up_lab.chargers_by_identity()["DEMO-03"]
    up_lab.command("plug-connector", charger["id"], {"evse_id": 1, "connector_id": 1})
    expect(chip).to_have_attribute("data-status", "Preparing", timeout=LIVE_MS)
    expect(chip).to_have_class(re.compile(r"\bst-preparing\b"))

    page.get_by_label("Search chargers").fill("demo-03")
    expect(page.locator(".fleet article.station")).to_have_count(1)
    page.get_by_label("Search chargers").fill("")
    page.get_by_label("Show chargers").select_option("offline")
    expect(page.locator(".fleet article.station")).to_have_count(0)
    expect(page.locator(".fleet-body")).to_contain_text("No charger matches.")
    page.get_by_label("Show chargers").select_option("all")

    up_lab.command("unplug-connector", charger["id"], {"evse_id": 1, "connector_id": 1})
    expect(chip).to_have_attribute("data-status", "Available", timeout=LIVE_MS)

    # A stopped runtime is offline, said on the card.
    stopped = up_lab.chargers_by_identity()["DEMO-04"]
    up_lab.gateway("POST", f"/chargers/{stopped['id']}/stop-charger")
    offline = card(page, "DEMO-04")
    expect(offline).to_have_attribute("data-online", "false", timeout=LIVE_MS)
    expect(offline).to_contain_text("runtime stopped", timeout=LIVE_MS)
    up_lab.gateway("POST", f"/chargers/{stopped['id']}/start-charger")
    expect(offline).to_have_attribute("data-online", "true", timeout=LIVE_MS)
    assert errors == []


def test_a_location_pages_its_chargers_and_keeps_its_pager_through_a_redraw(
    page: Page, up_lab: UpLab
) -> None:
    """A location of 25 stopped chargers shows 24 at a time. The view draws itself again on
    every event; the pager of the same page stays the same element, since one drawn anew
    between a click's press and release would lose the click."""
    yard = up_lab.gateway("POST", "/locations", json={"name": "Paging Yard"})
    made = [
        up_lab.gateway(
            "POST",
            "/chargers",
            json={
                "identity": f"YARD-{number:02d}",
                "brand_slug": "alfen",
                "model_slug": "eve-single-pro-line",
                "connector_type": "sType2",
                "ws_url": "ws://127.0.0.1:9/ocpp",
                "ocpp_version": "1.6",
                "location_id": yard["id"],
                "start": False,
            },
        )
        for number in range(1, 26)
    ]
    open_dashboard(page, up_lab, "#/fleet")
    panel = page.locator(f'.fleet section.location[data-location="{yard["id"]}"]')
    pages = panel.get_by_role("navigation", name="Pages of chargers")
    expect(pages.locator(".pager-range")).to_have_text("1\N{EN DASH}24 of 25", timeout=LIVE_MS)
    expect(panel.locator("article.station")).to_have_count(24)

    pages.evaluate("nav => { nav.dataset.mark = 'kept' }")
    demo = up_lab.chargers_by_identity()["DEMO-02"]
    chip = card(page, "DEMO-02").locator('.chip[data-connector="1/1"]')  # OCPP 2.0.1
    up_lab.command("plug-connector", demo["id"], {"evse_id": 1, "connector_id": 1})
    expect(chip).to_have_attribute("data-status", "Occupied", timeout=LIVE_MS)
    expect(pages).to_have_attribute("data-mark", "kept")

    pages.get_by_role("button", name="Next page of chargers").click()
    expect(pages.locator(".pager-range")).to_have_text("25\N{EN DASH}25 of 25")
    expect(panel.locator("article.station")).to_have_count(1)

    up_lab.command("unplug-connector", demo["id"], {"evse_id": 1, "connector_id": 1})
    for charger in made:
        up_lab.gateway("DELETE", f"/chargers/{charger['charger_id']}")
    up_lab.gateway("DELETE", f"/locations/{yard['id']}")


def test_a_session_moves_live_between_the_stations_meter_values(page: Page, up_lab: UpLab) -> None:
    """A template that samples every minute: the simulated charger follows the station's own
    meter (the gateway's runtime) at once; the CSMS, which knows only the meter values it
    received, says when the next ones are due."""
    demo = up_lab.chargers_by_identity()["DEMO-01"]
    accepted = up_lab.gateway(
        "POST",
        "/chargers",
        json={
            "identity": "MINUTE-1",
            "brand_slug": "abb",
            "model_slug": "terra-184",
            "connector_type": "cCCS2",
            "ws_url": demo["ws_url"],
            "ocpp_version": "ocpp2.0.1",
            "location_id": "loc-demo",
        },
    )
    errors = open_dashboard(page, up_lab, f"#/sim/{accepted['charger_id']}")
    row = connector_row(page, "1/1")
    expect(row.locator(".chip")).to_have_attribute("data-status", "Available", timeout=LIVE_MS)
    row.get_by_role("button", name="Start session", exact=True).click()
    expect(row.locator(".chip")).to_have_attribute("data-shown", "Charging", timeout=LIVE_MS)

    # Energy rises within seconds, though the station reports it once a minute.
    session = row.locator(".session-energy")
    expect(session).to_have_attribute("data-energy-wh", re.compile(r"^\d"), timeout=LIVE_MS)
    first = session.get_attribute("data-energy-wh")
    assert first is not None
    expect(session).not_to_have_attribute("data-energy-wh", first, timeout=LIVE_MS)
    assert float(session.get_attribute("data-energy-wh") or 0) > float(first)
    expect(session).to_contain_text(re.compile(r"\d+\.\d+ kWh · \d+\.\d kW"))
    plot = page.locator(".plot-panel")
    expect(plot.locator("h2")).to_contain_text("the station's meter, live")
    expect(plot.locator(".plot .energy-line")).to_have_count(1)
    expect(plot.locator(".plot .power-area")).to_have_count(1, timeout=LIVE_MS)

    # The CSMS view: no dashes, and when the next meter values come: opening it asks the
    # station nothing; the button does.
    page.goto(f"{up_lab.url}#/charger/MINUTE-1")
    note = page.locator(".plot-panel .plot-note")
    expect(note).to_contain_text("SampledDataCtrlr.TxUpdatedInterval is not known", timeout=LIVE_MS)
    page.get_by_role("button", name="Ask the station").click()
    expect(note).to_have_text(
        re.compile(
            r"^next meter values due \d\d?:\d\d:\d\d\W?[AP]M"
            r" \(every 60 s, SampledDataCtrlr\.TxUpdatedInterval\)$"
        ),
        timeout=LIVE_MS,
    )
    expect(page.locator(".connector-detail").first).not_to_contain_text("—")

    # Leave the demo as it was (the screenshots come later): the session ends, the charger
    # goes from the gateway and from the CSMS.
    done = up_lab.outcome(
        up_lab.command("stop-session", accepted["charger_id"], {"evse_id": 1, "connector_id": 1})
    )
    assert done["status"] == "applied", done
    up_lab.gateway("DELETE", f"/chargers/{accepted['charger_id']}")
    gone = httpx.delete(
        f"{up_lab.base}/api/v1/chargers/MINUTE-1", headers={"X-API-Key": up_lab.api_key}
    )
    assert gone.status_code == 200, gone.text
    assert errors == []


def test_an_older_answer_arriving_late_does_not_undo_a_newer_one(page: Page, up_lab: UpLab) -> None:
    """The simulated charger's view reads the gateway from several places at once (its poll,
    a command's outcome): an answer read before the session started, arriving after one read
    during it, must not make the session's meter vanish."""
    demo = up_lab.chargers_by_identity()["DEMO-01"]
    accepted = up_lab.gateway(
        "POST",
        "/chargers",
        json={
            "identity": "RACE-1",
            "brand_slug": "abb",
            "model_slug": "terra-184",
            "connector_type": "cCCS2",
            "ws_url": demo["ws_url"],
            "ocpp_version": "ocpp2.0.1",
            "location_id": "loc-demo",
        },
    )
    charger_id = accepted["charger_id"]
    open_dashboard(page, up_lab, f"#/sim/{charger_id}")
    row = connector_row(page, "1/1")
    expect(row.locator(".chip")).to_have_attribute("data-status", "Available", timeout=LIVE_MS)
    row.get_by_role("button", name="Start session", exact=True).click()
    session = row.locator(".session-energy")
    metered = re.compile(r"\d+\.\d+ kWh · \d+\.\d kW")
    expect(session).to_contain_text(metered, timeout=LIVE_MS)
    page.evaluate(
        r"""() => {
            window.unmetered = [];
            const metered = /\d+\.\d+ kWh · \d+\.\d kW/;
            const watch = () => {
                const session = document.querySelector(".sim-connectors .session-energy");
                const text = session ? session.textContent : "(no session)";
                if (!metered.test(text)) window.unmetered.push(text);
            };
            new MutationObserver(watch).observe(document.querySelector(".sim-connectors"),
                { subtree: true, childList: true, characterData: true });
        }"""
    )

    # The next poll's answer is held back, and made an older one (no session on EVSE 1).
    held: list[Route] = []

    def hold(route: Route) -> None:
        if held or route.request.method != "GET":
            route.continue_()
        else:
            held.append(route)

    page.route(f"**/ocpp/chargers/{charger_id}", hold)
    for _ in range(LIVE_MS // 50):
        if held:
            break
        page.wait_for_timeout(50)  # lets Playwright run the route handler; not a sync point
    assert held, "the view did not poll the charger"
    older = held[0].fetch().json()
    for evse in older["runtime"]["evses"]:
        evse["transaction"] = None
    # Meanwhile a command's outcome reads the charger again: the newer answer.
    with page.expect_response(f"**/ocpp/chargers/{charger_id}", timeout=LIVE_MS):
        connector_row(page, "2/1").get_by_role("button", name="Plug", exact=True).click()
    stale = held[0].request
    url = f"/ocpp/chargers/{charger_id}"
    # The older answer arrives, then the view reads the charger once more (its next poll).
    with page.expect_response(
        lambda response: response.url.endswith(url) and response.request != stale,
        timeout=LIVE_MS,
    ):
        held[0].fulfill(json=older)
    expect(session).to_contain_text(metered)
    assert page.evaluate("window.unmetered") == []

    page.unroute(f"**/ocpp/chargers/{charger_id}")
    done = up_lab.outcome(
        up_lab.command("stop-session", charger_id, {"evse_id": 1, "connector_id": 1})
    )
    assert done["status"] == "applied", done
    up_lab.gateway("DELETE", f"/chargers/{charger_id}")
    gone = httpx.delete(
        f"{up_lab.base}/api/v1/chargers/RACE-1", headers={"X-API-Key": up_lab.api_key}
    )
    assert gone.status_code == 200, gone.text


def test_a_charger_of_another_csms_is_followed_from_its_own_frames(
    page: Page, up_lab: UpLab, live_lab: LiveLab
) -> None:
    """A simulated charger that reports to another central system (here: the live_lab's):
    the lab's CSMS events know nothing of it, so its connectors come from the gateway (polled)
    and its session's energy and plot from the station's own OCPP frames."""
    accepted = up_lab.gateway(
        "POST",
        "/chargers",
        json={
            "identity": "EXT-1",
            "brand_slug": "alfen",
            "model_slug": "eve-single-pro-line",
            "connector_type": "sType2",
            "ws_url": f"ws://127.0.0.1:{live_lab.port}/ocpp",
            "ocpp_version": "ocpp1.6",
            "location_id": "loc-demo",
        },
    )
    charger = up_lab.chargers_by_identity()["EXT-1"]
    assert charger["id"] == accepted["charger_id"]
    errors = open_dashboard(page, up_lab, "#/fleet")
    expect(card(page, "EXT-1")).to_have_attribute("data-online", "true", timeout=LIVE_MS)
    up_lab.sample_every_second(charger)

    card(page, "EXT-1").locator("a.station-id").click()
    row = connector_row(page, "1")
    chip = row.locator(".chip")
    expect(chip).to_have_attribute("data-status", "Available", timeout=LIVE_MS)
    row.get_by_role("button", name="Start session", exact=True).click()
    expect(chip).to_have_attribute("data-status", "Charging", timeout=LIVE_MS)
    session = row.locator(".session-energy")
    expect(session).to_have_attribute("data-energy-wh", re.compile(r"^\d"), timeout=LIVE_MS)
    first = session.get_attribute("data-energy-wh")
    expect(session).not_to_have_attribute("data-energy-wh", first or "", timeout=LIVE_MS)
    expect(page.locator(".plot-panel .plot .energy-line")).to_have_count(1)
    # The other CSMS saw the same session.
    active = httpx.get(
        f"{live_lab.base}/api/v1/transactions",
        params={"status": "active", "chargeBoxId": "EXT-1"},
        headers={"X-API-Key": live_lab.api_key},
    ).json()
    assert [row["chargeBoxId"] for row in active["data"]] == ["EXT-1"]

    row.get_by_role("button", name="Stop session", exact=True).click()
    expect(chip).to_have_attribute("data-status", "Available", timeout=LIVE_MS)
    expect(page.locator(".plot-panel")).to_contain_text("No transaction running")
    up_lab.gateway("DELETE", f"/chargers/{charger['id']}")
    assert errors == []


@pytest.mark.parametrize("width", [1366, 390])
def test_every_view_fits_a_laptop_and_a_phone(page: Page, up_lab: UpLab, width: int) -> None:
    """No sideways scrolling, nothing cut off (Settings at 390 px), times on one line."""
    page.set_viewport_size({"width": width, "height": 844})
    charger = up_lab.chargers_by_identity()["DEMO-01"]
    views = {
        "#/central": ".stations article.station",
        "#/charger/DEMO-01": ".charger-title h1",
        "#/fleet": ".fleet article.station",
        f"#/sim/{charger['id']}": ".sim-connector",
        "#/manage/locations": '.manage-section[data-state="loaded"] tbody tr',
        "#/manage/chargers": '.manage-section[data-state="loaded"] tbody tr',
        "#/manage/id-tags": '.manage-section[data-state="loaded"]',
        "#/manage/webhooks": '.manage-section[data-state="loaded"]',
        "#/manage/api-keys": '.manage-section[data-state="loaded"] tbody tr',
    }
    for view, content in views.items():
        open_dashboard(page, up_lab, view)
        expect(page.locator(content).first).to_be_visible(timeout=LIVE_MS)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, view
        assert cut_off(page) == [], view
        assert wrapped_times(page) == [], view
        expect(page.locator("#open-settings")).to_be_in_viewport(ratio=1)


def test_cells_are_whole_while_there_is_room(page: Page, up_lab: UpLab) -> None:
    """On a laptop the management lists show every cell whole (their buttons take only what
    they need), a simulated connector's session reads on one line, and on a phone the
    fleet's name and summary take one line."""
    page.set_viewport_size({"width": 1280, "height": 900})
    for view in ("#/manage/chargers", "#/manage/locations"):
        open_dashboard(page, up_lab, view)
        rows = page.locator('.manage-section[data-state="loaded"] tbody tr')
        expect(rows.first).to_be_visible(timeout=LIVE_MS)
        assert cut_cells(page, "table.manage-table td") == [], view

    charger = up_lab.chargers_by_identity()["DEMO-04"]  # 2.0.1: a long transaction id
    _session(up_lab, charger, "DRIVER-04")
    open_dashboard(page, up_lab, f"#/sim/{charger['id']}")
    session = connector_row(page, "1/1").locator(".session-energy")
    expect(session).to_contain_text(re.compile(r"kWh · \d+\.\d kW$"), timeout=LIVE_MS)
    assert lines(page, ".sim-connector .session-energy") < 1.5
    done = up_lab.outcome(
        up_lab.command("stop-session", charger["id"], {"evse_id": 1, "connector_id": 1})
    )
    assert done["status"] == "applied", done

    page.set_viewport_size({"width": 390, "height": 844})
    open_dashboard(page, up_lab, "#/fleet")
    expect(page.locator(".toolbar h1 .count")).to_contain_text("online", timeout=LIVE_MS)
    assert lines(page, ".toolbar h1") < 1.5


def _session(lab: UpLab, charger: dict[str, Any], tag: str) -> None:
    lab.sample_every_second(charger)
    event = {"evse_id": 1, "connector_id": 1, "id_tag": tag}
    done = lab.outcome(lab.command("start-session", charger["id"], event))
    assert done["status"] == "applied", done


def test_screenshots_of_the_main_views(page: Page, up_lab: UpLab, screenshots: Path) -> None:
    """The demo site with sessions going (1.6 and 2.0.1), a faulted connector and a stopped
    charger, at 1366x768."""
    chargers = up_lab.chargers_by_identity()
    _session(up_lab, chargers["DEMO-05"], "DRIVER-05")
    _session(up_lab, chargers["DEMO-06"], "DRIVER-06")
    faulted = chargers["DEMO-07"]
    up_lab.command("plug-connector", faulted["id"], {"evse_id": 1, "connector_id": 1})
    up_lab.command("inject-fault", faulted["id"], {"evse_id": 1, "connector_id": 1})
    up_lab.gateway("POST", f"/chargers/{chargers['DEMO-08']['id']}/stop-charger")

    open_dashboard(page, up_lab, "#/fleet")
    expect(card(page, "DEMO-05").locator(".chip").first).to_have_attribute(
        "data-status", "Charging", timeout=LIVE_MS
    )
    expect(card(page, "DEMO-07").locator(".chip").first).to_have_attribute(
        "data-status", "Faulted", timeout=LIVE_MS
    )
    expect(card(page, "DEMO-08")).to_have_attribute("data-online", "false", timeout=LIVE_MS)
    expect(card(page, "DEMO-05").locator(".power")).to_be_visible(timeout=LIVE_MS)
    page.screenshot(path=screenshots / "fleet.png")

    open_dashboard(page, up_lab, f"#/sim/{chargers['DEMO-05']['id']}")
    energy = connector_row(page, "1").locator(".session-energy")
    # A picture worth showing: a hundred Wh or more (ten seconds of meter values at 50 kW).
    expect(energy).to_have_attribute("data-energy-wh", re.compile(r"^[1-9]\d{2,}"), timeout=20_000)
    expect(page.locator(".plot-panel .plot .energy-line")).to_have_count(1)
    page.screenshot(path=screenshots / "simulated-charger.png")

    open_dashboard(page, up_lab, "#/central")
    expect(page.locator(".transactions-panel tbody tr").first).to_be_visible(timeout=LIVE_MS)
    page.screenshot(path=screenshots / "central-system.png")

    open_dashboard(page, up_lab, "#/charger/DEMO-06")
    expect(page.locator(".plot .energy-line")).to_have_count(1, timeout=LIVE_MS)
    expect(page.locator(".plot-note")).to_contain_text("next meter values due", timeout=LIVE_MS)
    page.screenshot(path=screenshots / "charger.png")
    for name in ("fleet", "simulated-charger", "central-system", "charger"):
        assert (screenshots / f"{name}.png").stat().st_size > 10_000, name
