"""Every view of a case is audited; the case's own access log reads those events back."""

from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload, selectinload

from eip import paging
from eip.audit import AuditEvent, record
from eip.auth.models import User
from eip.cases.models import Case
from eip.db import commit_keeping_loaded, write_now

# The case page shows the latest few events: every view of the case adds one, so a case's
# log grows with use, and the page would with it. The whole log is a page of its own, a
# page at a time by key (`access_log_page`).
ACCESS_LOG_LIMIT = 10
ACCESS_LOG_PAGE_SIZE = 50


def record_view(session: Session, user: User, case: Case, what: str = "case page") -> None:
    # A GET's one write: in its own short transaction that takes the write lock (eip/db.py).
    with write_now(session):
        record(
            session,
            "case.viewed",
            actor=user,
            object_type="case",
            object_id=case.id,
            case_reference=case.reference,
            details={"view": what},
        )
        # Committed at once (the view is on record even if the page then fails), without
        # expiring what the request has read: the event changes nothing on the case or the
        # user, so re-reading them for the page would be two queries for the same values.
        commit_keeping_loaded(session)


def access_log(session: Session, case: Case, limit: int = ACCESS_LOG_LIMIT) -> list[AuditEvent]:
    """Who looked at or changed this case, newest first: `limit` events and one more if
    there are more (so the page can say so and link to the whole log)."""
    return list(session.scalars(_latest_events(limit + 1), {"reference": case.reference}))


@cache
def _latest_events(limit: int):
    """Built once for each limit: building it cost more than running it (issue 16)."""
    return (
        select(AuditEvent)
        # Every actor named in the log in the same query (joined), not one per person.
        .options(joinedload(AuditEvent.actor))
        .where(AuditEvent.case_reference == bindparam("reference"))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )


def access_log_page(session: Session, case: Case, position: paging.Position) -> paging.Page:
    """One page of the case's whole access log, newest first: an index range of
    `(case_reference, at, id)` however long the log."""
    return paging.fetch_page(
        session,
        select(AuditEvent).where(AuditEvent.case_reference == case.reference),
        AuditEvent,
        AuditEvent.at,
        AuditEvent.id,
        position,
        ACCESS_LOG_PAGE_SIZE,
        nullable=False,
        options=(selectinload(AuditEvent.actor),),
    )
