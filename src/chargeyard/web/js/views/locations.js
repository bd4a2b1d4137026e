// The gateway's locations (/ocpp/locations): the sites simulated chargers stand at. Created,
// edited (a PUT of the whole form: an emptied field is cleared) and deleted; a deleted
// location's chargers stay, without a location.

import { field, h, select } from "../dom.js";
import { checkbox, formValues, orNull } from "./manage-fields.js";
import { resourceSection } from "./manage-kit.js";

const STATUSES = ["active", "inactive", "planned"];
const SLUG = "[a-z0-9]+(-[a-z0-9]+)*"; // as the API checks it (schemas/locations.py)

let zones = null;
/** The browser's IANA time zones, offered as the user types (the API checks the name). */
function timeZoneList() {
  if (!zones) {
    const names = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
    zones = h("datalist", { id: "time-zones" }, ["UTC", ...names].map((name) => h("option", { value: name })));
  }
  return zones;
}

function fields(row) {
  const value = (name) => (row && row[name] != null ? row[name] : "");
  const text = (name, attrs = {}) => h("input", { name, value: value(name), maxlength: 255, ...attrs });
  const coordinate = (name, limit) =>
    h("input", {
      name,
      type: "number",
      step: "any",
      min: -limit,
      max: limit,
      value: row && row.coordinates ? row.coordinates[name] : "",
    });
  return [
    field("Name", text("name", { required: true })),
    field("Slug (empty: made from the name)", text("slug", { pattern: SLUG, maxlength: 128, placeholder: "harbour-park" })),
    h("label.field.wide", {}, h("span", {}, "Address"), text("address", { maxlength: 1000 })),
    field("City", text("city")),
    field(
      "Country (ISO code)",
      h("input", { name: "country", value: value("country"), maxlength: 2, pattern: "[A-Za-z]{2}", placeholder: "FR" }),
    ),
    field("Latitude", coordinate("latitude", 90)),
    field("Longitude", coordinate("longitude", 180)),
    field("Time zone", h("input", { name: "timezone", value: value("timezone") || "UTC", required: true, maxlength: 64, list: "time-zones" })),
    timeZoneList(),
    field("Owner", text("owner_name")),
    field("Status", select("status", STATUSES, value("status") || "active")),
    checkbox("public", "public (listed for drivers)", row ? row.public : false),
  ];
}

function read(form, row) {
  const v = formValues(form);
  if ((v.latitude === "") !== (v.longitude === "")) {
    throw new Error("give both latitude and longitude, or neither");
  }
  const body = {
    name: v.name,
    address: orNull(v.address),
    city: orNull(v.city),
    country: v.country ? v.country.toUpperCase() : null,
    coordinates: v.latitude === "" ? null : { latitude: Number(v.latitude), longitude: Number(v.longitude) },
    timezone: v.timezone,
    owner_name: orNull(v.owner_name),
    public: v.public,
    status: v.status,
  };
  // A slug cannot be cleared: empty means "made from the name" (create) or "as it is" (edit).
  if (v.slug && (!row || v.slug !== row.slug)) body.slug = v.slug;
  return body;
}

export function locationsSection({ gateway }, editKey) {
  return resourceSection(
    {
      name: "locations",
      noun: "location",
      plural: "Locations",
      hint: "Sites of the simulator gateway (/ocpp), where simulated chargers stand.",
      empty: "No locations yet: create the first one with the form.",
      columns: [
        ["Name", (row) => [row.name, h("span.muted.block", {}, row.slug)]],
        ["Place", (row) => [row.city, row.country].filter(Boolean).join(", ") || "—"],
        ["Time zone", (row) => row.timezone],
        ["Status", (row) => [row.status, row.public ? " · public" : ""], "narrow"],
      ],
      key: (row) => row.id,
      label: (row) => row.name,
      load: () => gateway.locations(),
      fields,
      read,
      create: (body) => gateway.createLocation(body),
      update: (row, body) => gateway.updateLocation(row.id, body),
      remove: (row) => gateway.deleteLocation(row.id),
      removeWords: ["Delete", (row) => `Delete ${row.name}? Its chargers stay, without a location.`],
    },
    { editKey },
  );
}
