"""Pseudonymous case IDs: keyed HMAC-SHA256 of the case reference. Pure, no Flask.

The same key gives the same ID for a case in every extract, so SCIE can follow a case
from one release to the next; without the key nobody can go from an ID back to the
case (a plain hash of `EIP-2026-0001` could be reversed by trying all ten thousand
references). The key is `EIP_PSEUDONYM_KEY`, separate from `SECRET_KEY`, so that
rotating the session secret never re-identifies or re-shuffles the evaluation data.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

ID_LENGTH = 20  # hex characters: 80 bits, no collision among any number of cases we hold
MIN_KEY_LENGTH = 32

MISSING_KEY = (
    "Evaluation extracts are refused: EIP_PSEUDONYM_KEY is not set. Set it to a random "
    f"secret of at least {MIN_KEY_LENGTH} characters, different from SECRET_KEY, and keep it "
    "safe: every pseudonymous ID depends on it"
)
SHORT_KEY = (
    f"Evaluation extracts are refused: EIP_PSEUDONYM_KEY must be at least {MIN_KEY_LENGTH} "
    "characters in production"
)
SAME_AS_SECRET = "Evaluation extracts are refused: EIP_PSEUDONYM_KEY must differ from SECRET_KEY"  # noqa: S105


class KeyRefused(Exception):
    """No safe pseudonym key: an extract must not be written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def key_from(config: Mapping[str, Any]) -> bytes:
    """The key to pseudonymise with. In production there is no fallback of any kind.

    `eip.config` already refuses to start production without the key; this check stands
    on its own anyway, because an extract written with a guessable key could be
    re-identified by anyone who guessed it. Development and test installations use the
    key `eip.config` generated once in the instance folder.
    """
    key = config.get("EIP_PSEUDONYM_KEY") or ""
    if not key:
        raise KeyRefused(MISSING_KEY)
    if config.get("EIP_ENV") == "production":
        if len(key) < MIN_KEY_LENGTH:
            raise KeyRefused(SHORT_KEY)
        if key == config.get("SECRET_KEY"):
            raise KeyRefused(SAME_AS_SECRET)
    return key.encode("utf-8")


def case_id(key: bytes, reference: str) -> str:
    """The case's pseudonymous ID: the same for the same key and reference, always."""
    if not key:
        raise KeyRefused(MISSING_KEY)
    digest = hmac.new(key, b"eip-case:" + reference.encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()[:ID_LENGTH]


def key_check(key: bytes) -> str:
    """A short fingerprint of the key, stored with each extract, so that a change of key
    (which changes every ID) can be pointed out before a release. It reveals nothing of
    the key: it is an HMAC of a fixed label."""
    return hmac.new(key, b"eip-key-check", hashlib.sha256).hexdigest()[:12]
