"""What ``chargeyard up`` prints for its user (``lab/banner.py``), line by line."""

from __future__ import annotations

from pathlib import Path

from chargeyard.lab.banner import ready_lines, signed_in

API = "http://127.0.0.1:8000"
LINK = f"{API}/dashboard/#signin=s3cret"


def _ready(*, demo: bool, sign_in: str | None) -> list[str]:
    return ready_lines(
        "ws://127.0.0.1:9000/ocpp", API, 10, demo=demo, data_dir=Path("data"), sign_in=sign_in
    )


def test_every_start_prints_the_dashboard_sign_in_link() -> None:
    assert _ready(demo=True, sign_in=LINK) == [
        "chargeyard CSMS ready: ws://127.0.0.1:9000/ocpp/{identity} (any station and id tag"
        " gets in)",
        f"chargeyard REST API {API}/api/v1 (X-API-Key) and {API}/ocpp (Bearer); docs at {API}/docs",
        f"chargeyard dashboard {API}/dashboard/   metrics {API}/metrics",
        f"chargeyard dashboard sign-in (one browser, once): {LINK}",
        "chargeyard up: ready, 10 chargers running, the demo site's chargers with automatic"
        " sessions; data in data (Ctrl-C stops)",
    ]


def test_without_a_link_it_says_how_to_sign_in_by_hand() -> None:
    by_hand = (
        "type an API key (chargeyard apikey create) and a token (chargeyard token create) in"
        " its Settings"
    )
    assert _ready(demo=False, sign_in=None)[3] == (
        f"chargeyard dashboard sign-in: no link (no demo); {by_hand}"
    )
    assert _ready(demo=True, sign_in=None)[3] == (
        f"chargeyard dashboard sign-in: no link (the demo's credentials file is gone); {by_hand}"
    )


def test_a_used_link_is_followed_by_the_next() -> None:
    assert signed_in(LINK) == (
        f"chargeyard dashboard: a browser signed in; the next one signs in with {LINK}"
    )
