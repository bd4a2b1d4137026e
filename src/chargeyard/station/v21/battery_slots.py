"""The slots of a simulated battery swap station and the batteries in them: which are charged,
taking one out, putting one in, and each slot charging its battery over time (the hardware
``v21/battery_swap.py`` drives; no OCPP here).

A slot is one of the station's EVSEs (2.1 BatteryDataType: ``evseId`` is the slot number) and
charges the battery in it at the EVSE's power, until full. A state of charge is worked out when
read, from the one it had when it went in (or was last read) and the time since: nothing ticks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from chargeyard.station.catalog.equipment import BatterySwapTemplate

_FULL = 100.0


@dataclass(slots=True)
class Battery:
    """A swappable battery: its serial number, health, and state of charge at ``since``
    (seconds on the station's monotonic clock)."""

    serial_number: str
    soh: float
    soc: float
    since: float


class BatterySlots:
    """The slots of a swap station, each holding a battery or none.

    Args:
        template: the template's swap slots (``catalog/equipment.py``).
        slot_power_w: what each slot (EVSE id) charges its battery with.
        monotonic: the station's monotonic clock.
    """

    __slots__ = ("_batteries", "_monotonic", "_rate", "template")

    def __init__(
        self,
        template: BatterySwapTemplate,
        slot_power_w: Mapping[int, float],
        monotonic: Callable[[], float],
    ) -> None:
        self.template = template
        self._monotonic = monotonic
        now = monotonic()
        # Percent of charge a second, per slot: P / capacity, with no losses.
        self._rate = {
            slot: power / template.capacity_wh * _FULL / 3600
            for slot, power in slot_power_w.items()
        }
        self._batteries: dict[int, Battery | None] = {slot: None for slot in slot_power_w}
        for battery in template.batteries:
            self._batteries[battery.slot] = Battery(
                battery.serial_number, battery.soh, battery.soc, now
            )

    def soc(self, slot: int) -> float | None:
        """The state of charge of the battery in ``slot`` now (percent), None when empty."""
        battery = self._batteries[slot]
        if battery is None:
            return None
        now = self._monotonic()
        charged = battery.soc + (now - battery.since) * self._rate[slot]
        battery.soc, battery.since = min(_FULL, charged), now
        return battery.soc

    def charged(self, held: frozenset[int] = frozenset()) -> list[int]:
        """The slots whose batteries are charged enough to hand out (at least
        ``charged_soc``), fullest first, leaving out the ``held`` ones."""
        ready = [
            (soc, slot)
            for slot in self._batteries
            if slot not in held
            and (soc := self.soc(slot)) is not None
            and soc >= self.template.charged_soc
        ]
        return [slot for _, slot in sorted(ready, key=lambda pair: (-pair[0], pair[1]))]

    def take(self, slot: int) -> Battery:
        """The battery leaves ``slot`` (its state of charge as it goes).

        Raises:
            KeyError: ``slot`` is empty or no slot.
        """
        if self.soc(slot) is None:
            raise KeyError(f"slot {slot} holds no battery")
        battery = self._batteries[slot]
        assert battery is not None
        self._batteries[slot] = None
        return battery

    def put(self, slot: int, battery: Battery) -> None:
        """``battery`` goes into ``slot``, which starts charging it.

        Raises:
            KeyError: ``slot`` holds a battery already, or is no slot.
        """
        if self._batteries[slot] is not None:
            raise KeyError(f"slot {slot} holds a battery already")
        battery.since = self._monotonic()
        self._batteries[slot] = battery

    def contents(self) -> dict[int, Battery | None]:
        """Every slot and its battery, states of charge as of now."""
        for slot in self._batteries:
            self.soc(slot)
        return dict(self._batteries)


__all__ = ["Battery", "BatterySlots"]
