// What the central system knows, kept live: chargers (with connectors) and transactions,
// loaded from /api/v1 and then changed by the event stream's events (csms/event_data.py).
// Views subscribe to `changed` and read `chargers` / `transactions`.

import { signal } from "./state.js";

const COMPLETED_KEPT = 50;
// The 1.6 connector statuses that say how a transaction charges (section 7.7), the words a
// 2.0.1 chargingState uses too.
const CHARGING_STATES_16 = new Set(["Charging", "SuspendedEV", "SuspendedEVSE"]);

/** W from two energy register readings {t, wh}, or null when no time passed between them. */
export function powerBetween(before, after) {
  const hours = (new Date(after.t).getTime() - new Date(before.t).getTime()) / 3600000;
  if (!(hours > 0) || !Number.isFinite(after.wh - before.wh)) return null;
  return Math.max(0, (after.wh - before.wh) / hours);
}

export function connectorKey(evseId, connectorId) {
  return `${evseId || 0}/${connectorId}`;
}

/**
 * Whether a meter reading of `context` is one of those the station's sample interval spaces:
 * Sample.Periodic, the default when a reading names none (1.6 section 7.45, 2.0.1
 * ReadingContextEnumType); not a transaction's begin, a clock-aligned or a triggered one.
 */
export function isPeriodic(context) {
  return !context || context === "Sample.Periodic";
}

export function transactionKey(chargeBoxId, transactionId) {
  return `${chargeBoxId}#${transactionId}`;
}

function newer(a, b) {
  return new Date(a || 0).getTime() >= new Date(b || 0).getTime();
}

/**
 * The fetched charger, with the connector statuses that events told after the row was read:
 * a status event may overtake the write of the same status, so a fetch must not undo it.
 */
function merged(fetched, known) {
  if (!known || !known.connectors) return fetched;
  const connectors = [...(fetched.connectors || [])];
  for (const told of known.connectors) {
    const key = connectorKey(told.evseId, told.connectorId);
    const index = connectors.findIndex((c) => connectorKey(c.evseId, c.connectorId) === key);
    if (index < 0) connectors.push(told);
    else if (newer(told.updatedAt, connectors[index].updatedAt)) connectors[index] = told;
  }
  connectors.sort((a, b) => (a.evseId || 0) - (b.evseId || 0) || a.connectorId - b.connectorId);
  return { ...fetched, connectors };
}

export class CsmsModel {
  constructor(api, stream) {
    this.api = api;
    this.chargers = new Map(); // chargeBoxId -> ChargerOut (+ connectors by key)
    this.transactions = new Map(); // chargeBoxId#transactionId -> TransactionView (+ powerW)
    this.samples = new Map(); // transaction key -> [{t, energyWh, powerW, periodic}] from live updates
    this.sampleIntervals = new Map(); // chargeBoxId -> {key, seconds}: when meter values come
    // chargeBoxId -> {seen, online}: how many connected/disconnected events came and what the
    // latest told. A charger read from the API before the latest of them gets its presence
    // from the event, not from the older read (which may arrive after it).
    this.presence = new Map();
    // chargeBoxId -> how many charger.notification events came: a view that lists a charger's
    // notifications reads them again when it grows (views/reports21.js).
    this.notices = new Map();
    this.changed = signal(0);
    this.error = signal(null);
    this.loaded = false;
    this.toldDuringLoad = new Set(); // one set of transaction keys per load in flight
    stream.on((event) => this.apply(event));
    stream.onReady(() => this.load());
  }

  notify() {
    this.changed.set(this.changed.value + 1);
  }

  /** ``row`` as read, with the presence a connected/disconnected event told since ``asked``. */
  withPresence(row, asked) {
    const told = this.presence.get(row.chargeBoxId);
    if (!told || told.seen === (asked.get(row.chargeBoxId) || 0)) return row;
    return { ...row, isOnline: told.online };
  }

  presenceAsked() {
    return new Map([...this.presence].map(([id, told]) => [id, told.seen]));
  }

  async load() {
    const asked = this.presenceAsked();
    // The transactions events told of while the lists were read: a session that started
    // meanwhile may be missing from them, and is kept as the events told it.
    const told = new Set();
    this.toldDuringLoad.add(told);
    try {
      const [chargers, active, completed] = await Promise.all([
        this.api.chargers(),
        this.api.transactions({ status: "active", limit: 100 }),
        this.api.transactions({ status: "completed", limit: COMPLETED_KEPT }),
      ]);
      const known = this.chargers;
      this.chargers = new Map(
        chargers.map((charger) => [
          charger.chargeBoxId,
          this.withPresence(merged(charger, known.get(charger.chargeBoxId)), asked),
        ]),
      );
      const live = this.transactions;
      this.transactions = new Map();
      for (const row of [...active.data, ...completed.data]) {
        const key = transactionKey(row.chargeBoxId, row.transactionId);
        this.transactions.set(key, { ...live.get(key), ...row });
      }
      for (const key of told) if (!this.transactions.has(key) && live.has(key)) this.transactions.set(key, live.get(key));
      this.loaded = true;
      this.error.set(null);
    } catch (error) {
      this.error.set(error);
    } finally {
      this.toldDuringLoad.delete(told);
    }
    this.notify();
  }

  async refreshCharger(id) {
    const asked = this.presenceAsked();
    try {
      const fetched = await this.api.charger(id);
      this.chargers.set(id, this.withPresence(merged(fetched, this.chargers.get(id)), asked));
      this.notify();
    } catch {
      // Deleted meanwhile, or not registered: the next full load tells; a placeholder made
      // from an event goes now.
      if (this.chargers.get(id) && this.chargers.get(id).placeholder) {
        this.chargers.delete(id);
        this.notify();
      }
    }
  }

  apply(event) {
    const id = event.chargeBoxId;
    const data = event.data || {};
    const charger = this.chargers.get(id);
    if (event.event === "charger.connected" || event.event === "charger.disconnected") {
      const seen = (this.presence.get(id)?.seen || 0) + 1;
      this.presence.set(id, { seen, online: event.event === "charger.connected" });
    }
    if (event.event.startsWith("transaction.") && data.transactionId !== undefined) {
      for (const told of this.toldDuringLoad) told.add(transactionKey(id, data.transactionId));
    }
    switch (event.event) {
      case "charger.connected":
        if (charger) Object.assign(charger, { isOnline: true, ocppVersion: data.ocppVersion });
        this.refreshCharger(id); // a charger registered by its first connection is new here
        break;
      case "charger.disconnected":
        if (charger) charger.isOnline = false;
        break;
      case "charger.boot":
        if (charger) {
          Object.assign(charger, {
            vendor: data.vendor,
            model: data.model,
            serialNumber: data.serialNumber,
            firmwareVersion: data.firmwareVersion,
            registrationStatus: data.status,
            lastHeartbeat: event.timestamp,
          });
        } else this.refreshCharger(id);
        break;
      case "connector.status_changed":
        this.connectorChanged(id, data, event.timestamp);
        break;
      case "charger.notification":
        this.notices.set(id, (this.notices.get(id) || 0) + 1);
        break;
      case "transaction.started":
        this.transactions.set(transactionKey(id, data.transactionId), {
          chargeBoxId: id,
          transactionId: data.transactionId,
          connectorId: data.connectorId,
          evseId: data.evseId ?? null,
          idTag: data.idTag,
          status: "active",
          startedAt: data.startedAt,
          stoppedAt: null,
          meterStart: data.meterStart,
          meterStop: null,
          energyDelivered: null,
          remoteStarted: data.remoteStarted,
          stopReason: null,
          chargingState: data.chargingState ?? null,
        });
        break;
      case "transaction.updated":
        this.transactionUpdated(id, data, event.timestamp);
        break;
      case "transaction.stopped": {
        const key = transactionKey(id, data.transactionId);
        const row = this.transactions.get(key) || { chargeBoxId: id, ...data };
        Object.assign(row, {
          status: "completed",
          meterStop: data.meterStop,
          energyDelivered: data.energyDelivered,
          stopReason: data.stopReason,
          stoppedAt: data.stoppedAt,
          durationMinutes: data.durationMinutes,
          powerW: null,
        });
        this.transactions.set(key, row);
        break;
      }
      default:
        return;
    }
    // Anything a charger reports says it is online, unless its disconnection came since (an
    // event of its last message may be published after it).
    const gone = this.presence.get(id)?.online === false;
    if (charger && event.event !== "charger.disconnected" && !gone) charger.isOnline = true;
    this.notify();
  }

  connectorChanged(id, data, at) {
    let charger = this.chargers.get(id);
    if (!charger) {
      // New here: keep what the event says until the row arrives (merged, not replaced).
      charger = { chargeBoxId: id, isOnline: true, connectors: [], placeholder: true };
      this.chargers.set(id, charger);
      this.refreshCharger(id);
    }
    const key = connectorKey(data.evseId, data.connectorId);
    const connectors = charger.connectors || (charger.connectors = []);
    let row = connectors.find((c) => connectorKey(c.evseId, c.connectorId) === key);
    if (!row) {
      row = { connectorId: data.connectorId, evseId: data.evseId ?? null };
      connectors.push(row);
      connectors.sort((a, b) => (a.evseId || 0) - (b.evseId || 0) || a.connectorId - b.connectorId);
    }
    Object.assign(row, {
      status: data.status,
      errorCode: data.errorCode || "NoError",
      info: data.info ?? null,
      updatedAt: at,
    });
  }

  transactionUpdated(id, data, at) {
    const key = transactionKey(id, data.transactionId);
    const row = this.transactions.get(key);
    if (!row) return;
    const t = data.timestamp || at;
    // A station that samples no Power.Active.Import (1.6's default MeterValuesSampledData is
    // the energy register alone) still tells its power: the energy between two readings over
    // the time between them; the first reading counts from the start.
    let powerW = data.powerW;
    if (powerW === undefined && data.energyWh !== undefined) {
      const before = row.lastReading || (row.energyDelivered == null ? { t: row.startedAt, wh: row.meterStart } : null);
      const derived = before ? powerBetween(before, { t, wh: data.energyWh }) : null;
      if (derived !== null) powerW = derived;
    }
    if (data.energyWh !== undefined) {
      row.energyDelivered = data.energyWh - row.meterStart;
      row.lastReading = { t, wh: data.energyWh };
    }
    if (powerW !== undefined) row.powerW = powerW;
    if (data.chargingState !== undefined) row.chargingState = data.chargingState;
    const samples = this.samples.get(key) || [];
    samples.push({ t, energyWh: data.energyWh, powerW, periodic: isPeriodic(data.context) });
    this.samples.set(key, samples.slice(-2000));
  }

  /** The charger's running transaction on a connector, if any. */
  activeOn(id, connector) {
    for (const row of this.transactions.values()) {
      if (
        row.chargeBoxId === id &&
        row.status === "active" &&
        row.connectorId === connector.connectorId &&
        (row.evseId || 0) === (connector.evseId || 0)
      )
        return row;
    }
    return null;
  }

  /**
   * Where a running transaction's charging stands, in the words both versions share
   * (Charging, SuspendedEV, SuspendedEVSE; 2.0.1 adds EVConnected and Idle): a 2.0.1
   * transaction's chargingState (E01-E07), a 1.6 transaction's connector status (section 4.9).
   */
  chargingState(row) {
    if (row.chargingState) return row.chargingState;
    if (row.status !== "active" || row.evseId) return null;
    const charger = this.chargers.get(row.chargeBoxId);
    const connector = (charger?.connectors || []).find((c) => c.connectorId === row.connectorId && !c.evseId);
    return connector && CHARGING_STATES_16.has(connector.status) ? connector.status : null;
  }

  sortedTransactions(filter = () => true) {
    return [...this.transactions.values()]
      .filter(filter)
      .sort((a, b) => (b.startedAt || "").localeCompare(a.startedAt || ""));
  }
}
