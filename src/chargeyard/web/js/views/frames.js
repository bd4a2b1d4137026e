// A frame log: newest first, filterable by action, each payload pretty-printed on demand.
// `source({action, after})` answers {rows: [{id?, direction, action, message, truncated?,
// timestamp}]}, newest first; the log polls it every 2 s while the page is visible. A row the
// API listed cut (`truncated`) shows its beginning and, with a `whole(row)` option that reads
// the whole message by its id, a button that shows it all. A row with a `fault` (the gateway's
// log: what a network fault did to the frame, POST /ocpp/chaos; the recording proxy's: a frame
// it held, dropped or injected) carries a mark saying what.
// With a `download()` option that answers {name, text}, a button saves the whole log as a file
// (a charger's trace).

import { fill, h, time } from "../dom.js";

// The actions the filter offers first (any other may be typed): those of every charger's day.
export const FRAME_ACTIONS = [
  "BootNotification",
  "Heartbeat",
  "StatusNotification",
  "Authorize",
  "StartTransaction",
  "StopTransaction",
  "TransactionEvent",
  "MeterValues",
  "Reset",
  "TriggerMessage",
  "GetConfiguration",
  "ChangeConfiguration",
  "ChangeAvailability",
  "DataTransfer",
  "RemoteStartTransaction",
  "RemoteStopTransaction",
];

const KEEP = 300;
const POLL_MS = 2000;
const TYPES = { 2: "CALL", 3: "RESULT", 4: "ERROR", 5: "CALLRESULTERROR", 6: "SEND" };
const FAULT_MARKS = {
  frame_dropped: "dropped",
  frame_duplicated: "duplicated",
  frame_delayed: "delayed",
  frame_reordered: "reordered",
  answer_delayed: "answer delayed",
  answer_withheld: "answer withheld",
  proxy_injected: "injected by the proxy",
};

function describe(message) {
  try {
    const frame = JSON.parse(message);
    const type = TYPES[frame[0]] || "?";
    const payload = frame[0] === 2 ? frame[3] : frame[0] === 4 ? { code: frame[2], description: frame[3], details: frame[4] } : frame[2];
    return { type, payload: JSON.stringify(payload, null, 2) };
  } catch {
    // Not JSON (or cut by the API): the message type still shows at its head.
    const head = /^\s*\[\s*(\d)/.exec(message);
    return { type: (head && TYPES[head[1]]) || "?", payload: message };
  }
}

export function frameLog(source, { actions = [], whole = null, download = null } = {}) {
  let rows = [];
  let action = "";
  let timer = null;
  let stopped = false;
  let failure = null;
  const body = h("ol.frames", { "aria-label": "OCPP frames, newest first" });
  const status = h("span.frames-status");
  const filter = h(
    "input",
    {
      type: "search",
      placeholder: "Filter by action, e.g. StatusNotification",
      list: "frame-actions",
      "aria-label": "Filter by action",
      on: {
        change: () => {
          action = filter.value.trim();
          rows = [];
          poll();
        },
      },
    },
  );
  const datalist = h("datalist", { id: "frame-actions" }, actions.map((name) => h("option", { value: name })));
  const saveButton = download ? h("button.frames-download", { type: "button", title: "All the frames as a trace (JSON lines) that chargeyard replay plays against any CSMS", on: { click: () => save() } }, "Download trace") : null;
  const el = h("section.panel.frame-log", {}, h("header.panel-head", {}, h("h2", {}, "OCPP frames"), filter, datalist, saveButton, status), body);

  // The file is fetched with the page's credentials (a link could not carry the token), then
  // handed to the browser as a download.
  async function save() {
    saveButton.disabled = true;
    try {
      const { name, text } = await download();
      const url = URL.createObjectURL(new Blob([text], { type: "application/x-ndjson" }));
      const link = h("a", { href: url, download: name });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 0);
      fill(status, `${rows.length} shown · trace saved as ${name}`);
    } catch (error) {
      fill(status, `Could not download the trace: ${error.message}`);
    } finally {
      saveButton.disabled = false;
    }
  }

  // A frame listed cut: how long it is, and a button that replaces the beginning with it all.
  function cutNote(row) {
    const note = h("p.frame-cut", {}, `Cut: ${row.message.length} of ${row.message_length ?? row.messageLength} characters shown. `);
    if (whole && row.id !== undefined) {
      const button = h("button", { type: "button", on: { click: async () => {
        button.disabled = true;
        try {
          const message = await whole(row);
          const shown = note.previousElementSibling;
          fill(shown, describe(message).payload);
          note.remove();
        } catch (error) {
          fill(note, `Could not read it whole: ${error.message}`);
        }
      } } }, "Show it whole");
      note.append(button);
    }
    return note;
  }

  function render() {
    if (failure) {
      fill(body, h("li.notice", {}, failure));
      return;
    }
    fill(
      body,
      rows.length
        ? rows.map((row) => {
            const { type, payload } = describe(row.message);
            const incoming = row.direction === "incoming" || row.direction === "cp_to_csms";
            return h(
              "li.frame",
              { dataset: { action: row.action || "", type, direction: incoming ? "in" : "out", fault: row.fault || "" } },
              h(
                "details",
                {},
                h(
                  "summary",
                  {},
                  h("time", {}, time(row.timestamp)),
                  h("span.dir", { title: incoming ? "from the charger to the central system" : "from the central system to the charger" }, incoming ? "CP → CSMS" : "CSMS → CP"),
                  h("span.action", {}, row.action || "—"),
                  h("span.type", {}, type),
                  row.fault
                    ? h("span.fault-mark", { title: "what a network fault or the recording proxy did to this frame" }, FAULT_MARKS[row.fault] || row.fault)
                    : null,
                ),
                h("pre", {}, payload),
                row.truncated ? cutNote(row) : null,
              ),
            );
          })
        : h("li.empty", {}, "No frames yet."),
    );
  }

  // Each poll has a number: a newer one (the filter changed meanwhile) wins, and only the
  // newest schedules the next, so that there is one polling loop.
  let generation = 0;

  async function poll() {
    clearTimeout(timer);
    const mine = ++generation;
    if (stopped) return;
    if (!document.hidden) {
      try {
        const newest = rows.length && rows[0].id !== undefined ? rows[0].id : undefined;
        const answer = await source({ action, after: newest, replace: !rows.length });
        if (mine !== generation) return;
        // Nothing new: keep the list as it is (a frame the user opened stays open).
        const dirty = answer.replace || answer.rows.length > 0 || failure !== null;
        rows = answer.replace ? answer.rows : [...answer.rows, ...rows];
        rows = rows.slice(0, KEEP);
        failure = null;
        fill(status, `${rows.length} shown`);
        if (dirty) render();
      } catch (error) {
        if (mine !== generation) return;
        failure = error.routeMissing ? "The frame log is not available yet on this server." : error.message;
        if (error.notOffered) failure = `No log: ${error.message}.`;
        render();
      }
    }
    if (!stopped) timer = setTimeout(poll, POLL_MS);
  }

  poll();
  return {
    el,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
