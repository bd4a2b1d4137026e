// The gateway's simulated chargers (/ocpp/chargers) as rows to create, edit and delete: a
// charger is made from a catalog model (brand, model, one of its connector types and OCPP
// versions), stands at a location and dials a CSMS. An edit sends only what changed: a change
// of what the station is built from restarts a running one (the answer's runtime_action).

import { field, fill, h } from "../dom.js";
import { versionName } from "../versions.js";
import { checkbox, formValues, orNull } from "./manage-fields.js";
import { resourceSection } from "./manage-kit.js";
import { runtimeLabel, versionLabel } from "./simstate.js";

// OCPP-J 3.1: what a station's identity may hold (protocol/identity.py), 48 characters at most.
// (A pattern attribute is compiled with the v flag: "|" and "-" are escaped in the class.)
const IDENTITY = "[A-Za-z0-9*_=+\\|@.\\-]+";
const IDENTITY_LENGTH = 48;

const RUNTIME_ACTIONS = {
  restarted: { kind: "ok", words: "saved; the running station restarted with the change" },
  applied: { kind: "ok", words: "saved; the running station took the change" },
  unchanged: { kind: "ok", words: "saved" },
  next_start: { kind: "ok", words: "saved; the station gets it at its next start" },
  failed: { kind: "error", words: "saved, but the station cannot run as changed: its log says why" },
};

/** Fills `select` with `values`: `wanted` chosen (listed even when the catalog lacks it),
 * else the choice it had if still there, else the first. */
function options(select, values, wanted, label = (value) => value) {
  const list = wanted && !values.includes(wanted) ? [wanted, ...values] : values;
  const chosen = wanted ?? select.value;
  fill(select, list.map((value) => h("option", { value, selected: value === chosen }, label(value))));
}

/** Brand, model, connector type and version selects, each narrowing the next (the catalog). */
function catalogPicker(catalog, row) {
  const brand = h("select", { name: "brand_slug", required: true });
  const model = h("select", { name: "model_slug", required: true });
  const connector = h("select", { name: "connector_type", required: true });
  const version = h("select", { name: "ocpp_version", required: true });
  const facts = h("p.hint.wide.model-facts");
  // What the row has, chosen while the lists first fill; a user's pick then takes the first.
  const wanted = { brand: row?.brand_slug, model: row?.model_slug, connector: row?.connector_type, version: row?.ocpp_version };
  let models = [];

  function showModel() {
    const chosen = models.find((m) => m.slug === model.value);
    options(connector, chosen ? chosen.connector_types : [], wanted.connector);
    const versions = chosen ? chosen.ocpp_versions.map((v) => `ocpp${v}`) : [];
    const current = versions.find((v) => versionName(v) === versionName(wanted.version)) || wanted.version;
    options(version, versions, current, (v) => `OCPP ${versionName(v)}`);
    fill(facts, chosen ? `${chosen.vendor} ${chosen.model}: ${chosen.current_type} up to ${chosen.max_power_kw} kW; EVSEs: ${chosen.evse_count}, connectors: ${chosen.connector_count}` : "");
    wanted.connector = wanted.version = undefined;
  }

  async function showModels() {
    const chosen = brand.value;
    try {
      models = chosen ? await catalog.models(chosen) : [];
    } catch (error) {
      models = [];
      fill(facts, `The catalog's models: ${error.message}`);
    }
    if (brand.value !== chosen) return;
    options(model, models.map((m) => m.slug), wanted.model, (slug) => models.find((m) => m.slug === slug)?.name || slug);
    wanted.model = undefined;
    showModel();
  }

  catalog
    .brands()
    .then((brands) => {
      const names = new Map(brands.map((b) => [b.slug, b.name]));
      options(brand, brands.map((b) => b.slug), wanted.brand, (slug) => names.get(slug) || slug);
      wanted.brand = undefined;
      return showModels();
    })
    .catch((error) => fill(facts, `The catalog: ${error.message}`));
  brand.addEventListener("change", showModels);
  model.addEventListener("change", showModel);
  return [field("Brand", brand), field("Model", model), field("Connector type", connector), field("OCPP version", version), facts];
}

/** The catalog, read once per visit: it does not change while the server runs. */
function catalogOf(gateway) {
  let brands = null;
  const models = new Map();
  return {
    brands: () => (brands ??= gateway.brands().catch((error) => ((brands = null), Promise.reject(error)))),
    models(slug) {
      if (!models.has(slug)) {
        models.set(slug, gateway.models(slug).catch((error) => (models.delete(slug), Promise.reject(error))));
      }
      return models.get(slug);
    },
  };
}

/**
 * Where a new charger's station connects, offered as the user types: the built-in central
 * system's listener (a charger's connectionUrl without its chargeBoxId, api/v1) and the URLs
 * the fleet's chargers use. The first is the default.
 */
function csmsUrls(model, chargers) {
  const urls = [];
  for (const charger of model.chargers.values()) {
    const url = charger.connectionUrl;
    if (url && url.includes("/")) {
      urls.push(url.slice(0, url.lastIndexOf("/")));
      break;
    }
  }
  for (const charger of chargers) if (charger.ws_url) urls.push(charger.ws_url);
  return [...new Set(urls)];
}

/** What an edit changes: the fields whose value differs from the row's. */
function changes(row, v) {
  const body = {};
  const now = {
    identity: v.identity,
    brand_slug: v.brand_slug,
    model_slug: v.model_slug,
    connector_type: v.connector_type,
    ws_url: v.ws_url,
    charge_point_name: orNull(v.charge_point_name),
    location_id: orNull(v.location_id),
  };
  for (const [name, value] of Object.entries(now)) if (value !== (row[name] ?? null)) body[name] = value;
  if (versionName(v.ocpp_version) !== versionName(row.ocpp_version)) body.ocpp_version = v.ocpp_version;
  if (v.password) body.password = v.password;
  else if (v.clear_password) body.password = null;
  return Object.keys(body).length ? body : null;
}

export function simChargersSection({ gateway, model }, editKey) {
  const catalog = catalogOf(gateway);
  let locations = [];
  let chargers = [];
  // The form's inputs that the lists fill: a form built before they were read gets them then.
  let shown = null;

  function fillChoices() {
    if (!shown) return;
    const urls = csmsUrls(model, chargers);
    const place = shown.place.value || shown.location;
    fill(
      shown.place,
      h("option", { value: "" }, "no location"),
      locations.map((l) => h("option", { value: l.id, selected: place === l.id }, l.name)),
    );
    fill(shown.urls, urls.map((url) => h("option", { value: url })));
    if (!shown.url.value && !shown.url.dataset.edited) shown.url.value = urls[0] || "";
  }

  function fields(row) {
    const place = h("select", { name: "location_id" });
    const url = h("input", {
      name: "ws_url",
      required: true,
      maxlength: 2048,
      pattern: "wss?://.+",
      list: "csms-urls",
      value: row ? row.ws_url || "" : "",
      on: { input: () => (url.dataset.edited = "yes") },
    });
    shown = { place, url, urls: h("datalist", { id: "csms-urls" }), location: row ? row.location_id || "" : "" };
    fillChoices();
    return [
      field(
        "Identity (its chargeBoxId)",
        h("input", { name: "identity", required: true, maxlength: IDENTITY_LENGTH, pattern: IDENTITY, value: row ? row.identity : "", placeholder: "CP-0042" }),
      ),
      field("Name", h("input", { name: "charge_point_name", maxlength: 255, value: (row && row.charge_point_name) || "", placeholder: "Bay 3" })),
      catalogPicker(catalog, row),
      h("label.field.wide", {}, h("span", {}, "CSMS URL (the station adds its identity)"), url),
      shown.urls,
      field("Location", place),
      field(
        row && row.has_password ? "New password (empty: unchanged)" : "Password (HTTP Basic, optional)",
        h("input", { name: "password", type: "password", maxlength: 64, autocomplete: "new-password" }),
      ),
      row && row.has_password ? checkbox("clear_password", "remove its password") : null,
      row ? null : checkbox("start", "start it at once", true),
    ];
  }

  function read(form, row) {
    const v = formValues(form);
    if (!v.brand_slug || !v.model_slug) throw new Error("the catalog's models are still loading");
    if (row) return changes(row, v);
    const body = {
      identity: v.identity,
      brand_slug: v.brand_slug,
      model_slug: v.model_slug,
      connector_type: v.connector_type,
      ws_url: v.ws_url,
      ocpp_version: v.ocpp_version,
      start: v.start,
    };
    if (v.charge_point_name) body.charge_point_name = v.charge_point_name;
    if (v.location_id) body.location_id = v.location_id;
    if (v.password) body.password = v.password;
    return body;
  }

  async function load() {
    const [found, places] = await Promise.allSettled([gateway.chargers(), gateway.locations()]);
    locations = places.status === "fulfilled" ? places.value : [];
    if (found.status === "rejected") throw found.reason;
    chargers = found.value.sort((a, b) => a.identity.localeCompare(b.identity, undefined, { numeric: true }));
    fillChoices();
    return chargers;
  }

  const placeName = (id) => (id ? locations.find((l) => l.id === id)?.name || id : "—");

  return resourceSection(
    {
      name: "chargers",
      noun: "charger",
      plural: "Simulated chargers",
      hint: "Stations the simulator gateway (/ocpp) runs, built from a catalog model.",
      empty: "No simulated chargers yet: create one from a catalog model with the form.",
      columns: [
        ["Identity", (row) => h("a", { href: `#/sim/${encodeURIComponent(row.id)}` }, row.identity)],
        ["Model", (row) => [row.brand_slug, row.model_slug].filter(Boolean).join(" / ") || "—"],
        ["Version", (row) => versionLabel(row), "narrow"],
        ["Location", (row) => placeName(row.location_id)],
        ["Runtime", (row) => runtimeLabel(row)],
      ],
      key: (row) => row.id,
      label: (row) => row.identity,
      load,
      fields,
      read,
      create: (body) => gateway.createCharger(body),
      created: (answer) => ({ kind: "ok", words: `created: ${answer.identity} (${answer.status.toLowerCase()})` }),
      update: (row, body) => gateway.updateCharger(row.id, body),
      saved: (answer) => RUNTIME_ACTIONS[answer.runtime_action] || RUNTIME_ACTIONS.unchanged,
      remove: (row) => gateway.deleteCharger(row.id),
      removeWords: ["Delete", (row) => `Delete ${row.identity}? Its station stops; its commands and logs go with it.`],
    },
    { editKey },
  );
}
