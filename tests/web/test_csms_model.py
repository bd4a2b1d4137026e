"""The dashboard's CSMS model (web/js/csms.js) run in Node, without a browser: a charger read
from the API before its latest connected/disconnected event keeps the presence the event told.

Node is on every machine this suite runs on (the dashboard's browser tests need no more)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.node_script import run_node

pytestmark = pytest.mark.slow

CSMS_JS = Path(__file__).resolve().parents[2] / "src" / "chargeyard" / "web" / "js" / "csms.js"

SCRIPT = """
const { CsmsModel } = await import(process.argv[1]);
let release;
const api = {
  charger: () => new Promise((resolve) => { release = resolve; }),
  chargers: async () => [],
  transactions: async () => ({ data: [] }),
};
const stream = { on: (f) => { stream.apply = f; }, onReady: () => {} };
const model = new CsmsModel(api, stream);
const at = "2026-11-22T10:00:00.000Z";
model.chargers.set("CP-1", { chargeBoxId: "CP-1", isOnline: false, connectors: [] });
stream.apply({ event: "charger.connected", chargeBoxId: "CP-1", data: {}, timestamp: at });
// The read the connected event started is slow; the station goes meanwhile.
stream.apply({ event: "charger.disconnected", chargeBoxId: "CP-1", data: {}, timestamp: at });
release({ chargeBoxId: "CP-1", isOnline: true, connectors: [] });
await new Promise((resolve) => setTimeout(resolve, 0));
const afterRead = model.chargers.get("CP-1").isOnline;
// A late event of its last message does not bring it back either.
stream.apply({
  event: "connector.status_changed", chargeBoxId: "CP-1", timestamp: at,
  data: { connectorId: 1, status: "Available" },
});
console.log(JSON.stringify([afterRead, model.chargers.get("CP-1").isOnline]));
"""


def test_a_read_older_than_the_disconnection_does_not_bring_the_charger_back() -> None:
    assert run_node(SCRIPT, CSMS_JS.as_uri()).strip() == "[false,false]"
