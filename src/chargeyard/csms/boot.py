"""BootNotification, the same for every version once its fields are read: the facts kept (and
the connector set forgotten when the station boots as other hardware, ``layout.py``), the
listeners told, the policy's answer returned (OCPP 1.6 section 4.2.1, OCPP 2.0.1 B01)."""

from __future__ import annotations

from dataclasses import dataclass

from chargeyard.csms import event_data, layout
from chargeyard.csms.context import StationContext, iso, utc_now
from chargeyard.protocol import Payload
from chargeyard.store import station_writer


@dataclass(frozen=True, slots=True)
class BootReport:
    """What a BootNotification says of the station, whatever the version's field names
    (OCPP 1.6 section 4.2.1, OCPP 2.0.1 B01)."""

    vendor: str
    model: str
    serial_number: str | None
    firmware_version: str | None


async def boot(context: StationContext, report: BootReport) -> Payload:
    """Keep the boot facts with the policy's answer, tell the listeners, and return the
    BootNotification answer (its fields are named alike in every version)."""
    policy = context.boot_policy
    # Another vendor or model is other hardware, with connectors of its own (layout.py).
    await layout.on_boot(
        context.store, context.identity, report.vendor, report.model, context.known
    )
    await context.keep(
        station_writer.boot_facts(
            context.identity,
            vendor=report.vendor,
            model=report.model,
            serial_number=report.serial_number,
            firmware_version=report.firmware_version,
            registration_status=policy.status,
        )
    )
    if context.known is not None:
        context.known.vendor, context.known.model = report.vendor, report.model
    if context.announced is not None:
        # A station that is told it booted, and a user who sees its boot event, may command it
        # at once through any node: its connection is made known there first.
        await context.announced()
    # 1.6 section 4.2: "While Rejected, the Charge Point SHALL NOT respond to any Central
    # System initiated message. the Central System SHOULD NOT initiate any." (2.0.1 B03 alike.)
    if policy.status == "Rejected":
        context.rejected.add(context.identity)
    else:
        context.rejected.discard(context.identity)
    context.events.publish(
        event_data.boot(
            context.identity,
            vendor=report.vendor,
            model=report.model,
            serial_number=report.serial_number,
            firmware_version=report.firmware_version,
            status=policy.status,
        )
    )
    return {"status": policy.status, "currentTime": iso(utc_now()), "interval": policy.interval}
