// The central system's API, /api/v1 (X-API-Key). Paths and bodies as the API documents them.

import { request } from "./http.js";

const BASE = "/api/v1";
const PAGE = 100;

export class ApiV1 {
  /** @param {() => string} key the current API key (settings may change it) */
  constructor(key) {
    this.key = key;
  }

  call(path, options = {}) {
    return request(`${BASE}${path}`, {
      ...options,
      headers: { "X-API-Key": this.key() || "" },
    });
  }

  /** Every charger, paging through the list. */
  async chargers() {
    const all = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.call("/chargers", { query: { limit: PAGE, offset } });
      all.push(...page.data);
      if (all.length >= page.total || page.data.length === 0) return all;
    }
  }

  charger(id) {
    return this.call(`/chargers/${encodeURIComponent(id)}`);
  }

  frames(id, { action, after, limit = 200 } = {}) {
    return this.call(`/chargers/${encodeURIComponent(id)}/frames`, {
      query: { action, after, limit },
    });
  }

  // One frame whole (a list cuts a long frame and marks it `truncated`).
  frame(id, frameId) {
    return this.call(`/chargers/${encodeURIComponent(id)}/frames/${encodeURIComponent(frameId)}`);
  }

  transactions({ chargeBoxId, status, limit = 50 } = {}) {
    return this.call("/transactions", { query: { chargeBoxId, status, limit } });
  }

  meterValues(transactionId, chargeBoxId) {
    return this.call(`/transactions/${encodeURIComponent(transactionId)}/meter-values`, {
      query: { chargeBoxId, limit: 1000 },
    });
  }

  /** A charger command: `path` is reset, trigger, configuration/get, availability, ... */
  command(id, path, body) {
    return this.call(`/chargers/${encodeURIComponent(id)}/${path}`, { method: "POST", body });
  }

  /** The newest calls the API sent the charger (the command history). */
  commandHistory(id, limit = 10) {
    return this.call(`/chargers/${encodeURIComponent(id)}/commands`, { query: { limit } });
  }

  remoteStart(id, connectorId, idTag) {
    return this.command(id, "remote-start", { connectorId, idTag });
  }

  remoteStop(transactionId, chargeBoxId) {
    return this.call(`/transactions/${encodeURIComponent(transactionId)}/stop`, {
      method: "POST",
      query: { chargeBoxId },
    });
  }

  /** The live event stream's URL (a browser cannot set headers on a WebSocket). */
  eventsUrl() {
    const url = new URL(`${BASE}/events`, window.location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("apiKey", this.key() || "");
    return url.toString();
  }
}
