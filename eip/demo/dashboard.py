"""Demo data for the manager's dashboard (eip.reports.dashboard), so that its every figure has
cases behind it: the demo's records are written at seed time, so without this no case would
have "nothing recorded for 14 days", and every case in intervention met weekly.

- one open case whose records were all written over three weeks ago (a quiet case);
- one case in intervention whose professionals meetings lapsed last month (fewer than due);
- one IDVA referral made on its day, beside the demo's others still open.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from accommodation.models import Placement
from eip.cases.deadlines import CLOSED
from eip.cases.models import Case
from eip.cases.records import CaseAction, ProfessionalsMeeting, SafetyPlan
from eip.reports.monthly import months_back, next_month

QUIET_FOR_DAYS = 21
QUIET_STATUSES = ("onward_referral", "consultation_only", "acknowledged", "consultation_booked")


def _quiet_case(session: Session, today: date) -> None:
    from eip.cases.page import RECORD_LISTS

    back = datetime.combine(today - timedelta(days=QUIET_FOR_DAYS), time(10), tzinfo=UTC)
    # A case whose onward referral or advice was the last word, else one still waiting for
    # its consultation or its late-referral agreement: received and acknowledged before then.
    candidates = select(Case).where(
        Case.received_at < back,
        Case.acknowledged_at < back,
        Case.id.not_in(select(Placement.case_id)),
    )
    case = None
    for statuses in (QUIET_STATUSES, ("awaiting_late_agreement",)):
        case = case or session.scalar(
            candidates.where(Case.status.in_(statuses)).order_by(Case.received_at).limit(1)
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


def _idva_referral_made(session: Session, today: date) -> None:
    """The oldest IDVA referral action past its day is done on its day: the timeliness
    figure then has one met beside those missed."""
    action = session.scalar(
        select(CaseAction)
        .where(
            CaseAction.kind == "idva_referral",
            CaseAction.completed_at.is_(None),
            CaseAction.due_on < today,
        )
        .order_by(CaseAction.due_on, CaseAction.id)
        .limit(1)
    )
    if action is not None:
        action.completed_at = datetime.combine(action.due_on, time(15), tzinfo=UTC)
        action.completed_by_id = action.recorded_by_id
        from eip.cases.due_store import refresh

        session.flush()
        refresh(session, [action.case_id])


def seed_dashboard(session: Session, today: date) -> None:
    _idva_referral_made(session, today)
    _quiet_case(session, today)
    _lapsed_meetings(session, today)
    session.flush()
