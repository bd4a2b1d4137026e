"""chargeyard's central system against an OCPP 2.1 station written with the third-party
``ocpp`` library (``ocpp.v21.ChargePoint``): every message 2.1 adds that a station sends is
built by the library, checked by it against its own copy of the 2.1 schemas on the way out, and
its answer checked again on the way in (a CALLERROR or an answer the schema refuses fails the
call), then found kept in the store.

The library has no SEND (OCPP 2.1 part 4 section 4.2.5): NotifyPeriodicEventStream goes over
the library station's own socket as the frame a 2.1 station sends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from ocpp.charge_point import camel_to_snake_case
from ocpp.v21 import call as call21

from chargeyard.csms.server import CsmsServer
from chargeyard.store import Store
from chargeyard.store.models import NotificationKind
from tests.api.ocpp_library_stations import LibraryStation21, booted21
from tests.csms.messages_21 import CALLS, SENDS
from tests.csms.wire import url
from tests.polling import polled


@pytest.fixture
async def station(csms: CsmsServer) -> AsyncIterator[LibraryStation21]:
    async with booted21(url(csms), "CP-1") as station:
        yield station


def _library_call(action: str, payload: dict[str, Any]) -> Any:
    """The library's request of ``action``: its fields snake_case, what they hold as sent."""
    fields = {next(iter(camel_to_snake_case({key: 0}))): value for key, value in payload.items()}
    return getattr(call21, action)(**fields)


@pytest.mark.parametrize(("action", "payload", "answer"), CALLS, ids=[c[0] for c in CALLS])
async def test_each_2_1_message_of_a_library_station_is_answered_and_kept(
    station: LibraryStation21,
    store: Store,
    action: str,
    payload: dict[str, Any],
    answer: dict[str, Any] | None,
) -> None:
    result = await station.send(_library_call(action, payload))
    if answer is not None:
        # The library's answer, its fields snake_case.
        expected = camel_to_snake_case(answer)
        assert {k: v for k, v in vars(result).items() if v is not None} == expected
    [kept] = await store.notifications.history("CP-1")
    assert kept.action == action


async def test_n_a_library_stations_stream_values_are_kept_and_never_answered(
    station: LibraryStation21, store: Store
) -> None:
    [(action, values)] = SENDS
    await station._connection.send(orjson.dumps([6, "s-1", action, values]).decode())
    # The connection goes on. (The library passes over answers it did not ask for, so that
    # none came to the SEND is shown frame by frame in test_central_system_21.py.)
    closed = await station.send(call21.ClosePeriodicEventStream(id=values["id"]))
    assert vars(closed) == {"custom_data": None}
    kept = await polled(
        lambda: store.notifications.history("CP-1", kind=NotificationKind.EVENT_STREAM),
        lambda rows: len(rows) == 2,
    )
    assert sorted((n.action, n.status) for n in kept) == [
        ("ClosePeriodicEventStream", "stream 7"),
        ("NotifyPeriodicEventStream", "stream 7"),
    ]
