// One charger as the central system sees it: connectors, its transactions, a power/energy
// plot of the running transaction, the command panel and the OCPP frame log.

import { ago, energy, fill, h, power } from "../dom.js";
import { transactionKey } from "../csms.js";
import { scheduler } from "../state.js";
import { commandPanel } from "./commands.js";
import { frameLog } from "./frames.js";
import { connectorChip, outlets, problem, transactionsTable } from "./parts.js";
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

export function chargerView(root, { api, model }, chargeBoxId) {
  const head = h("div.charger-head");
  const connectors = h("div.connectors-large");
  const plotHost = h("div.plot-host");
  const plotTitle = h("h2", {}, "Current transaction");
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
          h("section.panel.plot-panel", {}, h("header.panel-head", {}, plotTitle, h("span.plot-legend", {}, h("i.power"), "power", h("i.energy"), "energy")), plotHost),
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
      fill(head, model.loaded ? problem({ message: `No charger ${chargeBoxId} is registered.` }, "Charger") : "Loading…");
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
                  ? `#${transaction.transactionId} · ${energy(transaction.energyDelivered)} · ${power(transaction.powerW)}`
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
      fill(plotTitle, `Transaction #${current.transactionId} · ${energy(current.energyDelivered)} · ${power(current.powerW)}`);
      const live = (model.samples.get(key) || [])
        .filter((s) => s.energyWh !== undefined || s.powerW !== undefined)
        .map((s) => ({ t: s.t, powerW: s.powerW, energyWh: s.energyWh === undefined ? undefined : s.energyWh - current.meterStart }));
      const lastBase = plotted.base.length ? plotted.base[plotted.base.length - 1].t : "";
      drawPlot(plotHost, [...plotted.base, ...live.filter((p) => p.t > lastBase)], { start: current.startedAt });
    } else {
      fill(plotTitle, "Current transaction");
      fill(plotHost, h("p.empty", {}, "No transaction running on this charger."));
      plotted = null;
    }

    // The API's history, with the live rows (started or updated since) laid over it.
    const rows = new Map(history.map((row) => [transactionKey(row.chargeBoxId, row.transactionId), row]));
    for (const row of model.sortedTransactions((r) => r.chargeBoxId === chargeBoxId)) {
      rows.set(transactionKey(row.chargeBoxId, row.transactionId), row);
    }
    const sorted = [...rows.values()].sort((a, b) => (b.startedAt || "").localeCompare(a.startedAt || ""));
    fill(txHost, transactionsTable(sorted.slice(0, 20), { showCharger: false }));
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
