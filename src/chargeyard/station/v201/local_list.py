"""OCPP 2.0.1 local authorization list management (functional block D): SendLocalList (D01) and
GetLocalListVersion (D02).

Theory of operation
-------------------
The list itself is the model's :class:`LocalAuthorizationList`: full and differential updates,
all or nothing, under a version. This module sizes it from LocalAuthListCtrlr and answers the
CSMS:

* LocalAuthListCtrlr.Entries' maxLimit is how many idTokens the list holds (its Actual value is
  how many it holds now, read live); ItemsPerMessage is how many AuthorizationData one
  SendLocalListRequest may carry. Both are read-only: the list is sized once.
* SendLocalList (D01) answers Accepted; VersionMismatch for a Differential update whose
  versionNumber is not above the list's (D01.FR.19); Failed for an update that is malformed
  (a token twice, D01.FR.06; a Full update entry without idTokenInfo; a versionNumber of 0 or
  less with entries, D01.FR.18), too long, or that would overflow the list. 2.0.1's
  SendLocalListStatusEnumType has no NotSupported: while LocalAuthListCtrlr.Enabled is false the
  answer is Failed, and the list is left as it is.
* GetLocalListVersion (D02) answers the installed versionNumber, 0 when no list is installed
  and while LocalAuthListCtrlr.Enabled is false (D02.FR.03). A disabled list keeps its entries
  and version (it is not consulted: ``decide_local``): enabled again, it is the list it was.

Entries carry the whole IdTokenInfoType on the wire; the model keeps its status,
cacheExpiryDateTime and groupIdToken (``id_token_info_from_ocpp201``), which is what
authorization (C12-C15) and stopping by group (C09) need. The additionalInfo of an IdToken is
not kept (two tokens are the same by value and type).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chargeyard.protocol import on
from chargeyard.protocol.messages import v201
from chargeyard.station.blocks import Block
from chargeyard.station.model.authorization import (
    Entry,
    LocalAuthorizationList,
    UpdateStatus,
    id_token_from_ocpp201,
    id_token_info_from_ocpp201,
)

if TYPE_CHECKING:
    from chargeyard.station.v201 import StationV201

_DEFAULT_MAX_LENGTH = 1000

# The list's answer in 2.0.1's words: it has no NotSupported (a disabled list is Failed).
_STATUS: dict[UpdateStatus, v201.SendLocalListStatusEnumType] = {
    UpdateStatus.ACCEPTED: "Accepted",
    UpdateStatus.FAILED: "Failed",
    UpdateStatus.NOT_SUPPORTED: "Failed",
    UpdateStatus.VERSION_MISMATCH: "VersionMismatch",
}


class LocalListV201(Block["StationV201"]):
    """SendLocalList and GetLocalListVersion; see the module docstring."""

    __slots__ = ()

    def __init__(self, station: StationV201) -> None:
        super().__init__(station)
        entries = self.station.device_model.variable("LocalAuthListCtrlr", "Entries")
        limit = entries.max_limit if entries is not None else None
        per_message = self.station.device_model.get_int("LocalAuthListCtrlr", "ItemsPerMessage")
        self.station.model.local_list = LocalAuthorizationList(
            max_length=_DEFAULT_MAX_LENGTH if limit is None else int(limit),
            max_update_length=per_message if per_message > 0 else None,
        )

    # -- D01 ---------------------------------------------------------------------------------------

    @on("SendLocalList")
    def send_local_list(self, payload: v201.SendLocalListRequest) -> v201.SendLocalListResponse:
        if not self.station.device_model.get_bool("LocalAuthListCtrlr", "Enabled"):
            return {"status": "Failed"}  # no NotSupported in 2.0.1
        entries: list[Entry] = []
        for item in payload.get("localAuthorizationList", []):
            info = item.get("idTokenInfo")
            # Without idTokenInfo, a Differential update removes the token (D01).
            entries.append(
                (
                    id_token_from_ocpp201(item["idToken"]),
                    None if info is None else id_token_info_from_ocpp201(info),
                )
            )
        status = self.station.model.local_list.update(
            payload["versionNumber"], entries, full=payload["updateType"] == "Full"
        )
        return {"status": _STATUS[status]}

    # -- D02 ---------------------------------------------------------------------------------------

    @on("GetLocalListVersion")
    def get_local_list_version(
        self, payload: v201.GetLocalListVersionRequest
    ) -> v201.GetLocalListVersionResponse:
        if not self.station.device_model.get_bool("LocalAuthListCtrlr", "Enabled"):
            return {"versionNumber": 0}  # D02.FR.03: as if there were no list
        return {"versionNumber": self.station.model.local_list.version}
