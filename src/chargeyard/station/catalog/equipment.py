"""What a station template may have beyond its EVSEs: battery swap slots and a payment
terminal (OCPP 2.1), as data.

A **battery swap station** (2.1 BatterySwap, RequestBatterySwap) keeps swappable batteries in
slots; each slot is one of its EVSEs (BatteryDataType's ``evseId`` is "the slot number where
the battery is inserted or removed") and charges the battery in it at the EVSE's power. The
template gives every slot's battery as the station ships (serial number, state of charge and of
health), the batteries' capacity, the state of charge from which a battery counts as charged,
how many batteries one swap exchanges and how long each half of a swap takes the driver.

A **payment terminal** (2.1 ad hoc payment, NotifySettlement) takes a driver's card; when the
station's central system tells it no cost, the station settles the energy at the terminal's
price per kWh, and its receipts are found under ``receipt_url``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SlotBattery:
    """The battery a swap slot holds as the station ships.

    Attributes:
        slot: the slot, an EVSE id of the station.
        serial_number: the battery's (BatteryDataType.serialNumber, at most 50 characters).
        soc: its state of charge in percent.
        soh: its state of health in percent.
    """

    slot: int
    serial_number: str
    soc: float
    soh: float


@dataclass(frozen=True)
class BatterySwapTemplate:
    """The swap slots of a battery swap station (see the module docstring).

    Attributes:
        capacity_wh: what one battery holds; its slot charges it at the slot EVSE's power.
        charged_soc: the state of charge (percent) from which a battery may be handed out.
        batteries_per_swap: how many batteries one swap exchanges (a vehicle's battery pack).
        step_s: seconds the driver takes to take the charged batteries out, and again to put
            the depleted ones in.
        returned_soc: the state of charge (percent) of the batteries a driver brings back.
        batteries: the slots' batteries, in slot order.
    """

    capacity_wh: int
    charged_soc: float
    batteries_per_swap: int
    step_s: float
    returned_soc: float
    batteries: tuple[SlotBattery, ...]


@dataclass(frozen=True)
class PaymentTerminalTemplate:
    """A card payment terminal at the station (see the module docstring).

    Attributes:
        price_per_kwh: what a kWh costs the driver who pays at the terminal, in the
            station's currency (TariffCostCtrlr.Currency), when no cost is known.
        receipt_url: where the receipts are; a receipt's URL is this followed by its id.
    """

    price_per_kwh: float
    receipt_url: str
