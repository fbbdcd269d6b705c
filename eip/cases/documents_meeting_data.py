"""The facts the meeting pack and the minutes print, gathered into plain values (what a
document may hold is decided as `documents_data`'s docstring says)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from eip.cases import choices, queries, rules, safety_plans
from eip.cases.consent_state import ConsentState, current_consents
from eip.cases.deadlines import deadline_of, due_items
from eip.cases.documents_data import (
    ActionLine,
    CaseLine,
    PersonDetails,
    ReviewLine,
    action_line,
    case_line,
    people,
    review_lines,
)
from eip.cases.models import Case
from eip.cases.page import load_records
from eip.cases.records import ProfessionalsMeeting
from eip.cases.step_checks import held_consultation
from eip.domain import NotFound, RuleBroken
from eip.programme import current_settings

NO_PACK = (
    "A meeting pack can be made once the referral is acknowledged, and only while the case is open."
)


@dataclass(frozen=True)
class SessionLine:
    held_on: date
    attendance: str
    minutes: int | None
    themes: str | None


@dataclass(frozen=True)
class IncidentLine:
    occurred_on: date
    source: str
    police_callout: bool


@dataclass(frozen=True)
class ConsentLine:
    role: str
    intervention: str
    information_sharing: str


@dataclass(frozen=True)
class MeetingPackData:
    case: CaseLine
    prepared_on: date
    status: str
    intervention_started_on: date | None
    last_meeting_on: date | None
    next_meeting_due: date | None
    people: list[PersonDetails]
    consents: list[ConsentLine]
    plan_risks: str | None
    reviews: list[ReviewLine]
    threshold: int
    high_risk_threshold: int
    open_actions: list[ActionLine]
    sessions_since: list[SessionLine]
    incidents_since: list[IncidentLine]
    # Every safety plan, to review at the meeting: no safe contact arrangements, and none
    # of a plan's details without the consent safety_plans.consent_for names.
    safety_plans: list[safety_plans.SafetyPlanLine]


_CONSENT_WORDS = {
    "given": "Given",
    "declined": "Declined",
    "withdrawn": "Withdrawn",
    "not_asked": "Not yet asked",
}


def consent_lines(consents: dict[tuple[str, str], ConsentState]) -> list[ConsentLine]:
    return [
        ConsentLine(
            role.capitalize(),
            _CONSENT_WORDS[consents[(role, "intervention")].state],
            _CONSENT_WORDS[consents[(role, "information_sharing")].state],
        )
        for role in ("client", "partner")
    ]


def meeting_pack_data(session: Session, case: Case, today: date) -> MeetingPackData:
    if case.status not in rules.MEETING_STATES:
        raise RuleBroken(NO_PACK)
    records = load_records(session, case)
    consents = current_consents(records["consents"])
    settings = current_settings(session)
    meetings = records["meetings"]
    last = meetings[-1].held_on if meetings else None
    since = last or date.min
    # The next meeting's due date is the case page's (deadlines.due_items): counted from the
    # later of the last meeting and the start of the intervention, never a copy of the rule.
    next_meeting = deadline_of(
        due_items(queries.facts_for(session, [case])[case.id], queries.deadline_settings(session)),
        "meeting",
    )
    held = held_consultation(session, case)
    actions = [action_line(a, today) for a in records["actions"] if a.completed_at is None]
    actions.sort(key=lambda a: (a.due_on is None, a.due_on or date.max, not a.urgent))
    return MeetingPackData(
        case=case_line(case),
        prepared_on=today,
        status=rules.status_label(case.status),
        intervention_started_on=case.intervention_started_on,
        last_meeting_on=last,
        next_meeting_due=next_meeting.due_on if next_meeting else None,
        people=people(case, consents),
        consents=consent_lines(consents),
        plan_risks=held.plan_risks if held else None,
        reviews=review_lines(records),
        threshold=settings.marac_threshold_yes,
        high_risk_threshold=settings.high_risk_threshold_yes,
        open_actions=actions,
        sessions_since=[
            SessionLine(
                s.held_on,
                choices.label(choices.SESSION_ATTENDANCE, s.attendance),
                s.duration_minutes,
                s.themes,
            )
            for s in records["sessions"]
            if s.held_on > since
        ],
        incidents_since=[
            IncidentLine(
                i.occurred_on,
                choices.label(choices.INCIDENT_SOURCE, i.source),
                bool(i.police_callout),
            )
            for i in records["incidents"]
            if i.occurred_on > since
        ],
        safety_plans=plan_lines(records, consents),
    )


def plan_lines(
    records: dict[str, list],
    consents: dict[tuple[str, str], ConsentState],
    meeting_id: int | None = None,
) -> list[safety_plans.SafetyPlanLine]:
    """The case's safety plans as documents may show them; with `meeting_id`, only those
    reviewed at that meeting, each with the change agreed there."""
    children = {child.id: child for child in records["children"]}
    plans = sorted(records["safety_plans"], key=lambda plan: plan.id)
    if meeting_id is None:
        return [safety_plans.document_line(plan, children, consents) for plan in plans]
    changes = {
        review.plan_id: review.change
        for review in records["safety_plan_reviews"]
        if review.meeting_id == meeting_id
    }
    return [
        safety_plans.document_line(plan, children, consents, changes[plan.id])
        for plan in plans
        if plan.id in changes
    ]


@dataclass(frozen=True)
class MinutesData:
    case: CaseLine
    held_on: date
    number: int  # the meeting's place among the case's meetings, oldest first
    of: int
    attendees: str
    risk_update: str | None
    progress: str | None
    actions: list[ActionLine]
    # The safety plans reviewed at this meeting (as the pack's, with the change agreed).
    safety_plans: list[safety_plans.SafetyPlanLine]


def minutes_data(session: Session, case: Case, meeting_id: int, today: date) -> MinutesData:
    # A number past the id column's range is simply not a meeting (PostgreSQL would
    # refuse the query rather than find nothing).
    meeting = session.get(ProfessionalsMeeting, meeting_id) if 0 < meeting_id < 2**31 else None
    if meeting is None or meeting.case_id != case.id:
        raise NotFound("This case has no such meeting")
    records = load_records(session, case)
    meetings = records["meetings"]
    return MinutesData(
        case=case_line(case),
        held_on=meeting.held_on,
        number=[m.id for m in meetings].index(meeting.id) + 1,
        of=len(meetings),
        attendees=meeting.attendees,
        risk_update=meeting.risk_update,
        progress=meeting.progress,
        actions=[
            action_line(a, today)
            for a in records["actions"]
            if a.kind == "meeting" and a.source_id == meeting.id
        ],
        safety_plans=plan_lines(records, current_consents(records["consents"]), meeting.id),
    )
