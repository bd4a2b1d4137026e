// The command panel's forms for what OCPP 2.0.1 says to people and about sessions: display
// messages set, listed and cleared (O01, O02-O04, O05), customer information reported or
// cleared (N09, N10), a transaction's running cost (I) and whether a transaction's messages
// are still queued (E14).

import { h } from "../dom.js";
import { compact, words } from "./formkit.js";
import { ONLY_201 } from "./forms-device.js";
import { transactionInput } from "./forms-station.js";
import { partItems, resultTable, said, when } from "./results.js";

const GROUP = "Messages";
// MessagePriorityEnumType, MessageStateEnumType, MessageFormatEnumType, IdTokenEnumType.
const PRIORITIES = ["AlwaysFront", "InFront", "NormalCycle"];
const STATES = ["Charging", "Faulted", "Idle", "Unavailable"];
const FORMATS = ["UTF8", "ASCII", "HTML", "URI"];
const TOKEN_TYPES = ["ISO14443", "ISO15693", "Central", "eMAID", "KeyCode", "Local", "MacAddress", "NoAuthorization"];

const messagesTable = (answer) =>
  resultTable(
    "display-messages",
    [
      ["Id", (row) => row.id],
      ["Priority", (row) => row.priority],
      ["State", (row) => row.state],
      ["Message", (row) => row.message?.content],
      ["Format", (row) => [row.message?.format, row.message?.language].filter(Boolean).join(" ")],
      ["From", (row) => (row.startDateTime ? when(row.startDateTime) : null)],
      ["To", (row) => (row.endDateTime ? when(row.endDateTime) : null)],
      ["Tx", (row) => row.transactionId],
    ],
    partItems(answer, "messageInfo"),
    "No message reported.",
  );

function transactionWords(response) {
  const queued = response.messagesInQueue
    ? "The station still has messages of it to send."
    : "No message of it waits to be sent.";
  if (response.ongoingIndicator === undefined) return said(queued);
  return said(`${response.ongoingIndicator ? "The transaction is still going on." : "The transaction has ended."} ${queued}`);
}

export const MESSAGE_FORMS = [
  {
    title: "Set message",
    name: "display-message-set",
    group: GROUP,
    only: ONLY_201,
    path: "display-messages",
    fields: [
      { name: "id", label: "Message id", min: 0, value: 1 },
      { name: "priority", label: "Priority", type: "select", options: PRIORITIES, value: "NormalCycle" },
      { name: "state", label: "Shown while", type: "select", options: STATES, optional: true, blank: "always" },
      { name: "format", label: "Format", type: "select", options: FORMATS, value: "UTF8" },
      { name: "language", label: "Language", type: "text", optional: true, placeholder: "en" },
      { name: "content", label: "Message", type: "textarea", rowsShown: 2, value: "Welcome to the lab" },
      { name: "startDateTime", label: "From", type: "datetime", optional: true },
      { name: "endDateTime", label: "To", type: "datetime", optional: true },
      { name: "transactionId", label: "Transaction", type: "element", input: (ctx) => transactionInput(ctx, "transactionId", { optional: true }) },
    ],
    body: ({ format, language, content, ...info }) => ({ message: compact({ ...info, message: { format, language, content } }) }),
  },
  {
    title: "Get messages",
    name: "display-messages-get",
    group: GROUP,
    only: ONLY_201,
    path: "display-messages/get",
    hint: "Empty fields match every message.",
    fields: [
      { name: "id", label: "Message ids", type: "text", optional: true, placeholder: "any" },
      { name: "priority", label: "Priority", type: "select", options: PRIORITIES, optional: true, blank: "any" },
      { name: "state", label: "State", type: "select", options: STATES, optional: true, blank: "any" },
    ],
    body: ({ id, ...filters }) => compact({ ...filters, id: id ? words(id).map(Number) : undefined }),
    show: messagesTable,
  },
  {
    title: "Clear message",
    name: "display-message-clear",
    group: GROUP,
    only: ONLY_201,
    path: "display-messages/clear",
    fields: [{ name: "id", label: "Message id", min: 0 }],
  },
  {
    title: "Customer information",
    name: "customer-information",
    group: GROUP,
    only: ONLY_201,
    path: "customer-information",
    hint: "Name the customer by one of: id token, customer identifier.",
    fields: [
      { name: "report", label: "Report what the station holds", type: "check", value: true },
      { name: "clear", label: "Clear it", type: "check" },
      { name: "idToken", label: "Id token", type: "text", optional: true, placeholder: "04A1B2C3D4" },
      { name: "type", label: "Token type", type: "select", options: TOKEN_TYPES, value: "ISO14443", when: (v) => v.idToken !== undefined },
      { name: "customerIdentifier", label: "Customer identifier", type: "text", optional: true },
    ],
    body: ({ idToken, type, ...asked }) => compact({ ...asked, idToken: idToken === undefined ? undefined : { idToken, type } }),
    show: (answer) => {
      const data = (answer.report || []).map((part) => part.data).join("");
      return answer.report ? h("pre.customer-data", {}, data || "(no data)") : null;
    },
  },
  {
    title: "Cost updated",
    name: "cost-updated",
    group: "Sessions",
    only: ONLY_201,
    path: "cost-updated",
    fields: [
      { name: "totalCost", label: "Total cost", type: "number", min: 0, value: 0 },
      { name: "transactionId", label: "Transaction", type: "element", input: (ctx) => transactionInput(ctx, "transactionId") },
    ],
  },
  {
    title: "Transaction status",
    name: "transaction-status",
    group: "Sessions",
    only: ONLY_201,
    path: "transaction-status",
    hint: "Without a transaction: whether any message of any transaction waits to be sent.",
    fields: [{ name: "transactionId", label: "Transaction", type: "element", input: (ctx) => transactionInput(ctx, "transactionId", { optional: true }) }],
    show: (answer) => transactionWords(answer.response),
  },
];
