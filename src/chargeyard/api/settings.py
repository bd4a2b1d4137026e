"""The API's settings, from the environment (``CHARGEYARD_API_*``) or given in code."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from chargeyard.api.proxy_relay import proxy_api_problem
from chargeyard.csms.registry import DEFAULT_COMMAND_TIMEOUT

# The signatures a gateway token may carry: HMAC with the shared secret, RSA with the public
# key. "none" (an unsigned token) is deliberately not expressible.
JwtAlgorithm = Literal["HS256", "HS384", "HS512", "RS256", "RS384", "RS512"]
# RFC 7518 section 3.2: an HMAC key at least as long as the hash (32 bytes for HS256).
MIN_JWT_SECRET = 32

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
"""1 MiB, the default of common reverse proxies (nginx's ``client_max_body_size``). The largest
legitimate body is a bulk creation of 5,000 chargers (about 400 KB); a body that becomes an
OCPP frame meets the frame limit (64 KiB by default, ``protocol/limits.py``) next."""

DEFAULT_MAX_LISTED_CHARS = 8 * 1024
"""Above every frame chargeyard's stations and CSMS exchange (the largest, a NotifyReport of 20
device-model entries, is about 6.4 KB), so a list cuts only what is out of the ordinary: a page
of 500 frames stays near 4 million characters at most, whatever was sent."""


class ApiSettings(BaseSettings):
    """Attributes:
    command_timeout: seconds a station has to answer a command before the API answers 504.
    title: the OpenAPI title.
    ocpp_url: the base of the OCPP listener's URL as stations reach it; a charger's
        ``connectionUrl`` is this plus ``/`` and its URL-quoted chargeBoxId.
    listener_url: the URL of the OCPP listener of this very process, when it runs one (set by
        :meth:`for_listener`, also where ``ocpp_url`` names a proxy in front of it): a
        simulated charger pointed at either URL dials the built-in central system
        (``gateway/built_in_csms.py``).
    jwt_secret: the shared secret that verifies HS256/384/512 bearer tokens of the ``/ocpp``
        gateway (``CHARGEYARD_API_JWT_SECRET``; ``chargeyard token create`` signs with it);
        32 characters at least.
    jwt_public_key: the PEM public key that verifies RS256/384/512 bearer tokens (tokens
        signed elsewhere, by an identity provider's private key), e.g.
        ``CHARGEYARD_API_JWT_PUBLIC_KEY="$(cat public.pem)"``.
    jwt_algorithms: the algorithms a token may be signed with; each needs its key above
        (environment: a JSON list, ``'["RS256"]'``). "none" is never accepted.
    jwt_issuer: when set, a token's ``iss`` must equal it.
    jwt_audience: when set, a token's ``aud`` must contain it.
    jwt_leeway: seconds of clock skew allowed on ``exp``/``nbf``/``iat``.
    Without ``jwt_secret`` and ``jwt_public_key`` every ``/ocpp`` request answers 401.
    max_body_bytes: the largest request body of either API; a larger one is answered 413
        before it is read further (``body_limit.py``).
    max_listed_chars: the longest OCPP frame or DataTransfer data a list response carries
        whole (``/api/v1/chargers/{id}/frames``, ``/ocpp/chargers/{id}/logs``, the
        data-transfer history); a longer one is cut to this many characters and marked
        ``truncated``, and read whole by its id.
    proxy_api: the HTTP API of a running ``chargeyard proxy`` (its ``--api-listen``,
        ``http://127.0.0.1:9101``), which ``/api/v1/proxy`` relays and the dashboard's Proxy
        view shows (``api/proxy_relay.py``); None: no proxy, and those routes answer 404.
    proxy_api_token: the proxy API's bearer token (its ``--api-token``), presented by the
        server on every relayed request: the browser never holds it.
    """

    model_config = SettingsConfigDict(env_prefix="CHARGEYARD_API_", frozen=True)

    command_timeout: float = Field(default=DEFAULT_COMMAND_TIMEOUT, gt=0)
    title: str = "chargeyard CSMS API"
    ocpp_url: str = Field(default="ws://127.0.0.1:9000/ocpp", pattern=r"^wss?://")
    listener_url: str | None = Field(default=None, pattern=r"^wss?://")
    jwt_secret: SecretStr | None = Field(default=None, min_length=MIN_JWT_SECRET)
    jwt_public_key: str | None = None
    jwt_algorithms: tuple[JwtAlgorithm, ...] = ("HS256", "RS256")
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_leeway: float = Field(default=0.0, ge=0)
    max_body_bytes: int = Field(default=DEFAULT_MAX_BODY_BYTES, ge=1024)
    max_listed_chars: int = Field(default=DEFAULT_MAX_LISTED_CHARS, ge=64)
    proxy_api: str | None = None
    proxy_api_token: SecretStr | None = Field(default=None, min_length=1)

    @field_validator("proxy_api")
    @classmethod
    def _proxy_api(cls, value: str | None) -> str | None:
        if value is None:
            return None
        problem = proxy_api_problem(value)
        if problem is not None:
            raise ValueError(f"{value!r} is {problem}")
        return value.rstrip("/")

    def for_listener(self, host: str, port: int) -> ApiSettings:
        """These settings with ``ocpp_url`` pointing at a listener bound to ``host:port``,
        unless ``ocpp_url`` was given (``CHARGEYARD_API_OCPP_URL``: a proxy's or a public
        name, which the bound address cannot know; a wildcard such as ``0.0.0.0`` is kept as
        given)."""
        authority = f"[{host}]" if ":" in host else host  # an IPv6 literal (RFC 3986 3.2.2)
        listener = f"ws://{authority}:{port}/ocpp"
        if "ocpp_url" in self.model_fields_set:
            return self.model_copy(update={"listener_url": listener})
        return self.model_copy(update={"ocpp_url": listener, "listener_url": listener})
