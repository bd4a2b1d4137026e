"""The request dialects of the gateway's commands: the one place where every body of
``POST /ocpp/commands/...`` is read into the catalogue's words before it is validated.

Two generations of the same API write a command differently, and both are accepted on every
command:

================================  ==============================  =============================
                                  gateway API reference           OCPPLab's Python SDK
================================  ==============================  =============================
the command's parameters          ``event``                       ``payload``
one charger                       ``target.charger_id``           ``target.deployment_id`` (the
                                                                  same id), ``target.identity``
no parameters to give             ``"event": {}``                 no ``payload`` at all
a location, or part of it         ``target.location_id``,         the same
                                  ``target.charger_ids``
================================  ==============================  =============================

The SDK also names some commands and parameters its own way (:data:`PATH_ALIASES`,
:func:`command_event`): ``authorize-id-tag``, ``clear-local-auth-list`` and ``configuration``
(one ``{key, value}``) are ``authorize``, ``clear-local-list`` and ``set-configuration``;
``inject-fault`` says ``fault_type`` where the catalogue says ``error_code``; a Full
``local-auth-list`` may say so (``update_type``); ``proxy-message`` may leave out
``ocpp_version`` (the station's own). A ``connector_id`` without ``evse_id`` (``authorize``'s
too: its reader's) is numbered as the charger's version numbers connectors, 1.6's across the
station (``gateway/connector_numbers.py``, once the charger is known).

The target's words are :class:`~chargeyard.api.gateway.schemas.commands.CommandTarget`'s own
fields; the rest is here, called by every command's request model
(``schemas/commands.py``: ``CommandRequest``), so that a command added to the catalogue speaks
both dialects without a line of its own.
"""

from __future__ import annotations

from typing import Any

PATH_ALIASES: dict[str, str] = {
    "authorize-id-tag": "authorize",
    "clear-local-auth-list": "clear-local-list",
    "configuration": "set-configuration",
}
"""The SDK's path under ``/ocpp/commands/`` -> the catalogue's path of the same command."""


def command_body(path: str | None, body: Any) -> Any:
    """``body`` of ``POST /ocpp/commands/{path}`` with its parameters under ``event``, in the
    catalogue's words (anything that is not a JSON object is left for validation to refuse).

    Raises:
        ValueError: the body gives its parameters twice (``event`` and ``payload``).
    """
    if not isinstance(body, dict):
        return body
    body = dict(body)
    if "payload" in body:
        if "event" in body:
            raise ValueError("give the command's parameters as event or as payload, not both")
        body["event"] = body.pop("payload")
    if body.get("event") is None:
        # The SDK leaves out the payload of a command whose parameters all have defaults
        # (plug_connector(target=...)): the command's defaults, as an empty event says.
        body["event"] = {}
    if path is not None and isinstance(body.get("event"), dict):
        body["event"] = command_event(path, body["event"])
    return body


def command_event(path: str, event: dict[str, Any]) -> dict[str, Any]:
    """The parameters of the command at ``path`` in the catalogue's words.

    Raises:
        ValueError: a parameter is given under both of its names.
    """
    event = dict(event)
    if path == "set-configuration" and "configuration" not in event and "key" in event:
        # The SDK's ConfigurationChangePayload: one {key, value}.
        event = {"configuration": [event]}
    elif path == "inject-fault":
        _rename(event, "fault_type", "error_code")
    elif path == "local-auth-list" and event.get("update_type") == "Full":
        del event["update_type"]  # what the catalogue's list always is (1.6 5.15, 2.0.1 D01)
    return event


def _rename(event: dict[str, Any], sdk_name: str, name: str) -> None:
    if sdk_name not in event:
        return
    if name in event:
        raise ValueError(f"{sdk_name} and {name} are the same parameter: give one")
    event[name] = event.pop(sdk_name)
