"""The parts a station version is composed of: blocks, hooks and gates (station/blocks.py)."""

from __future__ import annotations

import pytest

from chargeyard.protocol import ActionHandlers, Payload, on
from chargeyard.station.blocks import Block, Gate, Hook, merge_handlers


class _Station(ActionHandlers):
    @on("Reset")
    def reset(self, payload: Payload) -> Payload:
        return {"status": "Accepted"}


class _Reservations(Block[_Station]):
    @on("ReserveNow")
    def reserve_now(self, payload: Payload) -> Payload:
        return {"status": "Accepted"}


class _AlsoReserves(Block[_Station]):
    @on("ReserveNow")
    def reserve_now(self, payload: Payload) -> Payload:
        return {"status": "Rejected"}


def test_a_block_knows_its_station_and_the_tables_merge() -> None:
    station = _Station()
    block = _Reservations(station)
    handlers = merge_handlers(station, block)
    assert block.station is station
    assert sorted(handlers) == ["ReserveNow", "Reset"]
    assert handlers["ReserveNow"]({}) == {"status": "Accepted"}


def test_two_blocks_claiming_one_action_is_refused_when_the_station_is_built() -> None:
    station = _Station()
    with pytest.raises(
        ValueError, match="ReserveNow is handled by both _Reservations and _AlsoReserves"
    ):
        merge_handlers(station, _Reservations(station), _AlsoReserves(station))


def test_a_hook_calls_its_listeners_in_the_order_written() -> None:
    heard: list[str] = []
    hook: Hook[[int]] = Hook(lambda n: heard.append(f"a{n}"), lambda n: heard.append(f"b{n}"))
    hook(1)
    assert heard == ["a1", "b1"]
    assert len(hook.listeners) == 2


def test_a_gate_says_yes_only_when_every_listener_does_and_stops_at_the_first_no() -> None:
    asked: list[str] = []

    def yes(name: str) -> bool:
        asked.append(f"yes:{name}")
        return True

    def no(name: str) -> bool:
        asked.append(f"no:{name}")
        return False

    assert Gate(yes, yes)("evse1") is True
    asked.clear()
    assert Gate(yes, no, yes)("evse1") is False
    assert asked == ["yes:evse1", "no:evse1"]
    assert Gate[[str]]()("anything") is True
