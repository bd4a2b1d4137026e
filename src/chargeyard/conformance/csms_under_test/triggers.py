"""How the suite makes the CSMS under test act, when a case needs it to (a RemoteStart, a
Reset, a ChangeConfiguration...), and set up what only the CSMS can (an id tag it knows, the
answer to a station's boot).

* :class:`~chargeyard.conformance.csms_under_test.hook_trigger.HookTrigger` — any CSMS
  with a conformance hook, the contract of docs/conformance-hooks.md (``hook_contract.py``).
* :class:`~chargeyard.conformance.csms_under_test.chargeyard_trigger.ChargeyardTrigger` — the
  CSMS under test is chargeyard: its ``/api/v1``, each action through its dedicated endpoint
  (``chargeyard_routes.py``).
* :class:`PromptTrigger` — a person: the suite says exactly what to do. For an action, the
  CALL arriving is the confirmation; for a set-up, Enter is. Nothing within the deadline: the
  case is inconclusive (an automatic trigger's CSMS that took the order and sent nothing
  fails instead).

A trigger's request runs beside the case: the CSMS sends the CALL while the request is still
open (chargeyard's API, and a hook that waits for the station's answer), so
:meth:`Trigger.act` starts it and returns it as a task; the case waits for the CALL on the
socket, with its own deadline. The CALL is the proof that the CSMS acted; the task's result
explains a missing one (a hook that cannot send the action: inconclusive, not a failure of
the CSMS).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from typing import Any, Protocol

from chargeyard.conformance.endings import NotActed
from chargeyard.protocol import VersionSpec

Payload = dict[str, Any]


TRIGGER_NEED = (
    "a trigger for CSMS-initiated actions (--trigger-url, --chargeyard-api or --interactive)"
)
TAG_OPTIONS = {
    "Accepted": "a valid id tag (--id-tag)",
    "Invalid": "an id tag unknown to the CSMS (--invalid-id-tag)",
    "Expired": "an expired id tag (--expired-id-tag)",
    "Blocked": "a blocked id tag (--blocked-id-tag)",
    "Grouped": "two valid id tags with one parent (--id-tag, --grouped-id-tag, --parent-id-tag)",
}
"""What a case needing a tag of each status lacks, with the option that states it."""


Acting = asyncio.Task["NotActed | None"]
"""An order on its way; its result is why it did not reach the system under test (with what
the user can give for it to), or None."""


def done_acting() -> Acting:
    """An order that needs no request (a person's)."""

    async def settled() -> NotActed | None:
        return None

    return asyncio.ensure_future(settled())


class Trigger(Protocol):
    """What makes the CSMS under test act. ``interactive``: a person does it, so a CALL that
    does not come means nobody acted (inconclusive), not that the CSMS failed."""

    interactive: bool

    def act(
        self, version: VersionSpec, station_id: str, action: str, payload: Payload, words: str
    ) -> Acting:
        """Have the CSMS send ``action`` with ``payload`` to ``station_id`` (``words``: the
        same, for a person): the order, on its way (its result: why it failed, or None)."""
        ...

    async def id_tag(self, tag: str, status: str, *, group: str | None = None) -> None:
        """Have the CSMS know ``tag`` with ``status`` (Accepted, Blocked, Expired, Invalid:
        unknown) and, if given, ``group`` as its group id (2.0.1 groupIdToken, 1.6
        parentIdTag).

        Raises:
            NotActed: it cannot be done.
        """
        ...

    async def registration(self, station_id: str, status: str) -> None:
        """Have the CSMS answer ``station_id``'s next BootNotification ``status`` (Pending:
        B02, Rejected: B03), a Pending station being Accepted at the boot after.

        Raises:
            NotActed: it cannot be done.
        """
        ...

    async def close(self) -> None: ...


class PromptTrigger:
    """A person at the terminal, given ``wait_s`` seconds a step."""

    interactive = True

    def __init__(
        self,
        wait_s: float = 120.0,
        *,
        say: Callable[[str], None] | None = None,
        read_line: Callable[[], str] | None = None,
    ) -> None:
        self._wait_s = wait_s
        self._say = say or (lambda text: print(text, file=sys.stderr, flush=True))
        self._read_line = read_line or sys.stdin.readline

    def act(
        self, version: VersionSpec, station_id: str, action: str, payload: Payload, words: str
    ) -> Acting:
        self._say(
            f"\n>>> Make your CSMS {words}.\n"
            f"    It must send {action} to station {station_id} (OCPP {version.name}) with:\n"
            f"    {json.dumps(payload)}\n"
            f"    The suite waits up to {self._wait_s:g} s for that CALL; nothing to press."
        )
        return done_acting()

    async def id_tag(self, tag: str, status: str, *, group: str | None = None) -> None:
        wanted = "unknown to it" if status == "Invalid" else f"known with status {status}"
        if group is not None:
            wanted += f" and group id {group}"
        await self._ask(f"Make id tag {tag} {wanted} in the CSMS")

    async def registration(self, station_id: str, status: str) -> None:
        await self._ask(
            f"Make the CSMS answer {station_id}'s next BootNotification {status}, and the one"
            " after it Accepted"
        )

    async def _ask(self, words: str) -> None:
        self._say(f"\n>>> {words}.\n    Then press Enter (within {self._wait_s:g} s).")
        try:
            async with asyncio.timeout(self._wait_s):
                await asyncio.to_thread(self._read_line)
        except TimeoutError:
            raise NotActed(f"nobody confirmed within {self._wait_s:g} s: {words}") from None

    async def close(self) -> None:
        return None
