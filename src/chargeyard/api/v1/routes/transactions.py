"""Transactions: remote start and stop, list and read.

Thin: each route hands its request to ``chargeyard.csms.commands.transactions`` (remote start
and stop) or ``transaction_history`` (reading); errors are mapped in ``app.py`` (404 unknown
charger or transaction, 409 ambiguous id, already completed or rejected at boot, 503 not
connected, 504, 502).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from chargeyard import loop_clock
from chargeyard.api.deps import SettingsDep, StoreDep, TenantDep, require_tenant
from chargeyard.api.error_answers import error_answer
from chargeyard.api.shapes import LOOKUP_TEXT, Offset
from chargeyard.api.v1 import API_PREFIX
from chargeyard.api.v1.deps import ChargerDep, LinkDep
from chargeyard.api.v1.schemas import ErrorResponse, StationErrorResponse
from chargeyard.api.v1.schemas.transactions import (
    MeterValuesPage,
    RemoteStartRequest,
    RemoteStartResponse,
    RemoteStopResponse,
    TransactionPage,
    TransactionState,
    TransactionView,
)
from chargeyard.csms.commands import transaction_history
from chargeyard.csms.commands import transactions as remote
from chargeyard.store.repositories import MAX_PAGE

MAX_LIMIT = 100
MAX_SAMPLES = MAX_PAGE


def _errors(*answers: tuple[int, str]) -> dict[int | str, dict[str, Any]]:
    return {
        status: error_answer(StationErrorResponse if status == 502 else ErrorResponse, description)
        for status, description in ((401, "Missing or invalid API key"), *answers)
    }


_REJECTED = "the charger's boot was answered Rejected: no command is sent to it"
_CALL_ERRORS = (
    (502, "The charger answered with a CALLERROR"),
    (503, "The charger is registered but not connected"),
    (504, "The charger did not answer in time"),
)

router = APIRouter(prefix=API_PREFIX, tags=["Transactions"], dependencies=[Depends(require_tenant)])

TransactionIdPath = Annotated[
    str,
    Path(
        alias="transactionId",
        description='The OCPP transaction id as the API writes it: 1.6 ids in decimal ("42"),'
        " 2.0.1 ids as the station chose them",
        pattern=LOOKUP_TEXT,
    ),
]
ChargeBoxQuery = Annotated[
    str | None,
    Query(
        alias="chargeBoxId",
        description="The charger, when 2.0.1 ids repeat across chargers",
        pattern=LOOKUP_TEXT,
    ),
]


@router.post(
    "/chargers/{chargeBoxId}/remote-start",
    summary="Remote start transaction",
    responses=_errors((404, "Unknown chargeBoxId"), (409, _REJECTED.capitalize()), *_CALL_ERRORS),
)
async def remote_start(
    charger: ChargerDep, store: StoreDep, body: RemoteStartRequest
) -> RemoteStartResponse:
    """Ask a charger to start a transaction for an id tag on a connector (1.6
    RemoteStartTransaction, 2.0.1 RequestStartTransaction), with its TxProfile if given (a
    profile that is not a TxProfile without a transactionId is a 422; nothing is sent)."""
    result = await remote.remote_start(
        charger,
        body.connectorId,
        body.idTag,
        id_tags=store.id_tags,
        transactions=store.transactions,
        profile=None if body.chargingProfile is None else body.chargingProfile.profile(),
    )
    return RemoteStartResponse.model_validate(result)


@router.post(
    "/transactions/{transactionId}/stop",
    summary="Remote stop transaction",
    responses=_errors(
        (404, "Unknown transaction"),
        (409, f"Already completed, the id is used by several chargers, or {_REJECTED}"),
        *_CALL_ERRORS,
    ),
)
async def remote_stop(
    store: StoreDep,
    link: LinkDep,
    settings: SettingsDep,
    tenant: TenantDep,
    transaction_id: TransactionIdPath,
    charge_box_id: ChargeBoxQuery = None,
) -> RemoteStopResponse:
    """Ask the transaction's charger to stop it (1.6 RemoteStopTransaction, 2.0.1
    RequestStopTransaction)."""
    located = await remote.locate(
        store.transactions, transaction_id, charge_box_id, organization_id=tenant.organization_id
    )
    result = await remote.remote_stop(link, located, within=settings.command_timeout)
    return RemoteStopResponse.model_validate(result)


@router.get(
    "/transactions",
    summary="List transactions",
    responses=_errors((404, "Unknown chargeBoxId")),
)
async def list_transactions(
    store: StoreDep,
    tenant: TenantDep,
    charge_box_id: Annotated[
        str | None,
        Query(alias="chargeBoxId", description="Only this charger's", pattern=LOOKUP_TEXT),
    ] = None,
    status: Annotated[TransactionState | None, Query(description="active or completed")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Results per page")] = 20,
    offset: Offset = 0,
) -> TransactionPage:
    """The organization's transactions, newest first."""
    if charge_box_id is not None:
        await tenant.require_charger(store, charge_box_id)
    result = await transaction_history.history(
        store.transactions,
        charge_box_id=charge_box_id,
        status=status,
        limit=limit,
        offset=offset,
        now=loop_clock.now(),
        organization_id=tenant.organization_id,
    )
    return TransactionPage.model_validate(result)


@router.get(
    "/transactions/{transactionId}",
    summary="Get transaction",
    responses=_errors((404, "Unknown transaction"), (409, "The id is used by several chargers")),
)
async def get_transaction(
    store: StoreDep,
    tenant: TenantDep,
    transaction_id: TransactionIdPath,
    charge_box_id: ChargeBoxQuery = None,
) -> TransactionView:
    """One transaction, with the energy delivered (so far) and its duration."""
    located = await remote.locate(
        store.transactions, transaction_id, charge_box_id, organization_id=tenant.organization_id
    )
    result = await transaction_history.transaction(store.transactions, located, loop_clock.now())
    return TransactionView.model_validate(result)


@router.get(
    "/transactions/{transactionId}/meter-values",
    summary="Transaction meter values",
    responses=_errors((404, "Unknown transaction"), (409, "The id is used by several chargers")),
)
async def transaction_meter_values(
    store: StoreDep,
    tenant: TenantDep,
    transaction_id: TransactionIdPath,
    charge_box_id: ChargeBoxQuery = None,
    measurand: Annotated[
        str | None,
        Query(
            description="Only this measurand, e.g. Energy.Active.Import.Register",
            pattern=LOOKUP_TEXT,
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_SAMPLES, description="Samples at most")] = 500,
) -> MeterValuesPage:
    """The values the charger sampled during the transaction, oldest first."""
    located = await remote.locate(
        store.transactions, transaction_id, charge_box_id, organization_id=tenant.organization_id
    )
    result = await transaction_history.meter_values(
        store.transactions, located, measurand=measurand, limit=limit
    )
    return MeterValuesPage.model_validate(result)
