"""The 1.6 station's security profile, raised by its central system (the OCPP 1.6 security
whitepaper, edition 3: the SecurityProfile configuration key, section 7.6; security profiles,
section 2).

Theory of operation
-------------------
SecurityProfile reads the profile the station connects with: the one its runner's URL and
credentials make (0 none, 1 HTTP Basic, 2 HTTP Basic over TLS, 3 its client certificate over
TLS; ``fleet/security_profile.py``), or one the central system raised it to.
ChangeConfiguration of it:

* a lower value is Rejected: the key "can only be increased";
* the same value is Accepted and changes nothing;
* a higher one is Accepted only when the station meets the new profile's prerequisites, else
  Rejected: 1 needs a password (AuthorizationKey); 2 and 3 need the connection to run over TLS
  already (a 1.6 station has one central system URL, its runner's, and no way to be given a
  ``wss://`` one), a CentralSystemRootCertificate installed to check the server against, and
  for 3 a client certificate of its own (``station/tls.py``).

Once Accepted, the station leaves its connection and connects again with the new profile
(after the answer): at 3 it presents its client certificate. It never goes back down, since
no lower value is taken.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chargeyard.station.blocks import Block

if TYPE_CHECKING:
    from chargeyard.station.v16 import StationV16

KEY = "SecurityProfile"
_HIGHEST = 3


class SecurityProfileV16(Block["StationV16"]):
    """The SecurityProfile key's rule and the reconnection it asks for."""

    __slots__ = ()

    def __init__(self, station: StationV16) -> None:
        super().__init__(station)
        station.config.check = self.may_change

    def may_change(self, key: str, value: str) -> bool:
        """Whether ChangeConfiguration may set ``key`` to ``value`` (``value`` already of the
        key's kind: a whole number)."""
        if key != KEY:
            return True
        wanted, current = int(value), self.station.security_profile
        if wanted == current:
            return True
        return wanted > current and self.refusal(wanted) is None

    def refusal(self, wanted: int) -> str | None:
        """Why the station cannot connect with the higher profile ``wanted`` (None: it can)."""
        station = self.station
        if wanted > _HIGHEST:
            return f"security profile {wanted} does not exist"
        if wanted == 1 and not station.password:
            return "no password (AuthorizationKey) to present"
        if wanted >= 2 and station.security_profile < 2:
            return "the connection does not run over TLS, and 1.6 gives no other URL"
        if wanted >= 2 and not station.csms_roots():
            return "no CentralSystemRootCertificate installed"
        if wanted == _HIGHEST and station.presented_certificate() is None:
            return "no client certificate of its own"
        return None

    def configuration_changed(self, key: str, value: str) -> None:
        """An Accepted raise: the station connects again with it, once the answer is out."""
        station = self.station
        if key != KEY or int(value) == station.security_profile:
            return
        station.security_profile = int(value)
        station.note(f"security profile {value}: connecting again with it")
        station.soon(station.redial)
