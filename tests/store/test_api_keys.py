"""API keys: shown once, stored hashed, verified in constant time."""

from __future__ import annotations

import hmac

import pytest

from chargeyard.store import NotFoundError, Store, hashing
from chargeyard.store.hashing import hash_password, verify_secret
from chargeyard.store.models import ApiKey
from chargeyard.store.repositories import api_keys as api_keys_module
from chargeyard.store.repositories._verified_keys import VerifiedKeys


@pytest.mark.usefixtures("product_hash_costs")
async def test_create_returns_the_key_once_and_stores_only_a_hash(store: Store) -> None:
    api_key, plaintext = await store.api_keys.create("ci")
    scheme, prefix, secret = plaintext.split("_", 2)
    assert (scheme, prefix, api_key.prefix) == ("cy", api_key.prefix, prefix)
    assert len(secret) >= 40
    stored = await store.api_keys.get(api_key.id)
    assert stored is not None
    assert secret not in stored.key_hash
    assert plaintext not in stored.key_hash
    assert stored.key_hash.startswith("scrypt$1024$8$1$")  # 1 MiB: 256 random bits need no more
    assert [key.name for key in await store.api_keys.list()] == ["ci"]


async def test_verify_accepts_the_key_and_refuses_anything_else(store: Store) -> None:
    api_key, plaintext = await store.api_keys.create("ci")
    _, other = await store.api_keys.create("other")

    verified = await store.api_keys.verify(plaintext)
    assert verified is not None
    assert verified.id == api_key.id
    assert verified.last_used_at is not None

    wrong_secret = plaintext[:-4] + ("AAAA" if not plaintext.endswith("AAAA") else "BBBB")
    unknown_prefix = "cy_ffffffff_" + plaintext.split("_", 2)[2]
    other_secret_on_this_prefix = f"cy_{api_key.prefix}_" + other.split("_", 2)[2]
    for bad in (wrong_secret, unknown_prefix, other_secret_on_this_prefix, "", "cy_", "nope"):
        assert await store.api_keys.verify(bad) is None, bad


async def test_the_comparison_is_constant_time(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[bytes, bytes]] = []
    compare_digest = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return compare_digest(a, b)

    monkeypatch.setattr(hashing.hmac, "compare_digest", spy)
    _, plaintext = await store.api_keys.create("ci")
    assert await store.api_keys.verify(plaintext) is not None
    assert await store.api_keys.verify(plaintext[:-1] + "x") is None
    # An unknown prefix still costs one hash and one comparison (against a dummy).
    assert await store.api_keys.verify("cy_00000001_" + "x" * 43) is None
    assert len(calls) == 3
    assert all(len(a) == len(b) == 32 for a, b in calls)


async def test_deleted_keys_stop_working(store: Store) -> None:
    api_key, plaintext = await store.api_keys.create("ci")
    await store.api_keys.delete(api_key.id)
    assert await store.api_keys.verify(plaintext) is None
    with pytest.raises(NotFoundError):
        await store.api_keys.delete(api_key.id)


@pytest.mark.usefixtures("product_hash_costs")
def test_hashes_are_salted_and_self_describing() -> None:
    first, second = hash_password("same"), hash_password("same")
    assert first != second
    assert first.startswith("scrypt$16384$8$1$")  # 16 MiB
    assert verify_secret("same", first)
    assert verify_secret("same", second)
    assert not verify_secret("other", first)
    assert not verify_secret("same", "bcrypt$whatever")
    assert not verify_secret("same", "scrypt$not$numbers$x$y$z")


async def test_a_verified_key_is_remembered_and_a_wrong_one_never_is(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashed: list[str] = []

    def counting(secret: str, stored: str) -> bool:
        hashed.append(secret)
        return verify_secret(secret, stored)

    monkeypatch.setattr(api_keys_module, "verify_secret", counting)
    _, plaintext = await store.api_keys.create("ci")
    first, second = await store.api_keys.verify(plaintext), await store.api_keys.verify(plaintext)
    assert first is not None
    assert second is not None
    assert first.id == second.id
    wrong = plaintext[:-1] + ("x" if plaintext[-1] != "x" else "y")
    assert await store.api_keys.verify(wrong) is None
    assert await store.api_keys.verify(wrong) is None
    assert hashed == [plaintext, wrong, wrong]  # the good key hashed once, the wrong each time


async def test_a_revoked_key_is_refused_at_once_even_if_remembered(store: Store) -> None:
    api_key, plaintext = await store.api_keys.create("ci")
    assert await store.api_keys.verify(plaintext) is not None
    await store.api_keys.delete(api_key.id)
    assert await store.api_keys.verify(plaintext) is None


def test_a_remembered_key_expires_after_the_ttl() -> None:
    now = 1000.0
    keys = VerifiedKeys(ttl=60.0, clock=lambda: now)
    api_key = ApiKey(id="key_1", name="ci", prefix="0123abcd", key_hash="-")
    keys.add("cy_0123abcd_secret", api_key)
    assert keys.get("cy_0123abcd_secret") is api_key
    assert keys.get("cy_0123abcd_secreT") is None
    now += 60.0
    assert keys.get("cy_0123abcd_secret") is None
