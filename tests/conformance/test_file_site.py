"""The suite's firmware and upload site (``conformance/station_under_test/file_site.py``) listens
where it is told, so that a CI behind a firewall can let the station reach it: the URLs a station is
sent name that address and port."""

from __future__ import annotations

import json
import socket

import pytest
from typer.testing import CliRunner

from chargeyard.cli import app
from chargeyard.conformance import Verdict
from tests.conformance.station_lab import new_station, run_against

# The station and the suite wait on the loop's clock alone: their waits pass at once.
pytestmark = pytest.mark.virtual_time


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_the_firmware_url_names_the_files_host_and_port_given() -> None:
    """TC_044_1_CS (1.6 section 5.19): the station downloads the image from the site's port."""
    port = _free_port()
    run = await run_against(new_station(), ["TC_044_1_CS"], files_host="127.0.0.1", files_port=port)
    [result] = run.results
    assert (result.conformance, result.compatibility) == (Verdict.PASS, Verdict.PASS), result.reason
    [update] = [
        json.loads(frame.text)
        for frame in result.frames
        if frame.text.startswith("[2,") and '"UpdateFirmware"' in frame.text
    ]
    assert update[3]["location"].startswith(f"http://127.0.0.1:{port}/firmware/")


def test_a_files_port_in_use_is_refused_before_any_case_runs() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            app,
            [
                "conformance", "station", "--listen", "127.0.0.1:0", "--cases", "TC_044_1_CS",
                "--files-host", "127.0.0.1", "--files-port", str(port),
            ],
        )  # fmt: skip
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert f"the file site cannot listen on 127.0.0.1:{port}" in said
    assert "--files-host / --files-port" in said
