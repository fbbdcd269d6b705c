"""What the audit trail holds, for tests that check what was recorded."""

from __future__ import annotations

from sqlalchemy import select

from eip.audit import AuditEvent
from eip.extensions import db


def events(action: str) -> list[AuditEvent]:
    """The audit events of `action`, in the order they were written."""
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )
