"""The HTTP command API (FastAPI): ``create_app(store, registry, settings)``.

Layout after full-stack-fastapi-template: ``routes/<resource>.py`` with one ``router`` each,
``deps.py`` with the ``Annotated`` dependencies, ``schemas.py`` with the request and response
bodies, ``settings.py`` with the one settings class. Routes call ``chargeyard.csms.commands``;
the domain errors it raises are mapped to HTTP statuses in ``app.py`` only.

``create_app`` is imported when first asked for: importing the package (for its settings, as
every command of the command line does) must not build every route's models, which takes
seconds of CPU that ``chargeyard version`` or a station fleet has no use for.
"""

from typing import TYPE_CHECKING, Any

from chargeyard.api.settings import ApiSettings

if TYPE_CHECKING:
    from chargeyard.api.app import create_app

__all__ = ["ApiSettings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from chargeyard.api.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
