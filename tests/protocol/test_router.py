"""Handlers registered per class with @on (a table per class, not a module-global list), or as
a dict."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from chargeyard.protocol import V16, ActionHandlers, Payload, Role, Session, on
from chargeyard.protocol.messages import v16, v201

from .support import BOOT_ACCEPTED, BOOT_REQUEST, HEARTBEAT_ANSWER, sent, text


class CoreProfile(ActionHandlers):
    def __init__(self) -> None:
        self.seen: list[tuple[str, Payload]] = []

    @on("BootNotification")
    def boot(self, payload: Payload) -> Payload:
        self.seen.append(("boot", payload))
        return BOOT_ACCEPTED

    @on("Heartbeat")
    def heartbeat(self, payload: Payload) -> Payload:
        self.seen.append(("heartbeat", payload))
        return HEARTBEAT_ANSWER

    def helper(self) -> None:
        """Not a handler: no @on."""


class PendingBoot(CoreProfile):
    """Overrides one action with a method of another name, adds another."""

    @on("BootNotification")
    def boot_pending(self, payload: Payload) -> Payload:
        self.seen.append(("boot_pending", payload))
        return {**BOOT_ACCEPTED, "status": "Pending"}

    @on("Authorize")
    def authorize(self, payload: Payload) -> Payload:
        return {"idTagInfo": {"status": "Accepted"}}


class QuietHeartbeat(CoreProfile):
    """Overrides a handler by name, without repeating @on."""

    def heartbeat(self, payload: Payload) -> Payload:
        self.seen.append(("quiet", payload))
        return {"currentTime": "2030-01-01T00:00:00Z"}


class Firmware(ActionHandlers):
    @on("FirmwareStatusNotification")
    def firmware(self, payload: Payload) -> Payload:
        return {}


class CoreAndFirmware(CoreProfile, Firmware):
    """Mixes two handler classes: both tables count."""


def answer(handlers: dict[str, Callable[[Payload], Any]], action: str, payload: Payload) -> Any:
    session = Session(V16, Role.CENTRAL_SYSTEM, handlers, new_id=lambda: "unused")
    assert session.receive(text([2, "m-1", action, payload])) == []
    [frame] = sent(session)
    return frame


def test_on_builds_the_class_table() -> None:
    assert CoreProfile.actions() == {"BootNotification", "Heartbeat"}
    assert ActionHandlers.actions() == frozenset()


def test_handlers_are_bound_to_the_object() -> None:
    profile = CoreProfile()
    handlers = profile.handlers()
    assert handlers == {"BootNotification": profile.boot, "Heartbeat": profile.heartbeat}
    assert answer(handlers, "Heartbeat", {}) == [3, "m-1", HEARTBEAT_ANSWER]
    assert profile.seen == [("heartbeat", {})]


def test_each_object_has_its_own_state() -> None:
    first, second = CoreProfile(), CoreProfile()
    answer(first.handlers(), "Heartbeat", {})
    assert (first.seen, second.seen) == ([("heartbeat", {})], [])


def test_subclass_inherits_adds_and_overrides_with_on() -> None:
    assert PendingBoot.actions() == {"BootNotification", "Heartbeat", "Authorize"}
    profile = PendingBoot()
    handlers = profile.handlers()
    assert answer(handlers, "BootNotification", BOOT_REQUEST["1.6"]) == [
        3,
        "m-1",
        {**BOOT_ACCEPTED, "status": "Pending"},
    ]
    assert answer(handlers, "Heartbeat", {}) == [3, "m-1", HEARTBEAT_ANSWER]
    assert profile.seen == [("boot_pending", BOOT_REQUEST["1.6"]), ("heartbeat", {})]


def test_subclass_overrides_by_method_name() -> None:
    profile = QuietHeartbeat()
    assert answer(profile.handlers(), "Heartbeat", {}) == [
        3,
        "m-1",
        {"currentTime": "2030-01-01T00:00:00Z"},
    ]
    assert profile.seen == [("quiet", {})]


def test_subclass_does_not_change_its_base() -> None:
    assert CoreProfile.actions() == {"BootNotification", "Heartbeat"}
    profile = CoreProfile()
    answer(profile.handlers(), "BootNotification", BOOT_REQUEST["1.6"])
    assert profile.seen == [("boot", BOOT_REQUEST["1.6"])]


def test_class_mixing_two_handler_classes_has_both_tables() -> None:
    assert CoreAndFirmware.actions() == {
        "BootNotification",
        "Heartbeat",
        "FirmwareStatusNotification",
    }
    handlers = CoreAndFirmware().handlers()
    assert answer(handlers, "FirmwareStatusNotification", {"status": "Idle"}) == [3, "m-1", {}]


def test_dict_of_handlers_routes_per_action() -> None:
    calls: list[str] = []

    def heartbeat(payload: Payload) -> Payload:
        calls.append("heartbeat")
        return HEARTBEAT_ANSWER

    def authorize(payload: Payload) -> Payload:
        calls.append("authorize")
        return {"idTagInfo": {"status": "Blocked"}}

    handlers = {"Heartbeat": heartbeat, "Authorize": authorize}
    assert answer(handlers, "Authorize", {"idTag": "ABC"}) == [
        3,
        "m-1",
        {"idTagInfo": {"status": "Blocked"}},
    ]
    assert calls == ["authorize"]


def test_set_handler_registers_and_replaces() -> None:
    session = Session(V16, Role.CENTRAL_SYSTEM)
    session.receive(text([2, "m-1", "Heartbeat", {}]))
    session.set_handler("Heartbeat", lambda payload: HEARTBEAT_ANSWER)
    session.receive(text([2, "m-2", "Heartbeat", {}]))
    session.set_handler("Heartbeat", lambda payload: {"currentTime": "2030-01-01T00:00:00Z"})
    session.receive(text([2, "m-3", "Heartbeat", {}]))
    assert sent(session) == [
        [
            4,
            "m-1",
            "NotSupported",
            "Heartbeat is not supported by this central system",
            {"action": "Heartbeat"},
        ],
        [3, "m-2", HEARTBEAT_ANSWER],
        [3, "m-3", {"currentTime": "2030-01-01T00:00:00Z"}],
    ]


def test_session_copies_the_handler_dict() -> None:
    handlers: dict[str, Callable[[Payload], Any]] = {}
    session = Session(V16, Role.CENTRAL_SYSTEM, handlers)
    handlers["Heartbeat"] = lambda payload: HEARTBEAT_ANSWER
    session.receive(text([2, "m-1", "Heartbeat", {}]))
    assert sent(session) == [
        [
            4,
            "m-1",
            "NotSupported",
            "Heartbeat is not supported by this central system",
            {"action": "Heartbeat"},
        ]
    ]


class FirmwareWithHeartbeat(Firmware):
    @on("Heartbeat")
    def firmware_heartbeat(self, payload: Payload) -> Payload:
        return {"currentTime": "2031-01-01T00:00:00Z"}


class CoreFirst(CoreProfile, FirmwareWithHeartbeat):
    pass


class FirmwareFirst(FirmwareWithHeartbeat, CoreProfile):
    pass


def test_mixed_in_classes_resolve_a_shared_action_like_attribute_lookup() -> None:
    # The earlier base in the MRO wins, as it would for a method of the same name.
    assert answer(CoreFirst().handlers(), "Heartbeat", {}) == [3, "m-1", HEARTBEAT_ANSWER]
    assert answer(FirmwareFirst().handlers(), "Heartbeat", {}) == [
        3,
        "m-1",
        {"currentTime": "2031-01-01T00:00:00Z"},
    ]


class TypedCore(ActionHandlers):
    """Handlers typed with the generated messages: the same dicts at run time."""

    @on("Authorize")
    def authorize(self, payload: v16.AuthorizeRequest) -> v16.AuthorizeResponse:
        return {"idTagInfo": {"status": "Accepted" if payload["idTag"] == "ABC" else "Invalid"}}

    @on("DataTransfer")
    def data_transfer(
        self, payload: v16.DataTransferRequest | v201.DataTransferRequest
    ) -> v16.DataTransferResponse | v201.DataTransferResponse:
        return {"status": "UnknownVendorId"}


def test_handlers_typed_with_their_actions_messages_answer_as_any() -> None:
    handlers = TypedCore().handlers()
    assert answer(handlers, "Authorize", {"idTag": "ABC"}) == [
        3,
        "m-1",
        {"idTagInfo": {"status": "Accepted"}},
    ]
    assert answer(handlers, "DataTransfer", {"vendorId": "x"}) == [
        3,
        "m-1",
        {"status": "UnknownVendorId"},
    ]


def test_a_handler_taking_another_actions_request_is_refused() -> None:
    with pytest.raises(TypeError) as raised:

        class Mistyped(ActionHandlers):
            @on("Heartbeat")
            def heartbeat(self, payload: v16.BootNotificationRequest) -> v16.HeartbeatResponse:
                return {"currentTime": "2030-01-01T00:00:00Z"}

    assert str(raised.value) == (
        "test_a_handler_taking_another_actions_request_is_refused.<locals>.Mistyped.heartbeat"
        " handles Heartbeat but its payload is annotated v16.BootNotificationRequest,"
        " not HeartbeatRequest"
    )


def test_a_handler_answering_another_actions_response_is_refused() -> None:
    with pytest.raises(TypeError, match=r"its answer is annotated v201.ResetResponse, not "):

        class Mistyped(ActionHandlers):
            @on("Heartbeat")
            async def heartbeat(self, payload: v201.HeartbeatRequest) -> v201.ResetResponse:
                return {"status": "Accepted"}


def test_each_version_of_a_union_must_name_the_action() -> None:
    with pytest.raises(
        TypeError, match=r"annotated v201.HeartbeatRequest, not DataTransferRequest"
    ):

        class Mistyped(ActionHandlers):
            @on("DataTransfer")
            def data_transfer(
                self, payload: v16.DataTransferRequest | v201.HeartbeatRequest
            ) -> v16.DataTransferResponse:
                return {"status": "Rejected"}


def test_a_request_type_is_no_answer() -> None:
    with pytest.raises(TypeError, match=r"answer is annotated v16.HeartbeatRequest, not Heart"):

        class Mistyped(ActionHandlers):
            @on("Heartbeat")
            def heartbeat(self, payload: v16.HeartbeatRequest) -> v16.HeartbeatRequest:
                return {}


def test_annotations_that_cannot_be_resolved_are_refused() -> None:
    with pytest.raises(TypeError, match=r"Mistyped.heartbeat \(the handler of Heartbeat\): its "):

        class Mistyped(ActionHandlers):
            @on("Heartbeat")
            def heartbeat(self, payload: v16.NoSuchRequest) -> Payload:  # type: ignore[name-defined]
                return {}
