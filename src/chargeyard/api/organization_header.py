"""``X-Organization-Id``: the header that lets a platform credential act in another
organization (``/api/v1``'s keys, ``api/tenant.py``; ``/ocpp``'s tokens, ``gateway/auth.py``).

The dependency that reads a credential reads this header from the request itself rather than
declaring it as a FastAPI ``Header`` parameter, and is marked with
:func:`documents_organization_header`; the OpenAPI document then lists the header on every
operation whose dependencies include a marked one (:func:`declare`), as FastAPI would have.

Why not a ``Header`` parameter: FastAPI analyses a dependency again for every route that
depends on it, and twice per route in a process (when the route is made, and when the app
includes it). A header parameter is a pydantic field each time, and the credential
dependencies sit under nearly every route, so the parameter alone made hundreds of fields at
each start of an API process. Read here, it is one dictionary lookup per request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.requests import HTTPConnection

ORGANIZATION_HEADER = "X-Organization-Id"

Dependency = TypeVar("Dependency", bound=Callable[..., Any])

# The keys of an operation that FastAPI writes after its parameters.
_AFTER_PARAMETERS = ("requestBody", "responses", "callbacks", "deprecated")

# The marked dependencies, each with the description its credential's users read.
_DESCRIPTIONS: dict[Callable[..., Any], str] = {}


def documents_organization_header(description: str) -> Callable[[Dependency], Dependency]:
    """Mark a dependency that reads :func:`requested_organization`: the document lists the
    header, described as ``description``, on the operations that depend on it."""

    def mark(dependency: Dependency) -> Dependency:
        _DESCRIPTIONS[dependency] = description
        return dependency

    return mark


def requested_organization(connection: HTTPConnection) -> str | None:
    """The organization the request names in ``X-Organization-Id``; None without the header."""
    return connection.headers.get(ORGANIZATION_HEADER)


def declare(app: FastAPI, document: dict[str, Any]) -> None:
    """List the header on each operation of ``document`` whose route depends on a marked
    dependency, last among its parameters (where FastAPI put a dependency's header), once."""
    paths: dict[str, Any] = document.get("paths", {})
    for route in app.routes:
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        description = _marked_description(route.dependant)
        item = paths.get(route.path_format)
        if description is None or item is None:
            continue
        for method in route.methods or ():
            operation = item.get(method.lower())
            if operation is not None:
                _add_parameter(operation, description)


def _marked_description(dependant: Dependant) -> str | None:
    for dependency in _walk(dependant):
        description = _DESCRIPTIONS.get(dependency.call) if dependency.call else None
        if description is not None:
            return description
    return None


def _walk(dependant: Dependant) -> Iterator[Dependant]:
    for dependency in dependant.dependencies:
        yield dependency
        yield from _walk(dependency)


def _add_parameter(operation: dict[str, Any], description: str) -> None:
    if "parameters" not in operation:  # where FastAPI puts them: before the body and answers
        following = [key for key in operation if key in _AFTER_PARAMETERS]
        operation["parameters"] = []
        for key in following:
            operation[key] = operation.pop(key)
    parameters: list[dict[str, Any]] = operation["parameters"]
    if any(parameter.get("name") == ORGANIZATION_HEADER for parameter in parameters):
        return  # FastAPI's cached document, already declared
    parameters.append(
        {
            "name": ORGANIZATION_HEADER,
            "in": "header",
            "required": False,
            "schema": {
                "anyOf": [{"type": "string"}, {"type": "null"}],
                "description": description,
                "title": ORGANIZATION_HEADER,
            },
            "description": description,
        }
    )
