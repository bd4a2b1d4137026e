// One simulated charger of the gateway, acted on as a person at the station would: plug,
// unplug, start and stop a session, unlock, inject and clear a fault, and its runtime
// (start/stop/restart); and as a tester would, with the simulator's controls (simcontrols.js). Each command's queued answer is followed to its outcome
// (GET /ocpp/commands/{id}) and said in words (outcome.js). Below: the charger's OCPP log as
// the station sent and received it (GET /ocpp/chargers/{id}/logs; "Download trace" saves it
// whole as a trace, GET /ocpp/chargers/{id}/trace) and the plot of its running
// transaction: what the CSMS measured, with the station's own meter readings laid over it.
//
// Connector statuses come live from the CSMS's event stream when the charger points at the
// built-in CSMS; the gateway's charger is re-read every few seconds only as a fallback.
// While a session runs, the charger is re-read every METER_POLL_MS for the station's own
// meter (runtime.evses): the energy and the plot move between the meter values the station
// sends (every MeterValueSampleInterval / TxUpdatedInterval seconds, a minute in many
// templates), which is all the CSMS knows.

import { field, fill, h } from "../dom.js";
import { transactionKey } from "../csms.js";
import { debounce, scheduler } from "../state.js";
import { answerBox } from "./answer.js";
import { frameLog } from "./frames.js";
import { loggedTransaction } from "./logmeter.js";
import { outcomeWords, PENDING } from "./outcome.js";
import { connectorChip, meterText, problem } from "./parts.js";
import { drawPlot, pointsFromSamples } from "./plot.js";
import { simControls } from "./simcontrols.js";
import { chargerId, faultBadge, liveState, modelLabel, runtimeLabel, versionLabel } from "./simstate.js";

const FAULTS = ["GroundFailure", "HighTemperature", "OverCurrentFailure", "PowerMeterFailure", "ConnectorLockFailure", "OtherError"];
const ACTIONS = ["StatusNotification", "StartTransaction", "StopTransaction", "TransactionEvent", "MeterValues", "Authorize", "BootNotification", "Heartbeat"];
const OUTCOME_EVERY_MS = 300;
const OUTCOME_FOR_MS = 30000;
const FALLBACK_POLL_MS = 3000;
const SLOW_POLL_MS = 15000;
const METER_POLL_MS = 2000;
const READINGS_KEPT = 2000;
const RUNTIME = [
  ["start-charger", "Start"],
  ["stop-charger", "Stop"],
  ["restart-charger", "Restart"],
];

/** Points of two sources of the same meter, in time order. */
function merge(base, more) {
  const at = (point) => new Date(point.t).getTime();
  return [...base, ...more].sort((a, b) => at(a) - at(b));
}

/** The gateway numbers connectors the 2.0.1 way: a 1.6 connector n is EVSE n, connector 1. */
function gatewayPlace(connector) {
  return connector.evseId
    ? { evse_id: connector.evseId, connector_id: connector.connectorId }
    : { evse_id: connector.connectorId, connector_id: 1 };
}

function connectorKey(connector) {
  return connector.evseId ? `${connector.evseId}/${connector.connectorId}` : String(connector.connectorId);
}

function connectorName(connector) {
  return connector.evseId ? `EVSE ${connector.evseId} connector ${connector.connectorId}` : `connector ${connector.connectorId}`;
}

export function simChargerView(root, { gateway, api, model, stream }, id) {
  let charger = null;
  let failure = null;
  let plotted = null;
  let logged = null; // the running transaction from the station's own log (another CSMS)
  const readings = new Map(); // transaction id -> [{t, energyWh, powerW}] of the station's meter
  let stopped = false;
  let timer = null;
  let generation = 0;
  const box = answerBox();
  const head = h("div.charger-head");
  const connectors = h("div.sim-connectors");
  const plotHost = h("div.plot-host");
  const plotTitle = h("h2", {}, "Current transaction");
  const idTag = h("input", { name: "id_tag", value: "DASHBOARD", maxlength: 20, "aria-label": "Id tag" });
  const kwh = h("input", { name: "target_energy_kwh", type: "number", min: 0, step: "0.1", placeholder: "until stopped", "aria-label": "Energy (kWh)" });
  const seconds = h("input", { name: "duration_seconds", type: "number", min: 1, placeholder: "until stopped", "aria-label": "Duration (s)" });
  const fault = h("select", { name: "error_code", "aria-label": "Fault" }, FAULTS.map((f) => h("option", { value: f }, f)));
  const faultInfo = h("input", { name: "info", maxlength: 50, placeholder: "none", "aria-label": "Fault info" });
  const controls = simControls({ send, chargerVersion: () => charger && charger.ocpp_version });
  // The gateway's log, newest first (order=desc): the last 200 frames in one request.
  let seen = -1;
  const log = frameLog(
    async ({ action, replace }) => {
      const answer = await gateway.logs(id, { event: action || undefined, limit: 200, order: "desc" });
      if (!replace && answer.total === seen) return { rows: [], replace: false };
      seen = answer.total;
      return { rows: answer.data, replace: true };
    },
    {
      actions: ACTIONS,
      whole: async (row) => (await gateway.log(id, row.id)).message,
      download: async () => ({ name: `${charger ? charger.identity : id}.trace.jsonl`, text: await gateway.trace(id) }),
    },
  );

  fill(
    root,
    h(
      "div.charger-view.sim-view",
      {},
      h(
        "p.crumbs",
        {},
        h("a", { href: "#/fleet" }, "Fleet"),
        " / ",
        id,
        " · ",
        h("a.manage-link", { href: `#/manage/chargers/${encodeURIComponent(id)}` }, "Edit or delete"),
      ),
      head,
      h(
        "div.charger-grid",
        {},
        h(
          "div.charger-main",
          {},
          h("section.panel", {}, h("header.panel-head", {}, h("h2", {}, "Connectors")), connectors),
          h("section.panel.plot-panel", {}, h("header.panel-head", {}, plotTitle), plotHost),
        ),
        h(
          "aside.panel.commands-panel",
          {},
          h("header.panel-head", {}, h("h2", {}, "Session settings")),
          h(
            "div.command-fields",
            {},
            field("Id tag", idTag),
            field("Energy (kWh)", kwh),
            field("Duration (s)", seconds),
            field("Fault to inject", fault),
            field("Fault info", faultInfo),
          ),
          h("header.panel-head.runtime-head", {}, h("h2", {}, "Runtime"), h("span.muted", {}, "the station's process")),
          h(
            "div.runtime-buttons",
            {},
            RUNTIME.map(([action, label]) =>
              h("button", { type: "button", dataset: { runtime: action }, on: { click: (e) => runtime(`${label} runtime`, action, e.currentTarget) } }, label),
            ),
          ),
          controls.el,
          box.el,
        ),
      ),
      log.el,
    ),
  );

  /** Follows a queued command to its outcome and says it; a newer command takes the box. */
  async function follow(what, queued, mine) {
    const until = Date.now() + OUTCOME_FOR_MS;
    while (!stopped && mine === generation && Date.now() < until) {
      let outcome;
      try {
        outcome = await gateway.commandStatus(queued.id);
      } catch (error) {
        if (mine === generation) box.error(`${what}: its outcome`, error);
        return;
      }
      if (mine !== generation) return;
      box.said(what, outcomeWords(outcome), outcome);
      if (!PENDING.has(outcome.status)) {
        load();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, OUTCOME_EVERY_MS));
    }
  }

  async function send(what, name, event, button) {
    const mine = ++generation;
    box.pending(what);
    button.disabled = true;
    try {
      const answer = await gateway.command(name, id, event);
      if (answer.failed && answer.failed.length) {
        // Not a failed request: the gateway says why this charger cannot take it (202).
        box.said(what, { kind: "error", words: `not sent: ${answer.failed.map((f) => f.error).join("; ")}` }, answer);
      } else if (answer.results && answer.results.length) {
        const queued = answer.results[0].command;
        box.said(what, outcomeWords({ status: "received", state: "queued" }), queued);
        follow(what, queued, mine);
      }
    } catch (error) {
      box.error(what, error);
    } finally {
      button.disabled = false;
    }
  }

  async function runtime(label, action, button) {
    ++generation;
    box.pending(label);
    button.disabled = true;
    try {
      const answer = await gateway.runtime(id, action);
      const words = { "start-charger": "the station is starting", "stop-charger": "the station is stopped", "restart-charger": "the station restarts" };
      box.said(label, { kind: "ok", words: `done: ${words[action]}` }, answer);
      load();
    } catch (error) {
      box.error(label, error);
    } finally {
      button.disabled = false;
    }
  }

  // Rows are made once per connector and only their state is redrawn: buttons replaced under
  // the pointer would lose a click between mousedown and mouseup.
  const rows = new Map();

  function connectorRow(connector) {
    const place = gatewayPlace(connector);
    const what = (label) => `${label} (${connectorName(connector)})`;
    const button = (label, name, extra = () => ({})) =>
      h(
        "button",
        { type: "button", dataset: { command: name }, on: { click: (e) => send(what(label), name, { ...place, ...extra() }, e.currentTarget) } },
        label,
      );
    const number = (input) => (input.value === "" ? undefined : Number(input.value));
    const stateEl = h("div.sim-connector-state");
    const el = h(
      "div.sim-connector",
      { dataset: { connector: connectorKey(connector) } },
      stateEl,
      h(
        "div.buttons",
        {},
        button("Plug", "plug-connector"),
        button("Unplug", "unplug-connector"),
        button("Start session", "start-session", () => ({
          id_tag: idTag.value || "DASHBOARD",
          target_energy_kwh: number(kwh),
          duration_seconds: number(seconds),
        })),
        button("Stop session", "stop-session"),
        button("Unlock", "unlock-connector"),
        button("Inject fault", "inject-fault", () => ({ error_code: fault.value, info: faultInfo.value || undefined })),
        button("Clear fault", "clear-fault"),
      ),
    );
    return { el, stateEl };
  }

  /** The running transactions as the station's own meter reads them, by gateway EVSE id. */
  function metered() {
    const found = new Map();
    const runtime = charger && charger.runtime;
    for (const evse of (runtime && runtime.evses) || []) {
      if (!evse.transaction) continue;
      found.set(evse.evse_id, {
        transactionId: String(evse.transaction.transaction_id),
        startedAt: evse.transaction.started_at,
        energyWh: Math.max(0, evse.energy_wh - evse.transaction.meter_start_wh),
        powerW: evse.power_w,
        at: runtime.read_at,
      });
    }
    return found;
  }

  /** Keeps each reading of a running transaction: the plot's live points. */
  function record() {
    for (const reading of metered().values()) {
      if (!reading.at) continue;
      const points = readings.get(reading.transactionId) || [];
      if (!points.length || points[points.length - 1].t !== reading.at) {
        points.push({ t: reading.at, energyWh: reading.energyWh, powerW: reading.powerW });
      }
      readings.set(reading.transactionId, points.slice(-READINGS_KEPT));
    }
  }

  /** The connector's running transaction, in the CSMS model's shape, its energy and power
   * as the station's meter reads them now when the gateway runs it. */
  function transactionOn(connector, state) {
    let transaction = null;
    if (state.live) transaction = model.activeOn(charger.identity, connector);
    else if (logged && logged.place.connectorId === connector.connectorId && (logged.place.evseId || 0) === (connector.evseId || 0)) {
      transaction = { transactionId: logged.transactionId, energyDelivered: logged.energyWh, powerW: logged.powerW, chargingState: logged.chargingState };
    }
    const meter = metered().get(gatewayPlace(connector).evse_id);
    if (!meter || (transaction && String(transaction.transactionId) !== meter.transactionId)) return transaction;
    return { ...(transaction || { transactionId: meter.transactionId }), energyDelivered: meter.energyWh, powerW: meter.powerW };
  }

  function connectorState(row, connector, state) {
    const transaction = transactionOn(connector, state);
    fill(
      row.stateEl,
      connectorChip(connector, { online: state.online, transaction }),
      transaction
        ? h(
            "span.session-energy",
            {
              dataset: { energyWh: transaction.energyDelivered ?? "", chargingState: transaction.chargingState || "" },
              title: "This transaction: its charging state (2.0.1), the energy delivered so far and the power now",
            },
            [`#${transaction.transactionId}`, transaction.chargingState, meterText(transaction.energyDelivered, transaction.powerW)]
              .filter(Boolean)
              .join(" · "),
          )
        : null,
    );
  }

  function renderConnectors(state) {
    controls.connectors(state.connectors.map((c) => ({ key: connectorKey(c), label: connectorName(c), place: gatewayPlace(c) })));
    if (!state.connectors.length) {
      rows.clear();
      fill(
        connectors,
        h("p.empty", {}, charger.runtime && charger.runtime.running ? "Waiting for the station's first status…" : "The station is not running: start its runtime."),
      );
      return;
    }
    const keys = state.connectors.map(connectorKey);
    if (keys.join() !== [...rows.keys()].join()) {
      rows.clear();
      for (const connector of state.connectors) rows.set(connectorKey(connector), connectorRow(connector));
      fill(connectors, [...rows.values()].map((row) => row.el));
    }
    for (const connector of state.connectors) connectorState(rows.get(connectorKey(connector)), connector, state);
  }

  // Loads overlap (the poll, a presence event, a command's outcome): the newest started wins
  // and alone schedules the next, so that a slow older answer never undoes a newer one (a
  // session would vanish from view until the next poll) and there is one polling loop.
  let loads = 0;

  async function load() {
    clearTimeout(timer);
    const mine = ++loads;
    let answer = null;
    let error = null;
    try {
      answer = await gateway.charger(id);
    } catch (problem) {
      error = problem;
    }
    if (stopped || mine !== loads) return;
    charger = answer || charger;
    failure = error;
    if (charger && !failure) record();
    const live = charger && !failure && liveState(model, charger).live && stream.state.value === "live";
    if (charger && !failure && !liveState(model, charger).live) {
      let found = null;
      try {
        found = await loggedTransaction(gateway, id, charger.ocpp_version);
      } catch {
        // the frame log below says why
      }
      if (stopped || mine !== loads) return;
      logged = found;
    } else logged = null;
    schedule();
    const charging = !failure && metered().size > 0;
    timer = setTimeout(load, charging ? METER_POLL_MS : live ? SLOW_POLL_MS : FALLBACK_POLL_MS);
  }

  async function loadPlot(identity, transaction) {
    const key = transactionKey(identity, transaction.transactionId);
    plotted = { key, base: [] };
    try {
      const answer = await api.meterValues(transaction.transactionId, identity);
      if (plotted && plotted.key === key) plotted.base = pointsFromSamples(answer.meterValues, transaction.meterStart);
    } catch {
      // live updates still draw
    }
    schedule();
  }

  function render() {
    if (failure) {
      fill(head, problem(failure, "This simulated charger"));
      rows.clear();
      fill(connectors);
      return;
    }
    if (!charger) {
      fill(head, "Loading…");
      return;
    }
    const state = liveState(model, charger);
    controls.version();
    fill(
      head,
      h(
        "div.charger-title",
        { class: state.online ? "online" : "offline", dataset: { online: String(state.online) } },
        h("span.dot"),
        h("h1", {}, charger.identity),
        h("span.version", {}, versionLabel(charger)),
        h("span.presence", {}, state.online ? "online" : "offline"),
        faultBadge(charger),
        h("span.muted", {}, [modelLabel(charger, state.csms), runtimeLabel(charger), chargerId(charger)].filter(Boolean).join(" · ")),
        state.csms ? h("a.csms-link", { href: `#/charger/${encodeURIComponent(charger.identity)}` }, "as the CSMS sees it") : null,
      ),
    );
    renderConnectors(state);
    renderPlot(state);
  }

  /**
   * The running transaction's plot: what the CSMS measured (its meter values, live) or, for a
   * charger of another CSMS, what the station's frames say, with the station's own meter
   * readings laid over it, so that it moves between the samples the station sends.
   */
  function renderPlot(state) {
    const current = state.live
      ? model.sortedTransactions((r) => r.chargeBoxId === charger.identity && r.status === "active")[0]
      : null;
    let shown = null; // {transactionId, startedAt, energyWh, powerW, points}
    if (current) {
      const key = transactionKey(charger.identity, current.transactionId);
      if (!plotted || plotted.key !== key) loadPlot(charger.identity, current);
      const live = (model.samples.get(key) || []).map((s) => ({
        t: s.t,
        powerW: s.powerW,
        energyWh: s.energyWh === undefined ? undefined : s.energyWh - current.meterStart,
      }));
      const lastBase = plotted.base.length ? plotted.base[plotted.base.length - 1].t : "";
      shown = {
        transactionId: String(current.transactionId),
        startedAt: current.startedAt,
        energyWh: current.energyDelivered,
        powerW: current.powerW,
        points: [...plotted.base, ...live.filter((p) => p.t > lastBase)],
      };
    } else {
      plotted = null;
      if (!state.live && logged) {
        // Read from the station's own frames (another central system measures this one).
        shown = { transactionId: logged.transactionId, startedAt: logged.startedAt, energyWh: logged.energyWh, powerW: logged.powerW, points: logged.points };
      }
    }
    const meter = [...metered().values()].find((m) => !shown || m.transactionId === shown.transactionId);
    if (meter) {
      shown = shown || { transactionId: meter.transactionId, startedAt: meter.startedAt, points: [] };
      shown = { ...shown, energyWh: meter.energyWh, powerW: meter.powerW, points: merge(shown.points, readings.get(meter.transactionId) || []) };
    }
    if (shown) {
      fill(
        plotTitle,
        `Transaction #${shown.transactionId} · ${meterText(shown.energyWh, shown.powerW)}`,
        meter ? h("span.muted.plot-source", {}, " the station's meter, live") : null,
      );
      drawPlot(plotHost, shown.points, { start: shown.startedAt });
      return;
    }
    fill(plotTitle, "Current transaction");
    fill(
      plotHost,
      h(
        "p.empty",
        {},
        state.live || !charger.ws_url
          ? "No transaction running."
          : `No transaction running (read from the station's frames: it reports to ${charger.ws_url}).`,
      ),
    );
  }

  // Its (dis)connection or boot changed the runtime too: read the gateway again.
  const PRESENCE = new Set(["charger.connected", "charger.disconnected", "charger.boot"]);
  const refresh = debounce(load, 300);
  const unsubscribeEvents = stream.on((event) => {
    if (PRESENCE.has(event.event) && charger && event.chargeBoxId === charger.identity) refresh();
  });

  const schedule = scheduler(render);
  const unsubscribe = model.changed.subscribe(schedule);
  load();
  return () => {
    stopped = true;
    clearTimeout(timer);
    refresh.cancel();
    unsubscribe();
    unsubscribeEvents();
    log.stop();
  };
}
