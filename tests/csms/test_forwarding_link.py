"""The wrappers around the API's StationLink pass through what they do not add to
(``csms/station_link.py`` ``ForwardingLink``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

import pytest

from chargeyard.csms.command_journal import JournaledLink
from chargeyard.csms.command_state import AwaitedReports, PendingStarts
from chargeyard.csms.commands.basic_password import PasswordKeepingLink
from chargeyard.csms.station_link import ForwardingLink, StationLink
from chargeyard.protocol import V16, V201, Payload, VersionSpec

# Every member of the StationLink protocol.
MEMBERS = frozenset(
    {
        "versions",
        "is_connected",
        "version_of",
        "disconnect",
        "command_timeout",
        "remote_starts",
        "reports",
        "call",
    }
)

_STARTS = cast(PendingStarts, object())
_REPORTS = cast(AwaitedReports, object())


class _RecordingLink:
    """A StationLink that answers each request with something of its own and records it."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, tuple[Any, ...]]] = []

    def versions(self) -> Iterable[VersionSpec]:
        self.asked.append(("versions", ()))
        return [V16, V201]

    async def is_connected(self, identity: str) -> bool:
        self.asked.append(("is_connected", (identity,)))
        return True

    async def version_of(self, identity: str) -> VersionSpec:
        self.asked.append(("version_of", (identity,)))
        return V201

    async def disconnect(self, identity: str, code: int = 1000, reason: str = "") -> bool:
        self.asked.append(("disconnect", (identity, code, reason)))
        return True

    @property
    def command_timeout(self) -> float:
        return 12.5

    @property
    def remote_starts(self) -> PendingStarts:
        return _STARTS

    @property
    def reports(self) -> AwaitedReports:
        return _REPORTS

    async def call(
        self,
        identity: str,
        action: str,
        payload: Payload,
        timeout: float | None = None,  # noqa: ASYNC109 - the command's own limit
    ) -> Payload:
        self.asked.append(("call", (identity, action, payload, timeout)))
        return {"status": "Accepted"}


def test_the_members_listed_are_the_protocols() -> None:
    # StationLink and the protocols it extends (StationDirectory, ConnectedStations).
    protocols = [kind for kind in StationLink.__mro__ if getattr(kind, "_is_protocol", False)]
    members = {name for kind in protocols for name in vars(kind) if not name.startswith("_")}
    assert members == MEMBERS


async def test_every_request_passes_through_with_its_arguments() -> None:
    inner = _RecordingLink()
    link: StationLink = ForwardingLink(inner)
    assert list(link.versions()) == [V16, V201]
    assert await link.is_connected("CP-1") is True
    assert await link.version_of("CP-1") is V201
    assert await link.disconnect("CP-1", 4000, "replaced") is True
    assert (link.command_timeout, link.remote_starts, link.reports) == (12.5, _STARTS, _REPORTS)
    assert await link.call("CP-1", "Reset", {"type": "Soft"}, 3.0) == {"status": "Accepted"}
    assert inner.asked == [
        ("versions", ()),
        ("is_connected", ("CP-1",)),
        ("version_of", ("CP-1",)),
        ("disconnect", ("CP-1", 4000, "replaced")),
        ("call", ("CP-1", "Reset", {"type": "Soft"}, 3.0)),
    ]


@pytest.mark.parametrize("wrapper", [JournaledLink, PasswordKeepingLink])
def test_a_wrapper_writes_only_what_it_adds(wrapper: type[ForwardingLink]) -> None:
    assert issubclass(wrapper, ForwardingLink)
    assert MEMBERS & set(vars(wrapper)) == {"call"}
