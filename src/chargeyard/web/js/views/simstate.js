// What the dashboard shows of one simulated charger of the gateway (GET /ocpp/chargers rows:
// {id, identity, ocpp_version "ocpp1.6", runtime {running, connection, registration,
// connectors [{evse_id, connector_id, status}]}, ...}), merged with what the built-in central
// system knows of the same identity (its chargeBoxId), which the event stream keeps live.

import { h } from "../dom.js";
import { versionFacts, versionName } from "../versions.js";
import { outlets } from "./parts.js";

export function chargerId(charger) {
  return charger.id || charger.charger_id;
}

export function versionLabel(charger) {
  const number = versionName(charger.ocpp_version);
  return number ? `OCPP ${number}` : "";
}

/** A line about the model: brand and model as the station booted, else the catalog slugs. */
export function modelLabel(charger, csms) {
  if (csms && (csms.vendor || csms.model)) return [csms.vendor, csms.model].filter(Boolean).join(" ");
  return [charger.brand_slug, charger.model_slug].filter(Boolean).join(" / ");
}

/**
 * The runtime's connectors in the central system's numbering: the gateway numbers 2.0.1's
 * way (EVSE n, connector 1 for a 1.6 connector n), the CSMS as each version does.
 */
function runtimeConnectors(charger) {
  const rows = (charger.runtime && charger.runtime.connectors) || [];
  const facts = versionFacts(charger.ocpp_version);
  const connectorNumbering = facts !== null && facts.numbering === "connector";
  return rows.map((c) =>
    connectorNumbering
      ? { connectorId: c.evse_id, evseId: null, status: c.status }
      : { connectorId: c.connector_id, evseId: c.evse_id, status: c.status },
  );
}

/** Online as the station itself sees it: connected and its boot accepted. */
function runtimeOnline(charger) {
  const runtime = charger.runtime;
  if (!runtime) return false;
  return runtime.running && runtime.connection === "open" && runtime.registration === "Accepted";
}

/**
 * The live state of a simulated charger: from the central system's model when it knows the
 * identity (live, by events), else from the gateway's last answer (polled).
 *
 * @returns {{csms, connectors, online: boolean, watts: number|null, live: boolean}}
 */
export function liveState(model, charger) {
  const csms = model.chargers.get(charger.identity);
  // The CSMS's view counts while the station runs (a stopped runtime is offline even before
  // the CSMS noticed the socket go), or when this process hosts no runtime to ask.
  if (csms && (!charger.runtime || charger.runtime.running) && outlets(csms).length) {
    let watts = null;
    for (const row of model.transactions.values()) {
      if (row.chargeBoxId === charger.identity && row.status === "active" && row.powerW != null) {
        watts = (watts || 0) + row.powerW;
      }
    }
    return { csms, connectors: outlets(csms), online: csms.isOnline === true, watts, live: true };
  }
  return {
    csms,
    connectors: runtimeConnectors(charger),
    online: runtimeOnline(charger),
    watts: null,
    live: false,
  };
}

/** A short word for the runtime: what start/stop asked, and where the station is. */
export function runtimeLabel(charger) {
  const runtime = charger.runtime;
  if (!runtime || !runtime.running) {
    return charger.desired_state === "running" ? `starting (${charger.runtime_status})` : "runtime stopped";
  }
  if (runtime.connection !== "open") return `runtime ${runtime.connection}`;
  return runtime.registration === "Accepted" ? "running" : `boot ${runtime.registration}`;
}

/**
 * A badge on a charger whose station has faults applied now (POST /ocpp/chaos: network,
 * clock and firmware faults, a crowd's to come): how many, their kinds on hover. Null
 * without any.
 */
export function faultBadge(charger) {
  const faults = (charger.runtime && charger.runtime.faults) || [];
  if (!faults.length) return null;
  const kinds = [...new Set(faults.map((fault) => fault.kind))];
  return h(
    "span.badge.faults",
    { title: `Faults applied: ${kinds.join(", ")}`, dataset: { faults: String(faults.length) } },
    faults.length === 1 ? `fault: ${kinds[0]}` : `${faults.length} faults`,
  );
}
