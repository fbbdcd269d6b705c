"""Recording what happens while a case runs: intervention sessions, professionals
meetings, incidents, and the actions that come out of them.

Each function takes the session, the acting user, the case and plain values; checks the
pathway rule, then the values; writes; audits field names only and commits once. An
addition is a new record, so it never conflicts with someone else's change to the case
(no version is checked or moved), and one sent from a form is saved once per form
(`commit_addition` claims the form's one-time token: a double-click saves one record);
marking an action done is a conditional UPDATE, so two people cannot both complete it.
Refusals are `RuleBroken` with the form field they belong to.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from eip.auth.models import User
from eip.cases import choices, rules, safety_plans
from eip.cases.common import audit_change, commit, commit_addition, latest_due_date, not_in_future
from eip.cases.consent_state import ConsentState, both_in_force, current_consents
from eip.cases.models import Case
from eip.cases.records import (
    CaseAction,
    Consent,
    Incident,
    InterventionSession,
    ProfessionalsMeeting,
)
from eip.clock import now, today
from eip.domain import NotFound, RuleBroken
from eip.formatting import long_date
from eip.workdays import london_date

MIN_SESSION_MINUTES = 1
MAX_SESSION_MINUTES = 480
MAX_MEETING_ACTIONS = 3

ACTION_KIND_LABELS = {
    "plan": "Plan",
    "meeting": "Professionals meeting",
    "consent_review": "Consent review",
    "idva_referral": "IDVA referral",
    "marac_referral": "MARAC referral",
    "other": "Other",
}


def action_kind_label(kind: str) -> str:
    return ACTION_KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


# ---------------------------------------------------------------------------
# Facts the rules read


def facts_from_consents(states: dict[tuple[str, str], ConsentState]) -> rules.CaseFacts:
    """The consent facts the session rule needs, from the consents in force."""
    return rules.CaseFacts(
        client_intervention_consent=states[("client", "intervention")].in_force,
        partner_intervention_consent=states[("partner", "intervention")].in_force,
    )


def consent_facts(session: Session, case: Case) -> rules.CaseFacts:
    consents = session.scalars(select(Consent).where(Consent.case_id == case.id))
    return facts_from_consents(current_consents(consents))


def session_check(case: Case, states: dict[tuple[str, str], ConsentState]) -> rules.Check:
    """Whether a session may be recorded now (for the case page's link)."""
    return rules.can_record_session(case.status, facts_from_consents(states))


def interventions_consented(states: dict[tuple[str, str], ConsentState]) -> bool:
    return both_in_force(states, "intervention")


def received_on(case: Case) -> date | None:
    moment = case.received_at or case.created_at
    return london_date(moment) if moment else None


def _required_date(value: date | None, field: str, message: str) -> date:
    if value is None:
        raise RuleBroken(message, field=field)
    return value


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def _filled(**values: object) -> list[str]:
    """The names of the fields that hold something: what the audit event lists."""
    return [name for name, value in values.items() if value not in (None, "", False)]


# ---------------------------------------------------------------------------
# Intervention sessions


def record_session(
    session: Session,
    user: User,
    case: Case,
    *,
    held_on: date | None,
    duration_minutes: int | None,
    attendance: str | None,
    themes: str | None = None,
    notes: str | None = None,
    submission: str | None = None,
) -> InterventionSession:
    """A 1:1 session with the client: only while the intervention runs with both consents."""
    rules.can_record_session(case.status, consent_facts(session, case)).enforce()
    held_on = _required_date(held_on, "held_on", "Enter the date of the session")
    not_in_future(held_on, "held_on", "The date of the session")
    started = case.intervention_started_on
    if started is not None and held_on < started:
        raise RuleBroken(
            f"The date of the session cannot be before the intervention started "
            f"({long_date(started)})",
            field="held_on",
        )
    if duration_minutes is None or not (
        MIN_SESSION_MINUTES <= duration_minutes <= MAX_SESSION_MINUTES
    ):
        raise RuleBroken(
            f"Enter how long the session lasted, in minutes, from {MIN_SESSION_MINUTES} "
            f"to {MAX_SESSION_MINUTES}",
            field="duration_minutes",
        )
    if attendance not in choices.values(choices.SESSION_ATTENDANCE):
        raise RuleBroken("Select whether the client attended", field="attendance")
    record = InterventionSession(
        case_id=case.id,
        recorded_by_id=user.id,
        held_on=held_on,
        duration_minutes=duration_minutes,
        attendance=attendance,
        themes=_clean(themes),
        notes=_clean(notes),
    )
    session.add(record)
    fields = _filled(
        held_on=held_on,
        duration_minutes=duration_minutes,
        attendance=attendance,
        themes=record.themes,
        notes=record.notes,
    )
    audit_change(session, user, case, "case.session_recorded", fields=fields)
    commit_addition(session, user, submission, "session")
    return record


# ---------------------------------------------------------------------------
# Professionals meetings


@dataclass(frozen=True)
class ActionInput:
    """One action typed on a form: `number` says which row its messages belong to."""

    number: int
    description: str | None
    owner: str | None
    due_on: date | None

    @property
    def empty(self) -> bool:
        return not (_clean(self.description) or _clean(self.owner) or self.due_on)


def _check_action_rows(
    rows: Sequence[ActionInput], not_before: date, label: str, latest: tuple[date, str]
) -> None:
    errors: dict[str, str] = {}
    last_day, why = latest
    for row in rows:
        if row.empty:
            continue
        prefix = f"action{row.number}_"
        if not _clean(row.description):
            errors[prefix + "description"] = f"Enter what action {row.number} is"
        if not _clean(row.owner):
            errors[prefix + "owner"] = f"Enter who owns action {row.number}"
        if row.due_on is None:
            errors[prefix + "due_on"] = f"Enter the date action {row.number} is due"
        elif row.due_on < not_before:
            errors[prefix + "due_on"] = f"Action {row.number} cannot be due before {label}"
        elif row.due_on > last_day:
            errors[prefix + "due_on"] = f"Action {row.number} cannot be due after {why}"
    if errors:
        raise RuleBroken(errors=errors)


def record_meeting(
    session: Session,
    user: User,
    case: Case,
    *,
    held_on: date | None,
    attendees: str | None,
    risk_update: str | None = None,
    progress: str | None = None,
    actions: Iterable[ActionInput] = (),
    safety_plan_reviews: Iterable[safety_plans.ReviewInput] = (),
    submission: str | None = None,
) -> ProfessionalsMeeting:
    """A professionals meeting, up to three actions with owners and due dates, and the
    safety plans reviewed at it (with any change agreed)."""
    rules.can_record_meeting(case.status).enforce()
    reviews = list(safety_plan_reviews)
    safety_plans.check_reviews(session, case, reviews, held_on)
    held_on = _required_date(held_on, "held_on", "Enter the date of the meeting")
    not_in_future(held_on, "held_on", "The date of the meeting")
    referral = received_on(case)
    if referral is not None and held_on < referral:
        raise RuleBroken(
            "The date of the meeting cannot be before the referral was received", field="held_on"
        )
    if not _clean(attendees):
        raise RuleBroken("Enter who attended the meeting", field="attendees")
    rows = [row for row in actions if not row.empty]
    if len(rows) > MAX_MEETING_ACTIONS:
        raise RuleBroken(f"Record up to {MAX_MEETING_ACTIONS} actions from one meeting")
    _check_action_rows(rows, held_on, "the meeting", latest_due_date(session))
    meeting = ProfessionalsMeeting(
        case_id=case.id,
        recorded_by_id=user.id,
        held_on=held_on,
        attendees=_clean(attendees),
        risk_update=_clean(risk_update),
        progress=_clean(progress),
    )
    session.add(meeting)
    session.flush()  # the meeting's id is each action's source
    for row in rows:
        session.add(
            CaseAction(
                case_id=case.id,
                recorded_by_id=user.id,
                kind="meeting",
                description=_clean(row.description),
                owner=_clean(row.owner),
                due_on=row.due_on,
                source_id=meeting.id,
            )
        )
    reviewed = safety_plans.review_at_meeting(session, user, case, meeting, reviews)
    fields = _filled(
        held_on=held_on,
        attendees=meeting.attendees,
        risk_update=meeting.risk_update,
        progress=meeting.progress,
        actions=bool(rows),
    )
    audit_change(
        session,
        user,
        case,
        "case.meeting_recorded",
        fields=fields,
        actions_added=len(rows),
        safety_plans_reviewed=reviewed,
    )
    commit_addition(session, user, submission, "meeting")
    return meeting


# ---------------------------------------------------------------------------
# Incidents


def record_incident(
    session: Session,
    user: User,
    case: Case,
    *,
    occurred_on: date | None,
    source: str | None,
    description: str | None,
    response: str | None = None,
    submission: str | None = None,
) -> Incident:
    """A police call-out, disclosure or report: allowed at any time, even after closure.

    A DASH review falls due from the incident's date, or from the day it is recorded if
    that is later (eip.cases.deadlines derives it).
    An incident may predate the referral: call-outs before it count towards escalation.
    """
    rules.can_record_dash_or_incident(case.status).enforce()
    occurred_on = _required_date(occurred_on, "occurred_on", "Enter the date of the incident")
    not_in_future(occurred_on, "occurred_on", "The date of the incident")
    if source not in choices.values(choices.INCIDENT_SOURCE):
        raise RuleBroken("Select where the incident was reported from", field="source")
    if not _clean(description):
        raise RuleBroken("Enter what happened", field="description")
    incident = Incident(
        case_id=case.id,
        recorded_by_id=user.id,
        occurred_on=occurred_on,
        source=source,
        police_callout=source == "police_callout",
        description=_clean(description),
        response=_clean(response),
    )
    session.add(incident)
    fields = _filled(
        occurred_on=occurred_on,
        source=source,
        description=incident.description,
        response=incident.response,
    )
    audit_change(session, user, case, "case.incident_recorded", fields=fields)
    commit_addition(session, user, submission, "incident")
    return incident


# ---------------------------------------------------------------------------
# Actions


def add_action(
    session: Session,
    user: User,
    case: Case,
    *,
    description: str | None,
    owner: str | None,
    due_on: date | None,
    urgent: bool = False,
    submission: str | None = None,
) -> CaseAction:
    """An ad-hoc action ("other") on an open case, due today or later."""
    if case.status in rules.CLOSED_STATES:
        raise RuleBroken(
            rules.NOT_ACCEPTED_CASE
            if case.status == "not_accepted"
            else "This case is closed. A manager must reopen it to add an action"
        )
    errors: dict[str, str] = {}
    if not _clean(description):
        errors["description"] = "Enter what needs to be done"
    if not _clean(owner):
        errors["owner"] = "Enter who owns the action"
    if due_on is None:
        errors["due_on"] = "Enter the date the action is due"
    elif due_on < today():
        errors["due_on"] = "The due date cannot be in the past"
    else:
        last_day, why = latest_due_date(session)
        if due_on > last_day:
            errors["due_on"] = f"The due date cannot be after {why}"
    if errors:
        raise RuleBroken(errors=errors)
    action = CaseAction(
        case_id=case.id,
        recorded_by_id=user.id,
        kind="other",
        description=_clean(description),
        owner=_clean(owner),
        due_on=due_on,
        urgent=bool(urgent),
    )
    session.add(action)
    audit_change(
        session,
        user,
        case,
        "case.action_added",
        fields=["description", "owner", "due_on", *(["urgent"] if urgent else [])],
    )
    commit_addition(session, user, submission, "action")
    return action


def complete_action(session: Session, user: User, case: Case, *, action_id: int) -> CaseAction:
    """Mark an open action as done, recording who and when. Allowed after closure too:
    an IDVA or MARAC referral raised by a DASH review after closure still has to be made."""
    action = session.get(CaseAction, action_id)
    if action is None or action.case_id != case.id:
        raise NotFound("This case has no such action")
    # Only while still open, decided by the database: of two people marking it done at
    # once, the second is told rather than overwriting the first's name and time.
    marked = session.execute(
        update(CaseAction)
        .where(CaseAction.id == action.id, CaseAction.completed_at.is_(None))
        .values(completed_at=now(), completed_by_id=user.id)
        .execution_options(synchronize_session=False)
    )
    if marked.rowcount != 1:
        session.rollback()
        raise RuleBroken("This action is already marked as done")
    session.refresh(action)
    audit_change(
        session,
        user,
        case,
        "case.action_completed",
        fields=["completed_at", "completed_by_id"],
        action_id=action.id,
    )
    commit(session)
    return action
