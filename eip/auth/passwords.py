"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 256
MIN_ZXCVBN_SCORE = 3


@cache
def _hasher(cheap: bool) -> PasswordHasher:
    # The test suite signs in hundreds of times; it uses cheap parameters.
    # Hashes carry their own parameters, so verification works either way.
    if cheap:
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()  # argon2id, RFC 9106 low-memory profile


def hasher() -> PasswordHasher:
    return _hasher(current_app.config.get("EIP_ENV") == "test")


@cache
def _dummy_hash(cheap: bool) -> str:
    return _hasher(cheap).hash("no account has this password: it only costs time")


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check a password. With no stored hash (unknown e-mail, invitation not
    accepted) a dummy hash is checked instead, so that the answer takes as long
    as for a real account."""
    cheap = current_app.config.get("EIP_ENV") == "test"
    target = stored_hash or _dummy_hash(cheap)
    try:
        ok = hasher().verify(target, password[:MAX_LENGTH])
    except (VerificationError, InvalidHashError):
        ok = False
    return ok and stored_hash is not None


def password_problems(password: str, user_inputs: list[str] = ()) -> list[str]:
    """What is wrong with a new password, in words for the form. Empty when it is fine."""
    if len(password) < MIN_LENGTH:
        return [f"Password must be at least {MIN_LENGTH} characters"]
    if len(password) > MAX_LENGTH:
        return [f"Password must be {MAX_LENGTH} characters or fewer"]
    result = zxcvbn(password[:100], user_inputs=[i for i in user_inputs if i])
    if result["score"] < MIN_ZXCVBN_SCORE:
        warning = result["feedback"].get("warning") or ""
        message = "Password is too easy to guess"
        if warning:
            message += f": {warning[0].lower()}{warning[1:].rstrip('.')}"
        return [message + ". Try a longer phrase of unrelated words"]
    return []
