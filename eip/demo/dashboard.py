"""Demo data for the manager's dashboard (eip.reports.dashboard), so that its every figure has
cases behind it: the demo's records are written at seed time, so without this no case would
have "nothing recorded for 14 days", and every case in intervention met weekly.

- one open case whose records were all written over three weeks ago (a quiet case);
- one case in intervention whose professionals meetings lapsed last month (fewer than due).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from eip.cases.deadlines import CLOSED
from eip.cases.models import Case
from eip.cases.records import ProfessionalsMeeting, SafetyPlan
from eip.reports.monthly import months_back, next_month

QUIET_FOR_DAYS = 21


def _quiet_case(session: Session, today: date) -> None:
    from eip.cases.page import RECORD_LISTS

    back = datetime.combine(today - timedelta(days=QUIET_FOR_DAYS), time(10), tzinfo=UTC)
    case = session.scalar(
        select(Case)
        .where(
            Case.status.in_(("acknowledged", "consultation")),
            Case.received_at < back,
            Case.acknowledged_at < back,
        )
        .order_by(Case.received_at)
        .limit(1)
    )
    if case is None:
        return
    case.created_at = min(case.created_at, case.received_at)
    for model in RECORD_LISTS.values():
        session.execute(
            update(model)
            .where(model.case_id == case.id, model.created_at > back)
            .values(created_at=back)
        )


def _lapsed_meetings(session: Session, today: date) -> None:
    last_month = months_back(today.replace(day=1), 2)[0]
    planned = select(SafetyPlan.case_id)
    case_id = session.scalar(
        select(Case.id)
        .where(
            Case.status.not_in(CLOSED),
            Case.intervention_started_on < last_month,
            Case.id.not_in(planned),
        )
        .order_by(Case.id)
        .limit(1)
    )
    if case_id is None:
        return
    session.execute(
        delete(ProfessionalsMeeting).where(
            ProfessionalsMeeting.case_id == case_id,
            ProfessionalsMeeting.held_on >= last_month,
            ProfessionalsMeeting.held_on < next_month(last_month),
        )
    )
    # Its next meeting's due date moved: the stored due items follow (due_store).
    from eip.cases.due_store import refresh

    refresh(session, [case_id])


def seed_dashboard(session: Session, today: date) -> None:
    _quiet_case(session, today)
    _lapsed_meetings(session, today)
    session.flush()
