"""The dashboard's modules run in Node, without a browser: a script of the test's own that
imports them (their ``file://`` URLs are its arguments) and prints what it found.

Node is on every machine this suite runs on (the dashboard's browser tests need no more)."""

from __future__ import annotations

import shutil
import subprocess

import pytest


def run_node(script: str, *arguments: str) -> str:
    """What ``script`` (an ES module) printed, run with ``arguments`` as ``process.argv[1:]``;
    fails the test when Node is missing or the script fails."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed for the dashboard's Node tests (Debian: apt install nodejs)")
    done = subprocess.run(
        [node, "--input-type=module", "-e", script, *arguments],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout
