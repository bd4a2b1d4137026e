"""One field of an OCPP request as the official schema defines it: what a value must be before
anyone acts on it.

A station's verbs take values that reach the wire only later: ``stop_transaction(1, reason)``
ends the transaction at once, while the StopTransaction.req carrying ``reason`` is built when
the transaction queue sends it. Checked only then, a value the schema refuses would be found
after the station had acted (the transaction ended inside, never reported, the connector
stuck). So a verb checks each value against the field of the request that will carry it
(:func:`request_field`) before it changes anything, and the gateway does the same before it
queues a command.

A field is named by the request's action and a dotted path through its properties, arrays
stepped through: ``("StopTransaction", "reason")`` (1.6 Reason),
``("TransactionEvent", "transactionInfo.stoppedReason")`` (2.0.1 ReasonEnumType),
``("SendLocalList", "localAuthorizationList.idTag")``. ``$ref``s are followed, so the field's
rules (enum, maxLength, type) are the schema's own, never typed by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

import jsonschema_rs

from chargeyard.protocol.errors import ErrorKind, OcppError
from chargeyard.protocol.messages import is_one_of
from chargeyard.protocol.schemas import SchemaSet, violation_kind

__all__ = ["RequestField", "SchemaValueError", "request_field", "word_of"]

_Word = TypeVar("_Word", bound=str)

_SHOWN_CHARS = 40  # of a refused value in a message: enough to recognise it


class SchemaValueError(OcppError, ValueError):
    """A value the version's schema does not allow in the field that would carry it.

    An :class:`OcppError` (its kind says which constraint: PropertyConstraintViolation for a
    value outside an enumeration, TypeConstraintViolation for a string too long...) and a
    ``ValueError``, which is what a Python caller of a station's verbs expects.
    """


@dataclass(frozen=True)
class RequestField:
    """A field of one request schema.

    Attributes:
        label: ``Action.path``, e.g. ``StopTransaction.reason``.
        schema: the field's schema, ``$ref`` resolved.
    """

    label: str
    schema: Mapping[str, Any] = field(repr=False)
    _validator: Any = field(repr=False, compare=False)

    @property
    def allowed(self) -> tuple[str, ...] | None:
        """The values of its enumeration, in the schema's order; None without one."""
        values = self.schema.get("enum")
        return None if values is None else tuple(values)

    @property
    def max_length(self) -> int | None:
        value = self.schema.get("maxLength")
        return None if value is None else int(value)

    def check(self, value: Any, name: str | None = None) -> None:
        """Raise unless ``value`` may go in this field.

        Args:
            name: how the caller calls the value (``reason``, ``id_tag``), for the message.

        Raises:
            SchemaValueError: the value breaks the field's schema; the message names what is
                allowed (the enumeration, the longest string).
        """
        try:
            self._validator.validate(value)
        except jsonschema_rs.ValidationError as error:
            keyword = error.kind.name
            raise SchemaValueError(
                violation_kind(keyword), self._explain(value, keyword, name or self.label)
            ) from None

    def _explain(self, value: Any, keyword: str, name: str) -> str:
        shown = repr(value if len(repr(value)) <= _SHOWN_CHARS else f"{value!s:.{_SHOWN_CHARS}}…")
        allowed = self.allowed
        if keyword == "enum" and allowed is not None:
            return f"{name} {shown} is not allowed in {self.label}: one of {', '.join(allowed)}"
        if keyword == "maxLength" and self.max_length is not None:
            limit = self.max_length
            return f"{name} {shown} is too long for {self.label}: at most {limit} characters"
        expected = self.schema.get("type", "a valid value")
        return f"{name} {shown} does not fit {self.label} ({keyword}: {expected} expected)"


@cache
def request_field(schemas: SchemaSet, action: str, path: str) -> RequestField:
    """The field at ``path`` (dotted property names) of ``action``'s request schema.

    Raises:
        OcppError: NotSupported for an action outside the version.
        KeyError: no such field (a mistake in the caller, not in the value).
    """
    root = schemas.request_schema(action)
    node = _resolved(root, root)
    for name in path.split("."):
        while node.get("type") == "array":
            node = _resolved(root, node["items"])
        node = _resolved(root, node["properties"][name])
    # The field alone, with the definitions its own $refs may point into. The 1.6 schemas put
    # "additionalProperties": false on strings too; meaningless there, and left out.
    alone = dict(node)
    if alone.get("type") != "object":
        alone.pop("additionalProperties", None)
    compiled = {"definitions": root.get("definitions", {}), **alone}
    if "$schema" in root:
        compiled["$schema"] = root["$schema"]
    validator = jsonschema_rs.validator_for(compiled)
    return RequestField(f"{action}.{path}", alone, validator)


def _resolved(root: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    # Every $ref in the official schemas is local: "#/definitions/Name".
    while "$ref" in node:
        target: Any = root
        for part in str(node["$ref"]).removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def word_of(value: str, words: frozenset[_Word], name: str) -> _Word:
    """``value`` as one of ``words`` (the values of a message's Literal type), for a word read
    from a caller (an operator's stop reason, say) before it goes into a message.

    Raises:
        SchemaValueError: (a ValueError) it is none of them; the error names ``name`` and the
            words there are.
    """
    if is_one_of(value, words):
        return value
    raise SchemaValueError(
        ErrorKind.PROPERTY_CONSTRAINT_VIOLATION,
        f"{name} {value!r} is not allowed: one of {', '.join(sorted(words))}",
    )
