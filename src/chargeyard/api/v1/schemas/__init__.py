"""Request and response bodies of the ``/api/v1`` API, one module per resource. The command
bodies are re-exported here, where the command routes have always found them."""

from chargeyard.api.v1.schemas.commands import *  # noqa: F403
