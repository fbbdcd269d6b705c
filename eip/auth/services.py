"""Sign-in, two-factor and password changes: the rules, the writes, the audit.

Each function owns its transaction. The messages a user sees are chosen so that
they never tell whether an e-mail address has an account, or whether a password
was right on a locked account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from eip.audit import record
from eip.auth import passwords, throttle, totp
from eip.auth.models import RecoveryCode, User
from eip.auth.sessions import end_all_sessions, end_other_sessions, start_session
from eip.domain import RuleBroken

GENERIC_FAILURE = "Enter a correct email address and password"
LOCKED = "Too many failed attempts. Wait 15 minutes, then try again"
CODE_FAILURE = "Enter a correct security code"


class RateLimited(Exception):
    """Too many sign-in attempts from one network address."""


@dataclass(frozen=True)
class SignInOutcome:
    status: str  # "signed_in", "second_factor", "failed", "locked"
    message: str | None = None
    user_id: int | None = None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def sign_in(session: Session, email: str, password: str, address: str) -> SignInOutcome:
    now = datetime.now(UTC)
    email = normalise_email(email)
    # Only failures count against the address (eip.auth.throttle).
    if throttle.address_blocked(session, address, now):
        raise RateLimited
    user = find_user(session, email)
    if throttle.locked_until(session, email, now):
        # Still spend the hash time: a locked answer must not come back faster.
        passwords.verify_password(None, password)
        throttle.record_address_failure(session, address, now)
        record(
            session, "auth.sign_in_locked", actor=user, actor_label=None if user else "anonymous"
        )
        session.commit()
        return SignInOutcome("locked", LOCKED)
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        locked = throttle.record_failure(session, email, now)
        throttle.record_address_failure(session, address, now)
        record(
            session,
            "auth.sign_in_failed",
            actor=user,
            actor_label=None if user else "anonymous",
            details={"locked": locked},
        )
        session.commit()
        return SignInOutcome(
            "locked" if locked else "failed", LOCKED if locked else GENERIC_FAILURE
        )
    if passwords.hasher().check_needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    if user.two_factor_enabled:
        session.commit()
        return SignInOutcome("second_factor", user_id=user.id)
    return _complete(session, user, now, method="password")


def _complete(session: Session, user: User, now: datetime, method: str) -> SignInOutcome:
    throttle.clear_failures(session, user.email)
    start_session(session, user, now)
    record(session, "auth.sign_in", actor=user, details={"method": method})
    session.commit()
    return SignInOutcome("signed_in", user_id=user.id)


def second_factor(session: Session, user_id: int, code: str) -> SignInOutcome:
    """Check a TOTP or recovery code for a user who gave the right password.

    The user's row is locked first, so that the same code sent from several sessions
    at once is checked one at a time: the first moves `totp_last_counter` on (or
    spends the recovery code) and the others then find it used.
    """
    now = datetime.now(UTC)
    # OF users: the borough is joined in, and PostgreSQL cannot lock an outer join's side.
    user = session.get(User, user_id, with_for_update={"of": User}, populate_existing=True)
    if user is None or not user.active or not user.two_factor_enabled:
        session.rollback()
        return SignInOutcome("failed", GENERIC_FAILURE)
    if throttle.locked_until(session, user.email, now):
        record(session, "auth.sign_in_locked", actor=user)
        session.commit()
        return SignInOutcome("locked", LOCKED)
    counter = totp.matching_counter(user.totp_secret, code, user.totp_last_counter, now)
    if counter is not None:
        user.totp_last_counter = counter
        return _complete(session, user, now, method="totp")
    if _spend_recovery_code(session, user, code, now):
        return _complete(session, user, now, method="recovery_code")
    locked = throttle.record_failure(session, user.email, now)
    record(session, "auth.two_factor_failed", actor=user, details={"locked": locked})
    session.commit()
    return SignInOutcome("locked" if locked else "failed", LOCKED if locked else CODE_FAILURE)


def _spend_recovery_code(session: Session, user: User, code: str, now: datetime) -> bool:
    """Mark the code used if it is one of the user's unused codes; True if this call spent it.

    A conditional update: of two transactions spending the same code only one
    changes the row, even without the lock on the user.
    """
    if len(totp.normalise_recovery_code(code)) != 12:
        return False
    spent = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == totp.hash_recovery_code(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return spent.rowcount == 1


def enable_two_factor(session: Session, user: User, secret: str, code: str) -> list[str] | None:
    """Turn on TOTP if the code matches the new secret; returns the recovery codes to show once."""
    now = datetime.now(UTC)
    counter = totp.matching_counter(secret, code, None, now)
    if counter is None:
        return None
    user.totp_secret, user.totp_last_counter, user.totp_enabled_at = secret, counter, now
    session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        .values(used_at=now)
    )
    codes = totp.new_recovery_codes()
    session.add_all(
        RecoveryCode(user_id=user.id, code_hash=totp.hash_recovery_code(c)) for c in codes
    )
    record(session, "account.two_factor_enabled", actor=user, object_type="user", object_id=user.id)
    session.commit()
    return codes


def new_password_problems(user: User, new: str | None) -> dict[str, str]:
    """What is wrong with the new password, by form field ("password"); empty when fine."""
    problems = passwords.password_problems(new or "", [user.email, user.name])
    return {"password": problems[0]} if problems else {}


def check_new_password(user: User, new: str | None) -> None:
    """The new password's rules for a form that failed its own checks (eip/steps.validate):
    `RuleBroken` beside the field; nothing is written and no attempt is counted."""
    if new and (problems := new_password_problems(user, new)):
        raise RuleBroken(errors=problems)


def change_password(
    session: Session, user: User, current: str, new: str, *, keep_session: str | None = None
) -> dict[str, str]:
    """Returns problems for the form by field ("current", "password"), all at once: a wrong
    current password and a weak new one are both said; empty when the password was changed.

    A wrong current password counts towards the lockout like a failed sign-in: a
    stolen session must not be a way to guess the password without limit. Once
    changed, every other session of the user ends; `keep_session` (the token of the
    session that made the change) stays.
    """
    now = datetime.now(UTC)
    if throttle.locked_until(session, user.email, now):
        passwords.verify_password(None, current)
        record(session, "auth.sign_in_locked", actor=user)
        session.commit()
        return {"current": LOCKED}
    if not passwords.verify_password(user.password_hash, current):
        locked = throttle.record_failure(session, user.email, now)
        record(
            session,
            "account.password_change_failed",
            actor=user,
            object_type="user",
            object_id=user.id,
            details={"locked": locked},
        )
        session.commit()
        return {
            "current": LOCKED if locked else "Your current password is not right",
            **new_password_problems(user, new),
        }
    problems = new_password_problems(user, new)
    if problems:
        return problems
    user.password_hash, user.password_changed_at = passwords.hash_password(new), now
    ended = end_other_sessions(session, user.id, keep_session, "password_changed", now)
    throttle.clear_failures(session, user.email)
    record(
        session,
        "account.password_changed",
        actor=user,
        object_type="user",
        object_id=user.id,
        details={"sessions_ended": ended},
    )
    session.commit()
    return {}


def set_password(session: Session, user: User, new: str, *, reason: str) -> list[str]:
    """Set a password from an invitation or reset link (the caller spent the token)."""
    problems = passwords.password_problems(new, [user.email, user.name])
    if problems:
        return problems
    now = datetime.now(UTC)
    user.password_hash, user.password_changed_at = passwords.hash_password(new), now
    # Anyone signed in with the old password is signed out.
    end_all_sessions(session, user.id, "password_reset", now)
    throttle.clear_failures(session, user.email)
    record(
        session,
        f"account.password_set_by_{reason}",
        actor=user,
        object_type="user",
        object_id=user.id,
    )
    return []
