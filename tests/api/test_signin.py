"""The dashboard's one-time sign-in secret (``api/signin.py``), without a server."""

from __future__ import annotations

import string
from collections.abc import Callable, Iterator

from chargeyard.api.signin import DashboardCredentials, SignIn, new_secret


def _secrets(*values: str) -> Callable[[], str]:
    supply: Iterator[str] = iter(values)
    return lambda: next(supply)


def _sign_in() -> tuple[SignIn, list[str]]:
    issued: list[str] = []

    def issue() -> DashboardCredentials:
        issued.append(f"token-{len(issued) + 1}")
        return DashboardCredentials(apiKey="cy_key", token=issued[-1])

    return SignIn(issue, secret=_secrets("first", "second", "third")), issued


def test_the_link_carries_the_secret_in_its_fragment() -> None:
    sign_in, _ = _sign_in()
    assert sign_in.link("http://127.0.0.1:8000/dashboard/") == (
        "http://127.0.0.1:8000/dashboard/#signin=first"
    )


def test_the_secret_signs_in_once_and_the_next_one_takes_its_place() -> None:
    sign_in, issued = _sign_in()
    heard: list[str] = []
    sign_in.when_renewed(lambda: heard.append(sign_in.secret))

    assert sign_in.redeem("first") == DashboardCredentials(apiKey="cy_key", token="token-1")
    assert sign_in.redeem("first") is None  # used
    assert heard == ["second"]
    assert sign_in.redeem("second") == DashboardCredentials(apiKey="cy_key", token="token-2")
    assert heard == ["second", "third"]
    assert issued == ["token-1", "token-2"]  # a token per sign-in, made then


def test_a_wrong_secret_changes_nothing() -> None:
    sign_in, issued = _sign_in()
    heard: list[str] = []
    sign_in.when_renewed(lambda: heard.append(sign_in.secret))

    for wrong in ("", "firs", "first ", "FIRST", "sécret", "first" * 100):
        assert sign_in.redeem(wrong) is None, wrong
    assert (sign_in.secret, issued, heard) == ("first", [], [])
    assert sign_in.redeem("first") is not None


def test_secrets_are_long_random_and_url_safe() -> None:
    made = {new_secret() for _ in range(50)}
    assert len(made) == 50
    for secret in made:
        assert len(secret) >= 43  # 256 bits in base64url
        assert set(secret) <= set(string.ascii_letters + string.digits + "-_")
