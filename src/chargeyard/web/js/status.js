// OCPP connector statuses and their colours (1.6 section 7.7 ChargePointStatus; 2.0.1
// ConnectorStatusEnumType has Available, Occupied, Reserved, Unavailable, Faulted).

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
];

const CLASS = Object.fromEntries(STATUSES);

/** The CSS class of a status (unknown ones are grey). */
export function statusClass(status) {
  return `st-${CLASS[status] || "unknown"}`;
}

export const LEGEND = [
  ["Available", "available"],
  ["Preparing / Finishing", "preparing"],
  ["Charging", "charging"],
  ["Occupied (2.0.1)", "occupied"],
  ["SuspendedEV / EVSE", "suspended"],
  ["Faulted", "faulted"],
  ["Unavailable", "unavailable"],
  ["Reserved", "reserved"],
  ["Offline", "offline"],
];
