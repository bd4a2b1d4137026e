// A gateway command's outcome said in plain words. GET /ocpp/commands/{id} answers `status` in
// OCPPLab's words: received | deferred (done while the station was offline; applied once it is
// back online) | applied (with the station's `result`) | rejected | expired | failed (the
// reason in `detail`); `state` is chargeyard's (queued | running | succeeded | failed).

const DONE = {
  plug: "the cable is plugged in",
  unplug: "the cable is out",
  unlock: "the connector is unlocked",
  ev_requests_energy: "the EV draws energy again",
  ev_stops_energy: "the EV stopped drawing energy",
  start_session: "the session is under way",
  stop_session: "the session is stopped and the cable is out",
  authorize: "the id tag was accepted",
  start_transaction: "the transaction started",
  stop_transaction: "the transaction stopped",
  power_update: "the EVSE's power limit changed",
  inject_fault: "the connector is faulted",
  clear_fault: "the fault is cleared",
  set_configuration: "the configuration was sent",
  reset_cache: "the authorization cache is empty",
  local_auth_list: "the local list is installed",
  clear_local_list: "the local list is empty",
  proxy_message: "the message was sent",
  // the simulator's controls (simcontrols.js); a read's result is under "Full answer"
  set_ev: "the EV of the next session is chosen",
  update_soc: "the EV's state of charge changed",
  ev_state: "the EV's state is read",
  suspend_ev: "the EV pauses",
  resume_ev: "the EV draws energy again",
  suspend_evse: "the EVSE holds the energy back",
  resume_evse: "the EVSE offers energy again",
  update_meter_values: "the register is set and the meter sent",
  send_meter_values: "the meter was sent",
  fault_status: "the faults are read",
  jam_lock: "the lock is jammed or freed as asked",
  power_cut: "the power is cut",
  reboot: "the station restarts",
  get_configuration: "the configuration is read",
  get_authorization_cache: "the authorization cache is read",
  get_local_list: "the local list is read",
  get_certificates: "the certificates are read",
  add_local_list_entry: "the local list entry is in",
  remove_local_list_entry: "the local list entry is out",
  trigger_message: "the message was sent",
};

export const PENDING = new Set(["received", "deferred"]);

// "(transaction 17)" when the outcome names one (start-session, authorize, start-transaction).
function transaction(result) {
  return result.transaction_id ? ` (transaction ${result.transaction_id})` : "";
}

function session(result) {
  const limits = [];
  if (result.duration_seconds) limits.push(`${result.duration_seconds} s`);
  if (result.target_energy_kwh) limits.push(`${result.target_energy_kwh} kWh`);
  const tag = result.id_tag ? ` with id tag ${result.id_tag}` : "";
  const end = limits.length ? `; it stops after ${limits.join(" or ")}` : "; it runs until stopped";
  return `${DONE.start_session}${tag}${transaction(result)}${end}`;
}

function done(outcome) {
  const result = outcome.result || {};
  return outcome.event_type === "start_session"
    ? session(result)
    : `${DONE[outcome.event_type] || "applied"}${transaction(result)}`;
}

/** @returns {{kind: "pending"|"ok"|"error", words: string}} */
export function outcomeWords(outcome) {
  switch (outcome.status) {
    case "received":
      return { kind: "pending", words: outcome.state === "running" ? "the charger is doing it" : "queued, waiting for the charger" };
    case "deferred":
      return { kind: "pending", words: `done at the station, which is offline: ${done(outcome)}; its central system hears of it once it is back online` };
    case "rejected":
      return { kind: "error", words: `refused: ${outcome.detail || "the charger or its central system said no"}` };
    case "expired":
      return { kind: "error", words: `done at the station while it was offline (${done(outcome)}), but it was not followed until it was back online` };
    case "failed":
      return { kind: "error", words: `not done: ${outcome.detail || "the charger could not"}` };
    default:
      return { kind: "ok", words: `done: ${done(outcome)}` };
  }
}
