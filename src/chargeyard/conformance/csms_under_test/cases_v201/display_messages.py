"""OCPP 2.0.1 CSMS cases of block O, DisplayMessage (the Advanced User Interface profile): a
message set (O01), set for a transaction (O02), read back all (O03) or by id, priority or
state (O04), cleared (O05) and replaced (O06), and the station's refusals of each.

Part 6 leaves the message's values to the tool's configuration; here every message is the
one of :func:`message`, with what a case varies. The station's answer is the case's: a
station that does not support a priority, state or format says so (O01.FR.01-O01.FR.03), one
that does not know a transaction says UnknownTransaction (O02.FR.01), and the CSMS must take
each of these answers.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Unpack

from chargeyard.conformance.csms_under_test.case import CsmsCaseBase, later
from chargeyard.conformance.csms_under_test.case_v201 import CsmsCaseV201
from chargeyard.conformance.csms_under_test.cases_v201._registry import Doc, case, table
from chargeyard.conformance.optional_fields_v201 import MessageFields, MessageShown
from chargeyard.conformance.verdicts import Weight
from chargeyard.protocol.frames import Call

Payload = dict[str, Any]
MESSAGE_ID = 7_001
REQUEST_ID = 7_101
TEXT = "chargeyard: charging here is on us today"


def message(
    *,
    message_id: int = MESSAGE_ID,
    priority: str = "NormalCycle",
    text_format: str = "UTF8",
    text: str = TEXT,
    **extra: Unpack[MessageFields],
) -> Payload:
    """A MessageInfoType: ``text`` in ``text_format`` with ``priority``, and ``extra`` fields
    (state, startDateTime, endDateTime, transactionId)."""
    return {
        "id": message_id,
        "priority": priority,
        "message": {"format": text_format, "language": "en", "content": text},
        **extra,
    }


def _described(info: Payload) -> str:
    words = f"message {info['id']} ({info['priority']}"
    for name in ("state", "startDateTime", "endDateTime", "transactionId"):
        if name in info:
            words += f", {name} {info[name]}"
    return words + f", {info['message']['format']}): {info['message']['content']!r}"


async def _set_message(
    run: CsmsCaseV201, info: Payload, answer: str = "Accepted", words: str | None = None
) -> Call:
    """SetDisplayMessage of ``info`` (O01), answered ``answer``: the message sent must be
    the one asked for, without a transactionId unless it belongs to one (O01.FR.04)."""
    call = await run.ordered(
        "SetDisplayMessage",
        {"message": info},
        words or f"show {_described(info)}",
        {"status": answer},
    )
    for name in ("id", "priority", "state", "transactionId"):
        run.field_is(call, f"message.{name}", info.get(name))
    run.field_is(call, "message.message.format", info["message"]["format"])
    for name in ("startDateTime", "endDateTime"):
        if name in info:
            _same_moment(run, call, name, info[name])
    return call


def _same_moment(run: CsmsCaseV201, call: Call, name: str, expected: str) -> None:
    """Check the message's ``name`` is the moment ``expected`` (however it is written)."""
    observed = call.payload.get("message", {}).get(name)
    run.log.check(
        f"SetDisplayMessage's message.{name} is {expected}",
        _moment(observed) is not None and _moment(observed) == _moment(expected),
        expected=expected,
        observed=observed,
    )


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


@case("TC_O_01_CSMS")
async def set_message(run: CsmsCaseV201) -> None:
    """A message with a state to show it in, Accepted (O01)."""
    await run.booted()
    await _set_message(run, message(state="Idle"))


@case("TC_O_13_CSMS")
async def set_message_with_start(run: CsmsCaseV201) -> None:
    """A message shown from its startDateTime on (O01.FR.05, O01.FR.06)."""
    await run.booted()
    await _set_message(run, message(startDateTime=later(10)))


@case("TC_O_14_CSMS")
async def set_message_with_end(run: CsmsCaseV201) -> None:
    """A message removed after its endDateTime (O01.FR.05, O01.FR.07)."""
    await run.booted()
    await _set_message(run, message(endDateTime=later(60)))


@case("TC_O_25_CSMS")
async def set_message_for_a_state(run: CsmsCaseV201) -> None:
    """A message shown in one state of the station only (O01)."""
    await run.booted()
    await _set_message(run, message(message_id=MESSAGE_ID + 25, state="Charging"))


async def _refused(run: CsmsCaseV201, info: Payload, answer: str) -> None:
    await run.booted()
    await _set_message(run, info, answer)


table(_refused)(
    {
        "TC_O_17_CSMS": Doc(
            "O01.FR.01: the station does not show AlwaysFront messages.",
            message(priority="AlwaysFront"),
            "NotSupportedPriority",
        ),
        "TC_O_18_CSMS": Doc(
            "O01.FR.02: the station shows no message while Unavailable.",
            message(state="Unavailable"),
            "NotSupportedState",
        ),
        "TC_O_19_CSMS": Doc(
            "O01.FR.03: the station shows no HTML.",
            message(text_format="HTML", text="<b>chargeyard</b>: charging here is on us"),
            "NotSupportedMessageFormat",
        ),
        "TC_O_26_CSMS": Doc(
            "O01.FR.11: no room for another message (NumberOfDisplayMessages).",
            message(),
            "Rejected",
        ),
    },
)


async def _for_the_transaction(
    run: CsmsCaseV201, answer: str = "Accepted", **extra: Unpack[MessageShown]
) -> str:
    """EnergyTransferStarted, then a message for the transaction (O02) answered ``answer``;
    returns the transaction's id."""
    tag = await run.tag("Accepted")
    await run.booted()
    await run.energy_transfer_started(tag)
    transaction_id = run.transaction().id
    info = message(transactionId=transaction_id, **extra)
    await _set_message(
        run, info, answer, f"show {_described(info)} during transaction {transaction_id}"
    )
    return tag


@case("TC_O_06_CSMS")
async def set_message_for_a_transaction(run: CsmsCaseV201) -> None:
    """A message for the transaction under way, shown until it ends (O02, O02.FR.02)."""
    await _for_the_transaction(run)
    await run.ev_disconnected()


@case("TC_O_27_CSMS")
async def set_message_for_a_transaction_with_start(run: CsmsCaseV201) -> None:
    """A message for the transaction from its startDateTime on (O02, O01.FR.05)."""
    await _for_the_transaction(run, startDateTime=later(5))


@case("TC_O_28_CSMS")
async def set_message_for_a_transaction_with_end(run: CsmsCaseV201) -> None:
    """A message for the transaction, in the Charging state, until its endDateTime (O02,
    O01.FR.07)."""
    await _for_the_transaction(run, state="Charging", endDateTime=later(30))


@case("TC_O_10_CSMS")
async def set_message_for_an_unknown_transaction(run: CsmsCaseV201) -> None:
    """O02.FR.01: a message for a transaction the station does not know, answered
    UnknownTransaction."""
    tag = await run.tag("Accepted")
    await run.booted()
    await run.energy_transfer_started(tag)
    unknown = f"CY-GONE-{uuid.uuid4().hex[:12]}"
    info = message(transactionId=unknown)
    await _set_message(
        run, info, "UnknownTransaction", f"show {_described(info)} during transaction {unknown}"
    )


@case("TC_O_12_CSMS")
async def replace_message(run: CsmsCaseV201) -> None:
    """A message set with the id of one the station has replaces it, Accepted (O06.FR.01)."""
    await run.booted()
    await _set_message(run, message())
    run.log.step("The CSMS replaces the message, with the same id")
    await _set_message(
        run, message(priority="InFront", text="chargeyard: charging here is half price")
    )


async def _get_messages(
    run: CsmsCaseV201, criteria: Payload, answer: str, words: str
) -> int | None:
    """GetDisplayMessages with ``criteria`` (id, priority, state; none: every message, O03),
    answered ``answer``: what was not asked for is omitted (O03.FR.01, O04.FR.01), and the
    request has an id; returns it."""
    call = await run.ordered(
        "GetDisplayMessages", {"requestId": REQUEST_ID, **criteria}, words, {"status": answer}
    )
    for name in ("id", "priority", "state"):
        run.field_is(call, name, criteria.get(name))
    request_id = call.payload.get("requestId")
    run.log.check(
        "GetDisplayMessages has a requestId",
        isinstance(request_id, int),
        weight=Weight.SPEC,
        expected="an integer",
        observed=request_id,
    )
    return request_id if isinstance(request_id, int) else None


async def _messages_reported(run: CsmsCaseV201, request_id: int | None, info: Payload) -> None:
    """NotifyDisplayMessages of ``info``, for the request (O03.FR.02, O04)."""
    run.log.step("The station reports its messages: NotifyDisplayMessages")
    # CsmsCaseBase's call, untyped: the payload is a plain dict the case assembles.
    await CsmsCaseBase.call(
        run,
        "NotifyDisplayMessages",
        {"requestId": request_id if request_id is not None else REQUEST_ID, "messageInfo": [info]},
    )


@case("TC_O_02_CSMS")
async def get_all_messages(run: CsmsCaseV201) -> None:
    """O03.FR.01, O03.FR.02: every message asked for, one configured."""
    await run.booted()
    request_id = await _get_messages(run, {}, "Accepted", "read every display message")
    await _messages_reported(run, request_id, message())


@case("TC_O_03_CSMS")
async def get_all_messages_none(run: CsmsCaseV201) -> None:
    """Every message asked for, none configured: Unknown (O03)."""
    await run.booted()
    await _get_messages(run, {}, "Unknown", "read every display message")


@case("TC_O_07_CSMS")
async def get_message_by_id(run: CsmsCaseV201) -> None:
    """O04.FR.01: the message with one id."""
    await run.booted()
    request_id = await _get_messages(
        run, {"id": [MESSAGE_ID]}, "Accepted", f"read display message {MESSAGE_ID}"
    )
    await _messages_reported(run, request_id, message())


@case("TC_O_08_CSMS")
async def get_messages_by_priority(run: CsmsCaseV201) -> None:
    """O04.FR.01: the messages of one priority."""
    await run.booted()
    request_id = await _get_messages(
        run, {"priority": "InFront"}, "Accepted", "read the InFront display messages"
    )
    await _messages_reported(run, request_id, message(priority="InFront"))


@case("TC_O_09_CSMS")
async def get_messages_by_state(run: CsmsCaseV201) -> None:
    """O04.FR.01: the messages of one state."""
    await run.booted()
    request_id = await _get_messages(
        run, {"state": "Charging"}, "Accepted", "read the display messages of state Charging"
    )
    await _messages_reported(run, request_id, message(state="Charging"))


@case("TC_O_11_CSMS")
async def get_message_unknown_id(run: CsmsCaseV201) -> None:
    """O04.FR.02: an id the station has no message with, Unknown."""
    await run.booted()
    unknown = MESSAGE_ID + 999
    await _get_messages(run, {"id": [unknown]}, "Unknown", f"read display message {unknown}")


async def _clear(run: CsmsCaseV201, message_id: int, answer: str) -> None:
    """ClearDisplayMessage of ``message_id`` (O05), answered ``answer``."""
    call = await run.ordered(
        "ClearDisplayMessage",
        {"id": message_id},
        f"clear display message {message_id}",
        {"status": answer},
    )
    run.field_is(call, "id", message_id)


@case("TC_O_04_CSMS")
async def clear_message(run: CsmsCaseV201) -> None:
    """The message the CSMS set is cleared by its id (O05.FR.01)."""
    await run.booted()
    call = await _set_message(run, message())
    sent = call.payload.get("message", {}).get("id")
    run.log.step("The CSMS clears the message it set")
    await _clear(run, sent if isinstance(sent, int) else MESSAGE_ID, "Accepted")


@case("TC_O_05_CSMS")
async def clear_unknown_message(run: CsmsCaseV201) -> None:
    """O05.FR.02: an id the station has no message with, Unknown."""
    await run.booted()
    await _clear(run, MESSAGE_ID + 999, "Unknown")
