"""Reading cases in bulk: lists, caseloads and what is due, in a constant number of queries.

Every case query starts from `visible_cases(user)`. Facts for due dates are
gathered with one grouped query per kind of record for all the cases on the
page at once, never one query per case.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from eip import paging
from eip.admin.models import NonWorkingDay
from eip.auth.models import User
from eip.cases import hooks
from eip.cases.deadlines import (
    OVERDUE,
    Deadlines,
    DueFacts,
    DueItem,
    IncidentFacts,
    OpenAction,
    due_items,
)
from eip.cases.models import Case
from eip.cases.records import (
    CaseAction,
    Consultation,
    DashReview,
    Incident,
    LateReferralDecision,
    ProfessionalsMeeting,
)
from eip.policy import visible_cases
from eip.programme import current_settings
from eip.workdays import london_date

PAGE_SIZE = 25


def deadline_settings(session: Session) -> Deadlines:
    settings = current_settings(session)
    extra = frozenset(session.scalars(select(NonWorkingDay.day)))
    return Deadlines(
        acknowledge_working_days=settings.acknowledge_working_days,
        consultation_booking_working_days=settings.consultation_booking_working_days,
        meeting_interval_days=settings.meeting_interval_days,
        dash_review_days=settings.dash_review_days,
        extra_non_working_days=extra,
    )


def _latest(session: Session, column, case_ids: Sequence[int]) -> dict[int, date]:
    model = column.class_
    rows = session.execute(
        select(model.case_id, func.max(column))
        .where(model.case_id.in_(case_ids))
        .group_by(model.case_id)
    )
    return dict(rows.all())


def _late_agreements(session: Session, case_ids: Sequence[int]) -> dict[int, date]:
    """The London date each late referral's agreement was recorded (one query): the
    consultation-booking deadline counts from it."""
    rows = session.execute(
        select(LateReferralDecision.case_id, LateReferralDecision.created_at).where(
            LateReferralDecision.case_id.in_(case_ids),
            LateReferralDecision.decision == "agreed",
        )
    )
    return {case_id: london_date(created_at) for case_id, created_at in rows}


def _incidents(session: Session, case_ids: Sequence[int]) -> dict[int, list[IncidentFacts]]:
    """Each case's incidents with the London date each was recorded (one query)."""
    rows = session.execute(
        select(Incident.case_id, Incident.occurred_on, Incident.created_at).where(
            Incident.case_id.in_(case_ids)
        )
    )
    incidents: dict[int, list[IncidentFacts]] = defaultdict(list)
    for case_id, occurred_on, created_at in rows:
        incidents[case_id].append(IncidentFacts(occurred_on, london_date(created_at)))
    return incidents


def facts_for(session: Session, cases: Sequence[Case]) -> dict[int, DueFacts]:
    """DueFacts for many cases with a fixed number of queries."""
    ids = [case.id for case in cases]
    if not ids:
        return {}
    booked = set(session.scalars(select(Consultation.case_id).where(Consultation.case_id.in_(ids))))
    meetings = _latest(session, ProfessionalsMeeting.held_on, ids)
    dash = _latest(session, DashReview.completed_on, ids)
    incidents = _incidents(session, ids)
    agreed = _late_agreements(session, ids)
    actions: dict[int, list[OpenAction]] = defaultdict(list)
    for action in session.scalars(
        select(CaseAction).where(CaseAction.case_id.in_(ids), CaseAction.completed_at.is_(None))
    ):
        actions[action.case_id].append(
            OpenAction(action.kind, action.description, action.due_on, action.urgent, action.id)
        )
    stays = hooks.stays(session, ids)
    return {
        case.id: DueFacts(
            reference=case.reference,
            status=case.status,
            received_on=london_date(case.received_at) if case.received_at else None,
            acknowledged=case.acknowledged_at is not None,
            late_agreed_on=agreed.get(case.id),
            consultation_booked=case.id in booked,
            intervention_started_on=case.intervention_started_on,
            last_meeting_on=meetings.get(case.id),
            last_dash_on=dash.get(case.id),
            incidents=tuple(incidents.get(case.id, ())),
            open_actions=tuple(actions[case.id]),
            stays=tuple(stays.get(case.id, ())),
        )
        for case in cases
    }


def facts_from_records(session: Session, case: Case, records: dict[str, list]) -> DueFacts:
    """The same DueFacts as `facts_for(session, [case])`, from the case page's records
    (`page.load_records`, all of the case's records, already read): only the stays are read."""
    agreed = [d for d in records["late_decisions"] if d.decision == "agreed"]
    meetings = [m.held_on for m in records["meetings"]]
    dash = [r.completed_on for r in records["dash_reviews"]]
    return DueFacts(
        reference=case.reference,
        status=case.status,
        received_on=london_date(case.received_at) if case.received_at else None,
        acknowledged=case.acknowledged_at is not None,
        late_agreed_on=london_date(agreed[-1].created_at) if agreed else None,
        consultation_booked=bool(records["consultations"]),
        intervention_started_on=case.intervention_started_on,
        last_meeting_on=max(meetings, default=None),
        last_dash_on=max(dash, default=None),
        incidents=tuple(
            IncidentFacts(i.occurred_on, london_date(i.created_at)) for i in records["incidents"]
        ),
        open_actions=tuple(
            OpenAction(a.kind, a.description, a.due_on, a.urgent, a.id)
            for a in records["actions"]
            if a.completed_at is None
        ),
        stays=tuple(hooks.stays(session, [case.id]).get(case.id, ())),
    )


@dataclass(frozen=True)
class CaseRow:
    case: Case
    due: list[DueItem]
    worst: str | None  # the most urgent state among its due items

    @property
    def overdue(self) -> bool:
        return self.worst == OVERDUE


def rows_for(session: Session, cases: Sequence[Case], today: date) -> list[CaseRow]:
    settings = deadline_settings(session)
    facts = facts_for(session, cases)
    rows = []
    for case in cases:
        items = due_items(facts[case.id], settings)
        states = [item.urgency(today, settings.extra_non_working_days) for item in items]
        worst = (
            min(states, key=("overdue", "due_today", "due_soon", "later").index) if states else None
        )
        rows.append(CaseRow(case, items, worst))
    return rows


@dataclass(frozen=True)
class CaseFilters:
    status: str | None = None
    borough_id: int | None = None
    practitioner_id: int | None = None
    overdue_only: bool = False
    reference: str | None = None
    position: paging.Position = paging.FIRST_PAGE


@dataclass(frozen=True)
class CaseListPage:
    rows: list[CaseRow]
    next_after: str | None
    prev_before: str | None


def _with_relations(query):
    return query.options(selectinload(Case.allocated_practitioner), selectinload(Case.client))


def list_cases(session: Session, user: User, filters: CaseFilters, today: date) -> CaseListPage:
    """One page of the cases the user may see, newest referrals first (undated last), by
    keyset from `filters.position`: each filter has an index `(filter, received_at, id)`."""
    query = visible_cases(user)
    if filters.status:
        query = query.where(Case.status == filters.status)
    if filters.borough_id:
        query = query.where(Case.borough_id == filters.borough_id)
    if filters.practitioner_id:
        query = query.where(Case.allocated_practitioner_id == filters.practitioner_id)
    if filters.reference:
        query = query.where(
            Case.reference.contains(filters.reference.strip().upper(), autoescape=True)
        )
    options = (selectinload(Case.allocated_practitioner), selectinload(Case.client))
    if filters.overdue_only:
        # Overdue is derived from the case's records, so it is filtered after the facts are
        # gathered: batches are read by key until a page of overdue cases is found.
        def overdue(cases):
            return [(row.case, row) for row in rows_for(session, cases, today) if row.overdue]

        page = paging.fetch_page(
            session,
            query,
            Case,
            Case.received_at,
            Case.id,
            filters.position,
            PAGE_SIZE,
            options=options,
            keep=overdue,
        )
        return CaseListPage(page.rows, page.next_after, page.prev_before)
    page = paging.fetch_page(
        session,
        query,
        Case,
        Case.received_at,
        Case.id,
        filters.position,
        PAGE_SIZE,
        options=options,
    )
    return CaseListPage(rows_for(session, page.rows, today), page.next_after, page.prev_before)


def caseload(session: Session, user: User, today: date) -> list[CaseRow]:
    """A practitioner's open cases, newest referrals first, with what is due."""
    query = _with_relations(
        visible_cases(user)
        .where(
            Case.allocated_practitioner_id == user.id,
            Case.status.not_in(("closed", "not_accepted")),
        )
        .order_by(Case.received_at.desc().nulls_last(), Case.id.desc())
    )
    return rows_for(session, session.scalars(query).all(), today)
