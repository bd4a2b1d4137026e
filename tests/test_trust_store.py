"""The default trust, loaded once a process and shared by the clients that use it."""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx
import pytest

from chargeyard.csms.webhook_delivery import http_client
from chargeyard.outbound import OutboundPolicy
from chargeyard.trust_store import http_trust, http_verify, system_trust
from tests.certificates import make_root, write_pem


def test_the_default_trust_is_loaded_once_and_verifies() -> None:
    assert http_trust() is http_trust()
    assert system_trust() is system_trust()
    for context in (http_trust(), system_trust()):
        assert context.verify_mode == ssl.CERT_REQUIRED
        assert context.check_hostname
        assert context.cert_store_stats()["x509_ca"] > 0


def test_a_trust_store_named_in_the_environment_is_the_one_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process that points SSL_CERT_FILE elsewhere (a lab CA) gets a context loaded from
    it, as a context made at that moment would be; the earlier one stays for the old value."""
    before = (http_trust(), system_trust())
    bundle, _ = write_pem(make_root(), tmp_path, "lab-ca")
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    for shared, earlier in zip((http_trust(), system_trust()), before, strict=True):
        assert shared is not earlier
        assert shared.cert_store_stats()["x509_ca"] == 1
    monkeypatch.undo()
    assert (http_trust(), system_trust()) == before


def test_only_the_default_is_swapped_for_the_shared_context() -> None:
    own = ssl.create_default_context()
    assert http_verify(True) is http_trust()
    assert http_verify(own) is own
    assert http_verify(False) is False


async def test_clients_that_trust_the_defaults_share_one_context() -> None:
    """Two webhook senders, one with a policy limiting addresses (its own transport): every
    connection pool holds the process's context, not one loaded for it."""
    policy = OutboundPolicy.parse("127.0.0.0/8")
    for client in (http_client(5.0, None), http_client(5.0, policy)):
        async with client:
            assert _pool_context(client) is http_trust()


def _pool_context(client: httpx.AsyncClient) -> ssl.SSLContext:
    pool = client._transport._pool  # type: ignore[attr-defined]  # httpx's and ours alike
    context = pool._ssl_context
    assert isinstance(context, ssl.SSLContext)
    return context
