"""Which event loop ``chargeyard csms`` runs on (``chargeyard/event_loop.py``)."""

from __future__ import annotations

import asyncio

import pytest
import uvloop

from chargeyard import event_loop
from chargeyard.event_loop import ENVIRONMENT_VARIABLE, loop_factory, run, running_loop_name


async def _loop_name() -> str:
    await asyncio.sleep(0)
    return running_loop_name()


def test_uvloop_is_the_default_where_it_is_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENVIRONMENT_VARIABLE, raising=False)
    assert loop_factory() == ("uvloop", uvloop.new_event_loop)
    assert run(_loop_name()) == "uvloop"


@pytest.mark.parametrize("value", ["asyncio", " AsyncIO "])
def test_the_environment_can_ask_for_asyncios_own_loop(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, value)
    assert loop_factory()[0] == "asyncio"
    assert run(_loop_name()) == "asyncio"


def test_an_explicit_choice_beats_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "asyncio")
    assert run(_loop_name(), "uvloop") == "uvloop"


def test_an_unknown_choice_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "tokio")
    main = _loop_name()
    with pytest.raises(ValueError, match=r"CHARGEYARD_EVENT_LOOP='tokio': expected one of"):
        run(main)
    assert main.cr_frame is None  # closed, so no "never awaited" warning


def test_without_uvloop_auto_falls_back_and_uvloop_is_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(__import__("sys").modules, "uvloop", None)  # as if not installed
    assert loop_factory("auto")[0] == "asyncio"
    with pytest.raises(ValueError, match="uvloop is not installed"):
        loop_factory("uvloop")
    assert event_loop.CHOICES == ("auto", "uvloop", "asyncio")
