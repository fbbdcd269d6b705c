"""Searching the audit trail by user, case reference and London date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eip.audit import AuditEvent, is_account_event
from eip.auth.models import User
from eip.workdays import london_day_start

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditQuery:
    user_id: int | None = None
    case_reference: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    account_only: bool = False
    page: int = 1


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    total: int
    page: int
    pages: int


def user_choices(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name)))


def search_events(session: Session, query: AuditQuery) -> AuditPage:
    conditions = []
    if query.account_only:
        conditions.append(is_account_event())
    if query.user_id:
        conditions.append(AuditEvent.actor_id == query.user_id)
    # Admins see account events only: a search of theirs by case reference would tell them
    # whether the case exists (someone was refused access to it), so it is not a filter there.
    if query.case_reference and not query.account_only:
        conditions.append(AuditEvent.case_reference == query.case_reference)
    if query.date_from:
        conditions.append(AuditEvent.at >= london_day_start(query.date_from))
    if query.date_to:
        conditions.append(AuditEvent.at < london_day_start(query.date_to + timedelta(days=1)))
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(query.page, pages)
    events = session.scalars(
        select(AuditEvent)
        .where(*conditions)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return AuditPage(events=list(events), total=total, page=page, pages=pages)
