// The command panel's forms for reservations (1.6 sections 5.13 and 5.2, 2.0.1 H01 and H02)
// and the local authorization list (1.6 sections 5.15 and 5.11, 2.0.1 D01 and D02), one body
// each for both versions: the API says them in the station's version.

import { compact } from "./formkit.js";
import { said } from "./results.js";

// ConnectorEnumType of OCPP 2.0.1 (ReserveNowRequest's schema).
const CONNECTOR_TYPES = [
  "cCCS1", "cCCS2", "cG105", "cTesla", "cType1", "cType2", "s309-1P-16A", "s309-1P-32A",
  "s309-3P-16A", "s309-3P-32A", "sBS1361", "sCEE-7-7", "sType2", "sType3", "Other1PhMax16A",
  "Other1PhOver16A", "Other3Ph", "Pan", "wInductive", "wResonant", "Undetermined", "Unknown",
];

// The statuses a list entry may have (AuthorizationStatus of 1.6; the last five are 2.0.1's
// AuthorizationStatusEnumType only). No status: a Differential update removes the tag.
const ENTRY_STATUSES = [
  "Accepted", "Blocked", "Expired", "Invalid", "ConcurrentTx", "NoCredit",
  "NotAllowedTypeEVSE", "NotAtThisLocation", "NotAtThisTime", "Unknown",
];

export const RESERVATION_FORMS = [
  {
    title: "Reserve",
    name: "reservation",
    group: "Sessions",
    path: "reservation",
    fields: [
      { name: "connectorId", label: "Connector (0: any)", min: 0, value: 1 },
      { name: "idTag", label: "Id tag", type: "text", value: "DASHBOARD" },
      { name: "minutes", label: "Minutes", min: 1, value: 30 },
      { name: "connectorType", label: "Connector type", type: "select", options: CONNECTOR_TYPES, optional: true, blank: "any", only: "operations201" },
      { name: "parentIdTag", label: "Parent id tag", type: "text", optional: true },
      { name: "reservationId", label: "Reservation id", min: 1, optional: true, placeholder: "new" },
    ],
    body: ({ minutes, ...v }) => compact({ ...v, expiryDate: new Date(Date.now() + minutes * 60000).toISOString() }),
  },
  {
    title: "Cancel reservation",
    name: "reservation-cancel",
    group: "Sessions",
    path: "reservation/cancel",
    fields: [{ name: "reservationId", label: "Reservation id", min: 1 }],
  },
];

export const LOCAL_LIST_FORMS = [
  {
    title: "Local list",
    name: "local-list",
    group: "Local list",
    path: "local-list",
    hint: "Full replaces the list; Differential changes the entries named (no status: removed).",
    fields: [
      { name: "listVersion", label: "Version after this", min: 1, value: 1 },
      { name: "updateType", label: "Update", type: "select", options: ["Full", "Differential"], value: "Full" },
      {
        name: "entries",
        label: "Entries",
        type: "rows",
        noun: "entry",
        rows: [{}, {}],
        columns: [
          { name: "idTag", label: "Id tag", type: "text" },
          { name: "status", label: "Status", type: "select", options: ENTRY_STATUSES, optional: true, blank: "(remove)", value: "Accepted" },
          { name: "expiryDate", label: "Expires", type: "datetime", optional: true },
          { name: "parentIdTag", label: "Parent id tag", type: "text", optional: true },
        ],
      },
    ],
    show: (answer) => said(`${answer.entries} entries sent; the list is version ${answer.listVersion} if accepted.`),
  },
  {
    title: "List version",
    name: "local-list-version",
    group: "Local list",
    path: "local-list/version",
    show: (answer) =>
      said(
        answer.listVersion > 0
          ? `The station's local list is version ${answer.listVersion}.`
          : answer.listVersion === 0
            ? "The station has no local list (version 0)."
            : `The station does not support a local list (version ${answer.listVersion}).`,
      ),
  },
];
