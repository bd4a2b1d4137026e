// Pieces several views show: connector chips, the transactions table, "not available" notes.

import { ago, dateTime, energy, fill, h, power } from "../dom.js";
import { driverStatus, statusClass } from "../status.js";

/**
 * One connector as a coloured chip: number, what the driver sees (a 2.0.1 transaction's
 * chargingState, with the connector's own status beside it), and its transaction's power.
 * `data-status` is the connector's status as reported, `data-shown` what the chip says.
 */
export function connectorChip(connector, { online = true, transaction = null } = {}) {
  const label = connector.evseId ? `${connector.evseId}/${connector.connectorId}` : `${connector.connectorId}`;
  const status = connector.status || "Unknown";
  const shown = driverStatus(connector, transaction);
  const faulted = connector.errorCode && connector.errorCode !== "NoError" ? ` (${connector.errorCode})` : "";
  const beside = shown !== status ? ` (connector ${status})` : "";
  const dataset = { connector: label, status, shown };
  if (transaction && transaction.chargingState) dataset.chargingState = transaction.chargingState;
  return h(
    "span.chip",
    {
      class: online ? statusClass(shown) : "st-offline",
      dataset,
      title: `Connector ${label}: ${shown}${beside}${faulted}${online ? "" : " — charger offline"}`,
    },
    h("b", {}, label),
    ` ${shown}`,
    shown !== status ? h("span.chip-status", {}, status) : null,
    transaction && transaction.powerW != null ? h("span.chip-power", {}, ` ${power(transaction.powerW)}`) : null,
  );
}

/** "1.23 kWh · 7.4 kW" of a transaction, without dashes for what no meter value said yet. */
export function meterText(energyWh, powerW) {
  if (energyWh == null && powerW == null) return "no meter values yet";
  return [energyWh == null ? null : energy(energyWh), powerW == null ? null : power(powerW)].filter(Boolean).join(" · ");
}

/** Connector 0 of OCPP 1.6 is the station itself: not a chip. */
export function outlets(charger) {
  return (charger.connectors || []).filter((c) => c.connectorId > 0);
}

/**
 * Page `count` rows `size` at a time: {first, last, el} for page `page` (clamped), `el` the
 * "1–24 of 51" line with its buttons, or null when one page holds them all.
 */
export function pager(count, size, page, go, what) {
  const pages = Math.max(1, Math.ceil(count / size));
  const current = Math.min(Math.max(page, 0), pages - 1);
  const first = current * size;
  const last = Math.min(first + size, count);
  if (pages === 1) return { page: current, first, last, el: null };
  const button = (label, target, disabled) =>
    h("button.page", { type: "button", disabled, "aria-label": `${label} page of ${what}`, on: { click: () => go(target) } }, label === "Previous" ? "‹" : "›");
  return {
    page: current,
    first,
    last,
    el: h(
      "nav.pager",
      { "aria-label": `Pages of ${what}`, dataset: { shows: `${current}/${count}` } },
      button("Previous", current - 1, current === 0),
      h("span.pager-range", {}, `${first + 1}–${last} of ${count}`),
      button("Next", current + 1, current === pages - 1),
    ),
  };
}

/**
 * Put `part`'s pager (from `pager`) into `host`, keeping the one already there when it shows
 * the same page of as many rows. A list drawn again on every event would otherwise swap the
 * buttons between a click's press and its release, and the browser would drop the click.
 */
export function showPager(host, part) {
  const shown = host.firstElementChild;
  if (part.el && shown && shown.dataset.shows === part.el.dataset.shows) return;
  fill(host, part.el);
}

/**
 * The State cell's words, one vocabulary for both versions: active or ended, then how it
 * charges (active) or why it ended, where that is known.
 */
export function transactionState(row, chargingState) {
  if (row.status === "active") return chargingState ? `active · ${chargingState}` : "active";
  return row.stopReason ? `ended · ${row.stopReason}` : "ended";
}

/** `chargingState(row)`: how a running transaction charges (CsmsModel.chargingState). */
export function transactionsTable(rows, { showCharger = true, chargingState = (row) => row.chargingState } = {}) {
  if (!rows.length) return h("p.empty", {}, "No transactions.");
  // Wide enough for whole ids (a 2.0.1 id is a station's string, often a 36-character
  // UUID): on a narrow screen the table scrolls inside its panel instead of cutting them.
  return h("div.table-scroll", {}, h(
    "table.transactions",
    {},
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th.txid", {}, "Id"),
        showCharger ? h("th", {}, "Charger") : null,
        h("th", {}, "Conn."),
        h("th", {}, "Id tag"),
        h("th", {}, "Started"),
        h("th", {}, "Energy"),
        h("th", {}, "Power"),
        h("th.state", {}, "State"),
      ),
    ),
    h(
      "tbody",
      {},
      rows.map((row) =>
        h(
          "tr",
          { dataset: { transaction: row.transactionId, state: row.status } },
          h("td.txid", { title: String(row.transactionId) }, `#${row.transactionId}`),
          showCharger
            ? h("td", {}, h("a", { href: `#/charger/${encodeURIComponent(row.chargeBoxId)}` }, row.chargeBoxId))
            : null,
          h("td", {}, row.evseId ? `${row.evseId}/${row.connectorId}` : row.connectorId),
          h("td", {}, row.idTag || "—"),
          h("td", { title: dateTime(row.startedAt) }, ago(row.startedAt)),
          h("td.energy", {}, energy(row.energyDelivered)),
          h("td", {}, row.status === "active" ? power(row.powerW) : "—"),
          h(
            "td.state",
            {},
            h(`span.badge${row.status === "active" ? ".active" : ""}`, {}, transactionState(row, chargingState(row))),
          ),
        ),
      ),
    ),
  ));
}

/** What a view shows when the API it needs answers with an error. */
export function problem(error, what) {
  if (error.routeMissing) {
    return h(
      "div.notice",
      { dataset: { notice: "unavailable" } },
      h("strong", {}, `Not available yet: ${what}.`),
      " This server does not offer that part of the API yet (it answers 404); the view fills in once it does.",
    );
  }
  if (error.unavailable) {
    return h("div.notice", { dataset: { notice: "unavailable" } }, h("strong", {}, `Not available: ${what}. `), error.message);
  }
  return h("div.notice.error", {}, h("strong", {}, `${what}: `), error.message);
}
