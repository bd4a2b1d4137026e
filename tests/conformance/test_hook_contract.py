"""The conformance hook contract (docs/conformance-hooks.md): its OpenAPI document is valid
OpenAPI 3.1, the suite's real requests to a hook and a hook's real answers fit it, and the
suite reads the answers as the contract says (the CALL is the proof; the answer explains a
missing one). The hook is the worked example, examples/conformance_hook_ocpp_lib.py, with its
CSMS on the `ocpp` library, run in this event loop; the misbehaving hooks are small apps."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator, Callable
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate as validate_spec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from chargeyard.api.serve import serving
from chargeyard.cli_conformance.csms import stated_tags
from chargeyard.conformance import CsmsTarget, HookTrigger, Verdict, run_csms
from chargeyard.conformance.csms_under_test.hook_contract import (
    CONTRACT_HEADER,
    HookAnswer,
    Result,
    read_answer,
    read_capabilities,
)
from chargeyard.conformance.csms_under_test.hook_trigger import hook_need
from chargeyard.conformance.csms_under_test.triggers import TAG_OPTIONS
from chargeyard.conformance.endings import NotActed
from chargeyard.fast_forward import away_from
from chargeyard.protocol import V16
from tests.conformance.example_hook import example
from tests.conformance.test_example_hook import CSMS_INITIATED_CORE
from tests.station.test_e2e_ocpp_lib import lib_csms

# The tests that run cases run on the virtual-time loop (tests/virtual_time.py): their waits (a
# step, a quiet window after an answer, a slow hook's delay) pass at once. A hook app of a test
# is served on the loop itself. The example's own hook answers from a thread of its own
# (http.server), whose work the loop cannot see coming: the suite reaches it through
# :func:`recorded`'s proxy, which keeps the loop's clock still while a request to it is open.
VIRTUAL_TIME = pytest.mark.virtual_time

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "conformance-hooks.openapi.yaml"


class _PromptServer(ThreadingHTTPServer):
    """The example's HTTP server, noticing ``shutdown()`` within 10 ms: socketserver looks for
    it between polls, every 0.5 s by default, and the example stops its server on the loop."""

    def serve_forever(self, poll_interval: float = 0.01) -> None:
        super().serve_forever(poll_interval)


@pytest.fixture(autouse=True)
def _prompt_shutdown(monkeypatch: pytest.MonkeyPatch) -> None:
    """The example's ``serve_hook`` serves on :class:`_PromptServer`."""
    monkeypatch.setattr(example(), "ThreadingHTTPServer", _PromptServer)


@pytest.fixture(scope="module")
def contract() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(DOCUMENT.read_text())
    return document


def test_the_contract_is_valid_openapi_3_1(contract: dict[str, Any]) -> None:
    validate_spec(contract)
    assert contract["openapi"] == "3.1.0"
    assert contract["info"]["version"] == "1"
    header = contract["components"]["parameters"]["Contract"]
    assert (header["name"], header["schema"]["enum"]) == (CONTRACT_HEADER, ["1"])


# -- the suite's requests and the example's answers, against the document ----------------------


class Seen:
    """One exchange between the suite and the hook."""

    def __init__(self, request: Request, body: Any, answer: httpx.Response) -> None:
        self.method = request.method
        self.path = request.url.path
        self.headers = dict(request.headers)
        self.body = body
        self.status = answer.status_code
        self.answer = answer.json() if answer.content else None


@contextlib.asynccontextmanager
async def recorded(hook_url: str, delay_s: float = 0.0) -> AsyncIterator[tuple[str, list[Seen]]]:
    """A proxy in front of the hook that keeps every exchange (its URL and the exchanges),
    each forwarded ``delay_s`` late (a slow hook). The hook is the example's, answering from a
    thread of its own: while a request to it is open, the loop's clock stands still (on the
    virtual-time loop), as the hook hands the order to this loop at a moment the loop cannot
    see coming."""
    seen: list[Seen] = []
    client = httpx.AsyncClient(timeout=30.0)

    async def forward(request: Request) -> Response:
        await asyncio.sleep(delay_s)
        raw = await request.body()
        body = json.loads(raw) if raw else None
        with away_from(asyncio.get_running_loop()):
            answer = await client.request(
                request.method,
                hook_url + request.url.path,
                content=raw,
                headers={k: v for k, v in request.headers.items() if k.lower() != "host"},
            )
        seen.append(Seen(request, body, answer))
        return Response(answer.content, answer.status_code, media_type="application/json")

    app = Starlette(
        routes=[Route("/{path:path}", forward, methods=["GET", "POST", "PUT", "DELETE"])]
    )
    try:
        async with serving(app, "127.0.0.1", 0) as port:
            yield f"http://127.0.0.1:{port}", seen
    finally:
        await client.aclose()


def _resolved(node: Any, document: dict[str, Any]) -> Any:
    """``node`` with every ``$ref`` of the document replaced by what it names."""
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = document
            for name in node["$ref"].removeprefix("#/").split("/"):
                target = target[name]
            return _resolved(target, document)
        return {key: _resolved(value, document) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolved(item, document) for item in node]
    return node


def _operation(document: dict[str, Any], method: str, path: str) -> tuple[Any, dict[str, str]]:
    """The document's operation of ``method path`` (fixed segments win) and its path values."""
    templates = sorted(document["paths"], key=lambda template: template.count("{"))
    for template in templates:
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
        found = re.fullmatch(pattern, path)
        if found and method.lower() in document["paths"][template]:
            item = document["paths"][template]
            operation = _resolved(item[method.lower()], document)
            operation["parameters"] = _resolved(
                item.get("parameters", []), document
            ) + operation.get("parameters", [])
            return operation, found.groupdict()
    raise AssertionError(f"{method} {path} is not a request of the contract")


def _check(document: dict[str, Any], seen: Seen) -> None:
    """Raises if the exchange breaks the contract's document."""
    operation, values = _operation(document, seen.method, seen.path)
    for parameter in operation["parameters"]:
        where = parameter["in"]
        value = (
            values.get(parameter["name"])
            if where == "path"
            else seen.headers.get(parameter["name"].lower())
        )
        assert value is not None or not parameter.get("required"), (seen.path, parameter)
        if value is not None:
            OAS31Validator(parameter["schema"]).validate(value)
    if "requestBody" in operation:
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        OAS31Validator(schema).validate(seen.body)
    else:
        assert seen.body is None
    responses = operation["responses"]
    response = responses.get(str(seen.status), responses.get("default"))
    assert response is not None, (seen.method, seen.path, seen.status)
    if "content" in response:
        OAS31Validator(response["content"]["application/json"]["schema"]).validate(seen.answer)


@VIRTUAL_TIME
async def test_the_suite_s_requests_and_the_example_s_answers_fit_the_document(
    contract: dict[str, Any],
) -> None:
    async with example().running() as (csms_url, hook_url), recorded(hook_url) as (url, seen):
        trigger = HookTrigger(url)
        try:
            target = CsmsTarget(csms_url, "CP-CONTRACT", V16, trigger=trigger, step_s=5.0)
            run = await run_csms(
                target,
                # An order with its tag set up, then each kind of tag: Invalid, Expired, Blocked.
                ids=["TC_010_CSMS", "TC_023_1_CSMS", "TC_023_2_CSMS", "TC_023_3_CSMS"],
            )
            # The set-up of the other cases (a grouped tag, a Pending boot), and an order to a
            # station the CSMS does not have (answered failed).
            await trigger.id_tag("CY-CONF-OK2", "Accepted", group="CY-CONF-GROUP")
            await trigger.registration("CP-CONTRACT-201", "Pending")
            problem = await trigger.act(V16, "CP-ABSENT", "Reset", {"type": "Soft"}, "reset")
        finally:
            await trigger.close()
    assert [(r.info.id, r.conformance) for r in run.results] == [
        (case, Verdict.PASS)
        for case in ("TC_010_CSMS", "TC_023_1_CSMS", "TC_023_2_CSMS", "TC_023_3_CSMS")
    ]
    assert problem is not None
    assert str(problem).endswith(": station CP-ABSENT is not connected to this CSMS")
    asked = {(exchange.method, exchange.path.split("/")[1]) for exchange in seen}
    assert asked == {
        ("GET", "capabilities"),
        ("POST", "1.6"),
        ("PUT", "id-tags"),
        ("DELETE", "id-tags"),
        ("PUT", "stations"),
    }
    for exchange in seen:
        _check(contract, exchange)


# -- how the suite reads a hook -----------------------------------------------------------------

Handler = Callable[[Request], Response]


@contextlib.asynccontextmanager
async def hook(
    capabilities: dict[str, Any] | None, order: Handler
) -> AsyncIterator[tuple[str, list[str]]]:
    """A hook app: ``capabilities`` (None: 404) and every order answered by ``order``; its URL
    and the paths of the orders it got."""
    posted: list[str] = []

    async def told(request: Request) -> Response:
        if capabilities is None:
            return JSONResponse({"detail": "Not Found"}, 404)
        return JSONResponse(capabilities)

    async def ordered(request: Request) -> Response:
        posted.append(request.url.path)
        return order(request)

    app = Starlette(
        routes=[
            Route("/capabilities", told, methods=["GET"]),
            Route("/{version}/{station}/{action}", ordered, methods=["POST"]),
        ]
    )
    async with serving(app, "127.0.0.1", 0) as port:
        yield f"http://127.0.0.1:{port}", posted


async def _run(hook_url: str, case: str, step_s: float = 2.0) -> Any:
    async with example().running() as (csms_url, _):
        trigger = HookTrigger(hook_url)
        try:
            target = CsmsTarget(csms_url, "CP-HOOKED", V16, trigger=trigger, step_s=step_s)
            [result] = (await run_csms(target, ids=[case])).results
        finally:
            await trigger.close()
    return result


def _taken(request: Request) -> Response:
    return JSONResponse({"result": "taken"})


@VIRTUAL_TIME
async def test_an_action_the_hook_does_not_list_is_not_sent_and_is_inconclusive() -> None:
    capabilities = {"contract": [1], "actions": {"1.6": ["Reset"]}}
    async with hook(capabilities, _taken) as (url, posted):
        result = await _run(url, "TC_061_CSMS")  # ClearCache
    assert posted == []
    assert (result.conformance, result.need) == (Verdict.INCONCLUSIVE, hook_need("ClearCache"))
    assert result.reason == (
        "the hook does not list ClearCache among the OCPP 1.6 actions it takes (its capabilities)"
    )


@VIRTUAL_TIME
async def test_a_hook_of_another_contract_version_is_not_used() -> None:
    async with hook({"contract": [2]}, _taken) as (url, posted):
        result = await _run(url, "TC_013_CSMS")
    assert posted == []
    assert result.conformance is Verdict.INCONCLUSIVE
    assert result.reason == (
        "the hook speaks contract version 2; this suite speaks 1 (docs/conformance-hooks.md)"
    )


@VIRTUAL_TIME
async def test_a_hook_that_took_an_order_the_csms_never_sent_fails_the_case() -> None:
    # The CALL is the proof: "taken" and nothing on the wire is the CSMS's failure.
    async with hook(None, _taken) as (url, posted):
        result = await _run(url, "TC_013_CSMS", step_s=1.0)
    assert posted == ["/1.6/CP-HOOKED/Reset"]
    assert (result.conformance, result.compatibility) == (Verdict.FAIL, Verdict.FAIL)
    assert result.reason == "the CSMS sent no Reset within 1 s"


@VIRTUAL_TIME
async def test_a_slow_hook_s_call_still_counts_within_the_order_s_grace() -> None:
    # The step counts from the order: a hook that takes longer than the step to make the
    # CSMS act does not fail the CSMS, as long as the CALL comes within the order's grace.
    async with example().running() as (csms_url, hook_url), recorded(hook_url, 1.5) as (url, _):
        trigger = HookTrigger(url)
        try:
            target = CsmsTarget(csms_url, "CP-SLOW", V16, trigger=trigger, step_s=1.0)
            [result] = (await run_csms(target, ids=["TC_013_CSMS"])).results
        finally:
            await trigger.close()
    assert (result.conformance, result.reason) == (Verdict.PASS, None)


@VIRTUAL_TIME
async def test_a_hook_that_failed_explains_the_missing_call_without_the_whole_step() -> None:
    def failed(request: Request) -> Response:
        return JSONResponse({"result": "failed", "reason": "the CSMS's queue is full"}, 502)

    async with hook(None, failed) as (url, _):
        result = await _run(url, "TC_013_CSMS", step_s=60.0)
    assert (result.conformance, result.need) == (Verdict.INCONCLUSIVE, None)
    assert result.reason == (
        f"the hook answered failed to POST {url}/1.6/CP-HOOKED/Reset: the CSMS's queue is full"
    )
    assert result.seconds < 30.0  # the order's grace, not the 60 s step


@VIRTUAL_TIME
async def test_without_set_up_a_tag_not_given_names_the_option_that_gives_it() -> None:
    async with hook({"contract": [1]}, _taken) as (url, _):
        result = await _run(url, "TC_023_3_CSMS")
    assert (result.conformance, result.need) == (Verdict.INCONCLUSIVE, TAG_OPTIONS["Blocked"])
    assert result.reason == (
        "the hook does not set up id tag CY-CONF-BLOCK (its capabilities' setUp has no idTags)"
    )


@VIRTUAL_TIME
async def test_a_registration_the_hook_refuses_is_not_acted() -> None:
    async with hook({"contract": [1], "setUp": ["idTags"]}, _taken) as (url, _):
        trigger = HookTrigger(url)
        try:
            with pytest.raises(NotActed, match="setUp has no registration"):
                await trigger.registration("CP-201", "Pending")
        finally:
            await trigger.close()


# -- the answers, read -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "read"),
    [
        (200, None, HookAnswer(Result.TAKEN)),
        (202, {"result": "taken"}, HookAnswer(Result.TAKEN)),
        (200, {"result": "notSupported", "reason": "no"}, HookAnswer(Result.NOT_SUPPORTED, "no")),
        (501, None, HookAnswer(Result.NOT_SUPPORTED, "HTTP 501")),
        (404, {"detail": "Not Found"}, HookAnswer(Result.NOT_SUPPORTED, "HTTP 404")),
        (502, {"result": "failed", "reason": "offline"}, HookAnswer(Result.FAILED, "offline")),
        (500, "oops", HookAnswer(Result.FAILED, "HTTP 500")),
    ],
)
def test_an_answer_is_read_by_its_result_else_its_status(
    status: int, body: Any, read: HookAnswer
) -> None:
    assert read_answer(status, body) == read


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        ([1], "capabilities must be a JSON object"),
        ({"contract": 1}, '"contract" must be a list'),
        ({"contract": [1], "actions": {"1.6": "Reset"}}, '"actions" must map'),
        ({"contract": [1], "setUp": ["tags"]}, '"setUp" must be a list of'),
    ],
)
def test_capabilities_of_another_shape_are_refused_with_what_is_wrong(
    body: Any, complaint: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(complaint)):
        read_capabilities(body)


# -- the example's hook in another CSMS on the `ocpp` library ------------------------------------


@contextlib.asynccontextmanager
async def example_hook_of(stations: dict[str, Any]) -> AsyncIterator[str]:
    """The example's hook for the registry ``stations``, served by its ``serve_hook``: its
    URL."""
    hook_app = example().ConformanceHook(stations)
    server = example().serve_hook(hook_app, asyncio.get_running_loop(), "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@VIRTUAL_TIME
async def test_the_example_s_hook_plugs_into_a_csms_s_own_registry() -> None:
    # tests/station's central system on the library, as a user's: its registry of connected
    # charge points is all the hook needs; it sets up nothing, so the tag is stated.
    async with (
        lib_csms(V16) as csms,
        example_hook_of(csms.charge_points) as hook_url,
        recorded(hook_url) as (url, _),
    ):
        trigger = HookTrigger(url)
        try:
            target = CsmsTarget(
                f"ws://127.0.0.1:{csms.port}/ocpp",
                "CP-1",
                V16,
                trigger=trigger,
                id_tags=stated_tags("ANYONE", None, None, None, None, None),
                step_s=5.0,
            )
            run = await run_csms(target, ids=CSMS_INITIATED_CORE)
        finally:
            await trigger.close()
    verdicts = {r.info.id: (r.conformance, r.reason) for r in run.results}
    assert verdicts == dict.fromkeys(CSMS_INITIATED_CORE, (Verdict.PASS, None))


async def test_the_example_answers_a_set_up_of_another_shape_failed_with_what_it_takes() -> None:
    async with example().running() as (_, hook_url), httpx.AsyncClient() as client:
        answer = await client.put(f"{hook_url}/id-tags/T", json={"status": "Lost"})
        empty = await client.put(f"{hook_url}/stations/CP-1/registration")
    assert (answer.status_code, answer.json()) == (
        400,
        {
            "result": "failed",
            "reason": 'the body must be {"status": "Accepted"|"Blocked"|"Expired"}',
        },
    )
    assert read_answer(empty.status_code, empty.json()) == HookAnswer(
        Result.FAILED, 'the body must be {"status": "Accepted"|"Pending"|"Rejected"}'
    )
