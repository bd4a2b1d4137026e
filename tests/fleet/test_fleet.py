"""The fleet: many stations from templates and counts, on one loop, each one started, stopped and
restarted on its own; over real WebSockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from websockets.exceptions import InvalidURI

from chargeyard.fleet.autogen import AutogenConfig
from chargeyard.fleet.fleet import (
    STATION_CLASSES,
    EvseMeter,
    Fleet,
    UnknownStation,
    numbered_identities,
    station_class,
    station_url,
)
from chargeyard.fleet.runtime import ReconnectPolicy
from chargeyard.protocol import V16, V21, V201, VersionSpec
from chargeyard.station.catalog import UnknownTemplate, load_catalog
from chargeyard.station.clock import ManualClock
from chargeyard.station.core import SimulatedStation
from chargeyard.station.v16 import StationV16
from tests.polling import eventually, until
from tests.station.wire_csms import WireCsms, our_csms

TEMPLATE = "alfen-eve-single-pro-line"
NOWHERE = "ws://127.0.0.1:9/ocpp"


def fast_fleet(**options: int) -> Fleet:
    return Fleet(reconnect=ReconnectPolicy(initial=0.05, ceiling=0.2), seed=1, **options)


# -- building -------------------------------------------------------------------------------------


def test_builds_stations_from_a_template_and_a_count() -> None:
    fleet = Fleet()
    identities = fleet.add(TEMPLATE, 3, csms_url="ws://csms.example:9000/ocpp/")
    assert identities == ["CP-1", "CP-2", "CP-3"]
    assert len(fleet) == 3
    assert list(fleet) == identities
    assert "CP-2" in fleet
    for identity, station in zip(identities, fleet.stations(), strict=True):
        assert isinstance(station, StationV16)
        assert station.identity == identity
        assert station.template is load_catalog().template(TEMPLATE)  # shared, not copied
        assert fleet.runtime(identity).url == f"ws://csms.example:9000/ocpp/{identity}"
        assert not fleet.runtime(identity).running


def test_identities_are_numbered_to_the_widest_or_given() -> None:
    fleet = Fleet()
    assert fleet.add(TEMPLATE, 12, csms_url=NOWHERE)[:2] == ["CP-01", "CP-02"]
    assert fleet.add(TEMPLATE, 2, csms_url=NOWHERE, identity_prefix="SIM-", first=99) == [
        "SIM-099",
        "SIM-100",
    ]
    assert fleet.add(TEMPLATE, csms_url=NOWHERE, ids=["depot/7 a"]) == ["depot/7 a"]
    assert fleet.runtime("depot/7 a").url == "ws://127.0.0.1:9/ocpp/depot%2F7%20a"


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("NC-HUB-", ["NC-HUB-1", "NC-HUB-2"]),  # ends in a separator: none added
        ("NC-HUB", ["NC-HUB-1", "NC-HUB-2"]),
        ("site_", ["site_1", "site_2"]),
        ("hub.", ["hub.1", "hub.2"]),
        ("urn:", ["urn:1", "urn:2"]),
        ("", ["1", "2"]),
    ],
)
def test_a_prefix_gets_one_separator_before_the_number(prefix: str, expected: list[str]) -> None:
    assert Fleet().add(TEMPLATE, 2, csms_url=NOWHERE, identity_prefix=prefix) == expected


def test_numbered_identities_pad_to_the_width_asked() -> None:
    assert numbered_identities("NC-HUB-", 2, width=4) == ["NC-HUB-0001", "NC-HUB-0002"]
    assert numbered_identities("CP", 2, first=9) == ["CP-09", "CP-10"]
    assert numbered_identities("CP-", 0) == []
    with pytest.raises(ValueError, match="count must be >= 0"):
        numbered_identities("CP-", -1)


def test_station_url_appends_the_identity_to_the_path() -> None:
    assert station_url("ws://h:1/ocpp", "CP-1") == "ws://h:1/ocpp/CP-1"
    assert station_url("wss://h/a/b/", "CP-1") == "wss://h/a/b/CP-1"


def test_the_version_table_has_one_station_class_per_version() -> None:
    from chargeyard.station.v21 import StationV21
    from chargeyard.station.v201 import StationV201

    assert STATION_CLASSES[V16] is StationV16
    assert STATION_CLASSES[V201] is StationV201
    assert station_class(V201) is StationV201
    assert STATION_CLASSES[V21] is station_class(V21) is StationV21  # station/v21
    assert dict(STATION_CLASSES.lacking) == {}


def test_refuses_what_it_cannot_build() -> None:
    fleet = Fleet()
    fleet.add(TEMPLATE, 2, csms_url=NOWHERE)
    with pytest.raises(UnknownTemplate):
        fleet.add("acme-nothing", csms_url=NOWHERE)
    with pytest.raises(ValueError, match="already in the fleet"):
        fleet.add(TEMPLATE, 1, csms_url=NOWHERE, first=2)
    with pytest.raises(InvalidURI):
        fleet.add(TEMPLATE, csms_url="http://127.0.0.1/ocpp", ids=["X"])
    with pytest.raises(UnknownStation):
        fleet.runtime("CP-9")
    assert len(fleet) == 2


def test_setup_sees_every_new_station() -> None:
    def sample_every_5_s(station: SimulatedStation) -> None:
        assert isinstance(station, StationV16)
        station.config.change("MeterValueSampleInterval", "5")

    fleet = Fleet()
    fleet.add(TEMPLATE, 2, csms_url=NOWHERE, setup=sample_every_5_s)
    for station in fleet.stations():
        assert isinstance(station, StationV16)
        assert station.config.get_int("MeterValueSampleInterval") == 5


# -- running --------------------------------------------------------------------------------------


async def test_start_all_boots_every_station_and_stop_all_closes_every_socket(
    tmp_path: Path,
) -> None:
    async with our_csms(tmp_path, heartbeat_interval=60) as csms:
        fleet = fast_fleet(connect_limit=2)
        fleet.add(TEMPLATE, 5, csms_url=f"ws://127.0.0.1:{csms.port}/ocpp")
        fleet.start_all()
        async with asyncio.timeout(5):
            await fleet.wait_booted()
        await until(lambda: fleet.status().frames_received == 15)
        status = fleet.status()
        assert (status.stations, status.running, status.connected, status.booted) == (5, 5, 5, 5)
        assert (status.charging, status.transactions) == (0, 0)
        assert (status.frames_sent, status.connects, status.failures) == (15, 5, 0)
        assert sorted(csms.registry) == fleet.identities()
        assert await csms.store.stations.count(online=True) == 5
        one = fleet.station_status("CP-3")
        assert (one.ocpp_version, one.template_id) == ("1.6", TEMPLATE)
        assert one.registration == "Accepted"
        assert (one.running, one.connection, one.last_error) == (True, "open", None)
        assert one.connectors == ((1, 1, "Available"),)
        await fleet.stop_all()
        status = fleet.status()
        assert (status.running, status.connected, status.booted) == (0, 0, 0)
        await until(lambda: len(csms.registry) == 0)


async def test_one_station_stops_and_starts_without_the_others() -> None:
    async with WireCsms() as csms, fast_fleet() as fleet:
        fleet.add(TEMPLATE, 3, csms_url=f"ws://127.0.0.1:{csms.port}/ocpp")
        fleet.start_all()
        async with asyncio.timeout(5):
            await fleet.wait_booted()
        await fleet.stop("CP-2")
        await until(lambda: set(csms.connections) == {"CP-1", "CP-3"})
        assert fleet.station_status("CP-2").connection == "stopped"
        assert fleet.status().connected == 2
        fleet.start("CP-2")
        await until(lambda: csms.connects.get("CP-2") == 2 and fleet.booted() == 3)
        assert csms.actions("CP-2").count("BootNotification") == 1  # back online, no reboot
        assert csms.connects == {"CP-1": 1, "CP-2": 2, "CP-3": 1}


async def test_a_restart_power_cycles_one_station() -> None:
    async with WireCsms() as csms, fast_fleet() as fleet:
        fleet.add(TEMPLATE, 2, csms_url=f"ws://127.0.0.1:{csms.port}/ocpp")
        fleet.start_all()
        async with asyncio.timeout(5):
            await fleet.wait_booted()
        fleet.restart("CP-1", delay_s=0.05)
        await until(lambda: csms.actions("CP-1").count("BootNotification") == 2)
        async with asyncio.timeout(5):
            await fleet.wait_booted()
        assert csms.actions("CP-2").count("BootNotification") == 1


async def test_status_counts_sessions() -> None:
    async with WireCsms() as csms, fast_fleet() as fleet:
        fleet.add(TEMPLATE, 2, csms_url=f"ws://127.0.0.1:{csms.port}/ocpp")
        fleet.start_all()
        async with asyncio.timeout(5):
            await fleet.wait_booted()
        station = fleet.station("CP-1")
        assert isinstance(station, StationV16)
        station.plug(1, 1)
        station.present_id_token("TAG-1")
        await until(lambda: fleet.status().charging == 1)
        assert fleet.status().transactions == 1
        (transaction,) = fleet.station_status("CP-1").transactions
        assert transaction[0] == 1
        assert fleet.station_status("CP-1").connectors == ((1, 1, "Charging"),)
        assert "StartTransaction" in csms.actions("CP-1")


async def test_the_status_reads_every_meter_now_with_its_transaction() -> None:
    """The meters are integrated up to the station's clock when read, not when the station
    last sampled them (MeterValueSampleInterval may be a minute away)."""
    clock = ManualClock()
    fleet = Fleet(reconnect=ReconnectPolicy(initial=0.05, ceiling=0.2), seed=1, clock=clock)
    async with WireCsms() as csms, fleet:
        fleet.add(TEMPLATE, 1, csms_url=f"ws://127.0.0.1:{csms.port}/ocpp")
        fleet.start_all()
        async with asyncio.timeout(5):
            await fleet.wait_booted()
        idle = fleet.station_status("CP-1")
        station = fleet.station("CP-1")
        assert isinstance(station, StationV16)
        station.plug(1, 1)
        station.present_id_token("TAG-1")
        await until(lambda: fleet.station_status("CP-1").connectors == ((1, 1, "Charging"),))
        await until(lambda: fleet.station_status("CP-1").meters[0].transaction_id == "1")
        started = fleet.station_status("CP-1")
        clock.advance(60)
        later = fleet.station_status("CP-1")

    assert idle.meters == (EvseMeter(1, idle.meters[0].energy_wh, 0.0),)
    assert idle.read_at == started.read_at == clock.now() - timedelta(seconds=60)
    assert later.read_at == clock.now()
    [meter] = later.meters
    assert meter.power_w > 0
    # A minute at the power now flowing (the EV's draw is flat this early in a session).
    assert meter.energy_wh == pytest.approx(idle.meters[0].energy_wh + meter.power_w / 60)
    assert meter == EvseMeter(
        evse_id=1,
        energy_wh=meter.energy_wh,
        power_w=meter.power_w,
        transaction_id="1",  # the id the CSMS gave (1.6 StartTransaction.conf)
        connector_id=1,
        started_at=started.read_at,
        meter_start_wh=idle.meters[0].energy_wh,
    )


async def test_connects_go_through_the_fleets_dialer_a_few_at_a_time() -> None:
    async with WireCsms(handshake_delay=0.05) as csms, fast_fleet(connect_limit=3) as fleet:
        fleet.add(TEMPLATE, 10, csms_url=f"ws://127.0.0.1:{csms.port}/ocpp")
        fleet.start_all()
        async with asyncio.timeout(5):
            await fleet.wait_booted()
    assert csms.most_handshaking == 3


async def test_a_removed_station_is_stopped_and_forgotten() -> None:
    async with WireCsms() as csms, fast_fleet() as fleet:
        fleet.add(TEMPLATE, 2, csms_url=f"ws://127.0.0.1:{csms.port}/ocpp")
        fleet.start_all()
        async with asyncio.timeout(5):
            await fleet.wait_booted()
        await fleet.remove("CP-1")
        assert fleet.identities() == ["CP-2"]
        await until(lambda: set(csms.connections) == {"CP-2"})


async def test_leaving_the_context_closes_every_station() -> None:
    async with WireCsms() as csms:
        async with fast_fleet() as fleet:
            fleet.add(TEMPLATE, 3, csms_url=f"ws://127.0.0.1:{csms.port}/ocpp")
            fleet.start_all()
            async with asyncio.timeout(5):
                await fleet.wait_booted()
        await until(lambda: len(csms.close_codes) == 3)
    assert csms.close_codes == [1001, 1001, 1001]


async def test_a_2_0_1_fleet_boots_against_our_csms(tmp_path: Path) -> None:
    async with our_csms(tmp_path) as csms, fast_fleet() as fleet:
        fleet.add(TEMPLATE, 2, csms_url=f"ws://127.0.0.1:{csms.port}/ocpp", version=V201)
        fleet.start_all()
        async with asyncio.timeout(5):
            await fleet.wait_booted()
        stations = await csms.store.stations.list()
        assert {(s.charge_box_id, s.ocpp_version) for s in stations} == {
            ("CP-1", V201),
            ("CP-2", V201),
        }
        assert fleet.station_status("CP-1").ocpp_version == "2.0.1"


async def test_the_fleet_runs_automatic_sessions_end_to_end(tmp_path: Path) -> None:
    # A driver stays a second and the next comes a second after: slow enough that a round
    # trip of a few hundred milliseconds (a machine busy with the whole suite) still fits a
    # session's calls in the stay. Drivers who come and go faster than the station's one call
    # at a time (OCPP-J 4.1.1) can take leave before their Authorize is answered, so they start
    # no transaction, and the calls they leave behind queue up for the next ones.
    config = AutogenConfig(
        sessions_per_hour=3600,
        mean_session_s=1.0,
        session_sigma=0.0,
        min_idle_s=1.0,
        handling_s=(0.01, 0.02),
    )
    async with our_csms(tmp_path) as csms, fast_fleet() as fleet:
        fleet.add(TEMPLATE, 3, csms_url=f"ws://127.0.0.1:{csms.port}/ocpp")
        fleet.start_all()
        async with asyncio.timeout(5):
            await fleet.wait_booted()
        autogen = fleet.start_autogen(config)
        assert fleet.autogen is autogen

        async def sessions_completed() -> bool:
            return await csms.store.transactions.count(status="completed") >= 3

        # Three sessions take about two seconds; the bound is for a machine busy with the suite.
        await eventually(sessions_completed, within=30)
        assert autogen.counters.sessions_started >= 3
        await fleet.stop_all()
        assert fleet.autogen is None
        assert not autogen.running


async def test_automatic_sessions_drive_the_stations_named_and_follow_their_rebuilds() -> None:
    async with fast_fleet() as fleet:
        fleet.add(TEMPLATE, 3, csms_url=NOWHERE)
        autogen = fleet.start_autogen(identities=["CP-1", "CP-2", "CP-9"])
        assert autogen.identities == ["CP-1", "CP-2"]  # (CP-9 is not in the fleet)
        fleet.add(TEMPLATE, ids=["CP-4"], csms_url=NOWHERE)  # added later: not driven
        # Rebuilt for the same central system (another version): driven again.
        await fleet.remove("CP-1")
        fleet.add(TEMPLATE, ids=["CP-1"], csms_url=NOWHERE, version=V201)
        # Rebuilt for another central system: no longer.
        await fleet.remove("CP-2")
        fleet.add(TEMPLATE, ids=["CP-2"], csms_url="ws://127.0.0.1:8/ocpp")
        assert autogen.identities == ["CP-1"]
        assert autogen is fleet.autogen
        assert fleet.start_autogen().identities == ["CP-3", "CP-4", "CP-1", "CP-2"]  # all


@pytest.mark.parametrize(
    ("version", "status"), [(V16, "Preparing"), (V201, "Occupied")], ids=["1.6", "2.0.1"]
)
async def test_the_status_speaks_the_version_of_the_station(
    version: VersionSpec, status: str
) -> None:
    # A 2.0.1 station reports ConnectorStatusEnumType (G01): a cable in is Occupied.
    fleet = Fleet()
    [identity] = fleet.add(TEMPLATE, 1, csms_url=NOWHERE, version=version)
    fleet.station(identity).plug(1, 1)  # type: ignore[attr-defined]
    assert fleet.station_status(identity).connectors == ((1, 1, status),)
