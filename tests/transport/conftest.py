"""``server_connection``: a module that uses it runs each test against both kinds of
central-system socket (``link.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.transport import link


@pytest.fixture(params=sorted(link.SERVER_CONNECTIONS))
def server_connection(request: pytest.FixtureRequest) -> Iterator[str]:
    kind: str = request.param
    link.server_connection = link.SERVER_CONNECTIONS[kind]
    yield kind
    link.server_connection = link.SERVER_CONNECTIONS["reader"]
