"""How many items, and how many bytes, a 2.0.1 station takes in one request that carries a list,
as the station told the central system; and a request cut to fit.

The central system SHALL NOT send more GetVariableData than the station reports in
DeviceDataCtrlr.ItemsPerMessage[GetVariables] (B06.FR.05), more SetVariableData than
ItemsPerMessage[SetVariables] (B05.FR.11), nor more monitor ids than
MonitoringCtrlr.ItemsPerMessage[ClearVariableMonitoring] and BytesPerMessage[...] allow
(N06.FR.04); the BytesPerMessage of each bounds the same request's size in bytes (part 2's
appendix of controller variables). Theory of operation:

* what the station reported is what the central system already keeps of it: the NotifyReport
  parts of its device model (kept as notifications, ``notifications_v201.py``) and the answers
  to GetVariables in the command history (``command_journal.py``). :class:`StoredLimits` reads
  the newest value of each variable from either (by the report's generatedAt, the answer's
  time sent); none: no limit is known, and the request goes
  as it is (a station that says nothing takes what it gets, and may answer CALLERROR
  OccurrenceConstraintViolation, B06.FR.16).
* :func:`batches` cuts one request into as few requests as fit, in order; the answers' result
  lists are joined into one answer (:func:`joined`). Each batch is a call of its own: one that
  fails ends the command with its error, and what the earlier batches did stands.
* :func:`refusal` says why a request does not fit, for the raw call, which sends one CALL as
  written or nothing.

The bytes counted are those of the whole OCPP-J CALL as the central system writes it (compact
JSON, a message id of at most 36 characters): the reading that can only err on the safe side.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson

from chargeyard.protocol import Payload
from chargeyard.protocol.frames import encode_call
from chargeyard.store import Store
from chargeyard.store.models import NotificationKind

PER_MESSAGE = "PerMessage"  # what the names of both variables hold, for the stores' search
ITEMS, BYTES = "ItemsPerMessage", "BytesPerMessage"
LONGEST_ID = "x" * 36  # a message id is at most 36 characters (OCPP-J part 4 section 4.1.3)
LOOKED_AT = 20  # the newest report parts and answers naming a limit that are read


@dataclass(frozen=True, slots=True)
class Limited:
    """A request with a list the station limits: its list, its answer's list, and the
    component whose ItemsPerMessage and BytesPerMessage (of instance ``action``) say how much
    of it one request may carry."""

    action: str
    items: str
    results: str
    component: str


LIMITED: Mapping[str, Limited] = {
    limited.action: limited
    for limited in (
        Limited("GetVariables", "getVariableData", "getVariableResult", "DeviceDataCtrlr"),
        Limited("SetVariables", "setVariableData", "setVariableResult", "DeviceDataCtrlr"),
        Limited("ClearVariableMonitoring", "id", "clearMonitoringResult", "MonitoringCtrlr"),
    )
}


@dataclass(frozen=True, slots=True)
class MessageLimits:
    """At most ``items`` list items and ``bytes`` bytes in one request (None: not known)."""

    items: int | None = None
    bytes: int | None = None


class LimitsSource(Protocol):
    """Where a command learns a station's limits."""

    async def limits(self, identity: str, action: str) -> MessageLimits: ...


class StoredLimits:
    """The limits a station reported, read from ``store`` (the module docstring says where);
    ``settle`` waits for the command history's entries still being written (a GetVariables
    answered a moment ago)."""

    def __init__(self, store: Store, settle: Callable[[], Awaitable[None]]) -> None:
        self._store = store
        self._settle = settle

    async def limits(self, identity: str, action: str) -> MessageLimits:
        limited = LIMITED[action]
        await self._settle()
        seen: dict[str, tuple[datetime, int]] = {}
        reports = self._store.notifications.naming(
            identity, NotificationKind.REPORT, PER_MESSAGE, LOOKED_AT
        )
        for at, text in await reports:
            _note(seen, at, _reported(_loaded(text), limited))
        for at, text in await self._store.sent_commands.answers_naming(
            identity, "GetVariables", PER_MESSAGE, LOOKED_AT
        ):
            answer = _loaded(text)
            results = answer.get("getVariableResult") if isinstance(answer, dict) else None
            _note(seen, at, _answered(results, limited))
        return MessageLimits(
            items=seen[ITEMS][1] if ITEMS in seen else None,
            bytes=seen[BYTES][1] if BYTES in seen else None,
        )


def splittable(action: str, payload: Payload) -> bool:
    """Whether ``payload`` of ``action`` is a request the station limits with two items or
    more: one item goes as it is, there being nothing to cut."""
    limited = LIMITED.get(action)
    items = payload.get(limited.items) if limited is not None else None
    return isinstance(items, list) and len(items) > 1


def batches(action: str, payload: Payload, limits: MessageLimits) -> list[Payload]:
    """``payload`` of ``action`` as the fewest requests within ``limits``, the list's items in
    order (``payload`` alone when it fits, or when ``action`` has no limit).

    Raises:
        TooLarge: one item alone is over the bytes limit.
    """
    limited = LIMITED.get(action)
    items = payload.get(limited.items) if limited is not None else None
    if limited is None or not isinstance(items, list) or _fits(action, payload, limits):
        return [payload]
    most = limits.items or len(items)
    base = _size(action, {**payload, limited.items: []})
    cut: list[list[Any]] = []
    size = base
    for item in items:
        width = len(orjson.dumps(item))
        # Compact JSON: the first item of a list adds its width, each next one a comma too.
        if (
            cut
            and len(cut[-1]) < most
            and (limits.bytes is None or size + 1 + width <= limits.bytes)
        ):
            cut[-1].append(item)
            size += 1 + width
            continue
        size = base + width
        if limits.bytes is not None and size > limits.bytes:
            raise TooLarge(
                f"one {limited.items} item alone makes a {action} of {size} bytes, over the"
                f" {limits.bytes} the station takes ({limited.component}.{BYTES}[{action}])"
            )
        cut.append([item])
    return [{**payload, limited.items: part} for part in cut]


def joined(action: str, answers: Sequence[Payload]) -> Payload:
    """The answers to the batches of one request as one answer: their result lists in order
    (an answer's other fields, customData, are the last's)."""
    if len(answers) == 1:
        return answers[0]
    field = LIMITED[action].results
    results = [result for answer in answers for result in answer.get(field, [])]
    return {**answers[-1], field: results}


def refusal(action: str, payload: Payload, limits: MessageLimits) -> str | None:
    """Why ``payload`` of ``action`` is more than one request may carry (None: it fits)."""
    limited = LIMITED.get(action)
    items = payload.get(limited.items) if limited is not None else None
    if limited is None or not isinstance(items, list):
        return None
    if limits.items is not None and len(items) > limits.items:
        return (
            f"{len(items)} {limited.items} items, and the station takes at most {limits.items}"
            f" in one {action} ({limited.component}.{ITEMS}[{action}], as it reported)"
        )
    size = _size(action, payload)
    if limits.bytes is not None and size > limits.bytes:
        return (
            f"{size} bytes, and the station takes at most {limits.bytes} in one {action}"
            f" ({limited.component}.{BYTES}[{action}], as it reported)"
        )
    return None


class TooLarge(Exception):
    """A request cannot be cut to fit the station's limits."""


def _fits(action: str, payload: Payload, limits: MessageLimits) -> bool:
    return refusal(action, payload, limits) is None


def _size(action: str, payload: Payload) -> int:
    return len(encode_call(LONGEST_ID, action, payload))


def _loaded(text: str | None) -> Any:
    """JSON ``text`` (None for none, or for what a cap cut: ``payload_cap.py``)."""
    if text is None:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return None


def _reported(report: Any, limited: Limited) -> dict[str, int]:
    """The limits of ``limited`` in a NotifyReport part's reportData (Actual values)."""
    found: dict[str, int] = {}
    for item in report if isinstance(report, list) else []:
        name = _limit_named(item, limited)
        attributes = item.get("variableAttribute") if name is not None else None
        for attribute in attributes if isinstance(attributes, list) else []:
            if isinstance(attribute, dict) and attribute.get("type", "Actual") == "Actual":
                _put(found, name, attribute.get("value"))
    return found


def _answered(results: Any, limited: Limited) -> dict[str, int]:
    """The limits of ``limited`` in a GetVariables answer's results (Accepted, Actual)."""
    found: dict[str, int] = {}
    for result in results if isinstance(results, list) else []:
        name = _limit_named(result, limited)
        if (
            name is not None
            and result.get("attributeStatus") == "Accepted"
            and result.get("attributeType", "Actual") == "Actual"
        ):
            _put(found, name, result.get("attributeValue"))
    return found


def _limit_named(item: Any, limited: Limited) -> str | None:
    """ITEMS or BYTES if ``item`` names that variable of ``limited`` (None otherwise)."""
    if not isinstance(item, dict):
        return None
    component, variable = item.get("component"), item.get("variable")
    if not (isinstance(component, dict) and isinstance(variable, dict)):
        return None
    if component.get("name") != limited.component or variable.get("instance") != limited.action:
        return None
    name = variable.get("name")
    return name if name in (ITEMS, BYTES) else None


def _put(found: dict[str, int], name: str | None, value: Any) -> None:
    """Keep ``value`` as the limit ``name`` if it is a count above 0."""
    if name is None or not isinstance(value, str) or not value.strip().isdigit():
        return
    if int(value) > 0:
        found[name] = int(value)


def _note(seen: dict[str, tuple[datetime, int]], at: datetime, found: Mapping[str, int]) -> None:
    """Keep each of ``found`` if no newer value of it was seen."""
    at = at if at.tzinfo is not None else at.replace(tzinfo=UTC)  # SQLite hands back naive UTC
    for name, value in found.items():
        if name not in seen or seen[name][0] < at:
            seen[name] = (at, value)
