// The charger's command history (GET /chargers/{id}/commands): the calls the API sent it,
// newest first, a page at a time, filtered by action, outcome, status and time window; one
// entry opens whole (GET /commands/{id}): who sent it, the request, the answer or the error.

import { dateTime, fill, h, time } from "../dom.js";
import { localInput } from "./formkit.js";
import { pager, showPager } from "./parts.js";

const PAGE = 10;
// The outcomes of a call (api/v1/schemas/command_history.py Outcome).
const OUTCOMES = ["answered", "callError", "timeout", "invalidAnswer", "notConnected", "rejected", "unreachable", "failed"];

function json(value) {
  return JSON.stringify(value, null, 2);
}

/** "answered · Accepted": how a call ended, and the answer's status or CALLERROR code. */
function ending(entry) {
  return [entry.outcome, entry.status].filter(Boolean).join(" · ");
}

/** One entry whole: what was sent, what came back, how it ended. */
function detail(entry, close) {
  return [
    h(
      "header.command-detail-head",
      {},
      h("h4", {}, `${entry.action} · ${ending(entry)}`),
      h("button", { type: "button", "aria-label": "Close the command's details", on: { click: close } }, "×"),
    ),
    h(
      "dl.command-facts",
      {},
      [
        ["Sent", dateTime(entry.sentAt)],
        ["By", entry.sentBy.name || entry.sentBy.apiKeyId || "—"],
        ["Took", `${Math.round(entry.durationMs)} ms`],
        ["Through", entry.endpoint],
      ].map(([name, value]) => h("div", {}, h("dt", {}, name), h("dd", {}, value))),
    ),
    h("h5", {}, "Request"),
    h("pre.command-request", {}, entry.request === null ? "(not kept whole)" : json(entry.request)),
    entry.error ? [h("h5", {}, "Error"), h("p.command-error", {}, entry.error)] : null,
    h("h5", {}, "Answer"),
    h("pre.command-response", {}, entry.response === null ? (entry.truncated ? "(not kept whole)" : "(none)") : json(entry.response)),
  ];
}

export function commandHistory(api, chargeBoxId) {
  let page = 0;
  let opened = null; // the id of the entry shown whole
  const count = h("span.count");
  const body = h("tbody");
  const pages = h("div.pager-host");
  const shown = h("div.command-detail", { hidden: true, "aria-live": "polite" });
  const filters = {
    action: h("input", { name: "action", placeholder: "any", "aria-label": "Action" }),
    outcome: h("select", { name: "outcome", "aria-label": "Outcome" }, h("option", { value: "" }, "any"), OUTCOMES.map((o) => h("option", { value: o }, o))),
    status: h("input", { name: "status", placeholder: "any", "aria-label": "Status" }),
    from: h("input", { name: "from", type: "datetime-local", step: 1, "aria-label": "Sent from" }),
    to: h("input", { name: "to", type: "datetime-local", step: 1, "aria-label": "Sent before" }),
  };
  const label = (text, input) => h("label.field", {}, h("span", {}, text), input);
  const filterForm = h(
    "form.history-filters",
    { on: { submit: (event) => (event.preventDefault(), (page = 0), refresh()), change: () => ((page = 0), refresh()) } },
    label("Action", filters.action),
    label("Outcome", filters.outcome),
    label("Status", filters.status),
    label("From", filters.from),
    label("Before", filters.to),
    h(
      "div.history-buttons",
      {},
      h("button", { type: "button", on: { click: lastHour } }, "Last hour"),
      h("button", { type: "button", on: { click: clear } }, "Clear filters"),
    ),
  );
  const filtered = h("span.count");
  const el = h(
    "section.command-history",
    {},
    h("header.history-head", {}, h("h3", {}, "Sent commands ", count), pages),
    h("details.history-filter-box", {}, h("summary", {}, "Filter ", filtered), filterForm),
    h(
      "div.table-scroll",
      {},
      h(
        "table",
        {},
        h("thead", {}, h("tr", {}, ["Time", "Action", "Outcome", "By", "ms"].map((name) => h("th", {}, name)))),
        body,
      ),
    ),
    shown,
  );

  function lastHour() {
    filters.from.value = localInput(new Date(Date.now() - 3600000));
    filters.to.value = "";
    page = 0;
    refresh();
  }

  function clear() {
    Object.values(filters).forEach((input) => (input.value = ""));
    page = 0;
    refresh();
  }

  function query() {
    const instant = (input) => (input.value ? new Date(input.value).toISOString() : undefined);
    return {
      action: filters.action.value.trim() || undefined,
      outcome: filters.outcome.value || undefined,
      status: filters.status.value.trim() || undefined,
      from: instant(filters.from),
      to: instant(filters.to),
    };
  }

  async function open(id) {
    opened = id;
    shown.hidden = false;
    fill(shown, h("p.empty", {}, "Loading the command…"));
    body.querySelectorAll("tr").forEach((row) => row.classList.toggle("opened", row.dataset.command === id));
    try {
      const entry = await api.sentCommand(id);
      if (opened === id) fill(shown, detail(entry, close));
    } catch (error) {
      if (opened === id) fill(shown, h("p.notice.error", {}, `The command cannot be read: ${error.message}`));
    }
  }

  function close() {
    opened = null;
    shown.hidden = true;
    body.querySelectorAll("tr.opened").forEach((row) => row.classList.remove("opened"));
  }

  function row(entry) {
    return h(
      "tr",
      { dataset: { outcome: entry.outcome, command: entry.id }, class: entry.id === opened ? "opened" : "", title: entry.error || "" },
      h("td", {}, h("time", { datetime: entry.sentAt }, time(entry.sentAt))),
      h(
        "td",
        {},
        h(
          "button.link",
          { type: "button", "aria-label": `Details of ${entry.action} sent ${time(entry.sentAt)}`, on: { click: () => open(entry.id) } },
          entry.action,
        ),
      ),
      h("td", { title: ending(entry) }, ending(entry)),
      h("td", { title: entry.sentBy.name || "" }, entry.sentBy.name || "—"),
      h("td.num", {}, String(Math.round(entry.durationMs))),
    );
  }

  let asked = 0;
  async function refresh() {
    const mine = ++asked; // a slower earlier answer does not overwrite a later one
    try {
      const answer = await api.commandHistory(chargeBoxId, { ...query(), limit: PAGE, offset: page * PAGE });
      if (mine !== asked) return;
      const set = Object.values(query()).filter(Boolean).length;
      fill(filtered, set ? `(${set} set)` : "");
      fill(count, `${answer.total}`);
      const paged = pager(answer.total, PAGE, page, (target) => ((page = target), refresh()), "sent commands");
      showPager(pages, paged);
      fill(
        body,
        answer.data.length
          ? answer.data.map(row)
          : h("tr", {}, h("td", { colSpan: 5 }, Object.values(query()).some(Boolean) ? "No command matches the filters" : "No command sent yet")),
      );
    } catch (error) {
      if (mine !== asked) return;
      fill(body, h("tr", {}, h("td", { colSpan: 5 }, `History unavailable: ${error.message}`)));
    }
  }

  refresh();
  return {
    el,
    /** Shows the newest commands again (one was just sent). */
    refresh: () => ((page = 0), refresh()),
  };
}
