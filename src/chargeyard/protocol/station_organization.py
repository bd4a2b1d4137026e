"""The organization a station of chargeyard's simulator gateway belongs to, said in its opening
handshake.

A central system knows a station by the identity in its URL alone (OCPP-J 1.6 section 3.1.1,
OCPP 2.0.1 part 4 section 3.1.1). The lab's own central system keeps each station in one
organization, and the gateway runs the simulated chargers of every organization; so each of
its stations says whose it is, in the ``X-Chargeyard-Organization`` header of its opening
handshake, and the central system refuses one that comes as another organization's station
(``csms/claims.py``), whatever URL, name or network profile brought it there.

The header lets no station in: a station without it is judged as any other, and one that
names its station's own organization gains nothing by it. The value is the organization's id,
percent-encoded (an id is any text; a header line is not).
"""

from __future__ import annotations

from urllib.parse import quote, unquote

ORGANIZATION_HEADER = "X-Chargeyard-Organization"


def organization_header(organization_id: str) -> tuple[str, str]:
    """The header a station of ``organization_id`` sends."""
    return ORGANIZATION_HEADER, quote(organization_id, safe="")


def claimed_organization(value: str) -> str:
    """The organization a header's value names."""
    return unquote(value)
