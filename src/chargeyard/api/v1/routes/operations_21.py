"""``/chargers/{chargeBoxId}/...``: the OCPP 2.1 operations of
:data:`~chargeyard.csms.commands.operations_21.OPERATIONS_21`, one route each, built as the
2.0.1 operations' are (``device_model.py``). Errors as the other commands (``app.py``); a 1.6
or 2.0.1 charger answers 422.
"""

from fastapi import APIRouter, Depends

from chargeyard.api.deps import require_tenant
from chargeyard.api.v1 import API_PREFIX
from chargeyard.api.v1.routes.chargers_commands import COMMAND_ERRORS
from chargeyard.api.v1.routes.device_model import add_operation_routes
from chargeyard.csms.commands.operations_21 import OPERATIONS_21

router = APIRouter(
    prefix=API_PREFIX + "/chargers/{chargeBoxId}",
    tags=["Charger Commands (OCPP 2.1)"],
    dependencies=[Depends(require_tenant)],
    responses=COMMAND_ERRORS,
)

add_operation_routes(router, OPERATIONS_21)
