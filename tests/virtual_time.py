"""The loop the tests marked ``virtual_time`` run on (``tests/conftest.py``): chargeyard's
fast-forward loop at ``max`` (``chargeyard/fast_forward.py``), its clock keeping wall time
between jumps, so that what their code waits for on its timers (a station's reboot delay, a
case's "nothing else comes within 3 s") passes at once.

A test that waits on another process, or on a server such as PostgreSQL or Redis, must not
run here: its clock would run ahead of what it waits for.
"""

from __future__ import annotations

from chargeyard.fast_forward import FastForwardLoop, install_hooks

# The send methods noted for the whole test process, from its start: a socket that sent
# before the first virtual-time test still has its bytes counted.
install_hooks()


class VirtualTimeLoop(FastForwardLoop):
    """The fast-forward loop at ``max``, keeping wall time between its jumps."""

    def __init__(self) -> None:
        super().__init__(None)
