"""OCPP 2.0.1 network connection profiles (functional block B): where and how the station
connects to a central system, set by SetNetworkProfile (B09), and which of them it dials after
a reboot, in NetworkConfigurationPriority's order (B10, migrating to another central system).

Theory of operation
-------------------
The station has two configuration slots, 0 and 1 (B09.FR.06: at least two), the valuesList of
OCPPCommCtrlr.NetworkConfigurationPriority. Slot 0 holds the connection the station was
started with (its runner's URL and credentials) until the central system sets a profile in it;
SecurityCtrlr.SecurityProfile is the security profile of the connection in use: 1 with HTTP
Basic credentials, 0 without, 2 and 3 over TLS (A00: 2 with HTTP Basic credentials, 3 with the
station's client certificate; ``station/tls.py``).

SetNetworkProfile (B09) keeps the NetworkConnectionProfileType in its slot and answers Accepted
(B09.FR.01), or Rejected with a reasonCode for what the station could not use (B09.FR.02):

* a slot outside the valuesList (B09.FR.05): InvalidSlot;
* an ocppVersion the station does not speak (2.0.1: anything but OCPP20; 2.1 ignores the
  field, the handshake deciding the version: ``dialect.py``): UnsupportedVersion; an
  ocppTransport other than JSON: UnsupportedTransport;
* a securityProfile below SecurityCtrlr.SecurityProfile (B09.FR.04): LowerSecurityProfile;
  above 3: UnsupportedProfile;
* a URL that is not a URL with a host of the profile's scheme (``ws://`` for profiles 0 and
  1, which are unencrypted; ``wss://`` for 2 and 3, over TLS): InvalidURL; a messageTimeout
  below one second: InvalidTimeout; a VPN (the station has no VPN client): NoVPN.

Nothing can fail while a profile is stored, so the answer is never Failed (B09.FR.03): a
profile of a higher security profile is kept whatever the station holds (A05 step 2).
NetworkConfigurationPriority may be set (B10.FR.01) to slots that hold a profile (else
Rejected, EmptySlot: B10.FR.02), and to one whose profile raises the security profile only
when the station can connect with it (A05, upgrading the security profile): for 2 or 3 a CSMS
root certificate installed (else Rejected, NoRootCertificate: A05.FR.02), for 3 a client
certificate of its own (else Rejected, NoClientCertificate: A05.FR.03). Like a profile set for
the slot in use, the priority takes effect at the next boot, which a CSMS asks for with a Reset
(B10 step 3; A05.FR.05).

Migrating (B10): the runner asks :meth:`NetworkV201.endpoint` before each connection attempt.
After a boot the station begins with the first entry of NetworkConfigurationPriority
(B10.FR.04), each entry getting OCPPCommCtrlr.NetworkProfileConnectionAttempts attempts before
the next (B10.FR.03); the old connection is gone before the first, as a reboot closes it
(B10.FR.06). Once every entry failed, it goes back to the profile of its last successful
connection and keeps reconnecting there with the back-off of Part 4 section 5.3 (B10.FR.07),
as it does after a connection lost without a reboot. A profile's ocppCsmsUrl gets the
station's identity appended (part 4 section 3.1.1); its securityProfile decides the
credentials and its messageTimeout how long the connection's CALLs wait. The slot that
connected is OCPPCommCtrlr.ActiveNetworkProfile; like the profiles and the priority it is kept
through a reboot, as the device model's persistent values are.

A connection with a profile of a higher security profile than before makes that the station's
SecurityProfile, and the profiles of lower ones are removed, from their slots and from
NetworkConfigurationPriority (A05.FR.06): the station never connects with a lower one again,
and a profile below it is refused from then on (B09.FR.04).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from websockets.exceptions import InvalidURI

from chargeyard.protocol import Payload, on
from chargeyard.protocol.messages import v201
from chargeyard.station.blocks import Block
from chargeyard.station.endpoint import Endpoint
from chargeyard.station.maintenance import without_credentials
from chargeyard.station.v201.device_model import Variable

if TYPE_CHECKING:
    from chargeyard.station.v201 import StationV201

_COMM = "OCPPCommCtrlr"
SLOTS = ("0", "1")
_STARTED_WITH = 0  # the slot of the connection the station was started with
_HIGHEST_PROFILE = 3  # profile 3: TLS with the station's client certificate (A00)
_TLS = 2  # profiles 2 and 3 run over TLS, on wss:// URLs
_AS_STARTED: tuple[int, Payload | None] = (_STARTED_WITH, None)  # slot 0, the runner's URL


class NetworkV201(Block["StationV201"]):
    """B09 SetNetworkProfile and B10's choice of a profile to dial; see the module docstring."""

    __slots__ = ("_connected", "_dialing", "_pass", "_tries", "profiles")

    def __init__(self, station: StationV201) -> None:
        super().__init__(station)
        # The NetworkConnectionProfileType of each slot the central system set.
        self.profiles: dict[int, Payload] = {}
        # The priority list being worked through since the boot (None: reconnecting to the
        # last successful profile), and the attempts made on it.
        self._pass: tuple[int, ...] | None = None
        self._tries = 0
        # The slot and profile of the attempt under way, and the profile of the connection
        # that last opened (None: the runner's URL and credentials).
        self._dialing: tuple[int, Payload | None] = _AS_STARTED
        self._connected: Payload | None = None
        station.device_model.add(
            _COMM,
            Variable(
                "NetworkConfigurationPriority",
                "SequenceList",
                str(_STARTED_WITH),
                values_list=SLOTS,
                check=self._priority_refusal,
            ),
            Variable("NetworkProfileConnectionAttempts", "integer", "3", min_limit=1),
            Variable("ActiveNetworkProfile", "integer", str(_STARTED_WITH), "ReadOnly"),
        )
        station.device_model.add(
            "SecurityCtrlr",
            Variable("SecurityProfile", "integer", live=lambda: str(self.security_profile)),
        )
        self.on_power_on()  # the station starts as after a boot

    # -- B09: SetNetworkProfile -----------------------------------------------------------------

    @on("SetNetworkProfile")
    def set_network_profile(
        self, payload: v201.SetNetworkProfileRequest
    ) -> v201.SetNetworkProfileResponse:
        slot: int = payload["configurationSlot"]
        profile = payload["connectionData"]
        refusal = self._refusal(slot, profile)
        if refusal is not None:
            return {"status": "Rejected", "statusInfo": {"reasonCode": refusal}}
        self.profiles[slot] = dict(profile)
        self.station.note(
            f"network: slot {slot} holds {without_credentials(profile['ocppCsmsUrl'])}"
            f" (security profile {profile['securityProfile']})"
        )
        return {"status": "Accepted"}

    @property
    def security_profile(self) -> int:
        """The security profile of the connection in use (SecurityCtrlr.SecurityProfile):
        its profile's, or the runner's on the connection the station was started with."""
        connected = self._connected
        if connected is None:
            return self.station.security_profile
        security: int = connected["securityProfile"]
        return security

    def _refusal(self, slot: int, profile: v201.NetworkConnectionProfileType) -> str | None:
        """Why the station cannot use ``profile`` in ``slot`` (see the module docstring)."""
        slots = self.station.device_model.variable(_COMM, "NetworkConfigurationPriority")
        if slots is None or str(slot) not in slots.values_list:
            return "InvalidSlot"
        versions = self.station.dialect.network_versions
        if versions is not None and profile.get("ocppVersion") not in versions:
            return "UnsupportedVersion"  # 2.0.1 OCPP20 only; 2.1 ignores it (dialect.py)
        if profile["ocppTransport"] != "JSON":
            return "UnsupportedTransport"
        security: int = profile["securityProfile"]
        if security < self.security_profile:
            return "LowerSecurityProfile"
        if security > _HIGHEST_PROFILE:
            return "UnsupportedProfile"
        if self._endpoint(profile) is None:
            return "InvalidURL"
        if profile["messageTimeout"] < 1:
            return "InvalidTimeout"
        if "vpn" in profile:
            return "NoVPN"
        return None

    def _endpoint(self, profile: Mapping[str, Any]) -> Endpoint | None:
        """Where ``profile`` dials: a URL of its security profile's scheme (``wss://`` for
        profiles 2 and 3, else ``ws://``) with a host and a port that is not 0 (None: not
        one)."""
        url: str = profile["ocppCsmsUrl"]
        try:
            endpoint = Endpoint.of(url, self.station.identity, profile["securityProfile"])
            port = urlsplit(url).port
        except (InvalidURI, ValueError):  # (ValueError: a port that is no number, or too big)
            return None
        secure = endpoint.security_profile >= _TLS
        return endpoint if endpoint.uri.secure == secure and port != 0 else None

    def _priority_refusal(self, value: str) -> str | None:
        """NetworkConfigurationPriority names only slots that hold a profile (B10.FR.02), not
        the connection it was started with once that is below the security profile
        (A05.FR.06), and a profile of a higher security profile only when the station can
        connect with it (A05.FR.02, A05.FR.03)."""
        current = self.security_profile
        for slot in _slots(value):
            profile = self.profiles.get(slot)
            if profile is None:
                if slot != _STARTED_WITH:
                    return "EmptySlot"
                if self.station.security_profile < current:  # the runner's, left (A05.FR.06)
                    return "LowerSecurityProfile"
                continue
            security: int = profile["securityProfile"]
            if security > current:
                problem = self._upgrade_refusal(security)
                if problem is not None:
                    return problem
        return None

    def _upgrade_refusal(self, security: int) -> str | None:
        """Why the station cannot connect with ``security`` (None: it can): TLS needs a CSMS
        root to check the server against (A05.FR.02), profile 3 a certificate of its own
        (A05.FR.03)."""
        station = self.station
        if security >= _TLS and not station.csms_roots():
            return "NoRootCertificate"
        if security == _HIGHEST_PROFILE and station.presented_certificate() is None:
            return "NoClientCertificate"
        return None

    # -- B10: which profile the next attempt dials ----------------------------------------------

    def on_power_on(self) -> None:
        """A boot: the next attempts work through NetworkConfigurationPriority from its first
        entry (B10.FR.04)."""
        self._pass = _slots(self.station.device_model.value(_COMM, "NetworkConfigurationPriority"))
        self._tries = 0

    def endpoint(self) -> Endpoint | None:
        """Where the attempt about to be made goes (None: the runner's URL); one call per
        attempt."""
        self._dialing = self._next()
        profile = self._dialing[1]
        return None if profile is None else self._endpoint(profile)

    def _next(self) -> tuple[int, Payload | None]:
        """The slot the next attempt dials, and its profile."""
        order = self._pass
        if order is not None:
            per_entry = self.station.device_model.get_int(
                _COMM, "NetworkProfileConnectionAttempts", default=1
            )
            entry = self._tries // max(1, per_entry)  # B10.FR.03
            self._tries += 1
            if entry < len(order):
                return order[entry], self.profiles.get(order[entry])
            self._pass = None  # every entry failed (B10.FR.07)
        # Reconnecting: to the profile the last successful connection was made with, as it
        # was then (a profile set for its slot since waits for the next boot).
        return self.station.device_model.get_int(_COMM, "ActiveNetworkProfile"), self._connected

    def on_connect(self) -> None:
        """The attempt under way opened: its slot is the active one."""
        slot, profile = self._dialing
        self._pass = None
        self._connected = profile
        self.station.device_model.write(_COMM, "ActiveNetworkProfile", str(slot))
        if self.profiles:
            self._drop_lower_profiles(slot)

    def _drop_lower_profiles(self, active: int) -> None:
        """A05.FR.06: the profiles below the security profile just connected with are
        removed, and NetworkConfigurationPriority keeps the slots that remain (slot 0 as
        started stays while its runner's security profile is not below)."""
        security = self.security_profile
        lower = [slot for slot, p in self.profiles.items() if p["securityProfile"] < security]
        for slot in lower:
            del self.profiles[slot]
        runner_kept = self.station.security_profile >= security
        order = _slots(self.station.device_model.value(_COMM, "NetworkConfigurationPriority"))
        kept = tuple(
            slot
            for slot in order
            if slot == active
            or slot in self.profiles
            or (slot == _STARTED_WITH and slot not in lower and runner_kept)
        )
        if kept != order:
            value = ",".join(map(str, kept))
            self.station.device_model.write(_COMM, "NetworkConfigurationPriority", value)
            self.station.note(f"network: security profile {security}; priority now {value}")

    def message_timeout(self) -> float | None:
        """Seconds a CALL waits on the connection in use: its profile's messageTimeout (None:
        the station's own, on the connection it was started with)."""
        connected = self._connected
        return None if connected is None else float(connected["messageTimeout"])


@functools.lru_cache(maxsize=64)
def _slots(value: str) -> tuple[int, ...]:
    """The slots a NetworkConfigurationPriority value names, in order (cached: a fleet's
    stations share a few values, and each keeps the tuple of its own)."""
    return tuple(int(item) for item in value.split(",") if item.strip())
