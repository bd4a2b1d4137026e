"""The command bus between the gateway API and the fleet that runs the stations.

The API publishes a :class:`CommandMessage` per charger; whoever hosts that charger consumes
it, applies it and reports a :class:`CommandOutcome`. :class:`InMemoryBus`, the only
implementation, serves one process. The seam is kept so that a bus between processes can be
added: nothing outside this package may assume a command is delivered in the process that
published it.
"""

from chargeyard.bus.base import CommandBus, CommandMessage, CommandOutcome
from chargeyard.bus.memory import InMemoryBus

__all__ = ["CommandBus", "CommandMessage", "CommandOutcome", "InMemoryBus"]
