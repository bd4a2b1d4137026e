"""OCPP 2.1 battery swap, the station's side: a swap station hands a driver charged batteries
and takes the depleted ones back, and tells its central system with BatterySwap.

Theory of operation
-------------------
A swap starts one of two ways, for a driver's token (2.1 RequestBatterySwapRequest,
BatterySwapRequest):

* the central system sends RequestBatterySwap with the token and a ``requestId``: the station
  answers Accepted when it is a swap station, no other swap is under way, and enough of its
  slots hold a charged battery (``charged_soc`` of the template, ``batteries_per_swap`` of
  them); Rejected otherwise, with a ``statusInfo`` reason code of its own
  (``UnsupportedRequest``, ``SwapInProgress``, ``NoChargedBattery``);
* the driver presents the token at the station (:meth:`BatterySwapV21.swap_battery`): the
  station asks Authorize and swaps on Accepted, numbering the swap itself.

The batteries are held for the swap from then on. ``step_s`` later the driver has taken them:
BatterySwap eventType BatteryOut lists them (slot, serial number, state of charge and health as
they left). ``step_s`` after that the driver's depleted batteries are in the emptied slots:
BatterySwap eventType BatteryIn lists them, at the template's ``returned_soc``. Both carry the
token and the swap's ``requestId`` ("to correlate BatteryIn/Out events and optional
RequestBatterySwapRequest", 2.1 BatterySwapRequest). The slots then charge what went in
(``battery_slots.py``), so that a later swap finds it charged.

The simulator names the batteries a driver brings ``DRV-<requestId>-<n>`` and gives them the
health of the ones taken. A station that is not a swap station answers RequestBatterySwap
Rejected. Not simulated: BatteryOutTimeout (the driver always takes the batteries), slots out
of service, a swap kept while offline (a BatterySwap the station cannot send is lost).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chargeyard.protocol import ErrorKind, OcppError, on
from chargeyard.protocol.messages import v21
from chargeyard.station.blocks import Block
from chargeyard.station.v21.battery_slots import Battery, BatterySlots

if TYPE_CHECKING:
    from chargeyard.station.v21 import StationV21

_TIMER = "battery-swap"


@dataclass(slots=True)
class Swap:
    """A swap under way: its id, the driver's token and the slots it empties and fills."""

    request_id: int
    id_token: v21.IdTokenType
    slots: tuple[int, ...]
    taken: tuple[Battery, ...] = ()


class BatterySwapV21(Block["StationV21"]):
    """Battery swap; see the module docstring."""

    __slots__ = ("_local_ids", "_slots", "_swap")

    def __init__(self, station: StationV21) -> None:
        super().__init__(station)
        template = station.template.battery_swap
        self._slots = (
            None
            if template is None
            else BatterySlots(
                template,
                {evse.id: evse.max_power_w for evse in station.model.evses.values()},
                station.clock.monotonic,
            )
        )
        self._swap: Swap | None = None
        self._local_ids = itertools.count(1)

    @property
    def slots(self) -> BatterySlots | None:
        """The swap slots; None for a station that swaps no batteries."""
        return self._slots

    @property
    def swap(self) -> Swap | None:
        """The swap under way, if any."""
        return self._swap

    # -- how a swap starts -----------------------------------------------------------------

    @on("RequestBatterySwap")
    def request_battery_swap(
        self, payload: v21.RequestBatterySwapRequest
    ) -> v21.RequestBatterySwapResponse:
        refusal = self._refusal()
        if refusal is not None:
            code, why = refusal
            self.station.note(f"battery swap {payload['requestId']} rejected: {why}")
            return {"status": "Rejected", "statusInfo": {"reasonCode": code, "additionalInfo": why}}
        self._begin(payload["requestId"], payload["idToken"])
        return {"status": "Accepted"}

    def swap_battery(self, id_token: str, type: str = "ISO14443") -> int:
        """A driver presents ``id_token`` at the swap station: Authorize is asked, and the
        swap goes ahead once Accepted. Returns the swap's requestId.

        Raises:
            ValueError: ``id_token`` or ``type`` do not fit IdTokenType.
            OcppError: the station swaps no batteries, a swap is under way, too few batteries
                are charged, or the station is offline (the token cannot be authorized);
                nothing changes.
        """
        self.station.check_value("Authorize", "idToken.idToken", id_token, "id_token")
        self.station.check_value("Authorize", "idToken.type", type, "type")
        self.station.require_power()
        refusal = self._refusal()
        if refusal is not None:
            raise OcppError(ErrorKind.GENERIC_ERROR, refusal[1])
        token: v21.IdTokenType = {"idToken": id_token, "type": type}
        request_id = next(self._local_ids)
        swap = self._hold(request_id, token)

        def authorized(answer: Mapping[str, Any]) -> None:
            status = answer["idTokenInfo"]["status"]
            if self._swap is not swap:
                return
            if status != "Accepted":
                self.station.note(f"battery swap {request_id}: token {id_token} is {status}")
                self._swap = None
                return
            self._schedule(self._out)

        def failed(error: object) -> None:
            if self._swap is swap:
                self.station.note(f"battery swap {request_id}: Authorize failed ({error})")
                self._swap = None

        request: v21.AuthorizeRequest = {"idToken": token}
        if not self.station.call("Authorize", request, on_result=authorized, on_error=failed):
            self._swap = None
            raise OcppError(
                ErrorKind.GENERIC_ERROR, "the station is offline: the token cannot be authorized"
            )
        return request_id

    def _refusal(self) -> tuple[str, str] | None:
        """Why no swap can start now, as a reason code and a text; None when one can."""
        if self._slots is None:
            return "UnsupportedRequest", "the station swaps no batteries"
        if self._swap is not None:
            return "SwapInProgress", f"battery swap {self._swap.request_id} is under way"
        wanted = self._slots.template.batteries_per_swap
        ready = len(self._slots.charged())
        if ready < wanted:
            return "NoChargedBattery", f"{ready} of the {wanted} batteries a swap needs are charged"
        return None

    def _hold(self, request_id: int, token: v21.IdTokenType) -> Swap:
        assert self._slots is not None  # (_refusal said it is a swap station)
        wanted = self._slots.template.batteries_per_swap
        slots = tuple(self._slots.charged()[:wanted])
        self._swap = Swap(request_id, token, slots)
        self.station.note(f"battery swap {request_id}: slots {list(slots)} held")
        return self._swap

    def _begin(self, request_id: int, token: v21.IdTokenType) -> None:
        self._hold(request_id, token)
        self._schedule(self._out)

    # -- the swap over time ------------------------------------------------------------------

    def _schedule(self, step: Any) -> None:
        assert self._slots is not None
        at = self.station.clock.monotonic() + self._slots.template.step_s
        self.station.timers.set(_TIMER, at, step)
        self.station.wake()

    def _out(self) -> None:
        """The driver has taken the charged batteries: BatteryOut."""
        swap, slots = self._swap, self._slots
        assert swap is not None
        assert slots is not None
        swap.taken = tuple(slots.take(slot) for slot in swap.slots)
        self._report(swap, "BatteryOut", zip(swap.slots, swap.taken, strict=True))
        self._schedule(self._in)

    def _in(self) -> None:
        """The driver's depleted batteries are in the emptied slots: BatteryIn."""
        swap, slots = self._swap, self._slots
        assert swap is not None
        assert slots is not None
        returned = tuple(
            Battery(f"DRV-{swap.request_id}-{n}", taken.soh, slots.template.returned_soc, 0.0)
            for n, taken in enumerate(swap.taken, start=1)
        )
        for slot, battery in zip(swap.slots, returned, strict=True):
            slots.put(slot, battery)
        self._report(swap, "BatteryIn", zip(swap.slots, returned, strict=True))
        self._swap = None

    def _report(self, swap: Swap, event: v21.BatterySwapEventEnumType, batteries: Any) -> None:
        data: list[v21.BatteryDataType] = [
            {
                "evseId": slot,
                "serialNumber": battery.serial_number,
                "soC": round(battery.soc, 1),
                "soH": battery.soh,
            }
            for slot, battery in batteries
        ]
        message: v21.BatterySwapRequest = {
            "batteryData": data,
            "eventType": event,
            "idToken": swap.id_token,
            "requestId": swap.request_id,
        }
        self.station.note(f"battery swap {swap.request_id}: {event} {[d['evseId'] for d in data]}")
        self.station.call("BatterySwap", message)

    def on_power_on(self) -> None:
        """The station restarted: a swap under way was forgotten with its timers (its
        batteries stay where they were)."""
        self.station.timers.cancel(_TIMER)
        self._swap = None


__all__ = ["BatterySwapV21", "Swap"]
