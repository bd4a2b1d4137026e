"""The dashboard's sign-in link: a one-time secret a browser exchanges for credentials.

Theory of operation
-------------------
The dashboard works with the ``X-API-Key`` of ``/api/v1`` and a bearer token of ``/ocpp``.
Handing those to whoever asks would make anyone who reaches the port an administrator (with
``--host 0.0.0.0``, anyone on the network). So, as notebook servers do, ``chargeyard up``
prints a link whose fragment holds a secret (``/dashboard/#signin=<secret>``):

* a browser never sends a URL's fragment in a request (RFC 3986 section 3.5), so the secret
  stays out of access logs, proxies and ``Referer`` headers;
* the page takes the secret out of its address bar and POSTs it once to
  ``/dashboard/sign-in``, which answers the credentials; the page keeps them in its
  ``localStorage`` and works from there on;
* the secret is single-use: redeeming it replaces it with a fresh one, which the lab prints
  for the next browser (:meth:`SignIn.when_renewed`); a wrong secret changes nothing;
* it lives in this process only: every start makes a new one, and a link from an earlier
  start signs nothing in;
* the comparison takes the same time wherever the strings differ (``hmac.compare_digest``),
  so the answer's timing tells nothing about the secret.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable

from pydantic import BaseModel

FRAGMENT = "signin"
"""``/dashboard/#signin=<secret>``: the fragment's key."""

SECRET_BYTES = 32
"""256 random bits: guessing is hopeless, so no attempt counter is needed."""


class DashboardCredentials(BaseModel):
    """What the dashboard signs in with: the ``X-API-Key`` of ``/api/v1`` and the bearer token
    of the ``/ocpp`` gateway."""

    apiKey: str | None = None
    token: str | None = None


def new_secret() -> str:
    """A fresh secret, URL-safe (it goes into a link as it is)."""
    return secrets.token_urlsafe(SECRET_BYTES)


class SignIn:
    """The current sign-in secret and what redeeming it gives.

    Args:
        issue: the credentials for a browser that signs in (called at each sign-in, so that
            a token's lifetime starts then).
        secret: where secrets come from (tests inject their own).
    """

    def __init__(
        self,
        issue: Callable[[], DashboardCredentials],
        *,
        secret: Callable[[], str] = new_secret,
    ) -> None:
        self._issue = issue
        self._new_secret = secret
        self._secret = secret()
        self._renewed: list[Callable[[], None]] = []

    @property
    def secret(self) -> str:
        return self._secret

    def link(self, dashboard_url: str) -> str:
        """The sign-in link to the dashboard at ``dashboard_url`` (``http://.../dashboard/``)."""
        return f"{dashboard_url}#{FRAGMENT}={self._secret}"

    def when_renewed(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after each sign-in, once the next secret is in place."""
        self._renewed.append(listener)

    def redeem(self, presented: str) -> DashboardCredentials | None:
        """The credentials if ``presented`` is the current secret (which is then replaced),
        else None (and nothing changes)."""
        if not hmac.compare_digest(presented.encode(), self._secret.encode()):
            return None
        self._secret = self._new_secret()
        credentials = self._issue()
        for listener in self._renewed:
            listener()
        return credentials
