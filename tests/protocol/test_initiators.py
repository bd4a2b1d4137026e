"""Each version's table of who sends what covers exactly the actions of its official schemas."""

from __future__ import annotations

import pytest

from chargeyard.protocol import V21, V201, VERSIONS, VersionSpec
from chargeyard.protocol.initiators import CSMS_INITIATED, STATION_INITIATED


@pytest.mark.parametrize("version", list(VERSIONS.values()), ids=list(VERSIONS))
def test_every_action_of_the_schemas_is_sent_by_one_end_and_none_is_invented(
    version: VersionSpec,
) -> None:
    csms, station = CSMS_INITIATED[version], STATION_INITIATED[version]
    assert csms | station == version.schemas.actions
    assert csms & station == {"DataTransfer"}  # the one action both ends send


def test_2_1_keeps_every_2_0_1_action_in_its_direction() -> None:
    assert CSMS_INITIATED[V201] <= CSMS_INITIATED[V21]
    assert STATION_INITIATED[V201] <= STATION_INITIATED[V21]
