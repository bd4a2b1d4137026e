"""The OCPP version as a column type: stored as its WebSocket subprotocol, read back as the
:class:`~chargeyard.protocol.VersionSpec` it selects.

The subprotocol (``ocpp1.6``, ``ocpp2.0.1``, ``ocpp2.1``: OCPP-J 1.6 section 3.1.2, 2.0.1 part
4 section 3.1.2) is the one spelling a row holds; revision 0015 rewrote the older spellings.
A row is read through :func:`~chargeyard.protocol.version_for`, a lookup in the table of
versions, so no code past the store meets a version as text.
"""

from __future__ import annotations

from sqlalchemy import Dialect, String
from sqlalchemy.types import TypeDecorator

from chargeyard.protocol import VersionSpec, version_for


class VersionColumn(TypeDecorator[VersionSpec]):
    """A :class:`VersionSpec`, stored as its subprotocol (``String(16)``). Binding anything
    else raises TypeError, so that text from a person or an API cannot reach a row unread."""

    impl = String(16)
    cache_ok = True

    def process_bind_param(self, value: VersionSpec | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, VersionSpec):
            raise TypeError(f"an OCPP version column takes a VersionSpec, not {value!r}")
        return value.subprotocol

    def process_result_value(self, value: str | None, dialect: Dialect) -> VersionSpec | None:
        """Raises:
        KeyError: a row holding no subprotocol of :data:`~chargeyard.protocol.VERSIONS`.
        """
        if value is None:
            return None
        return version_for(value)
