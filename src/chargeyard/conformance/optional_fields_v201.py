"""The optional fields of OCPP 2.0.1 types that cases on both wings of the suite add to what
they build (a message to display, a charging profile), as keyword arguments mypy checks
against the official schemas' names and types (``protocol/messages/v201.py``)."""

from __future__ import annotations

from typing import TypedDict

from chargeyard.protocol.messages import v201


class MessageShown(TypedDict, total=False):
    """When and where a message is shown (MessageInfoType, O01)."""

    state: v201.MessageStateEnumType
    startDateTime: str
    endDateTime: str
    display: v201.ComponentType


class MessageFields(MessageShown, total=False):
    """The optional fields of a MessageInfoType, its transaction's too (O02)."""

    transactionId: str


class ProfileFields(TypedDict, total=False):
    """The optional fields of a ChargingProfileType (K01)."""

    recurrencyKind: v201.RecurrencyKindEnumType
    validFrom: str
    validTo: str
    transactionId: str
    customData: v201.CustomDataType
