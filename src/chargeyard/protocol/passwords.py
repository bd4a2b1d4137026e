"""The HTTP Basic password a CALL of the central system sets, and the same CALL with it masked
for what either end writes in its logs.

Security profile 1 (OCPP 2.0.1 A00/A01; the OCPP 1.6 security whitepaper) sets a station's
password with SetVariables of SecurityCtrlr.BasicAuthPassword (2.0.1) or ChangeConfiguration of
AuthorizationKey (1.6). Neither end may log it in clear: A01.FR.09 asks it of the CSMS (its
frame log and command history, ``csms/``), A01.FR.12 of the charging station (its logs, which a
diagnostics file shows: the simulated station's frame log, ``station/maintenance.py``, and the
gateway's log of a hosted charger, ``gateway/frames.py``). What goes on the wire is unchanged:
the station needs the password to use it.
"""

from __future__ import annotations

import re

import orjson

from chargeyard.protocol.router import Payload

PASSWORD_VARIABLE = ("SecurityCtrlr", "BasicAuthPassword")
PASSWORD_KEY_16 = "AuthorizationKey"
PASSWORD_ACTIONS = frozenset({"ChangeConfiguration", "SetVariables"})
"""The actions that may carry a password."""
MASK = "********"

# A station's HTTP Basic password: 8 to 40 printable characters. 40 is OCPP's maximum (2.0.1
# SecurityCtrlr.BasicAuthPassword, the 1.6 AuthorizationKey); OCPP asks a real deployment for
# 16 or more random characters, but a lab's hand-typed passwords may be as short as 8. The API
# (``api/v1/schemas/chargers.py``) and the central system's first-password rule
# (``csms/admission.py``) hold to it.
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 40


def password_problem(password: str) -> str | None:
    """Why ``password`` cannot be a station's HTTP Basic password; None when it can."""
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        return f"a password is {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters long"
    if not password.isprintable():
        return "a password has no control characters"
    return None


# The head of a CALL of an action that may carry a password: read without the payload, so that
# the cost per frame does not grow with its size.
_PASSWORD_CALL = re.compile(
    r'\s*\[\s*2\s*,\s*"(?:[^"\\]|\\.)*"\s*,\s*"(?:' + "|".join(sorted(PASSWORD_ACTIONS)) + ')"'
)


def without_password(action: str, payload: Payload) -> Payload:
    """``payload`` of ``action`` with the password it sets masked (``payload`` itself when it
    sets none)."""
    if action == "ChangeConfiguration" and payload.get("key") == PASSWORD_KEY_16:
        return {**payload, "value": MASK} if "value" in payload else payload
    items = payload.get("setVariableData") if action == "SetVariables" else None
    if not isinstance(items, list) or not any(is_password(item) for item in items):
        return payload
    masked = [{**item, "attributeValue": MASK} if is_password(item) else item for item in items]
    return {**payload, "setVariableData": masked}


def masked_call(frame: str) -> str:
    """``frame`` as a log may keep it: a CALL that sets a password with the password masked,
    any other frame as it is. A CALL of such an action that is not well-formed JSON is kept as
    its head only (it could hold the password anywhere)."""
    head = _PASSWORD_CALL.match(frame)
    if head is None:
        return frame
    try:
        message = orjson.loads(frame)
        message_type, unique_id, action, payload = message
        if not isinstance(payload, dict):
            return frame
    except (orjson.JSONDecodeError, TypeError, ValueError):
        return f"{head.group(0)}, {MASK}]"
    masked = without_password(action, payload)
    if masked is payload:
        return frame
    return orjson.dumps([message_type, unique_id, action, masked]).decode()


def names(item: Payload) -> tuple[object, object]:
    """The component's and the variable's name of a SetVariableData (or its result); None
    for one that is missing or not an object (a frame from the other end may be anything)."""
    component, variable = item.get("component"), item.get("variable")
    return (
        component.get("name") if isinstance(component, dict) else None,
        variable.get("name") if isinstance(variable, dict) else None,
    )


def is_password(item: object) -> bool:
    """Whether ``item`` is a SetVariableData of the Basic password."""
    return isinstance(item, dict) and names(item) == PASSWORD_VARIABLE
