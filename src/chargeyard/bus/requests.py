"""Requests to whoever hosts a charger, and their answers: the runtime verbs (start, stop,
restart, apply a changed row, remove), the precheck of a command and the read of a station's
live status.

A request names the chargers it is about; the bus hands it to the node that holds them (a
request about chargers held by several nodes is split among them, and the answers' ``result``
mappings, keyed by charger id, are merged). A charger that no node holds is the concern of
the bus's placement node, which starts it or answers that it does not run. What the answer
means is the verb's business (``gateway/runtime_service.py`` serves them,
``gateway/runtime_client.py`` asks); the bus only carries plain data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal, cast, get_args

Verb = Literal[
    "start",
    "start_many",
    "stop",
    "restart",
    "apply_changes",
    "remove",
    "precheck",
    "status",
    "chaos",
]
"""What a request asks; a request of ``start_many``, ``precheck``, ``status`` or ``chaos``
(network faults added or cleared) may name many chargers, the others name one."""

VERBS: tuple[Verb, ...] = get_args(Verb)

ErrorKind = Literal["not_found", "cannot_run", "node_gone", "internal"]
"""Why a request failed: no such charger (the store's ``NotFoundError``), a charger whose row
cannot run (``ChargerRuntimeError``), the node that took the request went away before it
answered (``bus/request_watch.py``), or anything else."""


@dataclass(frozen=True, slots=True)
class RuntimeRequest:
    """One request to the node(s) hosting ``charger_ids``."""

    request_id: str
    organization_id: str
    verb: Verb
    charger_ids: tuple[str, ...]
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["charger_ids"] = list(self.charger_ids)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RuntimeRequest:
        verb = data["verb"]
        if verb not in VERBS:
            raise ValueError(f"unknown request verb {verb!r}")
        return cls(
            request_id=data["request_id"],
            organization_id=data["organization_id"],
            verb=cast(Verb, verb),
            charger_ids=tuple(data["charger_ids"]),
            data=dict(data.get("data") or {}),
        )


@dataclass(frozen=True, slots=True)
class RuntimeAnswer:
    """What the hosting node answers: ``ok`` with a ``result``, or an ``error`` of a kind."""

    request_id: str
    ok: bool
    result: dict[str, Any] | None = None
    error: str | None = None
    error_kind: ErrorKind | None = None
    detail: dict[str, Any] | None = None
    """What rebuilds the error on the asking side (a NotFoundError's kind and key)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RuntimeAnswer:
        kind = data.get("error_kind")
        if kind is not None and kind not in get_args(ErrorKind):
            raise ValueError(f"unknown error kind {kind!r}")
        return cls(
            request_id=data["request_id"],
            ok=bool(data["ok"]),
            result=data.get("result"),
            error=data.get("error"),
            error_kind=cast("ErrorKind | None", kind),
            detail=data.get("detail"),
        )


def merged(request_id: str, answers: list[RuntimeAnswer]) -> RuntimeAnswer:
    """One answer for a request that was split among nodes: the first failure, or every
    part's ``result`` merged (each keyed by charger id)."""
    for answer in answers:
        if not answer.ok:
            return RuntimeAnswer(
                request_id, False, None, answer.error, answer.error_kind, answer.detail
            )
    result: dict[str, Any] = {}
    for answer in answers:
        result.update(answer.result or {})
    return RuntimeAnswer(request_id, True, result)
