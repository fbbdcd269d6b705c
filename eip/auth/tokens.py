"""Invitation and reset links, two-factor set-up codes: random, stored hashed, single-use,
expiring.

The raw token exists only in the e-mail sent to the user; nobody, the admin
included, can read it back from the service.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app, url_for
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from eip.auth.models import AccountToken, User
from eip.mail import Mail, send

ENDPOINTS = {"invite": "auth.accept_invitation", "reset": "auth.reset_password"}


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(
    session: Session,
    user: User,
    purpose: str,
    now: datetime | None = None,
    *,
    raw: str | None = None,
) -> str:
    """A new token for the user; older unused tokens of the same purpose stop working.

    `raw` lets a caller choose the token's form (a code to type rather than a link)."""
    now = now or datetime.now(UTC)
    session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    raw = raw or secrets.token_urlsafe(32)
    hours = current_app.config["EIP_TOKEN_HOURS"][purpose]
    session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=_hash(raw),
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    return raw


def look_up(
    session: Session, raw: str, purpose: str, now: datetime | None = None
) -> tuple[str, AccountToken | None]:
    """("ok", token), or ("expired" | "used" | "unknown", None)."""
    now = now or datetime.now(UTC)
    token = session.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == _hash(raw), AccountToken.purpose == purpose
        )
    )
    if token is None:
        return "unknown", None
    if token.used_at is not None:
        return "used", None
    if token.expires_at <= now:
        return "expired", None
    return "ok", token


def link(raw: str, purpose: str) -> str:
    base = current_app.config["EIP_BASE_URL"]
    return base + url_for(ENDPOINTS[purpose], token=raw)


def send_invitation(user: User, raw: str) -> None:
    hours = current_app.config["EIP_TOKEN_HOURS"]["invite"]
    send(
        Mail(
            to=user.email,
            subject="Your EIP Tracker account",
            kind="invitation",
            body=(
                "You have been given an account on EIP Tracker, the case and budget tracker of the "
                "pan-London Early Intervention Project.\n\n"
                f"Choose your password here (the link works once, for {hours} hours):\n"
                f"{link(raw, 'invite')}\n\n"
                "If you were not expecting this, ignore this message.\n"
            ),
        )
    )


def send_reset(user: User, raw: str) -> None:
    hours = current_app.config["EIP_TOKEN_HOURS"]["reset"]
    send(
        Mail(
            to=user.email,
            subject="Reset your EIP Tracker password",
            kind="password_reset",
            body=(
                "Someone asked to reset the password of your EIP Tracker account.\n\n"
                f"Choose a new password here (the link works once, for {hours} hours):\n"
                f"{link(raw, 'reset')}\n\n"
                "If it was not you, ignore this message: your password has not changed.\n"
            ),
        )
    )
