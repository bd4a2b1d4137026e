// The command panel's forms for OCPP 2.0.1 monitoring: set monitors on variables (N04), the
// monitoring base (N03) and level (N05), clear monitors by id (N06), and the monitoring report
// with its NotifyMonitoringReport parts (N02).

import { compact, words } from "./formkit.js";
import { componentColumns, componentVariable, ONLY_201 } from "./forms-device.js";
import { componentText, partItems, resultTable, statusCell, variableText } from "./results.js";

const GROUP = "Monitoring";
// The severity levels of 2.0.1 part 2 (the event severity table): 0 is the most severe.
const SEVERITIES = [
  "Danger", "Hardware Failure", "System Failure", "Critical", "Error", "Alert", "Warning",
  "Notice", "Informational", "Debug",
].map((name, level) => [String(level), `${level} ${name}`]);
// MonitorEnumType and MonitoringCriterionEnumType.
const MONITOR_TYPES = ["UpperThreshold", "LowerThreshold", "Delta", "Periodic", "PeriodicClockAligned"];
const CRITERIA = ["ThresholdMonitoring", "DeltaMonitoring", "PeriodicMonitoring"];

const COMPONENT = ["Component", (row) => componentText(row.component)];
const VARIABLE = ["Variable", (row) => variableText(row.variable)];

function ids(text) {
  const list = words(text).map(Number);
  if (!list.length || list.some((id) => !Number.isInteger(id) || id < 0)) {
    throw new Error(`monitor ids are whole numbers, not "${text || ""}"`);
  }
  return list;
}

const monitorsTable = (answer) =>
  resultTable(
    "monitors",
    [
      COMPONENT,
      VARIABLE,
      ["Id", (row) => row.monitor.id],
      ["Type", (row) => row.monitor.type],
      ["Value", (row) => row.monitor.value],
      ["Severity", (row) => row.monitor.severity],
      ["Tx", (row) => (row.monitor.transaction ? "yes" : "")],
    ],
    partItems(answer, "monitor").flatMap((data) => (data.variableMonitoring || []).map((monitor) => ({ ...data, monitor }))),
    "No monitor reported.",
  );

export const MONITORING_FORMS = [
  {
    title: "Set monitors",
    name: "monitoring-set",
    group: GROUP,
    only: ONLY_201,
    path: "monitoring/set",
    fields: [
      {
        name: "monitors",
        label: "Monitors",
        type: "rows",
        noun: "monitor",
        rows: [{ component: "EVSE", evse: 1, variable: "Power" }],
        columns: [
          ...componentColumns(),
          { name: "type", label: "Type", type: "select", options: MONITOR_TYPES, value: "Delta" },
          { name: "value", label: "Value", type: "number", value: 1000 },
          { name: "severity", label: "Severity", type: "select", options: SEVERITIES, value: "8" },
          { name: "id", label: "Replaces id", min: 0, optional: true },
          { name: "transaction", label: "During a transaction only", type: "check" },
        ],
      },
    ],
    body: (v) => {
      if (!v.monitors.length) throw new Error("name one variable to monitor at least");
      return {
        setMonitoringData: v.monitors.map((row) =>
          compact({
            ...componentVariable(row),
            id: row.id,
            type: row.type,
            value: row.value,
            severity: Number(row.severity),
            transaction: row.transaction || undefined,
          }),
        ),
      };
    },
    show: (answer) =>
      resultTable(
        "monitors-set",
        [
          COMPONENT,
          VARIABLE,
          ["Id", (row) => row.id],
          ["Type", (row) => row.type],
          ["Severity", (row) => row.severity],
          ["Status", (row) => statusCell(row.status, row.statusInfo)],
        ],
        answer.response.setMonitoringResult || [],
      ),
  },
  {
    title: "Monitoring base",
    name: "monitoring-base",
    group: GROUP,
    only: ONLY_201,
    path: "monitoring/base",
    hint: "All: every monitor; FactoryDefault: the preconfigured ones back, the others gone; HardWiredOnly: none but the hard-wired.",
    fields: [{ name: "monitoringBase", label: "Base", type: "select", options: ["All", "FactoryDefault", "HardWiredOnly"], value: "All" }],
  },
  {
    title: "Monitoring level",
    name: "monitoring-level",
    group: GROUP,
    only: ONLY_201,
    path: "monitoring/level",
    hint: "The station reports the events of this severity and the more severe ones.",
    fields: [{ name: "severity", label: "Up to severity", type: "select", options: SEVERITIES, value: "5" }],
    body: (v) => ({ severity: Number(v.severity) }),
  },
  {
    title: "Clear monitors",
    name: "monitoring-clear",
    group: GROUP,
    only: ONLY_201,
    path: "monitoring/clear",
    fields: [{ name: "id", label: "Monitor ids", type: "text", placeholder: "1, 2" }],
    body: (v) => ({ id: ids(v.id) }),
    show: (answer) =>
      resultTable(
        "monitors-cleared",
        [
          ["Id", (row) => row.id],
          ["Status", (row) => statusCell(row.status, row.statusInfo)],
        ],
        answer.response.clearMonitoringResult || [],
      ),
  },
  {
    title: "Monitoring report",
    name: "monitoring-report",
    group: GROUP,
    only: ONLY_201,
    path: "monitoring/report",
    hint: "Monitors of the kinds ticked, on the components named (none: all).",
    fields: [
      { name: "monitoringCriteria", label: "Kinds", type: "checks", options: CRITERIA },
      {
        name: "componentVariable",
        label: "Components",
        type: "rows",
        noun: "component",
        rows: [{}],
        columns: componentColumns({ variableOptional: true }),
      },
    ],
    body: (v) => compact({ monitoringCriteria: v.monitoringCriteria, componentVariable: v.componentVariable.map(componentVariable) }),
    show: monitorsTable,
  },
];
