// How the command panel shows what came back: tables whose rows are the station's items,
// each with its own status (OCPP 2.0.1 answers item by item: B05, B06, N04, N06), and the
// names of components and variables as 2.0.1 writes them.

import { h } from "../dom.js";

/** "EVSE (1) · EVSE 1/2": a component's name, its instance, and the EVSE it is on. */
export function componentText(component = {}) {
  const name = component.instance ? `${component.name} (${component.instance})` : component.name;
  const evse = component.evse;
  if (!evse) return name;
  const connector = evse.connectorId === undefined ? "" : `/${evse.connectorId}`;
  return `${name} · EVSE ${evse.id}${connector}`;
}

/** A variable's name, and its instance when it has one. */
export function variableText(variable = {}) {
  return variable.instance ? `${variable.name} (${variable.instance})` : variable.name;
}

/** A status as a badge; its statusInfo (reasonCode: additionalInfo) beside it. */
export function statusCell(status, info) {
  const reason = info ? [info.reasonCode, info.additionalInfo].filter(Boolean).join(": ") : "";
  return [h("span.badge", { dataset: { status } }, status), reason ? h("span.reason", {}, ` ${reason}`) : null];
}

/** A table named `name` (data-result) of `rows`: `columns` are [header, cell(row)] pairs.
 * Its words are whole: on a narrow screen it scrolls sideways in its box. */
export function resultTable(name, columns, rows, empty = "Nothing reported.") {
  if (!rows.length) return h("p.empty", { dataset: { result: name } }, empty);
  return h("div.table-scroll", {}, h(
    "table.result",
    { dataset: { result: name } },
    h("thead", {}, h("tr", {}, columns.map(([header]) => h("th", {}, header)))),
    h(
      "tbody",
      {},
      rows.map((row) => h("tr", {}, columns.map(([, cell]) => h("td", {}, cell(row) ?? "—")))),
    ),
  ));
}

/** The items under `key` of every part of a report that followed the answer, in order. */
export function partItems(answer, key) {
  return (answer.report || []).flatMap((part) => part[key] || []);
}

/** A line of words under an answer (a version, a count, what a flag means). */
export function said(text) {
  return h("p.answer-said", {}, text);
}

/** A date and time as the browser's locale writes it; "—" for none. */
export function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "—";
}
