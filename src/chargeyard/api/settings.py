"""The API's settings, from the environment (``CHARGEYARD_API_*``) or given in code."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from chargeyard.csms.registry import DEFAULT_COMMAND_TIMEOUT


class ApiSettings(BaseSettings):
    """Attributes:
    command_timeout: seconds a station has to answer a command before the API answers 504.
    title: the OpenAPI title.
    """

    model_config = SettingsConfigDict(env_prefix="CHARGEYARD_API_", frozen=True)

    command_timeout: float = Field(default=DEFAULT_COMMAND_TIMEOUT, gt=0)
    title: str = "chargeyard CSMS API"
