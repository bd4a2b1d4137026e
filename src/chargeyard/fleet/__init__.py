"""The simulated stations on a socket: the asyncio runner around the sans-I/O station.

``runtime.py`` runs one :class:`~chargeyard.station.core.SimulatedStation` on a WebSocket
(``connector.py``, ``security_profile.py``, ``link.py``, ``handshake.py``, ``reconnection.py``,
``connect_failures.py``), its timers (``scheduling.py``) and its file transfers
(``transfers.py``); ``fleet.py`` runs many on one loop (``fleet_status.py``: what it reports;
``autogen.py``: the drivers who come and charge; ``state_files.py``: a fleet kept across
restarts). The station itself (``chargeyard.station``) knows nothing of sockets or
tasks; this package is the only one that gives it a socket.
"""
