"""PostgreSQL text with U+0000 in it: every string stored and read back as it was given.

Theory of operation
-------------------
PostgreSQL's ``text`` and ``varchar`` cannot hold the character U+0000 ("invalid byte
sequence for encoding UTF8: 0x00"); SQLite stores it like any other. JSON allows it in any
string (``"\\u0000"``, RFC 8259 section 7), and OCPP's schemas do not forbid it, so a station
can send it in any field: a vendor name, an id tag, DataTransfer data. Refusing the message
would lose what the station reported, and the two stores would behave differently.

On PostgreSQL every connection therefore encodes ``text`` and ``varchar`` values with a codec
of its own (:func:`register`, set when the engine connects, ``engine.py``), so it holds for
every column, statement and repository alike, and reads give back the string that was stored:

- U+0000 is written as U+FFFE;
- U+FFFE itself as U+FFFF ``1``, and U+FFFF as U+FFFF ``2``.

U+FFFE and U+FFFF are Unicode noncharacters, "permanently reserved for internal use"
(Unicode 15, section 23.7): no text a station means to send holds them. The code is
prefix-free, so every stored string decodes to exactly one string. A string with U+0000 keeps
its length (a ``varchar(n)`` column holds what it held before); only one that holds a
noncharacter grows, by one character for each, and may then no longer fit a ``varchar(n)``
column whose length the schema's own bound reaches (a 1.6 ``vendorId`` of 255 characters).
A string with none of the three is passed on as it is, after a test that costs next to
nothing for ASCII text.

The JSON columns need no codec: PostgreSQL's ``json`` type keeps the text it is given, and
``\\u0000`` in it is an escape sequence, not the character.
"""

from __future__ import annotations

import re
from typing import Protocol

_NUL = "\x00"
_STAND_IN = "\ufffe"  # stands for U+0000
_ESCAPE = "\uffff"  # begins the two-character form of U+FFFE ("1") and U+FFFF ("2")

_ENCODING = str.maketrans({_NUL: _STAND_IN, _STAND_IN: f"{_ESCAPE}1", _ESCAPE: f"{_ESCAPE}2"})
_DECODING = {_STAND_IN: _NUL, f"{_ESCAPE}1": _STAND_IN, f"{_ESCAPE}2": _ESCAPE}
_ENCODED = re.compile(f"{_STAND_IN}|{_ESCAPE}[12]")

TEXT_TYPES = ("text", "varchar")
"""PostgreSQL's string types the models use (``Text``, ``String(n)``)."""


def encode(value: str) -> str:
    """``value`` as PostgreSQL can store it."""
    if _NUL in value or _STAND_IN in value or _ESCAPE in value:
        return value.translate(_ENCODING)
    return value


def decode(stored: str) -> str:
    """The string :func:`encode` made ``stored`` of."""
    if _STAND_IN in stored or _ESCAPE in stored:
        return _ENCODED.sub(lambda match: _DECODING[match[0]], stored)
    return stored


class _CodecConnection(Protocol):
    async def set_type_codec(
        self, typename: str, *, schema: str, encoder: object, decoder: object, format: str
    ) -> None: ...


async def register(connection: _CodecConnection) -> None:
    """Make ``connection`` (asyncpg) encode and decode every ``text`` and ``varchar`` value."""
    for typename in TEXT_TYPES:
        await connection.set_type_codec(
            typename, schema="pg_catalog", encoder=encode, decoder=decode, format="text"
        )
