"""Accounts and everything that proves who is signed in."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eip.auth.secretbox import EncryptedString
from eip.db import UTCDateTime, utcnow
from eip.extensions import db
from eip.models import Borough
from eip.roles import Role


class User(UserMixin, db.Model):
    """A person who signs in. Never deleted but disabled, so the audit trail keeps its actors."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IS NULL OR role IN "
            "('practitioner','manager','spoc','finance','evaluator','admin')",
            name="role_known",
        ),
        CheckConstraint("role != 'spoc' OR borough_id IS NOT NULL", name="spoc_has_borough"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # None until a manager approves a role that sees personal data.
    role: Mapped[str | None] = mapped_column(String(20))
    borough_id: Mapped[int | None] = mapped_column(ForeignKey("boroughs.id"))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Encrypted at rest (eip/auth/secretbox.py); set only once enrolment is confirmed.
    totp_secret: Mapped[str | None] = mapped_column(EncryptedString(255))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last accepted TOTP time step: a code from it or before is a replay.
    totp_last_counter: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Reminders by e-mail: "immediate" (one e-mail each) or "digest" (one a day at 07:00
    # London); see eip/notifications/centre.py.
    notification_email: Mapped[str] = mapped_column(
        String(10), default="immediate", server_default="immediate"
    )

    borough: Mapped[Borough | None] = relationship(lazy="joined")

    # Set when loaded through a server-side session; Flask-Login's id is the session token.
    session_token: ClassVar[str | None] = None

    def get_id(self) -> str | None:
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def role_enum(self) -> Role | None:
        return Role(self.role) if self.role else None

    @property
    def role_label(self) -> str:
        return self.role_enum.label if self.role_enum else "No role yet"

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_enabled_at is not None

    def has_role(self, *roles: Role) -> bool:
        return self.role is not None and Role(self.role) in roles

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class UserSession(db.Model):
    """One row per sign-in. The browser holds only a random token whose hash is kept here,
    so that sign-out, disabling and the time limits end the session wherever the cookie went."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(30))
    # Where two-factor sign-in is required, a first enrolment (or one after an admin reset)
    # needs more than the password: this session came through the invitation link or was
    # given an e-mailed set-up code. See eip/auth/enrolment.py.
    may_enrol_two_factor: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=sa_false()
    )

    user: Mapped[User] = relationship()


class RecoveryCode(db.Model):
    """One-time two-factor recovery codes, stored hashed."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AccountToken(db.Model):
    """Invitation and password-reset links, two-factor set-up codes: hashed, single-use,
    expiring."""

    __tablename__ = "account_tokens"
    __table_args__ = (
        CheckConstraint("purpose IN ('invite','reset','enrol')", name="purpose_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class SignInThrottle(db.Model):
    """Failed sign-ins per e-mail (lockout) and attempts per address (rate limit).

    Keyed by a keyed hash, so that an unknown e-mail is locked exactly like a
    known one and the table holds no addresses in the clear.
    """

    __tablename__ = "sign_in_throttles"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
