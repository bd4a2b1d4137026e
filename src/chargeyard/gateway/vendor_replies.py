"""A durable charger's DataTransfer replies (OCPP 1.6 section 5.6, 2.0.1 P01;
``station/model/vendor_replies.py``): its template's, unless the gateway set its own.

A charger's ``config`` holds its own under :data:`DATA_TRANSFER_KEY` (a list, possibly empty:
a charger that answers every vendorId UnknownVendorId); without the key it answers as its
catalog template declares. Its own replace the template's whole, as a station's
``set_vendor_replies`` does.
"""

from __future__ import annotations

from typing import Any, Literal

from chargeyard.station.catalog import StationTemplate
from chargeyard.station.model.vendor_replies import VendorReply, vendor_replies

DATA_TRANSFER_KEY = "data_transfer"
"""The key of a charger's ``config`` holding its own replies (as ``replies_json`` gives them)."""

ReplySource = Literal["template", "charger"]


def own_replies(config: dict[str, Any] | None) -> tuple[VendorReply, ...] | None:
    """The replies a charger's ``config`` sets, or None when it inherits its template's.

    Raises:
        InvalidVendorReply: what is stored breaks a rule (only a row written by hand can).
    """
    if not config or DATA_TRANSFER_KEY not in config:
        return None
    return vendor_replies(config[DATA_TRANSFER_KEY])


def charger_replies(
    config: dict[str, Any] | None, template: StationTemplate | None
) -> tuple[tuple[VendorReply, ...], ReplySource]:
    """The replies a charger answers with, and whose they are.

    Raises:
        InvalidVendorReply: its stored replies break a rule.
    """
    own = own_replies(config)
    if own is not None:
        return own, "charger"
    return (template.data_transfer if template is not None else ()), "template"
