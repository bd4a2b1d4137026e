"""A Basic password a command sets is the station's once it took it, whichever command sent
it (OCPP 2.0.1 A01.FR.03 and A01.FR.04; the 1.6 security whitepaper's A01 with
ChangeConfiguration of AuthorizationKey), and is not kept in clear in the command history
(A01.FR.09)."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import ApiLab

OLD, NEW = "0123456789abcdef0123", "fedcba9876543210fedc"


def _answering(status: str) -> Any:
    def answer(call: list[Any]) -> list[Any]:
        if call[2] == "SetVariables":
            results = [
                {**{k: item[k] for k in ("component", "variable")}, "attributeStatus": status}
                for item in call[3]["setVariableData"]
            ]
            return [3, call[1], {"setVariableResult": results}]
        return [3, call[1], {"status": status}]

    return answer


async def _station(lab: ApiLab, identity: str, status: str, subprotocol: str = "ocpp1.6") -> None:
    await lab.raw_peer(identity, _answering(status), subprotocol)
    await lab.store.stations.set_password(identity, OLD)


async def test_a01_fr_03_configuration_change_of_authorization_key_accepted_is_kept(
    lab: ApiLab,
) -> None:
    await _station(lab, "CP-1", "Accepted")
    body = {"key": "AuthorizationKey", "value": NEW}
    response = await lab.post("CP-1", "configuration/change", body)
    assert (response.status_code, response.json()["status"]) == (200, "Accepted")
    assert await lab.store.stations.verify_password("CP-1", NEW)
    assert not await lab.store.stations.verify_password("CP-1", OLD)


async def test_a01_fr_04_a_password_the_station_refused_changes_nothing(lab: ApiLab) -> None:
    await _station(lab, "CP-1", "Rejected")
    body = {"key": "AuthorizationKey", "value": NEW}
    response = await lab.post("CP-1", "configuration/change", body)
    assert (response.status_code, response.json()["status"]) == (200, "Rejected")
    assert await lab.store.stations.verify_password("CP-1", OLD)


async def test_a01_fr_03_set_variables_of_basic_auth_password_by_raw_call_is_kept(
    lab: ApiLab,
) -> None:
    await _station(lab, "CP-201", "Accepted", "ocpp2.0.1")
    password = {
        "component": {"name": "SecurityCtrlr"},
        "variable": {"name": "BasicAuthPassword"},
        "attributeValue": NEW,
    }
    body = {"action": "SetVariables", "payload": {"setVariableData": [password]}}
    response = await lab.post("CP-201", "call", body)
    assert response.status_code == 200
    assert await lab.store.stations.verify_password("CP-201", NEW)


async def test_a01_fr_09_the_command_history_keeps_the_password_masked(lab: ApiLab) -> None:
    await _station(lab, "CP-1", "Accepted")
    body = {"action": "ChangeConfiguration", "payload": {"key": "AuthorizationKey", "value": NEW}}
    assert (await lab.post("CP-1", "call", body)).status_code == 200
    page = (await lab.client.get("/api/v1/chargers/CP-1/commands")).json()
    [entry] = page["data"]
    assert entry["request"] == {"key": "AuthorizationKey", "value": "********"}
    assert NEW not in str(page)
