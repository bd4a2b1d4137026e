"""A station's firmware misbehaving on purpose (``station/misbehaviour.py``,
``station/bad_days.py``), one named behaviour at a time, on both versions: the frames show the
mistake while it is on, and the station behaves again once it is off. The harness checks every
frame against the official schemas: these mistakes are in what the frames say, not in their
shape."""

from __future__ import annotations

import pytest

from chargeyard.protocol import V16, Payload, VersionSpec
from chargeyard.station.bad_days import BadDaysSnapshot, bad_days_of, snapshot_of
from chargeyard.station.clock_faults import ClockFault
from chargeyard.station.misbehaviour import (
    UNKNOWN_TRANSACTION_ID_16,
    UNKNOWN_TRANSACTION_ID_201,
    Misbehaviour,
)
from chargeyard.station.model.states import Registration
from tests.station.bad_days_support import (
    VERSIONS,
    charge,
    meter_values,
    online,
    register,
    ts,
    verbs,
)
from tests.station.harness import Link

by_version = pytest.mark.parametrize("version", VERSIONS, ids=lambda version: version.name)

PER_MINUTE_WH = 7360 / 60  # the catalog station's 32 A on 230 V, a minute of it


def _statuses(link: Link) -> list[tuple[int, ...]]:
    """(1.6 connectorId, or 2.0.1 evseId and connectorId) of each StatusNotification."""
    return [
        (payload["connectorId"],)
        if "errorCode" in payload
        else (payload["evseId"], payload["connectorId"])
        for payload in link.csms.payloads("StatusNotification")
    ]


def _transaction_ids(link: Link) -> list[tuple[str, object]]:
    """(action, the transaction id it names) of each transaction message, in order: 1.6
    StopTransaction and a transaction's MeterValues, 2.0.1 TransactionEvent (its eventType)."""
    named: list[tuple[str, object]] = []
    for action, payload in link.csms.received:
        if action == "TransactionEvent":
            named.append((payload["eventType"], payload["transactionInfo"]["transactionId"]))
        elif action in ("StopTransaction", "MeterValues") and "transactionId" in payload:
            named.append((action, payload["transactionId"]))
    return named


def _started_id(link: Link) -> object:
    """The id of the transaction running, as the central system heard it start: the one 1.6
    StartTransaction.conf gave, the one of 2.0.1's Started."""
    [transaction] = link.station.model.transactions()
    if link.station.version is V16:
        return transaction.csms_id
    return transaction.local_id  # (2.0.1: the station's own, which its Started carried)


def _stop(link: Link) -> None:
    verbs(link).stop_transaction(1)
    link.pump()
    link.run_for(0)


def _unplug_and_charge_again(link: Link) -> None:
    verbs(link).unplug(1, 1)
    link.pump()
    charge(link)
    link.run_for(0)


# -- status-for-unknown-connector -------------------------------------------------------------


@by_version
def test_status_for_unknown_connector_follows_each_status_until_switched_off(
    version: VersionSpec,
) -> None:
    link = online(version)
    days = bad_days_of(link.station)
    days.switch_on(Misbehaviour.STATUS_FOR_UNKNOWN_CONNECTOR)
    days.switch_on(Misbehaviour.STATUS_FOR_UNKNOWN_CONNECTOR)  # (on already: nothing more)
    link.pump()
    # At once, a connector the station does not have (its one connector is number 1).
    unknown: Payload = (
        {"connectorId": 2, "errorCode": "NoError", "status": "Available", "timestamp": ts()}
        if version is V16
        else {"timestamp": ts(), "connectorStatus": "Available", "evseId": 1, "connectorId": 2}
    )
    assert link.csms.received == [("StatusNotification", unknown)]

    link.csms.clear()
    verbs(link).plug(1, 1)
    link.pump()
    link.run_for(0)
    [real, told_again] = link.csms.payloads("StatusNotification")
    assert told_again == {**real, "connectorId": 2}

    days.switch_off(Misbehaviour.STATUS_FOR_UNKNOWN_CONNECTOR)
    link.csms.clear()
    verbs(link).unplug(1, 1)
    link.pump()
    link.run_for(0)
    assert _statuses(link) == ([(1,)] if version is V16 else [(1, 1)])


@by_version
def test_status_for_unknown_connector_switched_off_before_the_next_tick_tells_none(
    version: VersionSpec,
) -> None:
    link = online(version)
    days = bad_days_of(link.station)
    days.switch_on(Misbehaviour.STATUS_FOR_UNKNOWN_CONNECTOR)
    link.pump()
    link.csms.clear()
    verbs(link).plug(1, 1)
    days.switch_off(Misbehaviour.STATUS_FOR_UNKNOWN_CONNECTOR)
    link.pump()
    link.run_for(0)
    assert _statuses(link) == ([(1,)] if version is V16 else [(1, 1)])


@by_version
def test_status_for_unknown_connector_waits_for_the_registration(version: VersionSpec) -> None:
    # Switched on before the boot: nothing goes before Accepted (1.6 section 4.2, 2.0.1
    # B01.FR.05), then the boot's reports, each told again of connector 2.
    link = online(version)
    link.station.reboot(1)
    link.follow_station()
    days = bad_days_of(link.station)
    days.switch_on(Misbehaviour.STATUS_FOR_UNKNOWN_CONNECTOR)
    assert link.csms.payloads("StatusNotification") == []
    link.run_for(5)
    assert link.csms.actions()[0] == "BootNotification"
    # (Each told again on the tick after it: 1.6's connector 0, then 1, then 2 twice.)
    expected = [(0,), (1,), (2,), (2,)] if version is V16 else [(1, 1), (1, 2)]
    assert _statuses(link) == expected


# -- unknown-transaction-id -------------------------------------------------------------------


@by_version
def test_unknown_transaction_id_names_a_transaction_the_csms_never_gave(
    version: VersionSpec,
) -> None:
    link = online(version)
    days = bad_days_of(link.station)
    days.switch_on(Misbehaviour.UNKNOWN_TRANSACTION_ID)
    charge(link)
    link.run_for(60)
    first = _started_id(link)
    _stop(link)
    unknown = UNKNOWN_TRANSACTION_ID_16 if version is V16 else UNKNOWN_TRANSACTION_ID_201
    assert first != unknown
    if version is V16:
        # StartTransaction carries none; the central system numbered it 1.
        assert _transaction_ids(link) == [("MeterValues", unknown), ("StopTransaction", unknown)]
    else:
        # The Started names the station's own id; what follows, one never heard of.
        assert _transaction_ids(link) == [
            ("Started", first),
            ("Updated", unknown),  # Charging
            ("Updated", unknown),  # the periodic reading
            ("Ended", unknown),
        ]

    days.switch_off(Misbehaviour.UNKNOWN_TRANSACTION_ID)
    link.csms.clear()
    _unplug_and_charge_again(link)
    link.run_for(60)
    second = _started_id(link)
    _stop(link)
    if version is V16:
        assert _transaction_ids(link) == [("MeterValues", second), ("StopTransaction", second)]
    else:
        events = ["Started", "Updated", "Updated", "Ended"]
        assert _transaction_ids(link) == [(event, second) for event in events]


@by_version
def test_unknown_transaction_id_keeps_the_offline_queue_and_its_order(
    version: VersionSpec,
) -> None:
    link = online(version)
    charge(link)
    link.run_for(0)
    days = bad_days_of(link.station)
    days.switch_on(Misbehaviour.UNKNOWN_TRANSACTION_ID)
    link.station.go_offline()
    link.follow_station()
    link.run_for(120)  # two periodic readings, kept in the queue
    verbs(link).stop_transaction(1)
    link.csms.clear()
    link.station.come_online()
    link.follow_station()
    link.run_for(0)
    unknown = UNKNOWN_TRANSACTION_ID_16 if version is V16 else UNKNOWN_TRANSACTION_ID_201
    ids = _transaction_ids(link)
    if version is V16:
        assert ids == [
            ("MeterValues", unknown),
            ("MeterValues", unknown),
            ("StopTransaction", unknown),
        ]
    else:
        assert [event for event, _ in ids][-1] == "Ended"
        assert all(named == unknown for _, named in ids)
        seq_nos = [p["seqNo"] for p in link.csms.payloads("TransactionEvent")]
        assert seq_nos == list(range(seq_nos[0], seq_nos[0] + len(seq_nos)))  # E13: in order
    periodic = [value["timestamp"] for value in meter_values(link, "Sample.Periodic")]
    assert periodic == [ts(60), ts(120)]


# -- meter-backwards --------------------------------------------------------------------------


@by_version
def test_meter_backwards_counts_the_register_down_until_switched_off(
    version: VersionSpec,
) -> None:
    link = online(version)
    days = bad_days_of(link.station)
    charge(link)
    days.switch_on(Misbehaviour.METER_BACKWARDS)
    link.run_for(180)
    _stop(link)
    down = [register(value) for value in meter_values(link, "Sample.Periodic")]
    assert down == pytest.approx(
        [1000 - PER_MINUTE_WH, 1000 - 2 * PER_MINUTE_WH, 1000 - 3 * PER_MINUTE_WH], abs=0.1
    )
    begin = meter_values(link, "Transaction.Begin")[0]  # (2.0.1's Ended repeats it)
    [end] = meter_values(link, "Transaction.End")
    assert register(end) < register(begin) == 1000
    if version is V16:
        [stop] = link.csms.payloads("StopTransaction")
        [start] = link.csms.payloads("StartTransaction")
        assert stop["meterStop"] < start["meterStart"]

    days.switch_off(Misbehaviour.METER_BACKWARDS)
    link.csms.clear()
    _unplug_and_charge_again(link)
    link.run_for(120)
    up = [register(value) for value in meter_values(link, "Sample.Periodic")]
    assert up == pytest.approx([down[-1] + PER_MINUTE_WH, down[-1] + 2 * PER_MINUTE_WH], abs=0.1)


@by_version
def test_meter_backwards_stops_at_zero(version: VersionSpec) -> None:
    link = online(version)
    bad_days_of(link.station).switch_on(Misbehaviour.METER_BACKWARDS)
    charge(link)
    link.run_for(600)  # 1000 Wh at 7.36 kW are gone in 8 min 9 s
    registers = [register(value) for value in meter_values(link, "Sample.Periodic")]
    assert registers[-2:] == [0.0, 0.0]
    assert registers == sorted(registers, reverse=True)


# -- boot-in-transaction ----------------------------------------------------------------------


@by_version
def test_boot_in_transaction_boots_after_each_start_and_the_transaction_runs_on(
    version: VersionSpec,
) -> None:
    link = online(version)
    days = bad_days_of(link.station)
    days.switch_on(Misbehaviour.BOOT_IN_TRANSACTION)
    assert link.csms.received == []  # no transaction yet
    charge(link)
    link.run_for(0)
    actions = link.csms.actions()
    start = "StartTransaction" if version is V16 else "TransactionEvent"
    assert actions.index("BootNotification") > actions.index(start)
    assert link.csms.payloads("BootNotification") == [link.station.boot_notification_payload()]
    # The registration stands and nothing of a boot is reported; the transaction goes on.
    assert link.station.registration is Registration.ACCEPTED
    assert actions[actions.index("BootNotification") + 1 :] == []
    link.run_for(60)
    assert meter_values(link, "Sample.Periodic")
    started = _started_id(link)
    _stop(link)
    assert _transaction_ids(link)[-1][1] == started

    days.switch_off(Misbehaviour.BOOT_IN_TRANSACTION)
    link.csms.clear()
    _unplug_and_charge_again(link)
    link.run_for(60)
    assert "BootNotification" not in link.csms.actions()


@by_version
def test_boot_in_transaction_switched_on_while_charging_boots_at_once(
    version: VersionSpec,
) -> None:
    link = online(version)
    charge(link)
    link.run_for(30)
    link.csms.clear()
    bad_days_of(link.station).switch_on(Misbehaviour.BOOT_IN_TRANSACTION)
    link.pump()
    assert link.csms.actions() == ["BootNotification"]
    assert link.station.registration is Registration.ACCEPTED


# -- what is wrong, read back -----------------------------------------------------------------


@by_version
def test_the_snapshot_lists_what_is_on_and_clear_ends_it_all(version: VersionSpec) -> None:
    link = online(version)
    station = link.station
    days = bad_days_of(station)
    for name in ("boot-in-transaction", "meter-backwards"):
        days.switch_on(Misbehaviour(name))
    days.set_clock(ClockFault(offset_s=60))
    shown = snapshot_of(station)
    assert shown.misbehaviours == (Misbehaviour.METER_BACKWARDS, Misbehaviour.BOOT_IN_TRANSACTION)
    assert shown.to_json()["misbehaviours"] == ["meter-backwards", "boot-in-transaction"]
    assert shown.clock is not None
    assert shown.clock.skew_s == 60

    days.clear()
    assert snapshot_of(station) == BadDaysSnapshot()
    assert days.misbehaviours == frozenset()
