// The simulator's controls of one simulated charger (docs/simulator-controls.md): the EV of the
// next session and its state of charge, the EV and the EVSE suspended, the energy register and
// the meter sent now, a fault's status, a jammed lock, a power cut, the reset button, the
// station's memory read back, one local list entry, one of its messages sent now. Each is a
// gateway command (POST /ocpp/commands/<command>) sent by simcharger.js's `send`, which
// follows it to its outcome in the answer box; a read's result is its outcome's `result`.
//
// The controls act on the connector chosen at the top of the panel (its list follows the
// charger's connectors); the reset acts on the whole station unless "this EVSE only" is ticked.

import { field, fill, h } from "../dom.js";
import { versionFacts } from "../versions.js";

const EV_MODELS = ["city-40", "suv-77", "large-100", "phev-12"];
const STATUSES = ["Accepted", "Blocked", "Expired", "Invalid", "ConcurrentTx"];
/** A number input's value, or undefined when empty; `scale` converts its unit (kW to W). */
function number(input, scale = 1) {
  return input.value === "" ? undefined : Number(input.value) * scale;
}

function options(select, values) {
  const kept = select.value;
  fill(select, values.map((value) => h("option", { value }, value)));
  if (values.includes(kept)) select.value = kept;
}

/**
 * @param {{send: (what: string, name: string, event: object, button: HTMLButtonElement) => void,
 *          chargerVersion: () => string | undefined}} deps
 */
export function simControls({ send, chargerVersion }) {
  const place = h("select", { name: "place", "aria-label": "Connector" });
  const places = new Map(); // key -> {evse_id, connector_id}
  // An input is named by its field's <label>; a select by an aria-label of the same words
  // (its label's name would run its options' texts on).
  const input = (name, attrs = {}) => h("input", { name, ...attrs });
  const model = h("select", { name: "ev_model", "aria-label": "Model" }, EV_MODELS.map((m) => h("option", { value: m }, m)));
  const arrival = input("ev_soc", { type: "number", min: 0, max: 100, placeholder: "20" });
  const capacity = input("ev_capacity", { type: "number", min: 1, step: "0.1", placeholder: "the model's" });
  const maxAc = input("ev_max_ac", { type: "number", min: 0, step: "0.1", placeholder: "the model's" });
  const maxDc = input("ev_max_dc", { type: "number", min: 0, step: "0.1", placeholder: "the model's" });
  const departure = input("ev_departure", { type: "datetime-local" });
  const soc = input("soc", { type: "number", min: 0, max: 100, value: 80 });
  const register = input("energy_kwh", { type: "number", min: 0, step: "0.001" });
  const offSeconds = input("off_seconds", { type: "number", min: 1, placeholder: "restart time" });
  const reset = h("select", { name: "reset_type", "aria-label": "Reset" });
  const evseOnly = h("input", { type: "checkbox", name: "reset_evse_only" });
  const entryTag = input("entry_id_tag", { maxlength: 36, value: "04A1B2C3D4" });
  const entryStatus = h("select", { name: "entry_status", "aria-label": "Entry status" }, STATUSES.map((s) => h("option", { value: s }, s)));
  const entryParent = input("entry_parent", { maxlength: 36 });
  const message = h("select", { name: "message", "aria-label": "Message" });

  const here = () => places.get(place.value) || { evse_id: 1, connector_id: 1 };
  const where = () => {
    const option = place.selectedOptions[0];
    return option ? option.textContent : "EVSE 1 connector 1";
  };
  const button = (label, name, event = () => here(), words = label) =>
    h(
      "button",
      { type: "button", dataset: { control: name }, on: { click: (e) => send(`${words} (${where()})`, name, event(), e.currentTarget) } },
      label,
    );
  const station = (label, name, event) =>
    h("button", { type: "button", dataset: { control: name }, on: { click: (e) => send(label, name, event(), e.currentTarget) } }, label);
  const group = (title, ...children) => h("div.control-group", {}, h("h3", {}, title), ...children);
  const buttons = (...children) => h("div.control-buttons", {}, ...children);

  function chosenEv() {
    const ev = { model: model.value };
    const given = {
      soc: number(arrival),
      battery_capacity_wh: number(capacity, 1000),
      max_ac_power_w: number(maxAc, 1000),
      max_dc_power_w: number(maxDc, 1000),
      departure_time: departure.value ? new Date(departure.value).toISOString() : undefined,
    };
    for (const [name, value] of Object.entries(given)) if (value !== undefined) ev[name] = value;
    return ev;
  }

  function reboot() {
    const event = { type: reset.value };
    if (evseOnly.checked) event.evse_id = here().evse_id;
    return event;
  }

  function entry() {
    const event = { id_tag: entryTag.value, status: entryStatus.value };
    if (entryParent.value) event.parent_id_tag = entryParent.value;
    return event;
  }

  const el = h(
    "div.sim-controls",
    {},
    h("header.panel-head.runtime-head", {}, h("h2", {}, "Simulator controls"), h("span.muted", {}, "what a tester does")),
    h("div.command-fields", {}, field("Connector", place)),
    group(
      "EV",
      h("div.command-fields", {}, field("Model", model), field("SoC at arrival (%)", arrival), field("Battery (kWh)", capacity), field("Max AC (kW)", maxAc), field("Max DC (kW)", maxDc), field("Departure", departure)),
      buttons(
        button("Set EV", "set-ev", () => ({ ...here(), ev: chosenEv() })),
        button("Default EV", "set-ev", () => ({ ...here(), ev: null }), "Default EV"),
      ),
      h("div.command-fields", {}, field("SoC now (%)", soc)),
      buttons(
        button("Update SoC", "update-soc", () => ({ ...here(), soc: number(soc) })),
        button("EV state", "ev-state"),
        button("Suspend EV", "suspend-ev"),
        button("Resume EV", "resume-ev"),
        button("Suspend EVSE", "suspend-evse"),
        button("Resume EVSE", "resume-evse"),
      ),
    ),
    group(
      "Meter",
      h("div.command-fields", {}, field("Register (kWh)", register)),
      buttons(
        button("Set register", "update-meter-values", () => ({ ...here(), energy_wh: number(register, 1000) })),
        button("Send meter values", "send-meter-values"),
      ),
    ),
    group(
      "Hardware",
      buttons(button("Fault status", "fault-status"), button("Jam lock", "jam-lock", () => ({ ...here(), jammed: true })), button("Free lock", "jam-lock", () => ({ ...here(), jammed: false }), "Free lock")),
      h("div.command-fields", {}, field("Power off (s)", offSeconds), field("Reset", reset), h("label.field-check", {}, evseOnly, " this EVSE only (2.0.1)")),
      buttons(
        station("Power cut", "power-cut", () => (number(offSeconds) === undefined ? {} : { off_seconds: number(offSeconds) })),
        station("Reboot", "reboot", reboot),
      ),
    ),
    group(
      "The station's memory",
      buttons(
        station("Configuration", "get-configuration", () => ({ keys: [] })),
        station("Authorization cache", "get-authorization-cache", () => ({})),
        station("Local list", "get-local-list", () => ({})),
        station("Certificates", "get-certificates", () => ({})),
      ),
      // (Not "Id tag": the session's field has those words.)
      h("div.command-fields", {}, field("Entry tag", entryTag), field("Entry status", entryStatus), field("Entry parent", entryParent)),
      buttons(station("Add entry", "add-local-list-entry", entry), station("Remove entry", "remove-local-list-entry", () => ({ id_tag: entryTag.value }))),
    ),
    group(
      "Send now",
      h("div.command-fields", {}, field("Message", message)),
      buttons(button("Send message", "trigger-message", () => ({ ...here(), message: message.value }))),
    ),
  );

  return {
    el,
    /** The charger's connectors: [{key, label, place: {evse_id, connector_id}}]. */
    connectors(list) {
      const keys = list.map((item) => item.key).join();
      if (keys === [...places.keys()].join()) return;
      const kept = place.value;
      places.clear();
      for (const item of list) places.set(item.key, item.place);
      fill(place, list.map((item) => h("option", { value: item.key }, item.label)));
      if (places.has(kept)) place.value = kept;
    },
    /** The charger's version chooses the reset types and the messages it takes. */
    version() {
      const facts = versionFacts(chargerVersion()) || versionFacts("1.6");
      options(reset, facts.resetTypes);
      options(message, facts.triggerMessages);
    },
  };
}
