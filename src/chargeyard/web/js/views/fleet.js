// The fleet of simulated chargers (the /ocpp gateway): locations with their chargers, each
// charger's connectors coloured by OCPP status, online/offline, version and current power.
//
// Live: a charger that points at the built-in CSMS (its identity is a chargeBoxId there) is
// drawn from the central system's event stream (connector.status_changed,
// transaction.updated ...), without a request. The gateway's lists are polled only as a
// fallback: every few seconds while some charger is not on the built-in CSMS or the stream is
// down (the runtime's own connector statuses are then the only source), else slowly, to
// pick up chargers created or deleted elsewhere.

import { fill, h, power } from "../dom.js";
import { debounce, scheduler } from "../state.js";
import { connectorChip, pager, problem } from "./parts.js";
import { chargerId, faultBadge, liveState, modelLabel, runtimeLabel, versionLabel } from "./simstate.js";

export { chargerId, liveState } from "./simstate.js";

const FALLBACK_POLL_MS = 3000;
const CHARGERS_PER_PAGE = 24; // per location
const SLOW_POLL_MS = 30000;
const FILTERS = [
  ["all", "all chargers"],
  ["online", "online"],
  ["offline", "offline"],
  ["charging", "charging"],
  ["faulted", "faulted"],
];
const NO_TOKEN = Symbol("no gateway token");

export function fleetView(root, { gateway, model, stream, credentials }) {
  let locations = [];
  let chargers = [];
  let failure = null;
  let locationsFailure = null;
  let query = "";
  let wanted = "all";
  let place = "";
  let timer = null;
  let stopped = false;
  let generation = 0; // the newest load wins and alone schedules the next
  const pages = new Map(); // location key -> the page of its chargers shown
  const firstPages = () => (pages.clear(), schedule());

  const search = h("input", {
    type: "search",
    placeholder: "Search chargers",
    "aria-label": "Search chargers",
    on: { input: () => ((query = search.value.trim().toLowerCase()), firstPages()) },
  });
  const stateFilter = h(
    "select",
    { "aria-label": "Show chargers", on: { change: () => ((wanted = stateFilter.value), firstPages()) } },
    FILTERS.map(([value, label]) => h("option", { value }, label)),
  );
  const placeFilter = h("select", {
    "aria-label": "Location",
    on: { change: () => ((place = placeFilter.value), firstPages()) },
  });
  const summary = h("span.count");
  const body = h("div.fleet-body");
  fill(
    root,
    h(
      "div.fleet",
      {},
      h(
        "header.toolbar",
        {},
        h("h1", {}, "Fleet ", summary),
        search,
        stateFilter,
        placeFilter,
        h("a.manage-link", { href: "#/manage/chargers" }, "Add or edit chargers"),
      ),
      body,
    ),
  );

  async function load() {
    clearTimeout(timer);
    const mine = ++generation;
    if (!credentials.value.token) {
      failure = NO_TOKEN;
      schedule();
      return;
    }
    const [locationAnswer, chargerAnswer] = await Promise.allSettled([gateway.locations(), gateway.chargers()]);
    if (stopped || mine !== generation) return;
    locationsFailure = locationAnswer.status === "rejected" ? locationAnswer.reason : null;
    locations = locationAnswer.status === "fulfilled" ? locationAnswer.value : [];
    failure = chargerAnswer.status === "rejected" ? chargerAnswer.reason : null;
    chargers = chargerAnswer.status === "fulfilled" ? chargerAnswer.value : [];
    chargers.sort((a, b) => a.identity.localeCompare(b.identity, undefined, { numeric: true }));
    schedule();
    // Errors and chargers the stream does not cover: ask again soon.
    const polled = failure || chargers.some((charger) => !liveState(model, charger).live) || stream.state.value !== "live";
    timer = setTimeout(load, polled ? FALLBACK_POLL_MS : SLOW_POLL_MS);
  }

  function matches(charger, state) {
    const text = `${charger.identity} ${charger.charge_point_name || ""} ${modelLabel(charger, state.csms)}`.toLowerCase();
    if (query && !text.includes(query)) return false;
    if (place && (charger.location_id || "") !== place) return false;
    const statuses = state.connectors.map((c) => c.status);
    switch (wanted) {
      case "online":
        return state.online;
      case "offline":
        return !state.online;
      case "charging":
        return statuses.some((s) => s === "Charging" || s === "Occupied" || s === "SuspendedEV" || s === "SuspendedEVSE");
      case "faulted":
        return statuses.includes("Faulted");
      default:
        return true;
    }
  }

  function card(charger, state) {
    return h(
      "article.station.compact",
      {
        class: state.online ? "online" : "offline",
        dataset: { sim: charger.identity, chargerId: chargerId(charger), online: String(state.online) },
      },
      h(
        "header",
        {},
        h("span.dot", { title: state.online ? "online" : "offline" }),
        h("a.station-id", { href: `#/sim/${encodeURIComponent(chargerId(charger))}` }, charger.identity),
        h("span.version", {}, versionLabel(charger)),
        faultBadge(charger),
      ),
      h(
        "p.meta",
        {},
        charger.charge_point_name || modelLabel(charger, state.csms),
        state.watts != null ? h("span.power", {}, ` · ${power(state.watts)}`) : "",
      ),
      h(
        "div.chips",
        {},
        state.connectors.length
          ? state.connectors.map((c) =>
              connectorChip(c, { online: state.online, transaction: state.csms ? model.activeOn(charger.identity, c) : null }),
            )
          : h("span.muted", {}, runtimeLabel(charger)),
      ),
      state.online ? null : h("p.meta.presence", {}, runtimeLabel(charger)),
    );
  }

  function render() {
    const names = new Map(locations.map((l) => [l.id, l]));
    const currentPlace = placeFilter.value;
    fill(placeFilter,
      h("option", { value: "" }, "all locations"),
      locations.map((l) => h("option", { value: l.id }, l.name)),
    );
    placeFilter.value = currentPlace;
    if (failure === NO_TOKEN) {
      fill(
        body,
        h("div.notice", {}, h("strong", {}, "No gateway token. "), "The fleet is read from the gateway (/ocpp): add a token in Settings (", h("code", {}, "chargeyard token create"), ")."),
      );
      fill(summary, "");
      return;
    }
    if (failure) {
      fill(body, problem(failure, "The gateway's simulated chargers"), locationsFailure ? null : locations.map((l) => locationPanel(l, [])));
      fill(summary, "");
      return;
    }
    const states = chargers.map((charger) => [charger, liveState(model, charger)]);
    const shown = states.filter(([charger, state]) => matches(charger, state));
    const online = states.filter(([, s]) => s.online).length;
    const watts = states.reduce((sum, [, s]) => sum + (s.watts || 0), 0);
    fill(summary, `${online} online / ${chargers.length}`, watts ? ` · ${power(watts)}` : "");
    const problems = locationsFailure ? problem(locationsFailure, "The gateway's locations") : null;
    if (!chargers.length) {
      fill(body, problems, h("p.empty", {}, "No simulated chargers yet: create some in ", h("a", { href: "#/manage/chargers" }, "Manage"), " (or with POST /ocpp/chargers), or start the lab with its demo (chargeyard up)."));
      return;
    }
    const groups = new Map();
    if (!query && wanted === "all") {
      // Every location shows, an empty one too (a site being set up).
      for (const location of locations) if (!place || place === location.id) groups.set(location.id, []);
    }
    for (const [charger, state] of shown) {
      const key = charger.location_id || "";
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push([charger, state]);
    }
    // A location's pager of the same page stays the same element (see showPager).
    const pagersShown = new Map(
      [...body.querySelectorAll("section.location")].map((panel) => [panel.dataset.location, panel.querySelector("nav.pager")]),
    );
    fill(
      body,
      problems,
      shown.length ? null : h("p.empty", {}, "No charger matches."),
      [...groups.entries()].map(([key, members]) => locationPanel(names.get(key), members, key, pagersShown.get(key))),
    );
  }

  /**
   * A location with its chargers ([charger, state] pairs), a page of them at a time; `shownPager`
   * is the pager its panel shows now, kept when it shows the same page.
   */
  function locationPanel(location, members, key = location ? location.id : "", shownPager = null) {
    const part = pager(members.length, CHARGERS_PER_PAGE, pages.get(key) || 0, (page) => (pages.set(key, page), schedule()), "chargers");
    pages.set(key, part.page);
    if (part.el && shownPager && shownPager.dataset.shows === part.el.dataset.shows) part.el = shownPager;
    return h(
      "section.panel.location",
      { dataset: { location: key } },
      h(
        "header.panel-head",
        {},
        h("h2", {}, location ? location.name : key ? key : "Without a location"),
        location ? h("span.muted", {}, [location.city, location.country].filter(Boolean).join(", ")) : null,
        h("span.count", {}, `${members.length} chargers`),
        location ? h("a.manage-link", { href: `#/manage/locations/${encodeURIComponent(location.id)}` }, "Edit") : null,
        part.el,
      ),
      members.length
        ? h("div.stations", {}, members.slice(part.first, part.last).map(([charger, state]) => card(charger, state)))
        : h("p.empty", {}, "No chargers here."),
    );
  }

  // A fleet charger that (dis)connects or boots changed its runtime too: read the gateway
  // again, once the burst of events is over.
  const PRESENCE = new Set(["charger.connected", "charger.disconnected", "charger.boot"]);
  const refresh = debounce(load, 300);
  const unsubscribeEvents = stream.on((event) => {
    if (PRESENCE.has(event.event) && chargers.some((c) => c.identity === event.chargeBoxId)) refresh();
  });

  const schedule = scheduler(render);
  const unsubscribe = model.changed.subscribe(schedule);
  const unsubscribeCredentials = credentials.subscribe(load);
  load();
  return () => {
    stopped = true;
    unsubscribe();
    unsubscribeEvents();
    unsubscribeCredentials();
    refresh.cancel();
    clearTimeout(timer);
  };
}
