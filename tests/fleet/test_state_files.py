"""``chargeyard sim --state-dir``: a station's memory is in its file before a transaction
message leaves it, so a crash of the process (no goodbye, nothing saved on the way out)
forgets nothing the central system was told (fleet/state_files.py)."""

from __future__ import annotations

from pathlib import Path

from chargeyard.fleet.state_files import StateFiles
from chargeyard.station.clock import ManualClock
from tests.station.harness import Link
from tests.station.v16.conftest import make_station as make_v16
from tests.station.v201.conftest import make_link as make_v201_link
from tests.station.v201.conftest import make_station as make_v201


def test_16_a_crash_after_charging_reports_the_transaction_ended_with_power_loss(
    tmp_path: Path,
) -> None:
    clock = ManualClock()
    crashed = make_v16(clock)
    StateFiles(tmp_path).restore([crashed])  # nothing kept yet: it only starts writing
    before = Link(crashed, clock)
    before.connect()
    crashed.plug(1, 1)
    crashed.present_id_token("TAG-1")
    before.pump()
    before.run_for(600)  # ten minutes of charging, MeterValues on the way
    last_told = before.csms.payloads("MeterValues")[-1]["meterValue"][0]["sampledValue"]
    register_told = next(
        float(v["value"])
        for v in last_told
        if v.get("measurand") == "Energy.Active.Import.Register"
    )
    # kill -9: the process is gone, nothing runs on the way out.

    clock.advance(60)
    station = make_v16(clock)
    assert StateFiles(tmp_path).restore([station]) == 1
    after = Link(station, clock)
    after.connect()
    [stop] = after.csms.payloads("StopTransaction")
    assert (stop["transactionId"], stop["reason"]) == (1, "PowerLoss")
    # The register the central system last heard, and the meter goes on from it.
    assert stop["meterStop"] == int(register_told)
    assert (
        station.model.evses[1].meter.energy_register_wh >= register_told - 0.1
    )  # 0.1 Wh on the wire
    # Answered: the file forgets it, so a second crash reports nothing again.
    fresh = make_v16(clock)
    assert StateFiles(tmp_path).restore([fresh]) == 0


def test_16_a_transaction_started_is_kept_before_its_start_leaves(tmp_path: Path) -> None:
    clock = ManualClock()
    crashed = make_v16(clock)  # offline: its StartTransaction waits in the queue
    StateFiles(tmp_path).restore([crashed])
    crashed.plug(1, 1)
    crashed.start_transaction(1, "TAG-1")
    link = Link(crashed, clock)
    link.csms.answers["StartTransaction"] = lambda p: {
        "transactionId": 7,
        "idTagInfo": {"status": "Accepted"},
    }
    link.connect()  # the start goes out (the file is written just before) and is answered
    assert link.csms.actions()[1] == "StartTransaction"

    station = make_v16(clock)
    assert StateFiles(tmp_path).restore([station]) == 1
    after = Link(station, clock)
    after.connect()
    [stop] = after.csms.payloads("StopTransaction")
    assert (stop["transactionId"], stop["reason"]) == (7, "PowerLoss")


def test_201_the_power_loss_report_uses_a_seq_no_not_sent_before(tmp_path: Path) -> None:
    # A seqNo the central system has stored is a copy to it (E13): the report must not
    # reuse one, or it would be answered and ignored.
    clock = ManualClock()
    crashed = make_v201(clock)
    StateFiles(tmp_path).restore([crashed])
    before = make_v201_link(crashed, clock)
    before.connect()
    crashed.plug(1, 1)
    crashed.present_id_token("TAG-1")
    before.pump()
    before.run_for(600)
    sent = before.csms.payloads("TransactionEvent")
    transaction_id = sent[0]["transactionInfo"]["transactionId"]

    station = make_v201(clock)
    assert StateFiles(tmp_path).restore([station]) == 1
    after = make_v201_link(station, clock)
    after.connect()
    [ended] = after.csms.payloads("TransactionEvent")
    assert ended["transactionInfo"] == {
        "transactionId": transaction_id,
        "stoppedReason": "PowerLoss",
    }
    assert ended["seqNo"] > max(event["seqNo"] for event in sent)


def test_a_graceful_stop_saves_and_an_unreadable_file_is_ignored(tmp_path: Path) -> None:
    clock = ManualClock()
    station = make_v16(clock)
    files = StateFiles(tmp_path)
    files.save([station])
    assert files.path(station.identity).exists()
    files.path(station.identity).write_text("{not json", encoding="utf-8")
    assert StateFiles(tmp_path).restore([make_v16(clock)]) == 0
