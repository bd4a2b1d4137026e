// The central system's API keys (/api/v1/api-keys) of the organization the key in Settings
// acts in, managed with an admin (or platform) key: made with a role, shown whole once,
// revoked. A key cannot be edited (a new one is made instead). The
// rows are read by the fields shown here only: the API may add others.

import { credentials } from "../settings.js";
import { field, h, select } from "../dom.js";
import { formValues, shownOnce, when } from "./manage-fields.js";
import { resourceSection } from "./manage-kit.js";

// The roles an admin key may give (a platform key is made only by a platform key).
const ROLES = ["viewer", "operator", "admin"];
const ROLE_WORDS = {
  viewer: "reads",
  operator: "reads, sends commands and writes",
  admin: "also manages API keys",
};

/** The prefix of a key, cy_<prefix>_<secret>: which row is this browser's own key. */
function prefixOf(key) {
  const parts = (key || "").split("_");
  return parts.length >= 3 ? parts[1] : null;
}

function own(row) {
  return row.prefix === prefixOf(credentials.value.apiKey);
}

function fields() {
  return [
    field("Name (what it is for)", h("input", { name: "name", required: true, maxlength: 255, placeholder: "grafana" })),
    field("Role", select("role", ROLES, "viewer")),
    h("p.hint.wide", {}, ROLES.map((role) => `${role}: ${ROLE_WORDS[role]}`).join("; "), "."),
  ];
}

function read(form) {
  const v = formValues(form);
  return { name: v.name, role: v.role };
}

/** A 403 means this browser's key is not an admin key: say so, and what to do. */
function refused(error) {
  if (error.status !== 403) return null;
  return h(
    "div.notice.error",
    { dataset: { notice: "not-admin" } },
    h("strong", {}, "Only an admin (or platform) API key manages API keys. "),
    "The key in Settings is not one: paste an admin key there (",
    h("code", {}, "chargeyard apikey create --name dashboard --role admin"),
    ") to list, make or revoke keys. The server said: ",
    error.message,
  );
}

export function apiKeysSection({ api }) {
  return resourceSection({
    name: "api-keys",
    noun: "API key",
    plural: "API keys",
    hint: "Keys of the central system's API (X-API-Key). The key itself is shown once, when it is made; only its hash is kept.",
    columns: [
      ["Name", (row) => [row.name, own(row) ? h("span.badge.own", {}, "this browser") : null]],
      ["Key", (row) => `cy_${row.prefix}_…`, "mono"],
      ["Role", (row) => row.role, "narrow"],
      ["Organization", (row) => row.organizationId, "narrow"],
      ["Created", (row) => when(row.createdAt)],
      ["Last used", (row) => when(row.lastUsedAt)],
    ],
    key: (row) => row.id,
    label: (row) => row.name,
    load: () => api.apiKeys(),
    fields,
    read,
    create: (body) => api.createApiKey(body),
    created: (answer) => ({ kind: "ok", words: `created: a ${answer.role} key named ${answer.name}` }),
    remove: (row) => api.revokeApiKey(row.id),
    removeWords: [
      "Revoke",
      (row) =>
        own(row)
          ? `Revoke ${row.name}, the key this browser uses? The dashboard loses the central system until another key is in Settings.`
          : `Revoke ${row.name}? Requests with it are refused from now on.`,
    ],
    once: (answer) =>
      shownOnce(
        "The new API key",
        answer.key,
        "Send it as the X-API-Key header, or paste it in this dashboard's Settings.",
      ),
    problem: refused,
    empty: "No API keys.",
  });
}
