"""The listener raises the collector's young-generation threshold, never lowers it; a started
``chargeyard csms`` moves what starting it left to the permanent generation."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from chargeyard.csms.collector import YOUNG_THRESHOLD, freeze_startup, tune_collector


@pytest.fixture(autouse=True)
def _restore_thresholds() -> Iterator[None]:
    saved = gc.get_threshold()
    yield
    gc.set_threshold(*saved)


def test_the_default_threshold_is_raised_and_the_older_generations_kept() -> None:
    gc.set_threshold(700, 10, 10)
    tune_collector()
    assert gc.get_threshold() == (YOUNG_THRESHOLD, 10, 10)


def test_a_higher_threshold_or_a_disabled_collector_is_left_alone() -> None:
    gc.set_threshold(YOUNG_THRESHOLD * 2, 10, 10)
    tune_collector()
    assert gc.get_threshold() == (YOUNG_THRESHOLD * 2, 10, 10)
    gc.set_threshold(0, 10, 10)
    tune_collector()
    assert gc.get_threshold() == (0, 10, 10)


def test_what_is_alive_at_the_start_is_frozen_and_no_collection_walks_it() -> None:
    class Cycle:
        def __init__(self) -> None:
            self.itself = self

    alive = Cycle()
    try:
        freeze_startup()
        assert gc.get_freeze_count() > 0
        # A full pass walks only what is not frozen: the object kept since the start is not
        # among what the collector tracks now, one made afterwards is.
        later = Cycle()
        tracked = {id(thing) for thing in gc.get_objects()}
        assert id(alive) not in tracked
        assert id(later) in tracked
    finally:
        gc.unfreeze()  # (this test process goes on collecting what it froze)
