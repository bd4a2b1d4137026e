"""The answers compared field by field: what must differ is ignored (times, transaction ids),
what differs in meaning is reported by its path."""

from __future__ import annotations

from chargeyard.trace.diff import Answer, Comparison


def _differences(recorded: Answer | None, replayed: Answer | None) -> list[str]:
    return [str(d) for d in Comparison().compare(3, "Authorize", recorded, replayed)]


def test_times_and_transaction_ids_are_ignored() -> None:
    recorded = Answer(
        {
            "transactionId": 1,
            "idTagInfo": {"status": "Accepted", "expiryDate": "2026-01-01T10:00:00Z"},
        }
    )
    replayed = Answer(
        {
            "transactionId": 7001,
            "idTagInfo": {"status": "Accepted", "expiryDate": "2026-11-26T13:00:00.123+00:00"},
        }
    )
    assert _differences(recorded, replayed) == []


def test_a_status_a_field_on_one_side_and_a_list_are_reported_by_their_paths() -> None:
    recorded = Answer({"idTagInfo": {"status": "Accepted", "parentIdTag": "P"}, "keys": [1, 2]})
    replayed = Answer({"idTagInfo": {"status": "Blocked"}, "keys": [1, 3], "extra": True})
    assert _differences(recorded, replayed) == [
        "Authorize (call 3) /extra: recorded (absent), replayed true",
        'Authorize (call 3) /idTagInfo/parentIdTag: recorded "P", replayed (absent)',
        'Authorize (call 3) /idTagInfo/status: recorded "Accepted", replayed "Blocked"',
        "Authorize (call 3) /keys/1: recorded 2, replayed 3",
    ]


def test_errors_and_silence() -> None:
    result = Answer({"idTagInfo": {"status": "Accepted"}})
    error = Answer.of([4, "9", "InternalError", "boom", {}])
    assert _differences(error, Answer.of([4, "1", "InternalError", "other words", {}])) == []
    assert _differences(result, error) == [
        'Authorize (call 3): recorded {"result":{"idTagInfo":{"status":"Accepted"}}}, '
        'replayed {"error":"InternalError","description":"boom"}'
    ]
    assert _differences(result, None) == [
        'Authorize (call 3): recorded {"result":{"idTagInfo":{"status":"Accepted"}}}, '
        "replayed no answer"
    ]
    # Nothing recorded (the trace ended before the answer): nothing to compare.
    assert _differences(None, result) == []
