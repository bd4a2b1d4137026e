"""What the dashboard's gateway views are made of, found as a user finds them: the fleet's
cards, a simulated charger's connector rows, the frames it sent (``test_gateway_views.py``,
``test_simulator_views.py`` and the other views' tests)."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.web.up_lab import UpLab

# How long a live change may take to show, in every browser test, in milliseconds (Playwright's
# unit): a guard (a loaded 2-core run took over 10 s).
LIVE_MS = 20_000


def open_dashboard(page: Page, lab: UpLab, view: str) -> list[str]:
    """Open ``view``; the list collects the page's uncaught errors (it must stay empty)."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    if not page.url.startswith(lab.base):  # a fresh browser: the terminal's sign-in link
        page.goto(lab.sign_in_url())
        expect(page.locator("#live")).to_have_text("live", timeout=LIVE_MS)
    page.goto(lab.url + view)
    expect(page.locator("#live")).to_have_text("live", timeout=LIVE_MS)
    return errors


def card(page: Page, identity: str) -> Locator:
    return page.locator(f'.fleet article.station[data-sim="{identity}"]')


def connector_row(page: Page, connector: str) -> Locator:
    return page.locator(f'.sim-connector[data-connector="{connector}"]')


def station_frame(page: Page, action: str, text: str) -> Locator:
    """The newest frame the station sent with ``action`` whose payload has ``text``, found
    as a user would: the log filtered by action, the frame opened to show its payload."""
    search = page.locator(".frame-log input[type=search]")
    search.fill(action)
    search.press("Enter")
    expect(page.locator(f'.frame:not([data-action="{action}"])')).to_have_count(0, timeout=LIVE_MS)
    sent = page.locator(f'.frame[data-action="{action}"][data-type="CALL"][data-direction="in"]')
    frame = sent.filter(has_text=text).first
    expect(frame).to_be_attached(timeout=LIVE_MS)
    frame.locator("summary").click()
    return frame.locator("pre")
