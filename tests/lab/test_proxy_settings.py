"""``chargeyard up --proxy-api``: the recording proxy whose API the lab relays to its dashboard,
read from the flag or ``CHARGEYARD_PROXY_API`` (its token from ``CHARGEYARD_PROXY_API_TOKEN``, the
variable the proxy itself reads), reaches the API's settings; an address that is not a proxy
API's is refused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from chargeyard.lab.run import api_settings
from chargeyard.lab.settings import LabSettings

SECRET = "s" * 32


def test_the_proxy_api_and_its_token_reach_the_api_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CHARGEYARD_PROXY_API", "http://127.0.0.1:9101/")
    monkeypatch.setenv("CHARGEYARD_PROXY_API_TOKEN", "proxy-token")
    settings = api_settings(LabSettings(), SECRET)
    assert settings.proxy_api == "http://127.0.0.1:9101"
    assert settings.proxy_api_token is not None
    assert settings.proxy_api_token.get_secret_value() == "proxy-token"


def test_without_a_proxy_api_the_lab_relays_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHARGEYARD_PROXY_API", raising=False)
    assert api_settings(LabSettings(), SECRET).proxy_api is None


def test_a_proxy_api_with_credentials_is_refused() -> None:
    with pytest.raises(ValidationError, match="a URL with credentials"):
        LabSettings(proxy_api="http://me:secret@127.0.0.1:9101")
