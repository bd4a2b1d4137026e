"""The listener raises the collector's young-generation threshold, never lowers it."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from chargeyard.csms.collector import YOUNG_THRESHOLD, tune_collector


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
