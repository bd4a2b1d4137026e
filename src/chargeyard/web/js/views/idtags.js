// The central system's id tags (/api/v1/id-tags): what Authorize answers for a tag (OCPP 1.6
// IdTagInfo, 7.14; 2.0.1 IdTokenInfoType, C01). A change applies to the next tag a charger
// presents; a charger may still hold the old answer in its cache or local list.

import { field, h, select } from "../dom.js";
import { formValues, localInput, orNull, when } from "./manage-fields.js";
import { resourceSection } from "./manage-kit.js";

// The values the API takes (api/v1/schemas/id_tags.py); "" is none.
const STATUSES = ["Accepted", "Blocked", "Expired", "Invalid", "ConcurrentTx"];
const TOKEN_TYPES = ["", "Central", "eMAID", "ISO14443", "ISO15693", "KeyCode", "Local", "MacAddress", "NoAuthorization"];
const POLICIES = ["", "single-session"];
// 2.0.1's IdTokenType holds 36 characters (1.6's IdToken 20: a longer tag is 2.0.1's only).
const TAG_LENGTH = 36;

function choice(name, options, value) {
  return h(
    "select",
    { name },
    options.map((option) => h("option", { value: option, selected: option === (value || "") }, option || "none")),
  );
}

function fields(row) {
  return [
    field(
      "Id tag",
      h("input", { name: "idTag", required: true, maxlength: TAG_LENGTH, value: row ? row.idTag : "", disabled: Boolean(row) }),
    ),
    field("Status", select("status", STATUSES, row ? row.status : "Accepted")),
    field("Expires (empty: never)", h("input", { name: "expiryDate", type: "datetime-local", value: localInput(row && row.expiryDate) })),
    field("Parent (group) tag", h("input", { name: "parentIdTag", maxlength: TAG_LENGTH, value: (row && row.parentIdTag) || "" })),
    field("Token type (2.0.1)", choice("tokenType", TOKEN_TYPES, row && row.tokenType)),
    field("Policy", choice("policy", POLICIES, row && row.policy)),
  ];
}

function read(form, row) {
  const v = formValues(form);
  // Every field is sent: on an edit an emptied one is cleared (null), as the API reads PATCH.
  const body = {
    status: v.status,
    expiryDate: v.expiryDate ? new Date(v.expiryDate).toISOString() : null,
    parentIdTag: orNull(v.parentIdTag),
    tokenType: orNull(v.tokenType),
    policy: orNull(v.policy),
  };
  return row ? body : { idTag: v.idTag, ...body };
}

export function idTagsSection({ api }, editKey) {
  return resourceSection(
    {
      name: "id-tags",
      noun: "id tag",
      plural: "Id tags",
      hint: "What the central system answers when a charger asks to authorize a tag.",
      empty: "No id tags yet: the central system answers Invalid to every tag a charger presents.",
      columns: [
        ["Id tag", (row) => row.idTag, "mono"],
        ["Status", (row) => h("span.badge", { dataset: { status: row.status } }, row.status), "narrow"],
        ["Expires", (row) => when(row.expiryDate)],
        ["Parent", (row) => row.parentIdTag || "—"],
        ["Type · policy", (row) => [row.tokenType, row.policy].filter(Boolean).join(" · ") || "—"],
      ],
      key: (row) => row.idTag,
      label: (row) => row.idTag,
      load: () => api.idTags(),
      fields,
      read,
      create: (body) => api.createIdTag(body),
      update: (row, body) => api.updateIdTag(row.idTag, body),
      remove: (row) => api.deleteIdTag(row.idTag),
      removeWords: ["Delete", (row) => `Delete ${row.idTag}? Authorize answers Invalid for it from now on.`],
    },
    { editKey },
  );
}
