from __future__ import annotations

from chargeyard.station.timers import Timers


def test_timers_fire_in_deadline_order_once() -> None:
    timers, fired = Timers(), []
    timers.set("b", 20.0, lambda: fired.append("b"))
    timers.set("a", 10.0, lambda: fired.append("a"))
    timers.set("c", 30.0, lambda: fired.append("c"))
    assert timers.next_deadline() == 10.0
    assert timers.fire_due(25.0) == 2
    assert fired == ["a", "b"]
    assert timers.fire_due(25.0) == 0
    assert timers.next_deadline() == 30.0


def test_setting_a_name_again_replaces_it_and_cancel_removes_it() -> None:
    timers, fired = Timers(), []
    timers.set("heartbeat", 10.0, lambda: fired.append(1))
    timers.set("heartbeat", 50.0, lambda: fired.append(2))
    timers.fire_due(20.0)
    assert fired == []
    timers.cancel("heartbeat")
    assert timers.next_deadline() is None


def test_a_callback_may_reset_its_own_timer_which_waits_for_a_later_call() -> None:
    timers, fired = Timers(), []

    def beat() -> None:
        fired.append(len(fired))
        timers.set("beat", 10.0 * (len(fired) + 1), beat)

    timers.set("beat", 10.0, beat)
    timers.fire_due(100.0)
    assert fired == [0]
    assert timers.deadline("beat") == 20.0


def test_cancel_all_keeps_the_named_ones() -> None:
    timers = Timers()
    for name in ("a", "b", "power_on"):
        timers.set(name, 1.0, lambda: None)
    timers.cancel_all(keep=frozenset({"power_on"}))
    assert [timers.is_set(name) for name in ("a", "b", "power_on")] == [False, False, True]
