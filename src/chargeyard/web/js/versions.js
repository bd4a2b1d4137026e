// What the dashboard does differently per OCPP version, in one table keyed by the version as
// people write it (VersionSpec.name in protocol/versions.py). Views read a version's entry and
// never compare version strings themselves; tests/web/test_versions_table.py fails when a
// version of protocol/versions.py has no entry here.
//
// - sampleIntervalKey: the key that sets how often a transaction's meter values come
//   (1.6 section 9.1.16 MeterValueSampleInterval; 2.0.1 J02 and 2.1 J02
//   SampledDataCtrlr.TxUpdatedInterval), asked with configuration/get.
// - numbering: how the version names an outlet. "connector": 1.6's connectorId n, which the
//   gateway reports as EVSE n with connector 1; "evse": an EVSE and its connectors, as the
//   gateway reports them (2.0.1 and 2.1 part 1 section 2.2).
// - transactionMessages: "StartStop" (1.6 sections 4.8 and 4.10: StartTransaction,
//   MeterValues, StopTransaction) or "TransactionEvent" (2.0.1 and 2.1 E01-E07).
// - operations201: whether the version has the operations OCPP 2.0.1 brought without a 1.6
//   counterpart (the device model, monitoring, display messages, GetChargingProfiles, ...:
//   /api/v1's "Charger Commands (OCPP 2.0.1)"), and 2.0.1's fields of the shared ones (a
//   reservation's connectorType); the command panel shows their forms only then.
// - operations21: whether the version has the operations OCPP 2.1 brought (periodic event
//   streams, priority charging, dynamic schedules, battery swaps: /api/v1's "Charger Commands
//   (OCPP 2.1)"), offered in the Raw group's "2.1 operation" form, and the charger page's
//   "OCPP 2.1" panel of what such a charger reported (views/reports21.js).
// - resetTypes: the simulator's reset button's types (1.6 ResetType; 2.0.1 and 2.1
//   ResetEnumType).
// - triggerMessages: the messages a simulated station sends when its controls ask (1.6
//   MessageTrigger and the security extension's; 2.0.1 MessageTriggerEnumType); the station
//   refuses the others, with its reason.

const TABLE = {
  "1.6": {
    sampleIntervalKey: "MeterValueSampleInterval",
    numbering: "connector",
    transactionMessages: "StartStop",
    operations201: false,
    operations21: false,
    resetTypes: ["Soft", "Hard"],
    triggerMessages: ["StatusNotification", "Heartbeat", "MeterValues", "BootNotification", "FirmwareStatusNotification", "DiagnosticsStatusNotification"],
  },
  "2.0.1": {
    sampleIntervalKey: "SampledDataCtrlr.TxUpdatedInterval",
    numbering: "evse",
    transactionMessages: "TransactionEvent",
    operations201: true,
    operations21: false,
    resetTypes: ["OnIdle", "Immediate"],
    triggerMessages: ["StatusNotification", "Heartbeat", "MeterValues", "TransactionEvent", "BootNotification", "FirmwareStatusNotification", "LogStatusNotification"],
  },
  "2.1": {
    sampleIntervalKey: "SampledDataCtrlr.TxUpdatedInterval",
    numbering: "evse",
    transactionMessages: "TransactionEvent",
    operations201: true,
    operations21: true,
    resetTypes: ["OnIdle", "Immediate"],
    triggerMessages: ["StatusNotification", "Heartbeat", "MeterValues", "TransactionEvent", "BootNotification", "FirmwareStatusNotification", "LogStatusNotification"],
  },
};

/** The version named by any spelling the APIs use ("1.6", "ocpp1.6", "OCPP 1.6"), or "". */
export function versionName(spelling) {
  return String(spelling || "")
    .trim()
    .replace(/^ocpp\s*/i, "");
}

/** The dashboard's facts for a version by any spelling; null for a version it does not know. */
export function versionFacts(spelling) {
  const name = versionName(spelling);
  return Object.prototype.hasOwnProperty.call(TABLE, name) ? TABLE[name] : null;
}
