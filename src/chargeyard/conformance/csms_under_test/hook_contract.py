"""The conformance hook contract, version 1: how the suite asks a CSMS's small HTTP endpoint
(its *hook*) to make the CSMS act, and how it reads the answer. docs/conformance-hooks.md says
it for people, docs/conformance-hooks.openapi.yaml for programs; this module is the suite's
side of it, without any I/O (``hook_trigger.py`` does the HTTP).

Requests, relative to the hook's base URL, each with the header :data:`CONTRACT_HEADER`
naming the contract version the suite speaks:

=======================================  =====================================================
``GET capabilities``                     what the hook supports (optional: a 404 means a
                                         hook of the plain convention, which may take any
                                         action and no set-up)
``POST {ocppVersion}/{stationId}/        make the CSMS send ``action`` with the body (the
{action}``                               request's payload, as OCPP writes it) to the station
``PUT id-tags/{idTag}``                  make the CSMS know the tag: status, expiry, group
``DELETE id-tags/{idTag}``               make the tag unknown to the CSMS (Invalid)
``PUT stations/{stationId}/              make the CSMS answer the station's next boot with
registration``                           this status (B02 Pending, B03 Rejected)
=======================================  =====================================================

Every answer is a :class:`HookAnswer`: ``taken`` (the CSMS took the order, or the set-up is
done), ``notSupported`` (it cannot do this) or ``failed`` (it tried and could not), with a
``reason``. The CALL on the station's socket is the proof that the CSMS acted: an order the
hook answers ``taken`` with no CALL following fails the case, while ``notSupported`` and
``failed`` explain a missing CALL, which leaves the case inconclusive.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import quote

CONTRACT_VERSION = 1
"""The version of the contract this suite speaks."""

CONTRACT_HEADER = "X-Conformance-Hook-Contract"
"""The header of every request of the suite: the contract version it speaks."""

EXPIRED_ON = "2020-01-01T00:00:00Z"
"""The expiry date the suite gives a tag it needs expired (1.6 section 7.14: a tag expires by
its date), in the past whatever the hook's clock."""


class Result(StrEnum):
    """What the hook says of a request."""

    TAKEN = "taken"
    NOT_SUPPORTED = "notSupported"
    FAILED = "failed"


class SetUp(StrEnum):
    """The set-up requests a hook may support (``capabilities``' ``setUp``)."""

    ID_TAGS = "idTags"
    REGISTRATION = "registration"


@dataclass(frozen=True, slots=True)
class HookAnswer:
    """A hook's answer to one request."""

    result: Result
    reason: str | None = None

    @property
    def taken(self) -> bool:
        return self.result is Result.TAKEN


def read_answer(status_code: int, body: Any) -> HookAnswer:
    """The hook's answer from its HTTP status and its JSON body (None when it sent none, or
    not JSON): a body's ``result`` says it; without one, a 2xx is ``taken``, a 404, 405 or 501
    ``notSupported`` (no such route or action), anything else ``failed``."""
    reason = body.get("reason") if isinstance(body, dict) else None
    reason = str(reason) if reason is not None else None
    stated = body.get("result") if isinstance(body, dict) else None
    if stated in set(Result):
        return HookAnswer(Result(stated), reason)
    if 200 <= status_code < 300:
        return HookAnswer(Result.TAKEN, reason)
    if status_code in (404, 405, 501):
        return HookAnswer(Result.NOT_SUPPORTED, reason or f"HTTP {status_code}")
    return HookAnswer(Result.FAILED, reason or f"HTTP {status_code}")


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a hook supports. ``contracts``: the contract versions it speaks; ``actions``: by
    OCPP version (``"1.6"``), the actions it can make the CSMS send (None: any, as a hook
    of the plain convention); ``set_up``: the set-up requests it takes."""

    contracts: frozenset[int] = frozenset({CONTRACT_VERSION})
    actions: dict[str, frozenset[str]] | None = None
    set_up: frozenset[SetUp] = frozenset()

    @property
    def speaks_ours(self) -> bool:
        return CONTRACT_VERSION in self.contracts

    def takes(self, ocpp_version: str, action: str) -> bool:
        """Whether the hook says it can make the CSMS send ``action`` in ``ocpp_version``."""
        if self.actions is None:
            return True
        return action in self.actions.get(ocpp_version, frozenset())


PLAIN = Capabilities()
"""A hook that answers no ``capabilities``: the plain convention (``POST {ocppVersion}/
{stationId}/{action}`` only), any action tried, no set-up."""


class BadCapabilities(ValueError):
    """A ``capabilities`` answer that is not the contract's shape."""


def read_capabilities(body: Any) -> Capabilities:
    """``GET capabilities``' JSON body.

    Raises:
        BadCapabilities: it is not the contract's shape (the message says what is wrong).
    """
    if not isinstance(body, dict):
        raise BadCapabilities("capabilities must be a JSON object")
    contracts = body.get("contract")
    if not isinstance(contracts, list) or not all(
        isinstance(version, int) and not isinstance(version, bool) for version in contracts
    ):
        raise BadCapabilities('"contract" must be a list of contract versions, such as [1]')
    actions = body.get("actions")
    if actions is not None and not (
        isinstance(actions, dict)
        and all(
            isinstance(names, list) and all(isinstance(name, str) for name in names)
            for names in actions.values()
        )
    ):
        raise BadCapabilities('"actions" must map an OCPP version to a list of action names')
    set_up = body.get("setUp", [])
    known = {item.value for item in SetUp}
    if not isinstance(set_up, list) or not all(item in known for item in set_up):
        raise BadCapabilities(f'"setUp" must be a list of {sorted(known)}')
    return Capabilities(
        frozenset(contracts),
        None
        if actions is None
        else {str(version): frozenset(names) for version, names in actions.items()},
        frozenset(SetUp(item) for item in set_up),
    )


# -- the requests ------------------------------------------------------------------------------


def segment(text: str) -> str:
    """``text`` as one path segment (a tag or an identity may hold any character)."""
    return quote(text, safe="")


def order_path(ocpp_version: str, station_id: str, action: str) -> str:
    return f"/{segment(ocpp_version)}/{segment(station_id)}/{segment(action)}"


def id_tag_path(tag: str) -> str:
    return f"/id-tags/{segment(tag)}"


def registration_path(station_id: str) -> str:
    return f"/stations/{segment(station_id)}/registration"


def id_tag_body(status: str, group: str | None = None) -> dict[str, str]:
    """``PUT id-tags/{idTag}``'s body for a tag the CSMS must know with ``status`` (Accepted,
    Blocked, Expired) and, if given, ``group`` (1.6 parentIdTag, 2.0.1 groupIdToken). An
    expired tag carries an expiry date in the past too, for a CSMS that keeps expiry as a
    date rather than a status."""
    body = {"status": status}
    if status == "Expired":
        body["expiryDate"] = EXPIRED_ON
    if group is not None:
        body["groupId"] = group
    return body
