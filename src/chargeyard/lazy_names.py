"""A package's public names imported when first asked for (PEP 562), one way for every package
that does it: ``store/`` (a station fleet needs one of its light modules, not SQLAlchemy),
``conformance/`` (a report needs neither wing) and ``pytest_plugin/`` (a project's tests that
use none of its fixtures import neither the fleet nor the suite).

A package lists each name's module in a table and gives its ``__getattr__`` to this; its
``TYPE_CHECKING`` imports give mypy the same names with their types."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: a name of ``homes`` (name -> its module,
    relative to the package) is imported from its module and kept on the package, so that it
    is looked up once; any other name is an AttributeError."""
    namespace = importlib.import_module(package).__dict__

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{home}"), name)
        namespace[name] = value
        return value

    return __getattr__
