"""Local Auth List Management profile (OCPP 1.6 sections 3.5, 5.10, 5.15).

Theory of operation
-------------------
The list itself is the model's :class:`LocalAuthorizationList`: full and differential updates,
all or nothing, under a version (sections 3.5.2, 5.15, 6.41). This module sizes it from the
station's read-only keys (section 9.2) and answers the central system:

* LocalAuthListMaxLength is how many idTags the list holds; an update that would leave more
  fails. SendLocalListMaxLength is how many entries one SendLocalList.req may carry (section
  6.41); a longer one fails.
* SendLocalList (section 5.15) answers Accepted, Failed (malformed, too long, or a Full update
  entry without idTagInfo: section 7.1), VersionMismatch (a Differential update whose version
  is not above the current one: section 7.47), or NotSupported when the station lacks the
  profile (SupportedFeatureProfiles) or LocalAuthListEnabled is false (section 9.2.1).
* GetLocalListVersion (section 5.10) answers the list's version, 0 for an empty list, and -1
  where the list is not supported, which we also say while LocalAuthListEnabled is false, as
  the OCPP 1.6 test tool (TC_042_1_CS) accepts.

What the list is used for lives elsewhere: ``decide_local`` (``model/authorization.py``) looks
there before the cache (section 3.5.3), so a listed idTag starts without Authorize.req under
LocalPreAuthorize, and offline under LocalAuthorizeOffline (sections 3.5.4, 9.1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chargeyard.protocol import on
from chargeyard.protocol.messages import v16
from chargeyard.station.blocks import Block
from chargeyard.station.model.authorization import (
    Entry,
    IdToken,
    LocalAuthorizationList,
    UpdateStatus,
    id_tag_info_from_ocpp16,
)

if TYPE_CHECKING:
    from chargeyard.station.v16 import StationV16


class LocalAuthListV16(Block["StationV16"]):
    """SendLocalList and GetLocalListVersion; see the module docstring."""

    __slots__ = ()

    def __init__(self, station: StationV16) -> None:
        super().__init__(station)
        config = self.station.config
        if "LocalAuthListMaxLength" in config:
            # Both keys are read-only (section 9.2): sized once, for the station's life.
            send_max = config.get_int("SendLocalListMaxLength", -1)
            self.station.model.local_list = LocalAuthorizationList(
                max_length=config.get_int("LocalAuthListMaxLength"),
                max_update_length=send_max if send_max >= 0 else None,
            )

    @property
    def local_list_supported(self) -> bool:
        """The profile is supported and LocalAuthListEnabled (sections 3.5.2, 9.2.1)."""
        return (
            "LocalAuthListManagement" in self.station.config.get_list("SupportedFeatureProfiles")
            and self.station.model.policy.local_auth_list_enabled
        )

    # -- SendLocalList (sections 5.15, 6.41) ----------------------------------------------------

    @on("SendLocalList")
    def send_local_list(self, payload: v16.SendLocalListRequest) -> v16.SendLocalListResponse:
        if not self.local_list_supported:
            return {"status": UpdateStatus.NOT_SUPPORTED.value}
        entries: list[Entry] = []
        for item in payload.get("localAuthorizationList", []):
            info = item.get("idTagInfo")
            # Without idTagInfo, a Differential update removes the idTag (section 7.1).
            entries.append(
                (IdToken(item["idTag"]), None if info is None else id_tag_info_from_ocpp16(info))
            )
        status = self.station.model.local_list.update(
            payload["listVersion"], entries, full=payload["updateType"] == "Full"
        )
        return {"status": status.value}

    # -- GetLocalListVersion (sections 5.10, 6.27-6.28) -----------------------------------------

    @on("GetLocalListVersion")
    def get_local_list_version(
        self, payload: v16.GetLocalListVersionRequest
    ) -> v16.GetLocalListVersionResponse:
        if not self.local_list_supported:
            return {"listVersion": -1}
        local_list = self.station.model.local_list
        # "A version number of 0 (zero) SHALL be used to indicate that the local authorization
        # list is empty" (section 5.10), whatever version emptied it.
        return {"listVersion": local_list.version if len(local_list) else 0}
