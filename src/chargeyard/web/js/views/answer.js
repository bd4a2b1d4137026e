// The box that shows what a command came back with: the station's answer (its status first)
// or the API's error in plain words.

import { fill, h } from "../dom.js";

export function answerBox() {
  const box = h("div.answer", { "aria-live": "polite", hidden: true });
  return {
    el: box,
    pending(what) {
      box.hidden = false;
      box.dataset.kind = "pending";
      delete box.dataset.outcome;
      fill(box, h("p", {}, `${what}: waiting for the answer…`));
    },
    ok(what, body, extra = null) {
      box.hidden = false;
      box.dataset.kind = "ok";
      delete box.dataset.outcome;
      const status = body && (body.status || (body.queued_count !== undefined ? "Queued" : null));
      fill(
        box,
        h(
          "p.answer-head",
          {},
          `${what}: `,
          status ? h("strong.answer-status", { dataset: { status } }, status) : "done",
          body && body.message ? ` — ${body.message}` : "",
        ),
        extra,
        h("details", {}, h("summary", {}, "Full answer"), h("pre", {}, JSON.stringify(body, null, 2))),
      );
    },
    /** A gateway command's outcome, in words (outcome.js); `words.kind` styles the box. */
    said(what, words, body) {
      box.hidden = false;
      box.dataset.kind = words.kind;
      box.dataset.outcome = body && body.status ? body.status : words.kind;
      fill(
        box,
        h("p.answer-head", {}, `${what}: `, h("strong.answer-words", {}, words.words)),
        body ? h("details", {}, h("summary", {}, "Full answer"), h("pre", {}, JSON.stringify(body, null, 2))) : null,
      );
    },
    error(what, error) {
      box.hidden = false;
      box.dataset.kind = "error";
      delete box.dataset.outcome;
      const code = error.stationCode;
      if (!code) {
        fill(box, h("p.answer-head", {}, `${what} failed: `, h("strong", {}, error.message)));
        return;
      }
      // A CALLERROR is the station's answer: its code first, as a status is (OCPP-J 4.2.3).
      fill(
        box,
        h("p.answer-head", {}, `${what}: the station answered `, h("strong.answer-status", { dataset: { status: code } }, code)),
        h("p.answer-said", {}, error.message),
      );
    },
  };
}

/** Runs `action` and shows its answer (or error) in `box`; disables `button` meanwhile. */
export async function run(box, what, button, action, extra) {
  box.pending(what);
  if (button) button.disabled = true;
  try {
    const body = await action();
    box.ok(what, body, extra ? extra(body) : null);
    return body;
  } catch (error) {
    box.error(what, error);
    return null;
  } finally {
    if (button) button.disabled = false;
  }
}
