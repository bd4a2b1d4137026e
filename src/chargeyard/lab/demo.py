"""The demo of ``chargeyard up``: an organization, its credentials and a site of chargers.

The demo is made once, and what the user does to it stays done. The organization and the site
have fixed ids, the chargers fixed identities (``DEMO-01``...), and a bulk job of the site
(:data:`DEMO_JOB_ID`, readable like any other at
``/ocpp/locations/loc-demo/chargers/jobs/job-demo-site``) records which identities the demo
has made and which listener URL it pointed them at. So a later start

* adds only identities it never made (a first start killed half-way, or a larger
  ``--chargers``); one the user deleted stays deleted;
* moves the demo's chargers to the listener when it moved (another ``--ocpp-port``), except
  those the user pointed elsewhere;
* drives with automatic sessions only the demo's own chargers that connect to this listener
  (:attr:`DemoSite.driven`), never a charger the user made in the demo organization.

Credentials are made once, by the demo's first start: the API key is stored hashed, so only
that start can show it. The API key is the demo organization's, as the token is, and so are
the demo's stations at the lab's central system: each charger's station is registered there in
the charger's organization when the charger is made or pointed at it
(``gateway/built_in_csms.py``), and the lab's central system registers the stations that
dial in unannounced into the demo organization too (``run.csms_settings``). A demo made
before that had its key and its stations in the ``default`` organization; a start gives them to
the demo organization (:func:`_adopt_earlier_demo`), so the saved key sees the whole site.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from chargeyard.api.tokens import Role, issue_token
from chargeyard.gateway.built_in_csms import BuiltInCsms
from chargeyard.lab.secrets import DemoCredentials
from chargeyard.protocol import V16, V21, V201, VersionSpec, VersionTable
from chargeyard.store import Store
from chargeyard.store.models import (
    DEFAULT_ORGANIZATION_ID,
    GatewayJob,
    JobStatus,
    JobType,
    SimulatedCharger,
)
from chargeyard.store.types import utc_now

logger = logging.getLogger(__name__)

ORGANIZATION_ID = "demo"
ORGANIZATION_NAME = "Demo organization"
KEY_NAME = "demo (chargeyard up)"
LOCATION_ID = "loc-demo"
IDENTITY_PREFIX = "DEMO-"
DEMO_JOB_ID = "job-demo-site"
"""The site's bulk job that records what the demo made (see the module docstring)."""
TOKEN_TTL = timedelta(days=365)
"""The demo's admin token is printed once; it lasts long enough for a lab."""

# (catalog template as brand/model, OCPP version), in the order the chargers are made: AC and
# DC, single and dual EVSE, 1.6 and 2.0.1 alternating, so that any size is a mix.
MIX: tuple[tuple[str, VersionSpec], ...] = (
    ("alfen/eve-double-pro-line", V16),
    ("abb/terra-184", V201),
    ("keba/kecontact-p30-x", V16),
    ("abb/terra-ac-w22", V201),
    ("alpitronic/hyc150", V16),
    ("schneider-electric/evlink-pro-ac-pedestal", V201),
    ("wallbox/pulsar-plus", V16),
    ("tritium/pkm150", V201),
    ("alfen/eve-single-pro-line", V201),
    ("abb/terra-54", V16),
)

# Meter values every 10 s instead of the 60 s default, so the dashboard's plot moves.
_SAMPLING: VersionTable[dict[str, str]] = VersionTable(
    "the demo's sampling interval",
    {
        V16: {"MeterValueSampleInterval": "10"},
        V201: {"SampledDataCtrlr.TxUpdatedInterval": "10"},
    },
    lacking={V21: "the demo has no 2.1 chargers"},
)

Progress = Callable[[int, int], None]
"""Told (done, total) while chargers are created."""


@dataclass(frozen=True, slots=True)
class DemoSite:
    """What the demo has after seeding.

    Attributes:
        charger_ids: the demo's chargers that exist now, in identity order.
        created: the ids of those made by this start (to be started).
        driven: the identities of the demo's chargers that connect to this start's listener
            (the automatic sessions drive these).
        credentials: new credentials, when this start made the organization (print them).
    """

    organization_id: str
    location_id: str
    charger_ids: tuple[str, ...]
    created: tuple[str, ...]
    driven: tuple[str, ...]
    credentials: DemoCredentials | None


def identity(number: int) -> str:
    return f"{IDENTITY_PREFIX}{number:02d}"


def _number(name: str) -> int | None:
    digits = name.removeprefix(IDENTITY_PREFIX)
    return int(digits) if name.startswith(IDENTITY_PREFIX) and digits.isdecimal() else None


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
        await store.organizations.create(ORGANIZATION_NAME, organization_id=ORGANIZATION_ID)
    if not await _made_before(store):
        _, api_key = await store.api_keys.create(KEY_NAME, organization_id=ORGANIZATION_ID)
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
    existing = await _demo_named_chargers(store)
    record = await _Record.load(store, count, existing)
    built_in = BuiltInCsms.of(csms_url)
    # The demo's chargers follow the listener, unless the user pointed one elsewhere.
    follow = {
        name
        for name in record.made & set(existing)
        if record.csms_url is None or existing[name].csms_url in (record.csms_url, csms_url)
    }
    await _adopt_earlier_demo(store, sorted(follow))
    for name in sorted(follow):
        charger = existing[name]
        if charger.csms_url != csms_url:
            existing[name] = await store.chargers.update(
                ORGANIZATION_ID, charger.id, csms_url=csms_url, built_in=built_in
            )
    missing = [
        name
        for name in (identity(number) for number in range(1, count + 1))
        if name not in record.made and name not in existing
    ]
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
            built_in=built_in,
        )
        existing[name] = charger
        created.append(charger.id)
        await record.made_one(store, name, charger.id)
        if progress is not None:
            progress(done, len(missing))
    await record.pointed_at(store, csms_url)
    ours = [existing[name] for name in sorted(record.made & set(existing))]
    return DemoSite(
        organization_id=ORGANIZATION_ID,
        location_id=LOCATION_ID,
        charger_ids=tuple(charger.id for charger in ours),
        created=tuple(created),
        driven=tuple(charger.identity for charger in ours if charger.csms_url == csms_url),
        credentials=credentials,
    )


async def _made_before(store: Store) -> bool:
    """Whether an earlier start made the demo: its organization holds a site, a charger or a
    key. (The organization alone says nothing: the lab's central system makes it as it
    starts, as the one its unannounced stations join.)"""
    return bool(
        await store.locations.count(ORGANIZATION_ID)
        or await store.chargers.count(ORGANIZATION_ID)
        or await store.api_keys.list(organization_id=ORGANIZATION_ID)
    )


async def _adopt_earlier_demo(store: Store, identities: list[str]) -> None:
    """Give the demo organization what a demo made before its key and stations were its own
    left in ``default``: its API key (so the key saved in the data directory sees the site)
    and the stations of its chargers that follow the lab's central system (``identities``).
    What else is in ``default`` stays there, seen by that organization's keys."""
    for key in await store.api_keys.list(organization_id=DEFAULT_ORGANIZATION_ID):
        if key.name == KEY_NAME:
            await store.api_keys.move(key.id, ORGANIZATION_ID)
            logger.info("the demo's API key %s is now the demo organization's", key.prefix)
    moved = await store.stations.move(
        identities, from_organization=DEFAULT_ORGANIZATION_ID, to_organization=ORGANIZATION_ID
    )
    if moved:
        logger.info("%d demo chargers are now the demo organization's", len(moved))


class _Record:
    """The demo's bulk job: the identities it made (``results.identities``) and the listener it
    last pointed them at (``results.csms_url``)."""

    def __init__(self, job: GatewayJob) -> None:
        self._job = job
        results = job.results or {}
        self.made: set[str] = set(results.get("identities", []))
        self.csms_url: str | None = results.get("csms_url")

    @classmethod
    async def load(cls, store: Store, count: int, existing: dict[str, SimulatedCharger]) -> _Record:
        job = await store.jobs.get(ORGANIZATION_ID, DEMO_JOB_ID)
        if job is None:
            # A demo made before this record existed: the DEMO-NN chargers up to the highest
            # number still there are its own (a gap is one the user deleted).
            numbers = [n for n in map(_number, existing) if n is not None]
            made = [identity(n) for n in range(1, max(numbers, default=0) + 1)]
            job = await store.jobs.create(
                ORGANIZATION_ID,
                JobType.BULK_CREATE_CHARGERS,
                job_id=DEMO_JOB_ID,
                location_id=LOCATION_ID,
                status=JobStatus.PROVISIONING,
                request={"count": count, "source": "chargeyard up"},
            )
            job.results = {"identities": made}
        record = cls(job)
        # Made by a start that was killed before it could say so: the demo's all the same.
        record.made |= {identity(n) for n in range(1, count + 1) if identity(n) in existing}
        return record

    async def made_one(self, store: Store, name: str, charger_id: str) -> None:
        self.made.add(name)
        await self._save(store, charger_id)

    async def pointed_at(self, store: Store, csms_url: str) -> None:
        self.csms_url = csms_url
        await self._save(store)

    async def _save(self, store: Store, charger_id: str | None = None) -> None:
        results = dict(self._job.results or {})
        charger_ids = list(results.get("charger_ids", []))
        if charger_id is not None:
            charger_ids.append(charger_id)
        results.update(
            identities=sorted(self.made),
            csms_url=self.csms_url,
            created=len(charger_ids),
            failed=0,
            charger_ids=charger_ids,
        )
        self._job = await store.jobs.update(
            ORGANIZATION_ID,
            DEMO_JOB_ID,
            status=JobStatus.READY,
            results=results,
            provisioned_at=self._job.provisioned_at or utc_now(),
        )


async def _demo_named_chargers(store: Store) -> dict[str, SimulatedCharger]:
    """The organization's chargers named like the demo's (wherever the user moved them)."""
    found: dict[str, SimulatedCharger] = {}
    offset = 0
    while True:
        page = await store.chargers.list(ORGANIZATION_ID, limit=100, offset=offset)
        found.update((c.identity, c) for c in page if _number(c.identity) is not None)
        if len(page) < 100:
            return found
        offset += 100
