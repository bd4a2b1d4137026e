// The central system's API, /api/v1 (X-API-Key). Paths and bodies as the API documents them.

import { request } from "./http.js";

const BASE = "/api/v1";
const PAGE = 100;
// The central system's API is signed in with an API key, not the gateway's token.
const MEANINGS = { 403: "This API key is not allowed to do that" };
const PROXY_MEANINGS = {
  403: "Only an admin or platform API key reaches the proxy",
  502: "The proxy cannot be reached",
  504: "The proxy did not answer in time",
};

export class ApiV1 {
  /** @param {() => string} key the current API key (settings may change it) */
  constructor(key) {
    this.key = key;
  }

  call(path, options = {}) {
    return request(`${BASE}${path}`, {
      ...options,
      headers: { "X-API-Key": this.key() || "" },
      meanings: { ...MEANINGS, ...(options.meanings || {}) },
    });
  }

  /** Every row of a list that pages with limit and offset. */
  async all(path) {
    const all = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.call(path, { query: { limit: PAGE, offset } });
      all.push(...page.data);
      if (all.length >= page.total || page.data.length === 0) return all;
    }
  }

  chargers() {
    return this.all("/chargers");
  }

  charger(id) {
    return this.call(`/chargers/${encodeURIComponent(id)}`);
  }

  frames(id, { action, after, limit = 200 } = {}) {
    return this.call(`/chargers/${encodeURIComponent(id)}/frames`, {
      query: { action, after, limit },
    });
  }

  /** The whole frame log as a trace: JSON lines (docs/traces.md), as text. */
  trace(id) {
    return this.call(`/chargers/${encodeURIComponent(id)}/trace`, { text: true });
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

  /** The calls the API sent the charger (the command history), newest first: a page of
   * `limit` from `offset`, filtered by action, outcome, status and the window [from, to). */
  commandHistory(id, { limit = 10, offset = 0, action, outcome, status, from, to } = {}) {
    return this.call(`/chargers/${encodeURIComponent(id)}/commands`, {
      query: { limit, offset, action, outcome, status, from, to },
    });
  }

  /** One entry of the command history, whole. */
  sentCommand(commandId) {
    return this.call(`/commands/${encodeURIComponent(commandId)}`);
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

  idTags() {
    return this.all("/id-tags");
  }

  createIdTag(body) {
    return this.call("/id-tags", { method: "POST", body });
  }

  /** Absent fields stay, null clears one. */
  updateIdTag(idTag, body) {
    return this.call(`/id-tags/${encodeURIComponent(idTag)}`, { method: "PATCH", body });
  }

  deleteIdTag(idTag) {
    return this.call(`/id-tags/${encodeURIComponent(idTag)}`, { method: "DELETE" });
  }

  webhooks() {
    return this.all("/webhooks");
  }

  /** The answer holds the signing secret, the only time it is shown. */
  createWebhook(body) {
    return this.call("/webhooks", { method: "POST", body });
  }

  updateWebhook(id, body) {
    return this.call(`/webhooks/${encodeURIComponent(id)}`, { method: "PATCH", body });
  }

  deleteWebhook(id) {
    return this.call(`/webhooks/${encodeURIComponent(id)}`, { method: "DELETE" });
  }

  /** Posts a signed webhook.test event now; the answer is its delivery. */
  testWebhook(id) {
    return this.call(`/webhooks/${encodeURIComponent(id)}/test`, { method: "POST" });
  }

  /** The delivery log, newest first. */
  deliveries(id, limit = 50) {
    return this.call(`/webhooks/${encodeURIComponent(id)}/deliveries`, { query: { limit } });
  }

  /** Admin keys only (403 otherwise); not paged. */
  apiKeys() {
    return this.call("/api-keys");
  }

  /** The answer holds the key itself, the only time it is shown. */
  createApiKey(body) {
    return this.call("/api-keys", { method: "POST", body });
  }

  revokeApiKey(id) {
    return this.call(`/api-keys/${encodeURIComponent(id)}`, { method: "DELETE" });
  }

  // The recording proxy this server relays (/api/v1/proxy, docs/proxy.md): its words for a
  // proxy that cannot answer, not a charger's.
  proxy(path, options = {}) {
    return this.call(`/proxy${path}`, { ...options, meanings: PROXY_MEANINGS });
  }

  proxyChargers() {
    return this.proxy("/chargers");
  }

  /** Newest first; `after`: only the frames after that seq. */
  proxyFrames(identity, { after, limit = 200 } = {}) {
    return this.proxy(`/chargers/${encodeURIComponent(identity)}/frames`, { query: { after, limit } });
  }

  /** The trace of the charger's connection as the proxy recorded it, as text. */
  proxyTrace(identity) {
    return this.proxy(`/chargers/${encodeURIComponent(identity)}/trace`, { text: true });
  }

  proxyHolds() {
    return this.proxy("/holds");
  }

  /** `treatment`: "hold" or "drop"; `seconds`: none, until released. */
  proxyHold(action, treatment, seconds) {
    return this.proxy(`/holds/${encodeURIComponent(action)}`, { method: "PUT", body: { treatment, seconds } });
  }

  proxyRelease(action) {
    return this.proxy(`/holds/${encodeURIComponent(action)}`, { method: "DELETE" });
  }

  /** The live event stream's URL (a browser cannot set headers on a WebSocket). */
  eventsUrl() {
    const url = new URL(`${BASE}/events`, window.location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("apiKey", this.key() || "");
    return url.toString();
  }
}
