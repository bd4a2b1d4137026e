// Credentials: the API key of /api/v1 and the bearer token of /ocpp, kept in localStorage.
// On a local start the server pre-fills them (/dashboard/config.json answers them only when
// the app was created with dashboard credentials; otherwise {}).

import { field, h } from "./dom.js";
import { signal } from "./state.js";

const KEYS = { apiKey: "chargeyard.apiKey", token: "chargeyard.token" };

export const credentials = signal({
  apiKey: localStorage.getItem(KEYS.apiKey) || "",
  token: localStorage.getItem(KEYS.token) || "",
});

export function save(next) {
  for (const [name, storageKey] of Object.entries(KEYS)) {
    if (next[name]) localStorage.setItem(storageKey, next[name]);
    else localStorage.removeItem(storageKey);
  }
  credentials.set({ ...next });
}

/** Take the server's pre-filled credentials for what the user has not set. */
export async function prefill() {
  try {
    const response = await fetch("config.json", { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const config = await response.json();
    const current = credentials.value;
    const next = {
      apiKey: current.apiKey || config.apiKey || "",
      token: current.token || config.token || "",
    };
    if (next.apiKey !== current.apiKey || next.token !== current.token) save(next);
  } catch {
    // no pre-fill: the user types them
  }
}

/** The settings dialog. */
export function settingsDialog(dialog) {
  const apiKey = h("input", { name: "apiKey", type: "password", autocomplete: "off" });
  const token = h("input", { name: "token", type: "password", autocomplete: "off" });
  const show = h("input", {
    type: "checkbox",
    on: {
      change: () => {
        apiKey.type = token.type = show.checked ? "text" : "password";
      },
    },
  });
  const form = h(
    "form.settings-form",
    {
      method: "dialog",
      on: {
        submit: () => save({ apiKey: apiKey.value.trim(), token: token.value.trim() }),
      },
    },
    h("h2", { id: "settings-title" }, "Settings"),
    h(
      "p.hint",
      {},
      "Stored in this browser only. The API key comes from ",
      h("code", {}, "chargeyard apikey create"),
      "; the gateway token from ",
      h("code", {}, "chargeyard token create"),
      ".",
    ),
    field("API key (X-API-Key, /api/v1)", apiKey),
    field("Gateway token (Bearer, /ocpp)", token),
    h("label.inline", {}, show, " show"),
    h(
      "div.actions",
      {},
      h("button", { type: "button", on: { click: () => dialog.close() } }, "Cancel"),
      h("button.primary", { type: "submit" }, "Save"),
    ),
  );
  dialog.replaceChildren(form);
  return () => {
    apiKey.value = credentials.value.apiKey;
    token.value = credentials.value.token;
    dialog.showModal();
  };
}
