"""What ``chargeyard up`` prints for its user (``lab/banner.py``), line by line."""

from __future__ import annotations

from pathlib import Path

from chargeyard.lab.banner import Credentials, again, ready_lines, signed_in

API = "http://127.0.0.1:8000"
LINK = f"{API}/dashboard/#signin=s3cret"
FROM_A_CHECKOUT = Credentials("scripts/chargeyard", "demo", Path("data"))


def _ready(*, demo: bool, sign_in: str | None) -> list[str]:
    return ready_lines(
        "ws://127.0.0.1:9000/ocpp",
        API,
        10,
        demo=demo,
        data_dir=Path("data"),
        sign_in=sign_in,
        credentials=FROM_A_CHECKOUT if demo else Credentials("chargeyard", "default", Path("data")),
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


def test_without_a_link_it_says_how_to_sign_in_by_hand_for_the_lab_s_organization() -> None:
    assert _ready(demo=False, sign_in=None)[3] == (
        "chargeyard dashboard sign-in: no link (no demo); type an API key (chargeyard apikey"
        " create --name me --org default --data-dir data) and a token (chargeyard token create"
        " --org default --role admin --data-dir data) in its Settings"
    )
    assert _ready(demo=True, sign_in=None)[3] == (
        "chargeyard dashboard sign-in: no link (the demo's credentials file is gone); type an"
        " API key (scripts/chargeyard apikey create --name me --org demo --data-dir data) and a"
        " token (scripts/chargeyard token create --org demo --role admin --data-dir data) in"
        " its Settings"
    )


def test_a_later_start_prints_commands_that_make_credentials_for_the_demo() -> None:
    # The demo's organization, whose chargers the key sees; the program as it was started.
    assert again(True, Path("data"), FROM_A_CHECKOUT).splitlines() == [
        "chargeyard demo resumed (the demo's token and API key are in"
        " data/demo-credentials.json). New ones:",
        "  scripts/chargeyard token create --org demo --role admin --data-dir data",
        "  scripts/chargeyard apikey create --name me --org demo --data-dir data",
    ]


def test_the_commands_name_the_lab_s_database_and_quote_what_the_shell_would_split() -> None:
    credentials = Credentials(
        "chargeyard", "demo", Path("my lab"), "postgresql://lab:s3cret@db.example/lab"
    )
    assert credentials.token_command() == (
        "chargeyard token create --org demo --role admin --data-dir 'my lab'"
    )
    assert credentials.api_key_command() == (
        "chargeyard apikey create --name me --org demo"
        " --database-url 'postgresql://lab:***@db.example/lab'"
    )


def test_a_used_link_is_followed_by_the_next() -> None:
    assert signed_in(LINK) == (
        f"chargeyard dashboard: a browser signed in; the next one signs in with {LINK}"
    )
