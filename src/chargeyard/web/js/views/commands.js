// The CSMS command panel of one charger: /api/v1 commands with the station's answer shown.
// Forms are built once per charger (typing survives live updates).

import { field, h, select } from "../dom.js";
import { answerBox, run } from "./answer.js";
import { commandHistory } from "./history.js";
import { operationForms } from "./operations.js";

const TRIGGERABLE = [
  "BootNotification",
  "Heartbeat",
  "MeterValues",
  "StatusNotification",
  "DiagnosticsStatusNotification",
  "FirmwareStatusNotification",
];

function number(value) {
  return value === "" ? null : Number(value);
}

/** A compact form: `inputs` then a submit button; `send(form values)` runs on submit. */
function commandForm(title, name, inputs, send, box) {
  const button = h("button.primary", { type: "submit" }, title);
  const form = h(
    "form.command",
    {
      dataset: { command: name, title },
      on: {
        submit: (submitEvent) => {
          submitEvent.preventDefault();
          const values = Object.fromEntries(new FormData(form).entries());
          send(values, button);
        },
      },
    },
    h("div.command-fields", {}, inputs),
    button,
  );
  return form;
}

export function commandPanel(api, model, chargeBoxId) {
  const history = commandHistory(api, chargeBoxId);
  const shown = answerBox();
  // Every answer also refreshes the history, which then holds the call just sent.
  const box = {
    ...shown,
    ok: (...args) => {
      shown.ok(...args);
      history.refresh();
    },
    error: (...args) => {
      shown.error(...args);
      history.refresh();
    },
  };
  const post = (what, path, body, button, extra) =>
    run(box, what, button, () => api.command(chargeBoxId, path, body), extra);

  const configTable = (body) =>
    h(
      "table.config",
      {},
      h("thead", {}, h("tr", {}, h("th", {}, "Key"), h("th", {}, "Value"), h("th", {}, "RO"))),
      h(
        "tbody",
        {},
        (body.configurationKey || []).map((row) =>
          h("tr", {}, h("td", {}, row.key), h("td", {}, row.value ?? "—"), h("td", {}, row.readonly ? "yes" : "")),
        ),
      ),
      body.unknownKey && body.unknownKey.length
        ? h("caption", {}, `Unknown: ${body.unknownKey.join(", ")}`)
        : null,
    );

  const activeSelect = h("select", { name: "transactionId" });
  const refreshActive = () => {
    const active = model.sortedTransactions(
      (row) => row.chargeBoxId === chargeBoxId && row.status === "active",
    );
    const current = activeSelect.value;
    activeSelect.replaceChildren(
      ...(active.length
        ? active.map((row) =>
            h("option", { value: row.transactionId }, `#${row.transactionId} on connector ${row.connectorId}`),
          )
        : [h("option", { value: "" }, "no active transaction")]),
    );
    if ([...activeSelect.options].some((option) => option.value === current)) activeSelect.value = current;
  };
  refreshActive();

  const forms = [
    commandForm(
      "Reset",
      "reset",
      [field("Type", select("type", ["Soft", "Hard"], "Soft"))],
      (v, b) => post("Reset", "reset", { type: v.type }, b),
      box,
    ),
    commandForm(
      "Trigger",
      "trigger",
      [
        field("Message", select("requestedMessage", TRIGGERABLE, "StatusNotification")),
        field("Connector", h("input", { name: "connectorId", type: "number", min: 0, placeholder: "any" })),
      ],
      (v, b) =>
        post("Trigger", "trigger", { requestedMessage: v.requestedMessage, connectorId: number(v.connectorId) }, b),
      box,
    ),
    commandForm(
      "Get configuration",
      "configuration-get",
      [field("Keys (comma-separated, empty: all)", h("input", { name: "key", placeholder: "HeartbeatInterval" }))],
      (v, b) => {
        const key = v.key.split(",").map((part) => part.trim()).filter(Boolean);
        post("Get configuration", "configuration/get", { key }, b, configTable);
      },
      box,
    ),
    commandForm(
      "Change configuration",
      "configuration-change",
      [
        field("Key", h("input", { name: "key", required: true, placeholder: "HeartbeatInterval" })),
        field("Value", h("input", { name: "value", required: true, placeholder: "60" })),
      ],
      (v, b) => {
        model.sampleIntervals.delete(chargeBoxId); // the charger view asks again
        return post("Change configuration", "configuration/change", { key: v.key, value: v.value }, b);
      },
      box,
    ),
    commandForm(
      "Change availability",
      "availability",
      [
        field("Connector (0: all)", h("input", { name: "connectorId", type: "number", min: 0, value: 0, required: true })),
        field("Type", select("type", ["Operative", "Inoperative"], "Inoperative")),
      ],
      (v, b) => post("Availability", "availability", { connectorId: Number(v.connectorId), type: v.type }, b),
      box,
    ),
    commandForm(
      "Data transfer",
      "data-transfer",
      [
        field("Vendor id", h("input", { name: "vendorId", required: true, placeholder: "com.example" })),
        field("Message id", h("input", { name: "messageId" })),
        field("Data", h("input", { name: "data" })),
      ],
      (v, b) =>
        post(
          "Data transfer",
          "data-transfer",
          { vendorId: v.vendorId, messageId: v.messageId || null, data: v.data || null },
          b,
        ),
      box,
    ),
    commandForm(
      "Remote start",
      "remote-start",
      [
        field("Connector", h("input", { name: "connectorId", type: "number", min: 1, value: 1, required: true })),
        field("Id tag", h("input", { name: "idTag", required: true, value: "DASHBOARD" })),
      ],
      (v, b) =>
        run(box, "Remote start", b, () => api.remoteStart(chargeBoxId, Number(v.connectorId), v.idTag)),
      box,
    ),
    commandForm(
      "Remote stop",
      "remote-stop",
      [field("Transaction", activeSelect)],
      (v, b) => {
        if (!v.transactionId) return box.error("Remote stop", new Error("no active transaction"));
        return run(box, "Remote stop", b, () => api.remoteStop(v.transactionId, chargeBoxId));
      },
      box,
    ),
    commandForm(
      "Unlock",
      "unlock",
      [field("Connector", h("input", { name: "connectorId", type: "number", min: 1, value: 1, required: true }))],
      (v, b) => post("Unlock", "unlock", { connectorId: Number(v.connectorId) }, b),
      box,
    ),
    commandForm("Clear cache", "cache-clear", [], (v, b) => post("Clear cache", "cache/clear", undefined, b), box),
    ...operationForms(api, chargeBoxId, box, commandForm),
  ];

  // One form at a time: the menu picks it, so that the panel fits a laptop screen.
  const menu = forms.map((form) =>
    h(
      "button",
      { type: "button", dataset: { show: form.dataset.command }, on: { click: () => show(form.dataset.command) } },
      form.dataset.title,
    ),
  );
  function show(name) {
    forms.forEach((form) => (form.hidden = form.dataset.command !== name));
    menu.forEach((button) => button.classList.toggle("current", button.dataset.show === name));
  }
  show("reset");
  const el = h(
    "div.command-panel",
    {},
    h("div.command-menu", { role: "toolbar" }, menu),
    forms,
    shown.el,
    history.el,
  );
  return { el, refresh: refreshActive };
}
