"""Reading cases through the access policy, with every view audited."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from eip.access import visible_cases
from eip.audit import AuditEvent, record
from eip.auth.models import User
from eip.cases.models import Case

ACCESS_LOG_LIMIT = 50


def find_case(session: Session, reference: str) -> Case | None:
    """Any case by reference; the caller checks the policy (so a refusal can be audited)."""
    return session.scalar(select(Case).where(Case.reference == reference))


def list_visible(session: Session, user: User) -> list[Case]:
    return list(session.scalars(visible_cases(user).order_by(Case.created_at.desc())))


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
