// The central system's webhooks (/api/v1/webhooks): URLs its events are posted to, signed with
// a secret shown once, when the webhook is made. A row's Test posts a webhook.test event now;
// its Log shows the webhook's deliveries (newest first), the test's among them.

import { field, fill, h } from "../dom.js";
import { checkbox, formValues, shownOnce, when } from "./manage-fields.js";
import { resourceSection } from "./manage-kit.js";

// The event names a webhook may subscribe to (csms/events.py EventType); "*" is every event,
// including ones added later.
const EVENTS = [
  "charger.connected",
  "charger.disconnected",
  "charger.boot",
  "connector.status_changed",
  "transaction.started",
  "transaction.updated",
  "transaction.stopped",
  "charger.notification",
];
const ALL = "*";
const MIN_SECRET = 16;

function fields(row) {
  const chosen = new Set(row ? row.events : [ALL]);
  return [
    h(
      "label.field.wide",
      {},
      h("span", {}, "URL (the events are POSTed to it)"),
      h("input", { name: "url", type: "url", required: true, maxlength: 2048, value: row ? row.url : "", placeholder: "https://example.com/chargeyard" }),
    ),
    h(
      "fieldset.events",
      {},
      h("legend", {}, "Events"),
      checkbox("events", "every event (*)", chosen.has(ALL), { value: ALL }),
      EVENTS.map((name) => checkbox("events", name, chosen.has(name), { value: name })),
    ),
    field(
      row ? "New secret (empty: unchanged)" : "Secret (empty: generated)",
      h("input", { name: "secret", minlength: MIN_SECRET, maxlength: 128, autocomplete: "off" }),
    ),
    checkbox("active", "active (receives events)", row ? row.active : true),
  ];
}

function read(form, row) {
  const v = formValues(form);
  const events = v.events || [];
  if (!events.length) throw new Error("pick at least one event (or every event)");
  const body = { url: v.url, events: events.includes(ALL) ? [ALL] : events, active: v.active };
  if (v.secret) body.secret = v.secret;
  return body;
}

const DELIVERY_COLUMNS = [
  ["Created", (row) => when(row.createdAt)],
  ["Event", (row) => row.event],
  ["Status", (row) => h("span.badge", { dataset: { status: row.status } }, row.status)],
  ["HTTP", (row) => row.statusCode ?? "—"],
  ["Attempts", (row) => String(row.attempts)],
  ["Error or next attempt", (row) => row.lastError || (row.nextAttemptAt ? ["next ", when(row.nextAttemptAt)] : "—")],
];

/** The delivery log of one webhook at a time, under the list. */
function deliveryLog(api) {
  let shown = null;
  const title = h("h2", {}, "Deliveries");
  const body = h("div.delivery-body");
  const refresh = h("button", { type: "button", on: { click: () => load() } }, "Refresh");
  const el = h("section.panel.deliveries", { hidden: true }, h("header.panel-head", {}, title, refresh), body);

  async function load() {
    const webhook = shown;
    if (!webhook) return;
    try {
      const log = await api.deliveries(webhook.id);
      if (shown !== webhook) return;
      fill(
        body,
        log.data.length
          ? h(
              "div.table-scroll",
              {},
              h(
                "table.manage-table",
                {},
                h("thead", {}, h("tr", {}, DELIVERY_COLUMNS.map(([name]) => h("th", {}, name)))),
                h(
                  "tbody",
                  {},
                  log.data.map((row) =>
                    h(
                      "tr",
                      { dataset: { delivery: row.id, status: row.status, event: row.event } },
                      DELIVERY_COLUMNS.map(([name, cell]) => h("td", { dataset: { label: name } }, cell(row))),
                    ),
                  ),
                ),
              ),
            )
          : h("p.empty", {}, "Nothing delivered yet: send a test event."),
      );
    } catch (error) {
      if (shown === webhook) fill(body, h("div.notice.error", {}, `The delivery log: ${error.message}`));
    }
  }

  return {
    el,
    show(webhook) {
      shown = webhook;
      el.hidden = false;
      el.dataset.webhook = webhook.id;
      fill(title, "Deliveries to ", h("span.mono", {}, webhook.url));
      fill(body, h("p.empty", {}, "Loading…"));
      return load();
    },
    forget(id) {
      if (shown && shown.id === id) {
        shown = null;
        el.hidden = true;
      }
    },
  };
}

/** A test delivery's outcome in words. */
function delivered(delivery) {
  if (delivery.status === "delivered") return { kind: "ok", words: `delivered (HTTP ${delivery.statusCode})` };
  const why = delivery.lastError || (delivery.statusCode ? `the receiver answered HTTP ${delivery.statusCode}` : "no answer");
  return { kind: "error", words: `not delivered: ${why}` };
}

export function webhooksSection({ api }, editKey) {
  const log = deliveryLog(api);

  async function test(row, box, button) {
    const what = `Test event to ${row.url}`;
    box.pending(what);
    button.disabled = true;
    try {
      const delivery = await api.testWebhook(row.id);
      box.said(what, delivered(delivery), delivery);
      await log.show(row);
    } catch (error) {
      box.error(what, error);
    } finally {
      button.disabled = false;
    }
  }

  return resourceSection(
    {
      name: "webhooks",
      noun: "webhook",
      plural: "Webhooks",
      hint: "The central system posts its events to these URLs, each signed with the webhook's secret (X-Chargeyard-Signature).",
      columns: [
        ["URL", (row) => h("span", { title: row.url }, row.url), "mono wide"],
        ["Events", (row) => h("span", { title: row.events.join(", ") }, row.events.join(", "))],
        ["Active", (row) => (row.active ? "yes" : "no"), "narrow"],
      ],
      key: (row) => row.id,
      label: (row) => row.url,
      load: () => api.webhooks(),
      fields,
      read,
      create: (body) => api.createWebhook(body),
      update: (row, body) => api.updateWebhook(row.id, body),
      remove: async (row) => {
        await api.deleteWebhook(row.id);
        log.forget(row.id);
      },
      removeWords: ["Delete", (row) => `Delete the webhook to ${row.url} and its delivery log?`],
      once: (answer) =>
        shownOnce(
          "The signing secret",
          answer.secret,
          "Check each delivery's X-Chargeyard-Signature with it: sha256= and the HMAC-SHA256 of the timestamp, a dot and the body.",
        ),
      actions: (row, box) => [
        h("button", { type: "button", dataset: { action: "test" }, on: { click: (e) => test(row, box, e.currentTarget) } }, "Test"),
        h("button", { type: "button", dataset: { action: "log" }, on: { click: () => log.show(row) } }, "Log"),
      ],
      below: log.el,
    },
    { editKey },
  );
}
