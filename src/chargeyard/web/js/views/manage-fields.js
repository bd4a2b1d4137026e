// The pieces of the management forms: a form's values, empty text as null, checkboxes,
// times shown and edited in the browser's time zone, and a secret the API shows once (a
// webhook's signing secret, an API key), kept on screen with a copy button.

import { dateTime, fill, h } from "../dom.js";

/** A form's values by input name (checkboxes: checked or not; disabled inputs left out). */
export function formValues(form) {
  const values = {};
  for (const input of form.elements) {
    if (!input.name || input.disabled) continue;
    if (input.type === "checkbox") {
      if (input.value === "on") values[input.name] = input.checked;
      else if (input.checked) (values[input.name] ||= []).push(input.value);
    } else {
      values[input.name] = input.value.trim();
    }
  }
  return values;
}

/** Empty text as null: what clears an optional field on the APIs. */
export function orNull(text) {
  return text === "" || text === undefined ? null : text;
}

/** A labelled checkbox. */
export function checkbox(name, label, checked, attrs = {}) {
  return h("label.check", {}, h("input", { type: "checkbox", name, checked, ...attrs }), label);
}

/** A time as a <time> (one line), its whole date on hover. */
export function when(iso) {
  return iso ? h("time", { datetime: iso, title: iso }, dateTime(iso)) : "—";
}

/** A `datetime-local` input's value for an ISO time, in the browser's time zone. */
export function localInput(iso) {
  if (!iso) return "";
  const moment = new Date(iso);
  const local = new Date(moment.getTime() - moment.getTimezoneOffset() * 60000);
  return local.toISOString().slice(0, 16);
}

/**
 * What the API showed once and never again, with a button that copies it. `what` names it,
 * `hint` says what it is for.
 */
export function shownOnce(what, secret, hint) {
  const code = h("code.secret", {}, secret);
  const copied = h("span.muted", { "aria-live": "polite" });
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      fill(copied, "copied");
    } catch {
      // No clipboard (a page not served from a trusted origin): the text is selected for Ctrl+C.
      window.getSelection().selectAllChildren(code);
      fill(copied, "selected: press Ctrl+C (⌘C) to copy");
    }
  };
  return h(
    "div.once",
    { dataset: { once: what } },
    h("p", {}, h("strong", {}, `${what}, shown this once: `), "copy it now, it cannot be shown again."),
    code,
    h("p.once-actions", {}, h("button", { type: "button", on: { click: copy } }, "Copy"), copied),
    hint ? h("p.hint", {}, hint) : null,
  );
}
