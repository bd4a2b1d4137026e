"""The dashboard's Manage view (#/manage/<section>) in a real browser, against ``chargeyard up``
(``up_lab``): locations and simulated chargers of the gateway, id tags, webhooks and API keys
of the central system, each created, shown, edited and deleted from its form, with what the
server then holds read back over the REST APIs; a request the server refuses shows its
reason in the form's answer.

Each test makes rows of its own and deletes them, leaving the demo as it was. The screenshot
of the view is taken by the last test (``screenshots`` in conftest.py says where).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.web.gateway_pages import LIVE_MS, open_dashboard
from tests.web.up_lab import UpLab

pytestmark = pytest.mark.slow


def section(page: Page, name: str) -> Locator:
    """The section, once its list is read."""
    found = page.locator(f'.manage-section[data-section="{name}"]')
    expect(found).to_have_attribute("data-state", "loaded", timeout=LIVE_MS)
    return found


def listed(area: Locator, text: str) -> Locator:
    """The rows of the section's list that hold ``text``."""
    return area.locator(".manage-list tbody tr", has_text=text)


def submit(area: Locator) -> None:
    area.locator(".manage-form button[type=submit]").click()


def delete(row: Locator, label: str = "Delete") -> None:
    """Delete as a user does: the row's button, then the confirmation it asks for."""
    row.get_by_role("button", name=label, exact=True).click()
    row.get_by_role("button", name=f"Yes, {label.lower()}").click()


def api(lab: UpLab, method: str, path: str, **options: Any) -> httpx.Response:
    """A call to ``/api/v1`` with the demo's (admin) key."""
    return httpx.request(
        method,
        f"{lab.base}/api/v1{path}",
        headers={"X-API-Key": lab.api_key},
        timeout=10.0,
        **options,
    )


def gateway_status(lab: UpLab, path: str) -> int:
    """The status of a GET of ``/ocpp`` (``lab.gateway`` raises on an error)."""
    answer = httpx.get(
        f"{lab.base}/ocpp{path}", headers={"Authorization": f"Bearer {lab.token}"}, timeout=10.0
    )
    return answer.status_code


def test_a_location_is_created_edited_and_deleted(page: Page, up_lab: UpLab) -> None:
    errors = open_dashboard(page, up_lab, "#/manage/locations")
    locations = section(page, "locations")
    form = locations.locator(".manage-form")
    answer = locations.locator(".answer")

    form.locator("input[name=name]").fill("Harbour Park")
    form.locator("input[name=city]").fill("Rotterdam")
    form.locator("input[name=timezone]").fill("Europe/Amsterdam")
    # Two letters, as the form asks, but no country: the server's reason is shown.
    form.locator("input[name=country]").fill("xx")
    submit(locations)
    expect(answer).to_have_attribute("data-kind", "error", timeout=LIVE_MS)
    expect(answer).to_contain_text(
        "Create location failed: The request is not valid (422): country: Value error, must be"
        " an ISO 3166-1 alpha-2 country code, such as FR"
    )
    form.locator("input[name=country]").fill("nl")
    submit(locations)
    expect(answer).to_contain_text("Create location: created", timeout=LIVE_MS)

    stored = [
        row for row in up_lab.gateway("GET", "/locations")["data"] if row["name"] == "Harbour Park"
    ]
    assert len(stored) == 1, stored
    location = stored[0]
    assert (location["city"], location["country"], location["timezone"]) == (
        "Rotterdam",
        "NL",
        "Europe/Amsterdam",
    )
    assert location["slug"] == "harbour-park"  # made from the name
    row = locations.locator(f'.manage-list tbody tr[data-key="{location["id"]}"]')
    expect(row).to_contain_text("Harbour Park")
    expect(row).to_contain_text("Rotterdam, NL")

    row.get_by_role("button", name="Edit").click()
    expect(form).to_have_attribute("data-editing", location["id"])
    expect(form.locator("input[name=name]")).to_have_value("Harbour Park")
    form.locator("input[name=name]").fill("Harbour Park North")
    form.locator("input[name=city]").fill("")  # emptied: cleared
    form.locator("select[name=status]").select_option("planned")
    submit(locations)
    expect(answer).to_contain_text("Save location Harbour Park: saved", timeout=LIVE_MS)
    expect(row).to_contain_text("Harbour Park North")
    expect(row).to_contain_text("planned")
    expect(row).not_to_contain_text("Rotterdam")
    changed = up_lab.gateway("GET", f"/locations/{location['id']}")
    assert (changed["name"], changed["city"], changed["country"], changed["status"]) == (
        "Harbour Park North",
        None,
        "NL",
        "planned",
    )

    # The fleet shows it, and leads back to its form.
    page.goto(f"{up_lab.url}#/fleet")
    site = page.locator(f'.fleet section.location[data-location="{location["id"]}"]')
    site.get_by_role("link", name="Edit").click()
    locations = section(page, "locations")
    expect(locations.locator(".manage-form")).to_have_attribute("data-editing", location["id"])

    row = locations.locator(f'.manage-list tbody tr[data-key="{location["id"]}"]')
    delete(row)
    expect(row).to_have_count(0, timeout=LIVE_MS)
    assert gateway_status(up_lab, f"/locations/{location['id']}") == 404
    assert errors == []


def test_a_simulated_charger_is_made_from_the_catalog(page: Page, up_lab: UpLab) -> None:
    depot = up_lab.gateway("POST", "/locations", json={"name": "Depot", "country": "NL"})
    demo = up_lab.chargers_by_identity()["DEMO-01"]
    errors = open_dashboard(page, up_lab, "#/manage/chargers")
    chargers = section(page, "chargers")
    form = chargers.locator(".manage-form")
    answer = chargers.locator(".answer")

    form.locator("input[name=identity]").fill("MANAGE-1")
    form.locator("select[name=brand_slug]").select_option("abb")
    form.locator("select[name=model_slug]").select_option("terra-184")
    form.locator("select[name=connector_type]").select_option("cCCS2")
    form.locator("select[name=ocpp_version]").select_option("ocpp2.0.1")
    # Where a new station dials unless told otherwise: the lab's own CSMS, as the demo's.
    expect(form.locator("input[name=ws_url]")).to_have_value(demo["ws_url"])
    form.locator("select[name=location_id]").select_option(depot["id"])
    submit(chargers)
    expect(answer).to_contain_text("Create charger: created: MANAGE-1", timeout=LIVE_MS)

    stored = up_lab.chargers_by_identity()["MANAGE-1"]
    assert (
        stored["brand_slug"],
        stored["model_slug"],
        stored["connector_type"],
        stored["ocpp_version"],
        stored["location_id"],
        stored["ws_url"],
    ) == ("abb", "terra-184", "cCCS2", "ocpp2.0.1", depot["id"], demo["ws_url"])
    row = chargers.locator(f'.manage-list tbody tr[data-key="{stored["id"]}"]')
    expect(row).to_contain_text("abb / terra-184")
    expect(row).to_contain_text("OCPP 2.0.1")
    expect(row).to_contain_text("Depot")

    # The identity is taken now: the server says so.
    form.locator("input[name=identity]").fill("MANAGE-1")
    submit(chargers)
    expect(answer).to_contain_text(
        re.compile(r"Create charger failed: Conflict with what exists \(409\): .*MANAGE-1"),
        timeout=LIVE_MS,
    )

    # The simulated charger's page leads to its form, filled in.
    page.goto(f"{up_lab.url}#/sim/{stored['id']}")
    page.get_by_role("link", name="Edit or delete").click()
    chargers = section(page, "chargers")
    form = chargers.locator(".manage-form")
    answer = chargers.locator(".answer")
    expect(form).to_have_attribute("data-editing", stored["id"])
    expect(form.locator("input[name=identity]")).to_have_value("MANAGE-1")
    expect(form.locator("select[name=model_slug]")).to_have_value("terra-184")
    expect(form.locator("select[name=ocpp_version]")).to_have_value("ocpp2.0.1")
    expect(form.locator("select[name=location_id]")).to_have_value(depot["id"])
    form.locator("input[name=charge_point_name]").fill("Bay 9")
    form.locator("select[name=location_id]").select_option("loc-demo")
    submit(chargers)
    expect(answer).to_contain_text(re.compile(r"Save charger MANAGE-1: saved"), timeout=LIVE_MS)
    row = chargers.locator(f'.manage-list tbody tr[data-key="{stored["id"]}"]')
    expect(row).to_contain_text("Demo charging site")
    changed = up_lab.gateway("GET", f"/chargers/{stored['id']}")
    assert (changed["charge_point_name"], changed["location_id"], changed["model_slug"]) == (
        "Bay 9",
        "loc-demo",
        "terra-184",
    )

    delete(row)
    expect(row).to_have_count(0, timeout=LIVE_MS)
    assert gateway_status(up_lab, f"/chargers/{stored['id']}") == 404
    up_lab.gateway("DELETE", f"/locations/{depot['id']}")
    assert errors == []


def test_an_id_tag_is_created_edited_and_deleted(page: Page, up_lab: UpLab) -> None:
    errors = open_dashboard(page, up_lab, "#/manage/id-tags")
    tags = section(page, "id-tags")
    form = tags.locator(".manage-form")
    answer = tags.locator(".answer")

    form.locator("input[name=idTag]").fill("MANAGE-TAG")
    form.locator("input[name=parentIdTag]").fill("FLEET-A")
    form.locator("input[name=expiryDate]").fill("2031-05-01T12:00")
    form.locator("select[name=tokenType]").select_option("ISO14443")
    submit(tags)
    expect(answer).to_contain_text("Create id tag: created", timeout=LIVE_MS)
    row = listed(tags, "MANAGE-TAG")
    expect(row).to_contain_text("Accepted")
    expect(row).to_contain_text("FLEET-A")

    stored = api(up_lab, "GET", "/id-tags/MANAGE-TAG").json()
    # The browser's local time, sent as the instant it is.
    expiry = page.evaluate("new Date('2031-05-01T12:00').toISOString()")
    assert datetime.fromisoformat(stored["expiryDate"]) == datetime.fromisoformat(expiry)
    assert (stored["status"], stored["parentIdTag"], stored["tokenType"]) == (
        "Accepted",
        "FLEET-A",
        "ISO14443",
    )

    form.locator("input[name=idTag]").fill("MANAGE-TAG")
    submit(tags)
    expect(answer).to_contain_text(
        "Create id tag failed: Conflict with what exists (409): id tag MANAGE-TAG already exists",
        timeout=LIVE_MS,
    )

    row.get_by_role("button", name="Edit").click()
    expect(form.locator("input[name=idTag]")).to_be_disabled()
    expect(form.locator("input[name=expiryDate]")).to_have_value("2031-05-01T12:00")
    form.locator("select[name=status]").select_option("Blocked")
    form.locator("input[name=parentIdTag]").fill("")
    form.locator("input[name=expiryDate]").fill("")
    submit(tags)
    expect(answer).to_contain_text("Save id tag MANAGE-TAG: saved", timeout=LIVE_MS)
    expect(row).to_contain_text("Blocked")
    expect(row).not_to_contain_text("FLEET-A")
    changed = api(up_lab, "GET", "/id-tags/MANAGE-TAG").json()
    assert (
        changed["status"],
        changed["parentIdTag"],
        changed["expiryDate"],
        changed["tokenType"],
    ) == ("Blocked", None, None, "ISO14443")

    delete(row)
    expect(row).to_have_count(0, timeout=LIVE_MS)
    assert api(up_lab, "GET", "/id-tags/MANAGE-TAG").status_code == 404
    assert errors == []


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 that answers every POST with 204 and keeps what came."""

    url: str
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    kept: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            kept.append((dict(self.headers.items()), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test reads what came."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Receiver(f"http://127.0.0.1:{server.server_address[1]}/hook", kept)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_webhook_with_its_secret_its_test_event_and_its_log(
    page: Page, up_lab: UpLab, receiver: Receiver
) -> None:
    errors = open_dashboard(page, up_lab, "#/manage/webhooks")
    webhooks = section(page, "webhooks")
    form = webhooks.locator(".manage-form")
    answer = webhooks.locator(".answer")

    form.locator("input[name=url]").fill("ftp://example.com/hook")
    submit(webhooks)
    expect(answer).to_contain_text(
        "Create webhook failed: The request is not valid (422): url: Value error, the URL's"
        " scheme must be http or https",
        timeout=LIVE_MS,
    )

    form.locator("input[name=url]").fill(receiver.url)
    form.get_by_label("every event (*)").uncheck()
    form.get_by_label("transaction.started", exact=True).check()
    form.get_by_label("transaction.stopped", exact=True).check()
    submit(webhooks)
    expect(answer).to_contain_text("Create webhook: created", timeout=LIVE_MS)
    secret = webhooks.locator(".once code.secret").inner_text()
    assert len(secret) >= 16
    stored = [
        row for row in api(up_lab, "GET", "/webhooks").json()["data"] if row["url"] == receiver.url
    ]
    assert len(stored) == 1, stored
    webhook = stored[0]
    assert (webhook["events"], webhook["active"]) == (
        ["transaction.started", "transaction.stopped"],
        True,
    )
    row = webhooks.locator(f'.manage-list tbody tr[data-key="{webhook["id"]}"]')
    expect(row).to_contain_text("transaction.started, transaction.stopped")

    row.get_by_role("button", name="Test").click()
    expect(answer).to_contain_text(
        f"Test event to {receiver.url}: delivered (HTTP 204)", timeout=LIVE_MS
    )
    delivery = webhooks.locator(".deliveries tbody tr").first
    expect(delivery).to_have_attribute("data-event", "webhook.test", timeout=LIVE_MS)
    expect(delivery).to_have_attribute("data-status", "delivered")
    log = api(up_lab, "GET", f"/webhooks/{webhook['id']}/deliveries").json()["data"]
    assert [(entry["event"], entry["status"], entry["statusCode"]) for entry in log] == [
        ("webhook.test", "delivered", 204)
    ]
    # The secret shown is the one that signs the deliveries.
    headers, body = receiver.received[-1]
    signed = headers["X-Chargeyard-Timestamp"].encode() + b"." + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    assert headers["X-Chargeyard-Signature"] == f"sha256={digest}"

    row.get_by_role("button", name="Edit").click()
    expect(form.locator("input[name=url]")).to_have_value(receiver.url)
    form.get_by_label("active (receives events)").uncheck()
    form.get_by_label("every event (*)").check()
    submit(webhooks)
    expect(answer).to_contain_text(f"Save webhook {receiver.url}: saved", timeout=LIVE_MS)
    expect(row.locator("td").nth(1)).to_have_text("*")
    expect(row.locator("td").nth(2)).to_have_text("no")
    expect(webhooks.locator(".once")).to_have_count(0)  # the secret was shown once
    changed = api(up_lab, "GET", f"/webhooks/{webhook['id']}").json()
    assert (changed["events"], changed["active"]) == (["*"], False)

    delete(row)
    expect(row).to_have_count(0, timeout=LIVE_MS)
    expect(webhooks.locator(".deliveries")).to_be_hidden()
    assert api(up_lab, "GET", f"/webhooks/{webhook['id']}").status_code == 404
    assert errors == []


def test_an_api_key_is_shown_once_works_and_is_revoked(page: Page, up_lab: UpLab) -> None:
    errors = open_dashboard(page, up_lab, "#/manage/api-keys")
    keys = section(page, "api-keys")
    form = keys.locator(".manage-form")
    answer = keys.locator(".answer")
    # The key this browser uses is marked as such.
    expect(keys.locator(".manage-list tbody tr .badge.own")).to_have_count(1)

    form.locator("input[name=name]").fill("ci-reader")
    form.locator("select[name=role]").select_option("viewer")
    submit(keys)
    expect(answer).to_contain_text(
        "Create API key: created: a viewer key named ci-reader", timeout=LIVE_MS
    )
    key = keys.locator(".once code.secret").inner_text()
    assert key.startswith("cy_")
    reads = httpx.get(f"{up_lab.base}/api/v1/chargers", headers={"X-API-Key": key})
    assert reads.status_code == 200, reads.text

    stored = [row for row in api(up_lab, "GET", "/api-keys").json() if row["name"] == "ci-reader"]
    assert len(stored) == 1, stored
    assert stored[0]["role"] == "viewer"
    assert key.startswith(f"cy_{stored[0]['prefix']}_")
    row = keys.locator(f'.manage-list tbody tr[data-key="{stored[0]["id"]}"]')
    expect(row).to_contain_text("viewer")
    expect(row).to_contain_text(f"cy_{stored[0]['prefix']}_")

    # With the viewer key in Settings, the section says why it cannot list the keys.
    page.evaluate("key => localStorage.setItem('chargeyard.apiKey', key)", key)
    page.reload()
    refused = page.locator('.manage-section[data-section="api-keys"] [data-notice="not-admin"]')
    expect(refused).to_contain_text(
        "Only an admin (or platform) API key manages API keys.", timeout=LIVE_MS
    )
    expect(refused).to_contain_text("This API key is not allowed to do that (403)")
    page.evaluate("key => localStorage.setItem('chargeyard.apiKey', key)", up_lab.api_key)
    page.reload()
    keys = section(page, "api-keys")

    row = keys.locator(f'.manage-list tbody tr[data-key="{stored[0]["id"]}"]')
    delete(row, "Revoke")
    expect(row).to_have_count(0, timeout=LIVE_MS)
    refused_now = httpx.get(f"{up_lab.base}/api/v1/chargers", headers={"X-API-Key": key})
    assert refused_now.status_code == 401, refused_now.text
    assert all(row["name"] != "ci-reader" for row in api(up_lab, "GET", "/api-keys").json())
    assert errors == []


def test_screenshot_of_the_manage_view(page: Page, up_lab: UpLab, screenshots: Path) -> None:
    """A demo charger's form open for editing beside the fleet's list, at 1366x768."""
    charger = up_lab.chargers_by_identity()["DEMO-02"]
    open_dashboard(page, up_lab, f"#/manage/chargers/{charger['id']}")
    chargers = section(page, "chargers")
    form = chargers.locator(".manage-form")
    expect(form).to_have_attribute("data-editing", charger["id"])
    expect(form.locator("select[name=model_slug]")).to_have_value(charger["model_slug"])
    page.screenshot(path=screenshots / "manage.png")
    assert (screenshots / "manage.png").stat().st_size > 10_000
