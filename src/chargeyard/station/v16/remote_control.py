"""Remote start and stop (OCPP 1.6 sections 5.11, 5.12): RemoteStartTransaction and
RemoteStopTransaction.

Theory of operation
-------------------
RemoteStartTransaction picks the EVSE as a tag at the station's reader would
(``TransactionsV16.evse_for_new_session``: the connector named, else one with a cable waiting,
else the first free one, within what reservations allow, section 5.13). connectorId 0, an EVSE
none could take, and a chargingProfile other than a TxProfile (section 5.11) are Rejected.
After the answer, when AuthorizeRemoteTxRequests is true (section 9.1), the idTag is
authorized as a presented one would be (the local list or the cache under LocalPreAuthorize,
else Authorize.req), else taken as authorized, unless a reservation for a group holds the
connector and the idTag's group is not known here (Authorize.req tells it, section 5.13);
the session then starts as a presented tag's does, or waits for its cable
(``TransactionsV16.authorized``). A remote start whose Authorize
is out is told by :meth:`RemoteControlV16.authorizing`; a reboot forgets it.

RemoteStopTransaction is Accepted for a running transaction the central system knows by its
id, stopped after the answer with Reason Remote (section 7.36).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chargeyard.protocol import Payload, on
from chargeyard.protocol.messages import v16
from chargeyard.station.blocks import Block
from chargeyard.station.model.authorization import (
    IdToken,
    Verdict,
    decide_local,
    id_tag_info_from_ocpp16,
)
from chargeyard.station.model.states import TransactionPhase
from chargeyard.station.model.station import Evse
from chargeyard.station.model.token_reports import AuthorizationSource
from chargeyard.station.v16.transactions import WaitingStart

if TYPE_CHECKING:
    from chargeyard.station.v16 import StationV16

_RUNNING = frozenset({TransactionPhase.STARTING, TransactionPhase.ACTIVE})
_REMOTE = AuthorizationSource.REMOTE_START


class RemoteControlV16(Block["StationV16"]):
    """RemoteStartTransaction and RemoteStopTransaction; see the module docstring."""

    __slots__ = ("_authorizing",)

    def __init__(self, station: StationV16) -> None:
        super().__init__(station)
        # Per EVSE: a remote start whose Authorize.req is out (AuthorizeRemoteTxRequests).
        self._authorizing: dict[int, IdToken] = {}

    def authorizing(self, evse_id: int) -> IdToken | None:
        """The idTag of a remote start on ``evse_id`` whose Authorize.req is out, if any."""
        return self._authorizing.get(evse_id)

    def power_on(self) -> None:
        """A remote start being authorized is forgotten with the power."""
        self._authorizing.clear()

    @on("RemoteStartTransaction")
    def remote_start_transaction(
        self, payload: v16.RemoteStartTransactionRequest
    ) -> v16.RemoteStartTransactionResponse:
        token = IdToken(payload["idTag"])
        number = payload.get("connectorId")
        if number == 0:
            return {"status": "Rejected"}
        try:
            evse = self.station.transactions.evse_for_new_session(
                None if number is None else self.station.connector_of(number).evse_id,
                token,
                tentative=True,
            )
        except KeyError:
            return {"status": "Rejected"}
        profile = payload.get("chargingProfile")
        if evse is None or (
            profile is not None and profile.get("chargingProfilePurpose") != "TxProfile"
        ):
            return {"status": "Rejected"}
        waiting = WaitingStart(token, None, charging_profile=profile, remote=True)

        def start() -> None:
            policy = self.station.model.policy
            if policy.authorize_remote_tx_requests:
                # Section 5.11: authorized "like a local action to start a transaction": a
                # tag the local list or the cache accepts under LocalPreAuthorize starts
                # without Authorize.req (3.5, 9.1).
                decision = decide_local(
                    token,
                    online=self.station.accepted,
                    now=self.station.clock.now(),
                    policy=policy,
                    local_list=self.station.model.local_list,
                    cache=self.station.model.cache,
                )
                if decision.verdict is Verdict.ACCEPT:
                    waiting.info = decision.info
                    self.station.transactions.authorized(
                        evse, token, decision.info, waiting, source=_REMOTE
                    )
                    return
            elif not self._group_unknown(evse, token):
                self.station.transactions.authorized(evse, token, None, waiting, source=_REMOTE)
                return
            self._authorizing[evse.id] = token
            request: v16.AuthorizeRequest = {"idTag": token.value}
            self.station.call(
                "Authorize",
                request,
                lambda answer: self._authorized_remote(evse, token, answer, waiting),
                lambda error: self._remote_unanswered(evse),
            )

        self.station.after_answer(start)
        self.station.after_answer(lambda: self.station.tell_remote_start_accepted(evse.id))
        return {"status": "Accepted"}

    def _group_unknown(self, evse: Evse, token: IdToken) -> bool:
        """Whether a reservation for a group holds ``evse`` (or names no EVSE) and the
        station does not know ``token``'s group: section 5.13 has it "send an Authorize.req
        ... in order to obtain the parentIdTag"."""
        model, now = self.station.model, self.station.clock.now()
        return model.known_group(token, None, now) is None and any(
            reservation.parent_id is not None
            and reservation.evse_id in (None, evse.id)
            and reservation.expires_at > now
            and reservation.id_token != token
            for reservation in model.reservations.reservations
        )

    def _remote_unanswered(self, evse: Evse) -> None:
        self._authorizing.pop(evse.id, None)

    def _authorized_remote(
        self, evse: Evse, token: IdToken, answer: Payload, waiting: WaitingStart
    ) -> None:
        self._authorizing.pop(evse.id, None)
        info = id_tag_info_from_ocpp16(answer["idTagInfo"])
        if info.is_valid_at(self.station.clock.now()):
            waiting.info = info
            self.station.transactions.authorized(evse, token, info, waiting, source=_REMOTE)

    @on("RemoteStopTransaction")
    def remote_stop_transaction(
        self, payload: v16.RemoteStopTransactionRequest
    ) -> v16.RemoteStopTransactionResponse:
        transaction = self.station.model.transaction_by_csms_id(payload["transactionId"])
        if transaction is None or transaction.phase not in _RUNNING:
            return {"status": "Rejected"}
        evse = self.station.model.evses[transaction.evse_id]

        def stop() -> None:
            if evse.transaction is transaction and transaction.phase in _RUNNING:
                self.station.advance()
                self.station.end_transaction(evse, "Remote")

        self.station.after_answer(stop)
        return {"status": "Accepted"}
