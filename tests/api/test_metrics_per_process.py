"""Each process's metrics as its own port serves them (``--metrics-port``): every sample
labelled with the process's node, and a process without an OCPP listener (an API node of a
cluster) reporting the stations online from the store rather than a connection count of 0."""

from __future__ import annotations

from pathlib import Path

import httpx

from chargeyard.api.metrics_port import metrics_app
from chargeyard.csms.registry import Registry
from chargeyard.metrics import Metrics
from chargeyard.protocol import V16, V201
from chargeyard.store import Store
from tests.migrated import migrated_sqlite_url
from tests.stack_lab import parse_samples

ONLINE = "chargeyard_stations_online"
CONNECTED = "chargeyard_csms_stations_connected"


async def scrape(metrics: Metrics) -> str:
    transport = httpx.ASGITransport(app=metrics_app(metrics))
    async with httpx.AsyncClient(transport=transport, base_url="http://metrics") as client:
        response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


async def test_every_sample_carries_the_node_label() -> None:
    metrics = Metrics()
    metrics.attach_csms(Registry())
    metrics.gateway_command("plug", "succeeded")
    metrics.node = "csms-1"

    samples = parse_samples(await scrape(metrics))

    assert samples
    assert all(dict(labels).get("node") == "csms-1" for _, labels in samples)
    key = frozenset({("event_type", "plug"), ("outcome", "succeeded"), ("node", "csms-1")})
    assert samples[("chargeyard_gateway_commands_total", key)] == 1
    assert samples[(CONNECTED, frozenset({("ocpp_version", "1.6"), ("node", "csms-1")}))] == 0


async def test_a_process_without_a_listener_reports_the_stations_online_at_any_node(
    tmp_path: Path,
) -> None:
    """Stations connected to the cluster's CSMS nodes are online in the shared store: an API
    node reports them there, and no count of its own (which would be 0)."""
    async with await Store.open(migrated_sqlite_url(tmp_path, "cluster.db")) as store:
        for n in range(3):
            await store.stations.set_online(f"CP-{n}", ocpp_version=V16)
        await store.stations.set_online("CS-0", ocpp_version=V201)
        await store.stations.set_online("CP-gone", ocpp_version=V16)
        await store.stations.set_offline("CP-gone")
        metrics = Metrics()
        metrics.attach_csms(None, store)
        metrics.node = "api-1"

        samples = parse_samples(await scrape(metrics))

    assert not any(name == CONNECTED for name, _ in samples)
    node = ("node", "api-1")
    assert samples[(ONLINE, frozenset({("ocpp_version", "1.6"), node}))] == 3
    assert samples[(ONLINE, frozenset({("ocpp_version", "2.0.1"), node}))] == 1
    assert samples[(ONLINE, frozenset({("ocpp_version", "2.1"), node}))] == 0
