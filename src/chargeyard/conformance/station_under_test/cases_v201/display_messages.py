"""OCPP 2.0.1 charging-station cases of display messages (the Advanced User Interface profile,
block O: O01 SetDisplayMessage, O02 one for a transaction, O03/O04 GetDisplayMessages, O05
ClearDisplayMessage, O06 one replaced).

The messages are set in the first format DisplayMessageCtrlr.SupportedFormats names, at
NormalCycle where the station supports it; each case clears the messages it set when it ends
(Part 6 section 2.1: no display message). What a station shows is for a person to see: the
cases check what it keeps and reports."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from typing import Any, TypedDict, TypeGuard, Unpack

from chargeyard import loop_clock
from chargeyard.conformance.endings import NotApplicable
from chargeyard.conformance.optional_fields_v201 import MessageFields, MessageShown
from chargeyard.conformance.station_under_test.answers import ANSWERS_201, CentralBooks, Reply
from chargeyard.conformance.station_under_test.case import StationCase
from chargeyard.conformance.station_under_test.case_v201 import StationCaseV201, availability
from chargeyard.conformance.station_under_test.cases_v201._registry import case
from chargeyard.conformance.station_under_test.device_v201 import Var
from chargeyard.conformance.station_under_test.triggers import StationAct, Verb
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.frames import Call
from chargeyard.protocol.messages import v201

Payload = dict[str, Any]
FORMATS = ("ASCII", "HTML", "URI", "UTF8")
PRIORITIES = ("AlwaysFront", "InFront", "NormalCycle")
_IDS = itertools.count(4_001)
_REQUESTS = itertools.count(4_501)


def wire_time(seconds: float) -> str:
    moment = loop_clock.now() + dt.timedelta(seconds=seconds)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


async def _listed(run: StationCaseV201, name: str, every: tuple[str, ...]) -> list[str]:
    told = await run.learnt(Var("DisplayMessageCtrlr", name)) or ""
    return [item.strip() for item in told.split(",") if item.strip() in every]


def _is_priority(word: str) -> TypeGuard[v201.MessagePriorityEnumType]:
    return word in PRIORITIES


async def with_display(run: StationCaseV201) -> None:
    await run.ready()
    if await run.learnt(Var("DisplayMessageCtrlr", "Available")) == "false":
        raise NotApplicable("the station has no display messages")
    await run.set_if_present(Var("DisplayMessageCtrlr", "Enabled"), "true")


async def message(
    run: StationCaseV201,
    *,
    priority: str | None = None,
    message_id: int | None = None,
    content: str = "chargeyard conformance",
    fmt: str | None = None,
    **extra: Unpack[MessageFields],
) -> Payload:
    """A MessageInfoType (the station's first format; NormalCycle where it takes it)."""
    formats = await _listed(run, "SupportedFormats", FORMATS) or ["ASCII"]
    priorities = await _listed(run, "SupportedPriorities", PRIORITIES) or ["NormalCycle"]
    chosen = priority or ("NormalCycle" if "NormalCycle" in priorities else priorities[0])
    return {
        "id": message_id if message_id is not None else next(_IDS),
        "priority": chosen,
        "message": {"format": fmt or formats[0], "content": content},
        **extra,
    }


async def set_message(run: StationCaseV201, info: Payload, expected: str = "Accepted") -> None:
    """SetDisplayMessage of ``info`` answered ``expected``; the case clears it when it ends."""
    message_id = info["id"]

    async def clear() -> None:
        await run.ask("ClearDisplayMessage", {"id": message_id})

    run.on_close(f"display message {message_id}", clear)
    run.step(f"SetDisplayMessage {message_id} ({info['priority']}): {expected}")
    # StationCase's order: the payload is a plain dict the case assembles, sent untyped.
    await StationCase.order(run, "SetDisplayMessage", {"message": info}, expected)


class _MessageFilters(TypedDict, total=False):
    """What GetDisplayMessages asks for (GetDisplayMessagesRequest, O03, O04)."""

    id: list[int]
    priority: v201.MessagePriorityEnumType
    state: v201.MessageStateEnumType


async def messages(
    run: StationCaseV201, expected: str = "Accepted", **filters: Unpack[_MessageFilters]
) -> list[v201.MessageInfoType]:
    """GetDisplayMessages of ``filters`` (id: a list of ids, priority, state) answered
    ``expected``; once Accepted, every NotifyDisplayMessages part of its requestId until tbc
    is false: the MessageInfoType entries."""
    request_id = next(_REQUESTS)
    words = ", ".join(f"{k} {v}" for k, v in filters.items()) or "every message"
    run.step(f"GetDisplayMessages ({words}): {expected}")
    # StationCase's order: the payload is a plain dict the case assembles, sent untyped.
    answer = await StationCase.order(
        run, "GetDisplayMessages", {"requestId": request_id, **filters}, expected
    )
    if answer.get("status") != "Accepted":
        return []
    found: list[v201.MessageInfoType] = []
    while True:
        part = await run.expect(
            "NotifyDisplayMessages",
            where=lambda r: r.payload.get("requestId") == request_id,
            what=f"NotifyDisplayMessages of request {request_id}",
        )
        found.extend(part.payload.get("messageInfo") or [])
        if not part.payload.get("tbc"):
            return found


def reported(
    run: StationCaseV201, found: list[v201.MessageInfoType], sent: Payload, *fields: str
) -> None:
    """``sent`` is among the messages reported, with the same ``fields`` (dotted:
    message.content)."""
    mine = [item for item in found if item.get("id") == sent["id"]]
    run.log.check(
        f"message {sent['id']} is reported",
        bool(mine),
        expected=sent["id"],
        observed=[item.get("id") for item in found],
    )
    for field in fields:
        wanted, got = _field(sent, field), _field(mine[0], field) if mine else None
        run.log.check(
            f"its {field} is as set",
            got == wanted,
            weight=Weight.SPEC,
            expected=wanted,
            observed=got,
        )


def _field(info: Mapping[str, object], dotted: str) -> object:
    value: object = info
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


async def gone(run: StationCaseV201, message_id: int) -> None:
    await messages(run, "Unknown", id=[message_id])
    run.forget(f"display message {message_id}")


# -- O01 SetDisplayMessage, O03/O04 GetDisplayMessages -------------------------------------------


@case("TC_O_01_CS")
async def set_and_reported(run: StationCaseV201) -> None:
    """A display message set: Accepted, and reported with its id, priority, format and
    content (O01.FR.01, O03)."""
    await with_display(run)
    sent = await message(run)
    await set_message(run, sent)
    found = await messages(run, id=[sent["id"]])
    reported(run, found, sent, "priority", "message.format", "message.content")


@case("TC_O_02_CS")
async def every_message(run: StationCaseV201) -> None:
    """GetDisplayMessages without filters: the messages set (O03)."""
    await with_display(run)
    sent = await message(run)
    await set_message(run, sent)
    reported(run, await messages(run), sent)


@case("TC_O_03_CS")
async def no_messages(run: StationCaseV201) -> None:
    """GetDisplayMessages without messages: Unknown (O03.FR.02)."""
    await with_display(run)
    await messages(run, "Unknown")


@case("TC_O_07_CS")
async def message_by_id(run: StationCaseV201) -> None:
    """GetDisplayMessages of an id: that message (O04)."""
    await with_display(run)
    sent = await message(run)
    await set_message(run, sent)
    reported(run, await messages(run, id=[sent["id"]]), sent, "priority")


@case("TC_O_08_CS")
async def message_by_priority(run: StationCaseV201) -> None:
    """GetDisplayMessages of a priority: the messages of it (O04)."""
    await with_display(run)
    sent = await message(run)
    await set_message(run, sent)
    reported(run, await messages(run, priority=sent["priority"]), sent, "priority")


@case("TC_O_09_CS")
async def message_by_state(run: StationCaseV201) -> None:
    """GetDisplayMessages of a state: the messages of it (O04)."""
    await with_display(run)
    sent = await message(run, state="Idle")
    await set_message(run, sent)
    reported(run, await messages(run, state="Idle"), sent, "state")


@case("TC_O_11_CS")
async def unknown_id(run: StationCaseV201) -> None:
    """GetDisplayMessages of another id: Unknown (O04.FR.01)."""
    await with_display(run)
    await set_message(run, await message(run))
    await messages(run, "Unknown", id=[next(_IDS)])


@case("TC_O_33_CS")
async def unknown_id_without_messages(run: StationCaseV201) -> None:
    """GetDisplayMessages of an id without messages: Unknown."""
    await with_display(run)
    await messages(run, "Unknown", id=[next(_IDS)])


@case("TC_O_34_CS")
async def id_and_other_state(run: StationCaseV201) -> None:
    """GetDisplayMessages of a message's id and another state: Unknown (every filter must
    match)."""
    await with_display(run)
    sent = await message(run, state="Charging")
    await set_message(run, sent)
    await messages(run, "Unknown", id=[sent["id"]], state="Idle")


@case("TC_O_35_CS")
async def id_and_other_priority(run: StationCaseV201) -> None:
    """GetDisplayMessages of a message's id and another priority: Unknown."""
    await with_display(run)
    listed = await _listed(run, "SupportedPriorities", PRIORITIES)
    priorities = [word for word in listed if _is_priority(word)]
    if len(priorities) < 2:
        raise NotApplicable("the station supports one priority")
    sent = await message(run, priority=priorities[-1])
    await set_message(run, sent)
    await messages(run, "Unknown", id=[sent["id"]], priority=priorities[0])


@case("TC_O_20_CS")
async def kept_through_a_reboot(run: StationCaseV201) -> None:
    """A display message survives a reboot (O01.FR.10)."""
    await with_display(run)
    sent = await message(run)
    await set_message(run, sent)
    await run.booted()
    reported(run, await messages(run, id=[sent["id"]]), sent, "priority", "message.content")


@case("TC_O_13_CS")
async def start_date_time(run: StationCaseV201) -> None:
    """A message with a startDateTime: Accepted, reported with it (O01.FR.06)."""
    await with_display(run)
    sent = await message(run, startDateTime=wire_time(60))
    await set_message(run, sent)
    found = await messages(run, id=[sent["id"]])
    reported(run, found, sent)
    mine = [item for item in found if item.get("id") == sent["id"]]
    run.log.check(
        "it is reported with its startDateTime",
        bool(mine) and "startDateTime" in mine[0],
        weight=Weight.SPEC,
        expected="startDateTime",
        observed=mine[0] if mine else None,
    )


@case("TC_O_14_CS")
async def end_date_time(run: StationCaseV201) -> None:
    """A message with an endDateTime: reported with it, and gone once it passed
    (O01.FR.07)."""
    await with_display(run)
    ends_in = max(2.0, run.step_s / 2)
    sent = await message(run, endDateTime=wire_time(ends_in))
    await set_message(run, sent)
    found = await messages(run, id=[sent["id"]])
    mine = [item for item in found if item.get("id") == sent["id"]]
    run.log.check(
        "it is reported with its endDateTime",
        bool(mine) and "endDateTime" in mine[0],
        weight=Weight.SPEC,
        expected="endDateTime",
        observed=mine[0] if mine else None,
    )
    run.step(f"{ends_in:g} s later its endDateTime passed: it is gone")
    await run.settle(ends_in + 1)
    await gone(run, sent["id"])


@case("TC_O_17_CS")
async def priority_not_supported(run: StationCaseV201) -> None:
    """A priority the station does not support: NotSupportedPriority (O01.FR.01)."""
    await with_display(run)
    supported = await _listed(run, "SupportedPriorities", PRIORITIES)
    other = [priority for priority in PRIORITIES if priority not in supported]
    if not other:
        raise NotApplicable("the station supports every priority")
    await set_message(run, await message(run, priority=other[0]), "NotSupportedPriority")


@case("TC_O_19_CS")
async def format_not_supported(run: StationCaseV201) -> None:
    """A format the station does not support: NotSupportedMessageFormat (O01.FR.03)."""
    await with_display(run)
    supported = await _listed(run, "SupportedFormats", FORMATS)
    other = [fmt for fmt in FORMATS if fmt not in supported]
    if not other:
        raise NotApplicable("the station supports every format")
    await set_message(run, await message(run, fmt=other[0]), "NotSupportedMessageFormat")


@case("TC_O_22_CS")
async def two_in_front(run: StationCaseV201) -> None:
    """Two InFront messages: both Accepted and kept (O01.FR.13)."""
    await with_display(run)
    first = await message(run, priority="InFront")
    second = await message(run, priority="InFront", content="chargeyard conformance 2")
    await set_message(run, first)
    await set_message(run, second)
    reported(run, await messages(run, id=[first["id"]]), first, "priority")
    reported(run, await messages(run, id=[second["id"]]), second, "priority")


@case("TC_O_24_CS")
async def second_always_front(run: StationCaseV201) -> None:
    """A second AlwaysFront message replaces the first (O01.FR.16)."""
    await with_display(run)
    first = await message(run, priority="AlwaysFront")
    second = await message(run, priority="AlwaysFront", content="chargeyard conformance 2")
    await set_message(run, first)
    await set_message(run, second)
    await gone(run, first["id"])
    reported(run, await messages(run, id=[second["id"]]), second, "priority")


# -- O05 ClearDisplayMessage, O06 replaced -------------------------------------------------------


@case("TC_O_04_CS")
async def cleared(run: StationCaseV201) -> None:
    """ClearDisplayMessage of a message: Accepted, and it is gone (O05.FR.01)."""
    await with_display(run)
    sent = await message(run)
    await set_message(run, sent)
    run.step("ClearDisplayMessage: Accepted")
    await run.order("ClearDisplayMessage", {"id": sent["id"]}, "Accepted")
    await gone(run, sent["id"])


@case("TC_O_05_CS")
async def clear_unknown(run: StationCaseV201) -> None:
    """ClearDisplayMessage of an unknown id: Unknown (O05.FR.02)."""
    await with_display(run)
    run.step("ClearDisplayMessage of an unknown id: Unknown")
    await run.order("ClearDisplayMessage", {"id": next(_IDS)}, "Unknown")


@case("TC_O_12_CS")
async def replaced(run: StationCaseV201) -> None:
    """A message set under the id of one kept replaces it (O06.FR.01)."""
    await with_display(run)
    first = await message(run)
    await set_message(run, first)
    second = await message(run, message_id=first["id"], content="chargeyard conformance 2")
    await set_message(run, second)
    reported(run, await messages(run, id=[first["id"]]), second, "message.content")


# -- O02 a transaction's messages; messages of a state ----------------------------------------


async def _of_transaction(
    run: StationCaseV201, priority: str | None = None, **extra: Unpack[MessageShown]
) -> Payload:
    session = await run.energy_transfer_started()
    sent = await message(run, priority=priority, transactionId=session.known_transaction, **extra)
    await set_message(run, sent)
    return sent


@case("TC_O_06_CS")
async def transaction_message(run: StationCaseV201) -> None:
    """A message of a transaction is gone once the transaction ended (O02.FR.02)."""
    await with_display(run)
    sent = await _of_transaction(run)
    await run.session_ends()
    await gone(run, sent["id"])


@case("TC_O_10_CS")
async def unknown_transaction(run: StationCaseV201) -> None:
    """A message of a transaction the station does not have: UnknownTransaction
    (O02.FR.01)."""
    await with_display(run)
    await set_message(
        run, await message(run, transactionId="UNKNOWN-TRANSACTION-ID"), "UnknownTransaction"
    )


@case("TC_O_27_CS")
async def transaction_message_later(run: StationCaseV201) -> None:
    """A transaction's message that starts later: Accepted, gone once the transaction
    ended."""
    await with_display(run)
    sent = await _of_transaction(run, startDateTime=wire_time(60))
    await run.session_ends()
    await gone(run, sent["id"])


@case("TC_O_28_CS")
async def transaction_message_ends(run: StationCaseV201) -> None:
    """A transaction's message with an endDateTime: gone once it passed."""
    await with_display(run)
    ends_in = max(2.0, run.step_s / 2)
    sent = await _of_transaction(run, endDateTime=wire_time(ends_in))
    run.step(f"{ends_in:g} s later its endDateTime passed: it is gone")
    await run.settle(ends_in + 1)
    await gone(run, sent["id"])


@case("TC_O_30_CS")
async def transaction_messages_in_front(run: StationCaseV201) -> None:
    """Two InFront messages of a transaction: both kept with it, both gone once it ended."""
    await with_display(run)
    first = await _of_transaction(run, priority="InFront")
    second = await message(
        run,
        priority="InFront",
        content="chargeyard conformance 2",
        transactionId=first["transactionId"],
    )
    await set_message(run, second)
    for sent in (first, second):
        reported(run, await messages(run, id=[sent["id"]]), sent, "transactionId", "priority")
    await run.session_ends()
    await gone(run, first["id"])
    await gone(run, second["id"])


@case("TC_O_32_CS")
async def transaction_messages_always_front(run: StationCaseV201) -> None:
    """A second AlwaysFront message of a transaction replaces the first; it goes with the
    transaction."""
    await with_display(run)
    first = await _of_transaction(run, priority="AlwaysFront")
    second = await message(
        run,
        priority="AlwaysFront",
        content="chargeyard conformance 2",
        transactionId=first["transactionId"],
    )
    await set_message(run, second)
    await gone(run, first["id"])
    reported(run, await messages(run, id=[second["id"]]), second, "transactionId", "priority")
    await run.session_ends()
    await gone(run, second["id"])


async def _of_state(run: StationCaseV201, state: v201.MessageStateEnumType) -> Payload:
    sent = await message(run, state=state)
    await set_message(run, sent)
    return sent


async def _still_there(run: StationCaseV201, sent: Payload) -> None:
    reported(run, await messages(run, id=[sent["id"]]), sent, "state")


@case("TC_O_36_CS")
async def state_charging(run: StationCaseV201) -> None:
    """A message for the Charging state is kept through a session, with its state."""
    await with_display(run)
    sent = await _of_state(run, "Charging")
    await run.authorized()
    await run.ev_connected_pre_session()
    await run.energy_transfer_started()
    await run.session_ends()
    await _still_there(run, sent)


@case("TC_O_37_CS")
async def state_idle(run: StationCaseV201) -> None:
    """A message for the Idle state is kept through a session, with its state."""
    await with_display(run)
    sent = await _of_state(run, "Idle")
    await run.authorized()
    await run.ev_connected_pre_session()
    await run.energy_transfer_started()
    await run.session_ends()
    await _still_there(run, sent)


@case("TC_O_38_CS")
async def state_unavailable(run: StationCaseV201) -> None:
    """A message for the Unavailable state is kept through the station being Inoperative and
    Operative again, with its state."""
    await with_display(run)
    sent = await _of_state(run, "Unavailable")
    await run.unavailable()
    payload, where = availability(None, None, "Operative")
    run.step(f"ChangeAvailability Operative of {where}: Available")
    await run.order("ChangeAvailability", payload, "Accepted")
    for evse_id, connector_id in run.concerned(None, None):
        await run.connector_status("Available", evse_id, connector_id)
    await _still_there(run, sent)


@case("TC_O_39_CS")
async def state_faulted(run: StationCaseV201) -> None:
    """A message for the Faulted state is kept through a fault and its end, with its
    state."""
    await with_display(run)
    sent = await _of_state(run, "Faulted")
    run.step("The connector faults, then recovers")
    await run.act(StationAct(Verb.INJECT_FAULT, 1))
    await run.connector_status("Faulted", 1, 1)
    await run.act(StationAct(Verb.CLEAR_FAULT, 1))
    await run.connector_status("Available", 1, 1)
    await _still_there(run, sent)


@case("TC_O_15_CS")
async def language_of_the_driver(run: StationCaseV201) -> None:
    """The driver's token has a preferred language (Authorize's language1); a message set
    during the transaction is Accepted (O01, to show in it)."""
    await with_display(run)
    default = ANSWERS_201["Authorize"]

    def with_language(call: Call, books: CentralBooks) -> Reply:
        answer = default(call, books)
        if isinstance(answer, dict) and "idTokenInfo" in answer:
            answer = {**answer, "idTokenInfo": {**answer["idTokenInfo"], "language1": "nl"}}
        return answer

    run.answer_with("Authorize", with_language)
    await run.ev_connected_pre_session()
    await run.authorized()
    await run.energy_transfer_started()
    await set_message(run, await message(run, content="chargeyard conformance (nl)"))
