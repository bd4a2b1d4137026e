// One charger as the central system sees it: connectors, its transactions, a power/energy
// plot of each running transaction (one per EVSE charging), on a 2.1 charger what it reported
// that 2.0.1 has no message for (reports21.js), the command panel and the OCPP frame log. When a transaction's next meter values are due comes from what is stored
// (sampling.js): opening the page sends the station nothing.

import { ago, fill, h, time } from "../dom.js";
import { transactionKey } from "../csms.js";
import { scheduler } from "../state.js";
import { versionFacts } from "../versions.js";
import { commandPanel } from "./commands.js";
import { FRAME_ACTIONS, frameLog } from "./frames.js";
import { connectorChip, meterText, outlets, problem, transactionsTable } from "./parts.js";
import { drawPlot, pointsFromSamples } from "./plot.js";
import { reports21Panel } from "./reports21.js";
import { askStation, intervalKey, observedSeconds, storedInterval } from "./sampling.js";

const RELOAD_EMPTY_MS = 2000; // how often a plot without points reads its meter values again

/**
 * When the next meter values of `transaction` are due, in words: from the interval the
 * station's configuration gives (stored, or asked), else from the spacing of those received.
 */
function nextSample(interval, transaction, points, online) {
  if (!online) return "meter values come when the station sends them (it is offline)";
  if (!interval || interval.looking) return "reading when meter values come…";
  if (interval.asking) return `asking the station for its ${interval.key}…`;
  const times = points.map((point) => new Date(point.t).getTime()).filter(Number.isFinite);
  const last = Math.max(new Date(transaction.startedAt).getTime(), ...times);
  let seconds = interval.seconds;
  let every = `every ${seconds} s, ${interval.key}`;
  if (seconds === null) {
    seconds = observedSeconds(points);
    if (seconds === null || seconds <= 0) return `meter values come when the station sends them (its ${interval.key} is not known)`;
    every = `about every ${seconds} s, as they came`;
  } else if (seconds <= 0) {
    return `the station sends no periodic meter values (${interval.key} 0)`;
  }
  const due = last + seconds * 1000;
  return due >= Date.now() - 2000
    ? `next meter values due ${time(new Date(due).toISOString())} (${every})`
    : `meter values were due ${time(new Date(due).toISOString())} (${every})`;
}

/** Where a transaction runs, as its chip names it: "2/1" (2.0.1 EVSE/connector) or "1". */
function placeOf(transaction) {
  return transaction.evseId ? `${transaction.evseId}/${transaction.connectorId}` : `${transaction.connectorId}`;
}

export function chargerView(root, { api, model, credentials }, chargeBoxId) {
  const head = h("div.charger-head");
  const connectors = h("div.connectors-large");
  const plotTitle = h("h2", {}, "Current transaction");
  const askButton = h("button.ask-interval", { type: "button", hidden: true, on: { click: () => ask() } }, "Ask the station");
  const plotsHost = h("div.plots");
  const txHost = h("div.panel-body");
  const panel = commandPanel(api, model, chargeBoxId);
  const reports21 = reports21Panel(api, chargeBoxId);
  const log = frameLog(
    async ({ action, after, replace }) => {
      const answer = await api.frames(chargeBoxId, { action: action || undefined, after, limit: 200 });
      return { rows: answer.frames, replace };
    },
    {
      actions: FRAME_ACTIONS,
      whole: async (row) => (await api.frame(chargeBoxId, row.id)).message,
      download: async () => ({ name: `${chargeBoxId}.trace.jsonl`, text: await api.trace(chargeBoxId) }),
    },
  );
  let history = [];
  // transaction key -> {base: points from the API, block: its title, plot and their host}
  const plots = new Map();

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
          h("section.panel.plot-panel", {}, h("header.panel-head", {}, plotTitle, askButton, h("span.plot-legend", {}, h("i.power"), "power", h("i.energy"), "energy")), plotsHost),
          h("section.panel", {}, h("header.panel-head", {}, h("h2", {}, "Transactions")), txHost),
          reports21.el,
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

  async function loadPlot(key, transaction) {
    const plot = plots.get(key);
    if (plot) {
      plot.loading = true;
      plot.loadedAt = Date.now();
    }
    try {
      const answer = await api.meterValues(transaction.transactionId, chargeBoxId);
      if (plot) plot.base = pointsFromSamples(answer.meterValues, transaction.meterStart);
    } catch {
      // live updates still draw
    } finally {
      if (plot) plot.loading = false;
    }
    schedule();
  }

  /** A plot opened as its transaction began may have read none of its first meter values: it
   * reads them again (every few seconds at most) until it has some, rather than wait for the
   * next ones, which may be a sample interval away. */
  function reloadIfEmpty(key, plot, current, points) {
    if (points.length || plot.loading || Date.now() - (plot.loadedAt || 0) < RELOAD_EMPTY_MS) return;
    loadPlot(key, current);
    setTimeout(schedule, RELOAD_EMPTY_MS);
  }

  /** The sample interval as stored (sampling.js), read once per charger: nothing is sent. */
  function readInterval(charger) {
    if (!charger.ocppVersion) return; // not booted as far as the page knows: read once it is
    const key = intervalKey(charger);
    if (!key) {
      // A version the dashboard does not know: no key to read, the spacing tells.
      model.sampleIntervals.set(chargeBoxId, { key: "sample interval", seconds: null, noKey: true });
      return;
    }
    model.sampleIntervals.set(chargeBoxId, { key, seconds: null, looking: true });
    storedInterval(api, charger)
      .catch(() => null)
      .then((found) => model.sampleIntervals.set(chargeBoxId, found || { key, seconds: null }))
      .then(schedule);
  }

  /** The user asked: the station answers (GetConfiguration, or a 2.0.1 GetReport). */
  async function ask() {
    const charger = model.chargers.get(chargeBoxId);
    const key = intervalKey(charger);
    model.sampleIntervals.set(chargeBoxId, { key, seconds: null, asking: true });
    schedule();
    try {
      model.sampleIntervals.set(chargeBoxId, await askStation(api, charger));
    } catch {
      model.sampleIntervals.set(chargeBoxId, { key, seconds: null, failed: true });
    }
    schedule();
  }

  /** One running transaction's plot: its title (where and how much) above its chart. */
  function drawTransaction(current, interval, online) {
    const key = transactionKey(chargeBoxId, current.transactionId);
    let plot = plots.get(key);
    if (!plot) {
      const title = h("h3.plot-title");
      const note = h("p.plot-note");
      const host = h("div.plot-host");
      const dataset = { transaction: current.transactionId, place: placeOf(current) };
      plot = { base: [], title, note, host, block: h("div.plot-block", { dataset }, title, note, host) };
      plots.set(key, plot);
      loadPlot(key, current);
    }
    const live = (model.samples.get(key) || [])
      .filter((s) => s.energyWh !== undefined || s.powerW !== undefined)
      .map((s) => ({ t: s.t, periodic: s.periodic, powerW: s.powerW, energyWh: s.energyWh === undefined ? undefined : s.energyWh - current.meterStart }));
    const lastBase = plot.base.length ? plot.base[plot.base.length - 1].t : "";
    const points = [...plot.base, ...live.filter((p) => p.t > lastBase)];
    reloadIfEmpty(key, plot, current, points);
    const due = nextSample(interval, current, points, online);
    fill(plot.title, `${placeOf(current)} · #${current.transactionId} · ${meterText(current.energyDelivered, current.powerW)}`);
    fill(plot.note, due);
    drawPlot(plot.host, points, { start: current.startedAt, waiting: `no meter values yet: ${due}` });
    return plot.block;
  }

  function render() {
    const charger = model.chargers.get(chargeBoxId);
    if (!charger) {
      if (model.loaded) fill(head, problem({ message: `No charger ${chargeBoxId} is registered.` }, "Charger"));
      else fill(head, credentials.value.apiKey ? "Loading…" : "Not signed in: the charger shows once the dashboard has an API key (the sign-in link, or Settings).");
      return;
    }
    const online = charger.isOnline;
    reports21.show(versionFacts(charger.ocppVersion), model.notices.get(chargeBoxId) || 0);
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

    const active = model
      .sortedTransactions((row) => row.chargeBoxId === chargeBoxId && row.status === "active")
      .sort((a, b) => (a.evseId || 0) - (b.evseId || 0) || a.connectorId - b.connectorId);
    if (active.length) {
      const known = model.sampleIntervals.get(chargeBoxId);
      if (online && (!known || (known.noKey && intervalKey(charger)))) readInterval(charger);
      const interval = model.sampleIntervals.get(chargeBoxId);
      const blocks = active.map((current) => drawTransaction(current, interval, online));
      const keys = new Set(active.map((row) => transactionKey(chargeBoxId, row.transactionId)));
      for (const key of [...plots.keys()]) if (!keys.has(key)) plots.delete(key);
      fill(plotTitle, active.length === 1 ? "Current transaction" : `${active.length} transactions running`);
      askButton.hidden =
        !online || !interval || interval.looking || interval.asking || interval.noKey || (interval.seconds !== null && !interval.failed);
      fill(plotsHost, blocks);
    } else {
      fill(plotTitle, "Current transaction");
      fill(plotsHost, h("p.empty", {}, "No transaction running on this charger."));
      askButton.hidden = true;
      plots.clear();
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

  // What is stored may have changed since this charger was last shown: read it again.
  if (!model.sampleIntervals.get(chargeBoxId)?.asking) model.sampleIntervals.delete(chargeBoxId);
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
