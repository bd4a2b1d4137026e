// The central system: connected chargers (live), transactions, and the command panel of the
// selected charger.

import { ago, fill, h } from "../dom.js";
import { scheduler } from "../state.js";
import { commandPanel } from "./commands.js";
import { connectorChip, outlets, pager, problem, showPager, transactionsTable } from "./parts.js";

// A page of station cards fills a laptop screen; the rest is a click away.
const STATIONS_PER_PAGE = 24;
const TRANSACTIONS_PER_PAGE = 20;

// What the stations card says before the dashboard can read the API: the banner above tells
// how to sign in; the card says what it is waiting for, not "Loading…" for ever.
const NO_API_KEY = "Not signed in: the stations show once the dashboard has an API key (the sign-in link, or Settings).";

export function centralView(root, { api, model, credentials }) {
  let selected = null;
  let panel = null;
  let tab = "active";
  let onlineOnly = false;
  let stationPage = 0;
  let transactionPage = 0;

  const stations = h("div.stations");
  const stationPager = h("div.pager-host");
  const transactionPager = h("div.pager-host");
  const stationCount = h("span.count");
  const panelHost = h("div.panel-body");
  const panelTitle = h("h2", {}, "Commands");
  const chargerPicker = h("select", {
    "aria-label": "Charger to command",
    on: { change: () => choose(chargerPicker.value) },
  });
  const txBody = h("div.panel-body");
  const tabs = ["active", "completed"].map((name) =>
    h(
      "button.tab",
      { type: "button", dataset: { tab: name }, on: { click: () => ((tab = name), (transactionPage = 0), render()) } },
      name === "active" ? "Active" : "Completed",
    ),
  );
  const onlineToggle = h("input", {
    type: "checkbox",
    on: { change: () => ((onlineOnly = onlineToggle.checked), (stationPage = 0), render()) },
  });

  fill(
    root,
    h(
      "div.central",
      {},
      h(
        "div.central-main",
        {},
        h(
        "section.panel.stations-panel",
        {},
        h(
          "header.panel-head",
          {},
          h("h2", {}, "Stations ", stationCount),
          h("label.inline", {}, onlineToggle, " online only"),
          stationPager,
        ),
        stations,
        ),
        h(
          "section.panel.transactions-panel",
          {},
          h("header.panel-head", {}, h("h2", {}, "Transactions"), h("div.tabs-inline", {}, tabs), transactionPager),
          txBody,
        ),
      ),
      h("aside.panel.commands-panel", {}, h("header.panel-head", {}, panelTitle, chargerPicker), panelHost),
    ),
  );

  function choose(id) {
    if (selected === id && panel) return;
    selected = id || null;
    chargerPicker.value = selected || "";
    panel = selected ? commandPanel(api, model, selected) : null;
    fill(panelHost, panel ? panel.el : h("p.empty", {}, "Pick a station to send it commands."));
    render();
  }

  function stationCard(charger) {
    const online = charger.isOnline;
    return h(
      "article.station",
      {
        class: [online ? "online" : "offline", charger.chargeBoxId === selected ? "selected" : ""].join(" "),
        dataset: { station: charger.chargeBoxId, online: String(online) },
        on: { click: (event) => event.target.tagName !== "A" && choose(charger.chargeBoxId) },
      },
      h(
        "header",
        {},
        h("span.dot", { title: online ? "online" : "offline" }),
        h("a.station-id", { href: `#/charger/${encodeURIComponent(charger.chargeBoxId)}` }, charger.chargeBoxId),
        h("span.version", {}, charger.ocppVersion ? `OCPP ${charger.ocppVersion}` : ""),
      ),
      h(
        "p.meta",
        {},
        [charger.vendor, charger.model].filter(Boolean).join(" ") || "not booted yet",
        charger.firmwareVersion ? h("span.fw", {}, ` · fw ${charger.firmwareVersion}`) : "",
      ),
      h(
        "div.chips",
        {},
        outlets(charger).map((connector) =>
          connectorChip(connector, { online, transaction: model.activeOn(charger.chargeBoxId, connector) }),
        ),
      ),
      h("p.heartbeat", {}, presence(charger)),
    );
  }

  function presence(charger) {
    if (!charger.isOnline) return "offline";
    if (charger.lastHeartbeat) return `heartbeat ${ago(charger.lastHeartbeat)}`;
    return `connected ${ago(charger.connectedAt)}, no heartbeat yet`;
  }

  function stationsWaiting() {
    if (model.loaded) return "No stations yet: connect one to the CSMS.";
    return credentials.value.apiKey ? "Loading…" : NO_API_KEY;
  }

  function render() {
    if (model.error.value && !model.loaded) {
      fill(stations, problem(model.error.value, "The central system's API"));
      return;
    }
    const all = [...model.chargers.values()].sort(
      (a, b) => Number(b.isOnline) - Number(a.isOnline) || a.chargeBoxId.localeCompare(b.chargeBoxId),
    );
    const shown = onlineOnly ? all.filter((c) => c.isOnline) : all;
    const online = all.filter((c) => c.isOnline).length;
    fill(stationCount, `${online} online / ${all.length}`);
    const stationPart = pager(shown.length, STATIONS_PER_PAGE, stationPage, (page) => ((stationPage = page), render()), "stations");
    stationPage = stationPart.page;
    showPager(stationPager, stationPart);
    fill(
      stations,
      shown.length
        ? shown.slice(stationPart.first, stationPart.last).map(stationCard)
        : h("p.empty", {}, stationsWaiting()),
    );
    const ids = all.map((c) => c.chargeBoxId);
    const current = [...chargerPicker.options].map((o) => o.value).slice(1);
    if (ids.join() !== current.join()) {
      fill(chargerPicker,
        h("option", { value: "" }, "— station —"),
        ids.map((id) => h("option", { value: id }, id)),
      );
      chargerPicker.value = selected || "";
    }
    if (!selected && ids.length) {
      choose(all[0].chargeBoxId);
      return;
    }
    if (panel) panel.refresh();
    tabs.forEach((button) => button.classList.toggle("current", button.dataset.tab === tab));
    const listed = model.sortedTransactions((row) => row.status === tab);
    const txPart = pager(listed.length, TRANSACTIONS_PER_PAGE, transactionPage, (page) => ((transactionPage = page), render()), "transactions");
    transactionPage = txPart.page;
    showPager(transactionPager, txPart);
    fill(txBody, transactionsTable(listed.slice(txPart.first, txPart.last), { chargingState: (row) => model.chargingState(row) }));
  }

  const schedule = scheduler(render);
  const unsubscribe = model.changed.subscribe(schedule);
  const unsubscribeError = model.error.subscribe(schedule);
  const unsubscribeCredentials = credentials.subscribe(schedule);
  const clock = setInterval(schedule, 10000); // "n s ago" texts
  choose(null);
  render();
  return () => {
    unsubscribe();
    unsubscribeError();
    unsubscribeCredentials();
    clearInterval(clock);
  };
}
