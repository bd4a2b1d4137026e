"""Vendor replies: what a station answers to a DataTransfer from its central system (OCPP 1.6
section 5.6, 2.0.1 P01), declared as data by a template or per charger.

Theory of operation
-------------------
A reply names a ``vendor_id``, optionally a ``message_id``, and an ``answer``:

* ``echo``: Accepted, with the request's data (none when it had none);
* ``accept``: Accepted, with the reply's ``data`` when it has some;
* ``reject``: Rejected, with the reply's ``data`` when it has some;
* ``unknown_message_id``: UnknownMessageId.

A request is matched by vendorId, then by messageId: the reply naming its messageId, else the
vendor's reply without one (it stands for every other messageId and for a request that has
none), else UnknownMessageId. A vendorId that no reply names answers UnknownVendorId. Both ids
are compared without regard to case: 1.6 types them CiString255Type and CiString50Type ("case
insensitive"), the lengths that the official 1.6 and 2.0.1 DataTransfer schemas give.

1.6 carries ``data`` as text; 2.0.1 as any JSON value (its schema gives no type). A reply's
``data`` that is not a string therefore goes to a 1.6 central system as its JSON text.

:func:`vendor_replies` reads a declared list (JSON from the gateway API, TOML from a catalog
file) and checks every rule; :func:`vendor_handlers` turns replies into the station's
DataTransfer handlers, by vendorId.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from chargeyard.protocol.messages import v201

VENDOR_ID_MAX = 255
"""vendorId: CiString255Type in 1.6, string maxLength 255 in the 1.6 and 2.0.1 schemas."""

MESSAGE_ID_MAX = 50
"""messageId: CiString50Type in 1.6, string maxLength 50 in the 1.6 and 2.0.1 schemas."""

MAX_REPLIES = 100
"""Replies a station holds at most: far more vendor messages than a real firmware knows."""

MAX_DATA_CHARS = 16 * 1024
"""The longest reply ``data`` (as JSON text): a quarter of the default frame limit
(``protocol/limits.py``), so that the answer carrying it always fits in a frame."""

DataTransferStatus = v201.DataTransferStatusEnumType
"""DataTransfer's status: the same four words in 1.6 and 2.0.1."""

VendorHandler = Callable[[str | None, Any], tuple[DataTransferStatus, Any]]
"""A vendor's DataTransfer handler: (messageId, data) -> (status, data or None)."""


class Answer(StrEnum):
    """How a reply answers; see the module docstring."""

    ECHO = "echo"
    ACCEPT = "accept"
    REJECT = "reject"
    UNKNOWN_MESSAGE_ID = "unknown_message_id"


_STATUS: dict[Answer, DataTransferStatus] = {
    Answer.ECHO: "Accepted",
    Answer.ACCEPT: "Accepted",
    Answer.REJECT: "Rejected",
    Answer.UNKNOWN_MESSAGE_ID: "UnknownMessageId",
}
_TAKES_DATA = frozenset({Answer.ACCEPT, Answer.REJECT})


@dataclass(frozen=True)
class VendorReply:
    """One declared answer to DataTransfer.

    Attributes:
        vendor_id: the vendorId it answers.
        message_id: the messageId it answers; None: every other messageId of the vendor.
        answer: what it answers.
        data: a JSON value sent with ``accept`` or ``reject``; None: no data.
    """

    vendor_id: str
    message_id: str | None
    answer: Answer
    # A JSON value may be a dict: compared, but left out of the hash.
    data: Any = field(default=None, hash=False)

    @property
    def key(self) -> tuple[str, str | None]:
        """What it answers, as the station compares it (without regard to case)."""
        return _fold(self.vendor_id), _fold_or_none(self.message_id)

    def to_json(self) -> dict[str, Any]:
        """As the gateway API shows it and a charger's row stores it."""
        return {
            "vendor_id": self.vendor_id,
            "message_id": self.message_id,
            "answer": self.answer.value,
            "data": self.data,
        }


class InvalidVendorReply(ValueError):
    """A declared reply breaks a rule.

    Attributes:
        where: the entry and field, e.g. ``[2].message_id`` (entries counted from 1).
        reason: what is wrong.
    """

    def __init__(self, where: str, reason: str) -> None:
        self.where = where
        self.reason = reason
        super().__init__(f"{where}: {reason}")


def vendor_replies(entries: object) -> tuple[VendorReply, ...]:
    """Read a declared list of replies, each ``{vendor_id, message_id?, answer, data?}``.

    Raises:
        InvalidVendorReply: not a list of such tables; an id empty or too long; an unknown
            answer; data with ``echo`` or ``unknown_message_id``, or too long; two replies
            for the same vendorId and messageId; more than :data:`MAX_REPLIES`.
    """
    if not isinstance(entries, list | tuple):
        raise InvalidVendorReply("", f"must be a list of replies, not {entries!r}")
    if len(entries) > MAX_REPLIES:
        raise InvalidVendorReply("", f"{len(entries)} replies; at most {MAX_REPLIES}")
    replies: list[VendorReply] = []
    seen: set[tuple[str, str | None]] = set()
    for number, entry in enumerate(entries, start=1):
        reply = _reply(f"[{number}]", entry)
        if reply.key in seen:
            which = f"messageId {reply.message_id!r}" if reply.message_id else "no messageId"
            raise InvalidVendorReply(
                f"[{number}]", f"a second reply for vendorId {reply.vendor_id!r} with {which}"
            )
        seen.add(reply.key)
        replies.append(reply)
    return tuple(replies)


def merged(*layers: Iterable[VendorReply]) -> tuple[VendorReply, ...]:
    """The replies of every layer; a later layer's reply replaces an earlier one's for the
    same vendorId and messageId (a catalog's defaults < brand < model)."""
    by_key: dict[tuple[str, str | None], VendorReply] = {}
    for layer in layers:
        for reply in layer:
            by_key[reply.key] = reply
    return tuple(by_key.values())


def vendor_handlers(replies: Iterable[VendorReply], *, text_data: bool) -> dict[str, VendorHandler]:
    """The DataTransfer handler of each vendor the replies name, keyed by its vendorId.

    Args:
        text_data: the version carries data as text (1.6): data that is not a string goes
            as its JSON text.
    """
    by_vendor: dict[str, dict[str | None, VendorReply]] = {}
    names: dict[str, str] = {}
    for reply in replies:
        vendor, message = reply.key
        names.setdefault(vendor, reply.vendor_id)
        by_vendor.setdefault(vendor, {})[message] = reply
    return {
        names[vendor]: _handler(table, text_data=text_data) for vendor, table in by_vendor.items()
    }


def vendor_handler(handlers: Mapping[str, VendorHandler], vendor_id: str) -> VendorHandler | None:
    """The handler of ``vendor_id``, compared without regard to case (CiString255Type)."""
    handler = handlers.get(vendor_id)
    if handler is not None:
        return handler
    wanted = _fold(vendor_id)
    return next((h for name, h in handlers.items() if _fold(name) == wanted), None)


def replies_json(replies: Sequence[VendorReply]) -> list[dict[str, Any]]:
    """The replies as the gateway API shows them and a charger's row stores them."""
    return [reply.to_json() for reply in replies]


def _handler(table: Mapping[str | None, VendorReply], *, text_data: bool) -> VendorHandler:
    def answer(message_id: str | None, data: Any) -> tuple[DataTransferStatus, Any]:
        reply = table.get(_fold_or_none(message_id)) or table.get(None)
        if reply is None:
            return "UnknownMessageId", None
        out = data if reply.answer is Answer.ECHO else reply.data
        if text_data and out is not None and not isinstance(out, str):
            out = json.dumps(out, separators=(",", ":"), ensure_ascii=False)
        return _STATUS[reply.answer], out

    return answer


def _reply(where: str, entry: object) -> VendorReply:
    if not isinstance(entry, Mapping):
        raise InvalidVendorReply(where, f"must be a table of vendor_id, answer..., not {entry!r}")
    unknown = sorted(set(entry) - {"vendor_id", "message_id", "answer", "data"})
    if unknown:
        raise InvalidVendorReply(
            f"{where}.{unknown[0]}", "unknown field (known: vendor_id, message_id, answer, data)"
        )
    vendor_id = _identifier(f"{where}.vendor_id", entry.get("vendor_id"), VENDOR_ID_MAX)
    message_id = entry.get("message_id")
    if message_id is not None:
        message_id = _identifier(f"{where}.message_id", message_id, MESSAGE_ID_MAX)
    text = entry.get("answer")
    if text not in set(Answer):
        known = ", ".join(answer.value for answer in Answer)
        raise InvalidVendorReply(f"{where}.answer", f"must be one of {known}, not {text!r}")
    answer = Answer(str(text))
    data = entry.get("data")
    if data is not None:
        if answer not in _TAKES_DATA:
            raise InvalidVendorReply(
                f"{where}.data",
                f"{answer.value} takes no data (accept and reject send the data given)",
            )
        try:
            size = len(json.dumps(data, ensure_ascii=False, allow_nan=False))
        except (TypeError, ValueError):
            raise InvalidVendorReply(f"{where}.data", "must be a JSON value") from None
        if size > MAX_DATA_CHARS:
            raise InvalidVendorReply(
                f"{where}.data", f"is {size:,} characters as JSON; at most {MAX_DATA_CHARS:,}"
            )
    return VendorReply(vendor_id, message_id, answer, data)


def _identifier(where: str, value: object, limit: int) -> str:
    if not isinstance(value, str):
        raise InvalidVendorReply(where, f"must be a string, not {value!r}")
    if not 0 < len(value) <= limit:
        raise InvalidVendorReply(where, f"must be 1 to {limit} characters, not {len(value)}")
    if not value.isprintable():
        raise InvalidVendorReply(where, "must be printable text")
    return value


def _fold(text: str) -> str:
    return text.casefold()


def _fold_or_none(text: str | None) -> str | None:
    return None if text is None else text.casefold()
