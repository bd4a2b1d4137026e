// A charging schedule as a step plot (inline SVG): the limit of each period from its start
// to the next one's, over the schedule's duration; the composite schedule's answer.

import { niceMax, svg, tick } from "./plot.js";

const W = 480;
const H = 180;
const PAD = { left: 48, right: 16, top: 12, bottom: 28 };

function duration(seconds) {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** The plot of `schedule` ({duration, chargingRateUnit, periods: [{startPeriod, limit}]}),
 * or null when the answer holds none. */
export function schedulePlot(schedule) {
  if (!schedule || !schedule.periods || schedule.periods.length === 0) return null;
  const periods = [...schedule.periods].sort((a, b) => a.startPeriod - b.startPeriod);
  const last = periods[periods.length - 1].startPeriod;
  const span = Math.max(schedule.duration || 0, last > 0 ? last * 1.25 : 3600, 1);
  const top = niceMax(Math.max(...periods.map((p) => p.limit)));
  const x = (s) => PAD.left + (s / span) * (W - PAD.left - PAD.right);
  const y = (v) => H - PAD.bottom - (v / top) * (H - PAD.top - PAD.bottom);
  const plot = svg("svg", {
    viewBox: `0 0 ${W} ${H}`,
    class: "schedule-plot",
    role: "img",
    "aria-label": `Composite schedule: ${periods.length} periods`,
  });
  for (let i = 0; i <= 4; i++) {
    const value = (top * i) / 4;
    plot.append(svg("line", { x1: PAD.left, x2: W - PAD.right, y1: y(value), y2: y(value), class: "grid" }));
    plot.append(svg("text", { x: PAD.left - 6, y: y(value) + 4, "text-anchor": "end" }, tick(value)));
  }
  plot.append(svg("text", { x: 4, y: PAD.top + 4 }, schedule.chargingRateUnit || ""));
  let path = "";
  periods.forEach((period, i) => {
    const end = i + 1 < periods.length ? periods[i + 1].startPeriod : span;
    path += `${i === 0 ? "M" : "L"}${x(period.startPeriod)},${y(period.limit)} L${x(end)},${y(period.limit)} `;
  });
  plot.append(svg("path", { d: path, class: "schedule-line" }));
  plot.append(svg("text", { x: PAD.left, y: H - 8 }, "now"));
  plot.append(svg("text", { x: W - PAD.right, y: H - 8, "text-anchor": "end" }, `+${duration(Math.round(span))}`));
  return plot;
}
