"""The demo of ``chargeyard up``: an organization, its credentials and a site of chargers.

Seeding is idempotent: the organization and the site have fixed ids, the chargers fixed
identities (``DEMO-01``...), so a second start finds what the first made and only adds what is
missing (a first start killed half-way, or a larger ``--chargers``). Credentials are made with
the organization, once: the API key is stored hashed, so only that first start can show it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from chargeyard.api.tokens import Role, issue_token
from chargeyard.lab.secrets import DemoCredentials
from chargeyard.store import Store
from chargeyard.store.models import SimulatedCharger

ORGANIZATION_ID = "demo"
LOCATION_ID = "loc-demo"
IDENTITY_PREFIX = "DEMO-"
TOKEN_TTL = timedelta(days=365)
"""The demo's admin token is printed once; it lasts long enough for a lab."""

# (catalog template as brand/model, OCPP version), in the order the chargers are made: AC and
# DC, single and dual EVSE, 1.6 and 2.0.1 alternating, so that any size is a mix.
MIX: tuple[tuple[str, str], ...] = (
    ("alfen/eve-double-pro-line", "1.6"),
    ("abb/terra-184", "2.0.1"),
    ("keba/kecontact-p30-x", "1.6"),
    ("abb/terra-ac-w22", "2.0.1"),
    ("alpitronic/hyc150", "1.6"),
    ("schneider-electric/evlink-pro-ac-pedestal", "2.0.1"),
    ("wallbox/pulsar-plus", "1.6"),
    ("tritium/pkm150", "2.0.1"),
    ("alfen/eve-single-pro-line", "2.0.1"),
    ("abb/terra-54", "1.6"),
)

# Meter values every 10 s instead of the 60 s default, so the dashboard's plot moves.
_SAMPLING = {
    "1.6": {"MeterValueSampleInterval": "10"},
    "2.0.1": {"SampledDataCtrlr.TxUpdatedInterval": "10"},
}

Progress = Callable[[int, int], None]
"""Told (done, total) while chargers are created."""


@dataclass(frozen=True, slots=True)
class DemoSite:
    """What the demo has after seeding.

    Attributes:
        charger_ids: every charger of the site, in identity order.
        created: the ids of those made by this start (to be started).
        credentials: new credentials, when this start made the organization (print them).
    """

    organization_id: str
    location_id: str
    charger_ids: tuple[str, ...]
    created: tuple[str, ...]
    credentials: DemoCredentials | None


def identity(number: int) -> str:
    return f"{IDENTITY_PREFIX}{number:02d}"


async def seed(
    store: Store,
    *,
    count: int,
    csms_url: str,
    jwt_secret: str,
    progress: Progress | None = None,
) -> DemoSite:
    """Make what is missing of the demo (see the module docstring)."""
    credentials = None
    if await store.organizations.get(ORGANIZATION_ID) is None:
        await store.organizations.create("Demo organization", organization_id=ORGANIZATION_ID)
        _, api_key = await store.api_keys.create("demo (chargeyard up)")
        token = issue_token(
            subject="chargeyard-demo",
            organization_id=ORGANIZATION_ID,
            roles=[Role.ADMIN],
            key=jwt_secret,
            ttl=TOKEN_TTL,
        )
        credentials = DemoCredentials(ORGANIZATION_ID, token, api_key)
    if await store.locations.get(ORGANIZATION_ID, LOCATION_ID) is None:
        await store.locations.create(
            ORGANIZATION_ID,
            "Demo charging site",
            location_id=LOCATION_ID,
            slug="demo-site",
            address="1 Charging Street",
            city="Amsterdam",
            country="NL",
            latitude=52.3702,
            longitude=4.8952,
            timezone="Europe/Amsterdam",
            owner_name="chargeyard",
            public=True,
        )
    existing: dict[str, str] = {}
    for charger in await _site_chargers(store):
        existing[charger.identity] = charger.id
        if charger.identity.startswith(IDENTITY_PREFIX) and charger.csms_url != csms_url:
            # The listener moved (another --ocpp-port): the demo's chargers follow it.
            await store.chargers.update(ORGANIZATION_ID, charger.id, csms_url=csms_url)
    wanted = [identity(number) for number in range(1, count + 1)]
    missing = [name for name in wanted if name not in existing]
    created: list[str] = []
    for done, name in enumerate(missing, start=1):
        template, version = MIX[(int(name.removeprefix(IDENTITY_PREFIX)) - 1) % len(MIX)]
        charger = await store.chargers.create(
            ORGANIZATION_ID,
            identity=name,
            ocpp_version=version,
            csms_url=csms_url,
            location_id=LOCATION_ID,
            template=template,
            config={"configuration": dict(_SAMPLING[version])},
        )
        existing[name] = charger.id
        created.append(charger.id)
        if progress is not None:
            progress(done, len(missing))
    return DemoSite(
        organization_id=ORGANIZATION_ID,
        location_id=LOCATION_ID,
        charger_ids=tuple(existing[name] for name in sorted(existing)),
        created=tuple(created),
        credentials=credentials,
    )


async def _site_chargers(store: Store) -> list[SimulatedCharger]:
    found: list[SimulatedCharger] = []
    offset = 0
    while True:
        page = await store.chargers.list(
            ORGANIZATION_ID, location_id=LOCATION_ID, limit=100, offset=offset
        )
        found.extend(page)
        if len(page) < 100:
            return found
        offset += 100
