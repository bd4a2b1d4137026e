"""asyncio adapters that run the sans-I/O protocol core over real WebSockets."""

from chargeyard.transport.connection import OcppConnection

__all__ = ["OcppConnection"]
