"""The collector is held off while a command imports what it serves, and only then
(``src/chargeyard/import_collector.py``)."""

from __future__ import annotations

import gc
import importlib
from collections.abc import Iterator
from types import ModuleType

import pytest

from chargeyard import cli
from chargeyard.import_collector import paused_for_imports


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    """Each test leaves the collector as it found it, whatever it asserted."""
    was_enabled = gc.isenabled()
    yield
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
