"""Local authorization: the local list (1.6 sections 3.5.2, 5.15, 6.41; 2.0.1 D01/D02), the
authorization cache (1.6 section 3.5.1; 2.0.1 C10/C11), the decision on a presented token
(1.6 sections 3.5-3.5.4; 2.0.1 C12-C15), remote starts and who may stop (1.6 section 3.10;
2.0.1 C09)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chargeyard.station.model.authorization import (
    AuthorizationCache,
    AuthorizationPolicy,
    AuthorizationStatus,
    IdToken,
    IdTokenInfo,
    LocalAuthorizationList,
    LocalDecision,
    Source,
    UpdateStatus,
    Verdict,
    decide_local,
    may_stop,
    remember,
    remote_start_needs_authorization,
)

A = AuthorizationStatus
U = UpdateStatus
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
ACCEPTED = IdTokenInfo(A.ACCEPTED)
BLOCKED = IdTokenInfo(A.BLOCKED)
ALICE, BOB, CAROL, DAVE = IdToken("A11CE"), IdToken("B0B"), IdToken("CA201"), IdToken("DA7E")


# --- local authorization list ------------------------------------------------------------------


def test_d02_no_list_installed_is_version_0() -> None:
    local = LocalAuthorizationList(10)
    assert (local.version, len(local), local.get(ALICE)) == (0, 0, None)


def test_d01_full_update_replaces_the_list() -> None:
    local = LocalAuthorizationList(10)
    assert local.update(1, [(ALICE, ACCEPTED), (BOB, BLOCKED)], full=True) is U.ACCEPTED
    assert local.update(2, [(CAROL, ACCEPTED)], full=True) is U.ACCEPTED
    assert (local.version, local.entries()) == (2, {CAROL: ACCEPTED})


def test_5_15_full_update_may_lower_the_version() -> None:
    local = LocalAuthorizationList(10)
    local.update(9, [(ALICE, ACCEPTED)], full=True)
    assert local.update(3, [(BOB, ACCEPTED)], full=True) is U.ACCEPTED
    assert (local.version, local.entries()) == (3, {BOB: ACCEPTED})


def test_6_41_full_update_without_entries_empties_the_list() -> None:
    local = LocalAuthorizationList(10)
    local.update(4, [(ALICE, ACCEPTED)], full=True)
    assert local.update(5, [], full=True) is U.ACCEPTED
    assert (local.version, local.entries()) == (5, {})


def test_5_10_full_empty_update_with_version_0_removes_the_list() -> None:
    local = LocalAuthorizationList(10)
    local.update(4, [(ALICE, ACCEPTED)], full=True)
    assert local.update(0, [], full=True) is U.ACCEPTED
    assert (local.version, len(local)) == (0, 0)


@pytest.mark.parametrize(
    ("version", "entries", "full"),
    [(0, [(BOB, ACCEPTED)], True), (0, [], False), (-1, [], True), (-1, [(BOB, None)], False)],
)
def test_d01_fr_18_other_versions_below_1_fail(
    version: int, entries: list[tuple[IdToken, IdTokenInfo | None]], full: bool
) -> None:
    local = LocalAuthorizationList(10)
    assert local.update(version, entries, full) is U.FAILED
    assert (local.version, len(local)) == (0, 0)


def test_d01_differential_update_adds_updates_and_removes() -> None:
    local = LocalAuthorizationList(10)
    local.update(1, [(ALICE, ACCEPTED), (BOB, ACCEPTED), (CAROL, ACCEPTED)], full=True)
    status = local.update(2, [(ALICE, BLOCKED), (BOB, None), (DAVE, ACCEPTED)], full=False)
    assert status is U.ACCEPTED
    assert (local.version, local.entries()) == (
        2,
        {ALICE: BLOCKED, CAROL: ACCEPTED, DAVE: ACCEPTED},
    )


def test_7_1_differential_removal_of_an_unknown_token_is_harmless() -> None:
    local = LocalAuthorizationList(10)
    local.update(1, [(ALICE, ACCEPTED)], full=True)
    assert local.update(2, [(BOB, None)], full=False) is U.ACCEPTED
    assert (local.version, local.entries()) == (2, {ALICE: ACCEPTED})


def test_d01_fr_05_empty_differential_update_changes_only_the_version() -> None:
    local = LocalAuthorizationList(10)
    local.update(1, [(ALICE, ACCEPTED)], full=True)
    assert local.update(2, [], full=False) is U.ACCEPTED
    assert (local.version, local.entries()) == (2, {ALICE: ACCEPTED})


def test_differential_update_replaces_a_differently_spelled_token() -> None:
    local = LocalAuthorizationList(10)
    local.update(1, [(IdToken("abc"), ACCEPTED)], full=True)
    local.update(2, [(IdToken("ABC"), BLOCKED)], full=False)
    assert [token.value for token in local.entries()] == ["ABC"]
    assert local.get(IdToken("Abc")) == BLOCKED


@pytest.mark.parametrize("version", [1, 2])
def test_7_47_differential_update_not_above_current_version_is_version_mismatch(
    version: int,
) -> None:
    local = LocalAuthorizationList(10)
    local.update(2, [(ALICE, ACCEPTED)], full=True)
    assert local.update(version, [(BOB, ACCEPTED)], full=False) is U.VERSION_MISMATCH
    assert (local.version, local.entries()) == (2, {ALICE: ACCEPTED})


def test_d01_update_that_would_exceed_max_length_fails_and_changes_nothing() -> None:
    local = LocalAuthorizationList(2)
    local.update(1, [(ALICE, ACCEPTED), (BOB, ACCEPTED)], full=True)
    assert local.update(2, [(CAROL, ACCEPTED)], full=False) is U.FAILED
    assert local.update(3, [(ALICE, BLOCKED), (BOB, BLOCKED), (CAROL, BLOCKED)], True) is U.FAILED
    assert (local.version, local.entries()) == (1, {ALICE: ACCEPTED, BOB: ACCEPTED})
    # Removing one first makes room in the same update.
    assert local.update(4, [(BOB, None), (CAROL, ACCEPTED)], full=False) is U.ACCEPTED
    assert local.entries() == {ALICE: ACCEPTED, CAROL: ACCEPTED}


def test_9_2_3_update_longer_than_send_local_list_max_length_fails() -> None:
    local = LocalAuthorizationList(10, max_update_length=1)
    assert local.update(1, [(ALICE, ACCEPTED), (BOB, ACCEPTED)], full=True) is U.FAILED
    assert (local.version, len(local)) == (0, 0)


def test_6_41_duplicate_tokens_in_one_update_fail() -> None:
    local = LocalAuthorizationList(10)
    status = local.update(1, [(IdToken("abc"), ACCEPTED), (IdToken("ABC"), BLOCKED)], full=True)
    assert status is U.FAILED
    assert (local.version, len(local)) == (0, 0)


def test_7_1_full_update_entry_without_info_fails() -> None:
    local = LocalAuthorizationList(10)
    local.update(1, [(ALICE, ACCEPTED)], full=True)
    assert local.update(2, [(BOB, ACCEPTED), (CAROL, None)], full=True) is U.FAILED
    assert (local.version, local.entries()) == (1, {ALICE: ACCEPTED})


def test_9_2_1_disabled_list_takes_no_update() -> None:
    local = LocalAuthorizationList(10)
    assert local.update(1, [(ALICE, ACCEPTED)], full=True, enabled=False) is U.NOT_SUPPORTED
    assert (local.version, len(local)) == (0, 0)


# --- authorization cache -----------------------------------------------------------------------


def test_3_5_1_cache_stores_and_updates_entries() -> None:
    cache = AuthorizationCache(4)
    cache.store(ALICE, ACCEPTED, NOW)
    assert cache.get(ALICE, NOW) == ACCEPTED
    cache.store(ALICE, BLOCKED, NOW)
    assert (cache.get(ALICE, NOW), len(cache)) == (BLOCKED, 1)
    assert cache.get(BOB, NOW) is None


def test_3_5_1_cache_reports_an_entry_past_its_expiry_as_expired() -> None:
    cache = AuthorizationCache(4)
    cache.store(ALICE, IdTokenInfo(A.ACCEPTED, LATER, "FLEET"), NOW)
    assert cache.get(ALICE, LATER - timedelta(seconds=1)) == IdTokenInfo(A.ACCEPTED, LATER, "FLEET")
    assert cache.get(ALICE, LATER) == IdTokenInfo(A.EXPIRED, LATER, "FLEET")
    # "it SHALL be changed to expired in the Cache": it stays so.
    assert cache.get(ALICE, NOW) == IdTokenInfo(A.EXPIRED, LATER, "FLEET")


def test_c10_fr_08_lifetime_gives_an_expiry_to_entries_without_one() -> None:
    cache = AuthorizationCache(4, lifetime=timedelta(minutes=10))
    cache.store(ALICE, ACCEPTED, NOW)
    cache.store(BOB, IdTokenInfo(A.ACCEPTED, LATER), NOW)
    assert cache.get(ALICE, NOW) == IdTokenInfo(A.ACCEPTED, NOW + timedelta(minutes=10))
    assert cache.get(BOB, NOW) == IdTokenInfo(A.ACCEPTED, LATER)


def test_3_5_1_full_cache_evicts_not_valid_entries_first() -> None:
    cache = AuthorizationCache(3)
    cache.store(ALICE, ACCEPTED, NOW)
    cache.store(BOB, BLOCKED, NOW)
    cache.store(CAROL, ACCEPTED, NOW)
    cache.store(DAVE, ACCEPTED, NOW)
    assert (ALICE in cache, BOB in cache, CAROL in cache, DAVE in cache) == (
        True,
        False,
        True,
        True,
    )


def test_3_5_1_an_expired_accepted_entry_counts_as_not_valid() -> None:
    cache = AuthorizationCache(2)
    cache.store(ALICE, ACCEPTED, NOW)
    cache.store(BOB, IdTokenInfo(A.ACCEPTED, LATER), NOW)
    cache.store(CAROL, ACCEPTED, LATER)
    assert (ALICE in cache, BOB in cache, CAROL in cache) == (True, False, True)


def test_3_5_1_full_cache_of_valid_entries_evicts_the_least_recently_used() -> None:
    cache = AuthorizationCache(3)
    for token in (ALICE, BOB, CAROL):
        cache.store(token, ACCEPTED, NOW)
    cache.get(ALICE, NOW)  # a presentation makes ALICE the most recent
    cache.store(DAVE, ACCEPTED, NOW)
    assert (ALICE in cache, BOB in cache, CAROL in cache, DAVE in cache) == (
        True,
        False,
        True,
        True,
    )


def test_updating_an_entry_of_a_full_cache_evicts_nothing() -> None:
    cache = AuthorizationCache(2)
    cache.store(ALICE, ACCEPTED, NOW)
    cache.store(BOB, BLOCKED, NOW)
    cache.store(ALICE, BLOCKED, NOW)
    assert (cache.get(ALICE, NOW), cache.get(BOB, NOW)) == (BLOCKED, BLOCKED)


def test_5_4_clear_cache() -> None:
    cache = AuthorizationCache(2)
    cache.store(ALICE, ACCEPTED, NOW)
    cache.clear()
    assert (len(cache), cache.get(ALICE, NOW)) == (0, None)


def test_cache_needs_room() -> None:
    with pytest.raises(ValueError, match="at least one"):
        AuthorizationCache(0)


# --- remember: what the cache may hold -----------------------------------------------------------


def stores(
    list_entries: dict[IdToken, IdTokenInfo] | None = None,
) -> tuple[LocalAuthorizationList, AuthorizationCache]:
    local = LocalAuthorizationList(10)
    if list_entries:
        assert local.update(1, list(list_entries.items()), full=True) is U.ACCEPTED
    return local, AuthorizationCache(10)


def test_4_1_answer_is_cached() -> None:
    local, cache = stores()
    assert remember(
        ALICE, ACCEPTED, now=NOW, policy=AuthorizationPolicy(), local_list=local, cache=cache
    )
    assert cache.get(ALICE, NOW) == ACCEPTED


def test_3_5_3_token_in_the_local_list_is_not_cached() -> None:
    local, cache = stores({ALICE: ACCEPTED})
    policy = AuthorizationPolicy()
    assert not remember(ALICE, BLOCKED, now=NOW, policy=policy, local_list=local, cache=cache)
    assert len(cache) == 0
    # With the list disabled it is not "known in the list".
    policy = AuthorizationPolicy(local_auth_list_enabled=False)
    assert remember(ALICE, BLOCKED, now=NOW, policy=policy, local_list=local, cache=cache)


def test_9_1_2_disabled_cache_stores_nothing() -> None:
    local, cache = stores()
    policy = AuthorizationPolicy(authorization_cache_enabled=False)
    assert not remember(ALICE, ACCEPTED, now=NOW, policy=policy, local_list=local, cache=cache)
    assert len(cache) == 0


@pytest.mark.parametrize("kind", ["Central", "NoAuthorization"])
def test_c05_central_and_no_authorization_tokens_are_not_cached(kind: str) -> None:
    local, cache = stores()
    token = IdToken("X", kind)
    policy = AuthorizationPolicy()
    assert not remember(token, ACCEPTED, now=NOW, policy=policy, local_list=local, cache=cache)
    assert len(cache) == 0


# --- decide_local ------------------------------------------------------------------------------

PRE = AuthorizationPolicy(local_pre_authorize=True)
NO_PRE = AuthorizationPolicy(local_pre_authorize=False)


def decide(
    token: IdToken,
    *,
    online: bool,
    policy: AuthorizationPolicy,
    listed: dict[IdToken, IdTokenInfo] | None = None,
    cached: dict[IdToken, IdTokenInfo] | None = None,
    now: datetime = NOW,
) -> LocalDecision:
    local, cache = stores(listed)
    for cached_token, info in (cached or {}).items():
        cache.store(cached_token, info, NOW)
    return decide_local(token, online=online, now=now, policy=policy, local_list=local, cache=cache)


def test_9_1_13_online_local_pre_authorize_accepts_a_listed_token() -> None:
    decision = decide(ALICE, online=True, policy=PRE, listed={ALICE: ACCEPTED})
    assert decision == LocalDecision(Verdict.ACCEPT, ACCEPTED, Source.LOCAL_LIST)


def test_c12_online_local_pre_authorize_accepts_a_cached_token() -> None:
    decision = decide(ALICE, online=True, policy=PRE, cached={ALICE: ACCEPTED})
    assert decision == LocalDecision(Verdict.ACCEPT, ACCEPTED, Source.CACHE)


def test_3_5_3_local_list_has_priority_over_the_cache() -> None:
    decision = decide(
        ALICE, online=True, policy=PRE, listed={ALICE: BLOCKED}, cached={ALICE: ACCEPTED}
    )
    assert decision == LocalDecision(Verdict.ASK_CENTRAL, BLOCKED, Source.LOCAL_LIST)
    decision = decide(
        ALICE, online=False, policy=PRE, listed={ALICE: BLOCKED}, cached={ALICE: ACCEPTED}
    )
    assert decision == LocalDecision(Verdict.REJECT, BLOCKED, Source.LOCAL_LIST)


def test_4_1_online_without_local_pre_authorize_asks_central() -> None:
    decision = decide(ALICE, online=True, policy=NO_PRE, listed={ALICE: ACCEPTED})
    assert decision == LocalDecision(Verdict.ASK_CENTRAL, ACCEPTED, Source.LOCAL_LIST)


def test_4_1_online_unknown_token_asks_central() -> None:
    assert decide(ALICE, online=True, policy=PRE) == LocalDecision(Verdict.ASK_CENTRAL)


def test_3_5_1_online_not_valid_cache_entry_asks_central() -> None:
    decision = decide(ALICE, online=True, policy=PRE, cached={ALICE: BLOCKED})
    assert decision == LocalDecision(Verdict.ASK_CENTRAL, BLOCKED, Source.CACHE)


def test_c14_online_expired_list_entry_asks_central() -> None:
    listed = {ALICE: IdTokenInfo(A.ACCEPTED, NOW)}
    decision = decide(ALICE, online=True, policy=PRE, listed=listed)
    assert decision == LocalDecision(
        Verdict.ASK_CENTRAL, IdTokenInfo(A.EXPIRED, NOW), Source.LOCAL_LIST
    )


def test_online_entry_expiring_a_moment_later_is_still_accepted() -> None:
    listed = {ALICE: IdTokenInfo(A.ACCEPTED, NOW + timedelta(seconds=1))}
    decision = decide(ALICE, online=True, policy=PRE, listed=listed)
    assert decision.verdict is Verdict.ACCEPT


def test_9_1_12_offline_local_authorize_offline_accepts_a_valid_entry() -> None:
    decision = decide(ALICE, online=False, policy=NO_PRE, listed={ALICE: ACCEPTED})
    assert decision == LocalDecision(Verdict.ACCEPT, ACCEPTED, Source.LOCAL_LIST)
    decision = decide(ALICE, online=False, policy=NO_PRE, cached={ALICE: ACCEPTED})
    assert decision == LocalDecision(Verdict.ACCEPT, ACCEPTED, Source.CACHE)


@pytest.mark.parametrize("status", [A.BLOCKED, A.EXPIRED, A.INVALID, A.CONCURRENT_TX])
def test_3_5_4_offline_known_not_valid_token_is_rejected_even_with_unknown_allowed(
    status: A,
) -> None:
    policy = AuthorizationPolicy(allow_offline_tx_for_unknown_id=True)
    decision = decide(ALICE, online=False, policy=policy, listed={ALICE: IdTokenInfo(status)})
    assert decision == LocalDecision(Verdict.REJECT, IdTokenInfo(status), Source.LOCAL_LIST)


def test_3_5_4_offline_token_expired_by_the_passage_of_time_is_rejected() -> None:
    policy = AuthorizationPolicy(allow_offline_tx_for_unknown_id=True)
    cached = {ALICE: IdTokenInfo(A.ACCEPTED, NOW)}
    decision = decide(ALICE, online=False, policy=policy, cached=cached)
    assert decision == LocalDecision(Verdict.REJECT, IdTokenInfo(A.EXPIRED, NOW), Source.CACHE)


def test_3_5_4_offline_unknown_token_with_allow_offline_tx_for_unknown_id() -> None:
    policy = AuthorizationPolicy(allow_offline_tx_for_unknown_id=True)
    assert decide(ALICE, online=False, policy=policy) == LocalDecision(
        Verdict.ACCEPT_UNKNOWN_OFFLINE
    )


def test_3_5_4_offline_unknown_token_is_rejected_by_default() -> None:
    decision = decide(ALICE, online=False, policy=AuthorizationPolicy())
    assert decision == LocalDecision(Verdict.REJECT, IdTokenInfo(A.UNKNOWN))


def test_9_1_12_offline_without_local_authorize_offline_treats_known_tokens_as_unknown() -> None:
    policy = AuthorizationPolicy(local_authorize_offline=False)
    decision = decide(ALICE, online=False, policy=policy, listed={ALICE: ACCEPTED})
    assert decision == LocalDecision(Verdict.REJECT, IdTokenInfo(A.UNKNOWN))
    policy = AuthorizationPolicy(
        local_authorize_offline=False, allow_offline_tx_for_unknown_id=True
    )
    decision = decide(ALICE, online=False, policy=policy, listed={ALICE: ACCEPTED})
    assert decision == LocalDecision(Verdict.ACCEPT_UNKNOWN_OFFLINE)


def test_9_2_1_disabled_list_is_not_consulted() -> None:
    policy = AuthorizationPolicy(local_pre_authorize=True, local_auth_list_enabled=False)
    decision = decide(ALICE, online=True, policy=policy, listed={ALICE: ACCEPTED})
    assert decision == LocalDecision(Verdict.ASK_CENTRAL)
    decision = decide(
        ALICE, online=False, policy=policy, listed={ALICE: BLOCKED}, cached={ALICE: ACCEPTED}
    )
    assert decision == LocalDecision(Verdict.ACCEPT, ACCEPTED, Source.CACHE)


def test_9_1_2_disabled_cache_is_not_consulted() -> None:
    policy = AuthorizationPolicy(authorization_cache_enabled=False)
    decision = decide(ALICE, online=False, policy=policy, cached={ALICE: ACCEPTED})
    assert decision == LocalDecision(Verdict.REJECT, IdTokenInfo(A.UNKNOWN))


def test_9_policy_defaults() -> None:
    assert AuthorizationPolicy() == AuthorizationPolicy(
        local_authorize_offline=True,
        local_pre_authorize=False,
        allow_offline_tx_for_unknown_id=False,
        authorize_remote_tx_requests=False,
        local_auth_list_enabled=True,
        authorization_cache_enabled=True,
    )


@pytest.mark.parametrize("authorize", [True, False])
def test_5_11_remote_start_authorization_follows_authorize_remote_tx_requests(
    authorize: bool,
) -> None:
    policy = AuthorizationPolicy(authorize_remote_tx_requests=authorize)
    assert remote_start_needs_authorization(policy) is authorize


# --- may_stop ----------------------------------------------------------------------------------


def test_3_4_the_starting_token_may_stop_without_authorization() -> None:
    assert may_stop(ALICE, None, IdToken("a11ce"), None)
    assert may_stop(ALICE, "FLEET", ALICE, BLOCKED)


def test_3_10_a_token_of_the_same_group_may_stop() -> None:
    assert may_stop(ALICE, "FLEET", BOB, IdTokenInfo(A.ACCEPTED, parent_id="fleet"))


def test_c09_fr_03_a_token_with_the_same_group_id_token_may_stop() -> None:
    info = IdTokenInfo(A.ACCEPTED, group_id_token=IdToken("FLEET", "Central"))
    assert may_stop(ALICE, "FLEET", BOB, info)


@pytest.mark.parametrize(
    ("started_parent", "info"),
    [
        ("FLEET", None),  # no answer for the other token
        ("FLEET", IdTokenInfo(A.BLOCKED, parent_id="FLEET")),  # not valid (C09.FR.03)
        ("FLEET", IdTokenInfo(A.EXPIRED, parent_id="FLEET")),
        ("FLEET", IdTokenInfo(A.ACCEPTED, parent_id="OTHER")),
        ("FLEET", IdTokenInfo(A.ACCEPTED)),  # no group
        (None, IdTokenInfo(A.ACCEPTED, parent_id="FLEET")),  # the transaction has no group
    ],
)
def test_3_10_other_tokens_may_not_stop(
    started_parent: str | None, info: IdTokenInfo | None
) -> None:
    assert not may_stop(ALICE, started_parent, BOB, info)


def test_3_10_a_parent_id_is_not_compared_with_a_token_value() -> None:
    assert not may_stop(ALICE, "B0B", BOB, IdTokenInfo(A.ACCEPTED))
