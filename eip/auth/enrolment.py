"""Setting up two-factor sign-in: who may, and where the new key waits until confirmed.

Where two-factor sign-in is required (production), the password alone must not be enough to
tie an account to an authenticator app: someone who learnt the password of an account that
has not enrolled yet (or whose two-factor an admin reset) could otherwise enrol their own
phone and own the account. So the first enrolment needs one more proof, held by the session:

- the session came through the invitation link (the browser that chose the password signs
  in and may enrol), or
- the user typed a single-use set-up code sent to their e-mail address, by an admin or
  when an admin reset their two-factor sign-in.

Until a code from the app confirms it, the new TOTP key is not stored on the account: it
waits encrypted in the user's session cookie, for 30 minutes.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from flask import current_app, session
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from eip.audit import record
from eip.auth import secretbox, throttle, tokens, totp
from eip.auth.models import AccountToken, User, UserSession
from eip.mail import Mail, send

PENDING_SECRET = "pending_totp_secret"  # noqa: S105 (a session key name)
PENDING_FOR = timedelta(minutes=30)
INVITATION_GRANT = "enrol_after_invitation"
INVITATION_GRANT_FOR = timedelta(hours=1)


# ---------------------------------------------------------------------------
# The key waiting for confirmation


def pending_secret() -> str:
    """The key being set up in this browser, made on first use; never written to the account."""
    token = session.get(PENDING_SECRET)
    if token:
        try:
            return secretbox.decrypt(token, ttl=int(PENDING_FOR.total_seconds()))
        except secretbox.InvalidToken:
            pass
    secret = totp.new_secret()
    session[PENDING_SECRET] = secretbox.encrypt(secret)
    return secret


def forget_pending_secret() -> None:
    session.pop(PENDING_SECRET, None)


# ---------------------------------------------------------------------------
# Who may enrol


def _session_row(db_session: Session, token: str | None) -> UserSession | None:
    if not token:
        return None
    return db_session.scalar(
        select(UserSession).where(
            UserSession.token_hash == hashlib.sha256(token.encode()).hexdigest()
        )
    )


def needs_proof(db_session: Session, user: User) -> bool:
    """True if this session may not enrol yet: it must first show a set-up code."""
    if not current_app.config["EIP_TWO_FACTOR_REQUIRED"]:
        return False
    row = _session_row(db_session, user.session_token)
    return row is None or not row.may_enrol_two_factor


def allow_this_session(db_session: Session, token: str | None) -> None:
    """Mark the session as one that may enrol (caller commits)."""
    if token:
        db_session.execute(
            update(UserSession)
            .where(UserSession.token_hash == hashlib.sha256(token.encode()).hexdigest())
            .values(may_enrol_two_factor=True)
        )


def remember_invitation(user_id: int, now: datetime) -> None:
    """The invitation link was used in this browser: its next sign-in as that user may enrol."""
    session[INVITATION_GRANT] = {"user_id": user_id, "at": now.isoformat()}


def invitation_grant(now: datetime) -> int | None:
    """The user id the browser's invitation grant is for, if fresh. A successful sign-in
    starts a fresh cookie, so the grant is used up by the sign-in it was taken for; a
    mistyped password leaves it for the next try."""
    grant = session.get(INVITATION_GRANT)
    if not isinstance(grant, dict):
        return None
    try:
        at = datetime.fromisoformat(grant["at"])
        user_id = int(grant["user_id"])
    except (KeyError, TypeError, ValueError):
        return None
    return user_id if now - at <= INVITATION_GRANT_FOR else None


# ---------------------------------------------------------------------------
# Set-up codes sent by e-mail


def normalise_code(code: str) -> str:
    return totp.normalise_recovery_code(code)


def issue_code(db_session: Session, user: User, now: datetime | None = None) -> str:
    """A new set-up code for the user (older ones stop working); returns it to e-mail."""
    code = totp.new_recovery_codes()[0]
    tokens.issue(db_session, user, "enrol", now, raw=normalise_code(code))
    return code


def redeem_code(
    db_session: Session, user: User, code: str, session_token: str | None
) -> str | None:
    """Spend a set-up code for this session; returns a problem for the form, or None.

    Wrong codes count towards the sign-in lockout, as wrong security codes do."""
    now = datetime.now(UTC)
    if throttle.locked_until(db_session, user.email, now):
        db_session.rollback()
        return "Too many failed attempts. Wait 15 minutes, then try again"
    status, token = tokens.look_up(db_session, normalise_code(code), "enrol", now)
    if token is None or token.user_id != user.id:
        locked = throttle.record_failure(db_session, user.email, now)
        record(
            db_session,
            "account.two_factor_code_failed",
            actor=user,
            object_type="user",
            object_id=user.id,
            details={"locked": locked, "status": status},
        )
        db_session.commit()
        if status in ("used", "expired") and not locked:
            return f"That set-up code has {'been used' if status == 'used' else 'expired'}"
        return (
            "Too many failed attempts. Wait 15 minutes, then try again"
            if locked
            else "Enter the set-up code from your email"
        )
    # Spent with a conditional update, so the same code cannot open two sessions.
    spent = db_session.execute(
        update(AccountToken)
        .where(AccountToken.id == token.id, AccountToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if spent != 1:
        db_session.rollback()
        return "That set-up code has been used"
    allow_this_session(db_session, session_token)
    record(
        db_session,
        "account.two_factor_code_used",
        actor=user,
        object_type="user",
        object_id=user.id,
    )
    db_session.commit()
    return None


def send_code(user: User, code: str) -> None:
    """E-mail a set-up code (raises MailNotSent). `user` needs only `.email`."""
    hours = current_app.config["EIP_TOKEN_HOURS"]["enrol"]
    send(
        Mail(
            to=user.email,
            subject="Your EIP Tracker two-factor set-up code",
            kind="two_factor_code",
            body=(
                "An administrator asked for you to set up two-factor sign-in on EIP Tracker.\n\n"
                "Sign in with your password, then enter this set-up code when asked "
                f"(it works once, for {hours} hours):\n\n"
                f"    {code}\n\n"
                "If you were not expecting this, tell your administrator.\n"
            ),
        )
    )
