"""How often a transaction's meter values come, as the charger page infers it when the
station's sample interval is not known (web/js/views/sampling.js ``observedSeconds``), run in
Node without a browser: only the periodic readings count. A Started event's reading and a
clock-aligned one at the quarter hour may come seconds apart; they say nothing of the
interval (1.6 section 7.45, 2.0.1 ReadingContextEnumType: no context is Sample.Periodic)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.web.node_script import run_node

pytestmark = pytest.mark.slow

JS = Path(__file__).resolve().parents[2] / "src" / "chargeyard" / "web" / "js"

SCRIPT = """
const { pointsFromSamples } = await import(process.argv[1]);
const { observedSeconds } = await import(process.argv[2]);
const { CsmsModel } = await import(process.argv[3]);
const sample = (timestamp, value, context) => ({
  timestamp, value, context, measurand: "Energy.Active.Import.Register", unit: "Wh", phase: null,
});
const spacing = (samples) => observedSeconds(pointsFromSamples(samples));
const begin = sample("2026-11-29T08:44:57.000Z", 0, "Transaction.Begin");
const clock = sample("2026-11-29T08:45:00.000Z", 9, "Sample.Clock");
const periodic = sample("2026-11-29T08:45:57.000Z", 180, "Sample.Periodic");
const unnamed = sample("2026-11-29T08:46:57.000Z", 360, null);
const trigger = sample("2026-11-29T08:47:00.000Z", 369, "Trigger");

// The live stream's readings: the event tells the newest sample's context.
const model = new CsmsModel({}, { on: () => {}, onReady: () => {} });
model.transactions.set("CP-1#7", { meterStart: 0, startedAt: begin.timestamp });
const live = (timestamp, context) => {
  const data = { transactionId: "7", energyWh: 1, timestamp, ...(context ? { context } : {}) };
  model.transactionUpdated("CP-1", data, timestamp);
};
live(clock.timestamp, "Sample.Clock");
live(periodic.timestamp, "Sample.Periodic");
live(unnamed.timestamp, null);
const livePoints = [...model.samples.values()][0];

console.log(JSON.stringify({
  beginAndClock: spacing([begin, clock]),
  onePeriodic: spacing([begin, clock, periodic]),
  twoPeriodic: spacing([begin, clock, periodic, unnamed, trigger]),
  live: livePoints.map((point) => point.periodic),
  liveSpacing: observedSeconds(livePoints),
}));
"""


def test_only_periodic_readings_say_how_often_meter_values_come() -> None:
    modules = [JS / "views" / "plot.js", JS / "views" / "sampling.js", JS / "csms.js"]
    assert json.loads(run_node(SCRIPT, *(m.as_uri() for m in modules))) == {
        "beginAndClock": None,
        "onePeriodic": None,
        "twoPeriodic": 60,
        "live": [False, True, True],
        "liveSpacing": 60,
    }
