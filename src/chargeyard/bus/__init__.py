"""The bus between the gateway API and the fleet hosts that run the stations.

The API publishes a :class:`CommandMessage` per charger; the host holding that charger
consumes it, applies it and reports a :class:`CommandOutcome`. The API asks the same host
for the runtime verbs, a command's precheck and the live status with a
:class:`RuntimeRequest`, answered with a :class:`RuntimeAnswer`. :class:`InMemoryBus` serves
one process; ``chargeyard.bus.redis_bus.RedisBus`` serves many over Redis (imported from its
module, so that a process on the in-memory bus does not load the Redis client). Everything on
a bus is plain data (``to_dict`` / ``from_dict``), and nothing outside this package may assume
a message is delivered in the process that published it.
"""

from chargeyard.bus.base import BusUnreachable, CommandBus, CommandMessage, CommandOutcome
from chargeyard.bus.memory import InMemoryBus
from chargeyard.bus.requests import RuntimeAnswer, RuntimeRequest

__all__ = [
    "BusUnreachable",
    "CommandBus",
    "CommandMessage",
    "CommandOutcome",
    "InMemoryBus",
    "RuntimeAnswer",
    "RuntimeRequest",
]
