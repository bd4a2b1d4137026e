"""``chargeyard up --drivers``: the demo site's chargers get walk-up drivers or drivers who
use the app (they plug in after each remote start a charger accepts)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from chargeyard.cli import app
from chargeyard.fleet.autogen import Drivers
from chargeyard.lab.run import demo_sessions
from chargeyard.lab.settings import LabSettings


def test_the_demo_has_walk_up_drivers_unless_told_otherwise() -> None:
    settings = LabSettings()
    config = demo_sessions(settings.sessions_per_hour, settings.drivers, settings.app_plug_delay)
    assert config.drivers is Drivers.WALK_UP


def test_app_drivers_and_their_plug_delay_reach_the_demo_sessions() -> None:
    settings = LabSettings(drivers="app", app_plug_delay="1-3")
    config = demo_sessions(settings.sessions_per_hour, settings.drivers, settings.app_plug_delay)
    assert (config.drivers, config.app_plug_delay_s) == (Drivers.APP, (1.0, 3.0))


@pytest.mark.parametrize("given", [{"drivers": "bus"}, {"app_plug_delay": "9-2"}])
def test_drivers_settings_out_of_range_are_refused(given: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        LabSettings(**given)  # type: ignore[arg-type]


def test_up_refuses_an_unknown_kind_of_driver_with_a_reason() -> None:
    result = CliRunner().invoke(app, ["up", "--drivers", "bus"], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "invalid settings: drivers" in result.output
