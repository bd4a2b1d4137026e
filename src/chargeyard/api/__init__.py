"""The HTTP command API (FastAPI): ``create_app(store, registry, settings)``.

Layout after full-stack-fastapi-template: ``routes/<resource>.py`` with one ``router`` each,
``deps.py`` with the ``Annotated`` dependencies, ``schemas.py`` with the request and response
bodies, ``settings.py`` with the one settings class. Routes call ``chargeyard.csms.commands``;
the domain errors it raises are mapped to HTTP statuses in ``app.py`` only.
"""

from chargeyard.api.app import create_app
from chargeyard.api.settings import ApiSettings

__all__ = ["ApiSettings", "create_app"]
