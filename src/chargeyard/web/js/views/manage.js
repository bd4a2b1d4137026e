// The Manage view (#/manage/<section>, #/manage/<section>/<id> to open one row for editing):
// what the other views watch, created, edited and deleted here. The gateway's sections
// (locations, simulated chargers) use the bearer token of Settings, the central system's (id
// tags, webhooks, API keys) its API key.

import { fill, h } from "../dom.js";
import { apiKeysSection } from "./apikeys.js";
import { idTagsSection } from "./idtags.js";
import { locationsSection } from "./locations.js";
import { simChargersSection } from "./simchargers-manage.js";
import { webhooksSection } from "./webhooks.js";

const GROUPS = [
  [
    "Simulator gateway",
    [
      ["locations", "Locations", locationsSection],
      ["chargers", "Simulated chargers", simChargersSection],
    ],
  ],
  [
    "Central system",
    [
      ["id-tags", "Id tags", idTagsSection],
      ["webhooks", "Webhooks", webhooksSection],
      ["api-keys", "API keys", apiKeysSection],
    ],
  ],
];
const SECTIONS = GROUPS.flatMap(([, sections]) => sections);

/** `rest`: what follows #/manage/, decoded ("webhooks", "chargers/dep-1"), or nothing. */
export function manageView(root, context, rest = "") {
  const [name, ...more] = rest.split("/");
  const [current, , mount] = SECTIONS.find(([key]) => key === name) || SECTIONS[0];
  const editKey = more.length ? more.join("/") : undefined;
  const menu = h(
    "nav.manage-menu",
    { "aria-label": "What to manage" },
    GROUPS.map(([group, sections]) =>
      h(
        "div.manage-group",
        {},
        h("span.manage-group-name", {}, group),
        sections.map(([key, label]) =>
          h(
            "a",
            { href: `#/manage/${key}`, class: key === current ? "current" : "", "aria-current": key === current ? "page" : false, dataset: { manage: key } },
            label,
          ),
        ),
      ),
    ),
  );
  const section = mount(context, editKey);
  fill(root, h("div.manage", {}, h("header.toolbar", {}, h("h1", {}, "Manage")), menu, section.el));
  // New credentials in Settings: the list as they may see it.
  const unsubscribe = context.credentials.subscribe(() => section.reload());
  return () => {
    unsubscribe();
    section.unmount();
  };
}
