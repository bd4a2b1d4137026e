"""``quick_exit.exit_now``: the ``chargeyard`` program ends without the interpreter's teardown,
yet with what an exit must do (its status, the atexit handlers, the streams flushed), and the
usual way while a thread that is not a daemon still runs."""

from __future__ import annotations

import subprocess
import sys

import pytest

PRELUDE = """
import atexit, sys, threading, time
from chargeyard.quick_exit import exit_now

class Kept:
    def __del__(self):
        print("torn down", flush=True)

kept = Kept()  # freed by the interpreter's teardown, if it runs
atexit.register(lambda: print("atexit ran"))
print("buffered", end="")  # (a pipe: block-buffered until flushed)
"""


def _run(body: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PRELUDE + body], capture_output=True, text=True, timeout=30
    )


def test_the_status_the_atexit_handlers_and_the_streams_but_no_teardown() -> None:
    done = _run("exit_now(3)")
    assert (done.returncode, done.stdout, done.stderr) == (3, "bufferedatexit ran\n", "")


def test_the_plain_exit_tears_down_where_exit_now_does_not() -> None:
    """The control: the same process ending the usual way frees what it kept."""
    done = _run("sys.exit(3)")
    assert (done.returncode, done.stdout) == (3, "bufferedatexit ran\ntorn down\n")


@pytest.mark.parametrize(
    ("code", "status", "stderr"), [(None, 0, ""), (True, 1, ""), ("'it failed'", 1, "it failed\n")]
)
def test_a_status_is_read_as_system_exit_reads_it(code: object, status: int, stderr: str) -> None:
    done = _run(f"exit_now({code})")
    assert (done.returncode, done.stderr) == (status, stderr)


def test_a_thread_still_running_is_waited_for_the_usual_way() -> None:
    done = _run(
        "threading.Thread(target=lambda: (time.sleep(0.2), print('thread done'))).start()\n"
        "exit_now(4)"
    )
    assert done.returncode == 4
    assert done.stdout == "bufferedthread done\natexit ran\ntorn down\n"


def test_the_chargeyard_program_exits_with_its_command_s_status() -> None:
    usage = subprocess.run(
        [sys.executable, "-m", "chargeyard.cli", "csms", "--no-such-option"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert usage.returncode == 2
    assert "No such option: --no-such-option" in usage.stderr
    version = subprocess.run(
        [sys.executable, "-m", "chargeyard.cli", "version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (version.returncode, version.stdout.splitlines()[0]) == (0, "chargeyard 0.1.0")
