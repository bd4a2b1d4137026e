"""The EV a session's cable brings, as a command names it: set-ev's ``ev`` and start-session's
(``controls/ev.py``, ``commands.py``). Its own module, for both to build on.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from chargeyard.station.model.ev import PRESETS, Ev
from chargeyard.station.model.ev_session import EvChoice

__all__ = ["EvPayload"]

_Percent = Annotated[float, Field(ge=0, le=100)]
_Watts = Annotated[float, Field(ge=0, le=10_000_000)]


class EvPayload(BaseModel):
    """The car of a session: a catalog EV (``model``), with any of its figures replaced.
    SoC in percent, power in W, energy in Wh; what is left out is the catalog car's (the
    city car's without a model), arriving at 20 %."""

    # As every command's payload: no other field, and numbers that are numbers.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    model: str | None = Field(
        None, description=f"A catalog EV: {', '.join(PRESETS)} (default city-40)"
    )
    battery_capacity_wh: float | None = Field(None, gt=0, le=1_000_000)
    soc: _Percent | None = Field(None, description="State of charge at arrival, %")
    max_ac_power_w: _Watts | None = Field(None, description="What its onboard charger takes")
    max_dc_power_w: _Watts | None = Field(None, description="What its DC inlet takes (0: none)")
    target_soc: _Percent | None = Field(None, description="It stops requesting energy here, %")
    departure_time: AwareDatetime | None = Field(
        None, description="Its driver unplugs it then (the transaction ends as unplugging does)"
    )

    @model_validator(mode="after")
    def _a_car(self) -> EvPayload:
        self.choice().build()  # ValueError (a 422): an unknown model, figures no car has
        return self

    def choice(self) -> EvChoice:
        return EvChoice(
            model=self.model,
            battery_capacity_wh=self.battery_capacity_wh,
            soc=None if self.soc is None else self.soc / 100,
            max_ac_power_w=self.max_ac_power_w,
            max_dc_power_w=self.max_dc_power_w,
            target_soc=None if self.target_soc is None else self.target_soc / 100,
            departure_at=self.departure_time,
        )

    def build(self) -> Ev:
        """A new car (each charger a command reaches gets its own)."""
        return self.choice().build()
