"""OCPP 2.0.1 N09 / N10: CustomerInformation reports what the station keeps of an idToken and
clears what it may, in NotifyCustomerInformation parts."""

from __future__ import annotations

from typing import Any

import pytest

from chargeyard.protocol import Payload
from chargeyard.station.model.authorization import IdToken
from chargeyard.station.v201 import StationV201
from chargeyard.station.v201.customer_information import CustomerInformationV201
from tests.station.harness import Link
from tests.station.v201.support import tag, ts


def _station(link: Link) -> StationV201:
    assert isinstance(link.station, StationV201)
    return link.station


def _ask(link: Link, *, report: bool, clear: bool, **reference: Any) -> Payload:
    reference = reference or {"idToken": tag()}
    return link.call_station(
        "CustomerInformation", {"requestId": 9, "report": report, "clear": clear, **reference}
    )


def _notified(link: Link, data: str, seq_no: int = 0, **more: Any) -> Payload:
    return {"data": data, "seqNo": seq_no, "generatedAt": ts(), "requestId": 9, **more}


def _list(link: Link) -> None:
    """TAG-1 in the local list, version 3 (D01)."""
    answer = link.call_station(
        "SendLocalList",
        {
            "versionNumber": 3,
            "updateType": "Full",
            "localAuthorizationList": [
                {
                    "idToken": tag(),
                    "idTokenInfo": {
                        "status": "Accepted",
                        "cacheExpiryDateTime": "2026-02-01T00:00:00.000Z",
                    },
                }
            ],
        },
    )
    assert answer == {"status": "Accepted"}


def _charging(link: Link) -> str:
    """TAG-1 charging on EVSE 1; its transactionId."""
    station = _station(link)
    station.plug(1, 1)
    station.present_id_token("TAG-1")
    link.pump()
    link.csms.clear()
    transaction = station.model.evses[1].transaction
    assert transaction is not None
    return transaction.local_id


def _cache(link: Link) -> None:
    """TAG-1 Accepted by an Authorize answer (C10), cached with the group GROUP-1."""
    link.csms.answers["Authorize"] = lambda p: {
        "idTokenInfo": {
            "status": "Accepted",
            "groupIdToken": {"idToken": "GROUP-1", "type": "Central"},
        }
    }
    station = _station(link)
    station.present_id_token("tag-1")  # the same token: the value is case insensitive
    link.pump()
    link.csms.clear()


def test_n09_report_what_the_station_keeps_of_a_token(online: Link) -> None:
    _list(online)
    transaction_id = _charging(online)
    assert _ask(online, report=True, clear=False) == {"status": "Accepted"}  # N09.FR.02
    assert online.csms.payloads("NotifyCustomerInformation") == [
        _notified(
            online,
            "local list (version 3): Accepted, expires 2026-02-01T00:00:00.000Z\n"
            f"transaction {transaction_id} on EVSE 1 since {ts()}",
        )  # N09.FR.05
    ]


def test_n09_nothing_kept_is_one_message_saying_so(online: Link) -> None:
    assert _ask(online, report=True, clear=False) == {"status": "Accepted"}
    assert online.csms.payloads("NotifyCustomerInformation") == [
        _notified(online, "No data found")  # N09.FR.06
    ]
    online.csms.clear()
    assert _ask(online, report=True, clear=False, customerIdentifier="C-42") == {
        "status": "Accepted"
    }
    assert online.csms.payloads("NotifyCustomerInformation") == [
        _notified(online, "No data found")  # the station keeps nothing by customerIdentifier
    ]


def test_n10_clear_and_report_forgets_the_cache_entry_and_reports_it(online: Link) -> None:
    _cache(online)
    assert _ask(online, report=True, clear=True) == {"status": "Accepted"}  # N10.FR.01
    assert online.csms.payloads("NotifyCustomerInformation") == [
        _notified(online, "authorization cache: Accepted, group GROUP-1")  # N10.FR.03
    ]
    online.csms.clear()
    assert _ask(online, report=True, clear=False) == {"status": "Accepted"}
    assert online.csms.payloads("NotifyCustomerInformation") == [
        _notified(online, "No data found")  # N10.FR.04: gone
    ]


def test_n10_clear_alone_says_what_went_and_leaves_the_local_list(online: Link) -> None:
    _cache(online)
    _list(online)
    assert _ask(online, report=False, clear=True) == {"status": "Accepted"}
    assert online.csms.payloads("NotifyCustomerInformation") == [
        _notified(online, "Cleared: authorization cache entry")  # N10.FR.06
    ]
    online.csms.clear()
    assert _ask(online, report=True, clear=False) == {"status": "Accepted"}
    # N10.FR.03: the local list is the central system's to change (N10.FR.02).
    assert online.csms.payloads("NotifyCustomerInformation") == [
        _notified(online, "local list (version 3): Accepted, expires 2026-02-01T00:00:00.000Z")
    ]


def test_n10_a_running_transaction_stays_the_drivers(online: Link) -> None:
    transaction_id = _charging(online)
    assert _ask(online, report=True, clear=True) == {"status": "Accepted"}
    assert online.csms.payloads("NotifyCustomerInformation") == [
        _notified(
            online,
            f"authorization cache: Accepted\ntransaction {transaction_id} on EVSE 1 since {ts()}",
        )
    ]
    station = _station(online)
    assert station.model.cache.peek(IdToken("TAG-1")) is None  # cleared
    transaction = station.model.evses[1].transaction
    assert transaction is not None
    assert transaction.id_token is not None
    assert transaction.id_token.value == "TAG-1"


def test_n10_clear_of_a_customer_with_nothing_kept(online: Link) -> None:
    assert _ask(online, report=False, clear=True) == {"status": "Accepted"}
    assert online.csms.payloads("NotifyCustomerInformation") == [_notified(online, "No data found")]


def test_n09_a_long_report_comes_in_parts_of_512_characters(
    online: Link, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [f"line {n:03d} " + "x" * 90 for n in range(12)]  # 1,199 characters with the newlines
    monkeypatch.setattr(CustomerInformationV201, "kept", lambda self, token: lines)
    assert _ask(online, report=True, clear=False) == {"status": "Accepted"}
    parts = online.csms.payloads("NotifyCustomerInformation")
    assert [(p["seqNo"], p.get("tbc"), len(p["data"])) for p in parts] == [
        (0, True, 512),
        (1, True, 512),
        (2, None, 175),
    ]
    assert "".join(p["data"] for p in parts) == "\n".join(lines)


@pytest.mark.parametrize(
    ("report", "clear", "reference", "status"),
    [
        (False, False, {"idToken": tag()}, "Rejected"),  # N09.FR.07, N10.FR.07
        (True, False, {}, "Invalid"),  # N09.FR.09: no reference
        (True, False, {"idToken": tag(), "customerIdentifier": "C-42"}, "Invalid"),  # two
    ],
)
def test_n09_requests_that_name_no_one_or_ask_nothing_are_refused(
    online: Link, report: bool, clear: bool, reference: Payload, status: str
) -> None:
    answer = online.call_station(
        "CustomerInformation", {"requestId": 9, "report": report, "clear": clear, **reference}
    )
    assert answer == {"status": status}
    assert online.csms.payloads("NotifyCustomerInformation") == []
