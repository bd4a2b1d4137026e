"""The process's collector (``src/chargeyard/collector.py``): held off while a command imports
what it serves, and only then; its young threshold raised, never lowered; what a started
process keeps frozen."""

from __future__ import annotations

import gc
import importlib
from collections.abc import Iterator
from types import ModuleType

import pytest

from chargeyard import cli
from chargeyard.collector import (
    YOUNG_THRESHOLD,
    freeze_survivors,
    paused_for_imports,
    raise_young_threshold,
)


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    """Each test leaves the collector as it found it, whatever it asserted."""
    was_enabled = gc.isenabled()
    saved = gc.get_threshold()
    yield
    gc.set_threshold(*saved)
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


def test_the_collector_is_off_in_the_block_and_on_again_after_it() -> None:
    gc.enable()
    with paused_for_imports():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_is_on_again_after_a_failed_import() -> None:
    gc.enable()
    with pytest.raises(ModuleNotFoundError), paused_for_imports():
        importlib.import_module("chargeyard.no_such_module")
    assert gc.isenabled()


def test_a_collector_already_off_stays_off_and_an_inner_block_leaves_the_outer_s_alone() -> None:
    gc.disable()
    with paused_for_imports():
        assert not gc.isenabled()
    assert not gc.isenabled()

    gc.enable()
    with paused_for_imports():
        with paused_for_imports():
            pass
        assert not gc.isenabled()  # still the outer block's
    assert gc.isenabled()


def test_a_command_s_module_is_imported_with_the_collector_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gc.enable()
    seen: dict[str, bool] = {}
    real_import = importlib.import_module

    def recording(name: str, package: str | None = None) -> ModuleType:
        seen[name] = gc.isenabled()
        return real_import(name, package)

    monkeypatch.setattr(cli.importlib, "import_module", recording)

    command = cli._load("version", cli._COMMANDS["version"])

    assert command.name == "version"
    assert seen == {"chargeyard.cli": False}
    assert gc.isenabled()


def test_the_default_threshold_is_raised_and_the_older_generations_kept() -> None:
    gc.set_threshold(700, 10, 10)
    raise_young_threshold()
    assert gc.get_threshold() == (YOUNG_THRESHOLD, 10, 10)


def test_a_higher_threshold_or_a_disabled_collector_is_left_alone() -> None:
    gc.set_threshold(YOUNG_THRESHOLD * 2, 10, 10)
    raise_young_threshold()
    assert gc.get_threshold() == (YOUNG_THRESHOLD * 2, 10, 10)
    gc.set_threshold(0, 10, 10)
    raise_young_threshold()
    assert gc.get_threshold() == (0, 10, 10)


def test_what_is_alive_at_the_start_is_frozen_and_no_collection_walks_it() -> None:
    class Cycle:
        def __init__(self) -> None:
            self.itself = self

    alive = Cycle()
    try:
        freeze_survivors()
        assert gc.get_freeze_count() > 0
        # A full pass walks only what is not frozen: the object kept since the start is not
        # among what the collector tracks now, one made afterwards is.
        later = Cycle()
        tracked = {id(thing) for thing in gc.get_objects()}
        assert id(alive) not in tracked
        assert id(later) in tracked
    finally:
        gc.unfreeze()  # (this test process goes on collecting what it froze)
