"""Secrets kept at rest, encrypted: the TOTP keys of two-factor sign-in.

A TOTP key is a shared secret: whoever reads it from a database copy or backup can make
codes for that account. It is therefore stored encrypted with Fernet (AES-128-CBC with an
HMAC-SHA256, from the maintained `cryptography` package).

The key is `EIP_TOTP_ENCRYPTION_KEY` when set (a Fernet key: `Fernet.generate_key()`), else
derived from `SECRET_KEY` with HKDF under its own context string, so that the key that signs
cookies is never itself the encryption key. Changing the key that is in use makes every stored
TOTP key unreadable: everyone then has to enrol again (see docs/operations.md).
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Mapping
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

KEY_SETTING = "EIP_TOTP_ENCRYPTION_KEY"
_HKDF_CONTEXT = b"eip-tracker totp-secret encryption v1"
# Every Fernet token starts with its version byte 0x80, "gAAAAA" in base64; a base32 TOTP
# key (A-Z, 2-7) never can. The migration uses this to tell old plaintext from ciphertext.
TOKEN_PREFIX = "gAAAAA"  # noqa: S105 (not a secret)

# What an encrypted value reads as when the key in use did not encrypt it.
UNREADABLE = "(unreadable: encrypted with another key)"
logger = logging.getLogger("eip.auth")

__all__ = ["UNREADABLE", "EncryptedString", "InvalidToken", "decrypt", "encrypt", "valid_key"]


def derive_key(secret_key: str) -> bytes:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_CONTEXT).derive(
        secret_key.encode()
    )
    return base64.urlsafe_b64encode(raw)


def valid_key(value: str) -> bool:
    try:
        Fernet(value.encode())
    except (ValueError, TypeError):
        return False
    return True


def fernet(config: Mapping[str, Any] | None = None) -> Fernet:
    config = current_app.config if config is None else config
    key = config.get(KEY_SETTING) or derive_key(config["SECRET_KEY"])
    return Fernet(key if isinstance(key, bytes) else key.encode())


def encrypt(plain: str, config: Mapping[str, Any] | None = None) -> str:
    return fernet(config).encrypt(plain.encode()).decode("ascii")


def decrypt(token: str, config: Mapping[str, Any] | None = None, ttl: int | None = None) -> str:
    """Raises InvalidToken if the token was not made with this key, was altered, or is older
    than `ttl` seconds."""
    return fernet(config).decrypt(token.encode("ascii"), ttl=ttl).decode()


class EncryptedString(TypeDecorator):
    """A string column whose value is encrypted on the way in and decrypted on the way out,
    so that Python code reads and writes plaintext and the database holds only ciphertext."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        try:
            return decrypt(value)
        except InvalidToken:
            # The key changed: every page that loads an account must still work. The value
            # matches no code (eip/auth/totp.py), and the admin can reset two-factor.
            logger.error(
                "stored secret unreadable", extra={"fields": {"event": "secret_unreadable"}}
            )
            return UNREADABLE
