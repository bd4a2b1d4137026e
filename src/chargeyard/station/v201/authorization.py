"""OCPP 2.0.1 authorization (functional block C): a token presented at the reader, Authorize,
the authorization cache, and stopping by token.

Theory of operation
-------------------
:meth:`AuthorizationV201.present_id_token` is the driver holding a card (or typing a code, C04;
the IdTokenEnumType is the ``type``) to a reader:

* a token that may stop a running, authorized transaction stops it: the same token, or one of
  its group as the local list or cache knows it (E07, C09). That ends the authorization with
  triggerReason StopAuthorized and stoppedReason Local; whether the transaction ends now
  follows TxStopPoint (``transaction_events.py``). A token it does not know, at an EVSE taken
  by an authorized transaction, is asked of the central system first (C09.FR.05): one valid
  of the starter's group stops it, any other changes nothing (C09.FR.11);
* otherwise the token asks to charge on the EVSE named, or on the one a cable waits in, or on
  the first free one. With AuthCtrlr.Enabled false no authorization is needed at all.
  Otherwise ``decide_local`` (``model/authorization.py``) chooses from the local list, the
  cache and AuthCtrlr's policy: ask the central system with AuthorizeRequest (C01), accept
  locally (LocalPreAuthorize C12/C14, offline C12/C13, unknown offline C15) or refuse.
  The answer of an Authorize is kept in the cache (C10, ``remember``);
* ClearCache empties the cache (C11), Rejected while AuthCacheCtrlr.Enabled is false.

What became of a presented token (the decision and its source, a stop; the central system's
word on the transaction comes from ``transaction_event_answers.py``) is told to ``token_reports``
(``model/token_reports.py``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from chargeyard.protocol import ErrorKind, OcppError, Payload, on
from chargeyard.protocol.messages import v201
from chargeyard.station.blocks import Block
from chargeyard.station.model.authorization import (
    IdToken,
    Verdict,
    decide_local,
    id_token_info_from_ocpp201,
    id_token_to_ocpp201,
    may_stop,
    remember,
)
from chargeyard.station.model.station import Evse
from chargeyard.station.model.token_reports import (
    AuthorizationSource,
    OfflineKeys,
    TokenDecision,
    TokenStop,
    answered_refusal,
    offline_refusal,
)

if TYPE_CHECKING:
    from chargeyard.station.v201 import StationV201  # noqa: F401 (the Block base names it)

logger = logging.getLogger(__name__)

_OFFLINE_KEYS = OfflineKeys(
    "AuthCtrlr.LocalAuthorizeOffline", "AuthCtrlr.OfflineTxForUnknownIdEnabled"
)
_CENTRAL = AuthorizationSource.CENTRAL_SYSTEM


class AuthorizationV201(Block["StationV201"]):
    """C Authorization; see the module docstring."""

    __slots__ = ()

    def present_id_token(
        self, id_token: str, evse_id: int | None = None, type: str = "ISO14443"
    ) -> None:
        """The driver presents ``id_token`` to the reader of ``evse_id`` (None: the station's).
        What becomes of it is told to the station's ``token_reports``.

        Raises:
            ValueError: ``id_token`` or ``type`` do not fit IdTokenType.
            OcppError: no EVSE is free for a new session, or the station is going down or off
                (its reader is dead).
        """
        self.station.check_value("Authorize", "idToken.idToken", id_token, "id_token")
        self.station.check_value("Authorize", "idToken.type", type, "type")
        self.station.require_power()
        token = IdToken(id_token, type)
        running = self.station.model.transaction_to_stop_by(
            token, evse_id, self.station.clock.now()
        )
        if (
            running is not None
            and self.station.transaction_events.session(
                self.station.model.evses[running.evse_id]
            ).authorized
        ):
            # E07: the driver ends the session; the idToken goes in the event.
            self.station.transaction_events.deauthorize(
                self.station.model.evses[running.evse_id], "StopAuthorized", "Local", token=token
            )
            self.station.token_reports.tell(TokenStop(running.evse_id, token, running.local_id))
            self.station.wake()
            return
        evse = self.station.transactions.evse_for_new_session(evse_id, token, tentative=True)
        if evse is None:
            if self._ask_to_stop(token, evse_id):
                self.station.wake()
                return
            raise OcppError(ErrorKind.GENERIC_ERROR, "no EVSE is free for a new session")
        if not self.station.device_model.get_bool("AuthCtrlr", "Enabled", None, True):
            self.station.transactions.authorize_session(
                evse, token, None, source=AuthorizationSource.STATION
            )
            self.station.wake()
            return
        decision = decide_local(
            token,
            online=self.station.accepted,
            now=self.station.clock.now(),
            policy=self.station.model.policy,
            local_list=self.station.model.local_list,
            cache=self.station.model.cache,
        )
        if decision.verdict is Verdict.ASK_CENTRAL:
            self.station.transaction_events.session(evse).authorizing = True
            request: v201.AuthorizeRequest = {
                "idToken": id_token_to_ocpp201(token, self.station.dialect.id_token_types)
            }
            sent = self.station.call(
                "Authorize",
                request,
                lambda payload: self._authorize_answered(evse, token, payload),
                lambda error: self._authorize_failed(evse, token, f"Authorize failed: {error}"),
            )
            if not sent:
                self._authorize_failed(evse, token, "the station could not send Authorize")
        elif decision.verdict is Verdict.REJECT:
            logger.info("%s: %s refused locally", self.station.identity, token.value)
            why = offline_refusal(decision, self.station.model.policy, _OFFLINE_KEYS)
            status = decision.info.status if decision.info is not None else None
            source = AuthorizationSource.of(decision.source)
            self.station.token_reports.tell(
                TokenDecision(evse.id, token, False, status, source, why)
            )
        else:
            source = AuthorizationSource.of(decision.source)
            self.station.transactions.authorize_session(evse, token, decision.info, source=source)
        self.station.wake()

    def _ask_to_stop(self, token: IdToken, evse_id: int | None) -> bool:
        """A token the station does not know, where the EVSE (every EVSE, for the station's
        reader) is taken by an authorized transaction: AuthorizeRequest (C01.FR.02, C09.FR.05)
        tells whether it is valid and its group; one valid of the group that started a
        transaction ends its authorization (C09.FR.03), any other changes nothing
        (C09.FR.11). Whether it was asked."""
        running = [
            transaction
            for transaction in self.station.model.transactions()
            if (evse_id is None or transaction.evse_id == evse_id)
            and transaction.id_token is not None
            and self.station.transaction_events.session(
                self.station.model.evses[transaction.evse_id]
            ).authorized
        ]
        if not running or not self.station.accepted:
            return False

        def answered(payload: Payload) -> None:
            info = id_token_info_from_ocpp201(payload["idTokenInfo"])
            now = self.station.clock.now()
            remember(
                token,
                info,
                now=now,
                policy=self.station.model.policy,
                local_list=self.station.model.local_list,
                cache=self.station.model.cache,
            )
            for transaction in running:
                evse = self.station.model.evses[transaction.evse_id]
                started = transaction.id_token_info
                if (
                    evse.transaction is transaction
                    and transaction.id_token is not None
                    and self.station.transaction_events.session(evse).authorized
                    and info.is_valid_at(now)
                    and may_stop(
                        transaction.id_token, started.group_id if started else None, token, info
                    )
                ):
                    self.station.transaction_events.deauthorize(
                        evse, "StopAuthorized", "Local", token=token
                    )
                    self.station.token_reports.tell(
                        TokenStop(transaction.evse_id, token, transaction.local_id)
                    )
                    self.station.wake()
                    return
            why = "it is not of the group that started the transaction (C09.FR.11)"
            if not info.is_valid_at(now):
                why = answered_refusal("Authorize", info, now)
            self.station.token_reports.tell(
                TokenDecision(running[0].evse_id, token, False, info.status, _CENTRAL, why)
            )

        request: v201.AuthorizeRequest = {
            "idToken": id_token_to_ocpp201(token, self.station.dialect.id_token_types)
        }
        return self.station.call("Authorize", request, answered)

    def _authorize_answered(self, evse: Evse, token: IdToken, payload: Payload) -> None:
        # C01 / C10: the answer is cached; only an Accepted (and unexpired) token may charge.
        info = id_token_info_from_ocpp201(payload["idTokenInfo"])
        now = self.station.clock.now()
        remember(
            token,
            info,
            now=now,
            policy=self.station.model.policy,
            local_list=self.station.model.local_list,
            cache=self.station.model.cache,
        )
        self.station.transaction_events.session(evse).authorizing = False
        valid = info.is_valid_at(now)
        if valid and self.station.may_start_session(evse, token, info):
            self.station.transactions.authorize_session(evse, token, info, source=_CENTRAL)
            return
        logger.info("%s: %s not authorized (%s)", self.station.identity, token.value, info.status)
        self.station.transaction_events.evaluate(evse, None)
        why = (
            answered_refusal("Authorize", info, now)
            if not valid
            else f"EVSE {evse.id} is reserved for another idToken (H01, H03)"
        )
        self.station.token_reports.tell(
            TokenDecision(evse.id, token, False, info.status, _CENTRAL, why)
        )

    def _authorize_failed(self, evse: Evse, token: IdToken, why: str) -> None:
        self.station.transaction_events.session(evse).authorizing = False
        self.station.transaction_events.evaluate(evse, None)
        self.station.token_reports.tell(TokenDecision(evse.id, token, False, None, _CENTRAL, why))

    @on("ClearCache")
    def clear_cache(self, payload: v201.ClearCacheRequest) -> v201.ClearCacheResponse:
        """C11."""
        if not self.station.device_model.get_bool("AuthCacheCtrlr", "Enabled"):
            return {"status": "Rejected"}
        self.station.model.cache.clear()
        return {"status": "Accepted"}
