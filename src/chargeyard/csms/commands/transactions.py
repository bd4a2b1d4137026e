"""Remote start and stop of a transaction, whatever OCPP version the station speaks.

Theory of operation
-------------------
As in ``operations.py``: each function sends the call that means the command in the station's
version, chosen once in :data:`REMOTE_DIALECTS`, and answers in the API's shape (lower-case
``status``, ``message`` "Remote start accepted by charger").

==============  ================================  ==================================================
command         1.6                               2.0.1 / 2.1
==============  ================================  ==================================================
remote-start    RemoteStartTransaction            RequestStartTransaction {evseId N, idToken
                {connectorId N, idTag,            {idToken, type}, remoteStartId,
                chargingProfile} (5.11)           chargingProfile} (F01, F02, K05)
stop            RemoteStopTransaction             RequestStopTransaction {transactionId} (F03)
                {transactionId: int} (5.12)
==============  ================================  ==================================================

The idToken type is the tag's stored ``token_type``, else ``Central`` (a token the central
system vouches for). Whether the transaction the station then begins was started remotely is
decided when it arrives (``csms/remote_starts.py``): the start is remembered *before* the call,
since the station may begin it before we have read its answer, and forgotten if refused. A
2.0.1 station whose transaction already runs (TxStartPoint EVConnected, F01) names it in its
answer; that transaction is marked at once.

A stop names the transaction by its OCPP id: 1.6 ids are the central system's and unique, 2.0.1
ids are each station's own, so the same id on two stations needs the chargeBoxId (409 without).
The API names every transaction by a string (1.6 ids in decimal); only the 1.6 message carries
the integer (``_Ocpp16.stop``).
"""

from __future__ import annotations

import contextlib
import secrets
from typing import Protocol

from chargeyard.csms.commands.base import (
    Charger,
    InvalidCommand,
    Result,
    Send,
    is_integer_id,
    outcome,
    sender,
    snake,
)
from chargeyard.csms.commands.smart_charging import (
    SMART_CHARGING_DIALECTS,
    ChargingProfile,
    check_remote_start_profile,
)
from chargeyard.csms.remote_starts import RemoteStart
from chargeyard.csms.station_link import StationLink
from chargeyard.protocol import V16, V21, V201, Payload, VersionTable
from chargeyard.store import ConflictError, NotFoundError
from chargeyard.store.models import TransactionStatus
from chargeyard.store.repositories import IdTagRepository, TransactionRepository
from chargeyard.store.repositories.transactions import StationTransaction

# OCPP 2.0.1 IdTokenEnumType for a token the central system vouches for (F01).
CENTRAL_TOKEN = "Central"


async def token_type_of(id_tags: IdTagRepository, charger: Charger, id_tag: str) -> str:
    """The 2.0.1 idToken type to send ``id_tag`` with: the stored ``token_type`` of the
    charger's organization's tag, else ``Central``."""
    tag = await id_tags.get(id_tag, organization_id=charger.organization_id)
    return tag.token_type if tag is not None and tag.token_type else CENTRAL_TOKEN


class RemoteDialect(Protocol):
    """How one OCPP version says remote start and stop."""

    def remote_start(self, identity: str, connector_id: int, id_tag: str) -> RemoteStart: ...
    async def start(
        self, send: Send, start: RemoteStart, token_type: str, profile: Payload | None
    ) -> tuple[str, str | None]:
        """The station's status and the id of a transaction already running there;
        ``profile``: the TxProfile of the transaction, as the version writes one."""
        ...

    async def stop(self, send: Send, transaction_id: str) -> str: ...


class _Ocpp16:
    def remote_start(self, identity: str, connector_id: int, id_tag: str) -> RemoteStart:
        return RemoteStart(identity, connector_id, id_tag)

    async def start(
        self, send: Send, start: RemoteStart, token_type: str, profile: Payload | None
    ) -> tuple[str, str | None]:
        payload: Payload = {"connectorId": start.connector_id, "idTag": start.id_tag}
        if profile is not None:
            payload["chargingProfile"] = profile
        return str((await send("RemoteStartTransaction", payload))["status"]), None

    async def stop(self, send: Send, transaction_id: str) -> str:
        if not is_integer_id(transaction_id):  # not one we handed out (section 6.46)
            raise InvalidCommand(f"a 1.6 transactionId is an integer, not {transaction_id!r}")
        payload = {"transactionId": int(transaction_id)}
        return str((await send("RemoteStopTransaction", payload))["status"])


class _Ocpp201:
    def remote_start(self, identity: str, connector_id: int, id_tag: str) -> RemoteStart:
        # Random, not counted: ids stay distinct across restarts of the central system.
        return RemoteStart(identity, connector_id, id_tag, secrets.randbelow(2**31 - 1) + 1)

    async def start(
        self, send: Send, start: RemoteStart, token_type: str, profile: Payload | None
    ) -> tuple[str, str | None]:
        payload: Payload = {
            "evseId": start.connector_id,
            "idToken": {"idToken": start.id_tag, "type": token_type},
            "remoteStartId": start.remote_start_id,
        }
        if profile is not None:
            payload["chargingProfile"] = profile
        answer = await send("RequestStartTransaction", payload)
        return str(answer["status"]), answer.get("transactionId")

    async def stop(self, send: Send, transaction_id: str) -> str:
        answer = await send("RequestStopTransaction", {"transactionId": transaction_id})
        return str(answer["status"])


# The one place where the station's version picks how remote start and stop are said.
REMOTE_DIALECTS: VersionTable[RemoteDialect] = VersionTable(
    "how remote start and stop are said",
    {V16: _Ocpp16(), V201: _Ocpp201(), V21: _Ocpp201()},
)


async def _target(charger: Charger) -> tuple[RemoteDialect, Send]:
    """Raises: StationNotConnected (``sender`` says what ``send`` raises)."""
    return REMOTE_DIALECTS[await charger.link.version_of(charger.identity)], sender(charger)


async def remote_start(
    charger: Charger,
    connector_id: int,
    id_tag: str,
    *,
    id_tags: IdTagRepository,
    transactions: TransactionRepository,
    profile: ChargingProfile | None = None,
) -> Result:
    """Ask the station to start a transaction for ``id_tag`` on ``connector_id`` (2.0.1: the
    EVSE of that number), limited by ``profile`` if given (its TxProfile: 1.6 section 5.11,
    2.0.1 F01 with K05).

    Raises:
        InvalidCommand: ``profile`` is not a TxProfile without a transaction, or breaks a
            schedule's rules (nothing is sent).
    """
    version = await charger.link.version_of(charger.identity)
    profile_payload = None
    if profile is not None:
        check_remote_start_profile(profile)
        profile_payload = SMART_CHARGING_DIALECTS[version].profile(profile)
    dialect, send = await _target(charger)
    token_type = await token_type_of(id_tags, charger, id_tag)
    start = dialect.remote_start(charger.identity, connector_id, id_tag)
    pending = charger.link.remote_starts
    pending.expect(start)
    try:
        status, running = await dialect.start(send, start, token_type, profile_payload)
    except BaseException:
        pending.withdraw(start)
        raise
    if status != "Accepted" or running is not None:
        pending.withdraw(start)
    if status == "Accepted" and running is not None:
        with contextlib.suppress(NotFoundError):  # its Started has not reached us yet
            await transactions.update(charger.identity, running, remote_started=True)
    return {
        "message": f"Remote start {outcome(status)}",
        "chargeBoxId": charger.identity,
        "connectorId": connector_id,
        "idTag": id_tag,
        "status": snake(status),
    }


async def locate(
    transactions: TransactionRepository,
    transaction_id: str,
    charge_box_id: str | None,
    *,
    organization_id: str | None = None,
) -> StationTransaction:
    """The one transaction with this OCPP id (on ``charge_box_id``'s station, if given; on a
    station of ``organization_id``, if given).

    Raises:
        NotFoundError: none; ConflictError: several stations use the id.
    """
    found = await transactions.find(
        transaction_id, charge_box_id=charge_box_id, organization_id=organization_id
    )
    if not found:
        where = f"on charger {charge_box_id}" if charge_box_id is not None else ""
        raise NotFoundError("transaction", transaction_id, where)
    if len(found) > 1:
        names = ", ".join(item.charge_box_id for item in found)
        raise ConflictError(
            f"transaction {transaction_id!r} exists on several chargers ({names}):"
            " pass chargeBoxId to choose one"
        )
    return found[0]


async def remote_stop(
    link: StationLink, located: StationTransaction, *, within: float | None = None
) -> Result:
    """Ask the transaction's station to stop it, waiting ``within`` seconds for its answer
    (None: the link's default).

    Raises:
        ConflictError: the transaction is already completed; and what ``StationLink.call`` does
        (StationNotConnected when its station is offline).
    """
    transaction = located.transaction
    if transaction.status == TransactionStatus.COMPLETED:
        raise ConflictError(
            f"transaction {transaction.transaction_id} on charger {located.charge_box_id}"
            " is already completed"
        )
    dialect, send = await _target(Charger(link, located.charge_box_id, within))
    status = await dialect.stop(send, transaction.transaction_id)
    return {
        "message": f"Remote stop {outcome(status)}",
        "chargeBoxId": located.charge_box_id,
        "transactionId": located.transaction.transaction_id,
        "status": snake(status),
    }
