"""Pseudonymous case IDs: keyed, stable, unrelated under another key, never a default key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluation import pseudonym

KEY = b"k" * 40
OTHER = b"o" * 40
references = st.integers(1, 9999).map(lambda n: f"EIP-2026-{n:04d}")


def test_the_same_key_and_case_always_give_the_same_id():
    assert pseudonym.case_id(KEY, "EIP-2026-0001") == pseudonym.case_id(KEY, "EIP-2026-0001")


def test_an_id_is_twenty_hex_characters():
    cid = pseudonym.case_id(KEY, "EIP-2026-0042")
    assert len(cid) == pseudonym.ID_LENGTH
    assert set(cid) <= set("0123456789abcdef")


@given(st.lists(references, min_size=1, max_size=60, unique=True))
def test_a_different_key_changes_every_id(refs):
    first = {pseudonym.case_id(KEY, r) for r in refs}
    second = {pseudonym.case_id(OTHER, r) for r in refs}
    assert first.isdisjoint(second)
    assert len(first) == len(refs)


def test_the_id_is_not_a_plain_hash_that_anyone_could_recompute():
    import hashlib

    plain = hashlib.sha256(b"EIP-2026-0001").hexdigest()[: pseudonym.ID_LENGTH]
    assert pseudonym.case_id(KEY, "EIP-2026-0001") != plain


def test_a_missing_key_is_refused_with_a_clear_message_in_every_environment():
    for env in ("development", "test", "production"):
        with pytest.raises(pseudonym.KeyRefused, match="EIP_PSEUDONYM_KEY is not set"):
            pseudonym.key_from({"EIP_ENV": env, "EIP_PSEUDONYM_KEY": ""})


def test_production_refuses_a_short_key_or_one_equal_to_the_secret_key():
    with pytest.raises(pseudonym.KeyRefused, match="at least 32 characters"):
        pseudonym.key_from({"EIP_ENV": "production", "EIP_PSEUDONYM_KEY": "short"})
    same = "s" * 40
    with pytest.raises(pseudonym.KeyRefused, match="must differ from SECRET_KEY"):
        pseudonym.key_from({"EIP_ENV": "production", "EIP_PSEUDONYM_KEY": same, "SECRET_KEY": same})


def test_a_good_key_is_used_as_given():
    key = "p" * 40
    config = {"EIP_ENV": "production", "EIP_PSEUDONYM_KEY": key, "SECRET_KEY": "x" * 40}
    assert pseudonym.key_from(config) == key.encode()


def test_the_key_check_tells_two_keys_apart_without_being_the_key():
    assert pseudonym.key_check(KEY) != pseudonym.key_check(OTHER)
    assert pseudonym.key_check(KEY) == pseudonym.key_check(KEY)
    assert KEY.decode()[:12] != pseudonym.key_check(KEY)[:12]
