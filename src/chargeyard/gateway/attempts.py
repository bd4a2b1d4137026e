"""What became of a token presented at a station, as the gateway's start-session, authorize
and start-transaction report it.

Theory of operation
-------------------
A :class:`TokenAttempt` listens to the station's token reports
(``station/model/token_reports.py``) for one id tag, from before the command acts until it
knows the answer, and looks at the station after each report (on the station's next tick, so
that the station has finished what it was doing). It concludes:

* **refused**: the station decided against the tag (an Authorize answer such as Blocked or
  Expired, an offline rule, a reservation), or the central system refused the transaction the
  tag started (1.6 StartTransaction.conf, 2.0.1 the TransactionEventResponse to the event that
  carried the idToken), or no answer came within ``grace_s`` on the station's clock;
* **accepted**: the tag is authorized and its transaction started and was accepted by the
  central system; or it started offline (1.6 section 3.5.4, 2.0.1 C12-C15: its transaction
  message waits for the connection, so there is nothing more to wait for); or, for a command
  that does not need a transaction (authorize), the station holds the authorization until a
  cable comes (1.6 ConnectionTimeOut, 2.0.1 EVConnectionTimeOut), or the tag ended a running
  transaction instead.

The deadline is a timer of the station, so a test on a manual clock passes it in a step. A
station that loses its timers (its power goes) cannot answer any more: the caller bounds its
wait in real time as well (:data:`BACKSTOP_S` beyond the grace).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from chargeyard.station.model.station import Transaction
from chargeyard.station.model.token_reports import (
    TokenConfirmation,
    TokenDecision,
    TokenReport,
    TokenStop,
)
from chargeyard.station.verbs import StationVerbs

BACKSTOP_S = 30.0
"""How much longer than its grace an attempt is awaited in real time (a station that went
down lost the timer that would have ended it)."""

_numbers = itertools.count(1)


@dataclass(slots=True)
class AttemptResult:
    """What became of the token, as a command's outcome holds it."""

    ok: bool
    error: str | None = None
    refused: bool = False
    """Not ok because the tag or its transaction was refused (not for want of an answer)."""
    evse_id: int | None = None
    authorization: dict[str, str | None] | None = None
    transaction_id: str | None = None
    offline: bool = False
    stopped_transaction_id: str | None = None
    transaction: Transaction | None = field(default=None, repr=False)

    def as_result(self) -> dict[str, object]:
        """The fields every token command reports (see docs/api.md)."""
        result: dict[str, object] = {
            "authorization": self.authorization,
            "transaction_id": self.transaction_id,
        }
        if self.offline:
            result["offline"] = True
        if self.stopped_transaction_id is not None:
            result["stopped_transaction_id"] = self.stopped_transaction_id
        return result


class TokenAttempt:
    """Waits for what became of ``id_tag`` presented at ``station`` (on ``evse_id``, or
    wherever the station puts it). Use as a context manager around the act, then
    :meth:`look` and await :meth:`result`.

    Args:
        needs_transaction: only a transaction that started counts as accepted (start-session,
            start-transaction); otherwise an authorization that waits for its cable does too.
        grace_s: how long to wait for the answers, on the station's clock.
        decided: the tag's authorization already held on the EVSE (an earlier authorize
            whose cable had not come): the attempt starts from it instead of waiting for one.
    """

    def __init__(
        self,
        station: StationVerbs,
        id_tag: str,
        evse_id: int | None,
        *,
        needs_transaction: bool,
        grace_s: float,
        decided: TokenDecision | None = None,
    ) -> None:
        self.station = station
        self.id_tag = id_tag.casefold()  # id tags compare case-insensitively (1.6 7.28)
        self.evse_id = evse_id
        self.needs_transaction = needs_transaction
        self.grace_s = grace_s
        self._decision: TokenDecision | None = decided
        self._confirmation: TokenConfirmation | None = None
        self._stop: TokenStop | None = None
        self._transaction: Transaction | None = None
        self._name = f"gateway_attempt:{next(_numbers)}"
        self._result: asyncio.Future[AttemptResult] = asyncio.get_running_loop().create_future()
        self._stop_listening: Callable[[], None] = _nothing

    def __enter__(self) -> TokenAttempt:
        self._stop_listening = self.station.token_reports.listen(self._heard)
        deadline = self.station.clock.monotonic() + self.grace_s
        self.station.timers.set(self._name, deadline, lambda: self._evaluate(final=True))
        self.station.wake()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._close()

    def look(self) -> None:
        """Conclude now if the station already knows (a refusal, an offline start...)."""
        self._evaluate(final=False)

    async def result(self) -> AttemptResult:
        """What became of the token (bounded in real time too: see the module docstring)."""
        try:
            async with asyncio.timeout(self.grace_s + BACKSTOP_S):
                return await asyncio.shield(self._result)
        except TimeoutError:
            self._finish(self._failed(f"no answer within {self.grace_s:g} s"))
            return self._result.result()

    # -- listening ------------------------------------------------------------------------------

    def _heard(self, report: TokenReport) -> None:
        if report.token.value.casefold() != self.id_tag:
            return
        if self.evse_id is not None and report.evse_id != self.evse_id:
            return
        if isinstance(report, TokenDecision):
            if self._decision is None or not report.accepted:
                self._decision = report  # a later refusal (a reservation) overrides
        elif isinstance(report, TokenConfirmation):
            self._confirmation = report
        else:
            self._stop = report
        # Look once the station is done with what it is doing (its next tick).
        self.station.timers.set(f"{self._name}:look", self.station.clock.monotonic(), self.look)
        self.station.wake()

    def _evaluate(self, *, final: bool) -> None:
        if self._result.done():
            return
        outcome = self._conclusion(final)
        if outcome is not None:
            self._finish(outcome)

    def _conclusion(self, final: bool) -> AttemptResult | None:
        waited = f"{self.grace_s:g} s"
        if self._stop is not None:
            stop = self._stop
            return AttemptResult(
                True, evse_id=stop.evse_id, stopped_transaction_id=stop.transaction_id
            )
        decision = self._decision
        if decision is None:
            return self._failed(f"no authorization within {waited}") if final else None
        if not decision.accepted:
            return self._refused(decision.why or "the tag was refused")
        evse = self.station.model.evses[decision.evse_id]
        transaction = self._transaction
        if transaction is None:
            running = evse.transaction
            if running is not None and _same_tag(running, self.id_tag):
                transaction = self._transaction = running
        if transaction is None:
            if not self.needs_transaction and evse.plugged_connector() is None:
                return self._accepted()  # it waits for its cable
            if final:
                return self._failed(
                    f"the tag was authorized but no transaction started within {waited}"
                )
            return None
        confirmation = self._confirmation
        if confirmation is not None:
            if confirmation.accepted:
                return self._accepted()
            return self._refused(confirmation.why or "the central system refused the transaction")
        if transaction.offline and not self.station.online:
            return self._accepted()  # its transaction message waits for the connection
        if final:
            return self._failed(f"no answer to {self.station.TERMS.start_message} within {waited}")
        return None

    # -- concluding -----------------------------------------------------------------------------

    def _authorization(self) -> dict[str, str | None] | None:
        decision = self._decision
        status = self._confirmation.status if self._confirmation is not None else None
        if decision is None:
            return None
        if status is None:
            status = decision.status
        return {
            "status": None if status is None else status.value,
            "source": None if decision.source is None else decision.source.value,
        }

    def _accepted(self) -> AttemptResult:
        return self._result_with(True, None)

    def _failed(self, why: str) -> AttemptResult:
        return self._result_with(False, why)

    def _refused(self, why: str) -> AttemptResult:
        return self._result_with(False, why, refused=True)

    def _result_with(self, ok: bool, error: str | None, *, refused: bool = False) -> AttemptResult:
        transaction = self._transaction
        transaction_id = None
        if self._confirmation is not None:
            transaction_id = self._confirmation.transaction_id
        elif transaction is not None:
            transaction_id = self.station.TERMS.transaction_id(transaction)
        return AttemptResult(
            ok,
            error,
            refused,
            evse_id=self._decision.evse_id if self._decision is not None else self.evse_id,
            authorization=self._authorization(),
            transaction_id=transaction_id,
            offline=transaction is not None and self._confirmation is None and transaction.offline,
            transaction=transaction,
        )

    def _finish(self, outcome: AttemptResult) -> None:
        if not self._result.done():
            self._result.set_result(outcome)
        self._close()

    def _close(self) -> None:
        self._stop_listening()
        self.station.timers.cancel(self._name)
        self.station.timers.cancel(f"{self._name}:look")


def _same_tag(transaction: Transaction, id_tag: str) -> bool:
    token = transaction.id_token
    return token is not None and token.value.casefold() == id_tag


def _nothing() -> None:
    return None
