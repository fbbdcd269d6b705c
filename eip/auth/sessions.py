"""Server-side sessions on top of Flask-Login.

The signed cookie carries only a random token; the `user_sessions` row it
points to is the session. Sign-out, disabling an account and the idle and
absolute limits end that row, so a copied cookie stops working at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from functools import cache

from flask import current_app, session
from flask_login import LoginManager, login_user, logout_user
from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import Session, joinedload

from eip import layout
from eip.auth.models import User, UserSession
from eip.db import write_now
from eip.extensions import db

login_manager = LoginManager()
login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Sign in to continue."
login_manager.login_message_category = "info"
# The server-side session row is the protection; Flask-Login's own "strong"
# mode would also end sessions on harmless changes of network address.
login_manager.session_protection = None

# Writing last_seen_at on every request would make each page a write.
TOUCH_AFTER = timedelta(seconds=60)


def session_limits() -> tuple[timedelta, timedelta]:
    config = current_app.config
    return (
        timedelta(minutes=config["EIP_SESSION_IDLE_MINUTES"]),
        timedelta(hours=config["EIP_SESSION_ABSOLUTE_HOURS"]),
    )


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db_session: Session, user: User, now: datetime) -> str:
    """Begin a server-side session for a fully authenticated user (caller commits)."""
    token = secrets.token_urlsafe(32)
    db_session.add(
        UserSession(token_hash=_hash(token), user_id=user.id, created_at=now, last_seen_at=now)
    )
    user.last_sign_in_at = now
    user.session_token = token
    # A fresh cookie for the new session: nothing from before sign-in carries over.
    session.clear()
    login_user(user)
    return token


def end_session(db_session: Session, token: str | None, reason: str, now: datetime) -> None:
    if token:
        db_session.execute(
            update(UserSession)
            .where(UserSession.token_hash == _hash(token), UserSession.ended_at.is_(None))
            .values(ended_at=now, end_reason=reason)
        )


def end_all_sessions(db_session: Session, user_id: int, reason: str, now: datetime) -> int:
    return db_session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    ).rowcount


def end_other_sessions(
    db_session: Session, user_id: int, keep_token: str | None, reason: str, now: datetime
) -> int:
    """End every session of the user except the one holding `keep_token` (caller commits)."""
    query = update(UserSession).where(
        UserSession.user_id == user_id, UserSession.ended_at.is_(None)
    )
    if keep_token:
        query = query.where(UserSession.token_hash != _hash(keep_token))
    return db_session.execute(query.values(ended_at=now, end_reason=reason)).rowcount


def sign_out_current(db_session: Session, user: User, reason: str) -> None:
    end_session(db_session, getattr(user, "session_token", None), reason, datetime.now(UTC))
    db_session.commit()
    logout_user()
    session.clear()


def why_session_is_over(row: UserSession, now: datetime) -> str | None:
    idle, absolute = session_limits()
    if row.ended_at is not None:
        return "ended"
    if not row.user.active:
        return "disabled"
    if now - row.last_seen_at > idle:
        return "idle"
    if now - row.created_at > absolute:
        return "absolute"
    return None


@cache
def _session_query() -> Select:
    """Every signed-in page starts here: the session row, its user and what the layout shows
    on every page (eip/layout.py) in one query. Built once: building it, and its cache key,
    took longer than running it."""
    return (
        select(UserSession, *layout.columns(UserSession.user_id))
        .options(joinedload(UserSession.user))
        .where(UserSession.token_hash == bindparam("token_hash"))
    )


@login_manager.user_loader
def load_user(token: str) -> User | None:
    now = datetime.now(UTC)
    found = db.session.execute(_session_query(), {"token_hash": _hash(token)}).first()
    if found is None:
        return None
    row, unread, demo = found
    reason = why_session_is_over(row, now)
    # Every request starts here, GETs too: the writes below are a GET's (eip/db.py, write_now).
    if reason is not None:
        if reason != "ended":
            with write_now(db.session):
                row.ended_at, row.end_reason = now, reason
                db.session.commit()
        return None
    # At most one write a minute per session (TOUCH_AFTER): a page is a read.
    if now - row.last_seen_at > TOUCH_AFTER:
        with write_now(db.session):
            row.last_seen_at = now
            db.session.commit()
    user = row.user
    user.session_token = token
    layout.remember(unread, demo)
    return user
