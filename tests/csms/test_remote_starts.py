"""The remote starts the central system waits for (``csms/remote_starts.py``)."""

from __future__ import annotations

from chargeyard.csms.remote_starts import RemoteStart, RemoteStarts


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def starts(ttl: float = 600.0) -> tuple[RemoteStarts, FakeClock]:
    clock = FakeClock()
    return RemoteStarts(ttl, clock), clock


def test_511_a_16_start_is_claimed_by_station_connector_and_tag_once() -> None:
    pending, _ = starts()
    pending.expect(RemoteStart("CP-1", 1, "TAG"))

    assert not pending.claim("CP-2", connector_id=1, id_tag="TAG")
    assert not pending.claim("CP-1", connector_id=2, id_tag="TAG")
    assert not pending.claim("CP-1", connector_id=1, id_tag="OTHER")
    assert pending.claim("CP-1", connector_id=1, id_tag="TAG")
    assert not pending.claim("CP-1", connector_id=1, id_tag="TAG")  # used up
    assert len(pending) == 0


def test_f02_a_201_start_is_claimed_by_its_remote_start_id() -> None:
    pending, _ = starts()
    pending.expect(RemoteStart("CS-1", 1, "TAG", remote_start_id=7))

    # The id decides: another id on the same EVSE and tag is not ours.
    assert not pending.claim("CS-1", connector_id=1, id_tag="TAG", remote_start_id=8)
    assert pending.claim("CS-1", connector_id=2, id_tag=None, remote_start_id=7)


def test_a_start_is_forgotten_after_its_ttl() -> None:
    pending, clock = starts(ttl=600)
    pending.expect(RemoteStart("CP-1", 1, "OLD"))
    clock.now = 300
    pending.expect(RemoteStart("CP-1", 1, "NEW"))

    clock.now = 600
    assert len(pending) == 1
    assert not pending.claim("CP-1", connector_id=1, id_tag="OLD")
    assert pending.claim("CP-1", connector_id=1, id_tag="NEW")


def test_a_repeated_start_is_young_again_and_a_withdrawn_one_gone() -> None:
    pending, clock = starts(ttl=600)
    start = RemoteStart("CP-1", 1, "TAG")
    pending.expect(start)
    clock.now = 500
    pending.expect(start)

    clock.now = 900
    assert len(pending) == 1
    pending.withdraw(start)
    assert not pending.claim("CP-1", connector_id=1, id_tag="TAG")
