"""The error answers the routes declare by reference (``api/error_answers.py``): the OpenAPI
document still shows each one's model, and every reference in it leads somewhere."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from chargeyard.api import ApiSettings, error_answers
from chargeyard.api.error_answers import declare_error_models, error_answer
from chargeyard.api.v1.schemas import commands as v1_schemas
from chargeyard.csms.local_calls import in_process_link
from chargeyard.csms.registry import Registry
from chargeyard.store import Store
from tests.api.apps import api_app

SCHEMAS = "#/components/schemas/"


def _references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for item in node:
            yield from _references(item)


async def test_every_error_model_is_in_the_document_and_every_reference_resolves(
    store: Store,
) -> None:
    with api_app(store, in_process_link(Registry()), ApiSettings()) as app:
        document = app.openapi()
    schemas = document["components"]["schemas"]

    missing = {ref for ref in _references(document) if ref.removeprefix(SCHEMAS) not in schemas}
    assert missing == set()
    assert schemas["ErrorResponse"]["required"] == ["detail"]
    assert set(schemas["StationErrorResponse"]["properties"]) == {
        "detail",
        "errorCode",
        "errorDescription",
    }
    reset = document["paths"]["/api/v1/chargers/{chargeBoxId}/reset"]["post"]["responses"]
    assert reset["502"]["content"]["application/json"]["schema"] == {
        "$ref": f"{SCHEMAS}StationErrorResponse"
    }
    assert reset["401"] == {
        "description": "Missing or invalid API key",
        "content": {"application/json": {"schema": {"$ref": f"{SCHEMAS}ErrorResponse"}}},
    }


@pytest.fixture
def no_error_models(monkeypatch: pytest.MonkeyPatch) -> None:
    """The error models these tests name are theirs alone: the routes' are not touched."""
    monkeypatch.setattr(error_answers, "_named", {})


@pytest.mark.usefixtures("no_error_models")
def test_a_document_read_again_is_the_same() -> None:
    class Reason(BaseModel):
        code: str

    class Refusal(BaseModel):
        detail: str
        reason: Reason | None = None

    error_answer(Refusal, "Refused")
    document: dict[str, Any] = {"components": {"schemas": {"Zeta": {}}}}
    declare_error_models(document)
    first = document["components"]["schemas"]
    declare_error_models(document)

    assert document["components"]["schemas"] == first
    assert first["Refusal"]["properties"]["detail"]["type"] == "string"
    assert "$defs" not in first["Refusal"]  # a nested model is one of the document's own
    assert first["Reason"]["properties"]["code"]["type"] == "string"
    assert list(first)[-1] == "Zeta"


@pytest.mark.usefixtures("no_error_models")
def test_two_error_models_of_one_name_are_refused() -> None:
    class ErrorResponse(BaseModel):  # not chargeyard's, though named as it
        reason: str

    error_answer(v1_schemas.ErrorResponse, "Missing or invalid API key")

    with pytest.raises(ValueError, match="two error models are named ErrorResponse"):
        error_answer(ErrorResponse, "A clash")
