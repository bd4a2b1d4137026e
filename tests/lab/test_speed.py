"""``chargeyard up --speed``, ``--seed`` and ``--run-for`` (``lab/speed.py``): the whole lab in
this process on the fast-forward loop, as the command runs it (``lab.run.run`` on the loop
``lab_loop`` makes), on a fresh data directory each run."""

from __future__ import annotations

import asyncio
import io
import re
import sqlite3
from pathlib import Path

import pytest
from rich.console import Console

from chargeyard.fast_forward import FastForwardLoop
from chargeyard.lab.demo import IDENTITY_PREFIX
from chargeyard.lab.run import run
from chargeyard.lab.settings import LabSettings
from chargeyard.lab.speed import ExternalCsms, lab_loop
from chargeyard.protocol import V16
from chargeyard.store import Store
from chargeyard.store.models import DesiredState


def _settings(data_dir: Path, **changes: object) -> LabSettings:
    return LabSettings(
        data_dir=data_dir,
        ocpp_port=0,
        api_port=0,
        metrics_port=0,
        chargers=2,
        sessions_per_hour=4,
        speed="max",
        **changes,
    )


async def _forever() -> None:
    await asyncio.Event().wait()


def _up(settings: LabSettings) -> str:
    """Run the lab as ``chargeyard up`` does with these settings; what it printed."""
    factory = lab_loop(settings)
    assert factory is not None
    out = io.StringIO()
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(run(settings, out, Console(file=io.StringIO()), _forever))
    return out.getvalue()


def _frame_log(data_dir: Path) -> bytes:
    """The central system's frame log of the demo's stations: each station's frames in the
    order they were recorded, with their times (the simulated chargers' own records, under
    their random charger ids, are left out)."""
    with sqlite3.connect(data_dir / "chargeyard.frames.db") as frames:
        rows = frames.execute(
            "SELECT identity, direction, at, text FROM frames WHERE identity LIKE ?"
            " ORDER BY identity, id",
            (f"{IDENTITY_PREFIX}%",),
        ).fetchall()
    return "\n".join("\t".join(map(str, row)) for row in rows).encode()


def test_a_seeded_run_at_max_speed_sends_the_same_frames_twice(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    said = [_up(_settings(place, seed=7, run_for="30m")) for place in (first, second)]
    log = _frame_log(first)
    assert log == _frame_log(second)
    summaries = [printed.splitlines()[-1] for printed in said]
    pattern = (
        r"ran 30 min 00 s of lab time in [0-9.]+ s of wall time \([0-9,]+x\):"
        r" (\d+) sessions, ([0-9.]+) kWh, ([0-9,]+) frames"
    )
    counts = [re.fullmatch(pattern, summary) for summary in summaries]
    assert counts[0] is not None, summaries
    assert counts[1] is not None, summaries
    assert counts[0].groups() == counts[1].groups()
    # Half an hour of a site: boots, heartbeats, sessions with their meter values, all on the
    # lab's clock (a seeded run starts on 2026-01-01 at midnight).
    text = log.decode()
    for action in ('"BootNotification"', '"Heartbeat"', '"StartTransaction"', '"MeterValues"'):
        assert action in text, action
    times = re.findall(r"\t(2026-01-\d\d [0-9:.]+)\t", text)
    assert min(times) == "2026-01-01 00:00:00.000000"
    assert any("2026-01-01 00:29:00" <= moment < "2026-01-01 00:30:00" for moment in times)
    # At max the lab's clock moves in whole seconds (lab/speed.py, MAX_STEP_S).
    assert all(moment.endswith(".000000") for moment in times)


def test_another_seed_sends_other_frames(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    _up(_settings(first, seed=7, run_for="10m"))
    _up(_settings(second, seed=8, run_for="10m"))
    assert _frame_log(first) != _frame_log(second)


async def _charger_elsewhere(url: str) -> None:
    async with await Store.open(url) as store:
        await store.organizations.create("Elsewhere", organization_id="elsewhere")
        await store.chargers.create(
            "elsewhere",
            identity="FAR-1",
            ocpp_version=V16,
            csms_url="ws://csms.example.com/ocpp",
            desired_state=DesiredState.RUNNING,
        )


def test_speed_with_a_charger_pointed_at_another_csms_is_refused(tmp_path: Path) -> None:
    data_dir = tmp_path / "lab"
    data_dir.mkdir()
    asyncio.run(_charger_elsewhere(f"sqlite:///{(data_dir / 'chargeyard.db').resolve()}"))
    with pytest.raises(ExternalCsms) as refused:
        _up(_settings(data_dir, run_for="10m"))
    assert re.fullmatch(
        re.escape(
            "--speed runs the lab on a virtual clock, but charger FAR-1 (elsewhere) reports to"
            " ws://csms.example.com/ocpp, a central system that keeps wall time; stop it or"
            " point it at the lab's own (ws://127.0.0.1:"
        )
        + r"\d+/ocpp\), or start without --speed",
        str(refused.value),
    )


def _up_command(
    monkeypatch: pytest.MonkeyPatch, arguments: list[str], lab: object
) -> tuple[int, str]:
    """``chargeyard up ARGUMENTS`` with ``lab`` in place of the running lab."""
    from typer.testing import CliRunner

    from chargeyard.cli import app
    from chargeyard.lab import run as run_module

    for variable in ("CHARGEYARD_SPEED", "CHARGEYARD_SEED", "CHARGEYARD_RUN_FOR"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(run_module, "run_until_signalled", lab)
    monkeypatch.setattr(run_module, "configure_logging", lambda level: None)
    result = CliRunner().invoke(app, ["up", *arguments], env={"COLUMNS": "200"})
    return result.exit_code, " ".join(result.output.split())


@pytest.mark.parametrize(("speed", "factor"), [("60", 60.0), ("max", None)])
def test_up_speed_runs_the_lab_on_the_fast_forward_loop(
    monkeypatch: pytest.MonkeyPatch, speed: str, factor: float | None
) -> None:
    seen: list[tuple[object, float | None, bool]] = []

    async def lab(settings: LabSettings, out: object, err: object) -> None:
        loop = asyncio.get_running_loop()
        assert isinstance(loop, FastForwardLoop)
        seen.append((settings.run_for_s, loop.speed, loop.frozen))

    code, output = _up_command(monkeypatch, ["--speed", speed, "--run-for", "8h"], lab)
    assert code == 0, output
    assert seen == [(8 * 3600.0, factor, factor is None)]


def test_up_speed_refused_against_another_csms_exits_2_with_the_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def lab(settings: LabSettings, out: object, err: object) -> None:
        raise ExternalCsms("charger FAR-1 reports to ws://csms.example.com/ocpp")

    code, output = _up_command(monkeypatch, ["--speed", "max"], lab)
    assert (code, output) == (
        2,
        "chargeyard up: charger FAR-1 reports to ws://csms.example.com/ocpp",
    )


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        (
            ["--speed", "fast"],
            "speed: Value error, speed 'fast': expected a positive number or 'max'",
        ),
        (
            ["--run-for", "soon"],
            "run_for: Value error, 'soon' is not a duration (8h, 90m, 30s, 2d or seconds)",
        ),
    ],
)
def test_up_refuses_a_speed_or_duration_it_cannot_read(
    monkeypatch: pytest.MonkeyPatch, arguments: list[str], complaint: str
) -> None:
    async def lab(settings: LabSettings, out: object, err: object) -> None:
        raise AssertionError("the lab must not start")

    code, output = _up_command(monkeypatch, arguments, lab)
    assert code == 2
    assert f"chargeyard up: invalid settings: {complaint}" in output
