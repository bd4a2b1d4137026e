"""``/chargers/{chargeBoxId}/...``: the OCPP 2.0.1 operations without a 1.6 counterpart, one
route for each entry of :data:`~chargeyard.csms.commands.device_model.OPERATIONS`, its body
the request's payload as OCPP 2.0.1 writes it (with the table's example in the OpenAPI
document). Errors as the other commands (``app.py``); a 1.6 charger answers 422.
"""

# No ``from __future__ import annotations``: each route's body annotation names its own
# example, a local of operation_route, which FastAPI can read only from an evaluated
# annotation.
from collections.abc import Awaitable, Callable, Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from pydantic import BaseModel, Field

from chargeyard.api.deps import require_tenant
from chargeyard.api.v1 import API_PREFIX
from chargeyard.api.v1.deps import ChargerDep
from chargeyard.api.v1.routes.chargers_commands import COMMAND_ERRORS
from chargeyard.csms.commands import device_model
from chargeyard.csms.commands.device_model import OPERATIONS, Operation


class OperationResponse(BaseModel):
    chargeBoxId: str
    action: str = Field(examples=["GetBaseReport"])
    requestId: int | None = Field(description="The request's requestId, when it has one")
    status: str | None = Field(
        description="The answer's status (Accepted, Rejected, ...), when it has one"
    )
    response: dict[str, Any] = Field(description="The station's answer, as it came")
    report: list[dict[str, Any]] | None = Field(
        description="The parts of the report that followed (NotifyReport, ...), each as the"
        " station sent it; null when none follows"
    )


router = APIRouter(
    prefix=API_PREFIX + "/chargers/{chargeBoxId}",
    tags=["Charger Commands (OCPP 2.0.1)"],
    dependencies=[Depends(require_tenant)],
    responses=COMMAND_ERRORS,
)


def operation_route(operation: Operation) -> Callable[..., Awaitable[OperationResponse]]:
    """The route of one operation of a table of ``csms/commands`` (2.0.1's here, 2.1's in
    ``operations_21.py``)."""
    example = {"example": {"summary": operation.summary, "value": operation.example}}

    async def send(
        charger: ChargerDep,
        body: Annotated[dict[str, Any], Body(openapi_examples=example)],
    ) -> OperationResponse:
        result = await device_model.run(charger, operation, body)
        return OperationResponse.model_validate(result)

    send.__doc__ = (
        f"OCPP {operation.since.name} {operation.action} ({operation.use_case}), the body its"
        f" request as OCPP writes it, checked against the official schema."
        f" {operation.description}"
    ).strip()
    return send


def add_operation_routes(to: APIRouter, operations: Iterable[Operation]) -> None:
    """``POST /{operation.path}`` on ``to`` for each of ``operations``."""
    for operation in operations:
        to.add_api_route(
            f"/{operation.path}",
            operation_route(operation),
            methods=["POST"],
            summary=operation.summary,
            name=operation.action,
        )


add_operation_routes(router, OPERATIONS)
