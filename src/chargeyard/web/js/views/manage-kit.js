// What every management section is made of: the list of a resource's rows (a table, a page at
// a time, each row with Edit and Delete) beside the form that creates a row or edits the one
// picked, and the answer box under the form that says how each request ended, in the words
// of http.js. A delete asks first, in the row itself. What a create's answer shows once (a
// secret) stays on screen until the next request.

import { fill, h } from "../dom.js";
import { answerBox } from "./answer.js";
import { pager, problem } from "./parts.js";

const ROWS_PER_PAGE = 20;

/**
 * A Delete button that asks first, in place: "Delete X? [Yes, delete] [No]".
 * `run()` deletes and tells whether it did; the buttons are disabled meanwhile.
 */
export function confirmButton(label, question, run) {
  const host = h("span.confirm");
  const ask = () =>
    fill(
      host,
      h("span.confirm-question", {}, question),
      h("button.danger", { type: "button", on: { click: yes } }, `Yes, ${label.toLowerCase()}`),
      h("button", { type: "button", on: { click: idle } }, "No"),
    );
  const idle = () => fill(host, h("button", { type: "button", on: { click: ask } }, label));
  async function yes() {
    host.querySelectorAll("button").forEach((button) => (button.disabled = true));
    const done = await run();
    if (!done && host.isConnected) idle();
  }
  idle();
  return host;
}

/**
 * One management section. `spec`:
 *   name, noun, plural     the section's key, a row's name in words ("location") and the list's
 *   columns                [[header, (row) => cell content, class]]
 *   key(row), label(row)   a row's id, and its name in words
 *   load()                 every row (a Promise)
 *   fields(row | null)     the form's inputs: empty to create, filled from `row` to edit
 *   read(form, row)        the request's body from the form; throws an Error saying what is
 *                          wrong before anything is sent; null: nothing to send
 *   create(body), update(row, body), remove(row)   the requests (update absent: no Edit)
 *   created(answer), saved(answer)   words for the answer box ({kind, words}) when the
 *                          defaults ("created", "saved") do not say enough
 *   once(answer)           an element shown after a create (a secret shown once)
 *   removeWords            [button label, question(row)] ("Delete", "Delete X?" by default)
 *   actions(row, box)      more buttons of a row
 *   problem(error)         the list's failure in words, when problem() does not say enough
 *   below                  elements under the list (a delivery log)
 *   hint                   a line under the section's title
 *   empty                  words for an empty list
 * `editKey`: the row to open for editing once loaded (a link to #/manage/<name>/<key>).
 * Returns {el, reload, unmount}.
 */
export function resourceSection(spec, { editKey } = {}) {
  let rows = [];
  let failure = null;
  let page = 0;
  let editing = null;
  let stopped = false;
  let loads = 0;
  const box = answerBox();
  const count = h("span.count");
  const list = h("div.manage-list");
  const formTitle = h("h2");
  const fieldsHost = h("div.manage-fields");
  const submit = h("button.primary", { type: "submit" });
  const cancel = h("button", { type: "button", on: { click: () => startCreate() } }, "Cancel");
  const once = h("div.once-host");
  const form = h(
    "form.manage-form",
    { dataset: { form: spec.name }, on: { submit: send } },
    fieldsHost,
    h("div.actions", {}, cancel, submit),
  );
  const el = h(
    "div.manage-section",
    { dataset: { section: spec.name, state: "loading" } },
    h(
      "div.manage-main",
      {},
      h(
        "section.panel.manage-list-panel",
        {},
        h(
          "header.panel-head",
          {},
          h("h2", {}, spec.plural, " ", count),
          spec.create
            ? h("button", { type: "button", dataset: { new: spec.name }, on: { click: () => startCreate(true) } }, `New ${spec.noun}`)
            : null,
        ),
        spec.hint ? h("p.hint.section-hint", {}, spec.hint) : null,
        list,
      ),
      spec.below || null,
    ),
    h("aside.panel.manage-form-panel", {}, h("header.panel-head", {}, formTitle), form, box.el, once),
  );

  function startCreate(focus = false) {
    editing = null;
    fill(formTitle, `New ${spec.noun}`);
    fill(fieldsHost, spec.fields(null));
    form.dataset.mode = "create";
    delete form.dataset.editing;
    fill(submit, `Create ${spec.noun}`);
    cancel.hidden = true;
    if (focus) focusForm();
  }

  function startEdit(row) {
    editing = row;
    fill(formTitle, `Edit ${spec.noun} ${spec.label(row)}`);
    fill(fieldsHost, spec.fields(row));
    form.dataset.mode = "edit";
    form.dataset.editing = spec.key(row);
    fill(submit, "Save");
    cancel.hidden = false;
    focusForm();
  }

  // On a narrow screen the form is under the list: bring it into view.
  function focusForm() {
    form.scrollIntoView({ block: "nearest" });
    const first = form.querySelector("input:not([disabled]):not([type=checkbox]), select");
    if (first) first.focus({ preventScroll: true });
  }

  async function send(event) {
    event.preventDefault();
    const row = editing;
    const what = row ? `Save ${spec.noun} ${spec.label(row)}` : `Create ${spec.noun}`;
    fill(once);
    let body;
    try {
      body = spec.read(form, row);
    } catch (error) {
      box.error(what, error);
      return;
    }
    if (body === null) {
      box.said(what, { kind: "ok", words: "nothing changed" });
      return;
    }
    box.pending(what);
    submit.disabled = true;
    try {
      const answer = row ? await spec.update(row, body) : await spec.create(body);
      if (stopped) return;
      const words = row ? spec.saved?.(answer) : spec.created?.(answer);
      box.said(what, words || { kind: "ok", words: row ? "saved" : "created" });
      if (!row && spec.once) fill(once, spec.once(answer));
      startCreate();
      await reload();
    } catch (error) {
      box.error(what, error);
    } finally {
      submit.disabled = false;
    }
  }

  async function remove(row) {
    const what = `${(spec.removeWords || ["Delete"])[0]} ${spec.noun} ${spec.label(row)}`;
    fill(once);
    box.pending(what);
    try {
      await spec.remove(row);
      box.said(what, { kind: "ok", words: "done" });
      if (editing && spec.key(editing) === spec.key(row)) startCreate();
      await reload();
      return true;
    } catch (error) {
      box.error(what, error);
      return false;
    }
  }

  function rowActions(row) {
    const [label, question] = spec.removeWords || ["Delete", null];
    return h(
      "td.row-actions",
      {},
      h(
        "div.row-buttons",
        {},
        spec.actions ? spec.actions(row, box) : null,
        spec.update ? h("button", { type: "button", on: { click: () => startEdit(row) } }, "Edit") : null,
        spec.remove
          ? confirmButton(label, question ? question(row) : `${label} ${spec.noun} ${spec.label(row)}?`, () => remove(row))
          : null,
      ),
    );
  }

  function render() {
    if (failure) {
      fill(count);
      fill(list, spec.problem?.(failure) || problem(failure, spec.plural));
      return;
    }
    fill(count, `${rows.length}`);
    if (!rows.length) {
      fill(list, h("p.empty", {}, spec.empty || `No ${spec.plural.toLowerCase()} yet.`));
      return;
    }
    const part = pager(rows.length, ROWS_PER_PAGE, page, (next) => ((page = next), render()), spec.plural.toLowerCase());
    page = part.page;
    fill(
      list,
      part.el,
      h(
        "div.table-scroll",
        {},
        h(
          "table.manage-table",
          {},
          h("thead", {}, h("tr", {}, spec.columns.map(([name, , kind]) => h("th", { class: kind }, name)), h("th.row-actions-head", { "aria-label": "Actions" }))),
          h(
            "tbody",
            {},
            rows.slice(part.first, part.last).map((row) =>
              h(
                "tr",
                { dataset: { key: spec.key(row) } },
                spec.columns.map(([name, cell, kind]) => h("td", { class: kind, dataset: { label: name } }, cell(row))),
                rowActions(row),
              ),
            ),
          ),
        ),
      ),
    );
  }

  /** Reads the rows again; the newest read wins. */
  async function reload() {
    const mine = ++loads;
    let answer = null;
    let error = null;
    try {
      answer = await spec.load();
    } catch (problem) {
      error = problem;
    }
    if (stopped || mine !== loads) return;
    failure = error;
    rows = answer || [];
    el.dataset.state = failure ? "failed" : "loaded";
    render();
    if (editKey !== undefined) {
      const row = rows.find((r) => spec.key(r) === editKey);
      editKey = undefined; // once: later reloads leave the form as the user left it
      if (row && spec.update) startEdit(row);
    }
  }

  startCreate();
  reload();
  return {
    el,
    reload,
    unmount: () => {
      stopped = true;
    },
  };
}
