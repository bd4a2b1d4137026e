// When a running transaction's next meter values are due. The central system knows a
// session's energy only from the meter values the station sends, every
// MeterValueSampleInterval (1.6 section 9.1.16) or SampledDataCtrlr.TxUpdatedInterval (2.0.1
// J02) seconds: often a minute. So that the first minute does not look broken, the charger
// page says when the next ones are due.
//
// Opening the page sends the station nothing. The interval is read from what the central
// system has stored: the answers to calls sent to the station before (the command history:
// GetConfiguration or ChangeConfiguration, GetVariables or SetVariables) and the reports it
// sent (NotifyReport frames); else the spacing of the meter values received says it. The
// station is asked (GetConfiguration, or a 2.0.1 GetReport, seen in the frame log) only when
// the user presses "Ask the station".

import { versionFacts } from "../versions.js";

const HISTORY = 10; // the newest calls of each action looked at
const REPORTS = 20; // the newest NotifyReport frames looked at

/** The interval key of the charger's version, or null for a version the dashboard does not know. */
export function intervalKey(charger) {
  const facts = versionFacts(charger.ocppVersion);
  return facts ? facts.sampleIntervalKey : null;
}

function seconds(value) {
  const number = value === null || value === undefined || value === "" ? NaN : Number(value);
  return Number.isFinite(number) ? number : null;
}

/** "SampledDataCtrlr.TxUpdatedInterval" as a 2.0.1 component and variable; a 1.6 key has no dot. */
function variableOf(key) {
  const dot = key.indexOf(".");
  return dot < 0 ? null : { component: key.slice(0, dot), variable: key.slice(dot + 1) };
}

const names = (item, wanted) =>
  item && item.component && item.variable && item.component.name === wanted.component && item.variable.name === wanted.variable && !item.component.evse;

/** The value of `key` that one stored call tells, or undefined when it tells none. */
function toldBy(entry, key) {
  const { request = {}, response = {} } = entry;
  const wanted = variableOf(key);
  if (!wanted) {
    if (entry.action === "GetConfiguration") {
      const row = (response.configurationKey || []).find((item) => item.key === key);
      return row ? row.value : undefined;
    }
    if (entry.action === "ChangeConfiguration" && request.key === key && response.status === "Accepted") return request.value;
    return undefined;
  }
  if (entry.action === "GetVariables") {
    const row = (response.getVariableResult || []).find(
      (item) => names(item, wanted) && item.attributeStatus === "Accepted" && (item.attributeType || "Actual") === "Actual",
    );
    return row ? row.attributeValue : undefined;
  }
  if (entry.action === "SetVariables") {
    const sent = request.setVariableData || [];
    const results = response.setVariableResult || [];
    const index = sent.findIndex((item) => names(item, wanted) && (item.attributeType || "Actual") === "Actual");
    return index >= 0 && results[index] && results[index].attributeStatus === "Accepted" ? sent[index].attributeValue : undefined;
  }
  return undefined;
}

/** The value a NotifyReport frame (2.0.1 B07) reports for `key`, or undefined. */
function reported(frame, key) {
  const wanted = variableOf(key);
  let message;
  try {
    message = JSON.parse(frame.message);
  } catch {
    return undefined; // cut in the list: not read
  }
  const data = (message && message[0] === 2 && message[3] && message[3].reportData) || [];
  const item = data.find((row) => names(row, wanted));
  const actual = item && (item.variableAttribute || []).find((a) => (a.type || "Actual") === "Actual");
  return actual ? actual.value : undefined;
}

/**
 * The interval as the central system has it stored, newest first: {key, seconds, sentAt} or
 * null. Sends nothing to the station.
 */
export async function storedInterval(api, charger) {
  const key = intervalKey(charger);
  if (!key) return null;
  const actions = variableOf(key) ? ["GetVariables", "SetVariables"] : ["GetConfiguration", "ChangeConfiguration"];
  const pages = await Promise.all(
    actions.map((action) => api.commandHistory(charger.chargeBoxId, { action, outcome: "answered", limit: HISTORY })),
  );
  const told = pages
    .flatMap((page) => page.data)
    .map((entry) => ({ at: entry.sentAt, value: toldBy(entry, key) }))
    .filter((found) => found.value !== undefined);
  if (variableOf(key)) {
    const frames = await api.frames(charger.chargeBoxId, { action: "NotifyReport", limit: REPORTS });
    for (const frame of frames.frames) {
      const value = reported(frame, key);
      if (value !== undefined) told.push({ at: frame.timestamp, value });
    }
  }
  told.sort((a, b) => String(b.at).localeCompare(String(a.at)));
  return told.length ? { key, seconds: seconds(told[0].value), sentAt: told[0].at } : null;
}

/** Ask the station for the interval (configuration/get: a GetConfiguration, or a 2.0.1 GetReport). */
export async function askStation(api, charger) {
  const key = intervalKey(charger);
  const answer = await api.command(charger.chargeBoxId, "configuration/get", { key: [key] });
  const row = (answer.configurationKey || []).find((item) => item.key === key);
  return { key, seconds: row ? seconds(row.value) : null, asked: true };
}

/**
 * Seconds between the latest two periodic meter values received (`pointsFromSamples`), or
 * null before there are two. The Started event's reading and a clock-aligned one (which may
 * come seconds after it, at the quarter hour) say nothing of the sample interval.
 */
export function observedSeconds(points) {
  const periodic = points.filter((point) => point.periodic);
  const times = [...new Set(periodic.map((point) => new Date(point.t).getTime()).filter(Number.isFinite))].sort((a, b) => a - b);
  if (times.length < 2) return null;
  return Math.round((times[times.length - 1] - times[times.length - 2]) / 1000);
}
