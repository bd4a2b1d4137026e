// The command panel's smart charging forms: the charging-profile editor, which draws the
// schedule it is about to send as it is typed; clearing profiles; the composite schedule the
// station will follow, drawn; and (2.0.1 K09) the profiles the station holds.
//
// The API takes one profile body for both versions (1.6 section 5.16 csChargingProfiles,
// 2.0.1 K01 chargingProfile) and checks the rules of both before sending: periods from 0 in
// increasing order, a Recurring profile's recurrencyKind, a startSchedule for Absolute and
// Recurring ones and none for Relative, a TxProfile's transaction.

import { h, time } from "../dom.js";
import { compact, words } from "./formkit.js";
import { transactionInput } from "./forms-station.js";
import { resultTable, said, when } from "./results.js";
import { schedulePlot } from "./schedule.js";

const GROUP = "Smart charging";
// The station-wide purpose is one value of the API's, named as the station's version names it.
const PURPOSES = [
  ["TxDefaultProfile", "TxDefaultProfile"],
  ["TxProfile", "TxProfile"],
  ["ChargePointMaxProfile", "ChargePointMax / ChargingStationMax"],
];
// ChargingProfilePurposeEnumType and ChargingLimitSourceEnumType of 2.0.1 (GetChargingProfiles).
const PURPOSES_201 = ["ChargingStationExternalConstraints", "ChargingStationMaxProfile", "TxDefaultProfile", "TxProfile"];
const LIMIT_SOURCES = ["EMS", "Other", "SO", "CSO"];

const UNIT = { name: "chargingRateUnit", label: "Unit", type: "select", options: ["A", "W"], value: "A" };

/** The schedule of the editor's values, as the API's body writes it. */
function scheduleOf(v) {
  return compact({
    chargingRateUnit: v.chargingRateUnit,
    periods: v.periods,
    duration: v.duration,
    startSchedule: v.startSchedule,
    minChargingRate: v.minChargingRate,
  });
}

/** What is wrong with `periods` by the rule both versions share, or null. */
export function periodProblem(periods) {
  if (!periods.length) return "a schedule has one period at least";
  if (periods[0].startPeriod !== 0) return "the first period starts at 0";
  for (let i = 1; i < periods.length; i++) {
    if (periods[i].startPeriod <= periods[i - 1].startPeriod) return "periods start in increasing order";
  }
  return null;
}

/** The profile editor's preview: the schedule about to be sent, drawn, and what it means. */
function preview(v) {
  const schedule = scheduleOf(v);
  const problem = periodProblem(v.periods);
  const start =
    v.kind === "Relative" ? "start of charging" : v.startSchedule ? time(v.startSchedule) : "startSchedule?";
  const plot = schedulePlot(schedule, { title: "Schedule to send", start, recurrency: v.recurrency });
  const kind = v.kind === "Recurring" ? `Recurring ${(v.recurrency || "?").toLowerCase()}` : v.kind;
  const valid = v.validFrom || v.validTo ? `, valid ${when(v.validFrom)} to ${when(v.validTo)}` : "";
  return [
    h("p.preview-words", {}, `${kind} ${v.purpose}, stack level ${v.stackLevel ?? "?"}${valid}`),
    plot || h("p.empty", {}, "No period yet."),
    problem ? h("p.preview-problem", {}, `Not sent as it is: ${problem}.`) : null,
  ];
}

function periodsText(schedule) {
  return (schedule.chargingSchedulePeriod || [])
    .map((p) => `${p.limit} ${schedule.chargingRateUnit} from ${p.startPeriod} s`)
    .join("; ");
}

const profilesTable = (answer) =>
  resultTable(
    "charging-profiles",
    [
      ["EVSE", (row) => row.evseId],
      ["Id", (row) => row.profile.id],
      ["Purpose", (row) => row.profile.chargingProfilePurpose],
      ["Kind", (row) => [row.profile.chargingProfileKind, row.profile.recurrencyKind].filter(Boolean).join(" ")],
      ["Stack", (row) => row.profile.stackLevel],
      ["Source", (row) => row.source],
      ["Schedule", (row) => (row.profile.chargingSchedule || []).map(periodsText).join(" | ")],
    ],
    (answer.report || []).flatMap((part) =>
      (part.chargingProfile || []).map((profile) => ({ evseId: part.evseId, source: part.chargingLimitSource, profile })),
    ),
    "No profile reported.",
  );

export const CHARGING_FORMS = [
  {
    title: "Charging profile",
    name: "charging-profile",
    group: GROUP,
    path: "charging-profile",
    fields: [
      { name: "connectorId", label: "Connector (0: station)", min: 0, value: 1 },
      { name: "id", label: "Profile id", min: 1, value: 1 },
      { name: "stackLevel", label: "Stack level", min: 0, value: 0 },
      { name: "purpose", label: "Purpose", type: "select", options: PURPOSES, value: "TxDefaultProfile" },
      { name: "transactionId", label: "Transaction", type: "element", input: (ctx) => transactionInput(ctx, "transactionId", { optional: true }), when: (v) => v.purpose === "TxProfile" },
      { name: "kind", label: "Kind", type: "select", options: ["Absolute", "Recurring", "Relative"], value: "Relative" },
      { name: "recurrency", label: "Recurs", type: "select", options: ["Daily", "Weekly"], value: "Daily", when: (v) => v.kind === "Recurring" },
      { name: "startSchedule", label: "Starts", type: "datetime", value: () => new Date(), when: (v) => v.kind !== "Relative" },
      UNIT,
      { name: "duration", label: "Duration (s)", min: 0, optional: true, placeholder: "open" },
      { name: "minChargingRate", label: "Min rate", type: "number", min: 0, optional: true },
      { name: "validFrom", label: "Valid from", type: "datetime", optional: true },
      { name: "validTo", label: "Valid to", type: "datetime", optional: true },
      {
        name: "periods",
        label: "Periods",
        type: "rows",
        noun: "period",
        rows: [{ startPeriod: 0, limit: 16 }, { startPeriod: 3600, limit: 8 }],
        columns: [
          { name: "startPeriod", label: "From (s)", min: 0 },
          { name: "limit", label: "Limit", type: "number", min: 0 },
          { name: "numberPhases", label: "Phases", min: 1, max: 3, optional: true },
        ],
      },
    ],
    preview,
    body: (v) =>
      compact({
        connectorId: v.connectorId,
        chargingProfile: {
          id: v.id,
          stackLevel: v.stackLevel,
          purpose: v.purpose,
          kind: v.kind,
          recurrency: v.recurrency,
          validFrom: v.validFrom,
          validTo: v.validTo,
          transactionId: v.transactionId,
          schedule: scheduleOf(v),
        },
      }),
  },
  {
    title: "Clear profiles",
    name: "charging-profile-clear",
    group: GROUP,
    path: "charging-profile/clear",
    hint: "Empty fields match every profile: all empty clears them all.",
    fields: [
      { name: "id", label: "Profile id", min: 1, optional: true, placeholder: "any" },
      { name: "connectorId", label: "Connector / EVSE", min: 0, optional: true, placeholder: "any" },
      { name: "purpose", label: "Purpose", type: "select", options: PURPOSES, optional: true, blank: "any" },
      { name: "stackLevel", label: "Stack level", min: 0, optional: true, placeholder: "any" },
    ],
  },
  {
    title: "Composite schedule",
    name: "composite-schedule",
    group: GROUP,
    path: "composite-schedule",
    fields: [
      { name: "connectorId", label: "Connector (0: station)", min: 0, value: 1 },
      { name: "duration", label: "Seconds", min: 1, value: 3600 },
      UNIT,
    ],
    show: (answer) => [
      schedulePlot(answer.schedule, { start: answer.scheduleStart ? time(answer.scheduleStart) : "now" }),
      answer.reason ? said(`The station's reason: ${answer.reason}.`) : null,
    ],
  },
  {
    title: "Get profiles",
    name: "charging-profiles-get",
    group: GROUP,
    only: "operations201",
    path: "charging-profiles/get",
    hint: "Empty fields match every profile.",
    fields: [
      { name: "evseId", label: "EVSE (0: station)", min: 0, optional: true, placeholder: "any" },
      { name: "chargingProfilePurpose", label: "Purpose", type: "select", options: PURPOSES_201, optional: true, blank: "any" },
      { name: "stackLevel", label: "Stack level", min: 0, optional: true, placeholder: "any" },
      { name: "chargingProfileId", label: "Profile ids", type: "text", optional: true, placeholder: "1, 2" },
      { name: "chargingLimitSource", label: "Sources", type: "checks", options: LIMIT_SOURCES },
    ],
    // chargingProfile is required, if empty: {} asks for every profile (K09).
    body: ({ evseId, chargingProfileId, ...criteria }) => ({
      ...compact({ evseId }),
      chargingProfile: compact({
        ...criteria,
        chargingProfileId: chargingProfileId ? words(chargingProfileId).map(Number) : undefined,
      }),
    }),
    show: profilesTable,
  },
];
