"""OCPP 2.0.1 network connection profiles (functional block B, B09): where and how the station
would connect to a central system.

Theory of operation
-------------------
The station has two configuration slots, 0 and 1 (B09.FR.06: at least two), the valuesList of
OCPPCommCtrlr.NetworkConfigurationPriority. Slot 0 holds the connection the station was
started with (its runner's URL and credentials), which OCPPCommCtrlr.ActiveNetworkProfile
names; SecurityCtrlr.SecurityProfile is the profile it connects with: 1 with HTTP Basic
credentials, 0 without.

SetNetworkProfile (B09) keeps the NetworkConnectionProfileType in its slot and answers Accepted
(B09.FR.01), or Rejected with a reasonCode for what the station could not use (B09.FR.02):

* a slot outside the valuesList (B09.FR.05): InvalidSlot;
* an ocppVersion other than OCPP20 (the station speaks 2.0.1 only): UnsupportedVersion; an
  ocppTransport other than JSON: UnsupportedTransport;
* a securityProfile below SecurityCtrlr.SecurityProfile (B09.FR.04): LowerSecurityProfile;
  above 1: UnsupportedProfile (profiles 2 and 3 need TLS, which the station does not speak
  with a profile of its own: no client certificate, no CSMS root certificate to install);
* a URL that is not a ``ws://`` URL with a host (profiles 0 and 1 are unencrypted):
  InvalidURL; a messageTimeout below one second: InvalidTimeout; a VPN (the station has no
  VPN client): NoVPN.

Nothing can fail while a profile is stored, so the answer is never Failed (B09.FR.03).
NetworkConfigurationPriority may be set (B10.FR.01) to slots that hold a profile (else
Rejected, EmptySlot: B10.FR.02), but the station does not migrate (B10): it keeps the
connection its runner gives it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from chargeyard.protocol import Payload, on
from chargeyard.station.blocks import Block
from chargeyard.station.maintenance import without_credentials
from chargeyard.station.v201.device_model import Variable

if TYPE_CHECKING:
    from chargeyard.station.v201 import StationV201

_COMM = "OCPPCommCtrlr"
SLOTS = ("0", "1")
_STARTED_WITH = 0  # the slot of the connection the station was started with
_HIGHEST_PROFILE = 1  # profile 1: HTTP Basic over ws://


class NetworkV201(Block["StationV201"]):
    """B09 SetNetworkProfile; see the module docstring."""

    __slots__ = ("profiles",)

    def __init__(self, station: StationV201) -> None:
        super().__init__(station)
        # The NetworkConnectionProfileType of each slot the central system set.
        self.profiles: dict[int, Payload] = {}
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
            Variable("SecurityProfile", "integer", live=lambda: str(station.security_profile)),
        )

    @on("SetNetworkProfile")
    def set_network_profile(self, payload: Payload) -> Payload:
        slot: int = payload["configurationSlot"]
        profile: Payload = payload["connectionData"]
        refusal = self._refusal(slot, profile)
        if refusal is not None:
            return {"status": "Rejected", "statusInfo": {"reasonCode": refusal}}
        self.profiles[slot] = dict(profile)
        self.station.note(
            f"network: slot {slot} holds {without_credentials(profile['ocppCsmsUrl'])}"
            f" (security profile {profile['securityProfile']})"
        )
        return {"status": "Accepted"}

    def _refusal(self, slot: int, profile: Payload) -> str | None:
        """Why the station cannot use ``profile`` in ``slot`` (see the module docstring)."""
        slots = self.station.device_model.variable(_COMM, "NetworkConfigurationPriority")
        if slots is None or str(slot) not in slots.values_list:
            return "InvalidSlot"
        if profile["ocppVersion"] != "OCPP20":
            return "UnsupportedVersion"
        if profile["ocppTransport"] != "JSON":
            return "UnsupportedTransport"
        security: int = profile["securityProfile"]
        if security < self.station.security_profile:
            return "LowerSecurityProfile"
        if security > _HIGHEST_PROFILE:
            return "UnsupportedProfile"
        try:
            url = urlsplit(profile["ocppCsmsUrl"])
            plain = url.scheme == "ws" and bool(url.hostname) and url.port != 0
        except ValueError:  # a port that is not a number
            plain = False
        if not plain:
            return "InvalidURL"
        if profile["messageTimeout"] < 1:
            return "InvalidTimeout"
        if "vpn" in profile:
            return "NoVPN"
        return None

    def _priority_refusal(self, value: str) -> str | None:
        """NetworkConfigurationPriority names only slots that hold a profile (B10.FR.02)."""
        for slot in (int(item) for item in value.split(",") if item):
            if slot != _STARTED_WITH and slot not in self.profiles:
                return "EmptySlot"
        return None
