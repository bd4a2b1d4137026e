"""The ``/ocpp`` routes: one module per resource, each with one ``router``."""
