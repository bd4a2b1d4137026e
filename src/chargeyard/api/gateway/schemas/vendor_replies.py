"""DataTransfer replies of a simulated charger (``data_transfer`` of ``/ocpp/chargers`` and of
the catalog's models): how its station answers a DataTransfer from its central system (OCPP
1.6 section 5.6, 2.0.1 P01). The rules are ``station/model/vendor_replies.py``'s; a broken one
is a 422 naming the entry (counted from 1) and what is wrong.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, JsonValue

from chargeyard.api.gateway.schemas.common import GatewayRequest
from chargeyard.station.model.vendor_replies import (
    MAX_REPLIES,
    MESSAGE_ID_MAX,
    VENDOR_ID_MAX,
    Answer,
    InvalidVendorReply,
    VendorReply,
    vendor_replies,
)


class VendorReplyBody(GatewayRequest):
    """One reply: the DataTransfer it answers (vendorId, messageId) and how."""

    vendor_id: str = Field(
        min_length=1,
        max_length=VENDOR_ID_MAX,
        description="The vendorId it answers (1.6 CiString255Type: compared without regard"
        " to case)",
        examples=["MyVendor"],
    )
    message_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=MESSAGE_ID_MAX,
        description="The messageId it answers; null: every messageId of the vendor that no"
        " other reply names, and a request without one",
        examples=["GetDisplayMessage"],
    )
    answer: Answer = Field(
        description="echo: Accepted with the request's data; accept: Accepted with `data`;"
        " reject: Rejected with `data`; unknown_message_id: UnknownMessageId. A messageId of"
        " the vendor that no reply answers is UnknownMessageId; a vendorId none names,"
        " UnknownVendorId"
    )
    data: JsonValue = Field(
        default=None,
        description="Sent with accept or reject (null: none). 1.6 carries data as text: a"
        " value that is not a string goes to a 1.6 central system as its JSON text",
        examples=['{"text": "Hello"}'],
    )

    @classmethod
    def of(cls, reply: VendorReply) -> VendorReplyBody:
        return cls.model_validate(reply.to_json())


def _checked(replies: list[VendorReplyBody]) -> list[VendorReplyBody]:
    try:
        vendor_replies([reply.model_dump(mode="json") for reply in replies])
    except InvalidVendorReply as error:
        raise ValueError(f"data_transfer{error}") from None
    return replies


VendorReplies = Annotated[
    list[VendorReplyBody], Field(max_length=MAX_REPLIES), AfterValidator(_checked)
]
"""A declared list of replies, every rule checked (one reply per vendorId and messageId...)."""


def stored(replies: list[VendorReplyBody]) -> list[dict[str, object]]:
    """As a charger's row keeps them (``gateway/vendor_replies.py``)."""
    return [reply.model_dump(mode="json") for reply in replies]
