// What a 2.1 charger reported that 2.0.1 has no message for, on its CSMS page: its periodic
// event streams and their latest values (N, OpenPeriodicEventStream,
// NotifyPeriodicEventStream, ClosePeriodicEventStream), priority charging (K,
// NotifyPriorityCharging), payments (C, NotifySettlement, VatNumberValidation), battery swaps
// (BatterySwap) and dynamic schedule pulls (K28, PullDynamicScheduleUpdate). The central
// system keeps each as one of the charger's notifications (csms/v21/*.py); this panel reads
// them from GET /chargers/{id}/notifications, one kind at a time, newest first, and reads them
// again when the live stream tells of a new one (CsmsModel.notices). The page shows the panel
// for a version whose versions.js entry has operations21.

import { dateTime, fill, h } from "../dom.js";
import { problem } from "./parts.js";

/** The notification kinds of 2.1 the panel shows (store/models.py NotificationKind). */
export const KINDS_21 = ["event_stream", "priority", "payment", "battery_swap", "dynamic_schedule"];

const PER_KIND = 20; // the newest of each kind read; older ones are in the API
const SHOWN = 5; // the newest payments, swaps and pulls shown

/** A notification's detail as the JSON the central system wrote, or {} (text, or none). */
function detailOf(row) {
  try {
    const value = JSON.parse(row.detail || "{}");
    return value && typeof value === "object" ? value : {};
  } catch {
    return {};
  }
}

/**
 * What the rows of the 2.1 kinds (any order) say, newest first: each event stream with whether
 * it is open (no ClosePeriodicEventStream since it opened), its monitor and its latest values;
 * the latest priority charging change; the newest payments, swaps and pulls. Pure: the Node
 * test (tests/web/test_reports21.py) runs it.
 */
export function summarize21(rows) {
  const sorted = [...rows].sort((a, b) => String(b.at).localeCompare(String(a.at)));
  const streams = new Map(); // "stream 7" -> {name, open, monitor, interval, latest, at}
  for (const row of [...sorted].reverse()) {
    if (row.kind !== "event_stream") continue;
    const detail = detailOf(row);
    const stream = streams.get(row.status) || { name: row.status, open: false, monitor: null, interval: null, latest: null, at: row.at };
    if (row.action === "OpenPeriodicEventStream") {
      Object.assign(stream, { open: true, monitor: detail.variableMonitoringId ?? null, interval: detail.params?.interval ?? null });
    } else if (row.action === "ClosePeriodicEventStream") {
      stream.open = false;
    } else if (row.action === "NotifyPeriodicEventStream") {
      const base = new Date(detail.basetime || row.at).getTime();
      const values = (detail.data || []).map((point) => ({
        at: new Date(base + Number(point.t || 0) * 1000).toISOString(),
        value: point.v,
      }));
      if (values.length) stream.latest = { ...values[values.length - 1], pending: detail.pending ?? 0, count: values.length };
    }
    stream.at = row.at;
    streams.set(row.status, stream);
  }
  const of = (kind) => sorted.filter((row) => row.kind === kind);
  const priority = of("priority")[0];
  return {
    streams: [...streams.values()].sort((a, b) => Number(b.open) - Number(a.open) || String(b.at).localeCompare(String(a.at))),
    priority: priority ? { state: priority.status, transactionId: detailOf(priority).transactionId ?? null, at: priority.at } : null,
    payments: of("payment").slice(0, SHOWN).map((row) => ({ action: row.action, status: row.status, at: row.at, ...paymentFacts(row) })),
    swaps: of("battery_swap").slice(0, SHOWN).map((row) => ({
      event: row.status,
      requestId: row.requestId,
      batteries: (detailOf(row).batteryData || []).map((battery) => `${battery.serialNumber} in slot ${battery.evseId}, ${battery.soC}% charged`),
      at: row.at,
    })),
    pulls: of("dynamic_schedule").slice(0, SHOWN).map((row) => {
      const answer = detailOf(row);
      return { profileId: row.requestId, status: row.status, why: answer.statusInfo?.additionalInfo ?? null, at: row.at };
    }),
  };
}

/** A payment's words: a settlement's amount and reference, a VAT number's number. */
function paymentFacts(row) {
  const detail = detailOf(row);
  if (row.action === "VatNumberValidation") return { what: `VAT number ${detail.vatNumber ?? "?"}` };
  const parts = [`${detail.settlementAmount ?? "?"} settled`, `PSP reference ${detail.pspRef ?? "?"}`];
  if (detail.transactionId) parts.push(`transaction ${detail.transactionId}`);
  return { what: parts.join(" · ") };
}

function section(title, body) {
  return h("div.reports21-part", { dataset: { part: title } }, h("h3", {}, title), body);
}

function list(items, empty) {
  return items.length ? h("ul", {}, items.map((item) => h("li", {}, item))) : h("p.empty", {}, empty);
}

function render(host, summary) {
  const { streams, priority, payments, swaps, pulls } = summary;
  fill(
    host,
    section(
      "Periodic event streams",
      list(
        streams.map((stream) =>
          [
            `${stream.name} · ${stream.open ? "open" : "closed"}`,
            stream.monitor !== null ? ` · monitor ${stream.monitor}` : "",
            stream.interval !== null ? ` · every ${stream.interval} s` : "",
            stream.latest ? ` · latest ${stream.latest.value} at ${dateTime(stream.latest.at)} (${stream.latest.pending} pending)` : " · no values yet",
          ].join(""),
        ),
        "No event stream opened.",
      ),
    ),
    section(
      "Priority charging",
      priority
        ? h("p", {}, `${priority.state}${priority.transactionId ? ` for transaction ${priority.transactionId}` : ""}, ${dateTime(priority.at)}`)
        : h("p.empty", {}, "Never activated."),
    ),
    section("Payments", list(payments.map((p) => `${p.action}: ${p.status} · ${p.what} · ${dateTime(p.at)}`), "No payment reported.")),
    section(
      "Battery swaps",
      list(
        swaps.map((s) => `${s.event} (swap ${s.requestId}) · ${s.batteries.join("; ") || "no battery"} · ${dateTime(s.at)}`),
        "No battery swap.",
      ),
    ),
    section(
      "Dynamic schedule pulls",
      list(
        pulls.map((p) => `profile ${p.profileId}: ${p.status}${p.why ? ` (${p.why})` : ""} · ${dateTime(p.at)}`),
        "No dynamic schedule pulled.",
      ),
    ),
  );
}

/**
 * The panel: `el`, hidden until `show(facts, notices)` is told the versions.js facts of a
 * version with 2.1's operations; it reads the notifications then and whenever `notices` (the
 * count of notification events the live stream brought for the charger) changes.
 */
export function reports21Panel(api, chargeBoxId) {
  const body = h("div.panel-body.reports21-body", {}, h("p.empty", {}, "Loading…"));
  const el = h("section.panel.reports21", { hidden: true }, h("header.panel-head", {}, h("h2", {}, "OCPP 2.1")), body);
  let readFor = null; // the notices count the last read was for
  let wanted = null; // the latest count show() was told
  let reading = false;

  async function read(notices) {
    reading = true;
    readFor = notices;
    try {
      const pages = await Promise.all(
        KINDS_21.map((kind) => api.call(`/chargers/${encodeURIComponent(chargeBoxId)}/notifications`, { query: { kind, limit: PER_KIND } })),
      );
      render(body, summarize21(pages.flatMap((page) => page.notifications)));
    } catch (error) {
      fill(body, problem(error, "2.1 notifications"));
    } finally {
      reading = false;
    }
    // A notification told while the read was under way is read now, not at the next render.
    if (wanted !== readFor) read(wanted);
  }

  return {
    el,
    show(facts, notices) {
      const shown = Boolean(facts?.operations21);
      el.hidden = !shown;
      wanted = notices;
      if (shown && !reading && readFor !== notices) read(notices);
    },
  };
}
