"""OCPP 2.0.1 display messages (functional block O, O01-O06): what the central system puts on
the station's display, and when it shows.

Theory of operation
-------------------
The station keeps the MessageInfoType of every SetDisplayMessage it accepted, by id:

* SetDisplayMessage (O01, O02) answers, in this order: Rejected while DisplayMessageCtrlr.Enabled
  is false; NotSupportedMessageFormat for a format not in DisplayMessageCtrlr.SupportedFormats
  (O01.FR.03), NotSupportedPriority for a priority not in SupportedPriorities (O01.FR.01);
  UnknownTransaction for a transactionId that is not running here (O02.FR.01); Rejected for an
  endDateTime not after its startDateTime, or when a new id would hold more messages than
  DisplayMessageCtrlr.DisplayMessages' maxLimit (O01.FR.11). Else Accepted: a message with the
  id of one kept replaces it whole (O06.FR.01), and a new AlwaysFront message replaces the one
  that was (O01.FR.16). The station shows every MessageStateEnumType (Charging, Faulted, Idle,
  Unavailable), so it never answers NotSupportedState.
* GetDisplayMessages (O03, O04) answers Unknown when no kept message matches every filter
  given (ids, priority, state), else Accepted, then NotifyDisplayMessages parts of
  ItemsPerMessage (GetReport) messages each, tbc on all but the last, with the requestId.
* ClearDisplayMessage (O05): Accepted when a message of that id was kept (it goes), else
  Unknown.

What shows (:meth:`DisplayMessagesV201.shown`), on the station's clock: a message from its
startDateTime (O01.FR.06) until its endDateTime, when it is removed (O01.FR.07); one for a
transaction while that transaction runs, removed when it ends (O02.FR.02); one with a state
while the station (or the EVSE of its ``display`` component) is in it: Faulted (a connector
faulted), Unavailable (made inoperative), Charging (a transaction running), else Idle. The
AlwaysFront message alone, else the InFront ones (cycled) before the NormalCycle ones
(O01.FR.12-15). A message starting or ending is written in the station's log.

The messages survive a reboot (O01.FR.10): the station object keeps them while its power is
off, and its timer restarts with the power.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from chargeyard.protocol import on
from chargeyard.protocol.messages import v201
from chargeyard.station.blocks import Block
from chargeyard.station.maintenance import optional_time
from chargeyard.station.model.states import ConnectorStatus
from chargeyard.station.model.station import Evse
from chargeyard.station.v201.device_model import Variable

if TYPE_CHECKING:
    from chargeyard.station.v201 import StationV201

_CTRLR = "DisplayMessageCtrlr"
_TIMER = "display:next"
_FORMATS = ("ASCII", "HTML", "URI", "UTF8")
_PRIORITIES = ("AlwaysFront", "InFront", "NormalCycle")  # also the order they show in
_MAX_MESSAGES = 10


@dataclass(slots=True)
class DisplayMessage:
    """One MessageInfoType as it was set, and its window."""

    info: v201.MessageInfoType
    start: datetime | None
    end: datetime | None
    started: bool = False  # its start was written in the log

    @property
    def id(self) -> int:
        return self.info["id"]

    @property
    def priority(self) -> v201.MessagePriorityEnumType:
        return self.info["priority"]

    @property
    def transaction_id(self) -> str | None:
        return self.info.get("transactionId")

    def in_window(self, now: datetime) -> bool:
        return (self.start is None or self.start <= now) and (self.end is None or now < self.end)


class DisplayMessagesV201(Block["StationV201"]):
    """O01-O06; see the module docstring."""

    __slots__ = ("messages",)

    def __init__(self, station: StationV201) -> None:
        super().__init__(station)
        self.messages: dict[int, DisplayMessage] = {}
        station.device_model.add(
            _CTRLR,
            Variable("Enabled", "boolean", "true"),
            Variable("Available", "boolean", "true", "ReadOnly", constant=True),
            Variable(
                "DisplayMessages",
                "integer",
                max_limit=_MAX_MESSAGES,
                live=lambda: str(len(self.messages)),
            ),
            Variable(
                "SupportedFormats", "MemberList", "ASCII,UTF8", "ReadOnly", values_list=_FORMATS
            ),
            Variable(
                "SupportedPriorities",
                "MemberList",
                ",".join(_PRIORITIES),
                "ReadOnly",
                values_list=_PRIORITIES,
            ),
        )

    # -- O01 / O02 / O06 ---------------------------------------------------------------------------

    @on("SetDisplayMessage")
    def set_display_message(
        self, payload: v201.SetDisplayMessageRequest
    ) -> v201.SetDisplayMessageResponse:
        info = payload["message"]
        status = self._refusal(info)
        if status is not None:
            return status
        message = DisplayMessage(
            info, optional_time(info.get("startDateTime")), optional_time(info.get("endDateTime"))
        )
        if message.end is not None and message.start is not None and message.end <= message.start:
            return {"status": "Rejected", "statusInfo": {"reasonCode": "InvalidPeriod"}}
        if message.id not in self.messages and len(self.messages) >= self._capacity():
            return {"status": "Rejected", "statusInfo": {"reasonCode": "TooManyMessages"}}
        if message.priority == "AlwaysFront":
            for old in [m for m in self.messages.values() if m.priority == "AlwaysFront"]:
                if old.id != message.id:
                    self._remove(old, f"replaced by AlwaysFront message {message.id}")
        self.messages[message.id] = message
        self.station.note(
            f"display: message {message.id} set ({message.priority}):"
            f" {info['message']['content'][:80]}"
        )
        self._update()
        return {"status": "Accepted"}

    def _refusal(self, info: v201.MessageInfoType) -> v201.SetDisplayMessageResponse | None:
        dm = self.station.device_model
        if not dm.get_bool(_CTRLR, "Enabled", None, True):
            return {"status": "Rejected", "statusInfo": {"reasonCode": "Disabled"}}
        if info["message"]["format"] not in dm.get_list(_CTRLR, "SupportedFormats"):
            return {"status": "NotSupportedMessageFormat"}  # O01.FR.03
        if info["priority"] not in dm.get_list(_CTRLR, "SupportedPriorities"):
            return {"status": "NotSupportedPriority"}  # O01.FR.01
        transaction_id = info.get("transactionId")
        if (
            transaction_id is not None
            and self.station.model.transaction_by_local_id(transaction_id) is None
        ):
            return {"status": "UnknownTransaction"}  # O02.FR.01
        return None

    def _capacity(self) -> int:
        variable = self.station.device_model.variable(_CTRLR, "DisplayMessages")
        limit = None if variable is None else variable.max_limit
        return _MAX_MESSAGES if limit is None else int(limit)

    # -- O03 / O04 ---------------------------------------------------------------------------------

    @on("GetDisplayMessages")
    def get_display_messages(
        self, payload: v201.GetDisplayMessagesRequest
    ) -> v201.GetDisplayMessagesResponse:
        self._update()
        ids = payload.get("id")
        priority, state = payload.get("priority"), payload.get("state")
        selected = [
            message.info
            for message in self.messages.values()
            if (ids is None or message.id in ids)
            and (priority is None or message.priority == priority)
            and (state is None or message.info.get("state") == state)
        ]
        if not selected:
            return {"status": "Unknown"}  # O03.FR.06, O04.FR.02
        request_id: int = payload["requestId"]
        self.station.after_answer(lambda: self._send_messages(request_id, selected))
        return {"status": "Accepted"}

    def _send_messages(self, request_id: int, selected: list[v201.MessageInfoType]) -> None:
        dm = self.station.device_model
        size = max(1, dm.get_int("DeviceDataCtrlr", "ItemsPerMessage", "GetReport"))
        chunks = [selected[i : i + size] for i in range(0, len(selected), size)]
        for number, chunk in enumerate(chunks):
            part: v201.NotifyDisplayMessagesRequest = {
                "requestId": request_id,
                "messageInfo": chunk,
            }
            if number < len(chunks) - 1:
                part["tbc"] = True  # O03.FR.04
            self.station.call("NotifyDisplayMessages", part, requested=True)

    # -- O05 ---------------------------------------------------------------------------------------

    @on("ClearDisplayMessage")
    def clear_display_message(
        self, payload: v201.ClearDisplayMessageRequest
    ) -> v201.ClearDisplayMessageResponse:
        message = self.messages.get(payload["id"])
        if message is None:
            return {"status": "Unknown"}  # O05.FR.02
        self._remove(message, "cleared")
        self._update()
        return {"status": "Accepted"}

    # -- what shows, on the station's clock --------------------------------------------------------

    def shown(self) -> list[v201.MessageInfoType]:
        """The messages on the display now, in the order they show (module docstring)."""
        now = self.station.clock.now()
        showing = [
            message
            for message in self.messages.values()
            if message.in_window(now)
            and self._transaction_runs(message)
            and self._state_fits(message)
        ]
        showing.sort(key=lambda message: _PRIORITIES.index(message.priority))
        if showing and showing[0].priority == "AlwaysFront":
            return [showing[0].info]  # O01.FR.15: alone, not cycled
        return [message.info for message in showing]

    def _transaction_runs(self, message: DisplayMessage) -> bool:
        transaction_id = message.transaction_id
        return (
            transaction_id is None
            or self.station.model.transaction_by_local_id(transaction_id) is not None
        )

    def _state_fits(self, message: DisplayMessage) -> bool:
        wanted = message.info.get("state")
        if wanted is None:
            return True
        display = message.info.get("display")
        evse = None if display is None else display.get("evse")
        evse_id = None if evse is None else evse["id"]
        evses = self.station.model.evses
        chosen = list(evses.values()) if evse_id not in evses else [evses[evse_id]]
        return wanted == self._state(chosen, station_wide=evse_id not in evses)

    def _state(self, evses: list[Evse], *, station_wide: bool) -> v201.MessageStateEnumType:
        """MessageStateEnumType of the station (or of one EVSE)."""
        connectors = [c for evse in evses for c in evse.connectors.values()]
        if any(connector.faulted for connector in connectors):
            return "Faulted"
        if (station_wide and not self.station.station_operative) or all(
            connector.status is ConnectorStatus.UNAVAILABLE for connector in connectors
        ):
            return "Unavailable"
        if any(evse.transaction is not None for evse in evses):
            return "Charging"
        return "Idle"

    def _update(self) -> None:
        """Remove what has ended, log what has started, and wake up at the next change."""
        now = self.station.clock.now()
        for message in list(self.messages.values()):
            if message.end is not None and now >= message.end:
                self._remove(message, "its endDateTime passed")  # O01.FR.07
            elif not self._transaction_runs(message):
                self._remove(message, "its transaction ended")  # O02.FR.02
            elif not message.started and message.in_window(now):
                message.started = True
                self.station.note(f"display: showing message {message.id}")
        moments = [
            moment
            for message in self.messages.values()
            for moment in (message.start, message.end)
            if moment is not None and moment > now
        ]
        self.station.set_timer_at(_TIMER, min(moments, default=None), self._update)

    def _remove(self, message: DisplayMessage, why: str) -> None:
        del self.messages[message.id]
        self.station.note(f"display: message {message.id} removed ({why})")

    def on_evse_idle(self, evse: Evse) -> None:
        """No transaction runs on ``evse`` any more: its transaction's messages go (O02.FR.02)."""
        if any(message.transaction_id is not None for message in self.messages.values()):
            self._update()

    def on_power_on(self) -> None:
        self._update()  # the timer went with the power; the messages did not
