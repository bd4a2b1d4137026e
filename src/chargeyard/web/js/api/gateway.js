// The simulator gateway, /ocpp (Bearer token): locations, the catalog, durable simulated
// chargers, their runtimes, commands and logs, in the gateway's snake_case shapes.

import { request } from "./http.js";

const BASE = "/ocpp";
const PAGE = 100;
// A process without the fleet host answers 503 on the charger and command routes, as does a
// cluster's API node that cannot reach Redis (the detail says which).
const MEANINGS = { 503: "The simulator gateway is unavailable" };

export class Gateway {
  /** @param {() => string} token the current bearer token */
  constructor(token) {
    this.token = token;
  }

  call(path, options = {}) {
    return request(`${BASE}${path}`, {
      ...options,
      headers: { Authorization: `Bearer ${this.token() || ""}` },
      meanings: MEANINGS,
      unavailable: [503],
    });
  }

  async all(path, query = {}) {
    const rows = [];
    for (let page = 1; ; page += 1) {
      const answer = await this.call(path, { query: { ...query, page, limit: PAGE } });
      rows.push(...answer.data);
      if (rows.length >= answer.total || answer.data.length === 0) return rows;
    }
  }

  locations() {
    return this.all("/locations");
  }

  createLocation(body) {
    return this.call("/locations", { method: "POST", body });
  }

  /** A partial update: only the fields in `body` change (null clears an optional one). */
  updateLocation(id, body) {
    return this.call(`/locations/${encodeURIComponent(id)}`, { method: "PUT", body });
  }

  deleteLocation(id) {
    return this.call(`/locations/${encodeURIComponent(id)}`, { method: "DELETE" });
  }

  brands() {
    return this.all("/catalog/brands");
  }

  models(brand) {
    return this.all(`/catalog/brands/${encodeURIComponent(brand)}/models`);
  }

  chargers(locationId) {
    return this.all("/chargers", locationId ? { location_id: locationId } : {});
  }

  charger(id) {
    return this.call(`/chargers/${encodeURIComponent(id)}`);
  }

  /** 202: stored, provisioned in the background (ChargerAcceptedResponse). */
  createCharger(body) {
    return this.call("/chargers", { method: "POST", body });
  }

  /** A partial update; the answer's `runtime_action` says what the running station did. */
  updateCharger(id, body) {
    return this.call(`/chargers/${encodeURIComponent(id)}`, { method: "PUT", body });
  }

  deleteCharger(id) {
    return this.call(`/chargers/${encodeURIComponent(id)}`, { method: "DELETE" });
  }

  /** start-charger, stop-charger or restart-charger. */
  runtime(id, action) {
    return this.call(`/chargers/${encodeURIComponent(id)}/${action}`, { method: "POST" });
  }

  /** POST /ocpp/commands/<name> for one charger (LocationCommandResponse). */
  command(name, chargerId, event) {
    const body = { target: { charger_id: chargerId } };
    if (event !== undefined) body.event = event;
    return this.call(`/commands/${name}`, { method: "POST", body });
  }

  commandStatus(id) {
    return this.call(`/commands/${encodeURIComponent(id)}`);
  }

  // order "desc": newest first, so the recent frames need no offset.
  /** The charger's frames as a trace: JSON lines (docs/traces.md), as text. */
  trace(id) {
    return this.call(`/chargers/${encodeURIComponent(id)}/trace`, { text: true });
  }

  logs(id, { event, limit = 200, offset = 0, order } = {}) {
    return this.call(`/chargers/${encodeURIComponent(id)}/logs`, {
      query: { event, limit, offset, order },
    });
  }

  // One log entry whole (a list cuts a long frame and marks it `truncated`).
  log(id, logId) {
    return this.call(`/chargers/${encodeURIComponent(id)}/logs/${encodeURIComponent(logId)}`);
  }
}
