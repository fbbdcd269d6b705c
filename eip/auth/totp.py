"""Time-based one-time passwords (RFC 6238) and recovery codes."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime

import pyotp
import segno

ISSUER = "EIP Tracker"
STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
# Crockford-style alphabet: no 0/O or 1/I/L to misread from a printed sheet.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_BASE32 = re.compile(r"[A-Z2-7]+=*")


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """An inline SVG QR code (no style attributes, so the CSP allows it)."""
    return segno.make(uri, error="m").svg_inline(
        scale=5, border=2, title="QR code for your authenticator app"
    )


def matching_counter(secret: str, code: str, last_counter: int | None, now: datetime) -> int | None:
    """The time step a code belongs to, if it is valid now (±1 step) and newer than the last used.

    Refusing steps at or before the last accepted one stops a code seen over a
    shoulder or in a log from being used again.
    """
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6 or not _BASE32.fullmatch(secret):
        return None  # a secret that could not be decrypted matches nothing
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    for counter in (current - 1, current, current + 1):
        if last_counter is not None and counter <= last_counter:
            continue
        if hmac.compare_digest(totp.generate_otp(counter), code):
            return counter
    return None


def new_recovery_codes() -> list[str]:
    def one() -> str:
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(12))
        return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"

    return [one() for _ in range(RECOVERY_CODE_COUNT)]


def normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def hash_recovery_code(code: str) -> str:
    # Codes carry about 59 bits of randomness: a plain hash is enough.
    return hashlib.sha256(normalise_recovery_code(code).encode()).hexdigest()
