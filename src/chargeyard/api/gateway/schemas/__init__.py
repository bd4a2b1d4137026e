"""Request and response bodies of the ``/ocpp`` API, one module per resource."""
