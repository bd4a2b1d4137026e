// The CSMS command panel of one charger: every /api/v1 command as a form built for it, picked
// from a menu of groups, the station's answer shown under it, and the charger's command
// history. Forms are built once per charger (typing survives live updates); the forms of
// operations the charger's version lacks (versions.js) are not offered.

import { h } from "../dom.js";
import { versionFacts } from "../versions.js";
import { answerBox } from "./answer.js";
import { commandForm } from "./formkit.js";
import { LOCAL_LIST_FORMS, RESERVATION_FORMS } from "./forms-authorization.js";
import { CERTIFICATE_FORMS } from "./forms-certificates.js";
import { CHARGING_FORMS } from "./forms-charging.js";
import { DEVICE_FORMS } from "./forms-device.js";
import { MESSAGE_FORMS } from "./forms-messages.js";
import { MONITORING_FORMS } from "./forms-monitoring.js";
import { RAW_FORMS } from "./forms-raw.js";
import { SESSION_FORMS, STATION_FORMS } from "./forms-station.js";
import { commandHistory } from "./history.js";

const GROUPS = ["Station", "Sessions", "Local list", "Smart charging", "Certificates", "Device model", "Monitoring", "Messages", "Raw"];
/** The panel's forms, in menu order (each a spec of formkit.js). */
export const FORMS = [
  ...STATION_FORMS,
  ...SESSION_FORMS,
  ...RESERVATION_FORMS,
  ...LOCAL_LIST_FORMS,
  ...CHARGING_FORMS,
  ...CERTIFICATE_FORMS,
  ...DEVICE_FORMS,
  ...MONITORING_FORMS,
  ...MESSAGE_FORMS,
  ...RAW_FORMS,
];
const FIRST = "reset";

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
  const refreshers = [];
  const facts = () => versionFacts(model.chargers.get(chargeBoxId)?.ocppVersion);
  const ctx = { api, model, chargeBoxId, box, facts, onRefresh: (refresher) => refreshers.push(refresher) };
  const forms = FORMS.map((spec) => commandForm(spec, ctx));
  const formNamed = (name) => forms.find((form) => form.dataset.command === name);
  // A form is offered unless the charger's version is known and lacks what it sends.
  const offered = (form) => !form.dataset.only || !facts() || Boolean(facts()[form.dataset.only]);

  const formButtons = forms.map((form) =>
    h(
      "button",
      { type: "button", dataset: { show: form.dataset.command }, on: { click: () => show(form.dataset.command) } },
      form.dataset.title,
    ),
  );
  const groupButtons = GROUPS.map((group) =>
    h(
      "button.command-group",
      {
        type: "button",
        dataset: { group },
        on: { click: () => show(forms.find((form) => form.dataset.group === group && offered(form)).dataset.command) },
      },
      group,
    ),
  );

  let current = FIRST;
  function show(name) {
    if (name !== current) shown.el.hidden = true; // the answer shown was another form's
    current = name;
    const group = formNamed(name).dataset.group;
    forms.forEach((form) => (form.hidden = form.dataset.command !== name));
    formButtons.forEach((button) => {
      const form = formNamed(button.dataset.show);
      button.hidden = form.dataset.group !== group || !offered(form);
      button.classList.toggle("current", button.dataset.show === name);
    });
    groupButtons.forEach((button) => {
      button.hidden = !forms.some((form) => form.dataset.group === button.dataset.group && offered(form));
      button.classList.toggle("current", button.dataset.group === group);
      button.setAttribute("aria-pressed", String(button.dataset.group === group));
    });
  }

  let version;
  /** Follows the charger: its running transactions, and its version once known. */
  function refresh() {
    refreshers.forEach((refresher) => refresher());
    const now = model.chargers.get(chargeBoxId)?.ocppVersion;
    if (now === version) return;
    version = now;
    forms.forEach((form) => form.update());
    show(offered(formNamed(current)) ? current : FIRST);
  }
  refresh();
  show(current);

  const el = h(
    "div.command-panel",
    {},
    h("div.command-groups", { role: "toolbar", "aria-label": "Command groups" }, groupButtons),
    h("div.command-menu", { role: "toolbar", "aria-label": "Commands" }, formButtons),
    forms,
    shown.el,
    history.el,
  );
  return { el, refresh };
}
