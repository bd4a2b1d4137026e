"""``chargeyard mcp``'s command line refuses what cannot serve before it serves anything."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from chargeyard.cli import app


@pytest.fixture(autouse=True)
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CHARGEYARD_URL", "CHARGEYARD_API_KEY", "CHARGEYARD_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def test_without_a_key_or_a_token_it_says_which_to_give() -> None:
    result = CliRunner().invoke(app, ["mcp", "--url", "http://127.0.0.1:8000"])
    assert result.exit_code == 2
    assert "give --api-key (the CSMS's tools), --token (the gateway's) or both" in result.output


def test_the_url_is_the_http_api_not_the_ocpp_listener() -> None:
    result = CliRunner().invoke(app, ["mcp", "--url", "ws://127.0.0.1:9000/ocpp", "--token", "eyJ"])
    assert result.exit_code == 2
    assert "an http:// or https:// URL" in result.output
