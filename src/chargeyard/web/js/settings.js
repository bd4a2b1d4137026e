// Credentials: the API key of /api/v1 and the bearer token of /ocpp, kept in localStorage.
// A local start (chargeyard up) prints a sign-in link, /dashboard/#signin=<secret>: the page
// trades the secret, once, for the credentials (POST sign-in; the server never serves them
// otherwise). Without a link the user types them in Settings.

import { request } from "./api/http.js";
import { field, h } from "./dom.js";
import { signal } from "./state.js";

const KEYS = { apiKey: "chargeyard.apiKey", token: "chargeyard.token" };
const SIGN_IN = /^#signin=([A-Za-z0-9_-]+)$/;
const SIGN_IN_MEANINGS = {
  403: "The sign-in link did not work",
  404: "This server has no sign-in link",
};

export const credentials = signal({
  apiKey: localStorage.getItem(KEYS.apiKey) || "",
  token: localStorage.getItem(KEYS.token) || "",
});

/** Why the last sign-in failed (an ApiError), or null. */
export const signInProblem = signal(null);

/** What the server says before the page is signed in: {signIn: a link was printed}. */
export const server = signal({ signIn: false });

export function save(next) {
  for (const [name, storageKey] of Object.entries(KEYS)) {
    if (next[name]) localStorage.setItem(storageKey, next[name]);
    else localStorage.removeItem(storageKey);
  }
  signInProblem.set(null);
  credentials.set({ ...next });
}

export function isSignInLink() {
  return SIGN_IN.test(window.location.hash);
}

/** Signs in with the link's secret when the page was opened with one. */
export async function signIn() {
  const match = window.location.hash.match(SIGN_IN);
  if (!match) return;
  // The secret leaves the address bar and the history at once (it works once anyway).
  history.replaceState(null, "", `${window.location.pathname}${window.location.search}#/central`);
  try {
    const answer = await request(new URL("sign-in", window.location.href).href, {
      method: "POST",
      body: { secret: match[1] },
      meanings: SIGN_IN_MEANINGS,
    });
    save({ apiKey: answer.apiKey || "", token: answer.token || "" });
  } catch (error) {
    signInProblem.set(error);
  }
}

/** Reads config.json: whether this server printed a sign-in link. */
export async function loadServer() {
  try {
    server.set(await request(new URL("config.json", window.location.href).href));
  } catch {
    // an older or unreachable server: the banner still says how to sign in by hand
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
