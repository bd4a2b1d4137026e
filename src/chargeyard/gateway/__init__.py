"""The simulator gateway's core (``/ocpp/...`` without the HTTP): the catalogue of commands,
their executor on a running station, the fleet host that runs durable chargers and consumes the
command bus, and the dispatch the API uses to queue a command for many chargers."""
