"""The simulator gateway's API, ``/ocpp``: its routes, request and response bodies, and
dependencies. Callers authenticate with a Bearer JWT (``auth.py``); the gateway itself, without
HTTP, is ``chargeyard.gateway``."""
