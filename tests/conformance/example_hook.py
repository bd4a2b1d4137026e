"""``examples/conformance_hook_ocpp_lib.py`` for the tests: loaded as a module (``examples/`` is
not a package) to run its CSMS and hook in the test's event loop, and its path to run it as a
process, as a user does."""

from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "conformance_hook_ocpp_lib.py"


@functools.cache
def example() -> ModuleType:
    """The example, imported once."""
    spec = importlib.util.spec_from_file_location("conformance_hook_ocpp_lib", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
