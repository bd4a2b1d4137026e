"""The listener's one keepalive (``transport/keepalive.py``): a connection silent for the
interval is pinged, one that answers nothing within the timeout is closed, one that spoke is
left alone, and a check looks only at the connections due."""

from __future__ import annotations

import gc
import weakref

import pytest

from chargeyard.transport.keepalive import Keepalive
from tests.protocol.support import FakeClock


class Peer:
    """A connection as the keepalive sees it; ``answers`` says whether a ping is answered at
    once (any bytes back)."""

    def __init__(self, clock: FakeClock, *, answers: bool = True, open_: bool = True) -> None:
        self.clock = clock
        self.answers = answers
        self.open = open_
        self.heard_at = 0.0
        self.reads = 0
        self.pings: list[float] = []
        self.failed = False
        self.looked_at = 0

    def __getattribute__(self, name: str) -> object:
        if name == "heard_at":
            object.__setattr__(self, "looked_at", object.__getattribute__(self, "looked_at") + 1)
        return object.__getattribute__(self, name)

    def send_keepalive_ping(self) -> bool:
        if not self.open:
            return False
        self.pings.append(self.clock())
        if self.answers:  # the pong, as soon as the ping is sent (on the clock's same tick)
            self.speaks()
        return True

    def fail_keepalive(self) -> None:
        self.failed = True

    def speaks(self) -> None:
        self.heard_at = self.clock()
        self.reads += 1


def watch(clock: FakeClock, *peers: Peer, timeout: float | None = 30.0) -> Keepalive:
    keepalive = Keepalive(60.0, timeout, clock=clock)
    for peer in peers:
        keepalive.add(peer)
    return keepalive


def run(keepalive: Keepalive, clock: FakeClock, seconds: float) -> None:
    """Advance ``seconds`` a slot at a time, checking each, as the task does."""
    for _ in range(round(seconds / keepalive.slot_s)):
        clock.advance(keepalive.slot_s)
        keepalive.check()


def test_a_silent_connection_is_pinged_once_an_interval_has_passed() -> None:
    clock = FakeClock()
    peer = Peer(clock)
    keepalive = watch(clock, peer)
    run(keepalive, clock, 59)
    assert peer.pings == []
    run(keepalive, clock, 2)
    assert len(peer.pings) == 1
    assert 1060.0 <= peer.pings[0] <= 1061.0

    run(keepalive, clock, 60)  # answered: pinged again an interval after the pong
    assert len(peer.pings) == 2
    assert not peer.failed
    assert (keepalive.pings_sent, keepalive.closed, len(keepalive)) == (2, 0, 1)


def test_a_connection_that_spoke_is_not_pinged_until_it_is_silent_for_an_interval() -> None:
    clock = FakeClock()
    peer = Peer(clock)
    keepalive = watch(clock, peer)
    for _ in range(5):  # a Heartbeat every 50 s: never silent for 60
        run(keepalive, clock, 50)
        peer.speaks()
    assert peer.pings == []
    run(keepalive, clock, 61)
    assert len(peer.pings) == 1


def test_a_ping_unanswered_within_the_timeout_closes_the_connection() -> None:
    clock = FakeClock()
    peer = Peer(clock, answers=False)
    keepalive = watch(clock, peer)
    run(keepalive, clock, 60)
    assert peer.pings == [1060.0]
    assert not peer.failed
    run(keepalive, clock, 29)
    assert not peer.failed
    run(keepalive, clock, 2)
    assert peer.failed
    assert (keepalive.closed, len(keepalive)) == (1, 0)
    run(keepalive, clock, 120)
    assert len(peer.pings) == 1  # forgotten once closed


def test_without_a_timeout_a_silent_connection_is_pinged_every_interval_and_kept() -> None:
    clock = FakeClock()
    peer = Peer(clock, answers=False)
    keepalive = watch(clock, peer, timeout=None)
    run(keepalive, clock, 181)
    assert len(peer.pings) == 3
    assert not peer.failed


def test_a_connection_closing_or_gone_is_dropped_without_a_close() -> None:
    clock = FakeClock()
    closing, gone = Peer(clock, open_=False), Peer(clock)
    keepalive = watch(clock, closing, gone)
    keepalive.discard(gone)
    run(keepalive, clock, 200)
    assert (closing.pings, gone.pings) == ([], [])
    assert not closing.failed
    assert len(keepalive) == 0


class Broken(Peer):
    """A connection whose ping fails with an error (a bug, a library's surprise)."""

    def send_keepalive_ping(self) -> bool:
        raise RuntimeError("ping failed")


def test_a_connection_whose_ping_fails_is_dropped_and_the_others_are_kept(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock()
    broken, peers = Broken(clock), [Peer(clock) for _ in range(3)]
    keepalive = watch(clock, broken, *peers)  # all in one slot
    run(keepalive, clock, 61)
    assert [len(peer.pings) for peer in peers] == [1, 1, 1]
    assert "the keepalive of a connection failed" in caplog.text
    assert len(keepalive) == 3
    run(keepalive, clock, 60)
    assert [len(peer.pings) for peer in peers] == [2, 2, 2]


def test_a_connection_that_went_is_held_no_more() -> None:
    clock = FakeClock()
    peer = Peer(clock)
    keepalive = watch(clock, peer)
    run(keepalive, clock, 61)  # pinged: now due for its pong's check
    gone = weakref.ref(peer)
    keepalive.discard(peer)
    del peer
    gc.collect()
    assert gone() is None
    assert len(keepalive) == 0
    run(keepalive, clock, 120)


def test_a_check_looks_only_at_the_connections_due() -> None:
    clock = FakeClock()
    early, late = [Peer(clock) for _ in range(1_000)], [Peer(clock) for _ in range(1_000)]
    keepalive = watch(clock, *early)
    run(keepalive, clock, 30)
    for peer in late:
        keepalive.add(peer)
    looked = sum(peer.looked_at for peer in early + late)
    run(keepalive, clock, 25)
    assert sum(peer.looked_at for peer in early + late) == looked  # nobody due: nobody read
    run(keepalive, clock, 10)
    assert all(len(peer.pings) == 1 for peer in early)
    assert all(peer.pings == [] for peer in late)


def test_a_long_pause_catches_up_in_one_check() -> None:
    clock = FakeClock()
    peer = Peer(clock, answers=False)
    keepalive = watch(clock, peer)
    clock.advance(10_000)  # the loop was held up, or a test's clock jumped
    keepalive.check()
    assert len(peer.pings) == 1


def test_an_interval_or_timeout_that_is_not_positive_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        Keepalive(0, 30.0)
    with pytest.raises(ValueError, match="positive"):
        Keepalive(60.0, 0)
