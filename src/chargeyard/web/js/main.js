// The dashboard's entry: credentials (the sign-in link), the live event stream, the CSMS model, and a hash
// router over the views (#/central, #/charger/<id>, #/fleet, #/sim/<charger_id>, #/manage/<section>,
// #/proxy/<identity> when the server relays a recording proxy).

import { EventStream } from "./api/events.js";
import { Gateway } from "./api/gateway.js";
import { ApiV1 } from "./api/v1.js";
import { CsmsModel } from "./csms.js";
import { fill, h } from "./dom.js";
import { credentials, isSignInLink, loadServer, server, signIn, signInProblem, settingsDialog } from "./settings.js";
import { LEGEND } from "./status.js";
import { centralView } from "./views/central.js";
import { chargerView } from "./views/charger.js";
import { fleetView } from "./views/fleet.js";
import { manageView } from "./views/manage.js";
import { proxyView } from "./views/proxy.js";
import { simChargerView } from "./views/simcharger.js";

const api = new ApiV1(() => credentials.value.apiKey);
const gateway = new Gateway(() => credentials.value.token);
const stream = new EventStream(() => api.eventsUrl(), () => api.call("/chargers", { query: { limit: 1 } }));
const model = new CsmsModel(api, stream);
const context = { api, gateway, model, stream, credentials };

const ROUTES = [
  [/^#\/charger\/(.+)$/, (root, id) => chargerView(root, context, id)],
  [/^#\/fleet$/, (root) => fleetView(root, context)],
  [/^#\/sim\/(.+)$/, (root, id) => simChargerView(root, context, id)],
  [/^#\/central$/, (root) => centralView(root, context)],
  [/^#\/manage(?:\/(.*))?$/, (root, rest) => manageView(root, context, rest)],
  [/^#\/proxy(?:\/(.+))?$/, (root, identity) => proxyView(root, context, identity)],
];

// The top bar's tab of a route: a simulated charger is part of the fleet.
function tabOf(hash) {
  if (hash.startsWith("#/fleet") || hash.startsWith("#/sim")) return "fleet";
  if (hash.startsWith("#/manage")) return "manage";
  if (hash.startsWith("#/proxy")) return "proxy";
  return "central";
}

let unmount = null;

function route() {
  const hash = window.location.hash || "#/central";
  const view = document.getElementById("view");
  if (unmount) unmount();
  unmount = null;
  for (const [pattern, mount] of ROUTES) {
    const match = hash.match(pattern);
    if (match) {
      const id = match[1] ? decodeURIComponent(match[1]) : undefined;
      unmount = mount(view, id);
      const tab = tabOf(hash);
      document.querySelectorAll(".topbar .tabs [data-tab]").forEach((link) => {
        link.classList.toggle("current", link.dataset.tab === tab);
      });
      return;
    }
  }
  window.location.hash = "#/central";
}

function legend() {
  fill(
    document.getElementById("legend"),
    LEGEND.map(([label, kind]) => h("span.legend-item", {}, h("i.swatch", { class: `st-${kind}` }), label)),
  );
}

function liveIndicator() {
  const live = document.getElementById("live");
  const banner = document.getElementById("banner");
  const words = { live: "live", connecting: "connecting…", offline: "offline", refused: "not signed in" };
  stream.state.subscribe((state) => {
    live.dataset.state = state;
    live.textContent = words[state] || state;
    if (state === "refused") model.load(); // the API says why, in words, on the banner
  });
  const settingsLink = () => h("button.link", { type: "button", on: { click: openSettings } }, "Settings");
  const showProblem = () => {
    const needsKey = !credentials.value.apiKey;
    const failedSignIn = signInProblem.value;
    const error = model.error.value;
    banner.hidden = !needsKey && !error && !failedSignIn;
    if (failedSignIn) {
      fill(banner, failedSignIn.message, needsKey ? "." : ". The dashboard keeps the credentials it had.");
    } else if (needsKey && server.value.signIn) {
      fill(
        banner,
        "Not signed in: open the sign-in link chargeyard up printed (",
        h("code", {}, "…/dashboard/#signin=…"),
        "), or paste an API key in ",
        settingsLink(),
        ".",
      );
    } else if (needsKey) {
      fill(banner, "No API key yet: open ", settingsLink(), " and paste one (chargeyard apikey create).");
    } else if (error) {
      fill(banner, error.message);
    }
  };
  model.error.subscribe(showProblem);
  credentials.subscribe(showProblem);
  signInProblem.subscribe(showProblem);
  server.subscribe(showProblem);
  showProblem();
}

const openSettings = settingsDialog(document.getElementById("settings"));

async function start() {
  legend();
  document.getElementById("open-settings").addEventListener("click", openSettings);
  await Promise.all([signIn(), loadServer()]);
  // The Proxy tab: only where the server relays a recording proxy (--proxy-api).
  document.querySelector('.topbar .tabs [data-tab="proxy"]').hidden = !server.value.proxy;
  liveIndicator();
  credentials.subscribe(() => stream.connect()); // a new key: a new stream (which reloads)
  window.addEventListener("hashchange", async () => {
    // A sign-in link pasted into this tab changes only the fragment: no reload.
    if (isSignInLink()) await signIn();
    route();
  });
  route();
  if (credentials.value.apiKey) stream.connect();
}

start();
