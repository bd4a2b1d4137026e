"""What a tool tells the agent when the API does not answer with success: the API's status
and ``detail`` (a text, or the list of a 422), a proxy's page cut short, an API that cannot
be reached, a credential that was not given. In process, over httpx's mock transport."""

from __future__ import annotations

import httpx
import pytest
from mcp.server.mcpserver.exceptions import ToolError

from chargeyard.mcp_server import ApiRefused, Credentials, LabApi

BOTH = Credentials(api_key="cy_key", token="jwt")


def lab_answering(status: int, **answer: object) -> LabApi:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, **answer)  # type: ignore[arg-type]

    return LabApi("http://lab.test/", BOTH, transport=httpx.MockTransport(handler))


async def test_a_refusal_carries_the_apis_status_and_detail() -> None:
    api = lab_answering(404, json={"detail": "charger dep-1 not found"})
    with pytest.raises(ApiRefused) as refused:
        await api.gateway("GET", "/chargers/dep-1")
    assert str(refused.value) == "the API answered 404: charger dep-1 not found"
    assert refused.value.status == 404


async def test_a_422_lists_each_problem_as_the_api_does() -> None:
    problems = [{"loc": ["body", "type"], "msg": "Input should be 'Soft' or 'Hard'"}]
    api = lab_answering(422, json={"detail": problems})
    with pytest.raises(ApiRefused) as refused:
        await api.csms("POST", "/chargers/CP-1/reset", body={"type": "Medium"})
    assert str(refused.value) == (
        'the API answered 422: [{"loc": ["body", "type"], "msg": "Input should be \'Soft\''
        " or 'Hard'\"}]"
    )


async def test_a_page_that_is_not_json_is_cut_short() -> None:
    api = lab_answering(502, text="<html>" + "x" * 5000)
    with pytest.raises(ApiRefused) as refused:
        await api.csms("GET", "/chargers")
    assert len(str(refused.value)) == len("the API answered 502: ") + 2000


async def test_each_api_is_called_with_its_own_credential_only() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    api = LabApi("http://lab.test", BOTH, transport=httpx.MockTransport(handler))
    await api.csms("GET", "/chargers", params={"status": None, "limit": 5})
    await api.gateway("GET", "/chargers")
    assert [str(request.url) for request in seen] == [
        "http://lab.test/api/v1/chargers?limit=5",
        "http://lab.test/ocpp/chargers",
    ]
    assert seen[0].headers["X-API-Key"] == "cy_key"
    assert "Authorization" not in seen[0].headers
    assert seen[1].headers["Authorization"] == "Bearer jwt"
    assert "X-API-Key" not in seen[1].headers


async def test_a_missing_credential_says_which_option_gives_it() -> None:
    api = LabApi("http://lab.test", Credentials(token="jwt"))
    with pytest.raises(ToolError, match="--api-key or CHARGEYARD_API_KEY"):
        await api.csms("GET", "/chargers")
    api = LabApi("http://lab.test", Credentials(api_key="cy_key"))
    with pytest.raises(ToolError, match="--token or CHARGEYARD_TOKEN"):
        await api.gateway("GET", "/chargers")


async def test_an_api_that_cannot_be_reached_is_named() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)

    api = LabApi("http://lab.test", BOTH, transport=httpx.MockTransport(handler))
    with pytest.raises(ToolError) as failed:
        await api.gateway("GET", "/chargers")
    assert str(failed.value) == (
        "chargeyard's API at http://lab.test did not answer GET /ocpp/chargers: Connection refused"
    )
