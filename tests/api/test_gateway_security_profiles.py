"""A deployment's ``security_profile`` against its URL and key
(``api/gateway/schemas/deployments.py``; OCPP 2.0.1 part 2 A00, the 1.6 security whitepaper
section 2)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from chargeyard.api.gateway.schemas.deployments import DeploymentCreateRequest

BASE = {"identity": "CP-1", "model": "abb-terra-54"}


@pytest.mark.parametrize(
    ("url", "profile", "key"),
    [
        ("ws://csms.test/ocpp", 0, None),
        ("ws://csms.test/ocpp", 1, "basic-password-1"),
        ("wss://csms.test/ocpp", 2, "basic-password-1"),
        ("wss://csms.test/ocpp", 3, None),  # the certificate: client_certificates.py
        ("ws://csms.test/ocpp", None, "basic-password-1"),
    ],
)
def test_a_profile_the_url_and_key_fit_is_taken(url: str, profile: int | None, key: str) -> None:
    body = DeploymentCreateRequest.model_validate(
        {**BASE, "ws_url": url, "security_profile": profile, "authorization_key": key}
    )
    assert (body.security_profile, body.authorization_key) == (profile, key)


@pytest.mark.parametrize(
    ("url", "profile", "key", "message"),
    [
        ("ws://csms.test/ocpp", 2, "basic-password-1", "ws_url must be wss://"),
        ("wss://csms.test/ocpp", 1, "basic-password-1", "ws_url must be ws://"),
        ("ws://csms.test/ocpp", 1, None, "give authorization_key"),
        ("ws://csms.test/ocpp", 0, "basic-password-1", "leave out authorization_key"),
        ("ws://csms.test/ocpp", 3, None, "ws_url must be wss://"),
        ("wss://csms.test/ocpp", 3, "basic-password-1", "leave out authorization_key"),
        ("ws://csms.test/ocpp", 4, None, "less than or equal to 3"),
    ],
)
def test_a_profile_the_url_or_key_does_not_fit_is_refused_saying_why(
    url: str, profile: int, key: str | None, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        DeploymentCreateRequest.model_validate(
            {**BASE, "ws_url": url, "security_profile": profile, "authorization_key": key}
        )
