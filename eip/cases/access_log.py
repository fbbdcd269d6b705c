"""Every view of a case is audited; the case's own access log reads those events back."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from eip.audit import AuditEvent, record
from eip.auth.models import User
from eip.cases.models import Case

ACCESS_LOG_LIMIT = 50


def record_view(session: Session, user: User, case: Case, what: str = "case page") -> None:
    record(
        session,
        "case.viewed",
        actor=user,
        object_type="case",
        object_id=case.id,
        case_reference=case.reference,
        details={"view": what},
    )
    session.commit()


def access_log(session: Session, case: Case, limit: int = ACCESS_LOG_LIMIT) -> list[AuditEvent]:
    """Who looked at or changed this case, newest first."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.case_reference == case.reference)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )
