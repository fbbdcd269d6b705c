"""The audit trail: append-only events written in the same transaction as the change.

For case data an event names the fields that changed, never their values, so
the trail never becomes a second copy of personal data. For settings it keeps
old and new values. The database refuses UPDATE and DELETE on this table
(triggers on both engines, see the migration).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import g, has_request_context
from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    or_,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from eip.auth.models import User
from eip.db import UTCDateTime, utcnow
from eip.extensions import db

# Account events are what an administrator may see (DOMAIN.md).
ACCOUNT_PREFIXES = ("auth.", "account.", "access.")


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    # The trail's order (at DESC, id DESC) as an index range, alone and after each filter
    # that is an equality; eip/paging.py reads them backwards, one page at a time.
    __table_args__ = (
        Index("ix_audit_events_at_id", "at", "id"),
        Index("ix_audit_events_actor_at_id", "actor_id", "at", "id"),
        Index("ix_audit_events_case_reference_at_id", "case_reference", "at", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Who acted when no user did: "cli", "scheduler", "anonymous".
    actor_label: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(40))
    case_reference: Mapped[str | None] = mapped_column(String(20), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    request_id: Mapped[str | None] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship()

    @property
    def is_account_event(self) -> bool:
        return self.action.startswith(ACCOUNT_PREFIXES)


def is_account_event() -> ColumnElement[bool]:
    """SQL condition for the events an administrator may see."""
    return or_(*[AuditEvent.action.startswith(prefix) for prefix in ACCOUNT_PREFIXES])


def record(
    session: Session,
    action: str,
    *,
    actor: User | None = None,
    actor_label: str | None = None,
    object_type: str | None = None,
    object_id: Any = None,
    case_reference: str | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an event to the caller's transaction; the caller commits."""
    request_id = g.get("request_id") if has_request_context() else None
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        actor_label=actor_label if actor is None else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        case_reference=case_reference,
        reason=reason,
        details=details,
        request_id=request_id,
    )
    session.add(event)
    return event
