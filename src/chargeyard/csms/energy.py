"""Energy and power as chargeyard serves them: in Wh and W, to the resolution a meter reports.

Why round: readings arrive as decimal text or JSON numbers (1.6 SampledValue.value, section
7.43; 2.0.1 SampledValueType.value with a unit multiplier) and are kept as binary floats.
What is served is often arithmetic on them: a difference (``energyDelivered = meterStop -
meterStart``), a unit conversion (kWh x 1000), a 2.0.1 multiplier. Binary arithmetic leaves
tails no meter showed (``5000.1 - 1130.7 == 3869.3999999999996``); rounding to the meter's
resolution removes them and nothing else.

The resolution is 0.1 Wh (and 0.1 W): the finest register step of the meters in charging
stations (signed OCMF readings carry kWh to four decimals; 1.6 meterStart and meterStop are
whole Wh, StartTransaction.req and StopTransaction.req), and the step chargeyard's simulated
stations report (``station/model/meter.py``). A finer digit is float noise, not measurement.
"""

from __future__ import annotations

import logging
import math
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal

logger = logging.getLogger(__name__)

# Decimal places of a served Wh or W value: 0.1 (see the module docstring).
DECIMALS = 1

# Any 32-bit multiplier is an exponent this context can hold; the default context's limit
# (10**999999) made one beyond it raise instead of giving a float to test.
_ANY_EXPONENT = Context(Emax=MAX_EMAX, Emin=MIN_EMIN)


def served(value: float) -> float:
    """``value`` (Wh or W) to the meter's resolution; ``-0.0`` becomes ``0.0``."""
    return round(value, DECIMALS) + 0.0


def served_or_none(value: float | None) -> float | None:
    """:func:`served`, passing None through (no reading yet)."""
    return None if value is None else served(value)


def scaled(value: float, power_of_ten: int) -> float | None:
    """``value * 10**power_of_ten`` computed on the decimal the station sent, so that a 2.0.1
    multiplier or a kWh reading taken to Wh adds no binary tail (``1.1307 kWh`` is
    ``1130.7 Wh``, not ``1130.6999999999998``).

    None when ``value`` or the result is not a finite float: a reading no meter makes
    (``NaN``, ``Infinity``, ``1e999``, or a multiplier of 400 or of 2**31 - 1, which the
    32-bit integer of UnitOfMeasureType allows). A result too small for a float is 0.0."""
    if not math.isfinite(value):
        return None
    if power_of_ten == 0:
        return value
    result = float(Decimal(repr(value)).scaleb(power_of_ten, _ANY_EXPONENT))
    return result if math.isfinite(result) else None


def reading(text: str) -> float | None:
    """An OCPP 1.6 sampled value (section 7.43, ``value``: a decimal number as text when its
    format is Raw) as a number, None when it is not a finite decimal (SignedData, ``NaN``,
    ``Infinity``, ``1e999``)."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def unusable_readings(identity: str, count: int) -> None:
    """Say that a message of ``identity`` carried ``count`` values :func:`reading` or
    :func:`scaled` could not take, left out of the stored readings."""
    logger.info(
        "%s sent %d sampled values that are no finite number: not kept as readings"
        " (the frame log has the message)",
        identity,
        count,
    )
