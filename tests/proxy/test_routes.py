"""The routes file: rules tried in order, the default upstream after them, and the files and
upstreams the proxy refuses to start with."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chargeyard.proxy import Route, RouteError, Routes, load_routes

RULES = """
[[route]]
match = "ACME-*"
upstream = "wss://csms.acme.example/ocpp/"
password = "acme-secret"

[[route]]
match = "CP-?"
upstream = "ws://127.0.0.1:9000/ocpp"
"""


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "routes.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_first_matching_rule_wins_then_the_default(tmp_path: Path) -> None:
    routes = load_routes(_file(tmp_path, RULES), "ws://default.example/ocpp")
    acme = routes.route_for("ACME-7")
    assert acme == Route("ACME-*", "wss://csms.acme.example/ocpp/", "acme-secret")
    assert acme.upstream_url("ACME-7") == "wss://csms.acme.example/ocpp/ACME-7"
    assert routes.route_for("CP-1") == Route("CP-?", "ws://127.0.0.1:9000/ocpp")
    default = routes.route_for("CP-12")  # ? is one character
    assert default is not None
    assert default.upstream == "ws://default.example/ocpp"
    assert routes.route_for("acme-7") is default  # globs are case-sensitive, as identities


def test_without_a_default_an_unmatched_charger_has_no_route(tmp_path: Path) -> None:
    routes = load_routes(_file(tmp_path, RULES), None)
    assert routes.route_for("XY-1") is None
    assert list(routes.upstreams) == ["wss://csms.acme.example/ocpp/", "ws://127.0.0.1:9000/ocpp"]
    assert load_routes(None, None) == Routes()


def test_a_password_is_not_shown_in_a_routes_repr(tmp_path: Path) -> None:
    routes = load_routes(_file(tmp_path, RULES), None)
    assert "acme-secret" not in repr(routes)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('[[route]]\nmatch = "CP-*"\nupstream = "http://x/ocpp"\n', "not a ws:// or wss:// URL"),
        (
            '[[route]]\nmatch = "CP-*"\nupstream = "ws://cp:pw@x/ocpp"\n',
            "an upstream URL carries no credentials",
        ),
        ('[[route]]\nmatch = "CP-*"\nupstream = "ws://x/ocpp?a=1"\n', "no query or fragment"),
        ('[[route]]\nupstream = "ws://x/ocpp"\n', "match must be a glob"),
        ('[[route]]\nmatch = "*"\nupstream = "ws://x"\nuser = "u"\n', "unknown keys ['user']"),
        ('[[routes]]\nmatch = "*"\n', "unknown keys ['routes']"),
        ("[[route]\n", "routes.toml"),
    ],
)
def test_a_rule_the_proxy_cannot_use_stops_it(tmp_path: Path, text: str, why: str) -> None:
    with pytest.raises(RouteError, match=r"routes\.toml") as error:
        load_routes(_file(tmp_path, text), None)
    assert why in str(error.value)


def test_a_default_upstream_with_credentials_is_refused_without_showing_them() -> None:
    with pytest.raises(RouteError) as error:
        load_routes(None, "ws://CP-1:hunter22@csms.example/ocpp")
    assert "--upstream" in str(error.value)
    assert "hunter22" not in str(error.value)


def test_an_identity_goes_last_in_the_upstreams_path_encoded_where_a_path_needs_it() -> None:
    route = Route("*", "ws://csms.example/ocpp/")
    assert route.upstream_url("CP*1+=@.x_-") == "ws://csms.example/ocpp/CP*1+=@.x_-"
    assert route.upstream_url("CP|1") == "ws://csms.example/ocpp/CP%7C1"


def test_the_documented_routes_file_reads_as_documented(tmp_path: Path) -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "proxy.md").read_text()
    [example] = re.findall(r"```toml\n(.*?)```", page, re.DOTALL)
    routes = load_routes(_file(tmp_path, example), "wss://csms.example/ocpp")
    assert routes.route_for("ACME-1") == Route("ACME-*", "wss://csms.acme.example/ocpp")
    assert routes.route_for("CP-7") == Route(
        "CP-7", "ws://127.0.0.1:9000/ocpp", "cp7-basic-password"
    )
    fallback = routes.route_for("CP-8")
    assert fallback is not None
    assert fallback.upstream == "wss://csms.example/ocpp"
