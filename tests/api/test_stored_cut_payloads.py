"""A payload the store kept cut (``store/payload_cap.py``) reads as ``truncated`` with its
original length, also when read whole by its id."""

from __future__ import annotations

from datetime import UTC, datetime

from chargeyard.api.v1.schemas.charger_frames import FrameOut
from chargeyard.store.models import Frame
from chargeyard.store.payload_cap import cap_payload

T0 = datetime(2026, 2, 10, 14, 0, tzinfo=UTC)


def test_a_frame_stored_cut_reads_truncated_with_its_original_length() -> None:
    text = cap_payload("[2," + "x" * 5_000 + "]", 1024)
    frame = Frame(
        id=7, identity="CP-1", direction="incoming", action=None, unique_id="u", text=text, at=T0
    )
    out = FrameOut.of(frame)
    assert (out.truncated, out.messageLength) == (True, 5_004)


def test_a_frame_stored_whole_reads_whole() -> None:
    frame = Frame(
        id=7, identity="CP-1", direction="incoming", action=None, unique_id="u", text="[2,1]", at=T0
    )
    out = FrameOut.of(frame)
    assert (out.truncated, out.messageLength) == (False, 5)
