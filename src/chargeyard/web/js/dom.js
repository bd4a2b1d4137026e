// Building DOM without a framework: h("tag.class", {attrs, on: {event: fn}}, ...children).
// Text children become text nodes, so values from the API are never parsed as HTML.

export function h(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split(".");
  const el = document.createElement(tag || "div");
  if (classes.length) el.className = classes.join(" ");
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "on") {
      for (const [event, handler] of Object.entries(value)) el.addEventListener(event, handler);
    } else if (name === "dataset") {
      Object.assign(el.dataset, value);
    } else if (name === "class") {
      el.className = [el.className, value].filter(Boolean).join(" ");
    } else if (name in el && typeof value !== "string") {
      el[name] = value;
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace the children of `el` with `children`. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function time(iso) {
  if (!iso) return "—";
  const moment = new Date(iso);
  return Number.isNaN(moment.getTime()) ? iso : moment.toLocaleTimeString();
}

export function dateTime(iso) {
  if (!iso) return "—";
  const moment = new Date(iso);
  return Number.isNaN(moment.getTime()) ? iso : moment.toLocaleString();
}

/** Wh as a short text in kWh. */
export function energy(wh) {
  if (wh === null || wh === undefined) return "—";
  return `${(wh / 1000).toFixed(wh < 10000 ? 2 : 1)} kWh`;
}

/** W as a short text in kW. */
export function power(w) {
  if (w === null || w === undefined) return "—";
  return `${(w / 1000).toFixed(1)} kW`;
}

export function ago(iso) {
  if (!iso) return "never";
  const seconds = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (seconds < 60) return `${Math.max(seconds, 0)} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  return dateTime(iso);
}

/** A labelled form field. */
export function field(label, input) {
  return h("label.field", {}, h("span", {}, label), input);
}

export function select(name, options, value) {
  return h(
    "select",
    { name },
    options.map((option) => h("option", { value: option, selected: option === value }, option)),
  );
}
