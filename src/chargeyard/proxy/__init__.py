"""The recording proxy (``chargeyard proxy``, docs/proxy.md): it stands between real chargers
and a real central system, relays each charger on a connection of its own to the upstream its
route names (``routes.py``), passing the subprotocol and the credentials through
(``relay.py``, each connection a ``pipe.py``), and records every frame of each connection as
a trace (``recording.py``, the format of ``trace/format.py``), which ``chargeyard replay``
plays again. For a test it can hold or drop chosen actions on their way upstream
(``holds.py``) and send a charger a CALL of its own (:meth:`OcppProxy.inject`); while it runs,
its HTTP API and page (``api.py``) show the chargers and their frames live (``watch.py``) and
do the same for a user."""

from chargeyard.proxy.holds import Holds, Treatment
from chargeyard.proxy.pipe import INJECTED, InjectionFailed
from chargeyard.proxy.recording import Recorder
from chargeyard.proxy.relay import OcppProxy, ProxySettings
from chargeyard.proxy.routes import Route, RouteError, Routes, load_routes

__all__ = [
    "INJECTED",
    "Holds",
    "InjectionFailed",
    "OcppProxy",
    "ProxySettings",
    "Recorder",
    "Route",
    "RouteError",
    "Routes",
    "Treatment",
    "load_routes",
]
