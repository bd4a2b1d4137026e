"""``/ocpp/locations/{location_id}/chargers``: chargers created in bulk by a background job
(202 at once, even for a thousand), listed, changed and deleted together; validation, roles
and tenant isolation."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from chargeyard.api.tokens import Role
from chargeyard.gateway.provisioning import BulkBatch, Provisioner
from chargeyard.protocol import V16
from tests.api.gateway_chargers_lab import (
    CHARGERS,
    OTHER_ORG,
    accepted_by_csms,
    charger_lab,
    create_charger,
    location,
    provisioner_idle,
)
from tests.api.gateway_fleet import ORG
from tests.stack_lab import StackLab


@pytest.fixture
async def lab(tmp_path: Path) -> AsyncIterator[StackLab]:
    async with charger_lab(tmp_path) as lab:
        yield lab


def _item(lab: StackLab, number: int | None = None, **overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "template": {
            "brand_slug": "alfen",
            "model_slug": "eve-single-pro-line",
            "connector_type": "sType2",
            "ws_url": lab.csms_url,
            "ocpp_version": "OCPP1.6",
            "identity_prefix": "CP-PARIS",
            "template_name": "AC bay",
        },
        **overrides,
    }
    if number is not None:
        item["chargers_number"] = number
    return item


async def _submit(lab: StackLab, location_id: str, body: Any, status: int = 202) -> Any:
    response = await lab.client.post(f"/ocpp/locations/{location_id}/chargers", json=body)
    assert response.status_code == status, response.text
    return response.json()


async def _job(lab: StackLab, accepted: dict[str, Any]) -> dict[str, Any]:
    """The job once its background work ended."""
    await provisioner_idle(lab, within=30)
    response = await lab.client.get(accepted["status_url"])
    assert response.status_code == 200, response.text
    job: dict[str, Any] = response.json()
    return job


async def _ids(lab: StackLab, location_id: str) -> list[str]:
    response = await lab.client.get(
        f"/ocpp/locations/{location_id}/chargers", params={"limit": 100}
    )
    assert response.status_code == 200, response.text
    return [charger["id"] for charger in response.json()["data"]]


# -- create --------------------------------------------------------------------------------


async def test_running_chargers_are_created_started_and_ready(lab: StackLab) -> None:
    depot = await location(lab)
    accepted = await _submit(lab, depot, [_item(lab, 3)])
    job_id = accepted["job_id"]
    assert re.fullmatch(r"job-[0-9a-f]{12}", job_id)
    assert accepted == {
        "job_id": job_id,
        "status": "PENDING",
        "status_url": f"/ocpp/locations/{depot}/chargers/jobs/{job_id}",
        "workflow_run_id": accepted["workflow_run_id"],
    }

    job = await _job(lab, accepted)
    created = job["results"]["charger_ids"]
    assert job == {
        "job_id": job_id,
        "job_type": "bulk_create_chargers",
        "status": "READY",
        "error": None,
        "results": {"created": 3, "failed": 0, "charger_ids": created, "failures": []},
        "provisioned_at": job["provisioned_at"],
    }
    assert sorted(created) == sorted(await _ids(lab, depot))
    for charger_id in created:
        await accepted_by_csms(lab, charger_id)
        status = (await lab.client.get(f"{CHARGERS}/{charger_id}/status")).json()
        assert (status["status"], status["workflow_run_id"]) == (
            "READY",
            accepted["workflow_run_id"],
        )
    listed = (await lab.client.get(f"/ocpp/locations/{depot}/chargers")).json()["data"]
    assert sorted(c["identity"] for c in listed) == [
        "CP-PARIS-0001",
        "CP-PARIS-0002",
        "CP-PARIS-0003",
    ]
    assert {c["charge_point_name"] for c in listed} == {"AC bay"}


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("NC-HUB-", ["NC-HUB-0001", "NC-HUB-0002"]),  # already ends in a separator
        ("NC-HUB", ["NC-HUB-0001", "NC-HUB-0002"]),
        ("depot_", ["depot_0001", "depot_0002"]),
    ],
)
async def test_numbered_identities_get_one_separator_after_the_prefix(
    lab: StackLab, prefix: str, expected: list[str]
) -> None:
    depot = await location(lab)
    template = {**_item(lab)["template"], "identity_prefix": prefix}
    accepted = await _submit(
        lab, depot, [{"template": template, "chargers_number": 2, "start": False}]
    )
    job = await _job(lab, accepted)
    assert (job["status"], job["results"]["failures"]) == ("READY", [])
    listed = (await lab.client.get(f"/ocpp/locations/{depot}/chargers")).json()["data"]
    assert sorted(c["identity"] for c in listed) == expected


async def test_timing_a_thousand_chargers_answer_202_within_1s_then_all_are_created(
    lab: StackLab,
) -> None:
    """TIMING (generous bound, not a benchmark): 1,000 chargers in one request; the 202 does
    not wait for them, and the job then creates every one (stopped, so that the lab's CSMS is
    not part of the measure; the running case is the test above)."""
    depot = await location(lab)
    began = time.perf_counter()
    accepted = await _submit(lab, depot, [_item(lab, 1000, start=False)])
    elapsed = time.perf_counter() - began
    assert elapsed < 1.0, f"202 took {elapsed:.3f} s"
    assert accepted["status"] == "PENDING"

    job = await _job(lab, accepted)
    assert (job["status"], job["results"]["created"], job["results"]["failed"]) == (
        "READY",
        1000,
        0,
    )
    page = (await lab.client.get(f"/ocpp/locations/{depot}/chargers", params={"limit": 100})).json()
    assert (page["total"], len(page["data"])) == (1000, 100)
    assert await lab.store.chargers.count(ORG, location_id=depot) == 1000


async def test_given_identities_and_taken_ones_are_reported(lab: StackLab) -> None:
    depot = await location(lab)
    await create_charger(lab, "CP-TAKEN", start=False)
    # Another organization's charger of this identity dials the same central system.
    await create_charger(lab, "CP-THEIRS", org=OTHER_ORG, start=False)
    accepted = await _submit(
        lab,
        depot,
        [_item(lab, charger_ids=["CP-A", "CP-TAKEN", "CP-B", "CP-THEIRS"], start=False)],
    )
    job = await _job(lab, accepted)
    assert job["status"] == "FAILED"
    assert job["error"] == {
        "code": "some_failed",
        "message": "2 of the chargers could not be provisioned",
        "retryable": False,
    }
    assert (job["results"]["created"], job["results"]["failed"]) == (2, 2)
    assert job["results"]["failures"] == [
        {
            "charger_id": None,
            "identity": "CP-TAKEN",
            "code": "identity_taken",
            "error": "identity already taken",
        },
        {
            "charger_id": None,
            "identity": "CP-THEIRS",
            "code": "identity_used_by_another_organization",
            "error": "identity used by another organization's charger against the same"
            " central system",
        },
    ]
    assert job["provisioned_at"] is None


async def test_an_identity_another_organization_has_at_the_built_in_csms_is_reported_however_spelt(
    lab: StackLab,
) -> None:
    # CP-THEIRS is another organization's station at the lab's listener (127.0.0.1): the bulk
    # item names the listener otherwise, and that charger fails; the others are made.
    await lab.store.stations.register("CP-THEIRS", organization_id=OTHER_ORG)
    depot = await location(lab)
    port = lab.csms_url.rsplit(":", 1)[1].split("/")[0]
    template = _item(lab)["template"] | {"ws_url": f"ws://0x7f.1:{port}/ocpp"}
    accepted = await _submit(
        lab,
        depot,
        [{"template": template, "charger_ids": ["CP-OURS", "CP-THEIRS"], "start": False}],
    )
    job = await _job(lab, accepted)
    assert (job["results"]["created"], job["results"]["failed"]) == (1, 1)
    assert [(f["identity"], f["code"]) for f in job["results"]["failures"]] == [
        ("CP-THEIRS", "identity_used_by_another_organization")
    ]
    owners = {s.charge_box_id: s.organization_id for s in await lab.store.stations.list()}
    assert owners == {"CP-THEIRS": OTHER_ORG, "CP-OURS": ORG}


@pytest.mark.parametrize(
    ("body", "loc", "words"),
    [
        ([], ["body"], "at least 1"),
        ([{"template": {}}], ["body", 0, "template", "brand_slug"], "required"),
        (None, ["body", 1, "template", "model_slug"], "unknown model"),
        ("no-count", ["body", 0], "chargers_number or charger_ids"),
        ("too-many", ["body"], "at most 5000"),
        ("twice", ["body", 1], "more than once"),
    ],
)
async def test_invalid_requests_are_422_and_store_nothing(
    lab: StackLab, body: Any, loc: list[Any], words: str
) -> None:
    depot = await location(lab)
    if body is None:
        unknown = {**_item(lab)["template"], "model_slug": "x"}
        body = [_item(lab, 1), _item(lab, 1, template=unknown)]
    elif body == "no-count":
        body = [_item(lab)]
    elif body == "too-many":
        other_prefix = {**_item(lab)["template"], "identity_prefix": "CP-LYON"}
        body = [_item(lab, 3000), _item(lab, 3000, template=other_prefix)]
    elif body == "twice":
        body = [_item(lab, 2), _item(lab, 1)]
    answer = await _submit(lab, depot, body, 422)
    problem = answer["detail"][0]
    assert problem["loc"][: len(loc)] == loc, problem
    assert words in problem["msg"]
    assert await lab.store.chargers.count(ORG) == 0


# -- list, update, delete ------------------------------------------------------------------


async def _three(lab: StackLab) -> tuple[str, list[str]]:
    depot = await location(lab)
    job = await _job(lab, await _submit(lab, depot, [_item(lab, 3, start=False)]))
    return depot, sorted(job["results"]["charger_ids"])


async def test_list_with_a_charger_ids_filter(lab: StackLab) -> None:
    depot, ids = await _three(lab)
    url = f"/ocpp/locations/{depot}/chargers"
    comma = (await lab.client.get(url, params={"charger_ids": f"{ids[0]},{ids[2]}"})).json()
    assert ([c["id"] for c in comma["data"]], comma["total"]) == ([ids[0], ids[2]], 2)
    repeated = (await lab.client.get(url, params=[("charger_ids", ids[1])])).json()
    assert [c["id"] for c in repeated["data"]] == [ids[1]]


async def test_bulk_update_changes_the_named_chargers_only(lab: StackLab) -> None:
    depot, ids = await _three(lab)
    url = f"/ocpp/locations/{depot}/chargers"
    response = await lab.client.put(
        url, json={"charger_ids": ids[:2], "ws_url": "wss://csms.example.com/ocpp"}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"updated_count": 2, "charger_ids": ids[:2]}
    urls = {c["id"]: c["ws_url"] for c in (await lab.client.get(url)).json()["data"]}
    assert urls == {
        ids[0]: "wss://csms.example.com/ocpp",
        ids[1]: "wss://csms.example.com/ocpp",
        ids[2]: lab.csms_url,
    }
    everyone = await lab.client.put(url, json={"ocpp_version": "ocpp2.0.1"})
    assert everyone.json()["updated_count"] == 3
    elsewhere = (await create_charger(lab, "CP-ELSEWHERE", start=False))["charger_id"]
    response = await lab.client.put(
        url, json={"charger_ids": [ids[0], elsewhere], "ws_url": "ws://x/o"}
    )
    assert response.status_code == 404
    assert elsewhere in response.json()["detail"]
    response = await lab.client.put(url, json={"charger_ids": ids})
    assert response.status_code == 422
    assert "nothing to change" in response.json()["detail"][0]["msg"]


async def test_bulk_delete_stops_and_removes_the_named_chargers(lab: StackLab) -> None:
    depot = await location(lab)
    job = await _job(lab, await _submit(lab, depot, [_item(lab, 3)]))
    ids = sorted(job["results"]["charger_ids"])
    url = f"/ocpp/locations/{depot}/chargers"
    response = await lab.client.delete(url, params={"charger_ids": ",".join(ids[:2])})
    assert (response.status_code, response.content) == (204, b"")
    assert await _ids(lab, depot) == [ids[2]]
    assert lab.host.hosted() == [ids[2]]
    response = await lab.client.delete(url, params={"charger_ids": "dep-000000000000"})
    assert response.status_code == 404
    response = await lab.client.delete(url)
    assert response.status_code == 422


@pytest.mark.parametrize("bad", ["\x00", "dep-1\x1f", "ok,\x7f"])
async def test_a_charger_id_with_a_control_character_is_422_and_nothing_is_deleted(
    lab: StackLab, bad: str
) -> None:
    # PostgreSQL refuses a whole query with a NUL in it: refused before the store is asked.
    depot = await location(lab)
    job = await _job(lab, await _submit(lab, depot, [_item(lab, 1)]))
    url = f"/ocpp/locations/{depot}/chargers"
    for method in ("GET", "DELETE"):
        response = await lab.client.request(method, url, params={"charger_ids": bad})
        assert response.status_code == 422, (method, response.text)
        assert response.json()["detail"][0]["loc"] == ["query", "charger_ids", 0]
    assert await _ids(lab, depot) == job["results"]["charger_ids"]


# -- roles and tenants ---------------------------------------------------------------------


async def test_another_organization_cannot_see_or_touch_the_location(lab: StackLab) -> None:
    depot, ids = await _three(lab)
    accepted_url = f"/ocpp/locations/{depot}/chargers"
    them = lab.headers(Role.ADMIN, OTHER_ORG)
    other_prefix = {**_item(lab)["template"], "identity_prefix": "CP-LYON"}
    accepted = await _submit(lab, depot, [_item(lab, 1, start=False, template=other_prefix)])
    job_id = (await _job(lab, accepted))["job_id"]
    for method, path, kwargs in [
        ("GET", accepted_url, {}),
        ("POST", accepted_url, {"json": [_item(lab, 1)]}),
        ("PUT", accepted_url, {"json": {"ws_url": "ws://x/o"}}),
        ("DELETE", accepted_url, {"params": {"charger_ids": ids[0]}}),
        ("GET", f"{accepted_url}/jobs/{job_id}", {}),
    ]:
        response = await lab.client.request(method, path, headers=them, **kwargs)
        assert response.status_code == 404, (method, path, response.text)
    # Their own location does not reach ours either.
    theirs = await location(lab, OTHER_ORG)
    response = await lab.client.get(
        f"/ocpp/locations/{theirs}/chargers/jobs/{job_id}", headers=them
    )
    assert response.status_code == 404
    response = await lab.client.delete(
        f"/ocpp/locations/{theirs}/chargers", params={"charger_ids": ids[0]}, headers=them
    )
    assert response.status_code == 404
    assert await lab.store.chargers.count(ORG, location_id=depot) == 4


async def test_viewers_read_operators_write_strangers_are_401(lab: StackLab) -> None:
    depot, ids = await _three(lab)
    url = f"/ocpp/locations/{depot}/chargers"
    viewer = lab.headers(Role.VIEWER)
    assert (await lab.client.get(url, headers=viewer)).status_code == 200
    for method, kwargs in [
        ("POST", {"json": [_item(lab, 1)]}),
        ("PUT", {"json": {"ws_url": "ws://x/o"}}),
        ("DELETE", {"params": {"charger_ids": ids[0]}}),
    ]:
        response = await lab.client.request(method, url, headers=viewer, **kwargs)
        assert response.status_code == 403, response.text
        response = await lab.client.request(method, url, headers={"Authorization": ""}, **kwargs)
        assert response.status_code == 401
    assert await lab.store.chargers.count(ORG) == 3


async def test_a_stored_charger_that_cannot_run_fails_the_job_and_its_own_status(
    lab: StackLab,
) -> None:
    # The API validates templates up front; a batch handed to the provisioner directly can
    # still hold one the fleet cannot build.
    depot = await location(lab)
    provisioner = Provisioner(lab.store, lab.host)
    good = {
        "identity": "CP-GOOD",
        "ocpp_version": V16,
        "csms_url": lab.csms_url,
        "location_id": depot,
        "template": "alfen/eve-single-pro-line",
    }
    bad = {**good, "identity": "CP-BAD", "template": "nobody/nothing"}
    job = await provisioner.create_chargers(ORG, depot, [BulkBatch([good, bad], True)], {})
    await provisioner.wait_idle()

    answer = (await lab.client.get(f"/ocpp/locations/{depot}/chargers/jobs/{job.id}")).json()
    assert (answer["status"], answer["error"]["code"]) == ("FAILED", "some_failed")
    assert (answer["results"]["created"], answer["results"]["failed"]) == (1, 1)
    [failure] = answer["results"]["failures"]
    assert (failure["identity"], failure["code"]) == ("CP-BAD", "invalid_definition")
    assert "nobody" in failure["error"]

    bad_status = (await lab.client.get(f"{CHARGERS}/{failure['charger_id']}/status")).json()
    assert (bad_status["status"], bad_status["error"]["retryable"]) == ("FAILED", False)
    assert "nobody" in bad_status["error"]["message"]
    bad_charger = (await lab.client.get(f"{CHARGERS}/{failure['charger_id']}")).json()
    assert (bad_charger["runtime_status"], bad_charger["runtime"]) == ("failed", None)
    [good_id] = answer["results"]["charger_ids"]
    good_status = (await lab.client.get(f"{CHARGERS}/{good_id}/status")).json()
    assert (good_status["status"], good_status["error"]) == ("READY", None)
    await accepted_by_csms(lab, good_id)
