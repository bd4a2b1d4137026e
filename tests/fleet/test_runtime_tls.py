"""A station dialing wss:// (security profiles 2 and 3, OCPP 2.0.1 part 2 A00): it trusts the
CSMS roots installed in it and presents its client certificate; our listener with a private
chain on 127.0.0.1."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from chargeyard.conformance.tls_chain import CertificateAuthority
from chargeyard.csms.authority import CA_CERT_FILE
from chargeyard.csms.authority import CertificateAuthority as CsmsAuthority
from chargeyard.csms.server import CsmsServer
from chargeyard.fleet.runtime import ReconnectPolicy, StationRuntime
from chargeyard.station.catalog import load_catalog
from chargeyard.station.clock import SystemClock
from chargeyard.station.core import SimulatedStation
from chargeyard.station.model.states import Registration
from chargeyard.station.tls import ClientCertificate
from chargeyard.station.v16 import StationV16
from chargeyard.station.v201 import StationV201
from chargeyard.tls_settings import TlsSettings
from tests.polling import until
from tests.station.wire_csms import our_csms

FAST = ReconnectPolicy(initial=0.05, factor=2.0, ceiling=0.2)


@pytest.fixture
def ca(tmp_path: Path) -> CertificateAuthority:
    return CertificateAuthority(tmp_path / "ca")


async def _serving(tmp_path: Path, ca: CertificateAuthority, *, client_ca: bool) -> Any:
    server = ca.server("127.0.0.1")
    tls = TlsSettings(server.cert_file, server.key_file, ca.root_file if client_ca else None)
    return our_csms(tmp_path, heartbeat_interval=60, tls=tls)


@pytest.fixture
async def profile2(tmp_path: Path, ca: CertificateAuthority) -> AsyncIterator[CsmsServer]:
    async with await _serving(tmp_path, ca, client_ca=False) as csms:
        yield csms


@pytest.fixture
async def profile3(tmp_path: Path, ca: CertificateAuthority) -> AsyncIterator[CsmsServer]:
    async with await _serving(tmp_path, ca, client_ca=True) as csms:
        yield csms


def trusting(station: SimulatedStation, ca: CertificateAuthority) -> SimulatedStation:
    outcome = station.model.certificates.install(
        station.CSMS_ROOT, ca.root_pem, station.clock.now().timestamp()
    )
    assert outcome.reason is None
    return station


def v16(identity: str = "CP-1") -> StationV16:
    template = load_catalog().template("alfen-eve-single-pro-line")
    return StationV16(identity, template, clock=SystemClock())


def v201(identity: str = "CP-1") -> StationV201:
    template = load_catalog().template("alfen-eve-single-pro-line")
    return StationV201(identity, template, clock=SystemClock())


def accepted(runtime: StationRuntime) -> bool:
    return runtime.station.registration is Registration.ACCEPTED


async def test_a00_fr_308_a_station_trusting_the_installed_root_boots(
    profile2: CsmsServer, ca: CertificateAuthority
) -> None:
    for station in (trusting(v16("CP-16"), ca), trusting(v201("CP-201"), ca)):
        runtime = StationRuntime(
            station,
            f"wss://127.0.0.1:{profile2.port}/ocpp/{station.identity}",
            password="a-profile-2-password",  # profile 2 is TLS and HTTP Basic (A00.FR.301)
            reconnect=FAST,
        )
        runtime.start()
        try:
            await until(lambda: accepted(runtime))  # noqa: B023 - awaited in this iteration
        finally:
            await runtime.stop()
    assert station.security_profile == 2


async def test_a00_fr_311_without_the_root_the_connection_is_refused(
    profile2: CsmsServer,
) -> None:
    runtime = StationRuntime(v16(), f"wss://127.0.0.1:{profile2.port}/ocpp/CP-1", reconnect=FAST)
    runtime.start()
    try:
        await until(lambda: runtime.last_error is not None)
        assert "CERTIFICATE_VERIFY_FAILED" in (runtime.last_error or "")
        assert runtime.failure_reason == "TLS failure: unable to get local issuer certificate"
        assert not runtime.connected
    finally:
        await runtime.stop()


async def test_a00_fr_401_profile_3_presents_its_client_certificate(
    profile3: CsmsServer, ca: CertificateAuthority
) -> None:
    pair = ca.client("CP-1")
    runtime = StationRuntime(
        trusting(v201(), ca),
        f"wss://127.0.0.1:{profile3.port}/ocpp/CP-1",
        reconnect=FAST,
        client_certificate=ClientCertificate(pair.cert_file, pair.key_file),
    )
    assert runtime.station.security_profile == 3
    assert runtime.station.device_model.value("SecurityCtrlr", "SecurityProfile") == "3"
    runtime.start()
    try:
        await until(lambda: accepted(runtime))
    finally:
        await runtime.stop()


async def test_a00_fr_405_a_certificate_naming_another_station_is_refused(
    profile3: CsmsServer, ca: CertificateAuthority
) -> None:
    pair = ca.client("CP-2")
    runtime = StationRuntime(
        trusting(v16(), ca),
        f"wss://127.0.0.1:{profile3.port}/ocpp/CP-1",
        reconnect=FAST,
        client_certificate=ClientCertificate(pair.cert_file, pair.key_file),
    )
    runtime.start()
    try:
        await until(lambda: runtime.last_error is not None)
        assert "403" in (runtime.last_error or "")
    finally:
        await runtime.stop()


def test_a_fleet_names_each_station_its_own_certificate(tmp_path: Path) -> None:
    template = ClientCertificate(tmp_path / "{identity}.pem", tmp_path / "{identity}-key.pem")
    assert template.of("CP-7") == ClientCertificate(
        tmp_path / "CP-7.pem", tmp_path / "CP-7-key.pem"
    )


async def test_a02_fr_09_the_certificate_its_csms_signed_is_presented_at_profile_3(
    tmp_path: Path, ca: CertificateAuthority
) -> None:
    # The central system's certificate authority signs the station's CSR (A02); its listener
    # of security profile 3 trusts that authority for the stations' certificates. The station
    # has no certificate from its runner: what it presents is the one it was sent.
    authority = CsmsAuthority.in_data_dir(tmp_path / "csms-data")
    station = trusting(v201(), ca)
    now = datetime.now(UTC)
    request = x509.load_pem_x509_csr(
        station.model.own_certificate.signing_request("CP-1", "chargeyard").encode()
    )
    chain = authority.sign(request, now).public_bytes(serialization.Encoding.PEM).decode()
    refused = station.model.own_certificate.install(chain, "CP-1", [], now.timestamp())
    assert refused is None
    assert station.presented_certificate() is station.model.own_certificate.client_certificate()

    server = ca.server("127.0.0.1")
    tls = TlsSettings(server.cert_file, server.key_file, tmp_path / "csms-data" / CA_CERT_FILE)
    async with our_csms(tmp_path, heartbeat_interval=60, tls=tls) as csms:
        runtime = StationRuntime(station, f"wss://127.0.0.1:{csms.port}/ocpp/CP-1", reconnect=FAST)
        # Raised to profile 3 once it held a certificate (1.6 SecurityProfile, 2.0.1 A05).
        station.security_profile = 3
        runtime.start()
        try:
            await until(lambda: accepted(runtime))
        finally:
            await runtime.stop()


def test_a02_fr_09_a_signed_certificate_comes_before_the_runner_s(
    tmp_path: Path, ca: CertificateAuthority
) -> None:
    pair = ca.client("CP-1")
    station = v16()
    station.client_certificate = ClientCertificate(pair.cert_file, pair.key_file)
    assert station.presented_certificate() == station.client_certificate
    authority = CsmsAuthority.new()
    now = datetime.now(UTC)
    request = x509.load_pem_x509_csr(
        station.model.own_certificate.signing_request("CP-1", "chargeyard").encode()
    )
    chain = authority.sign(request, now).public_bytes(serialization.Encoding.PEM).decode()
    assert station.model.own_certificate.install(chain, "CP-1", [], now.timestamp()) is None
    assert station.presented_certificate() is station.model.own_certificate.client_certificate()


def old_tls_server_context(cert_file: Path, key_file: Path) -> ssl.SSLContext:
    """A server that offers TLS 1.0 and 1.1 only (OpenSSL refuses them at its default security
    level; level 0 allows them)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    context.minimum_version = ssl.TLSVersion.TLSv1
    context.maximum_version = ssl.TLSVersion.TLSv1_1
    return context


class _OldTlsServer(asyncio.Protocol):
    """Answers a ClientHello as a server of TLS 1.0 and 1.1 only does, its alert flushed
    before the close (asyncio's own TLS server drops the connection without it)."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self._incoming, self._outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        self._tls = context.wrap_bio(self._incoming, self._outgoing, server_side=True)
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        assert self._transport is not None
        self._incoming.write(data)
        try:
            self._tls.do_handshake()
        except ssl.SSLWantReadError:
            pass
        except ssl.SSLError:
            self._transport.write(self._outgoing.read())
            self._transport.close()
            return
        self._transport.write(self._outgoing.read())


def _security_log(station: SimulatedStation) -> str:
    if isinstance(station, StationV16):
        return station.security.security_file().decode()
    assert isinstance(station, StationV201)
    return station.diagnostics.log_file("SecurityLog").decode()


def _sent(station: SimulatedStation, action: str) -> list[str]:
    assert isinstance(station, StationV16 | StationV201)
    return [line for line in station.frame_log.section() if f'"{action}"' in line]


@pytest.mark.parametrize(
    ("new_station", "event"),
    [(v16, "InvalidCentralSystemCertificate"), (v201, "InvalidCsmsCertificate")],
    ids=["1.6", "2.0.1"],
)
async def test_a00_fr_310_a_certificate_it_cannot_verify_is_reported_once_connected(
    profile2: CsmsServer,
    ca: CertificateAuthority,
    new_station: Callable[[], SimulatedStation],
    event: str,
) -> None:
    station = new_station()  # trusting the system's store: the suite's root is unknown to it
    runtime = StationRuntime(
        station,
        f"wss://127.0.0.1:{profile2.port}/ocpp/CP-1",
        password="a-profile-2-password",
        reconnect=FAST,
    )
    runtime.start()
    try:
        await until(lambda: runtime.attempt >= 3)
        # Recorded once for the run of failed attempts, not once an attempt.
        assert _security_log(station).count(event) == 1
        assert "unable to get local issuer certificate" in _security_log(station)
        trusting(station, ca)
        await until(lambda: accepted(runtime))
        await until(
            lambda: any(event in line for line in _sent(station, "SecurityEventNotification"))
        )
    finally:
        await runtime.stop()


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")
async def test_a00_fr_316_a_server_offering_only_tls_1_1_is_refused_and_recorded(
    ca: CertificateAuthority,
) -> None:
    server = ca.server("127.0.0.1")
    context = old_tls_server_context(server.cert_file, server.key_file)
    loop = asyncio.get_running_loop()
    listener = await loop.create_server(lambda: _OldTlsServer(context), "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    station = trusting(v201(), ca)
    runtime = StationRuntime(station, f"wss://127.0.0.1:{port}/ocpp/CP-1", reconnect=FAST)
    runtime.start()
    try:
        await until(lambda: runtime.attempt >= 2)
        assert _security_log(station).count("InvalidTLSVersion") == 1, runtime.last_error
        assert "InvalidCsmsCertificate" not in _security_log(station)
    finally:
        await runtime.stop()
        listener.close()
        await listener.wait_closed()
