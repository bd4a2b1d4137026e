// A charging schedule as a step plot (inline SVG): the limit of each period from its start
// to the next one's, over the schedule's duration. It draws the schedule the profile editor
// is about to send and the composite schedule a station answers.

import { keepWidth, niceMax, svg, tick } from "./plot.js";

// Drawn at its rendered width (keepWidth), so its labels are the page's text size on a phone.
const H = 180;
const PAD = { left: 48, right: 16, top: 12, bottom: 28 };
// A Recurring profile without a duration repeats every day or week (1.6 section 7.13,
// 2.0.1 RecurrencyKindEnumType): one recurrence is drawn.
const RECURRENCE_S = { Daily: 86400, Weekly: 7 * 86400 };

function duration(seconds) {
  if (seconds >= 86400 && seconds % 86400 === 0) return `${seconds / 86400} d`;
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/**
 * The plot of `schedule` ({duration, chargingRateUnit, minChargingRate, periods:
 * [{startPeriod, limit, numberPhases}]}), or null when it holds no period. `title` names it
 * (its aria-label), `start` labels the left end of the time axis, `recurrency` a Recurring
 * profile's kind.
 */
export function schedulePlot(schedule, { title = "Composite schedule", start = "now", recurrency } = {}) {
  if (!schedule || !schedule.periods || schedule.periods.length === 0) return null;
  const periods = [...schedule.periods].sort((a, b) => a.startPeriod - b.startPeriod);
  const last = periods[periods.length - 1].startPeriod;
  const span = Math.max(schedule.duration || RECURRENCE_S[recurrency] || 0, last > 0 ? last * 1.25 : 3600, 1);
  const top = niceMax(Math.max(...periods.map((p) => p.limit), schedule.minChargingRate || 0));
  const y = (v) => H - PAD.bottom - (v / top) * (H - PAD.top - PAD.bottom);
  const plot = svg("svg", {
    class: "schedule-plot",
    role: "img",
    "aria-label": `${title}: ${periods.length} period${periods.length === 1 ? "" : "s"}`,
  });
  keepWidth(plot, (W) => drawSchedule(plot, W, { schedule, periods, span, top, start, y }), 480);
  return plot;
}

function drawSchedule(plot, W, { schedule, periods, span, top, start, y }) {
  plot.replaceChildren();
  plot.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const x = (s) => PAD.left + (Math.min(s, span) / span) * (W - PAD.left - PAD.right);
  for (let i = 0; i <= 4; i++) {
    const value = (top * i) / 4;
    plot.append(svg("line", { x1: PAD.left, x2: W - PAD.right, y1: y(value), y2: y(value), class: "grid" }));
    plot.append(svg("text", { x: PAD.left - 6, y: y(value) + 4, "text-anchor": "end" }, tick(value)));
  }
  plot.append(svg("text", { x: 4, y: PAD.top + 4 }, schedule.chargingRateUnit || ""));
  if (schedule.minChargingRate) {
    const level = y(schedule.minChargingRate);
    plot.append(svg("line", { x1: PAD.left, x2: W - PAD.right, y1: level, y2: level, class: "min-rate" }));
  }
  let path = "";
  periods.forEach((period, i) => {
    const end = i + 1 < periods.length ? periods[i + 1].startPeriod : span;
    path += `${i === 0 ? "M" : "L"}${x(period.startPeriod)},${y(period.limit)} L${x(end)},${y(period.limit)} `;
    if (period.numberPhases) {
      const middle = (x(period.startPeriod) + x(end)) / 2;
      plot.append(svg("text", { x: middle, y: y(period.limit) - 4, "text-anchor": "middle", class: "phases" }, `${period.numberPhases}φ`));
    }
  });
  plot.append(svg("path", { d: path, class: "schedule-line" }));
  plot.append(svg("text", { x: PAD.left, y: H - 8 }, start));
  plot.append(svg("text", { x: W - PAD.right, y: H - 8, "text-anchor": "end" }, `+${duration(Math.round(span))}`));
}
