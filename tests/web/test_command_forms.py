"""The charger page's command forms in a real browser, against a running CSMS and API
(``live_lab``) and simulated stations of both versions: each form is filled as a user does,
sent, and then three things are checked: the answer the page shows, the OCPP request the
API sent (the command history holds it, exactly), and what the station holds after it,
where the simulated station keeps it.

The OCPP 2.0.1 operations the simulated station does not serve (it answers a CALLERROR) are
checked against the history's record of the answer: the page must show what came, whichever
it was.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from chargeyard.protocol import V16, V21, V201, VersionSpec
from chargeyard.station.model.authorization import IdToken
from chargeyard.station.model.ev import LARGE_CAR
from tests.web.gateway_pages import LIVE_MS
from tests.web.layout import cut_off
from tests.web.live_lab import LiveLab
from tests.web.test_browser import open_dashboard

pytestmark = pytest.mark.slow

DONE = re.compile(r"^(ok|error)$")


def station(lab: LiveLab, identity: str, version: VersionSpec = V16) -> Any:
    """A connected station of ``version`` (2.0.1 and 2.1 with UUID transaction ids); its model."""
    new_id = None if version is V16 else (lambda: str(uuid.uuid4()))
    lab.station(identity, version=version, new_id=new_id)
    return lab.runtimes[identity].station


def command_panel(page: Page, lab: LiveLab, identity: str) -> Locator:
    """The charger page's command panel, once it knows the charger's version."""
    open_dashboard(page, lab, f"#/charger/{identity}")
    expect(page.locator(".charger-title .version")).not_to_be_empty(timeout=LIVE_MS)
    return page.locator(".commands-panel")


def open_form(panel: Locator, name: str) -> Locator:
    """Pick the form as a user does: its group, then its button."""
    form = panel.locator(f"form[data-command={name}]")
    group = form.get_attribute("data-group")
    panel.locator(f".command-groups button[data-group='{group}']").click()
    panel.locator(f".command-menu button[data-show={name}]").click()
    expect(form).to_be_visible()
    return form


def row(form: Locator, index: int) -> Locator:
    """Row ``index`` of the form's list of rows, added when it is not there yet."""
    rows = form.locator(".rows-row")
    while rows.count() <= index:
        form.locator("button.row-add").click()
    return rows.nth(index)


def fill_row(form: Locator, index: int, **values: str) -> None:
    line = row(form, index)
    for name, value in values.items():
        field = line.locator(f"[name={name}]")
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def send(panel: Locator, form: Locator) -> Locator:
    """Submit the form and wait for the answer (or the error) it shows."""
    form.locator("button[type=submit]").click()
    answer = panel.locator(".answer")
    expect(answer).to_have_attribute("data-kind", DONE, timeout=LIVE_MS)
    expect(answer).to_contain_text(form.get_attribute("data-title") or "")
    return answer


def api(lab: LiveLab, path: str, **params: Any) -> Any:
    answer = httpx.get(
        f"{lab.base}/api/v1{path}",
        params=params,
        headers={"X-API-Key": lab.api_key},
        timeout=10.0,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def last_sent(lab: LiveLab, identity: str, action: str) -> dict[str, Any]:
    """The newest call of ``action`` the API sent the charger, from its command history."""
    page = api(lab, f"/chargers/{identity}/commands", action=action, limit=1)
    assert page["data"], f"no {action} was sent"
    entry: dict[str, Any] = page["data"][0]
    return entry


def shows_the_station_answer(
    answer: Locator, entry: dict[str, Any], result: str, items: str | None = None
) -> None:
    """The answer shown is the one the history holds: a CALLERROR's code, or the answer's
    status and (``items``) as many rows of table ``result`` as the answer has items."""
    if entry["outcome"] == "callError":
        expect(answer).to_have_attribute("data-kind", "error")
        expect(answer.locator(".answer-status")).to_have_text(entry["status"])
        expect(answer).to_contain_text("the station answered")
        return
    assert entry["outcome"] == "answered", entry
    expect(answer).to_have_attribute("data-kind", "ok")
    if entry["status"] is not None:
        expect(answer.locator(".answer-status")).to_have_text(entry["status"])
    if items is not None:
        table = answer.locator(f"table.result[data-result={result}] tbody tr")
        expect(table).to_have_count(len(entry["response"][items]))


def without_request_id(request: dict[str, Any]) -> dict[str, Any]:
    """The request less the requestId the central system picked (an integer)."""
    assert isinstance(request.get("requestId"), int), request
    return {key: value for key, value in request.items() if key != "requestId"}


# -- the device model (2.0.1 B05-B09) ---------------------------------------------------------


def test_b05_b06_variables_set_and_read_many_at_a_time(page: Page, live_lab: LiveLab) -> None:
    model = station(live_lab, "VARS-201", V201)
    panel = command_panel(page, live_lab, "VARS-201")

    form = open_form(panel, "variables-set")
    fill_row(form, 0, component="OCPPCommCtrlr", variable="HeartbeatInterval", attributeValue="120")
    fill_row(form, 1, component="NoSuchCtrlr", variable="Anything", attributeValue="1")
    answer = send(panel, form)

    results = answer.locator("table.result[data-result=variables] tbody tr")
    expect(results).to_have_count(2)
    expect(results.nth(0)).to_contain_text("OCPPCommCtrlr")
    expect(results.nth(0).locator(".badge")).to_have_text("Accepted")
    expect(results.nth(1).locator(".badge")).to_have_text("UnknownComponent")
    assert last_sent(live_lab, "VARS-201", "SetVariables")["request"] == {
        "setVariableData": [
            {
                "component": {"name": "OCPPCommCtrlr"},
                "variable": {"name": "HeartbeatInterval"},
                "attributeValue": "120",
            },
            {
                "component": {"name": "NoSuchCtrlr"},
                "variable": {"name": "Anything"},
                "attributeValue": "1",
            },
        ]
    }
    assert model.device_model.value("OCPPCommCtrlr", "HeartbeatInterval") == "120"

    form = open_form(panel, "variables-get")
    fill_row(form, 1, component="EVSE", evse="1", variable="NoSuchVariable", attributeType="Target")
    answer = send(panel, form)
    results = answer.locator("table.result[data-result=variables] tbody tr")
    expect(results).to_have_count(2)
    expect(results.nth(0)).to_contain_text("120")
    expect(results.nth(0).locator(".badge")).to_have_text("Accepted")
    expect(results.nth(1)).to_contain_text("EVSE · EVSE 1")
    expect(results.nth(1).locator(".badge")).to_have_text(re.compile("^Unknown"))
    assert last_sent(live_lab, "VARS-201", "GetVariables")["request"] == {
        "getVariableData": [
            {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
            {
                "component": {"name": "EVSE", "evse": {"id": 1}},
                "variable": {"name": "NoSuchVariable"},
                "attributeType": "Target",
            },
        ]
    }


def test_b07_b08_reports_show_their_parts_as_a_table(page: Page, live_lab: LiveLab) -> None:
    model = station(live_lab, "REPORT-201", V201)
    model.device_model.write("OCPPCommCtrlr", "HeartbeatInterval", "77")
    panel = command_panel(page, live_lab, "REPORT-201")

    answer = send(panel, open_form(panel, "report-base"))
    expect(answer.locator(".answer-status")).to_have_text("Accepted")
    heartbeat = answer.locator(
        "table.result[data-result=report] tbody tr", has_text="HeartbeatInterval"
    )
    expect(heartbeat).to_have_count(1)
    expect(heartbeat.locator("td").nth(2)).to_have_text("77")
    sent = last_sent(live_lab, "REPORT-201", "GetBaseReport")
    assert without_request_id(sent["request"]) == {"reportBase": "ConfigurationInventory"}
    expect(answer.locator(".answer-said")).to_have_text(
        re.compile(r"^\d+ values in \d+ NotifyReport parts\.$")
    )

    form = open_form(panel, "report")
    form.get_by_label("Available").check()
    fill_row(form, 0, component="EVSE", evse="2")
    answer = send(panel, form)
    expect(answer.locator(".answer-status")).to_have_text("Accepted")
    rows = answer.locator("table.result[data-result=report] tbody tr")
    expect(rows.first).to_be_visible()
    for text in rows.locator("td:first-child").all_inner_texts():
        assert text == "EVSE · EVSE 2"
    assert without_request_id(last_sent(live_lab, "REPORT-201", "GetReport")["request"]) == {
        "componentCriteria": ["Available"],
        "componentVariable": [{"component": {"name": "EVSE", "evse": {"id": 2}}}],
    }


def test_b09_network_profile_and_n09_customer_information(page: Page, live_lab: LiveLab) -> None:
    station(live_lab, "NET-201", V201)
    panel = command_panel(page, live_lab, "NET-201")

    form = open_form(panel, "network-profile")
    form.locator("input[name=configurationSlot]").fill("2")
    form.locator("input[name=ocppCsmsUrl]").fill("wss://csms.example.com/ocpp")
    form.locator("select[name=ocppInterface]").select_option("Wireless0")
    form.locator("input[name=apn]").fill("internet.example")
    form.locator("select[name=apnAuthentication]").select_option("PAP")
    answer = send(panel, form)
    sent = last_sent(live_lab, "NET-201", "SetNetworkProfile")
    assert sent["request"] == {
        "configurationSlot": 2,
        "connectionData": {
            "ocppVersion": "OCPP20",
            "ocppTransport": "JSON",
            "ocppCsmsUrl": "wss://csms.example.com/ocpp",
            "ocppInterface": "Wireless0",
            "securityProfile": 1,
            "messageTimeout": 30,
            "apn": {"apn": "internet.example", "apnAuthentication": "PAP"},
        },
    }
    shows_the_station_answer(answer, sent, "none")

    form = open_form(panel, "customer-information")
    form.locator("input[name=idToken]").fill("04A1B2C3D4")
    form.locator("select[name=type]").select_option("ISO15693")
    answer = send(panel, form)
    sent = last_sent(live_lab, "NET-201", "CustomerInformation")
    assert without_request_id(sent["request"]) == {
        "report": True,
        "clear": False,
        "idToken": {"idToken": "04A1B2C3D4", "type": "ISO15693"},
    }
    shows_the_station_answer(answer, sent, "none")


def test_firmware_update_and_diagnostics_name_their_urls_and_times(
    page: Page, live_lab: LiveLab
) -> None:
    """1.6 sections 5.19 and 5.9; the URLs lead nowhere (port 9): only the requests matter."""
    station(live_lab, "FIRM-16")
    panel = command_panel(page, live_lab, "FIRM-16")
    form = open_form(panel, "firmware-update")
    form.locator("input[name=location]").fill("http://127.0.0.1:9/v2.bin")
    form.locator("input[name=retrieveDate]").fill("2030-03-01T02:00:00")
    form.locator("input[name=retries]").fill("2")
    answer = send(panel, form)
    expect(answer.locator(".answer-status")).to_have_text("accepted")
    expect(answer.locator(".answer-said")).to_contain_text("downloads http://127.0.0.1:9/v2.bin")
    retrieve = datetime(2030, 3, 1, 2).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    assert last_sent(live_lab, "FIRM-16", "UpdateFirmware")["request"] == {
        "location": "http://127.0.0.1:9/v2.bin",
        "retrieveDate": f"{retrieve}Z",
        "retries": 2,
    }

    form = open_form(panel, "diagnostics")
    form.locator("input[name=location]").fill("http://127.0.0.1:9/upload/")
    form.locator("input[name=startTime]").fill("2026-01-01T00:00:00")
    answer = send(panel, form)
    sent = last_sent(live_lab, "FIRM-16", "GetDiagnostics")
    start = datetime(2026, 1, 1).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    assert sent["request"] == {"location": "http://127.0.0.1:9/upload/", "startTime": f"{start}Z"}
    expect(answer.locator(".answer-said")).to_have_text(
        f"The station uploads {sent['response']['fileName']}."
    )


# -- monitoring (2.0.1 N02-N06) ---------------------------------------------------------------


def test_n02_to_n06_monitors_set_based_levelled_cleared_and_reported(
    page: Page, live_lab: LiveLab
) -> None:
    station(live_lab, "MON-201", V201)
    panel = command_panel(page, live_lab, "MON-201")

    form = open_form(panel, "monitoring-set")
    fill_row(form, 0, type="UpperThreshold", value="50000", severity="4")
    row(form, 0).get_by_label("During a transaction only").check()
    fill_row(form, 1, component="OCPPCommCtrlr", variable="HeartbeatInterval", id="7")
    answer = send(panel, form)
    sent = last_sent(live_lab, "MON-201", "SetVariableMonitoring")
    assert sent["request"] == {
        "setMonitoringData": [
            {
                "component": {"name": "EVSE", "evse": {"id": 1}},
                "variable": {"name": "Power"},
                "type": "UpperThreshold",
                "value": 50000,
                "severity": 4,
                "transaction": True,
            },
            {
                "component": {"name": "OCPPCommCtrlr"},
                "variable": {"name": "HeartbeatInterval"},
                "id": 7,
                "type": "Delta",
                "value": 1000,
                "severity": 8,
            },
        ]
    }
    shows_the_station_answer(answer, sent, "monitors-set", "setMonitoringResult")

    form = open_form(panel, "monitoring-base")
    form.locator("select[name=monitoringBase]").select_option("FactoryDefault")
    sent_answer = send(panel, form)
    sent = last_sent(live_lab, "MON-201", "SetMonitoringBase")
    assert sent["request"] == {"monitoringBase": "FactoryDefault"}
    shows_the_station_answer(sent_answer, sent, "none")

    form = open_form(panel, "monitoring-level")
    form.locator("select[name=severity]").select_option("3")
    sent_answer = send(panel, form)
    sent = last_sent(live_lab, "MON-201", "SetMonitoringLevel")
    assert sent["request"] == {"severity": 3}
    shows_the_station_answer(sent_answer, sent, "none")

    form = open_form(panel, "monitoring-clear")
    form.locator("input[name=id]").fill("7, 8")
    sent_answer = send(panel, form)
    sent = last_sent(live_lab, "MON-201", "ClearVariableMonitoring")
    assert sent["request"] == {"id": [7, 8]}
    shows_the_station_answer(sent_answer, sent, "monitors-cleared", "clearMonitoringResult")

    form = open_form(panel, "monitoring-report")
    form.get_by_label("DeltaMonitoring").check()
    fill_row(form, 0, component="OCPPCommCtrlr")
    sent_answer = send(panel, form)
    sent = last_sent(live_lab, "MON-201", "GetMonitoringReport")
    assert without_request_id(sent["request"]) == {
        "monitoringCriteria": ["DeltaMonitoring"],
        "componentVariable": [{"component": {"name": "OCPPCommCtrlr"}}],
    }
    shows_the_station_answer(sent_answer, sent, "monitors")


# -- display messages, cost and transaction status (2.0.1 O, I, E14) --------------------------


def test_o01_o05_a_display_message_set_listed_and_cleared(page: Page, live_lab: LiveLab) -> None:
    station(live_lab, "SHOW-201", V201)
    panel = command_panel(page, live_lab, "SHOW-201")

    form = open_form(panel, "display-message-set")
    form.locator("input[name=id]").fill("5")
    form.locator("select[name=priority]").select_option("InFront")
    form.locator("select[name=state]").select_option("Idle")
    form.locator("input[name=language]").fill("en")
    form.locator("textarea[name=content]").fill("Out of order until noon")
    form.locator("input[name=endDateTime]").fill("2030-01-02T12:00:00")
    answer = send(panel, form)
    sent = last_sent(live_lab, "SHOW-201", "SetDisplayMessage")
    end = datetime(2030, 1, 2, 12, 0, 0).astimezone(UTC)  # the browser's zone is the test's
    assert sent["request"] == {
        "message": {
            "id": 5,
            "priority": "InFront",
            "state": "Idle",
            "endDateTime": end.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "message": {"format": "UTF8", "language": "en", "content": "Out of order until noon"},
        }
    }
    shows_the_station_answer(answer, sent, "none")

    form = open_form(panel, "display-messages-get")
    form.locator("input[name=id]").fill("5")
    form.locator("select[name=priority]").select_option("InFront")
    answer = send(panel, form)
    sent = last_sent(live_lab, "SHOW-201", "GetDisplayMessages")
    assert without_request_id(sent["request"]) == {"id": [5], "priority": "InFront"}
    shows_the_station_answer(answer, sent, "display-messages")

    form = open_form(panel, "display-message-clear")
    form.locator("input[name=id]").fill("5")
    answer = send(panel, form)
    sent = last_sent(live_lab, "SHOW-201", "ClearDisplayMessage")
    assert sent["request"] == {"id": 5}
    shows_the_station_answer(answer, sent, "none")


def test_i_e14_cost_and_status_of_the_running_transaction(page: Page, live_lab: LiveLab) -> None:
    station(live_lab, "COST-201", V201)
    panel = command_panel(page, live_lab, "COST-201")
    live_lab.act("COST-201", lambda s: s.plug(1, 1, ev=LARGE_CAR))
    live_lab.act("COST-201", lambda s: s.present_id_token("TAG-COST", 1))
    running = page.locator("table.transactions tbody tr[data-state=active]")
    transaction_id = running.get_attribute("data-transaction", timeout=LIVE_MS)

    # The running transaction is the forms' default: nothing to type but the cost.
    form = open_form(panel, "cost-updated")
    expect(form.locator("input[name=transactionId]")).to_have_value(transaction_id or "")
    form.locator("input[name=totalCost]").fill("4.75")
    answer = send(panel, form)
    sent = last_sent(live_lab, "COST-201", "CostUpdated")
    assert sent["request"] == {"totalCost": 4.75, "transactionId": transaction_id}
    shows_the_station_answer(answer, sent, "none")

    form = open_form(panel, "transaction-status")
    form.locator("input[name=transactionId]").fill(transaction_id or "")
    answer = send(panel, form)
    sent = last_sent(live_lab, "COST-201", "GetTransactionStatus")
    assert sent["request"] == {"transactionId": transaction_id}
    shows_the_station_answer(answer, sent, "none")
    if sent["outcome"] == "answered":
        expect(answer.locator(".answer-said")).to_contain_text("still going on")


# -- smart charging (1.6 section 5.16, 2.0.1 K01, K08-K10) -------------------------------------


def test_a_schedules_labels_are_the_size_of_the_text_on_a_phone(
    browser: Browser, browser_context_args: dict[str, Any], live_lab: LiveLab
) -> None:
    """The schedule is drawn at its rendered width: an 11 px label is about 13 px tall on a
    390 px screen too (scaled down whole, it was about 8)."""
    station(live_lab, "SCHEDULE-390", V201)
    context = browser.new_context(
        **{**browser_context_args, "viewport": {"width": 390, "height": 844}}
    )
    try:
        page = context.new_page()
        panel = command_panel(page, live_lab, "SCHEDULE-390")
        form = open_form(panel, "charging-profile")
        labels = form.locator(".form-preview svg.schedule-plot text")
        expect(labels.first).to_be_visible()
        page.wait_for_function(
            """() => {
                const svg = document.querySelector(".form-preview svg.schedule-plot");
                return Math.abs(svg.viewBox.baseVal.width - svg.getBoundingClientRect().width) < 1;
            }""",
            timeout=LIVE_MS,
        )
        heights: list[float] = labels.evaluate_all(
            "texts => texts.map((t) => t.getBoundingClientRect().height)"
        )
        assert min(heights) >= 10, heights
    finally:
        context.close()


def test_k01_k09_a_recurring_profile_drawn_as_typed_sent_and_listed(
    page: Page, live_lab: LiveLab
) -> None:
    model = station(live_lab, "PROFILE-201", V201)
    panel = command_panel(page, live_lab, "PROFILE-201")
    form = open_form(panel, "charging-profile")
    preview = form.locator(".form-preview svg.schedule-plot")
    expect(preview).to_have_attribute("aria-label", "Schedule to send: 2 periods")
    expect(form.locator("select[name=recurrency]")).to_be_hidden()  # Relative: no recurrency

    form.locator("input[name=id]").fill("31")
    form.locator("input[name=stackLevel]").fill("2")
    form.locator("select[name=kind]").select_option("Recurring")
    form.locator("select[name=recurrency]").select_option("Weekly")
    form.locator("input[name=startSchedule]").fill("2030-01-07T06:00:00")
    form.locator("select[name=chargingRateUnit]").select_option("W")
    form.locator("input[name=duration]").fill("86400")
    form.locator("input[name=minChargingRate]").fill("1000")
    form.locator("input[name=validFrom]").fill("2030-01-01T00:00:00")
    form.locator("input[name=validTo]").fill("2031-01-01T00:00:00")
    fill_row(form, 0, startPeriod="0", limit="11000", numberPhases="3")
    fill_row(form, 1, startPeriod="28800", limit="7400", numberPhases="1")
    fill_row(form, 2, startPeriod="100", limit="22000")
    # Drawn as typed, with what is wrong before anything is sent.
    expect(preview).to_have_attribute("aria-label", "Schedule to send: 3 periods")
    expect(form.locator(".preview-problem")).to_have_text(
        "Not sent as it is: periods start in increasing order."
    )
    expect(form.locator(".preview-words")).to_contain_text("Recurring weekly TxDefaultProfile")
    fill_row(form, 2, startPeriod="64800")
    expect(form.locator(".preview-problem")).to_have_count(0)
    expect(preview.locator("text.phases")).to_have_count(2)

    answer = send(panel, form)
    expect(answer.locator(".answer-status")).to_have_text("accepted")
    [(evse_id, profile)] = model.model.profiles.profiles()
    schedule = profile.schedules[0]
    assert (evse_id, profile.id, profile.stack_level) == (1, 31, 2)
    assert (profile.kind.value, profile.recurrency_kind.value) == ("Recurring", "Weekly")
    assert profile.valid_from == datetime(2030, 1, 1).astimezone(UTC)
    assert profile.valid_to == datetime(2031, 1, 1).astimezone(UTC)
    assert schedule.start_schedule == datetime(2030, 1, 7, 6).astimezone(UTC)
    assert (schedule.duration, schedule.min_charging_rate) == (86400, 1000)
    assert [(p.start_period, p.limit, p.number_phases) for p in schedule.periods] == [
        (0, 11000, 3),
        (28800, 7400, 1),
        (64800, 22000, None),
    ]

    form = open_form(panel, "charging-profiles-get")
    form.locator("input[name=evseId]").fill("1")
    form.locator("select[name=chargingProfilePurpose]").select_option("TxDefaultProfile")
    answer = send(panel, form)
    expect(answer.locator(".answer-status")).to_have_text("Accepted")
    listed = answer.locator("table.result[data-result=charging-profiles] tbody tr")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("Recurring Weekly")
    expect(listed).to_contain_text("11000 W from 0 s; 7400 W from 28800 s; 22000 W from 64800 s")
    assert without_request_id(
        last_sent(live_lab, "PROFILE-201", "GetChargingProfiles")["request"]
    ) == {
        "evseId": 1,
        "chargingProfile": {"chargingProfilePurpose": "TxDefaultProfile"},
    }


def test_k08_k10_profiles_cleared_by_purpose_and_stack_level(page: Page, live_lab: LiveLab) -> None:
    model = station(live_lab, "CLEAR-16")  # a DC station: its schedules are in watts
    panel = command_panel(page, live_lab, "CLEAR-16")
    form = open_form(panel, "charging-profile")
    form.locator("select[name=chargingRateUnit]").select_option("W")
    for profile_id, stack_level, limit in (("1", "0", "50000"), ("2", "1", "22000")):
        form.locator("input[name=id]").fill(profile_id)
        form.locator("input[name=stackLevel]").fill(stack_level)
        fill_row(form, 0, limit=limit)
        expect(send(panel, form).locator(".answer-status")).to_have_text("accepted")
    assert sorted(p.id for _, p in model.model.profiles.profiles()) == [1, 2]

    form = open_form(panel, "charging-profile-clear")
    form.locator("input[name=connectorId]").fill("1")
    form.locator("select[name=purpose]").select_option("TxDefaultProfile")
    form.locator("input[name=stackLevel]").fill("1")
    answer = send(panel, form)
    expect(answer.locator(".answer-status")).to_have_text("accepted")
    assert last_sent(live_lab, "CLEAR-16", "ClearChargingProfile")["request"] == {
        "connectorId": 1,
        "chargingProfilePurpose": "TxDefaultProfile",
        "stackLevel": 1,
    }
    assert [p.id for _, p in model.model.profiles.profiles()] == [1]

    # The one left is the schedule the station follows, drawn.
    form = open_form(panel, "composite-schedule")
    form.locator("select[name=chargingRateUnit]").select_option("W")
    answer = send(panel, form)
    expect(answer.locator(".answer-status")).to_have_text("accepted")
    expect(answer.locator("svg.schedule-plot path.schedule-line")).to_have_count(1)

    form = open_form(panel, "charging-profile-clear")
    form.locator("input[name=connectorId]").fill("")
    form.locator("select[name=purpose]").select_option("")
    form.locator("input[name=stackLevel]").fill("")
    form.locator("input[name=id]").fill("99")
    answer = send(panel, form)
    expect(answer.locator(".answer-status")).to_have_text("unknown")  # no profile 99
    assert [p.id for _, p in model.model.profiles.profiles()] == [1]


# -- reservations and the local list (1.6 sections 5.13, 5.15, 5.11; 2.0.1 H01, D01, D02) ------


@pytest.mark.parametrize("version", [V16, V201], ids=lambda version: version.name)
def test_a_reservation_and_its_cancel_show_in_the_command_history(
    page: Page, live_lab: LiveLab, version: VersionSpec
) -> None:
    identity = f"RES-{version.name}"
    station(live_lab, identity, version)
    panel = command_panel(page, live_lab, identity)
    answer = send(panel, open_form(panel, "reservation"))
    expect(answer.locator(".answer-status")).to_have_text("accepted")
    full_answer = answer.locator("pre").text_content() or ""
    reservation_id = re.search(r'"reservationId": (\d+)', full_answer)
    assert reservation_id is not None

    form = open_form(panel, "reservation-cancel")
    form.locator("input[name=reservationId]").fill(reservation_id[1])
    answer = send(panel, form)
    expect(answer.locator(".answer-status")).to_have_text("accepted")

    history = panel.locator(".command-history tbody tr")
    expect(history.nth(0)).to_contain_text("CancelReservation", timeout=LIVE_MS)
    expect(history.nth(1)).to_contain_text("ReserveNow")
    expect(history.nth(1)).to_contain_text("answered · Accepted")


def test_h01_a_2_0_1_reservation_of_a_connector_type(page: Page, live_lab: LiveLab) -> None:
    model = station(live_lab, "TYPE-201", V201)
    panel = command_panel(page, live_lab, "TYPE-201")
    form = open_form(panel, "reservation")
    form.locator("input[name=connectorId]").fill("2")
    form.locator("input[name=idTag]").fill("TAG-TYPE")
    form.locator("select[name=connectorType]").select_option("cCCS2")
    form.locator("input[name=reservationId]").fill("4242")
    answer = send(panel, form)
    expect(answer.locator(".answer-status")).to_have_text("accepted")
    reservation = model.model.reservations.get(4242)
    assert (reservation.evse_id, reservation.connector_type) == (2, "cCCS2")
    assert reservation.id_token.value == "TAG-TYPE"
    request = last_sent(live_lab, "TYPE-201", "ReserveNow")["request"]
    assert (request["evseId"], request["connectorType"]) == (2, "cCCS2")

    # A type no connector of the EVSE has: refused, and nothing more is held.
    form.locator("select[name=connectorType]").select_option("cType2")
    form.locator("input[name=reservationId]").fill("4243")
    answer = send(panel, form)
    expect(answer.locator(".answer-status")).not_to_have_text("accepted")
    assert model.model.reservations.get(4243) is None


def test_a_1_6_charger_is_offered_no_2_0_1_form_or_field(page: Page, live_lab: LiveLab) -> None:
    station(live_lab, "OLD-16")
    panel = command_panel(page, live_lab, "OLD-16")
    groups = panel.locator(".command-groups button:visible")
    expect(groups).to_have_text(
        ["Station", "Sessions", "Local list", "Smart charging", "Certificates", "Raw"]
    )
    form = open_form(panel, "reservation")
    expect(form.locator("select[name=connectorType]")).to_be_hidden()
    panel.locator(".command-groups button[data-group='Smart charging']").click()
    expect(panel.locator(".command-menu button[data-show=charging-profiles-get]")).to_be_hidden()


def test_d01_d02_a_full_list_a_differential_update_and_its_version(
    page: Page, live_lab: LiveLab
) -> None:
    model = station(live_lab, "LIST-16")
    panel = command_panel(page, live_lab, "LIST-16")
    form = open_form(panel, "local-list")
    fill_row(form, 0, idTag="TAG-1")
    fill_row(form, 1, idTag="TAG-2", status="Blocked", parentIdTag="FLEET-1")
    fill_row(form, 2, idTag="TAG-3", expiryDate="2030-06-01T08:00:00")
    answer = send(panel, form)
    expect(answer.locator(".answer-status")).to_have_text("accepted")
    expect(answer.locator(".answer-said")).to_have_text(
        "3 entries sent; the list is version 1 if accepted."
    )

    # Differential: TAG-2 removed (no status), TAG-4 added, the others kept.
    form.locator("input[name=listVersion]").fill("2")
    form.locator("select[name=updateType]").select_option("Differential")
    fill_row(form, 0, idTag="TAG-2", status="")
    fill_row(form, 1, idTag="TAG-4", status="Accepted", parentIdTag="")
    form.locator(".rows-row").nth(2).get_by_role("button", name="Remove this entry").click()
    answer = send(panel, form)
    expect(answer.locator(".answer-status")).to_have_text("accepted")
    assert last_sent(live_lab, "LIST-16", "SendLocalList")["request"] == {
        "listVersion": 2,
        "updateType": "Differential",
        "localAuthorizationList": [
            {"idTag": "TAG-2"},
            {"idTag": "TAG-4", "idTagInfo": {"status": "Accepted"}},
        ],
    }
    held = model.model.local_list.entries()
    assert sorted(token.value for token in held) == ["TAG-1", "TAG-3", "TAG-4"]
    assert held[IdToken("TAG-3")].expires_at == datetime(2030, 6, 1, 8).astimezone(UTC)

    answer = send(panel, open_form(panel, "local-list-version"))
    expect(answer.locator(".answer-said")).to_have_text("The station's local list is version 2.")


def test_m05_a_text_that_is_not_a_certificate_is_refused_saying_why(
    page: Page, live_lab: LiveLab
) -> None:
    station(live_lab, "CERT-16")
    panel = command_panel(page, live_lab, "CERT-16")
    form = open_form(panel, "certificates-install")
    form.locator("select[name=certificateType]").select_option("ManufacturerRootCertificate")
    form.locator("textarea[name=certificate]").fill("MIIBZDCCAQmgAwIBAgIU, not a PEM text")
    answer = send(panel, form)
    expect(answer).to_have_attribute("data-kind", "error")
    expect(answer).to_contain_text("certificate: not a PEM certificate (no BEGIN CERTIFICATE line)")
    history = api(live_lab, "/chargers/CERT-16/commands", action="InstallCertificate")
    assert history["data"] == []  # nothing was sent


# -- the escape hatches ---------------------------------------------------------------------------


def test_a_raw_call_shows_the_station_answer_as_it_came(page: Page, live_lab: LiveLab) -> None:
    station(live_lab, "RAW-1")
    panel = command_panel(page, live_lab, "RAW-1")
    form = open_form(panel, "call")
    form.locator("input[name=action]").fill("GetLocalListVersion")
    send(panel, form)
    expect(panel.locator("pre.raw-answer")).to_contain_text('"listVersion"')

    form.locator("textarea[name=payload]").fill("{not json")
    answer = send(panel, form)
    expect(answer).to_contain_text("the payload is not JSON")


def test_a_2_0_1_operation_picked_from_the_api_s_list_with_its_example(
    page: Page, live_lab: LiveLab
) -> None:
    station(live_lab, "OPS-201", V201)
    panel = command_panel(page, live_lab, "OPS-201")
    form = open_form(panel, "operation-201")
    form.locator("select[name=operation]").select_option(label="Get variables")
    expect(form.locator("textarea[name=body]")).to_have_value(re.compile("getVariableData"))
    send(panel, form)
    expect(panel.locator("pre.raw-answer")).to_contain_text("getVariableResult")

    form.locator("select[name=operation]").select_option(label="Get base report")
    send(panel, form)
    expect(panel.locator("pre.raw-answer")).to_contain_text('"reportData"')  # the parts came


def test_a_2_1_operation_is_offered_to_a_2_1_charger_only(page: Page, live_lab: LiveLab) -> None:
    station(live_lab, "OPS-21", V21)
    panel = command_panel(page, live_lab, "OPS-21")
    form = open_form(panel, "operation-21")
    form.locator("select[name=operation]").select_option(label="Get periodic event streams")
    expect(form.locator("textarea[name=body]")).to_have_value("{}")
    send(panel, form)
    expect(panel.locator("pre.raw-answer")).to_contain_text('"response"')

    station(live_lab, "OPS-201", V201)
    panel = command_panel(page, live_lab, "OPS-201")
    panel.locator(".command-groups button[data-group='Raw']").click()
    expect(panel.locator(".command-menu button[data-show=operation-201]")).to_be_visible()
    expect(panel.locator(".command-menu button[data-show=operation-21]")).to_be_hidden()


# -- the command history ----------------------------------------------------------------------


def test_the_command_history_pages_filters_and_opens_one_entry(
    page: Page, live_lab: LiveLab
) -> None:
    station(live_lab, "HIST-1")

    def post(path: str, body: dict[str, Any]) -> None:
        sent = httpx.post(
            f"{live_lab.base}/api/v1/chargers/HIST-1/{path}",
            json=body,
            headers={"X-API-Key": live_lab.api_key},
            timeout=10.0,
        )
        assert sent.status_code == 200, sent.text

    for _ in range(11):
        post("trigger", {"requestedMessage": "Heartbeat"})
    post("reservation/cancel", {"reservationId": 999})  # none such: Rejected
    panel = command_panel(page, live_lab, "HIST-1")
    # The thirteenth, answered with a CALLERROR (1.6 section 9.1 GetConfigurationMaxKeys).
    live_lab.act("HIST-1", lambda s: s.config.record("GetConfigurationMaxKeys", "1"))
    form = open_form(panel, "configuration-get")
    form.locator("input[name=key]").fill("HeartbeatInterval, MeterValueSampleInterval")
    answer = send(panel, form)
    # 1.6 spells the code so (OCPP-J 1.6 section 4.2.3).
    expect(answer.locator(".answer-status")).to_have_text("OccurenceConstraintViolation")
    expect(answer).to_contain_text("at most 1 keys per request")

    history = panel.locator(".command-history")
    rows = history.locator("tbody tr")
    pages = history.get_by_role("navigation", name="Pages of sent commands")
    expect(pages.locator(".pager-range")).to_have_text("1\N{EN DASH}10 of 13", timeout=LIVE_MS)
    expect(rows).to_have_count(10)
    expect(rows.first).to_have_attribute("data-outcome", "callError")
    pages.get_by_role("button", name="Next page of sent commands").click()
    expect(pages.locator(".pager-range")).to_have_text("11\N{EN DASH}13 of 13")
    expect(rows).to_have_count(3)

    history.locator("summary").click()
    history.get_by_label("Outcome").select_option("callError")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("GetConfiguration")
    expect(history.locator("summary")).to_contain_text("(1 set)")
    history.get_by_label("Outcome").select_option("")
    history.get_by_label("Status").fill("Rejected")
    history.get_by_label("Status").press("Enter")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("CancelReservation")
    history.get_by_label("Status").fill("")
    history.get_by_label("Action").fill("TriggerMessage")
    history.get_by_label("Action").press("Enter")
    expect(pages.locator(".pager-range")).to_have_text("1\N{EN DASH}10 of 11")
    history.get_by_label("Sent from").fill("2030-01-01T00:00:00")  # a window yet to come
    history.get_by_label("Sent from").press("Enter")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_text("No command matches the filters")
    history.get_by_role("button", name="Last hour").click()
    expect(history.locator("h3 .count")).to_have_text("11")
    history.get_by_role("button", name="Clear filters").click()
    expect(history.locator("h3 .count")).to_have_text("13")

    # One entry, whole: the request and the answer as the API keeps them.
    [newest] = api(live_lab, "/chargers/HIST-1/commands", action="TriggerMessage", limit=1)["data"]
    rows.nth(2).get_by_role("button", name=re.compile("^Details of TriggerMessage")).click()
    expect(rows.nth(2)).to_have_class(re.compile(r"\bopened\b"))
    detail = history.locator(".command-detail")
    expect(detail.locator("h4")).to_have_text("TriggerMessage · answered · Accepted")
    expect(detail).to_contain_text("POST /api/v1/chargers/{chargeBoxId}/trigger")
    expect(detail.locator("pre.command-request")).to_have_text(
        json.dumps(newest["request"], indent=2)
    )
    expect(detail.locator("pre.command-response")).to_have_text(
        json.dumps(newest["response"], indent=2)
    )
    assert (newest["request"], newest["response"]) == (
        {"requestedMessage": "Heartbeat"},
        {"status": "Accepted"},
    )
    detail.get_by_role("button", name="Close the command's details").click()
    expect(detail).to_be_hidden()


# -- layout ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [1366, 390])
def test_the_widest_forms_and_answers_fit_the_screen(
    browser: Browser, browser_context_args: dict[str, Any], live_lab: LiveLab, width: int
) -> None:
    identity = f"FIT-{width}"
    station(live_lab, identity, V201)
    context = browser.new_context(
        **{**browser_context_args, "viewport": {"width": width, "height": 844}}
    )
    try:
        page = context.new_page()
        panel = command_panel(page, live_lab, identity)
        for name in ("variables-set", "monitoring-set", "charging-profile", "local-list"):
            form = open_form(panel, name)
            form.locator("button.row-add").click()
            assert cut_off(page) == [], name
        send(panel, open_form(panel, "report-base"))  # the widest answer: a whole report
        panel.locator(".command-history summary").click()
        panel.locator(".command-history tbody tr button.link").first.click()
        expect(panel.locator(".command-detail pre").first).to_be_visible()
        assert cut_off(page) == []
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        # Beside the view the panel scrolls on its own, down but never sideways.
        assert panel.evaluate("panel => panel.scrollWidth - panel.clientWidth") <= 0
    finally:
        context.close()
