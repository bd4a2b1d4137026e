"""Bodies of ``/id-tags``: the tags the central system answers Authorize with (OCPP 1.6
IdTagInfo, section 7.14; 2.0.1 IdTokenInfoType, C01).

``idTag`` and ``parentIdTag`` take up to 36 characters: 1.6 carries an ``IdToken`` of 20
(CiString20Type), 2.0.1 an ``idToken`` of 36 (IdTokenType); a tag longer than 20 can only be
presented by 2.0.1 chargers. ``status`` is what Authorize answers while the tag has not expired
(after ``expiryDate`` the answer is ``Expired``, whatever is stored; while its ``parentIdTag`` is a
Blocked tag, ``Blocked``). ``tokenType`` is the 2.0.1 IdTokenEnumType the tag is issued as;
``policy`` is an authorization policy of the central system: ``single-session`` answers
``ConcurrentTx`` to a start while the tag is in an active transaction (``csms/policy.py``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field

from chargeyard.api.shapes import PRINTABLE, Request, Timestamp
from chargeyard.csms.policy import TagPolicy
from chargeyard.store.models import IdTag

IdTagStatus = Literal["Accepted", "Blocked", "Expired", "Invalid", "ConcurrentTx"]
TokenType = Literal[
    "Central",
    "eMAID",
    "ISO14443",
    "ISO15693",
    "KeyCode",
    "Local",
    "MacAddress",
    "NoAuthorization",
]
IdTagText = Annotated[str, Field(min_length=1, max_length=36, examples=["04A1B2C3D4"]), PRINTABLE]
Policy = Annotated[
    TagPolicy,
    Field(description="single-session: one active transaction at a time, else ConcurrentTx"),
]


class IdTagCreate(Request):
    idTag: IdTagText
    status: IdTagStatus = "Accepted"
    expiryDate: AwareDatetime | None = Field(
        default=None, description="After this, Authorize answers Expired"
    )
    parentIdTag: IdTagText | None = Field(default=None, description="The tag's group id")
    tokenType: TokenType | None = None
    policy: Policy | None = None


class IdTagUpdate(Request):
    """Only the fields present change; ``null`` clears an optional field (``status`` cannot
    be cleared)."""

    status: IdTagStatus = "Accepted"
    expiryDate: AwareDatetime | None = None
    parentIdTag: IdTagText | None = None
    tokenType: TokenType | None = None
    policy: Policy | None = None


class IdTagOut(BaseModel):
    idTag: str
    status: str
    expiryDate: Timestamp | None
    parentIdTag: str | None
    tokenType: str | None
    policy: str | None
    createdAt: Timestamp
    updatedAt: Timestamp

    @classmethod
    def of(cls, tag: IdTag) -> IdTagOut:
        return cls(
            idTag=tag.id_tag,
            status=tag.status,
            expiryDate=tag.expiry_date,
            parentIdTag=tag.parent_id_tag,
            tokenType=tag.token_type,
            policy=tag.policy,
            createdAt=tag.created_at,
            updatedAt=tag.updated_at,
        )


class IdTagDeleted(BaseModel):
    message: str
    idTag: str
