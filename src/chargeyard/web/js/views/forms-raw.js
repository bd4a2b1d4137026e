// The command panel's escape hatches: any OCPP 2.0.1 or 2.1 operation of the API with its body
// typed as JSON (listed, with its example, from the OpenAPI document), and a raw call of any
// action.

import { h } from "../dom.js";
import { ONLY_201 } from "./forms-device.js";

const TAG_201 = "Charger Commands (OCPP 2.0.1)";
const TAG_21 = "Charger Commands (OCPP 2.1)";
const ONLY_21 = "operations21";
const GROUP = "Raw";

const described = new Map();
/** The operations of an OpenAPI tag (2.0.1's or 2.1's): each one's path under the charger,
 * summary and example body; read once per tag. */
function operations(tag) {
  if (!described.has(tag)) {
    described.set(
      tag,
      fetch("/openapi.json")
        .then((response) => response.json())
        .then((document) =>
          Object.entries(document.paths)
            .filter(([, item]) => item.post && (item.post.tags || []).includes(tag))
            .map(([path, item]) => ({
              path: path.split("{chargeBoxId}/")[1],
              summary: item.post.summary,
              example: Object.values(item.post.requestBody.content["application/json"].examples || {})[0]?.value ?? {},
            })),
        ),
    );
  }
  return described.get(tag);
}

function json(text, what) {
  try {
    return JSON.parse(text || "{}");
  } catch (error) {
    throw new Error(`the ${what} is not JSON: ${error.message}`);
  }
}

const asItCame = (value) => h("pre.raw-answer", {}, JSON.stringify(value, null, 2));

/** The picker of a tag's operations; picking one puts its example in the form's body. */
function operationPicker(tag) {
  return () => {
    const picker = h("select", { name: "operation" });
    picker.addEventListener("change", async () => {
      const picked = (await operations(tag)).find((operation) => operation.path === picker.value);
      const body = picker.closest("form")?.querySelector("textarea[name=body]");
      if (body) body.value = JSON.stringify(picked?.example ?? {}, null, 1);
    });
    operations(tag).then((listed) => {
      picker.replaceChildren(...listed.map((o) => h("option", { value: o.path }, o.summary)));
      picker.dispatchEvent(new Event("change", { bubbles: true }));
    });
    return picker;
  };
}

/** The form that sends any operation of `tag` to the versions that have them (`only`). */
function operationForm({ title, name, only, tag, words }) {
  return {
    title,
    name,
    group: GROUP,
    only,
    fields: [
      { name: "operation", label: "Operation", type: "element", input: operationPicker(tag) },
      { name: "body", label: `Body (JSON, as ${words} writes it)`, type: "textarea", rowsShown: 5, optional: true },
    ],
    send: (v, ctx) => {
      if (!v.operation) throw new Error("the operations are still loading");
      return ctx.api.command(ctx.chargeBoxId, v.operation, json(v.body, "body"));
    },
    show: (answer) => asItCame({ response: answer.response, report: answer.report }),
  };
}

export const RAW_FORMS = [
  operationForm({ title: "2.0.1 operation", name: "operation-201", only: ONLY_201, tag: TAG_201, words: "OCPP 2.0.1" }),
  operationForm({ title: "2.1 operation", name: "operation-21", only: ONLY_21, tag: TAG_21, words: "OCPP 2.1" }),
  {
    title: "Raw call",
    name: "call",
    group: GROUP,
    path: "call",
    fields: [
      { name: "action", label: "Action", type: "text", placeholder: "GetLocalListVersion" },
      { name: "payload", label: "Payload (JSON)", type: "textarea", value: "{}", optional: true },
    ],
    send: (v, ctx) => ctx.api.command(ctx.chargeBoxId, "call", { action: v.action, payload: json(v.payload, "payload") }),
    show: (answer) => asItCame(answer.response),
  },
];
