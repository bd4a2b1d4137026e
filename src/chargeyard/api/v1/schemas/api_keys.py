"""The API keys' bodies (``/api/v1/api-keys``): a key is shown whole once, when it is made."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from chargeyard.api.shapes import PRINTABLE, Request, Timestamp
from chargeyard.store.models import ApiKeyRole


class ApiKeyCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "dashboards", "role": "viewer"}]},
    )

    name: Annotated[
        str, Field(min_length=1, max_length=255, description="What the key is for"), PRINTABLE
    ]
    role: ApiKeyRole = Field(
        description="viewer: reads; operator: also sends commands and writes; admin: also"
        " manages the organization's API keys; platform: an admin in every organization"
        " (X-Organization-Id), made only with a platform key"
    )


class ApiKeyOut(BaseModel):
    id: str
    organizationId: str = Field(description="The organization the key acts in")
    name: str
    prefix: str = Field(description="The key's first part, cy_<prefix>_...: which key this is")
    role: ApiKeyRole
    createdAt: Timestamp
    lastUsedAt: Timestamp | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The key itself: shown this once, only its hash is kept")
