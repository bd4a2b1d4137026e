"""The 1.6 station's SecurityProfile (security whitepaper, edition 3, section 7.6): it reads
the profile the station connects with, only goes up, and only to a profile whose prerequisites
the station meets; raised, the station connects again with it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from chargeyard.station.tls import ClientCertificate
from chargeyard.station.v16 import StationV16
from tests.certificates import make_root
from tests.station.harness import Link


def _change(link: Link, value: str) -> str:
    answer = link.call_station("ChangeConfiguration", {"key": "SecurityProfile", "value": value})
    status: str = answer["status"]
    return status


def _read(link: Link) -> str:
    answer = link.call_station("GetConfiguration", {"key": ["SecurityProfile"]})
    value: str = answer["configurationKey"][0]["value"]
    return value


def _trust_a_root(station: StationV16) -> None:
    now = station.clock.now()
    root = make_root(not_before=now - timedelta(days=1)).pem
    outcome = station.model.certificates.install(
        "CentralSystemRootCertificate", root, now.timestamp()
    )
    assert outcome.reason is None


def test_7_6_it_reads_the_profile_its_runner_connects_with(
    online: Link, station: StationV16
) -> None:
    assert _read(online) == "0"
    station.security_profile = 2  # a runner on wss:// with a password
    assert _read(online) == "2"


@pytest.mark.parametrize(("current", "lower"), [(1, "0"), (2, "1"), (3, "2")])
def test_7_6_a_lower_profile_is_rejected(
    online: Link, station: StationV16, current: int, lower: str
) -> None:
    station.security_profile = current
    assert _change(online, lower) == "Rejected"  # TC_084_CS
    assert _read(online) == str(current)
    assert _change(online, str(current)) == "Accepted"  # the same: nothing changes
    assert online.up


def test_7_6_a_profile_whose_prerequisites_are_missing_is_rejected(
    online: Link, station: StationV16
) -> None:
    assert _change(online, "1") == "Rejected"  # no AuthorizationKey
    station.password = "0123456789abcdef0123456789abcdef"
    station.security_profile = 1
    assert _change(online, "2") == "Rejected"  # a ws:// connection: no TLS URL in 1.6
    station.security_profile = 2
    assert _change(online, "3") == "Rejected"  # no CentralSystemRootCertificate
    _trust_a_root(station)
    assert _change(online, "3") == "Rejected"  # no client certificate
    assert _change(online, "4") == "Rejected"
    assert _read(online) == "2"


def test_7_6_a_raised_profile_is_the_one_the_station_connects_with_again(
    online: Link, station: StationV16
) -> None:
    station.password = "0123456789abcdef0123456789abcdef"
    station.security_profile = 2
    _trust_a_root(station)
    station.client_certificate = ClientCertificate(Path("cs.pem"), Path("cs-key.pem"))
    assert _change(online, "3") == "Accepted"
    assert station.security_profile == 3
    online.csms.clear()
    station.tick()  # once the answer is out, it leaves the connection...
    online.follow_station()
    assert not online.up
    online.follow_station()  # ...and connects again, with its certificate (runtime.py)
    assert online.up
    assert "BootNotification" not in online.csms.actions()
    assert _read(online) == "3"
    assert _change(online, "2") == "Rejected"  # never back down
