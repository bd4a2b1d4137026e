// The running transaction of a simulated charger read from its own OCPP log
// (GET /ocpp/chargers/{id}/logs), for a charger that reports to another central system: the
// built-in one's event stream knows nothing of it, but the station's frames say it all.
//
// 1.6 (sections 4.8, 4.10, 6.46): StartTransaction's CALL carries meterStart, its CALLRESULT
// the transactionId; MeterValues name the transactionId; StopTransaction ends it.
// 2.0.1 (E01-E07, J02): TransactionEvent Started / Updated / Ended, transactionInfo and
// meterValue in each. A sampledValue without measurand is the energy register, in Wh
// (1.6 section 7.33, 2.0.1 MeasurandEnumType default).

import { versionFacts } from "../versions.js";
import { pointsFromSamples } from "./plot.js";

const METER_FRAMES = 400;
const TRANSACTION_FRAMES = 20;

/** The newest `count` frames of `action` in the charger's log, oldest first. */
async function newest(gateway, id, action, count) {
  const answer = await gateway.logs(id, { event: action, limit: count, order: "desc" });
  return [...answer.data].reverse();
}

function parse(row) {
  try {
    return JSON.parse(row.message);
  } catch {
    return null;
  }
}

/** Calls (type 2) sent by the station, with the payload of their answer when there is one. */
function calls(rows) {
  const answers = new Map();
  const sent = [];
  for (const row of rows) {
    const frame = parse(row);
    if (!frame) continue;
    if (frame[0] === 2 && row.direction === "cp_to_csms") sent.push({ id: frame[1], payload: frame[3] || {}, at: row.timestamp });
    else if (frame[0] === 3) answers.set(frame[1], frame[2] || {});
  }
  return sent.map((call) => ({ ...call, answer: answers.get(call.id) }));
}

function flatten(meterValues) {
  const samples = [];
  for (const meterValue of meterValues || []) {
    for (const sampled of meterValue.sampledValue || []) {
      samples.push({
        timestamp: meterValue.timestamp,
        measurand: sampled.measurand || "Energy.Active.Import.Register",
        value: Number(sampled.value),
        unit: sampled.unit || (sampled.unitOfMeasure && sampled.unitOfMeasure.unit) || undefined,
        phase: sampled.phase,
      });
    }
  }
  return samples;
}

/**
 * @typedef {{transactionId: string, place: {evseId: number|null, connectorId: number},
 *   startedAt: string, chargingState: string|null, points: {t: string, energyWh?: number,
 *   powerW?: number}[], energyWh: number|null, powerW: number|null}} LoggedTransaction
 * @returns {Promise<LoggedTransaction|null>} the charger's running transaction, if any
 */
export async function loggedTransaction(gateway, id, version) {
  const facts = versionFacts(version);
  if (!facts) return null;
  return READERS[facts.transactionMessages](gateway, id);
}

function summary(transaction, samples, meterStart) {
  const points = pointsFromSamples(samples, meterStart);
  const last = (kind) => {
    for (let i = points.length - 1; i >= 0; i -= 1) if (points[i][kind] !== undefined) return points[i][kind];
    return null;
  };
  return { ...transaction, points, energyWh: last("energyWh"), powerW: last("powerW") };
}

async function transaction16(gateway, id) {
  const [starts, stops] = await Promise.all([
    newest(gateway, id, "StartTransaction", TRANSACTION_FRAMES),
    newest(gateway, id, "StopTransaction", TRANSACTION_FRAMES),
  ]);
  const started = calls(starts).filter((call) => call.answer && call.answer.transactionId !== undefined);
  const current = started[started.length - 1];
  if (!current) return null;
  const transactionId = current.answer.transactionId;
  if (calls(stops).some((call) => call.payload.transactionId === transactionId)) return null;
  const meter = calls(await newest(gateway, id, "MeterValues", METER_FRAMES)).filter(
    (call) => call.payload.transactionId === transactionId,
  );
  const samples = meter.flatMap((call) => flatten(call.payload.meterValue));
  return summary(
    {
      transactionId: String(transactionId),
      place: { evseId: null, connectorId: current.payload.connectorId },
      startedAt: current.payload.timestamp || current.at,
      chargingState: null,
    },
    samples,
    current.payload.meterStart || 0,
  );
}

async function transaction201(gateway, id) {
  const events = calls(await newest(gateway, id, "TransactionEvent", METER_FRAMES));
  const last = events[events.length - 1];
  if (!last || !last.payload.transactionInfo) return null;
  const transactionId = last.payload.transactionInfo.transactionId;
  const mine = events.filter((call) => call.payload.transactionInfo && call.payload.transactionInfo.transactionId === transactionId);
  if (mine.some((call) => call.payload.eventType === "Ended")) return null;
  const samples = mine.flatMap((call) => flatten(call.payload.meterValue));
  const register = samples.find((s) => s.measurand === "Energy.Active.Import.Register");
  const factor = register && register.unit === "kWh" ? 1000 : 1;
  const first = mine.find((call) => call.payload.eventType === "Started") || mine[0];
  const evse = mine.map((call) => call.payload.evse).find(Boolean) || { id: 1, connectorId: 1 };
  const state = mine.map((call) => call.payload.transactionInfo.chargingState).filter(Boolean);
  return summary(
    {
      transactionId: String(transactionId),
      place: { evseId: evse.id, connectorId: evse.connectorId || 1 },
      startedAt: first.payload.timestamp || first.at,
      chargingState: state.length ? state[state.length - 1] : null,
    },
    samples,
    register ? register.value * factor : 0,
  );
}

/** How to read the running transaction from the log, by the version's transaction messages. */
const READERS = { StartStop: transaction16, TransactionEvent: transaction201 };
