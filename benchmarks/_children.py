"""What every benchmark needs to run its parts in processes of their own: a child that ignores
Ctrl-C and dies with its coordinator, a pipe to it, answers with a timeout, a clean stop, what
a process measures of itself, and the machine's CPU time (to tell when something else was
running)."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import resource
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any


def become_child() -> None:
    """Call first in every child process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the coordinator's to handle
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: no orphans if the coordinator is killed
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:
        os._exit(1)  # the coordinator died before prctl took effect
    # 1,000 sockets are close to the usual soft limit of 1,024 open files.
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def start_child(
    context: Any, target: Callable[..., None], args: tuple[Any, ...], name: str
) -> tuple[BaseProcess, Connection]:
    """Start ``target(*args, pipe)`` in a daemon process; returns it and our end of the pipe."""
    here, there = context.Pipe()
    process = context.Process(target=target, args=(*args, there), name=name, daemon=True)
    process.start()
    there.close()  # so that a dead child reads as EOF here
    return process, here


def receive(pipe: Connection, process: BaseProcess, timeout: float) -> Any:
    if not pipe.poll(timeout):
        raise TimeoutError(f"{process.name} said nothing for {timeout:.0f} s")
    try:
        return pipe.recv()
    except EOFError:
        process.join(1)
        raise RuntimeError(f"{process.name} exited (code {process.exitcode})") from None


def stop_child(process: BaseProcess, grace: float = 30.0) -> None:
    """Wait ``grace`` seconds for the child to end, then terminate, then kill it."""
    process.join(grace)
    for end in (process.terminate, process.kill):
        if process.is_alive():
            end()
            process.join(5)


def machine_busy_seconds() -> float:
    """CPU time spent by every process on the machine so far (the "cpu" line of /proc/stat)."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int | None) -> float:
    """CPU time (user + system) spent so far by the process ``pid``, all its threads."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        # The command name (field 2) may hold spaces: count from the closing parenthesis.
        fields = stat.read().rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Sample:
    """What a process measures of itself at one moment."""

    rss_kib: int
    cpu_seconds: float
    wall: float


def sample_self() -> Sample:
    """This process's resident memory (VmRSS), CPU time and monotonic clock, now."""
    with open("/proc/self/status", encoding="ascii") as status:
        rss = next(line for line in status if line.startswith("VmRSS:"))
    return Sample(int(rss.split()[1]), time.process_time(), time.monotonic())
