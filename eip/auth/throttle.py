"""Lockout after repeated failures, and a rate limit per network address.

Both live in the database so that every web worker sees the same counts. Keys
are keyed hashes: an unknown e-mail is counted and locked exactly like a real
one ("locked" must reveal nothing), and the table holds no addresses in clear.

The address is the client's own (`request.remote_addr`): behind a TLS proxy the
app factory's ProxyFix takes it from X-Forwarded-For, trusting only as many hops
as EIP_TRUSTED_PROXIES says (docs/operations.md). Only failed sign-ins count
against an address, so staff signing in from one office network do not lock
each other out.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from eip.auth.models import SignInThrottle


@dataclass(frozen=True)
class Limits:
    failures: int = 5
    lock_for: timedelta = timedelta(minutes=15)
    failure_window: timedelta = timedelta(minutes=15)
    address_attempts: int = 30
    address_window: timedelta = timedelta(minutes=10)


def limits() -> Limits:
    config = current_app.config
    return Limits(
        failures=config.get("EIP_LOCKOUT_FAILURES", 5),
        lock_for=timedelta(minutes=config.get("EIP_LOCKOUT_MINUTES", 15)),
        address_attempts=config.get("EIP_SIGN_IN_ATTEMPTS_PER_ADDRESS", 30),
    )


def throttle_key(kind: str, value: str) -> str:
    digest = hmac.new(
        current_app.config["SECRET_KEY"].encode(),
        f"{kind}:{value.strip().lower()}".encode(),
        hashlib.sha256,
    ).hexdigest()
    return f"{kind}:{digest}"


def _row(session: Session, key: str, now: datetime) -> SignInThrottle:
    """The counter row, locked for this transaction. Created with ON CONFLICT DO NOTHING:
    several first failures at once would otherwise each insert it and all but one
    fail on the primary key (a 500 on PostgreSQL)."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(SignInThrottle)
        .values(key=key, count=0, window_started_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    return session.get(SignInThrottle, key, with_for_update=True, populate_existing=True)


def locked_until(session: Session, email: str, now: datetime) -> datetime | None:
    row = session.get(SignInThrottle, throttle_key("email", email))
    if row is not None and row.locked_until is not None and row.locked_until > now:
        return row.locked_until
    return None


def record_failure(session: Session, email: str, now: datetime) -> bool:
    """Count a failed sign-in or code; True when this failure locks the account."""
    rules = limits()
    row = _row(session, throttle_key("email", email), now)
    if now - row.window_started_at > rules.failure_window:
        row.count, row.window_started_at = 0, now
    row.count += 1
    if row.count >= rules.failures:
        row.locked_until = now + rules.lock_for
        row.count, row.window_started_at = 0, now
        return True
    return False


def clear_failures(session: Session, email: str) -> None:
    session.execute(
        delete(SignInThrottle).where(SignInThrottle.key == throttle_key("email", email))
    )


def _address_row_count(row: SignInThrottle | None, now: datetime, rules: Limits) -> int:
    if row is None or now - row.window_started_at > rules.address_window:
        return 0
    return row.count


def address_blocked(session: Session, address: str, now: datetime) -> bool:
    """Whether this address has used up its attempts; counts nothing."""
    rules = limits()
    row = session.get(SignInThrottle, throttle_key("address", address or "unknown"))
    return _address_row_count(row, now, rules) >= rules.address_attempts


def record_address_failure(session: Session, address: str, now: datetime) -> None:
    """Count one failed sign-in from this address."""
    rules = limits()
    row = _row(session, throttle_key("address", address or "unknown"), now)
    if now - row.window_started_at > rules.address_window:
        row.count, row.window_started_at = 0, now
    row.count += 1


def address_allowed(session: Session, address: str, now: datetime) -> bool:
    """Count one attempt from this address (a password-reset request, which has no
    success or failure that can be told apart); False once over the limit."""
    rules = limits()
    record_address_failure(session, address, now)
    row = session.get(SignInThrottle, throttle_key("address", address or "unknown"))
    return _address_row_count(row, now, rules) <= rules.address_attempts
