"""What a charging station's identity may be: the last segment of its OCPP-J URL
(``ws://host/ocpp/{identity}``) and the user-id of its HTTP Basic credentials.

OCPP 2.0.1 part 4 (the connection URL) types the identity as an identifierString of part 2
(the characters ``a-z A-Z 0-9 * - _ = : + | @ .``), without the colon, which HTTP Basic uses to
separate the user-id from the password (RFC 7617 section 2), and at most 48 characters long.
OCPP-J 1.6 gives no rule; chargeyard applies 2.0.1's to every version, so that an identity is
safe in a URL, a Basic user-id, a log line and a file name alike.

One more rule of our own: an identity of dots only (``.``, ``..``) is a dot-segment, which
URL normalisation removes (RFC 3986 section 5.2.4), so no station could be reached by it.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

__all__ = [
    "IDENTITY_CHARACTERS",
    "MAX_IDENTITY_LENGTH",
    "identity_in_path",
    "identity_problem",
    "loggable",
]

MAX_IDENTITY_LENGTH = 48

IDENTITY_CHARACTERS = "A-Za-z0-9*_=+|@.-"
"""The characters of an identity, as the inside of a regular expression's class."""

_IDENTITY = re.compile(f"[{IDENTITY_CHARACTERS}]+")


def identity_problem(identity: str) -> str | None:
    """Why ``identity`` is not a charging station identity, or None if it is one."""
    if not identity:
        return "the identity is empty"
    if len(identity) > MAX_IDENTITY_LENGTH:
        return f"the identity is longer than {MAX_IDENTITY_LENGTH} characters"
    if _IDENTITY.fullmatch(identity) is None:
        return (
            "the identity may hold only letters, digits and * - _ = + | @ . (an OCPP"
            " identifierString without ':')"
        )
    if identity.strip(".") == "":
        return "the identity is a dot-segment ('.' or '..'), which a URL cannot carry"
    return None


def loggable(identity: str) -> str:
    """``identity`` fit for a log line: as it is when valid, else escaped and cut, so that a
    refused one cannot forge a line (a newline), reorder text (an RTL override) or flood."""
    if identity_problem(identity) is None:
        return identity
    shown = ascii(identity[: MAX_IDENTITY_LENGTH * 2])
    return (
        shown if len(identity) <= MAX_IDENTITY_LENGTH * 2 else f"{shown}... ({len(identity)} chars)"
    )


def identity_in_path(path: str, prefix: str) -> str | None:
    """The identity a handshake's path names: its last non-empty segment after ``prefix``
    (which ends with ``/``), percent-decoded (under ``/ocpp/``: ``/ocpp/CP-1``, ``/ocpp/CP-1/``
    and ``/ocpp/site/CP-1`` all name CP-1, as OCPP-J 1.6 section 3.1.1 and 2.0.1 part 4 section
    3.2 put the identity last in the URL); None when there is none. Bytes that are not UTF-8
    stay encoded: the ``%`` fails the identity's rule, so two undecodable paths cannot fall on
    one identity."""
    path = path.split("?", 1)[0]
    if not path.startswith(prefix):
        return None
    segments = [segment for segment in path[len(prefix) :].split("/") if segment]
    if not segments:
        return None
    segment = segments[-1]
    try:
        return unquote(segment, errors="strict")
    except UnicodeDecodeError:
        return segment
