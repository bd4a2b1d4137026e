"""The ``/api/v1`` routes: one module per resource, each with one ``router`` that carries the
whole ``/api/v1`` prefix and the API key, served in the order of :data:`ROUTERS`
(``api/routers.py``)."""

from fastapi import APIRouter

from chargeyard.api.v1.routes import (
    api_keys,
    certificates,
    charger_frames,
    charger_operations,
    chargers,
    chargers_commands,
    command_history,
    device_model,
    id_tags,
    operations_21,
    proxy,
    stream,
    transactions,
    webhooks,
)

ROUTERS: tuple[APIRouter, ...] = (
    chargers.router,
    chargers_commands.router,
    charger_operations.router,
    certificates.router,
    device_model.router,
    operations_21.router,
    charger_frames.router,
    command_history.router,
    transactions.router,
    id_tags.router,
    webhooks.router,
    stream.router,
    api_keys.router,
    proxy.router,
)
