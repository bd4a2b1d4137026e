// The command panel's forms for reservations, the local list, charging profiles (with the
// composite schedule as a plot), the 2.0.1 operations (listed, with their examples, from the
// OpenAPI document) and the raw call; commands.js puts them in its menu.

import { field, h, select } from "../dom.js";
import { run } from "./answer.js";
import { schedulePlot } from "./schedule.js";

const PURPOSES = ["TxDefaultProfile", "ChargePointMaxProfile", "TxProfile"];
const TAG_201 = "Charger Commands (OCPP 2.0.1)";

let described = null;
/** The 2.0.1 operations as the OpenAPI document lists them (its tag): each one's path under
 * the charger, summary and example body; read once. */
function operations201() {
  described ??= fetch("/openapi.json")
    .then((response) => response.json())
    .then((document) =>
      Object.entries(document.paths)
        .filter(([, item]) => item.post && (item.post.tags || []).includes(TAG_201))
        .map(([path, item]) => ({
          path: path.split("{chargeBoxId}/")[1],
          summary: item.post.summary,
          example: Object.values(item.post.requestBody.content["application/json"].examples || {})[0]?.value ?? {},
        })),
    );
  return described;
}

/** The form of the 2.0.1 operations: pick one, edit its example body, send it. */
function operation201Form(post, box, commandForm) {
  const picker = h("select", { name: "operation" });
  const body = h("textarea", { name: "body", rows: 5 });
  const chosen = new Map();
  picker.addEventListener("change", () => {
    body.value = JSON.stringify(chosen.get(picker.value)?.example ?? {}, null, 1);
  });
  operations201().then((operations) => {
    for (const operation of operations) chosen.set(operation.path, operation);
    picker.replaceChildren(...operations.map((o) => h("option", { value: o.path }, o.summary)));
    picker.dispatchEvent(new Event("change"));
  });
  return commandForm(
    "2.0.1 operation",
    "operation-201",
    [field("Operation", picker), field("Body (JSON, as OCPP 2.0.1 writes it)", body)],
    (v, b) => {
      const operation = chosen.get(v.operation);
      if (!operation) return box.error("2.0.1 operation", new Error("the operations are still loading"));
      let payload;
      try {
        payload = JSON.parse(v.body || "{}");
      } catch (error) {
        return box.error(operation.summary, new Error(`the body is not JSON: ${error.message}`));
      }
      return post(operation.summary, operation.path, payload, b, (answer) =>
        h("pre.raw-answer", {}, JSON.stringify({ response: answer.response, report: answer.report }, null, 2)),
      );
    },
  );
}

function int(name, value, attrs = {}) {
  return h("input", { name, type: "number", value, required: true, ...attrs });
}

/** The words of each non-empty line of `text`. */
function lineWords(text) {
  return text
    .split("\n")
    .map((line) => line.trim().split(/[\s,]+/).filter(Boolean))
    .filter((words) => words.length);
}

/** "TAG status" lines: a list's entries (a line without a status removes its tag). */
export function listEntries(text) {
  return lineWords(text).map(([idTag, status]) => (status ? { idTag, status } : { idTag }));
}

/** "start limit" lines: a schedule's periods. */
export function schedulePeriods(text) {
  return lineWords(text).map(([start, limit]) => ({ startPeriod: Number(start), limit: Number(limit) }));
}

export function operationForms(api, chargeBoxId, box, commandForm) {
  const post = (what, path, body, button, extra) =>
    run(box, what, button, () => api.command(chargeBoxId, path, body), extra);
  return [
    commandForm(
      "Reserve",
      "reservation",
      [
        field("Connector (0: any)", int("connectorId", 1, { min: 0 })),
        field("Id tag", h("input", { name: "idTag", required: true, value: "DASHBOARD" })),
        field("Minutes", int("minutes", 30, { min: 1 })),
      ],
      (v, b) => {
        const expiryDate = new Date(Date.now() + Number(v.minutes) * 60000).toISOString();
        return post("Reserve", "reservation", { connectorId: Number(v.connectorId), idTag: v.idTag, expiryDate }, b);
      },
    ),
    commandForm(
      "Cancel reservation",
      "reservation-cancel",
      [field("Reservation id", int("reservationId", "", { min: 1 }))],
      (v, b) => post("Cancel reservation", "reservation/cancel", { reservationId: Number(v.reservationId) }, b),
    ),
    commandForm(
      "Local list",
      "local-list",
      [
        field("Version", int("listVersion", 1, { min: 1 })),
        field("Update", select("updateType", ["Full", "Differential"], "Full")),
        field(
          "Entries: a tag and its status a line (no status: removed)",
          h("textarea", { name: "entries", rows: 3, placeholder: `04A1B2C3D4 Accepted\nLOST-CARD Blocked` }),
        ),
      ],
      (v, b) =>
        post(
          "Local list",
          "local-list",
          { listVersion: Number(v.listVersion), updateType: v.updateType, entries: listEntries(v.entries) },
          b,
        ),
    ),
    commandForm(
      "Charging profile",
      "charging-profile",
      [
        field("Connector (0: station)", int("connectorId", 1, { min: 0 })),
        field("Profile id", int("id", 1, { min: 1 })),
        field("Stack level", int("stackLevel", 0, { min: 0 })),
        field("Purpose", select("purpose", PURPOSES, "TxDefaultProfile")),
        field("Kind", select("kind", ["Relative", "Absolute"], "Relative")),
        field("Unit", select("chargingRateUnit", ["A", "W"], "A")),
        field("Transaction (TxProfile)", h("input", { name: "transactionId" })),
        field("Periods: seconds from the start and limit, a line", h("textarea", { name: "periods", rows: 3 }, "0 16\n3600 8")),
      ],
      (v, b) => {
        const schedule = { chargingRateUnit: v.chargingRateUnit, periods: schedulePeriods(v.periods) };
        if (v.kind === "Absolute") schedule.startSchedule = new Date().toISOString();
        const chargingProfile = {
          id: Number(v.id),
          stackLevel: Number(v.stackLevel),
          purpose: v.purpose,
          kind: v.kind,
          schedule,
        };
        if (v.transactionId) chargingProfile.transactionId = v.transactionId;
        return post("Charging profile", "charging-profile", { connectorId: Number(v.connectorId), chargingProfile }, b);
      },
    ),
    commandForm(
      "Clear profiles",
      "charging-profile-clear",
      [field("Profile id (empty: all)", h("input", { name: "id", type: "number", min: 1 }))],
      (v, b) => post("Clear profiles", "charging-profile/clear", v.id ? { id: Number(v.id) } : {}, b),
    ),
    commandForm(
      "Composite schedule",
      "composite-schedule",
      [
        field("Connector (0: station)", int("connectorId", 1, { min: 0 })),
        field("Seconds", int("duration", 3600, { min: 1 })),
        field("Unit", select("chargingRateUnit", ["A", "W"], "A")),
      ],
      (v, b) =>
        post(
          "Composite schedule",
          "composite-schedule",
          { connectorId: Number(v.connectorId), duration: Number(v.duration), chargingRateUnit: v.chargingRateUnit },
          b,
          (body) => schedulePlot(body.schedule),
        ),
    ),
    operation201Form(post, box, commandForm),
    commandForm(
      "Raw call",
      "call",
      [
        field("Action", h("input", { name: "action", required: true, placeholder: "GetLocalListVersion" })),
        field("Payload (JSON)", h("textarea", { name: "payload", rows: 3 }, "{}")),
      ],
      (v, b) => {
        let payload;
        try {
          payload = JSON.parse(v.payload || "{}");
        } catch (error) {
          return box.error("Raw call", new Error(`the payload is not JSON: ${error.message}`));
        }
        return post("Raw call", "call", { action: v.action, payload }, b, (body) =>
          h("pre.raw-answer", {}, JSON.stringify(body.response, null, 2)),
        );
      },
    ),
  ];
}
