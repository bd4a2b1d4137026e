"""The error answers of a route as its ``responses`` declare them for the OpenAPI document: the
error model's schema by reference, and the model among the document's schemas.

FastAPI turns each ``{"model": M}`` of a route's ``responses`` into a pydantic field of its
own, with a ``TypeAdapter`` built for it, when the route is declared and again for every app
that includes it; the field serves the document only (an error answer is built by the
exception handlers, never validated against it). With a few error answers on each of over two
hundred routes, those fields were about a third of the time FastAPI spent on the routes as a
process started. Declared here as the JSON the document shows, they cost nothing; the document
shows each model's own JSON schema, as before.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

_SCHEMAS = "#/components/schemas/"
_named: dict[str, type[BaseModel]] = {}


def error_answer(model: type[BaseModel], description: str) -> dict[str, Any]:
    """An entry of a route's ``responses``: ``description``, with a JSON body of ``model``'s
    schema."""
    known = _named.setdefault(model.__name__, model)
    if known is not model:  # the document names schemas by class name
        raise ValueError(f"two error models are named {model.__name__}")
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"{_SCHEMAS}{model.__name__}"}}},
    }


def declare_error_models(document: dict[str, Any]) -> None:
    """Put the schema of every model an :func:`error_answer` names among ``document``'s, as
    FastAPI would have put it for a ``model`` of ``responses``."""
    schemas: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    missing = {name: model for name, model in _named.items() if name not in schemas}
    if not missing:
        return  # FastAPI's cached document, already declared
    for name, model in missing.items():
        schema = model.model_json_schema(ref_template=f"{_SCHEMAS}{{model}}", mode="serialization")
        for nested, definition in schema.pop("$defs", {}).items():  # as FastAPI lists them
            schemas.setdefault(nested, definition)
        schemas[name] = schema
    ordered = dict(sorted(schemas.items()))  # in FastAPI's order, by name
    schemas.clear()
    schemas.update(ordered)
