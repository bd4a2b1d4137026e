"""The state tables: OCPP 1.6 section 4.9 transitions, 2.0.1 folding, lifecycles."""

from __future__ import annotations

import pytest

from chargeyard.station.model.states import (
    CHARGING_STATE_201,
    CONNECTOR_MOVES,
    STATUS_201,
    ConnectorStatus,
    IllegalTransition,
    Registration,
    TransactionPhase,
    check_move,
    check_registration_move,
    check_transaction_move,
)

S = ConnectorStatus

# OCPP 1.6 section 4.9: the cells of the transition table that are NOT allowed (row -> column).
FORBIDDEN_16 = {
    (S.AVAILABLE, S.FINISHING),
    (S.PREPARING, S.RESERVED),
    (S.PREPARING, S.UNAVAILABLE),
    (S.CHARGING, S.PREPARING),
    (S.CHARGING, S.RESERVED),
    (S.SUSPENDED_EV, S.PREPARING),
    (S.SUSPENDED_EV, S.RESERVED),
    (S.SUSPENDED_EVSE, S.PREPARING),
    (S.SUSPENDED_EVSE, S.RESERVED),
    (S.FINISHING, S.CHARGING),
    (S.FINISHING, S.SUSPENDED_EV),
    (S.FINISHING, S.SUSPENDED_EVSE),
    (S.FINISHING, S.RESERVED),
    (S.RESERVED, S.CHARGING),
    (S.RESERVED, S.SUSPENDED_EV),
    (S.RESERVED, S.SUSPENDED_EVSE),
    (S.RESERVED, S.FINISHING),
    (S.UNAVAILABLE, S.FINISHING),
    (S.UNAVAILABLE, S.RESERVED),
}


@pytest.mark.parametrize("source", list(S))
@pytest.mark.parametrize("target", list(S))
def test_4_9_every_cell_of_the_transition_table(source: S, target: S) -> None:
    if source is target or (source, target) not in FORBIDDEN_16:
        check_move(source, target)
    else:
        with pytest.raises(IllegalTransition) as refused:
            check_move(source, target)
        assert str(refused.value) == (
            f"connector cannot go from {source.value} to {target.value}: OCPP 1.6 section 4.9"
        )


def test_faulted_is_reachable_from_everywhere_and_leads_anywhere() -> None:
    assert all(S.FAULTED in CONNECTOR_MOVES[status] for status in S if status is not S.FAULTED)
    assert CONNECTOR_MOVES[S.FAULTED] == frozenset(set(S) - {S.FAULTED})


def test_201_connector_status_folds_the_16_statuses() -> None:
    assert {status.value: STATUS_201[status] for status in S} == {
        "Available": "Available",
        "Preparing": "Occupied",
        "Charging": "Occupied",
        "SuspendedEV": "Occupied",
        "SuspendedEVSE": "Occupied",
        "Finishing": "Occupied",
        "Reserved": "Reserved",
        "Unavailable": "Unavailable",
        "Faulted": "Faulted",
    }
    assert set(CHARGING_STATE_201.values()) == {
        "EVConnected",
        "Charging",
        "SuspendedEV",
        "SuspendedEVSE",
        "Idle",
    }


def test_transaction_lifecycle() -> None:
    T = TransactionPhase
    for source, target in [
        (T.AUTHORIZING, T.STARTING),
        (T.STARTING, T.ACTIVE),
        (T.STARTING, T.STOPPING),
        (T.ACTIVE, T.STOPPING),
        (T.STOPPING, T.ENDED),
    ]:
        check_transaction_move(source, target)
    for source, target in [(T.ENDED, T.ACTIVE), (T.ACTIVE, T.STARTING), (T.STOPPING, T.ACTIVE)]:
        with pytest.raises(IllegalTransition):
            check_transaction_move(source, target)


def test_registration_lifecycle() -> None:
    R = Registration
    check_registration_move(R.DISCONNECTED, R.BOOTING)
    check_registration_move(R.BOOTING, R.PENDING)
    check_registration_move(R.PENDING, R.BOOTING)
    check_registration_move(R.DISCONNECTED, R.ACCEPTED)  # reconnect without a reboot
    with pytest.raises(IllegalTransition, match="registration cannot go from Pending to Accepted"):
        check_registration_move(R.PENDING, R.ACCEPTED)
