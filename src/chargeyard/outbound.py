"""Where the lab's own outbound connections may go.

An API user makes the server connect somewhere in three ways: a webhook URL (the CSMS posts
events to it), a simulated charger's ``ws_url`` (the gateway's station dials it) and a firmware
or diagnostics location sent to a simulated charger (the station downloads from or uploads to
it). A lab on a laptop needs all of them to reach anything: its own CSMS on 127.0.0.1, a
receiver on the LAN. A shared deployment must not let a user make the server connect to its own
loopback, a cloud metadata address (169.254.169.254) or the private network behind it
(server-side request forgery).

:class:`OutboundPolicy` says which networks are allowed:

* ``any``: every address (the default of a server bound to a loopback address, which only
  its own machine reaches);
* ``public``: global unicast addresses only (``ipaddress``' ``is_global``: no loopback,
  private, link-local, shared, reserved or multicast range; the default otherwise);
* a comma-separated list of ``public`` and networks in CIDR notation, e.g.
  ``public,10.20.0.0/16`` (public addresses and one private subnet) or ``192.0.2.0/24``.

It is enforced where the connection is made, after DNS: the host name is resolved here, every
address it resolves to must be allowed, and the connection goes to one of those addresses (TLS
still checks the certificate against the name). A name that resolved to a public address when
a webhook was created and resolves to 127.0.0.1 when it is delivered (DNS rebinding) is
refused then. A refusal is an :class:`OutboundRefused`, whose message says which address was
refused and how to allow it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from dataclasses import dataclass, replace

import httpx

from chargeyard.outbound_http import CheckedTransport

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ENVIRONMENT_VARIABLE = "CHARGEYARD_OUTBOUND_NETWORKS"
ANY = "any"
PUBLIC = "public"


class OutboundRefused(OSError):
    """An outbound connection to an address the policy does not allow."""


class HostNotFound(OSError):
    """A host name that does not resolve (a DNS failure): the message names the host."""


@dataclass(frozen=True, slots=True)
class OutboundPolicy:
    """Which addresses outbound connections may reach (see the module docstring).

    Attributes:
        anything: every address is allowed.
        public: global unicast addresses are allowed.
        networks: these networks are allowed too.
        own_ports: loopback ports of the lab's own listeners, allowed whatever the rest says
            (``chargeyard up`` bound to every interface still lets its demo chargers dial its
            own CSMS on 127.0.0.1, and nothing else there).
    """

    anything: bool = False
    public: bool = False
    networks: tuple[IpNetwork, ...] = ()
    own_ports: frozenset[int] = frozenset()

    @classmethod
    def parse(cls, text: str) -> OutboundPolicy:
        """``any``, ``public``, or a comma-separated list of ``public`` and CIDR networks.

        Raises:
            ValueError: an item is none of these (the message names it).
        """
        items = [item.strip() for item in text.split(",") if item.strip()]
        if not items:
            raise ValueError("empty: give 'any', 'public' or networks such as 10.0.0.0/8")
        if items == [ANY]:
            return cls(anything=True)
        public = False
        networks: list[IpNetwork] = []
        for item in items:
            if item == PUBLIC:
                public = True
                continue
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ValueError(
                    f"{item!r} is not 'public' or a network such as 10.0.0.0/8"
                    + (" ('any' stands alone)" if item == ANY else "")
                ) from None
        return cls(public=public, networks=tuple(networks))

    @classmethod
    def default_for(cls, bind_host: str) -> OutboundPolicy:
        """``any`` for a server bound to a loopback address (only its machine reaches it:
        a local lab), ``public`` for one bound elsewhere (a shared deployment)."""
        try:
            loopback = ipaddress.ip_address(bind_host).is_loopback
        except ValueError:
            loopback = bind_host == "localhost"
        return cls(anything=True) if loopback else cls(public=True)

    def describe(self) -> str:
        if self.anything:
            return ANY
        return ",".join([PUBLIC] * self.public + [str(network) for network in self.networks])

    def with_own_port(self, port: int) -> OutboundPolicy:
        """This policy, also allowing the lab's own listener on ``port`` of a loopback
        address."""
        return replace(self, own_ports=self.own_ports | {port})

    def allows(self, address: IpAddress, port: int | None = None) -> bool:
        if self.anything:
            return True
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
        if self.public and address.is_global and not address.is_multicast:
            return True
        if address.is_loopback and port in self.own_ports:
            return True
        return any(address in network for network in self.networks)

    async def resolve(self, host: str, port: int) -> list[str]:
        """The addresses ``host`` resolves to, each allowed (a connection goes to one of
        them), for a TCP connection to ``port``.

        Raises:
            OutboundRefused: an address ``host`` resolves to is not allowed.
            HostNotFound: ``host`` does not resolve.
        """
        if self.anything:
            return [host]
        loop = asyncio.get_running_loop()
        try:
            found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as failure:
            raise HostNotFound(
                f"{host} does not resolve ({failure.strerror or failure})"
            ) from failure
        addresses = list(dict.fromkeys(str(entry[4][0]) for entry in found))
        for text in addresses:
            if not self.allows(ipaddress.ip_address(text.split("%")[0]), port):
                shown = text if text == host else f"{text} (from {host})"
                raise OutboundRefused(
                    f"outbound connections to {shown} are not allowed: allowed networks are"
                    f" {self.describe()!r} ({ENVIRONMENT_VARIABLE} / --outbound-networks)"
                )
        return addresses

    def http_transport(
        self, *, verify: ssl.SSLContext | bool = True, limits: httpx.Limits | None = None
    ) -> httpx.AsyncBaseTransport:
        """An httpx transport whose every connection (redirects included) obeys the policy
        (``outbound_http.py``).

        ``verify`` and ``limits`` as httpx takes them (True: certifi's bundle; None: httpx's
        default pool)."""
        return CheckedTransport(self, verify=verify, limits=limits)
