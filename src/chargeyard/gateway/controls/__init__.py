"""The simulator's controls: the commands a tester reaches for beyond a driver's acts, each a
:class:`~chargeyard.gateway.controls.base.Control` (its catalogue row, its check, what applies
it). ``commands.py`` adds their rows to the catalogue, ``executor.py`` their checks and acts to
its table, the API their routes and examples.

=========================  ==============================================================
module                     controls
=========================  ==============================================================
``ev.py``                  set-ev, update-soc, ev-state, suspend-ev, resume-ev,
                           suspend-evse, resume-evse
``meter.py``               update-meter-values, send-meter-values
``hardware.py``            fault-status, jam-lock, power-cut, reboot
``memory.py``              get-configuration, get-authorization-cache, get-local-list,
                           get-certificates
``local_list.py``          add-local-list-entry, remove-local-list-entry
``trigger.py``             trigger-message
``priority.py``            priority-charging (OCPP 2.1)
``driver_21.py``           swap-battery, pay-by-card, enter-vat-number, payment-state
                           (OCPP 2.1 stations)
=========================  ==============================================================
"""

from __future__ import annotations

from typing import Any

from chargeyard.gateway.controls import (
    driver_21,
    ev,
    hardware,
    local_list,
    memory,
    meter,
    priority,
    trigger,
)
from chargeyard.gateway.controls.base import Control

CONTROLS: tuple[Control[Any], ...] = (
    *ev.CONTROLS,
    *meter.CONTROLS,
    *hardware.CONTROLS,
    *memory.CONTROLS,
    *local_list.CONTROLS,
    *trigger.CONTROLS,
    *priority.CONTROLS,
    *driver_21.CONTROLS,
)
"""Every control, in the catalogue's order."""

CONTROLS_BY_TYPE: dict[str, Control[Any]] = {c.spec.event_type: c for c in CONTROLS}
"""Every control by its ``event_type``."""

__all__ = ["CONTROLS", "CONTROLS_BY_TYPE", "Control"]
