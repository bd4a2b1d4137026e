// The recording proxy (chargeyard proxy, docs/proxy.md) as this server relays it
// (/api/v1/proxy, --proxy-api): the chargers it relays now, the chosen one's frames in the
// dashboard's frame log (live, filtered by action, its connection's trace downloaded), and the
// actions it holds or drops on their way upstream, set and released here. The top bar offers
// the view when config.json says a proxy is relayed (#/proxy, #/proxy/<identity>).

import { ago, field, fill, h } from "../dom.js";
import { FRAME_ACTIONS, frameLog } from "./frames.js";
import { problem } from "./parts.js";

const POLL_MS = 3000;
const CALL = 2;
const ANSWERS = new Set([3, 4]); // CALLRESULT, CALLERROR
const OTHER_WAY = { cp_to_csms: "csms_to_cp", csms_to_cp: "cp_to_csms" };

/** The proxy's frames as the frame log's rows, oldest first in, newest first out; an answer is
 * named by the action of its CALL (OCPP-J: the same unique id, the other way), when the CALL
 * passed in the window read. */
function frameRows(frames, callActions) {
  const rows = [];
  for (const frame of [...frames].reverse()) {
    let action = null;
    try {
      const message = JSON.parse(frame.frame);
      if (message[0] === CALL) {
        action = message[2];
        callActions.set(`${frame.direction}:${message[1]}`, action);
      } else if (ANSWERS.has(message[0])) {
        action = callActions.get(`${OTHER_WAY[frame.direction]}:${message[1]}`) || null;
      }
    } catch {
      // not JSON: the frame log shows its text as it passed
    }
    rows.push({ id: frame.seq, direction: frame.direction, action, message: frame.frame, timestamp: frame.at, fault: frame.fault });
  }
  return rows.reverse();
}

function holdText(rule) {
  const left = rule.secondsLeft === null ? "until released" : `${Math.ceil(rule.secondsLeft)} s left`;
  return `${rule.action}: ${rule.treatment}, ${left}`;
}

export function proxyView(root, { api }, chosen) {
  let stopped = false;
  let timer = null;
  const notice = h("div.proxy-notice");
  const chargersBody = h("ul.proxy-chargers", { "aria-label": "Chargers the proxy relays" });
  const holdsBody = h("ul.proxy-holds", { "aria-label": "Actions held or dropped" });
  const holdProblem = h("p.proxy-hold-problem", { role: "status" });
  let chargers = [];
  let log = null;

  const actionInput = h("input", { name: "action", required: true, placeholder: "MeterValues", list: "frame-actions", pattern: "[A-Za-z][A-Za-z0-9]{0,63}" });
  const treatmentInput = h("select", { name: "treatment" }, h("option", { value: "hold" }, "hold back"), h("option", { value: "drop" }, "drop"));
  const secondsInput = h("input", { name: "seconds", type: "number", min: "1", max: "86400", step: "any", placeholder: "until released" });
  const holdForm = h(
    "form.proxy-hold-form",
    { on: { submit: (event) => (event.preventDefault(), hold()) } },
    field("Action", actionInput),
    field("Treatment", treatmentInput),
    field("Seconds", secondsInput),
    h("button", { type: "submit" }, "Set"),
  );

  async function hold() {
    const seconds = secondsInput.value ? Number(secondsInput.value) : undefined;
    try {
      await api.proxyHold(actionInput.value.trim(), treatmentInput.value, seconds);
      fill(holdProblem);
      holdForm.reset();
    } catch (error) {
      fill(holdProblem, error.message);
    }
    refresh();
  }

  async function release(action) {
    try {
      await api.proxyRelease(action);
      fill(holdProblem);
    } catch (error) {
      fill(holdProblem, error.message);
    }
    refresh();
  }

  function renderChargers() {
    fill(
      chargersBody,
      chargers.length
        ? chargers.map((charger) =>
            h(
              "li.proxy-charger",
              { class: charger.identity === chosen ? "current" : "" },
              h(
                "button",
                { type: "button", "aria-pressed": String(charger.identity === chosen), on: { click: () => (window.location.hash = `#/proxy/${encodeURIComponent(charger.identity)}`) } },
                `${charger.identity} (${charger.subprotocol || "no subprotocol"})`,
              ),
              h("span.proxy-upstream", { title: "where the proxy relays it" }, `→ ${charger.upstream}`),
              h("span.presence", {}, `connected ${ago(charger.connectedAt)}`),
            ),
          )
        : h("li.empty", {}, "No charger is relayed now."),
    );
  }

  function renderHolds(rules) {
    fill(
      holdsBody,
      rules.map((rule) =>
        h("li", {}, holdText(rule), " ", h("button", { type: "button", on: { click: () => release(rule.action) } }, "Release")),
      ),
    );
  }

  // The chargers and the holds, every few seconds: a proxy that stops answering says so here,
  // and the frame log below says it too, in its own place.
  async function refresh() {
    clearTimeout(timer);
    if (stopped) return;
    try {
      const [listed, holds] = await Promise.all([api.proxyChargers(), api.proxyHolds()]);
      if (stopped) return;
      chargers = listed.data;
      fill(notice);
      renderChargers();
      renderHolds(holds.data);
    } catch (error) {
      if (stopped) return;
      fill(notice, problem(error, "The recording proxy"));
    }
    if (!stopped) timer = setTimeout(refresh, POLL_MS);
  }

  function traceName() {
    const charger = chargers.find((one) => one.identity === chosen);
    const file = charger && charger.trace ? charger.trace.split(/[\\/]/).pop() : "";
    return file || `${chosen}.trace.jsonl`;
  }

  let framesHost = h("p.empty", {}, "Choose a charger to see its frames.");
  if (chosen) {
    const callActions = new Map();
    log = frameLog(
      async ({ action, after, replace }) => {
        const answer = await api.proxyFrames(chosen, { after, limit: replace ? 200 : 500 });
        const rows = frameRows(answer.data, callActions);
        return { rows: action ? rows.filter((row) => row.action === action) : rows, replace };
      },
      { actions: FRAME_ACTIONS, download: async () => ({ name: traceName(), text: await api.proxyTrace(chosen) }) },
    );
    framesHost = log.el;
  }

  fill(
    root,
    h(
      "div.proxy-view",
      {},
      h("p.crumbs", {}, "Recording proxy", chosen ? ` / ${chosen}` : ""),
      notice,
      h(
        "div.proxy-grid",
        {},
        h("section.panel", {}, h("header.panel-head", {}, h("h2", {}, "Chargers relayed")), chargersBody),
        h("section.panel", {}, h("header.panel-head", {}, h("h2", {}, "Held and dropped")), holdsBody, holdForm, holdProblem),
      ),
      framesHost,
    ),
  );
  refresh();
  return () => {
    stopped = true;
    clearTimeout(timer);
    if (log) log.stop();
  };
}
