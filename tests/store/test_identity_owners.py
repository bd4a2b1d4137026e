"""A simulated charger pointed at the built-in central system has its station registered there
in the charger's organization, in the transaction that stores the charger; an identity that is
another organization's station there is refused (``_identity_owners.py``)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from chargeyard.protocol import V16
from chargeyard.store import ConflictError, Store

BUILT_IN = "ws://127.0.0.1:9000/ocpp"
ELSEWHERE = "ws://csms.example.com/ocpp"


class _BuiltIn:
    """The built-in central system at ``BUILT_IN`` exactly (how URLs are read is
    ``gateway/built_in_csms.py``'s, tested there)."""

    async def known_as(self, identity: str, csms_url: str | None) -> frozenset[str]:
        return frozenset({identity}) if csms_url == BUILT_IN else frozenset()

    async def known_as_many(
        self, chargers: Sequence[tuple[str, str | None]]
    ) -> list[frozenset[str]]:
        return [await self.known_as(identity, url) for identity, url in chargers]


built_in = _BuiltIn()


async def _owner(store: Store, identity: str) -> str | None:
    station = await store.stations.get(identity)
    return None if station is None else station.organization_id


@pytest.fixture
async def orgs(store: Store) -> None:
    await store.organizations.create("A", organization_id="org-a")
    await store.organizations.create("B", organization_id="org-b")


@pytest.mark.usefixtures("orgs")
async def test_a_charger_of_the_built_in_csms_is_registered_there_in_its_organization(
    store: Store,
) -> None:
    await store.chargers.create(
        "org-b", identity="CP-1", ocpp_version=V16, csms_url=BUILT_IN, built_in=built_in
    )
    await store.chargers.create(
        "org-b", identity="CP-2", ocpp_version=V16, csms_url=ELSEWHERE, built_in=built_in
    )
    assert (await _owner(store, "CP-1"), await _owner(store, "CP-2")) == ("org-b", None)
    # A station the organization registered itself is its charger's.
    await store.stations.register("CP-3", organization_id="org-b")
    await store.chargers.create(
        "org-b", identity="CP-3", ocpp_version=V16, csms_url=BUILT_IN, built_in=built_in
    )
    assert await _owner(store, "CP-3") == "org-b"


@pytest.mark.usefixtures("orgs")
async def test_another_organization_s_station_there_is_refused(store: Store) -> None:
    await store.stations.register("CP-A", organization_id="org-a")
    await store.stations.register("CP-D", organization_id="org-a")
    with pytest.raises(ConflictError) as refused:
        await store.chargers.create(
            "org-b", identity="CP-A", ocpp_version=V16, csms_url=BUILT_IN, built_in=built_in
        )
    assert str(refused.value) == (
        "identity 'CP-A' is a charger of another organization at the built-in central system"
        f" ({BUILT_IN}): a central system knows a station by its identity alone, so this"
        " charger would be taken for that one there; choose another identity"
    )
    assert await store.chargers.get_by_identity("org-b", "CP-A") is None
    # Elsewhere the identity is free; moved or renamed onto the station, it is refused again.
    charger = await store.chargers.create(
        "org-b", identity="CP-A", ocpp_version=V16, csms_url=ELSEWHERE, built_in=built_in
    )
    other = await store.chargers.create(
        "org-b", identity="CP-B", ocpp_version=V16, csms_url=BUILT_IN, built_in=built_in
    )
    with pytest.raises(ConflictError, match="another organization at the built-in"):
        await store.chargers.update("org-b", charger.id, csms_url=BUILT_IN, built_in=built_in)
    with pytest.raises(ConflictError, match="another organization at the built-in"):
        await store.chargers.update("org-b", other.id, identity="CP-D", built_in=built_in)
    unchanged = [await store.chargers.get("org-b", c.id) for c in (charger, other)]
    assert [(c.identity, c.csms_url) for c in unchanged if c is not None] == [
        ("CP-A", ELSEWHERE),
        ("CP-B", BUILT_IN),
    ]
    assert (await _owner(store, "CP-A"), await _owner(store, "CP-D")) == ("org-a", "org-a")
    # Renamed to a free identity there, the new one is registered (the old one stays B's).
    await store.chargers.update("org-b", other.id, identity="CP-C", built_in=built_in)
    assert (await _owner(store, "CP-B"), await _owner(store, "CP-C")) == ("org-b", "org-b")


@pytest.mark.usefixtures("orgs")
async def test_a_bulk_creation_registers_its_chargers_and_skips_another_s_stations(
    store: Store,
) -> None:
    await store.stations.register("CP-A", organization_id="org-a")
    created, taken, elsewhere = await store.chargers.create_many(
        "org-b",
        [
            {"identity": "CP-A", "ocpp_version": V16, "csms_url": BUILT_IN},
            {"identity": "CP-1", "ocpp_version": V16, "csms_url": BUILT_IN},
            {"identity": "CP-2", "ocpp_version": V16, "csms_url": ELSEWHERE},
        ],
        built_in=built_in,
    )
    assert ([c.identity for c in created], taken, elsewhere) == (["CP-1", "CP-2"], [], ["CP-A"])
    owners = [await _owner(store, identity) for identity in ("CP-A", "CP-1", "CP-2")]
    assert owners == ["org-a", "org-b", None]


@pytest.mark.usefixtures("orgs")
async def test_the_identity_there_is_the_one_the_built_in_csms_would_know(store: Store) -> None:
    # A URL whose path names another identity (``/ocpp/CP-A?``) is known there by that one.
    class _ByPath(_BuiltIn):
        async def known_as(self, identity: str, csms_url: str | None) -> frozenset[str]:
            return frozenset({"CP-A"}) if csms_url == BUILT_IN + "/CP-A?" else frozenset()

    await store.stations.register("CP-A", organization_id="org-a")
    with pytest.raises(ConflictError, match="'CP-A' is a charger of another organization"):
        await store.chargers.create(
            "org-b",
            identity="CP-MINE",
            ocpp_version=V16,
            csms_url=BUILT_IN + "/CP-A?",
            built_in=_ByPath(),
        )
    assert await store.chargers.get_by_identity("org-b", "CP-MINE") is None


@pytest.mark.usefixtures("orgs")
async def test_a_charger_moved_while_its_new_url_is_resolved_is_not_changed(store: Store) -> None:
    charger = await store.chargers.create(
        "org-b", identity="CP-1", ocpp_version=V16, csms_url=ELSEWHERE, built_in=built_in
    )

    class _Meanwhile(_BuiltIn):
        async def known_as(self, identity: str, csms_url: str | None) -> frozenset[str]:
            # Another request renames the charger while this one's URL resolves.
            await store.chargers.update("org-b", charger.id, identity="CP-2")
            return await super().known_as(identity, csms_url)

    with pytest.raises(ConflictError, match="changed while this change was checked"):
        await store.chargers.update("org-b", charger.id, csms_url=BUILT_IN, built_in=_Meanwhile())
    moved = await store.chargers.get("org-b", charger.id)
    assert moved is not None
    assert (moved.identity, moved.csms_url) == ("CP-2", ELSEWHERE)
    assert await _owner(store, "CP-1") is None
