"""The central system's API, ``/api/v1``: its routes, request and response bodies, and
dependencies. Callers authenticate with ``X-API-Key`` (``api/deps.py``)."""

API_PREFIX = "/api/v1"
"""Where ``api/app.py`` mounts these routes."""
