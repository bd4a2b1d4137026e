"""A durable charger's security profile (OCPP 2.0.1 part 2 A00; the 1.6 security whitepaper,
section 2), as its row keeps it: ``config["security_profile"]``, 0 to 3.

The profile is how the station proves itself to its central system: 0 not at all, 1 HTTP Basic
over ``ws://``, 2 HTTP Basic over ``wss://``, 3 its TLS client certificate over ``wss://``.
Profiles 1 and 2 send the charger's password (``config["password"]``, the 1.6
AuthorizationKey); the URL's scheme says whether TLS is used. A row without a profile has the
one its URL and password make, as a runner's always had (``station/runtime.py``).
"""

from __future__ import annotations

from typing import Any

SECURITY_PROFILE_KEY = "security_profile"
"""The key of a charger's ``config`` holding its security profile."""

CERTIFIED = 3
"""The profile whose credential is the station's client certificate."""


def security_profile(config: dict[str, Any]) -> int | None:
    """The profile the row asks for, or None (the one its URL and password make).

    Raises:
        ValueError: the stored value is not a profile.
    """
    value = config.get(SECURITY_PROFILE_KEY)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= CERTIFIED:
        raise ValueError(f"config.{SECURITY_PROFILE_KEY} must be 0, 1, 2 or 3, not {value!r}")
    return value
