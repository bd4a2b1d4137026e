"""The fault model and its seeded source, without sockets: the same seed and profile give the
same faults (a profile run twice and its journals compared), the TOML profile and its example,
and a profile's errors in words."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from chargeyard.fleet.chaos.engine import Chaos
from chargeyard.fleet.chaos.faults import (
    KINDS,
    BootInTransaction,
    Clock,
    Disconnect,
    DropFrames,
    DuplicateFrames,
    Fault,
    Latency,
    PowerCut,
    ReconnectStorm,
    ReorderFrames,
    WithholdAnswers,
    fault_from_dict,
    fault_to_dict,
)
from chargeyard.fleet.chaos.frames import heard, send
from chargeyard.gateway.chaos_profile import ProfileError, load_profile
from chargeyard.station.clock_faults import ClockJump

pytestmark = pytest.mark.virtual_time

EXAMPLE = Path(__file__).parents[2] / "examples" / "chaos" / "flaky-network.toml"

PROFILE: list[Fault] = [
    Latency(up_ms=100, down_ms=50, jitter_ms=40),
    Disconnect(per_minute=0.5, offline_s=5),
    DropFrames(share=0.2),
    DuplicateFrames(share=0.1),
    ReorderFrames(share=0.1, hold_s=0.5),
    WithholdAnswers(share=0.3),
]


class Hooks:
    """A runtime that is always connected, and notes its cuts."""

    def __init__(self) -> None:
        self.cuts = 0

    def chaos_cut(self) -> bool:
        self.cuts += 1
        return True

    def chaos_reading(self, reading: bool) -> None:
        pass

    def chaos_station(self, before: list[Fault], after: list[Fault]) -> None:
        pass

    def chaos_crowd(self, fault: Fault, reconnect_in_s: float) -> bool:
        return True


async def run_profile(
    seed: int, identity: str = "CP-1"
) -> tuple[list[tuple[str, str]], list[bytes]]:
    """Ten minutes of a station's traffic (a CALL and an answer every 10 s) through
    ``PROFILE``: what the faults did, and the frames that went out, in order."""
    chaos = Chaos(identity, seed, Hooks())
    chaos.apply(PROFILE)
    wire: list[bytes] = []
    for n in range(60):
        heard(chaos, orjson.dumps([2, f"csms-{n}", "GetConfiguration", {}]))
        frames = [
            orjson.dumps([3, f"csms-{n}", {"configurationKey": []}]),
            orjson.dumps([2, f"cp-{n}", "Heartbeat", {}]),
        ]
        send(chaos, frames, wire.extend)
        chaos.latency("up")
        await asyncio.sleep(10)  # ten seconds of the virtual clock between two exchanges
    chaos.clear()
    return chaos.effects(), wire


async def test_the_same_seed_and_profile_give_the_same_faults() -> None:
    first, first_wire = await run_profile(seed=11)
    second, second_wire = await run_profile(seed=11)
    assert first == second
    assert first_wire == second_wire
    effects = {effect for effect, _ in first}
    assert {"frame_dropped", "frame_duplicated", "answer_withheld"} <= effects
    assert "connection_dropped" in effects


async def test_another_seed_or_station_gives_other_faults() -> None:
    base, _ = await run_profile(seed=11)
    assert (await run_profile(seed=12))[0] != base
    assert (await run_profile(seed=11, identity="CP-2"))[0] != base


def test_every_kind_round_trips_through_data() -> None:
    for kind in KINDS.values():
        fault = kind()
        assert fault_from_dict(fault_to_dict(fault)) == fault
    with pytest.raises(ValueError, match="unknown fault kind"):
        fault_from_dict({"kind": "meteor"})
    with pytest.raises(ValueError, match="no field"):
        fault_from_dict({"kind": "latency", "colour": "red"})


def test_the_documented_example_profile_loads() -> None:
    profile = load_profile(EXAMPLE)
    assert profile.seed == 2026
    faults = profile.to_faults()
    assert [fault.kind for fault in faults] == [
        "latency",
        "bandwidth",
        "disconnect",
        "drop_frames",
        "delay_answers",
    ]
    assert all(fault.for_s == 3600 for fault in faults)


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("seed = 1\n", "faults: Field required"),
        ('[[faults]]\nkind = "latency"\nup_ms = -1\n', "faults.0.latency.up_ms"),
        ('[[faults]]\nkind = "storm"\n', "faults.0"),
        ("[[faults]\n", "Expected"),
    ],
)
def test_a_bad_profile_says_where(tmp_path: Path, text: str, complaint: str) -> None:
    path = tmp_path / "profile.toml"
    path.write_text(text)
    with pytest.raises(ProfileError, match=complaint.replace(".", r"\.")) as raised:
        load_profile(path)
    assert str(path) in str(raised.value)


def test_a_profile_of_station_and_crowd_faults_loads(tmp_path: Path) -> None:
    path = tmp_path / "bad-day.toml"
    path.write_text(
        "seed = 3\n"
        '[[faults]]\nkind = "clock"\njump_to = 2001-02-03T04:05:06Z\njump_after_s = 60\n'
        '[[faults]]\nkind = "boot_in_transaction"\nfor_s = 600\n'
        '[[faults]]\nkind = "reconnect_storm"\njitter_s = 30\nafter_s = 300\n'
        '[[faults]]\nkind = "power_cut"\noff_s = 20\n'
    )
    faults = load_profile(path).to_faults()
    assert faults == [
        Clock(jump_to="2001-02-03T04:05:06Z", jump_after_s=60),
        BootInTransaction(for_s=600),
        ReconnectStorm(jitter_s=30, after_s=300),
        PowerCut(off_s=20),
    ]
    with pytest.raises(ValueError, match="time zone"):
        Clock(jump_to="2001-02-03T04:05:06")
    assert faults[0].clock_fault().jump == ClockJump(  # type: ignore[union-attr]
        datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC), after_s=60
    )


async def test_faults_add_up_and_a_new_seed_keeps_them() -> None:
    chaos = Chaos("CP-1", 1, Hooks())
    chaos.apply([Latency(up_ms=10, for_s=30)])
    chaos.reseed(2)
    chaos.apply([DropFrames(share=0.5)])
    assert [active.fault.kind for active in chaos.faults] == ["latency", "drop_frames"]
    assert chaos.seed == 2
    [latency, drop] = chaos.describe()
    # The virtual clock keeps wall time between its jumps: a loaded machine can let a
    # millisecond pass between the apply and the describe.
    assert latency["remaining_s"] == pytest.approx(30.0, abs=0.5)
    assert drop["remaining_s"] is None
    await asyncio.sleep(31)
    assert [active.fault.kind for active in chaos.faults] == ["drop_frames"]
    chaos.clear()
    assert chaos.faults == []


async def test_actions_limit_an_answer_fault_to_the_answers_of_those_calls() -> None:
    chaos = Chaos("CP-1", 1, Hooks())
    chaos.apply([WithholdAnswers(share=1.0, actions=("GetConfiguration",))])
    heard(chaos, orjson.dumps([2, "a", "GetConfiguration", {}]))
    heard(chaos, orjson.dumps([2, "b", "ChangeConfiguration", {"key": "k", "value": "v"}]))
    wire: list[bytes] = []
    answers = [orjson.dumps([3, "a", {}]), orjson.dumps([3, "b", {"status": "Accepted"}])]
    send(chaos, answers, wire.extend)
    assert wire == [answers[1]]
    assert chaos.effects() == [("answer_withheld", "CALLRESULT GetConfiguration a")]


async def test_frames_written_together_go_out_reversed() -> None:
    chaos = Chaos("CP-1", 1, Hooks())
    chaos.apply([ReorderFrames(share=1.0)])
    heard(chaos, orjson.dumps([2, "a", "GetConfiguration", {}]))
    batch = [
        orjson.dumps([3, "a", {"configurationKey": []}]),
        orjson.dumps([2, "b", "Heartbeat", {}]),
    ]
    wire: list[bytes] = []
    send(chaos, batch, wire.extend)
    assert wire == batch[::-1]  # the station's CALL before its answer to the CSMS
    assert chaos.effects() == [("frame_reordered", "2 frames reversed")]
