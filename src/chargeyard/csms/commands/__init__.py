"""Commands an operator sends to a connected station, whatever OCPP version it speaks.

``operations.py`` holds the commands and the theory of operation; ``v16.py`` and ``v201.py``
say them in each version's words; ``base.py`` holds what they share.
"""

from chargeyard.csms.commands.base import (
    STANDARD_VARIABLES_201,
    AvailabilityType,
    Charger,
    ConfigurationStatus,
    InvalidCommand,
    ResetType,
    Result,
    SignedFirmware,
    StationAnsweredBadly,
    TriggerableMessage,
    UnknownStation,
    iso,
    require_station,
)
from chargeyard.csms.commands.operations import (
    DIALECTS,
    change_availability,
    change_configuration,
    clear_cache,
    data_transfer,
    data_transfer_history,
    data_transfer_item,
    get_configuration,
    get_diagnostics,
    reset,
    trigger,
    unlock,
    update_firmware,
)

__all__ = [
    "DIALECTS",
    "STANDARD_VARIABLES_201",
    "AvailabilityType",
    "Charger",
    "ConfigurationStatus",
    "InvalidCommand",
    "ResetType",
    "Result",
    "SignedFirmware",
    "StationAnsweredBadly",
    "TriggerableMessage",
    "UnknownStation",
    "change_availability",
    "change_configuration",
    "clear_cache",
    "data_transfer",
    "data_transfer_history",
    "data_transfer_item",
    "get_configuration",
    "get_diagnostics",
    "iso",
    "require_station",
    "reset",
    "trigger",
    "unlock",
    "update_firmware",
]
