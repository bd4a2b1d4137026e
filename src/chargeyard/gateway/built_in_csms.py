"""Which identity a simulated charger has at this deployment's own central system, if its
``ws_url`` reaches that one.

A central system knows a station by the identity in its WebSocket URL alone (OCPP-J 1.6
section 3.1.1, OCPP 2.0.1 part 4 section 3.1.1), so a simulated charger that dials the built-in
one can only be told apart from another organization's by being registered there, in its own
organization, before it connects. The gateway does that when it stores the charger
(``store/repositories/chargers.py``), and refuses one whose identity is another organization's
station there. What it needs to know is whether a charger's dial reaches the built-in listener,
and under which identity:

* the built-in central system is reached at the URL the API gives stations
  (``ApiSettings.ocpp_url``, a charger's ``connectionUrl`` without its chargeBoxId) and, where
  that URL is a proxy's (``CHARGEYARD_API_OCPP_URL``), also at the URL of the listener the
  process runs behind it (``ApiSettings.listener_url``);
* a charger's URL reaches it when its dial lands where one of those URLs' does, decided on the
  resolved addresses and port, never on the spelling (``dial_targets.py``): ``ws://127.1:9000``,
  ``ws://0x7f.1:9000``, ``ws://[::ffff:127.0.0.1]:9000``, ``ws://LOCALHOST.:9000`` and, for a
  listener bound to every interface, any address of this machine are the same listener as
  ``ws://127.0.0.1:9000``;
* its identity there is the one the listener reads from the path the station sends (its
  ``ws_url`` with ``/`` and its own identity appended): the segment after the central system's
  path, whatever the charger's ``identity`` says (``ws://127.0.0.1:9000/ocpp/CP-1?`` makes any
  charger ``CP-1`` there). A path a proxy would normalise (``//``, ``.``, ``..``) is read both
  ways.

The central system checks it again as each station connects (``csms/claims.py``): a station of
the gateway says which organization it belongs to, so a charger whose URL reaches the built-in
central system in a way this module cannot see (a name that resolves elsewhere today and here
tomorrow, a network profile that moves it) still comes as no other organization's station.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from websockets.exceptions import InvalidURI
from websockets.uri import parse_uri

from chargeyard.gateway.dial_targets import Resolver, path_readings, same_place
from chargeyard.station.identities import station_url


@dataclass(frozen=True, slots=True)
class BuiltInCsms:
    """The built-in central system's URLs (see the module docstring); answers the store's
    :class:`~chargeyard.store.repositories.BuiltIn` questions."""

    urls: tuple[str, ...]
    _resolver: Resolver = field(default_factory=Resolver, compare=False, repr=False)

    @classmethod
    def of(cls, *urls: str, resolver: Resolver | None = None) -> BuiltInCsms:
        """The central system that ``urls`` (its listener's, as stations reach it) name;
        ``resolver`` resolves host names (default: as a station's dial does)."""
        return cls(tuple(urls), resolver or Resolver())

    async def known_as(self, identity: str, csms_url: str | None) -> frozenset[str]:
        """The identities under which the built-in central system would know a charger of
        ``identity`` dialing ``csms_url``; empty when it dials another central system."""
        return (await self.known_as_many([(identity, csms_url)]))[0]

    async def known_as_many(
        self, chargers: Sequence[tuple[str, str | None]]
    ) -> list[frozenset[str]]:
        """:meth:`known_as` of each (identity, CSMS URL), each URL resolved once."""
        reached: dict[str, list[str]] = {}
        found: list[frozenset[str]] = []
        for identity, csms_url in chargers:
            if csms_url is None:
                found.append(frozenset())
                continue
            if csms_url not in reached:
                reached[csms_url] = await self._paths_reached(csms_url)
            sent = _path_sent(csms_url, identity) if reached[csms_url] else None
            found.append(
                frozenset()
                if sent is None
                else frozenset(
                    name for base in reached[csms_url] for name in _identities(sent, base)
                )
            )
        return found

    async def serves(self, csms_url: str | None) -> bool:
        """Whether a charger pointed at ``csms_url`` dials the built-in central system."""
        return bool(await self.known_as("x", csms_url))

    async def _paths_reached(self, csms_url: str) -> list[str]:
        """The paths of the built-in central system's URLs whose listener a dial of
        ``csms_url`` reaches (none: it dials another central system)."""
        target = await self._resolver.target(csms_url)
        if target is None:
            return []
        built_in = [await self._resolver.target(url) for url in self.urls]
        return [b.path for b in built_in if b is not None and same_place(target, b)]


def _path_sent(csms_url: str, identity: str) -> str | None:
    """The path a station of ``identity`` sends dialing ``csms_url`` (the listener reads the
    identity from it), without its query."""
    try:
        return parse_uri(station_url(csms_url.strip(), identity)).path
    except (InvalidURI, ValueError):
        return None


def _identities(path: str, base: str) -> set[str]:
    """The identities a listener at ``base`` reads from ``path``: one segment after base's."""
    found = set()
    for prefix in path_readings(base):
        prefix = tuple(segment for segment in prefix if segment)  # "/ocpp/" is "/ocpp"
        for segments in path_readings(path):
            if len(segments) == len(prefix) + 1 and segments[:-1] == prefix and segments[-1]:
                found.add(segments[-1])
    return found
