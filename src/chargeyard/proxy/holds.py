"""The actions the proxy holds back or drops on their way to the upstream, each for a time:
what a charger's CALL meets when the central system is to see it late, or never.

A held CALL waits at the proxy until its rule ends (its time passes, or it is released) and is
then relayed; everything the charger sends after it waits behind it, so the order the charger
sent in is kept (the charger, which waits for the answer anyway, OCPP-J 1.6 section 4.1.1 and
2.0.1 part 4 section 4.1.1, sends only its answers to the central system's CALLs meanwhile:
those wait too). A dropped CALL is never relayed: the charger hears nothing and acts as on any
lost message (it sends it again, or gives up). A rule names the action of a charger's CALL
(``BootNotification``, ``StatusNotification``, ...), and applies to every charger.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["HeldAction", "Holds", "Treatment"]


class Treatment(StrEnum):
    HOLD = "hold"
    DROP = "drop"


@dataclass(slots=True)
class _Rule:
    treatment: Treatment
    ends_at: float | None  # on the event loop's clock; None: until released
    released: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass(frozen=True, slots=True)
class HeldAction:
    """A rule as it stands: ``seconds_left`` None when it lasts until released."""

    action: str
    treatment: Treatment
    seconds_left: float | None


class Holds:
    """The rules, by action; times are read on the running event loop's clock."""

    def __init__(self) -> None:
        self._rules: dict[str, _Rule] = {}

    def hold(self, action: str, seconds: float | None = None) -> None:
        """Hold ``action``'s CALLs for ``seconds`` from now (None: until :meth:`release`)."""
        self._set(action, Treatment.HOLD, seconds)

    def drop(self, action: str, seconds: float | None = None) -> None:
        """Drop ``action``'s CALLs for ``seconds`` from now (None: until :meth:`release`)."""
        self._set(action, Treatment.DROP, seconds)

    def release(self, action: str) -> None:
        """End ``action``'s rule: its held CALLs go on now, the next pass."""
        rule = self._rules.pop(action, None)
        if rule is not None:
            rule.released.set()

    def treatment(self, action: str) -> Treatment | None:
        """What a CALL of ``action`` read now meets (None: it passes)."""
        rule = self._live(action)
        return None if rule is None else rule.treatment

    async def wait(self, action: str) -> None:
        """Until ``action``'s hold ends (at once when it is not held)."""
        rule = self._live(action)
        if rule is None or rule.treatment is not Treatment.HOLD:
            return
        try:
            async with asyncio.timeout_at(rule.ends_at):
                await rule.released.wait()
        except TimeoutError:
            self._live(action)  # (drops the rule that ended)

    def rules(self) -> list[HeldAction]:
        """The rules in force now, by action name."""
        now = asyncio.get_running_loop().time()
        standing = [(action, self._live(action)) for action in sorted(self._rules)]
        return [
            HeldAction(
                action,
                rule.treatment,
                None if rule.ends_at is None else max(0.0, rule.ends_at - now),
            )
            for action, rule in standing
            if rule is not None
        ]

    def __bool__(self) -> bool:
        return bool(self._rules)

    def _set(self, action: str, treatment: Treatment, seconds: float | None) -> None:
        if seconds is not None and seconds <= 0:
            raise ValueError(f"{action}: a time above 0 seconds, or none (until released)")
        self.release(action)  # a CALL held by the rule replaced goes on
        ends_at = None if seconds is None else asyncio.get_running_loop().time() + seconds
        self._rules[action] = _Rule(treatment, ends_at)

    def _live(self, action: str) -> _Rule | None:
        rule = self._rules.get(action)
        if rule is None or rule.ends_at is None or asyncio.get_running_loop().time() < rule.ends_at:
            return rule
        self.release(action)
        return None
