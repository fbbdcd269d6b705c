"""Searching the audit trail by user, case reference and London date, newest first, a page
at a time by key (eip/paging.py): the indexes `(at, id)`, `(actor_id, at, id)` and
`(case_reference, at, id)` make any page an index range, however long the trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from eip import paging
from eip.audit import AuditEvent, is_account_event
from eip.auth.models import User
from eip.workdays import london_day_start

PAGE_SIZE = 50
COUNTED_UP_TO = 1000  # beyond this the page says "more than 1,000 events"


@dataclass(frozen=True)
class AuditQuery:
    user_id: int | None = None
    case_reference: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    account_only: bool = False
    position: paging.Position = paging.FIRST_PAGE


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    total: int  # counted up to COUNTED_UP_TO + 1 only
    next_after: str | None
    prev_before: str | None


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
    matching = select(AuditEvent).where(*conditions)
    total = paging.bounded_count(session, matching, COUNTED_UP_TO)
    page = paging.fetch_page(
        session,
        matching,
        AuditEvent,
        AuditEvent.at,
        AuditEvent.id,
        query.position,
        PAGE_SIZE,
        nullable=False,
        options=(selectinload(AuditEvent.actor),),
    )
    return AuditPage(
        events=page.rows, total=total, next_after=page.next_after, prev_before=page.prev_before
    )
