"""Event ids (``csms/event_ids.py``): UUIDv7s, unique across processes that never talk to each
other, increasing within a process even within one millisecond or when its clock steps back."""

from __future__ import annotations

import subprocess
import sys
import uuid

from chargeyard.csms.event_ids import EventIds
from chargeyard.csms.events import Event, EventType


def _fixed_clock(ms: list[int]) -> EventIds:
    return EventIds(clock=lambda: ms[0])


def test_an_event_id_is_a_uuid_version_7_carrying_its_millisecond() -> None:
    ids = EventIds(clock=lambda: 1_770_732_000_123)
    parsed = uuid.UUID(ids.new())
    assert (parsed.version, parsed.variant) == (7, uuid.RFC_4122)
    assert parsed.int >> 80 == 1_770_732_000_123


def test_ids_of_one_process_increase_within_a_millisecond_and_past_its_counter() -> None:
    now = [1_770_732_000_000]
    ids = _fixed_clock(now)
    made = [ids.new() for _ in range(5_000)]  # more than the 4,096 a millisecond holds
    now[0] -= 10  # the clock steps back
    made += [ids.new() for _ in range(3)]
    assert made == sorted(made)
    assert len(set(made)) == len(made)


def test_ids_sort_by_time_across_makers() -> None:
    early, late = EventIds(clock=lambda: 1_000), EventIds(clock=lambda: 1_001)
    assert late.new() > early.new()


def test_two_makers_in_the_same_millisecond_differ_by_their_random_bits() -> None:
    first = EventIds(clock=lambda: 5, random_bits=lambda n: 1)
    second = EventIds(clock=lambda: 5, random_bits=lambda n: 2)
    assert first.new() != second.new()


def _first_event_id_of_a_new_process() -> str:
    code = (
        "from chargeyard.csms.events import Event, EventType;"
        "print(Event(EventType.CHARGER_BOOT, 'CP-1').as_json()['id'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    )
    return done.stdout.strip()


def test_two_nodes_never_give_their_events_the_same_id() -> None:
    """Two central-system processes start, each publishes an event: the ids differ, as they
    must for a consumer that de-duplicates the webhooks of a cluster on them."""
    assert _first_event_id_of_a_new_process() != _first_event_id_of_a_new_process()


def test_an_event_is_told_with_its_id() -> None:
    event = Event(EventType.CHARGER_BOOT, "CP-1")
    assert event.as_json()["id"] == event.id
    assert uuid.UUID(event.id).version == 7
