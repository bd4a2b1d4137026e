// One charger as the central system sees it: connectors, its transactions, a power/energy
// plot of the running transaction, the command panel and the OCPP frame log.
//
// The central system knows a session's energy only from the meter values the station sends,
// every MeterValueSampleInterval (1.6 section 9.1.16) or SampledDataCtrlr.TxUpdatedInterval
// (2.0.1 J02) seconds: often a minute. So that the first minute does not look broken, the
// view says when the next ones are due: it reads that key from the station once (a
// GetConfiguration, or a 2.0.1 GetReport, seen in the frame log) while a transaction runs.

import { ago, fill, h, time } from "../dom.js";
import { transactionKey } from "../csms.js";
import { scheduler } from "../state.js";
import { versionFacts } from "../versions.js";
import { commandPanel } from "./commands.js";
import { frameLog } from "./frames.js";
import { connectorChip, meterText, outlets, problem, transactionsTable } from "./parts.js";
import { drawPlot, pointsFromSamples } from "./plot.js";

const ACTIONS = [
  "BootNotification",
  "Heartbeat",
  "StatusNotification",
  "Authorize",
  "StartTransaction",
  "StopTransaction",
  "TransactionEvent",
  "MeterValues",
  "Reset",
  "TriggerMessage",
  "GetConfiguration",
  "ChangeConfiguration",
  "ChangeAvailability",
  "DataTransfer",
  "RemoteStartTransaction",
  "RemoteStopTransaction",
];

/** The station's sample interval: {key, seconds} (seconds null: not known); asked once. */
async function sampleInterval(api, model, charger) {
  const known = model.sampleIntervals.get(charger.chargeBoxId);
  if (known) return known;
  const facts = versionFacts(charger.ocppVersion);
  if (!facts) return null; // a version the dashboard does not know: no key to ask for
  const key = facts.sampleIntervalKey;
  const asking = { key, seconds: null, asking: true };
  model.sampleIntervals.set(charger.chargeBoxId, asking);
  try {
    const answer = await api.command(charger.chargeBoxId, "configuration/get", { key: [key] });
    const row = (answer.configurationKey || []).find((item) => item.key === key);
    const seconds = row && row.value !== null && row.value !== "" ? Number(row.value) : NaN;
    const found = { key, seconds: Number.isFinite(seconds) ? seconds : null };
    model.sampleIntervals.set(charger.chargeBoxId, found);
    return found;
  } catch {
    model.sampleIntervals.set(charger.chargeBoxId, { key, seconds: null });
    return null;
  }
}

/** When the next meter values of `transaction` are due, in words. */
function nextSample(interval, transaction, points) {
  if (!interval) return "meter values come when the station sends them (it is offline)";
  if (interval.asking) return `asking the station for its ${interval.key}…`;
  if (interval.seconds === null) return `meter values come when the station sends them (its ${interval.key} is not known)`;
  if (interval.seconds <= 0) return `the station sends no periodic meter values (${interval.key} 0)`;
  const times = points.map((point) => new Date(point.t).getTime()).filter(Number.isFinite);
  const last = Math.max(new Date(transaction.startedAt).getTime(), ...times);
  const due = last + interval.seconds * 1000;
  const every = `every ${interval.seconds} s, ${interval.key}`;
  return due >= Date.now() - 2000
    ? `next meter values due ${time(new Date(due).toISOString())} (${every})`
    : `meter values were due ${time(new Date(due).toISOString())} (${every})`;
}

export function chargerView(root, { api, model, credentials }, chargeBoxId) {
  const head = h("div.charger-head");
  const connectors = h("div.connectors-large");
  const plotHost = h("div.plot-host");
  const plotTitle = h("h2", {}, "Current transaction");
  const plotNote = h("p.plot-note");
  const txHost = h("div.panel-body");
  const panel = commandPanel(api, model, chargeBoxId);
  const log = frameLog(
    async ({ action, after, replace }) => {
      const answer = await api.frames(chargeBoxId, { action: action || undefined, after, limit: 200 });
      return { rows: answer.frames, replace };
    },
    { actions: ACTIONS, whole: async (row) => (await api.frame(chargeBoxId, row.id)).message },
  );
  let history = [];
  let plotted = null; // {key, base: points from the API}

  fill(
    root,
    h(
      "div.charger-view",
      {},
      h("p.crumbs", {}, h("a", { href: "#/central" }, "Central system"), " / ", chargeBoxId),
      head,
      h(
        "div.charger-grid",
        {},
        h(
          "div.charger-main",
          {},
          h("section.panel", {}, h("header.panel-head", {}, h("h2", {}, "Connectors")), connectors),
          h("section.panel.plot-panel", {}, h("header.panel-head", {}, plotTitle, h("span.plot-legend", {}, h("i.power"), "power", h("i.energy"), "energy")), plotNote, plotHost),
          h("section.panel", {}, h("header.panel-head", {}, h("h2", {}, "Transactions")), txHost),
        ),
        h("aside.panel.commands-panel", {}, h("header.panel-head", {}, h("h2", {}, "Commands")), panel.el),
      ),
      log.el,
    ),
  );

  async function loadHistory() {
    try {
      history = (await api.transactions({ chargeBoxId, limit: 20 })).data;
    } catch (error) {
      fill(txHost, problem(error, "Transactions"));
    }
    schedule();
  }

  async function loadPlot(transaction) {
    const key = transactionKey(chargeBoxId, transaction.transactionId);
    plotted = { key, base: [] };
    try {
      const answer = await api.meterValues(transaction.transactionId, chargeBoxId);
      if (plotted.key === key) plotted.base = pointsFromSamples(answer.meterValues, transaction.meterStart);
    } catch {
      // live updates still draw
    }
    schedule();
  }

  function render() {
    const charger = model.chargers.get(chargeBoxId);
    if (!charger) {
      if (model.loaded) fill(head, problem({ message: `No charger ${chargeBoxId} is registered.` }, "Charger"));
      else fill(head, credentials.value.apiKey ? "Loading…" : "Not signed in: the charger shows once the dashboard has an API key (the sign-in link, or Settings).");
      return;
    }
    const online = charger.isOnline;
    fill(
      head,
      h(
        "div.charger-title",
        { class: online ? "online" : "offline" },
        h("span.dot"),
        h("h1", {}, charger.chargeBoxId),
        h("span.version", {}, charger.ocppVersion ? `OCPP ${charger.ocppVersion}` : ""),
        h("span.presence", {}, online ? "online" : "offline"),
      ),
      h(
        "dl.facts",
        {},
        [
          ["Vendor", charger.vendor],
          ["Model", charger.model],
          ["Firmware", charger.firmwareVersion],
          ["Serial", charger.serialNumber],
          ["Registration", charger.registrationStatus],
          ["Heartbeat", charger.lastHeartbeat ? ago(charger.lastHeartbeat) : "none yet"],
          ["Connected", online ? ago(charger.connectedAt) : "—"],
        ].map(([name, value]) => h("div", {}, h("dt", {}, name), h("dd", {}, value || "—"))),
      ),
    );
    fill(
      connectors,
      outlets(charger).length
        ? outlets(charger).map((connector) => {
            const transaction = model.activeOn(chargeBoxId, connector);
            return h(
              "div.connector-card",
              {},
              connectorChip(connector, { online, transaction }),
              h(
                "p.connector-detail",
                {},
                transaction
                  ? `#${transaction.transactionId} · ${meterText(transaction.energyDelivered, transaction.powerW)}`
                  : connector.errorCode && connector.errorCode !== "NoError"
                    ? connector.errorCode
                    : "idle",
              ),
            );
          })
        : h("p.empty", {}, "No connector has reported yet."),
    );

    const active = model.sortedTransactions((row) => row.chargeBoxId === chargeBoxId && row.status === "active");
    const current = active[0] || null;
    if (current) {
      const key = transactionKey(chargeBoxId, current.transactionId);
      if (!plotted || plotted.key !== key) loadPlot(current);
      fill(plotTitle, `Transaction #${current.transactionId} · ${meterText(current.energyDelivered, current.powerW)}`);
      const live = (model.samples.get(key) || [])
        .filter((s) => s.energyWh !== undefined || s.powerW !== undefined)
        .map((s) => ({ t: s.t, powerW: s.powerW, energyWh: s.energyWh === undefined ? undefined : s.energyWh - current.meterStart }));
      const lastBase = plotted.base.length ? plotted.base[plotted.base.length - 1].t : "";
      const points = [...plotted.base, ...live.filter((p) => p.t > lastBase)];
      if (online && !model.sampleIntervals.has(chargeBoxId)) sampleInterval(api, model, charger).then(schedule);
      const due = nextSample(model.sampleIntervals.get(chargeBoxId), current, points);
      plotNote.hidden = false;
      fill(plotNote, due);
      drawPlot(plotHost, points, { start: current.startedAt, waiting: `no meter values yet: ${due}` });
    } else {
      fill(plotTitle, "Current transaction");
      fill(plotHost, h("p.empty", {}, "No transaction running on this charger."));
      plotNote.hidden = true;
      plotted = null;
    }

    // The API's history, with the live rows (started or updated since) laid over it.
    const rows = new Map(history.map((row) => [transactionKey(row.chargeBoxId, row.transactionId), row]));
    for (const row of model.sortedTransactions((r) => r.chargeBoxId === chargeBoxId)) {
      rows.set(transactionKey(row.chargeBoxId, row.transactionId), row);
    }
    const sorted = [...rows.values()].sort((a, b) => (b.startedAt || "").localeCompare(a.startedAt || ""));
    fill(txHost, transactionsTable(sorted.slice(0, 20), { showCharger: false, chargingState: (row) => model.chargingState(row) }));
    panel.refresh();
  }

  const schedule = scheduler(render);
  const unsubscribe = model.changed.subscribe(schedule);
  const clock = setInterval(schedule, 10000);
  loadHistory();
  render();
  return () => {
    unsubscribe();
    clearInterval(clock);
    log.stop();
  };
}
