// The charger's command history (GET /chargers/{id}/commands): the newest calls the API sent
// it, who sent them, how each ended and how long it took.

import { fill, h, time } from "../dom.js";

export function commandHistory(api, chargeBoxId) {
  const body = h("tbody");
  const el = h(
    "section.command-history",
    {},
    h("h3", {}, "Sent commands"),
    h(
      "table",
      {},
      h("thead", {}, h("tr", {}, ["Time", "Action", "Outcome", "By", "ms"].map((name) => h("th", {}, name)))),
      body,
    ),
  );
  async function refresh() {
    try {
      const page = await api.commandHistory(chargeBoxId, 10);
      fill(
        body,
        page.data.length
          ? page.data.map((row) =>
              h(
                "tr",
                { dataset: { outcome: row.outcome }, title: row.error || "" },
                h("td", {}, time(row.sentAt)),
                h("td", {}, row.action),
                h("td", {}, row.status ? `${row.outcome} · ${row.status}` : row.outcome),
                h("td", {}, row.sentBy.name || "—"),
                h("td.num", {}, String(Math.round(row.durationMs))),
              ),
            )
          : h("tr", {}, h("td", { colSpan: 5 }, "No command sent yet")),
      );
    } catch (error) {
      fill(body, h("tr", {}, h("td", { colSpan: 5 }, `History unavailable: ${error.message}`)));
    }
  }
  refresh();
  return { el, refresh };
}
