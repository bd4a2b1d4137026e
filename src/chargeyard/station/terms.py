"""What the outside world says to a station in its version's words: a fault, a setting, the
local list, an id token, a stop reason. One :class:`StationTerms` object per version, held by
its station class (``StationV16.TERMS``, ``StationV201.TERMS``) and reachable from the version
alone through ``station/versions.py``: the gateway checks a command against it before any
station changes (validate before acting), and the station applies what it checks.

Each check reads the field of the version's official schema that carries the value
(``protocol/fields.py``) and raises its :class:`~chargeyard.protocol.OcppError`; the wire
shapes (a SendLocalList.req, a ChangeConfiguration.req or SetVariablesRequest) are built by
the version's own subclass (``v16/terms.py``, ``v201/terms.py``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chargeyard.protocol import ErrorKind, OcppError, Payload, VersionSpec
from chargeyard.protocol.fields import SchemaValueError, request_field
from chargeyard.station.catalog import StationTemplate
from chargeyard.station.faults import Fault
from chargeyard.station.model.station import Transaction


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting: a 1.6 configuration key (``HeartbeatInterval``), or a 2.0.1 device model
    variable as ``Component.Variable[:instance]`` (``OCPPCommCtrlr.HeartbeatInterval``)."""

    key: str
    value: str


@dataclass(frozen=True, slots=True)
class StoredSetting:
    """One setting as the station holds it, read back from its memory (1.6 GetConfiguration,
    2.0.1 the device model): ``key`` as :class:`Setting` names it, ``value`` None for one
    that is write-only; a 2.0.1 variable of an EVSE or connector says which."""

    key: str
    value: str | None
    readonly: bool
    evse_id: int | None = None
    connector_id: int | None = None


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One id token of a local authorization list: its ``status`` until ``expiry`` (None:
    always) and its group, ``parent_id_tag`` (1.6 parentIdTag, 2.0.1 groupIdToken). A status
    of None removes the token, in a Differential update only (1.6 section 5.15: an entry
    without idTagInfo; 2.0.1 D01.FR.16)."""

    id_tag: str
    expiry: datetime | None = None
    status: str | None = "Accepted"
    parent_id_tag: str | None = None


class StationTerms(ABC):
    """One version's words for what is done to a station (see the module docstring)."""

    version: VersionSpec
    id_token_path: str  # in AuthorizeRequest
    list_id_token_path: str  # in SendLocalListRequest
    list_status_path: str  # in SendLocalListRequest: an entry's authorization status
    list_parent_path: str  # in SendLocalListRequest: an entry's group
    trigger_actions: tuple[str, ...]  # the requests that ask for one of its messages
    stop_reason_field: tuple[str, str]  # (action, path)
    start_message: str
    """The transaction message whose answer accepts a started transaction's token."""

    # -- checks: an OcppError (a SchemaValueError for one field) names what the version allows

    def check(self, action: str, path: str, value: object, name: str) -> None:
        """``value`` fits the field at ``path`` of ``action``'s request."""
        request_field(self.version.schemas, action, path).check(value, name)

    def check_id_token(self, value: str, name: str) -> None:
        self.check("Authorize", self.id_token_path, value, name)

    def check_stop_reason(self, value: str, name: str) -> None:
        self.check(*self.stop_reason_field, value, name)

    def check_fault_word(self, word: str, name: str) -> None:
        """``word`` is one a station of the version takes for a fault."""
        allowed = self.fault_words
        if word not in allowed:
            raise SchemaValueError(
                ErrorKind.PROPERTY_CONSTRAINT_VIOLATION,
                f"{name} {word!r} is not allowed: one of {', '.join(allowed)}",
            )

    def check_local_list(
        self, version: int, entries: Sequence[ListEntry], *, differential: bool = False
    ) -> None:
        """An update of the list with ``entries`` (a Full one, or ``differential``) fits
        SendLocalList, field by field (named ``entries[i].id_tag``...), then as a whole
        request."""
        for index, entry in enumerate(entries):
            name = f"entries[{index}]"
            self.check("SendLocalList", self.list_id_token_path, entry.id_tag, f"{name}.id_tag")
            if entry.status is None and not differential:
                raise SchemaValueError(
                    ErrorKind.OCCURRENCE_CONSTRAINT_VIOLATION,
                    f"{name}.status: every entry of a Full update has a status (null removes"
                    " a token in a Differential update only)",
                )
            if entry.status is not None:
                self.check("SendLocalList", self.list_status_path, entry.status, f"{name}.status")
            if entry.parent_id_tag is not None:
                self.check(
                    "SendLocalList",
                    self.list_parent_path,
                    entry.parent_id_tag,
                    f"{name}.parent_id_tag",
                )
        self.version.schemas.check_request(
            "SendLocalList", self.local_list_request(version, entries, differential=differential)
        )

    @staticmethod
    def refused(name: str, why: str) -> SchemaValueError:
        """The error of a value ``name`` the version cannot carry, saying why."""
        return SchemaValueError(ErrorKind.PROPERTY_CONSTRAINT_VIOLATION, f"{name}: {why}")

    def trigger_action(self, message: str, name: str = "message") -> str:
        """The request that asks the station for ``message`` (1.6 section 5.17 TriggerMessage,
        or the security extension's ExtendedTriggerMessage for the messages it adds; 2.0.1
        F06 TriggerMessage).

        Raises:
            SchemaValueError: no request of the version asks for it; the error names those
                that may be.
        """
        words: list[str] = []
        for action in self.trigger_actions:
            allowed = request_field(self.version.schemas, action, "requestedMessage").allowed
            if message in (allowed or ()):
                return action
            words.extend(word for word in allowed or () if word not in words)
        raise SchemaValueError(
            ErrorKind.PROPERTY_CONSTRAINT_VIOLATION,
            f"{name} {message!r} is not one of OCPP {self.version.name}'s: {', '.join(words)}",
        )

    @abstractmethod
    def check_setting(self, setting: Setting) -> None: ...

    # -- the version's words -------------------------------------------------------------------

    @property
    @abstractmethod
    def fault_words(self) -> tuple[str, ...]:
        """The words a station of the version takes for a fault, in the order a refusal
        names them."""

    @abstractmethod
    def fault_named(
        self, word: str, info: str | None = None, vendor_error_code: str | None = None
    ) -> Fault:
        """The fault ``word`` names to a station of the version.

        Raises:
            SchemaValueError: (a ValueError) a word the version's station does not take, in
                the words of the station's own fault block.
        """

    @abstractmethod
    def setting_request(self, setting: Setting) -> Payload | None:
        """The request that sets ``setting``; None for a key the version cannot name."""

    @abstractmethod
    def local_list_request(
        self, version: int, entries: Sequence[ListEntry], *, differential: bool = False
    ) -> Payload:
        """SendLocalList's request of a Full update to ``entries`` under ``version`` (or, with
        ``differential``, of a Differential update with them)."""

    @abstractmethod
    def reset_request(self, kind: str, evse_id: int | None) -> Payload:
        """Reset's request of ``kind`` for the whole station (``evse_id`` None) or one EVSE.

        Raises:
            SchemaValueError: a kind the version has no word for, or an EVSE where the
                version resets only the whole station.
        """

    @abstractmethod
    def session_stop_reason(self, why: str) -> str:
        """The stop reason of a session that reached its limit (``why``: time, energy)."""

    @abstractmethod
    def transaction_id(self, transaction: Transaction) -> str | None:
        """The transaction's id as the central system knows it (None: not yet known)."""

    @abstractmethod
    def connector_numbered(
        self, template: StationTemplate, connector_id: int
    ) -> tuple[int, int] | None:
        """The ``(evse_id, connector_id)`` that a connector number given without its EVSE
        names on a station of ``template``, as the version numbers connectors; None when the
        version's numbering has no such connector."""

    # -- what the stations share -----------------------------------------------------------------

    def setting_status(self, setting: Setting, apply: Callable[[Payload], str]) -> str:
        """``apply(request)``'s status for one setting; Rejected for one the version's schema
        refuses (a request no central system could have sent)."""
        request = self.setting_request(setting)
        if request is None:
            return "Rejected"
        try:
            self.check_setting(setting)
        except OcppError:
            return "Rejected"
        return apply(request)

    def list_status(
        self,
        version: int,
        entries: Sequence[ListEntry],
        send: Callable[[Payload], Mapping[str, Any]],
        *,
        differential: bool = False,
    ) -> str:
        """The status of a Full update of the local list to ``entries`` under ``version`` (or a
        ``differential`` one), as ``send`` (the station's SendLocalList handler) answers it.

        The handler is called directly, past the session that would check the request: it is
        checked here, so that nothing the version refuses reaches the list.

        Raises:
            OcppError: a list the version's SendLocalList cannot carry; nothing changes.
        """
        self.check_local_list(version, entries, differential=differential)
        request = self.local_list_request(version, entries, differential=differential)
        return str(send(request)["status"])
