"""The ``/api/v1`` routes: one module per resource, each with one ``router``."""
