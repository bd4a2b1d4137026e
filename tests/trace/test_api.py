"""The trace endpoints: the gateway's ``GET /ocpp/chargers/{id}/trace`` (Bearer token, the
charger's frames seen from its station) and the CSMS's ``GET /api/v1/chargers/{chargeBoxId}/
trace`` (API key, the same conversation seen from the central system, directions turned to
the station's), with each API's errors; a CSMS trace replayed against the CSMS it was
recorded on differs in nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from chargeyard.api.tokens import Role
from chargeyard.protocol import V16, V201, VersionSpec
from chargeyard.trace import Direction, Trace, loads
from chargeyard.trace.replay import ReplayTarget, replay
from tests.api.gateway_lab import SECRET, bearer
from tests.polling import polled
from tests.stack_lab import OPERATOR_ORG, StackLab

_IN_AN_HOUR = datetime.now(UTC) + timedelta(hours=1)


def _head(trace: Trace) -> list[tuple[Direction, Any]]:
    """The directions and first two CALLs' actions (or answers' kinds) of a trace."""
    return [
        (r.direction, r.message[2] if r.message[0] == 2 else r.message[0])
        for r in trace.records[:4]
        if r.message
    ]


BOOTED = [
    (Direction.STATION_TO_CSMS, "BootNotification"),
    (Direction.CSMS_TO_STATION, 3),
    (Direction.STATION_TO_CSMS, "StatusNotification"),
    (Direction.CSMS_TO_STATION, 3),
]


async def test_the_gateway_exports_a_charger_s_frames_as_a_trace(lab: StackLab) -> None:
    charger = await lab.running("CP-1", V201)

    async def exported() -> tuple[Any, Trace]:
        answer = await lab.client.get(
            f"/ocpp/chargers/{charger.id}/trace", headers=lab.headers(Role.VIEWER)
        )
        assert answer.status_code == 200, answer.text
        return answer, loads(answer.content)

    # The frame log is written behind the conversation: the boot's frames are there soon.
    answer, trace = await polled(exported, lambda got: len(got[1].records) >= 4, within=10)
    assert answer.headers["content-type"] == "application/x-ndjson"
    assert answer.headers["content-disposition"] == 'attachment; filename="CP-1.trace.jsonl"'
    assert (trace.header.version, trace.header.identity, trace.header.source) == (
        V201,
        "CP-1",
        "gateway",
    )
    assert trace.header.extra == {"chargerId": charger.id}
    assert _head(trace) == BOOTED


async def test_the_gateway_s_errors(lab: StackLab) -> None:
    charger = await lab.charger("CP-1")
    path = f"/ocpp/chargers/{charger.id}/trace"
    unknown = await lab.client.get("/ocpp/chargers/dep-nope/trace", headers=lab.headers())
    assert (unknown.status_code, unknown.json()) == (
        404,
        {"detail": "charger 'dep-nope' not found"},
    )
    # Another organization's charger is unknown to it.
    await lab.store.organizations.create("Other", organization_id="org-b")
    other = await lab.client.get(path, headers=lab.headers(org="org-b"))
    assert other.status_code == 404
    assert (await lab.client.get(path)).status_code == 401
    claims = {"sub": "alice", "org": OPERATOR_ORG, "roles": ["superuser"], "exp": _IN_AN_HOUR}
    no_role = await lab.client.get(path, headers=bearer(jwt.encode(claims, SECRET)))
    assert no_role.status_code == 403
    zoneless = await lab.client.get(path + "?start_date=2026-01-01T10:00:00", headers=lab.headers())
    assert zoneless.status_code == 422
    # A charger that never ran has a trace of its header alone.
    empty = loads((await lab.client.get(path, headers=lab.headers())).content)
    assert (empty.header.identity, empty.records) == ("CP-1", ())


@pytest.mark.parametrize("version", [V16, V201], ids=lambda version: version.name)
async def test_the_csms_exports_a_station_s_frames_as_the_station_saw_them(
    lab: StackLab, version: VersionSpec
) -> None:
    await lab.station("CP-7", version)

    async def exported() -> Trace:
        answer = await lab.client.get("/api/v1/chargers/CP-7/trace")
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/x-ndjson"
        return loads(answer.content)

    trace = await polled(exported, lambda trace: len(trace.records) >= 4, within=10, every=0.1)
    assert (trace.header.version, trace.header.identity, trace.header.source) == (
        version,
        "CP-7",
        "csms",
    )
    assert _head(trace) == BOOTED

    # Replayed against the CSMS it was recorded on, as another station: nothing differs.
    result = await replay(trace, ReplayTarget(lab.csms_url, "CP-AGAIN", speed=None))
    assert (result.differences, result.ended) == ([], None)
    assert result.comparison.compared >= 2


async def test_the_csms_s_errors(lab: StackLab) -> None:
    unknown = await lab.client.get("/api/v1/chargers/CP-NONE/trace")
    assert (unknown.status_code, unknown.json()) == (
        404,
        {"detail": "charger CP-NONE not found"},
    )
    await lab.store.stations.register("CP-NEVER")
    never = await lab.client.get("/api/v1/chargers/CP-NEVER/trace")
    assert (never.status_code, never.json()) == (
        409,
        {"detail": "charger CP-NEVER never connected: its OCPP version is unknown"},
    )
    no_key = await lab.client.get("/api/v1/chargers/CP-NEVER/trace", headers={"X-API-Key": ""})
    assert no_key.status_code == 401
    elsewhere = await lab.client.get(
        "/api/v1/chargers/CP-NEVER/trace", headers={"X-Organization-Id": "org-b"}
    )
    assert elsewhere.status_code == 403
