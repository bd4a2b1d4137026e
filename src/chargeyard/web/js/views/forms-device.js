// The command panel's forms for the OCPP 2.0.1 device model: variables read and set many at a
// time (B06, B05), the base and custom reports with their NotifyReport parts assembled
// (B07, B08), and the network profile (B09). Each body is the request as 2.0.1 writes it.

import { compact } from "./formkit.js";
import { componentText, partItems, resultTable, said, statusCell, variableText } from "./results.js";

export const ONLY_201 = "operations201";
const GROUP = "Device model";
// AttributeEnumType (absent: Actual).
const ATTRIBUTES = ["Actual", "Target", "MinSet", "MaxSet"];

/** The columns that name a component and (optionally) one of its variables. */
export function componentColumns({ variableOptional = false } = {}) {
  return [
    { name: "component", label: "Component", type: "text" },
    { name: "evse", label: "EVSE", min: 0, optional: true },
    { name: "connector", label: "Connector", min: 0, optional: true },
    { name: "componentInstance", label: "Instance", type: "text", optional: true },
    { name: "variable", label: "Variable", type: "text", optional: variableOptional },
    { name: "variableInstance", label: "Var. instance", type: "text", optional: true },
  ];
}

/** A row of componentColumns() as 2.0.1 writes it: {component: {name, instance, evse},
 * variable: {name, instance}}. */
export function componentVariable(row) {
  const evse = row.evse === undefined ? undefined : { id: row.evse, connectorId: row.connector };
  return compact({
    component: { name: row.component, instance: row.componentInstance, evse },
    variable: row.variable === undefined ? undefined : { name: row.variable, instance: row.variableInstance },
  });
}

const COMPONENT = ["Component", (row) => componentText(row.component)];
const VARIABLE = ["Variable", (row) => variableText(row.variable)];

/** The rows of a NotifyReport's reportData, one per attribute. */
export function reportRows(answer) {
  return partItems(answer, "reportData").flatMap((data) =>
    (data.variableAttribute || []).map((attribute) => ({ ...data, attribute })),
  );
}

const reportTable = (answer) => {
  const rows = reportRows(answer);
  return [
    said(`${rows.length} values in ${(answer.report || []).length} NotifyReport parts.`),
    resultTable(
      "report",
      [
        COMPONENT,
        VARIABLE,
        ["Value", (row) => row.attribute.value],
        ["Type", (row) => row.attribute.type || "Actual"],
        ["Access", (row) => row.attribute.mutability],
        ["Unit", (row) => row.variableCharacteristics?.unit],
      ],
      rows,
      "The report is empty.",
    ),
  ];
};

const variableTable = (key, withValue) => (answer) =>
  resultTable(
    "variables",
    [
      COMPONENT,
      VARIABLE,
      ["Type", (row) => row.attributeType || "Actual"],
      ["Status", (row) => statusCell(row.attributeStatus, row.attributeStatusInfo)],
      ...(withValue ? [["Value", (row) => row.attributeValue]] : []),
    ],
    answer.response[key] || [],
  );

const NOTHING_TO_SEND = new Error("name one variable at least");

export const DEVICE_FORMS = [
  {
    title: "Get variables",
    name: "variables-get",
    group: GROUP,
    only: ONLY_201,
    path: "variables/get",
    fields: [
      {
        name: "variables",
        label: "Variables",
        type: "rows",
        noun: "variable",
        rows: [{ component: "OCPPCommCtrlr", variable: "HeartbeatInterval" }, {}],
        columns: [...componentColumns(), { name: "attributeType", label: "Attribute", type: "select", options: ATTRIBUTES, optional: true, blank: "Actual" }],
      },
    ],
    body: (v) => {
      if (!v.variables.length) throw NOTHING_TO_SEND;
      return { getVariableData: v.variables.map((row) => compact({ ...componentVariable(row), attributeType: row.attributeType })) };
    },
    show: variableTable("getVariableResult", true),
  },
  {
    title: "Set variables",
    name: "variables-set",
    group: GROUP,
    only: ONLY_201,
    path: "variables/set",
    fields: [
      {
        name: "variables",
        label: "Variables",
        type: "rows",
        noun: "variable",
        rows: [{ component: "OCPPCommCtrlr", variable: "HeartbeatInterval", attributeValue: "600" }, {}],
        columns: [
          ...componentColumns(),
          { name: "attributeType", label: "Attribute", type: "select", options: ATTRIBUTES, optional: true, blank: "Actual" },
          { name: "attributeValue", label: "Value", type: "text" },
        ],
      },
    ],
    body: (v) => {
      if (!v.variables.length) throw NOTHING_TO_SEND;
      return {
        setVariableData: v.variables.map((row) =>
          compact({ ...componentVariable(row), attributeType: row.attributeType, attributeValue: row.attributeValue }),
        ),
      };
    },
    show: variableTable("setVariableResult", false),
  },
  {
    title: "Base report",
    name: "report-base",
    group: GROUP,
    only: ONLY_201,
    path: "report/base",
    fields: [
      { name: "reportBase", label: "Report", type: "select", options: ["ConfigurationInventory", "FullInventory", "SummaryInventory"], value: "ConfigurationInventory" },
    ],
    show: reportTable,
  },
  {
    title: "Custom report",
    name: "report",
    group: GROUP,
    only: ONLY_201,
    path: "report",
    hint: "Components that meet every criterion ticked, among those named (none named: all).",
    fields: [
      { name: "componentCriteria", label: "Criteria", type: "checks", options: ["Active", "Available", "Enabled", "Problem"] },
      {
        name: "componentVariable",
        label: "Components",
        type: "rows",
        noun: "component",
        rows: [{ component: "EVSE" }],
        columns: componentColumns({ variableOptional: true }),
      },
    ],
    body: (v) => compact({ componentCriteria: v.componentCriteria, componentVariable: v.componentVariable.map(componentVariable) }),
    show: reportTable,
  },
  {
    title: "Network profile",
    name: "network-profile",
    group: "Station",
    only: ONLY_201,
    path: "network-profile",
    fields: [
      { name: "configurationSlot", label: "Slot", min: 0, value: 1 },
      { name: "ocppCsmsUrl", label: "CSMS URL", type: "text", wide: true, placeholder: "ws://csms.example.com/ocpp" },
      { name: "ocppVersion", label: "OCPP", type: "select", options: ["OCPP20", "OCPP16", "OCPP15", "OCPP12"], value: "OCPP20" },
      { name: "ocppTransport", label: "Transport", type: "select", options: ["JSON", "SOAP"], value: "JSON" },
      { name: "ocppInterface", label: "Interface", type: "select", options: ["Wired0", "Wired1", "Wired2", "Wired3", "Wireless0", "Wireless1", "Wireless2", "Wireless3"], value: "Wired0" },
      { name: "securityProfile", label: "Security profile", min: 0, max: 3, value: 1 },
      { name: "messageTimeout", label: "Timeout (s)", min: 1, value: 30 },
      { name: "apn", label: "APN", type: "text", optional: true },
      { name: "apnAuthentication", label: "APN auth", type: "select", options: ["AUTO", "CHAP", "PAP", "NONE"], value: "AUTO", when: (v) => v.apn !== undefined },
    ],
    body: ({ configurationSlot, apn, apnAuthentication, ...connection }) => ({
      configurationSlot,
      connectionData: compact({ ...connection, apn: apn === undefined ? undefined : { apn, apnAuthentication } }),
    }),
  },
];
