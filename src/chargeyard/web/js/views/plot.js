// A power and energy plot as inline SVG: power (kW) as a filled area on the left axis,
// energy (kWh) as a line on the right axis, over the transaction's time.
//
// The drawing is as wide as its host is on the screen (its viewBox one user unit a CSS
// pixel), so the axes' labels are the size of the page's text on a phone as on a laptop;
// the host's width changing redraws it.

import { isPeriodic } from "../csms.js";

const NS = "http://www.w3.org/2000/svg";
const DEFAULT_W = 640; // a host not laid out yet (hidden)
const MIN_W = 240;
const H = 220;
const MIN_WINDOW_MS = 30000; // the first seconds of a session do not fill the width
const PAD = { left: 48, right: 56, top: 12, bottom: 28 };

/** An SVG element with its attributes (and text). */
export function svg(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  if (text !== undefined) el.textContent = text;
  return el;
}

/** The axis top: the smallest of 1, 2, 4, 8, 10 x 10^n at or over `value`, so that each
 * quarter of it (a grid line) is a short exact number. */
export function niceMax(value) {
  if (!(value > 0)) return 1;
  const power10 = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 4, 8, 10].find((s) => s * power10 >= value * (1 - 1e-9));
  return step * power10;
}

/** A grid line's label: as many decimals as it has, no float noise ("0.75", not "0.8"). */
export function tick(value) {
  return String(+value.toPrecision(6));
}

/**
 * Points from /transactions/{id}/meter-values: one per timestamp, with Wh and W; `periodic`
 * when a sample of it is (`isPeriodic`: on the station's sample interval).
 */
export function pointsFromSamples(meterValues, meterStart = 0) {
  const byTime = new Map();
  for (const sample of meterValues) {
    const factor = sample.unit === "kWh" || sample.unit === "kW" ? 1000 : 1;
    let kind = null;
    if (sample.measurand === "Energy.Active.Import.Register") kind = "energyWh";
    else if (sample.measurand === "Power.Active.Import") kind = "powerW";
    if (!kind) continue;
    const point = byTime.get(sample.timestamp) || { t: sample.timestamp, periodic: false };
    if (isPeriodic(sample.context)) point.periodic = true;
    // The total (no phase) wins over a phase's value.
    if (point[kind] === undefined || !sample.phase) point[kind] = sample.value * factor;
    byTime.set(sample.timestamp, point);
  }
  const points = [...byTime.values()].sort((a, b) => a.t.localeCompare(b.t));
  if (!points.some((p) => p.powerW !== undefined)) derivePower(points);
  return points.map((p) => ({ ...p, energyWh: p.energyWh === undefined ? undefined : p.energyWh - meterStart }));
}

/**
 * Power from the energy register where no Power.Active.Import was sampled (1.6's default
 * MeterValuesSampledData): each interval's energy over its time, held from its first reading
 * (as a sampled power holds until the next sample); the last reading keeps the last interval's.
 */
function derivePower(points) {
  const readings = points.filter((p) => p.energyWh !== undefined);
  for (let i = 1; i < readings.length; i += 1) {
    const before = readings[i - 1];
    const after = readings[i];
    const hours = (new Date(after.t).getTime() - new Date(before.t).getTime()) / 3600000;
    if (hours > 0) before.powerW = Math.max(0, (after.energyWh - before.energyWh) / hours);
  }
  if (readings.length > 1) readings[readings.length - 1].powerW = readings[readings.length - 2].powerW;
}

/**
 * Redraws `host` with `points` ([{t, energyWh?, powerW?}], energy since the start); `waiting`
 * is what an empty plot says.
 */
export function drawPlot(host, points, options = {}) {
  const { start, waiting = "waiting for meter values…" } = options;
  const W = Math.max(MIN_W, Math.round(host.clientWidth) || DEFAULT_W);
  redrawOnResize(host, [points, options], W);
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: "plot", role: "img" });
  const times = points.map((p) => new Date(p.t).getTime());
  const t0 = start ? new Date(start).getTime() : Math.min(...times);
  const t1 = Math.max(t0 + MIN_WINDOW_MS, ...times);
  const powers = points.filter((p) => p.powerW != null);
  const energies = points.filter((p) => p.energyWh != null);
  const pMax = niceMax(Math.max(0, ...powers.map((p) => p.powerW)) / 1000);
  const eMax = niceMax(Math.max(0, ...energies.map((p) => p.energyWh)) / 1000);
  const x = (t) => PAD.left + ((new Date(t).getTime() - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (value, max) => H - PAD.bottom - (value / max) * (H - PAD.top - PAD.bottom);
  chart.append(svg("title", {}, "Power (kW, area) and energy (kWh, line) of the transaction"));

  for (let i = 0; i <= 4; i += 1) {
    const gy = PAD.top + (i / 4) * (H - PAD.top - PAD.bottom);
    chart.append(svg("line", { x1: PAD.left, x2: W - PAD.right, y1: gy, y2: gy, class: "grid" }));
    const share = 1 - i / 4;
    chart.append(svg("text", { x: PAD.left - 6, y: gy + 4, class: "axis power", "text-anchor": "end" }, tick(pMax * share)));
    chart.append(svg("text", { x: W - PAD.right + 6, y: gy + 4, class: "axis energy" }, tick(eMax * share)));
  }
  chart.append(svg("text", { x: 4, y: H - 8, class: "axis power unit" }, "kW"));
  chart.append(svg("text", { x: W - 4, y: H - 8, class: "axis energy unit", "text-anchor": "end" }, "kWh"));
  for (const [t, anchor] of [[t0, "start"], [t1, "end"]]) {
    chart.append(
      svg("text", { x: x(t), y: H - 8, class: "axis", "text-anchor": anchor }, new Date(t).toLocaleTimeString()),
    );
  }

  if (powers.length) {
    // A step area: power holds until the next sample.
    let d = `M${x(powers[0].t)},${y(0, pMax)}`;
    powers.forEach((p, i) => {
      const px = x(p.t);
      d += ` L${px},${y(p.powerW / 1000, pMax)}`;
      const next = powers[i + 1];
      d += ` L${next ? x(next.t) : px},${y(p.powerW / 1000, pMax)}`;
    });
    d += ` L${x(powers[powers.length - 1].t)},${y(0, pMax)} Z`;
    chart.append(svg("path", { d, class: "power-area" }));
  }
  if (energies.length) {
    const d = energies.map((p, i) => `${i ? "L" : "M"}${x(p.t)},${y(p.energyWh / 1000, eMax)}`).join(" ");
    chart.append(svg("path", { d, class: "energy-line" }));
  }
  if (!points.length) {
    chart.append(svg("text", { x: W / 2, y: H / 2, class: "axis", "text-anchor": "middle" }, waiting));
  }
  host.replaceChildren(chart);
}

/**
 * Draw `el` (an SVG) with `draw(width)` now at `width`, and again at its rendered width
 * whenever that changes, so that one user unit stays one CSS pixel (text at the page's size).
 */
export function keepWidth(el, draw, width = DEFAULT_W) {
  let current = width;
  draw(current);
  if (typeof ResizeObserver === "undefined") return;
  const observer = new ResizeObserver(() => {
    if (!el.isConnected) return observer.disconnect(); // replaced: nothing to keep
    const now = Math.max(MIN_W, Math.round(el.getBoundingClientRect().width));
    if (Math.abs(now - current) >= 1) {
      current = now;
      draw(now);
    }
  });
  observer.observe(el);
}

const drawn = new WeakMap(); // host -> {args, width}: what to draw again at another width

/** Keep `host`'s plot the width of its host: redraw when that width changes. */
function redrawOnResize(host, args, width) {
  const known = drawn.get(host);
  drawn.set(host, { args, width });
  if (known || typeof ResizeObserver === "undefined") return;
  const observer = new ResizeObserver(() => {
    if (!host.isConnected) {
      // gone from the page (its transaction ended, another view): nothing to keep
      drawn.delete(host);
      return observer.disconnect();
    }
    const last = drawn.get(host);
    const now = Math.max(MIN_W, Math.round(host.clientWidth) || DEFAULT_W);
    if (last && now !== last.width) drawPlot(host, ...last.args);
  });
  observer.observe(host);
}
