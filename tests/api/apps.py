"""The API application of a test: built once per test process and settings, with the test's state.

Every app of a process serves the same routes, built once (``api/routers.py``), but FastAPI
derives an app's OpenAPI document per application, on its first read (most of a second), and
builds its middleware stack on its first request. What it derives is a function of the code and
the settings only (the settings give the title and the body limit's middleware). So a test gets
the app built for its settings once in this process, carrying the ``state`` of an app that
:func:`create_app` made for this test: its store, registry, events, settings and the rest,
exactly as ``create_app`` sets them. Nothing a test can change outlives it; an app already in
use by the same test (two labs at once) is not shared.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI

from chargeyard.api import ApiSettings, create_app
from chargeyard.bus import CommandBus
from chargeyard.csms.events import EventHub
from chargeyard.csms.station_link import StationLink
from chargeyard.gateway.runtimes import ChargerRuntimes
from chargeyard.store import Store

# The apps this process built, by what of their settings shapes their routes: a test that
# uses two at once (a lab's and one of its own) gets two, each built once.
_built: dict[str, list[FastAPI]] = {}
_in_use: set[int] = set()


@contextmanager
def api_app(
    store: Store,
    registry: StationLink,
    settings: ApiSettings,
    events: EventHub | None = None,
    host: ChargerRuntimes | None = None,
    bus: CommandBus | None = None,
) -> Iterator[FastAPI]:
    """``create_app(store, registry, settings, events=..., host=..., bus=...)`` for the length
    of the block, on an app this process already built for ``settings``."""
    fresh = create_app(store, registry, settings, events=events, host=host, bus=bus)
    with pooled_app(fresh, settings) as app:
        yield app


def _shape(settings: ApiSettings) -> str:
    """What of ``settings`` :func:`create_app` builds into the app itself (the rest is read
    from ``app.state.settings`` per request)."""
    return f"{settings.title}\n{settings.max_body_bytes}"


@contextmanager
def pooled_app(fresh: FastAPI, settings: ApiSettings) -> Iterator[FastAPI]:
    """An app this process built for ``settings`` and not in use now, carrying ``fresh``'s
    state, for the length of the block (``fresh`` itself when every one is in use, kept for
    the next test)."""
    built = _built.setdefault(_shape(settings), [])
    app = next((app for app in built if id(app) not in _in_use), None)
    if app is None:
        built.append(app := fresh)
    app.state = fresh.state
    _in_use.add(id(app))
    try:
        yield app
    finally:
        _in_use.discard(id(app))
