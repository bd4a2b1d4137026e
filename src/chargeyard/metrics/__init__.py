"""Prometheus metrics for ``GET /metrics``: what the CSMS and the simulated stations do.

``protocol.py`` counts OCPP messages and times round trips (fed by the sessions, per message);
``csms.py`` and ``fleet.py`` read live state when Prometheus scrapes; ``registry.py`` holds one
app's :class:`Metrics`. The protocol core never imports this package: it only knows the
:class:`~chargeyard.protocol.observer.SessionObserver` protocol.
"""

from chargeyard.metrics.protocol import DURATION_BUCKETS, ProtocolStats
from chargeyard.metrics.registry import Metrics, metrics_of

__all__ = ["DURATION_BUCKETS", "Metrics", "ProtocolStats", "metrics_of"]
