// Pieces several views show: connector chips, the transactions table, "not available" notes.

import { ago, dateTime, energy, h, power } from "../dom.js";
import { statusClass } from "../status.js";

/** One connector as a coloured chip: number, status, and the power of its transaction. */
export function connectorChip(connector, { online = true, transaction = null } = {}) {
  const label = connector.evseId ? `${connector.evseId}/${connector.connectorId}` : `${connector.connectorId}`;
  const status = connector.status || "Unknown";
  const faulted = connector.errorCode && connector.errorCode !== "NoError" ? ` (${connector.errorCode})` : "";
  return h(
    "span.chip",
    {
      class: online ? statusClass(status) : "st-offline",
      dataset: { connector: label, status },
      title: `Connector ${label}: ${status}${faulted}${online ? "" : " — charger offline"}`,
    },
    h("b", {}, label),
    ` ${status}`,
    transaction && transaction.powerW != null ? h("span.chip-power", {}, ` ${power(transaction.powerW)}`) : null,
  );
}

/** Connector 0 of OCPP 1.6 is the station itself: not a chip. */
export function outlets(charger) {
  return (charger.connectors || []).filter((c) => c.connectorId > 0);
}

export function transactionsTable(rows, { showCharger = true } = {}) {
  if (!rows.length) return h("p.empty", {}, "No transactions.");
  return h(
    "table.transactions",
    {},
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", {}, "Id"),
        showCharger ? h("th", {}, "Charger") : null,
        h("th", {}, "Conn."),
        h("th", {}, "Id tag"),
        h("th", {}, "Started"),
        h("th", {}, "Energy"),
        h("th", {}, "Power"),
        h("th", {}, "State"),
      ),
    ),
    h(
      "tbody",
      {},
      rows.map((row) =>
        h(
          "tr",
          { dataset: { transaction: row.transactionId, state: row.status } },
          h("td", {}, `#${row.transactionId}`),
          showCharger
            ? h("td", {}, h("a", { href: `#/charger/${encodeURIComponent(row.chargeBoxId)}` }, row.chargeBoxId))
            : null,
          h("td", {}, row.evseId ? `${row.evseId}/${row.connectorId}` : row.connectorId),
          h("td", {}, row.idTag || "—"),
          h("td", { title: dateTime(row.startedAt) }, ago(row.startedAt)),
          h("td.energy", {}, energy(row.energyDelivered)),
          h("td", {}, row.status === "active" ? power(row.powerW) : "—"),
          h(
            "td",
            {},
            row.status === "active"
              ? h("span.badge.active", {}, row.chargingState || "active")
              : h("span.badge", {}, row.stopReason ? `stopped: ${row.stopReason}` : "completed"),
          ),
        ),
      ),
    ),
  );
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
