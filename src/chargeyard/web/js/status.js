// OCPP connector statuses and their colours (1.6 section 7.7 ChargePointStatus; 2.0.1
// ConnectorStatusEnumType has Available, Occupied, Reserved, Unavailable, Faulted), and the
// 2.0.1 transaction's chargingState (ChargingStateEnumType: Charging, EVConnected,
// SuspendedEV, SuspendedEVSE, Idle), which says what the driver sees on an Occupied connector.

export const STATUSES = [
  ["Available", "available"],
  ["Preparing", "preparing"],
  ["Charging", "charging"],
  ["SuspendedEV", "suspended"],
  ["SuspendedEVSE", "suspended"],
  ["Finishing", "finishing"],
  ["Occupied", "occupied"],
  ["Reserved", "reserved"],
  ["Faulted", "faulted"],
  ["Unavailable", "unavailable"],
  // 2.0.1 charging states (Charging, SuspendedEV and SuspendedEVSE are above)
  ["EVConnected", "preparing"],
  ["Idle", "occupied"],
];

const CLASS = Object.fromEntries(STATUSES);

/** The CSS class of a status (unknown ones are grey). */
export function statusClass(status) {
  return `st-${CLASS[status] || "unknown"}`;
}

/**
 * What the driver sees on a connector: a 2.0.1 connector is only Occupied while a transaction
 * runs on it; its transaction's chargingState tells Charging from SuspendedEV or EVConnected.
 * A 1.6 connector's status says it already (section 4.9).
 */
export function driverStatus(connector, transaction) {
  const status = connector.status || "Unknown";
  if (status === "Occupied" && transaction && transaction.chargingState) return transaction.chargingState;
  return status;
}

export const LEGEND = [
  ["Available", "available"],
  ["Preparing / Finishing / EVConnected", "preparing"],
  ["Charging", "charging"],
  ["Occupied (2.0.1)", "occupied"],
  ["SuspendedEV / EVSE", "suspended"],
  ["Faulted", "faulted"],
  ["Unavailable", "unavailable"],
  ["Reserved", "reserved"],
  ["Offline", "offline"],
];
