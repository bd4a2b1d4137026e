// The one way the command panel's forms are built: each form is a spec (its fields, the
// request's body made from their values, where it goes, how the answer is shown), so that
// every form reads, checks and sends alike, and an operation is a spec, not a copy of a form.
//
// A field spec: {name, label, type, value, optional, options, blank, placeholder, min, max,
// wide, only, when, columns, noun, rows, input}
//   type      "int" (the default), "number", "text", "textarea", "select", "datetime",
//             "check", "checks" (one box per option: the list of those ticked), "rows" (a
//             list of rows, each of `columns` fields, `noun` the name of one) or "element"
//             (`input(ctx)` makes it, read as text)
//   value     the initial value (a function: computed as the form is built)
//   optional  may be left empty: its value is then undefined, and `compact` leaves it out
//   options   a select's values, or [value, label] pairs; an optional select starts with an
//             empty choice named `blank`
//   only      a fact of versions.js the charger's version must have for the field to show
//   when      shown only while when(values of the form) is true (a Recurring profile's kind)
//
// A form spec: {title, name, group, only, fields, path, body(values), send(values, ctx),
// show(answer), preview(values), hint}. It sends `body(values)` (the values themselves
// without it) to the charger's `path`, or calls `send` (`path` then names the route it
// calls, for the reader and the tests); `show` draws the answer under its status; `preview`
// redraws under the fields as they change.
// A value that cannot be read, or a body that cannot be made, is said in the answer box and
// nothing is sent.

import { field, h } from "../dom.js";
import { run } from "./answer.js";

/** `date` as a datetime-local input writes it (local time, to the second). */
export function localInput(date) {
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
  return local.toISOString().slice(0, 19);
}

/** Drops undefined members (deeply), and the objects and lists left empty: a field left
 * empty is absent from the body (OCPP's lists have one item at least when present). */
export function compact(value) {
  if (Array.isArray(value)) return value.map(compact);
  if (value === null || typeof value !== "object") return value;
  const kept = {};
  for (const [key, member] of Object.entries(value)) {
    const inner = compact(member);
    const empty = inner && typeof inner === "object" && !Object.keys(inner).length;
    if (inner !== undefined && !empty) kept[key] = inner;
  }
  return kept;
}

/** The non-empty words of `text` split at commas or spaces. */
export function words(text) {
  return String(text || "")
    .split(/[\s,]+/)
    .filter(Boolean);
}

function initial(spec) {
  return typeof spec.value === "function" ? spec.value() : spec.value;
}

function options(spec) {
  const pairs = spec.options.map((option) => (Array.isArray(option) ? option : [option, option]));
  return spec.optional ? [["", spec.blank || "—"], ...pairs] : pairs;
}

/** The input of `spec`, and how its value is read (undefined: left empty). */
function control(spec, ctx, { inRow = false } = {}) {
  const type = spec.type || "int";
  const value = initial(spec);
  const need = !spec.optional && !inRow; // a row's fields are checked as it is read
  if (type === "element") {
    const input = spec.input(ctx);
    return { input, read: () => input.value || undefined };
  }
  if (type === "select") {
    const input = h(
      "select",
      { name: spec.name },
      options(spec).map(([key, label]) => h("option", { value: key, selected: String(value ?? "") === key }, label)),
    );
    return { input, read: () => input.value || undefined };
  }
  if (type === "check") {
    const input = h("input", { name: spec.name, type: "checkbox", checked: Boolean(value) });
    return { input, read: () => input.checked };
  }
  if (type === "checks") {
    const boxes = spec.options.map((option) =>
      h("input", { type: "checkbox", name: spec.name, value: option, checked: (value || []).includes(option) }),
    );
    const input = h("span.checks", {}, boxes.map((box, i) => h("label.check", {}, box, spec.options[i])));
    return {
      input,
      read: () => {
        const ticked = boxes.filter((box) => box.checked).map((box) => box.value);
        return ticked.length ? ticked : undefined;
      },
    };
  }
  if (type === "textarea") {
    const input = h("textarea", { name: spec.name, rows: spec.rowsShown || 3, required: need, placeholder: spec.placeholder }, value ?? "");
    return { input, read: () => input.value.trim() || undefined };
  }
  if (type === "datetime") {
    const input = h("input", {
      name: spec.name,
      type: "datetime-local",
      step: 1,
      required: need,
      value: value instanceof Date ? localInput(value) : value,
    });
    // The browser writes local time; the API wants an instant (ISO 8601 with its zone).
    return { input, read: () => (input.value ? new Date(input.value).toISOString() : undefined) };
  }
  const numeric = type === "int" || type === "number";
  const input = h("input", {
    name: spec.name,
    type: numeric ? "number" : "text",
    step: type === "number" ? "any" : undefined,
    min: spec.min,
    max: spec.max,
    required: need,
    placeholder: spec.placeholder,
    value: value ?? "",
  });
  return {
    input,
    read: () => {
      const text = input.value.trim();
      if (text === "") return undefined;
      if (!numeric) return text;
      const number = Number(text);
      if (!Number.isFinite(number) || (type === "int" && !Number.isInteger(number))) {
        throw new Error(`${spec.label} is not ${type === "int" ? "a whole number" : "a number"}`);
      }
      return number;
    },
  };
}

/** A field of a form: {spec, el, read()}. */
function build(spec, ctx, how = {}) {
  if (spec.type === "rows") return rowsField(spec, ctx);
  const { input, read } = control(spec, ctx, how);
  // A box is labelled by its own words; boxes are a group (a label may not hold labels).
  const el =
    spec.type === "check"
      ? h("label.check.field-check", {}, input, spec.label)
      : spec.type === "checks"
        ? h("fieldset.checks-field", {}, h("legend", {}, spec.label), input)
        : field(spec.label, input);
  if (spec.wide || spec.type === "textarea" || spec.type === "checks") el.classList.add("wide");
  return { spec, el, read };
}

/** A list of rows of `spec.columns`, with a button that adds a row and one per row that
 * removes it. Its value: each row's values, rows left blank skipped. */
function rowsField(spec, ctx) {
  const list = h("div.rows-list");
  const rows = [];
  const changed = () => list.dispatchEvent(new Event("input", { bubbles: true }));
  function add(values = {}) {
    const cells = spec.columns.map((column) =>
      build({ ...column, value: values[column.name] ?? column.value }, ctx, { inRow: true }),
    );
    const row = { cells };
    const remove = h(
      "button.row-remove",
      {
        type: "button",
        title: `Remove this ${spec.noun}`,
        "aria-label": `Remove this ${spec.noun}`,
        on: { click: () => (rows.splice(rows.indexOf(row), 1), row.el.remove(), changed()) },
      },
      "×",
    );
    row.el = h("div.rows-row", {}, cells.map((cell) => cell.el), remove);
    rows.push(row);
    list.append(row.el);
  }
  (spec.rows || [{}]).forEach((values) => add(values));
  const el = h(
    "fieldset.rows-field.wide",
    { dataset: { rows: spec.name } },
    h("legend", {}, spec.label),
    list,
    h("button.row-add", { type: "button", on: { click: () => (add(), changed()) } }, `Add ${spec.noun}`),
  );
  const read = () =>
    rows
      .map((row, index) => {
        const typed = row.cells.filter((cell) => !["select", "check", "checks"].includes(cell.spec.type));
        if (typed.every((cell) => cell.read() === undefined)) return null; // a blank row
        return Object.fromEntries(
          row.cells.map((cell) => {
            const value = cell.read();
            if (value === undefined && !cell.spec.optional) {
              throw new Error(`${spec.noun} ${index + 1}: ${cell.spec.label.toLowerCase()} is missing`);
            }
            return [cell.spec.name, value];
          }),
        );
      })
      .filter(Boolean);
  return { spec, el, read };
}

/** The values of the fields shown (those hidden are left out). */
function valuesOf(fields) {
  return Object.fromEntries(fields.filter((f) => !f.el.hidden).map((f) => [f.spec.name, f.read()]));
}

/** Every field's value as far as it reads (for `when`, which may look at any). */
function draftOf(fields) {
  const draft = {};
  for (const f of fields) {
    try {
      draft[f.spec.name] = f.read();
    } catch {
      draft[f.spec.name] = undefined;
    }
  }
  return draft;
}

/**
 * The form of `spec` (see the top of this module), sending for `ctx` ({api, chargeBoxId,
 * box, facts()}: facts() the versions.js entry of the charger's version, null while it is not
 * known). The form element carries its name, title and group as data attributes, and
 * `update()`, which shows the fields the version and the other fields' values call for.
 */
export function commandForm(spec, ctx) {
  const fields = (spec.fields || []).map((fieldSpec) => build(fieldSpec, ctx));
  const button = h("button.primary", { type: "submit" }, spec.button || spec.title);
  const preview = spec.preview ? h("div.form-preview", { "aria-live": "polite" }) : null;
  function update() {
    const facts = ctx.facts ? ctx.facts() : null;
    const draft = draftOf(fields);
    for (const f of fields) {
      const versionHas = !f.spec.only || !facts || Boolean(facts[f.spec.only]);
      f.el.hidden = !versionHas || (f.spec.when ? !f.spec.when(draft) : false);
    }
    if (!preview) return;
    let drawn;
    try {
      drawn = spec.preview(valuesOf(fields));
    } catch (error) {
      drawn = h("p.preview-problem", {}, error.message);
    }
    preview.replaceChildren(...[drawn].flat().filter(Boolean));
  }
  const form = h(
    "form.command",
    {
      dataset: compact({ command: spec.name, title: spec.title, group: spec.group, only: spec.only }),
      on: {
        input: update,
        change: update,
        submit: (event) => {
          event.preventDefault();
          run(ctx.box, spec.title, button, () => {
            const values = valuesOf(fields);
            if (spec.send) return spec.send(values, ctx);
            return ctx.api.command(ctx.chargeBoxId, spec.path, spec.body ? spec.body(values) : compact(values));
          }, spec.show);
        },
      },
    },
    h("div.command-fields", {}, fields.map((f) => f.el)),
    preview,
    spec.hint ? h("p.hint.command-hint", {}, spec.hint) : null,
    h("div.command-send", {}, button),
  );
  form.update = update;
  update();
  return form;
}
