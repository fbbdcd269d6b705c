"""The facts the meeting pack and the minutes print, gathered into plain values (what a
document may hold is decided as `documents_data`'s docstring says)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from eip.auth.models import User
from eip.cases import choices, hooks, rules, safety_plans
from eip.cases.consent_state import ConsentState, current_consents
from eip.cases.deadlines import OVERDUE, DueItem, deadline_of
from eip.cases.documents_data import (
    ActionLine,
    CaseLine,
    PersonDetails,
    ReviewLine,
    action_line,
    case_due_items,
    case_line,
    marac_flag,
    open_actions,
    people,
    review_lines,
    safety_plan_lines,
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
    # What happened and the response, free text about the partner and the family: only
    # while the partner's information-sharing consent is in force (`shared`), else None.
    shared: bool
    what_happened: str | None
    response: str | None


@dataclass(frozen=True)
class StayLine:
    """A stay in temporary accommodation now (checked in, not yet moved out)."""

    checked_in_on: date | None
    ends_on: date
    days_left: int  # negative once the planned move-out has passed
    return_home_review_done: bool


@dataclass(frozen=True)
class DueLine:
    """One of the case's deadlines (not an action: those have their own table)."""

    label: str
    due_on: date
    overdue: bool


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
    marac_flag: str | None  # highlighted: the latest DASH review met the MARAC criteria
    threshold: int
    high_risk_threshold: int
    # Every open action (documents_data.FIRST_KINDS first).
    open_actions: list[ActionLine]
    # The case page's deadlines other than actions, soonest first: the meeting, a DASH
    # review (after an incident, say), safety plan reviews, a stay's end and its
    # return-home review.
    due: list[DueLine]
    stays: list[StayLine]
    sessions_since: list[SessionLine]
    # Incidents since the last meeting, and any earlier one no DASH review has followed yet
    # (it is what makes a review due at once).
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
    due = case_due_items(session, case, records)
    next_meeting = deadline_of(due, "meeting")
    held = held_consultation(session, case)
    reviews = review_lines(records)
    last_dash = reviews[-1].completed_on if reviews else date.min
    sharing = consents[("partner", "information_sharing")].in_force
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
        reviews=reviews,
        marac_flag=marac_flag(reviews, records),
        threshold=settings.marac_threshold_yes,
        high_risk_threshold=settings.high_risk_threshold_yes,
        open_actions=open_actions(records, today),
        due=due_lines(due, today),
        stays=stay_lines(case, records, today),
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
                incident_source(i.source, bool(i.police_callout)),
                bool(i.police_callout),
                sharing,
                i.description if sharing else None,
                i.response if sharing else None,
            )
            for i in records["incidents"]
            if i.occurred_on > since or i.occurred_on > last_dash
        ],
        safety_plans=safety_plan_lines(records, consents),
    )


def incident_source(source: str, police_callout: bool) -> str:
    """How the incident became known, and whether the police were called out (said once:
    a police call-out is the source itself)."""
    label = choices.label(choices.INCIDENT_SOURCE, source)
    if police_callout and source != "police_callout":
        return f"{label}; the police were called out"
    return label


def due_lines(items: list[DueItem], today: date) -> list[DueLine]:
    """The deadlines the pack lists: every one of the case's own (an action's due date is
    in the actions table, so it is not repeated here)."""
    return [
        DueLine(item.label, item.due_on, item.urgency(today) == OVERDUE)
        for item in items
        if item.action_id is None
    ]


def stay_lines(case: Case, records: dict[str, list], today: date) -> list[StayLine]:
    """The client's stays now, from the features that add them (accommodation): eip.cases
    imports none of them."""
    return [
        StayLine(
            checked_in_on=stay.checked_in_on,
            ends_on=stay.planned_move_out_on,
            days_left=(stay.planned_move_out_on - today).days,
            return_home_review_done=stay.return_home_review_done,
        )
        for stay in hooks.stays_in_records(case, records)
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
    # The case's safety plans in all (to say when some were not reviewed at this meeting).
    plans_on_case: int
    # The next meeting: held on (a later meeting on the case), or due by (this one's date
    # and the meeting interval).
    next_held_on: date | None
    next_due_on: date
    minuted_by: str | None


def minutes_data(session: Session, case: Case, meeting_id: int, today: date) -> MinutesData:
    # A number past the id column's range is simply not a meeting (PostgreSQL would
    # refuse the query rather than find nothing).
    meeting = session.get(ProfessionalsMeeting, meeting_id) if 0 < meeting_id < 2**31 else None
    if meeting is None or meeting.case_id != case.id:
        raise NotFound("This case has no such meeting")
    records = load_records(session, case)
    meetings = records["meetings"]
    number = [m.id for m in meetings].index(meeting.id) + 1
    later = meetings[number:]
    interval = current_settings(session).meeting_interval_days
    author = session.get(User, meeting.recorded_by_id) if meeting.recorded_by_id else None
    return MinutesData(
        case=case_line(case),
        held_on=meeting.held_on,
        number=number,
        of=len(meetings),
        attendees=meeting.attendees,
        risk_update=meeting.risk_update,
        progress=meeting.progress,
        actions=[
            action_line(a, today)
            for a in records["actions"]
            if a.kind == "meeting" and a.source_id == meeting.id
        ],
        safety_plans=safety_plan_lines(records, current_consents(records["consents"]), meeting.id),
        plans_on_case=len(records["safety_plans"]),
        next_held_on=later[0].held_on if later else None,
        next_due_on=meeting.held_on + timedelta(days=interval),
        minuted_by=author.name if author else None,
    )
