// The command panel's forms for the station itself and its sessions: reset, trigger,
// configuration, availability, data transfer, unlock, the cache, firmware and diagnostics,
// remote start and stop, and the transactions other forms pick from.

import { h } from "../dom.js";
import { ONLY_201 } from "./forms-device.js";
import { resultTable, said, when } from "./results.js";

const TRIGGERABLE = [
  "BootNotification",
  "Heartbeat",
  "MeterValues",
  "StatusNotification",
  "DiagnosticsStatusNotification",
  "FirmwareStatusNotification",
  // The charger renews its own certificate (1.6 ExtendedTriggerMessage, 2.0.1 A02); what
  // follows shows in its notifications.
  "SignChargePointCertificate",
];

/** The charger's running transactions, newest first. */
function active(ctx) {
  return ctx.model.sortedTransactions((row) => row.chargeBoxId === ctx.chargeBoxId && row.status === "active");
}

/** A select of the running transactions, kept current as they start and stop. */
function activeSelect(ctx, name) {
  const select = h("select", { name });
  ctx.onRefresh(() => {
    const current = select.value;
    const rows = active(ctx);
    select.replaceChildren(
      ...(rows.length
        ? rows.map((row) => h("option", { value: row.transactionId }, `#${row.transactionId} on connector ${row.connectorId}`))
        : [h("option", { value: "" }, "no active transaction")]),
    );
    if ([...select.options].some((option) => option.value === current)) select.value = current;
  });
  return select;
}

/** A text input for a transaction id that offers the running ones (a datalist). */
export function transactionInput(ctx, name, { optional = false } = {}) {
  const list = h("datalist", { id: `${name}-${ctx.chargeBoxId}-${Math.random().toString(36).slice(2)}` });
  const input = h("input", { name, list: list.id, required: !optional, placeholder: optional ? "any" : "" });
  ctx.onRefresh(() => {
    const rows = active(ctx);
    list.replaceChildren(...rows.map((row) => h("option", { value: row.transactionId })));
    if (!optional && !input.value && rows.length) input.value = rows[0].transactionId;
  });
  const host = h("span.with-list", {}, input, list);
  Object.defineProperty(host, "value", { get: () => input.value.trim() });
  return host;
}

const configTable = (answer) => [
  resultTable(
    "configuration",
    [
      ["Key", (row) => row.key],
      ["Value", (row) => row.value],
      ["RO", (row) => (row.readonly ? "yes" : "")],
    ],
    answer.configurationKey || [],
    "No key.",
  ),
  answer.unknownKey && answer.unknownKey.length ? h("p.answer-said", {}, `Unknown: ${answer.unknownKey.join(", ")}`) : null,
];

const GROUP = "Station";
const RETRIES = [
  { name: "retries", label: "Retries", min: 0, optional: true },
  { name: "retryInterval", label: "Retry every (s)", min: 0, optional: true },
];

export const STATION_FORMS = [
  {
    title: "Reset",
    name: "reset",
    group: GROUP,
    path: "reset",
    fields: [{ name: "type", label: "Type", type: "select", options: ["Soft", "Hard"], value: "Soft" }],
  },
  {
    title: "Trigger",
    name: "trigger",
    group: GROUP,
    path: "trigger",
    fields: [
      { name: "requestedMessage", label: "Message", type: "select", options: TRIGGERABLE, value: "StatusNotification" },
      { name: "connectorId", label: "Connector", min: 0, optional: true, placeholder: "any" },
    ],
  },
  {
    title: "Get configuration",
    name: "configuration-get",
    group: GROUP,
    path: "configuration/get",
    fields: [{ name: "key", label: "Keys (comma-separated, empty: all)", type: "text", optional: true, placeholder: "HeartbeatInterval" }],
    body: (v) => ({ key: (v.key || "").split(",").map((part) => part.trim()).filter(Boolean) }),
    show: configTable,
  },
  {
    title: "Change configuration",
    name: "configuration-change",
    group: GROUP,
    path: "configuration/change",
    fields: [
      { name: "key", label: "Key", type: "text", placeholder: "HeartbeatInterval" },
      { name: "value", label: "Value", type: "text", placeholder: "60" },
    ],
    send: (v, ctx) => {
      ctx.model.sampleIntervals.delete(ctx.chargeBoxId); // the charger view asks again
      return ctx.api.command(ctx.chargeBoxId, "configuration/change", { key: v.key, value: v.value });
    },
  },
  {
    title: "Change availability",
    name: "availability",
    group: GROUP,
    path: "availability",
    fields: [
      { name: "connectorId", label: "Connector (0: all)", min: 0, value: 0 },
      { name: "type", label: "Type", type: "select", options: ["Operative", "Inoperative"], value: "Inoperative" },
    ],
  },
  {
    title: "Data transfer",
    name: "data-transfer",
    group: GROUP,
    path: "data-transfer",
    fields: [
      { name: "vendorId", label: "Vendor id", type: "text", placeholder: "com.example" },
      { name: "messageId", label: "Message id", type: "text", optional: true },
      { name: "data", label: "Data", type: "text", optional: true },
    ],
  },
  {
    title: "Unlock",
    name: "unlock",
    group: GROUP,
    path: "unlock",
    fields: [{ name: "connectorId", label: "Connector", min: 1, value: 1 }],
  },
  { title: "Clear cache", name: "cache-clear", group: GROUP, path: "cache/clear", send: (v, ctx) => ctx.api.command(ctx.chargeBoxId, "cache/clear") },
  {
    title: "Update firmware",
    name: "firmware-update",
    group: GROUP,
    path: "firmware/update",
    fields: [
      { name: "location", label: "Firmware URL", type: "text", wide: true, placeholder: "https://firmware.example.com/v2.bin" },
      { name: "retrieveDate", label: "Download from", type: "datetime", value: () => new Date() },
      ...RETRIES,
      // A secure update (2.0.1 L01, 1.6 SignedUpdateFirmware) gives both; the API refuses one alone.
      { name: "signingCertificate", label: "Signing certificate (PEM; secure update)", type: "textarea", optional: true, rowsShown: 3, placeholder: "-----BEGIN CERTIFICATE-----" },
      { name: "signature", label: "Signature (base64; secure update)", type: "text", wide: true, optional: true },
    ],
    show: (answer) => said(`The station downloads ${answer.location} from ${when(answer.retrieveDate)}.`),
  },
  {
    // L03: a Local Controller downloads the image and serves it to the stations behind it.
    title: "Publish firmware",
    name: "firmware-publish",
    group: GROUP,
    only: ONLY_201,
    path: "firmware/publish",
    fields: [
      { name: "location", label: "Firmware URL", type: "text", wide: true, placeholder: "https://firmware.example.com/v2.bin" },
      { name: "checksum", label: "MD5 checksum", type: "text", wide: true, placeholder: "9e107d9d372bb6826bd81d3542a419d6" },
      ...RETRIES,
    ],
  },
  {
    // L04: the Local Controller stops serving the image of this checksum.
    title: "Unpublish firmware",
    name: "firmware-unpublish",
    group: GROUP,
    only: ONLY_201,
    path: "firmware/unpublish",
    fields: [{ name: "checksum", label: "MD5 checksum", type: "text", wide: true, placeholder: "9e107d9d372bb6826bd81d3542a419d6" }],
  },
  {
    title: "Diagnostics",
    name: "diagnostics",
    group: GROUP,
    path: "diagnostics",
    fields: [
      { name: "location", label: "Upload URL", type: "text", wide: true, placeholder: "ftp://logs.example.com/upload/" },
      { name: "startTime", label: "From", type: "datetime", optional: true },
      { name: "stopTime", label: "To", type: "datetime", optional: true },
      ...RETRIES,
    ],
    show: (answer) => said(answer.fileName ? `The station uploads ${answer.fileName}.` : "The station has no file to upload."),
  },
];

export const SESSION_FORMS = [
  {
    title: "Remote start",
    name: "remote-start",
    group: "Sessions",
    path: "remote-start",
    fields: [
      { name: "connectorId", label: "Connector", min: 1, value: 1 },
      { name: "idTag", label: "Id tag", type: "text", value: "DASHBOARD" },
    ],
    send: (v, ctx) => ctx.api.remoteStart(ctx.chargeBoxId, v.connectorId, v.idTag),
  },
  {
    title: "Remote stop",
    name: "remote-stop",
    group: "Sessions",
    fields: [{ name: "transactionId", label: "Transaction", type: "element", input: (ctx) => activeSelect(ctx, "transactionId") }],
    send: (v, ctx) => {
      if (!v.transactionId) throw new Error("no active transaction");
      return ctx.api.remoteStop(v.transactionId, ctx.chargeBoxId);
    },
  },
];
