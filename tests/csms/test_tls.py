"""The listener over TLS (security profiles 2 and 3, OCPP 2.0.1 part 2 A00.FR.3xx/4xx): a
private chain, real handshakes on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import logging
import socket
import ssl
import warnings
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidHandshake, InvalidStatus
from websockets.typing import Subprotocol

from chargeyard.conformance.tls_chain import CertificateAuthority, KeyPair
from chargeyard.csms.first_password import FirstPasswords
from chargeyard.csms.server import CsmsServer, CsmsSettings
from chargeyard.store import Store
from chargeyard.tls_settings import TlsSettings
from tests.certificates import make_root, make_signed, write_pem
from tests.polling import until

OCPP16 = [Subprotocol("ocpp1.6")]


@pytest.fixture
def ca(tmp_path: Path) -> CertificateAuthority:
    return CertificateAuthority(tmp_path / "ca")


async def _listener(store: Store, tls: TlsSettings) -> CsmsServer:
    await store.stations.register("CP-1", password="s3cret-password-16")
    return CsmsServer(store, CsmsSettings(port=0, retention=None, tls=tls))


@pytest.fixture
async def profile2(store: Store, ca: CertificateAuthority) -> AsyncIterator[CsmsServer]:
    server = ca.server("127.0.0.1")
    async with await _listener(store, TlsSettings(server.cert_file, server.key_file)) as csms:
        yield csms


@pytest.fixture
async def profile3(store: Store, ca: CertificateAuthority) -> AsyncIterator[CsmsServer]:
    server = ca.server("127.0.0.1")
    tls = TlsSettings(server.cert_file, server.key_file, ca.root_file)
    async with await _listener(store, tls) as csms:
        yield csms


def trusting(ca: CertificateAuthority, client: KeyPair | None = None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=ca.root_file)
    if client is not None:
        context.load_cert_chain(client.cert_file, client.key_file)
    return context


def wss(csms: CsmsServer, identity: str = "CP-1") -> str:
    return f"wss://127.0.0.1:{csms.port}/ocpp/{identity}"


BASIC = {"Authorization": "Basic Q1AtMTpzM2NyZXQtcGFzc3dvcmQtMTY="}  # CP-1:s3cret-password-16


async def test_a00_fr_307_profile_2_serves_wss_with_its_certificate_and_basic_auth(
    profile2: CsmsServer, ca: CertificateAuthority
) -> None:
    assert profile2.scheme == "wss"
    async with connect(
        wss(profile2), ssl=trusting(ca), subprotocols=OCPP16, additional_headers=BASIC
    ) as ws:
        assert ws.subprotocol == "ocpp1.6"
        tls = ws.transport.get_extra_info("ssl_object")
        assert tls.version() in ("TLSv1.2", "TLSv1.3")
    # Profile 2 still asks for the password (A00.FR.301).
    with pytest.raises(InvalidStatus) as refused:
        async with connect(wss(profile2), ssl=trusting(ca), subprotocols=OCPP16):
            pass
    assert refused.value.response.status_code == 401


async def test_a00_fr_308_a_station_not_trusting_the_root_does_not_connect(
    profile2: CsmsServer, tmp_path: Path
) -> None:
    other = CertificateAuthority(tmp_path / "other")
    with pytest.raises(ssl.SSLCertVerificationError):
        async with connect(wss(profile2), ssl=trusting(other), subprotocols=OCPP16):
            pass


async def test_a00_fr_313_tls_1_2_is_enough_and_1_1_is_refused(
    profile2: CsmsServer, ca: CertificateAuthority
) -> None:
    only_12 = trusting(ca)
    only_12.maximum_version = ssl.TLSVersion.TLSv1_2
    async with connect(
        wss(profile2), ssl=only_12, subprotocols=OCPP16, additional_headers=BASIC
    ) as ws:
        assert ws.transport.get_extra_info("ssl_object").version() == "TLSv1.2"
    too_old = trusting(ca)
    with warnings.catch_warnings():  # (the versions are deprecated: that is the point)
        warnings.simplefilter("ignore", DeprecationWarning)
        too_old.minimum_version = ssl.TLSVersion.TLSv1
        too_old.maximum_version = ssl.TLSVersion.TLSv1_1
    too_old.set_ciphers("ALL:@SECLEVEL=0")
    # The server ends the TLS handshake (A00.FR.315) with the alert that says why (RFC 8446
    # section 4.2.1), on either event loop.
    with pytest.raises(ssl.SSLError) as refused:
        async with connect(wss(profile2), ssl=too_old, subprotocols=OCPP16):
            pass
    assert refused.value.reason == "TLSV1_ALERT_PROTOCOL_VERSION"


async def test_a00_fr_405_profile_3_lets_in_the_certificate_naming_the_station(
    profile3: CsmsServer, ca: CertificateAuthority
) -> None:
    # No password: the certificate is the station's credential (A00.FR.401).
    async with connect(
        wss(profile3), ssl=trusting(ca, ca.client("CP-1")), subprotocols=OCPP16
    ) as ws:
        assert ws.subprotocol == "ocpp1.6"


async def test_a00_fr_405_profile_3_refuses_a_certificate_naming_another_station(
    profile3: CsmsServer, ca: CertificateAuthority
) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(wss(profile3), ssl=trusting(ca, ca.client("CP-2")), subprotocols=OCPP16):
            pass
    assert refused.value.response.status_code == 403
    assert b"'CP-2', not 'CP-1'" in refused.value.response.body


async def test_a00_fr_405_profile_3_refuses_a_subject_with_two_common_names(
    store: Store, ca: CertificateAuthority, tmp_path: Path
) -> None:
    stations = make_root("stations CA")
    two_names = make_signed(stations, "CP-1", also_named=("CP-2",))
    cert_file, key_file = write_pem(two_names, tmp_path / "two-names", "client")
    client_ca = tmp_path / "client-ca.pem"
    client_ca.write_text(ca.root_pem + stations.pem)
    server = ca.server("127.0.0.1")
    async with await _listener(
        store, TlsSettings(server.cert_file, server.key_file, client_ca)
    ) as csms:
        context = trusting(ca)
        context.load_cert_chain(cert_file, key_file)
        for identity in ("CP-1", "CP-2"):  # neither name lets it in
            with pytest.raises(InvalidStatus) as refused:
                async with connect(wss(csms, identity), ssl=context, subprotocols=OCPP16):
                    pass
            assert refused.value.response.status_code == 403
            assert b"ambiguous: 2 commonNames ('CP-1', 'CP-2')" in refused.value.response.body


async def test_a00_fr_407_profile_3_refuses_no_certificate_and_a_foreign_one(
    profile3: CsmsServer, ca: CertificateAuthority, tmp_path: Path
) -> None:
    foreign = CertificateAuthority(tmp_path / "foreign").client("CP-1")
    for context in (trusting(ca), trusting(ca, foreign)):
        with pytest.raises((ssl.SSLError, OSError, InvalidHandshake)):
            async with connect(
                wss(profile3), ssl=context, subprotocols=OCPP16, additional_headers=BASIC
            ) as ws:
                await ws.recv()  # TLS 1.3 reports the refused certificate after the handshake


def basic(identity: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{identity}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


async def _status(csms: CsmsServer, ca: CertificateAuthority, identity: str, **kwargs: Any) -> int:
    """101 when ``identity`` gets in, else the HTTP status it is refused with."""
    try:
        async with connect(wss(csms, identity), ssl=trusting(ca), subprotocols=OCPP16, **kwargs):
            return 101
    except InvalidStatus as refused:
        return refused.response.status_code


@pytest.fixture
async def profile2_auto(store: Store, ca: CertificateAuthority) -> AsyncIterator[CsmsServer]:
    server = ca.server("127.0.0.1")
    tls = TlsSettings(server.cert_file, server.key_file)
    settings = CsmsSettings(port=0, retention=None, tls=tls, auto_register=True)
    async with CsmsServer(store, settings) as csms:
        yield csms


async def test_a00_fr_301_profile_2_refuses_a_station_without_a_password(
    profile2: CsmsServer, ca: CertificateAuthority
) -> None:
    await profile2.store.stations.register("CP-OPEN")
    assert await _status(profile2, ca, "CP-OPEN") == 403
    credentials = basic("CP-OPEN", "x" * 16)
    assert await _status(profile2, ca, "CP-OPEN", additional_headers=credentials) == 403


async def test_a00_fr_301_profile_2_with_auto_registration_keeps_the_first_password(
    profile2_auto: CsmsServer, ca: CertificateAuthority
) -> None:
    csms = profile2_auto
    # No credentials: challenged, and nothing is registered.
    assert await _status(csms, ca, "CP-NEW") == 401
    assert await csms.store.stations.get("CP-NEW") is None
    # A password OCPP would not allow is not kept.
    assert await _status(csms, ca, "CP-NEW", additional_headers=basic("CP-NEW", "short")) == 401
    # The first password presented is kept, and only it gets in from then on.
    first = basic("CP-NEW", "first-password-16")
    assert await _status(csms, ca, "CP-NEW", additional_headers=first) == 101
    assert await csms.store.stations.verify_password("CP-NEW", "first-password-16")
    assert await _status(csms, ca, "CP-NEW", additional_headers=first) == 101
    other = basic("CP-NEW", "another-password")
    assert await _status(csms, ca, "CP-NEW", additional_headers=other) == 401
    assert await _status(csms, ca, "CP-NEW") == 401
    # A station the store knows without a password keeps its first one too.
    await csms.store.stations.register("CP-KNOWN")
    known = basic("CP-KNOWN", "known-password-16")
    assert await _status(csms, ca, "CP-KNOWN", additional_headers=known) == 101
    assert await csms.store.stations.verify_password("CP-KNOWN", "known-password-16")


async def test_of_two_first_passwords_at_once_one_is_kept(store: Store) -> None:
    first = FirstPasswords(store.stations, "default")
    kept = await asyncio.gather(
        first.keep("CP-RACE", "password-number-one"), first.keep("CP-RACE", "password-number-two")
    )
    assert sorted(kept) == [False, True]
    winner = "password-number-one" if kept[0] else "password-number-two"
    assert await store.stations.verify_password("CP-RACE", winner)
    assert await first.keep("CP-RACE", winner)


def test_the_banner_says_what_each_profile_asks_of_a_station(tmp_path: Path) -> None:
    pem = tmp_path / "x.pem"
    profile_2 = TlsSettings(pem, pem)
    assert profile_2.enforced(auto_register=False) == (
        "security profile 2: TLS, and every station's HTTP Basic password"
    )
    assert profile_2.enforced(auto_register=True).endswith(
        "; a station without one keeps the first it presents"
    )
    assert TlsSettings(pem, pem, pem).enforced(auto_register=True) == (
        "security profile 3: TLS, and a client certificate naming the station"
    )


def _tls_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "chargeyard.csms.tls_failures" and record.levelno >= logging.INFO
    ]


async def test_a_failed_tls_handshake_is_logged_once_per_source_with_its_reason(
    profile2: CsmsServer, ca: CertificateAuthority, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, "chargeyard.csms.tls_failures")
    too_old = trusting(ca)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        too_old.minimum_version = ssl.TLSVersion.TLSv1
        too_old.maximum_version = ssl.TLSVersion.TLSv1_1
    too_old.set_ciphers("ALL:@SECLEVEL=0")
    for _ in range(3):
        with pytest.raises(ssl.SSLError):
            async with connect(wss(profile2), ssl=too_old, subprotocols=OCPP16):
                pass
    # 127.0.0.2 is another source (Linux answers the whole 127/8): a station that does not
    # trust the listener's certificate (A00.FR.308). A blocking socket, because an asyncio
    # client drops the alert that says so as the listener's event loop would.
    stranger = trusting(CertificateAuthority(tmp_path / "other", name="another CA"))

    def dial() -> None:
        with socket.create_connection(("127.0.0.1", profile2.port), 5, ("127.0.0.2", 0)) as raw:
            stranger.wrap_socket(raw, server_hostname="127.0.0.1")

    with pytest.raises(ssl.SSLCertVerificationError):
        await asyncio.to_thread(dial)
    await until(lambda: len(_tls_lines(caplog)) >= 2)
    assert _tls_lines(caplog) == [
        "TLS handshake from 127.0.0.1 failed: it offers TLS 1.1 at most, and TLS 1.2 or above"
        " is required (protocol_version alert sent)",
        "TLS handshake from 127.0.0.2 failed: it does not trust the listener's certificate"
        " (unknown CA) (TLSV1_ALERT_UNKNOWN_CA)",
    ]


async def test_a_tcp_probe_is_not_a_failed_handshake_and_stopping_ends_a_silent_one(
    store: Store, ca: CertificateAuthority, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, "chargeyard.csms.tls_failures")
    server = ca.server("127.0.0.1")
    csms = await _listener(store, TlsSettings(server.cert_file, server.key_file))
    await csms.start()
    try:
        _, probe = await asyncio.open_connection("127.0.0.1", csms.port)
        probe.close()
        await probe.wait_closed()
        silent, _ = await asyncio.open_connection("127.0.0.1", csms.port)
    finally:
        async with asyncio.timeout(5):
            await csms.stop()
    assert await asyncio.wait_for(silent.read(), 5) == b""  # closed by the stop, not left open
    assert _tls_lines(caplog) == []
