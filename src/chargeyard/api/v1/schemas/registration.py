"""``PUT /chargers/{chargeBoxId}/registration``: how the central system answers a charger's
boots, and the calls it makes while the charger is Pending (``csms/registration.py``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from chargeyard.api.shapes import Request
from chargeyard.store.models import Station

RegistrationStatus = Literal["Accepted", "Pending", "Rejected"]

EXAMPLE: dict[str, Any] = {
    "status": "Pending",
    "pendingCalls": [
        {
            "action": "SetVariables",
            "payload": {
                "setVariableData": [
                    {
                        "component": {"name": "OCPPCommCtrlr"},
                        "variable": {"name": "HeartbeatInterval"},
                        "attributeValue": "120",
                    }
                ]
            },
        },
        {"action": "GetBaseReport", "payload": {"requestId": 1, "reportBase": "FullInventory"}},
    ],
}


class PendingCallIn(Request):
    """A CALL sent to the charger after a boot answered Pending, in the words of its OCPP
    version (as ``POST .../call`` takes it)."""

    action: str = Field(min_length=1, max_length=64, examples=["GetConfiguration"])
    payload: dict[str, Any] = Field(default_factory=dict)


class RegistrationIn(Request):
    """``status`` answers the charger's next boots; with Pending, ``pendingCalls`` are sent
    after the answer, and once each is answered with a CALLRESULT the charger's next boot is
    Accepted.
    A ``null`` or absent status: the CSMS's ``--boot-status`` answers."""

    status: RegistrationStatus | None = None
    pendingCalls: list[PendingCallIn] = Field(default_factory=list, max_length=50)


class RegistrationOut(BaseModel):
    chargeBoxId: str
    status: RegistrationStatus | None = Field(
        description="How the charger's boots are answered; null: the CSMS's --boot-status"
    )
    pendingCalls: list[dict[str, Any]] = Field(
        description="The calls sent after a boot answered Pending, each {action, payload}"
    )
    lastBootStatus: str | None = Field(description="The last BootNotification's answer")

    @classmethod
    def of(cls, station: Station) -> RegistrationOut:
        return cls(
            chargeBoxId=station.charge_box_id,
            status=station.registration,  # type: ignore[arg-type]
            pendingCalls=list(station.pending_calls or []),
            lastBootStatus=station.registration_status,
        )
