"""Everything the case page shows, gathered in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import String, Text, bindparam, cast, null, select, union_all
from sqlalchemy.orm import Session, aliased

from eip.audit import AuditEvent
from eip.auth.models import User
from eip.cases import hooks, outcomes, queries, safety_plans
from eip.cases.access_log import access_log
from eip.cases.choices import CONTACT_MEANS, label
from eip.cases.consent_state import ConsentState, current_consents
from eip.cases.deadlines import URGENCY_ORDER, DueItem, deadline_of, due_items
from eip.cases.models import Case
from eip.cases.records import (
    CaseAction,
    CaseNote,
    Child,
    Consent,
    Consultation,
    DashReview,
    Incident,
    InterventionSession,
    LateReferralDecision,
    MaracReferral,
    OnwardReferral,
    OutcomeMeasure,
    PartnerSupportContact,
    ProfessionalsMeeting,
    SafetyPlan,
    SafetyPlanReview,
    ScenarioPlan,
)
from eip.clock import today
from eip.workdays import london_date

RECORD_LISTS = {
    "late_decisions": LateReferralDecision,
    "consultations": Consultation,
    "actions": CaseAction,
    "onward_referrals": OnwardReferral,
    "consents": Consent,
    "incidents": Incident,
    "sessions": InterventionSession,
    "meetings": ProfessionalsMeeting,
    "dash_reviews": DashReview,
    "scenario_plans": ScenarioPlan,
    "children": Child,
    "marac_referrals": MaracReferral,
    "safety_plans": SafetyPlan,
    "safety_plan_reviews": SafetyPlanReview,
    "notes": CaseNote,
    # Shown only in its own panel, to those who may see it (policy `case.partner_support`):
    # never on the timeline, and read by no document.
    "partner_support": PartnerSupportContact,
    # Shown only in their own section (policy `case.outcomes`); on the timeline by point.
    "outcome_measures": OutcomeMeasure,
}
# The date each record is ordered by on the page and in the timeline.
RECORD_DATES = {
    "late_decisions": "decided_on",
    "consultations": "scheduled_for",
    "actions": "created_at",
    "onward_referrals": "referred_on",
    "consents": "recorded_on",
    "incidents": "occurred_on",
    "sessions": "held_on",
    "meetings": "held_on",
    "dash_reviews": "completed_on",
    "scenario_plans": "created_at",
    "children": "position",
    "marac_referrals": "created_at",
    "safety_plans": "created_at",
    "safety_plan_reviews": "reviewed_on",
    "notes": "noted_on",
    "partner_support": "contacted_on",
    "outcome_measures": "measured_on",
}
# How the timeline names a case note (its `contact`): titles only, never the note's text.
NOTE_TITLES = {
    "made": "Contact with the client",
    "attempted": "Attempted contact with the client",
    "none": "Case note",
}


@dataclass(frozen=True)
class TimelineEntry:
    on: date
    title: str
    detail: str = ""


@dataclass
class CasePage:
    case: Case
    records: dict[str, list[Any]]
    consents: dict[tuple[str, str], ConsentState]
    due: list[tuple[DueItem, str]]
    timeline: list[TimelineEntry]
    access_log: list[AuditEvent] | None
    today: date
    # The names of the people who completed the case's actions, by user id.
    completed_by: dict[int, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def due_of(self, kind: str) -> tuple[DueItem, str] | None:
        """The case's one due date of this kind (and its urgency), as "What is due" lists
        it: every panel that names a deadline reads it here, so the page never shows two
        dates for the same deadline."""
        found = deadline_of((item for item, _ in self.due), kind)
        return next(((item, state) for item, state in self.due if item is found), None)

    @property
    def action_urgency(self) -> dict[int, str]:
        """Each open action's urgency, from the same due items (none on a closed case)."""
        return {item.action_id: state for item, state in self.due if item.action_id is not None}

    @property
    def attendance_rate(self) -> int | None:
        """Per cent of sessions attended, of those that were not cancelled by the practitioner."""
        counted = [
            s for s in self.records["sessions"] if s.attendance != "cancelled_by_practitioner"
        ]
        if not counted:
            return None
        attended = sum(1 for s in counted if s.attendance == "attended")
        return round(100 * attended / len(counted))

    @property
    def latest_dash(self) -> DashReview | None:
        reviews = self.records["dash_reviews"]
        return reviews[-1] if reviews else None

    @property
    def open_actions(self) -> list[CaseAction]:
        return [a for a in self.records["actions"] if a.completed_at is None]


def _day(value: date | datetime) -> date:
    return london_date(value) if isinstance(value, datetime) else value


def _slot_kind(column) -> str:
    """Which columns of different kinds may share one column of the records statement: those
    read back the same way. Strings and text need no conversion (and every engine unites
    them), the rest only with their exact type (a date with a date, a UTC datetime with one)."""
    if isinstance(column.type, String) and type(column.type) in (String, Text):
        return "text"
    return repr(column.type)


@cache
def _records_statement():
    """Every record of a case (`case_id`), of every kind, in one statement: a UNION ALL of
    one SELECT per kind, each kind mapped back onto its own columns by `aliased`, so a row
    holds one record and None for the other kinds. Each kind's id has a column of its own
    (NULL in the other kinds' rows: how the ORM tells a row's kind); its other columns share
    the statement's columns with other kinds' columns of the same type, so the statement is
    as wide as the widest kind, not as all kinds together (at 200 columns, planning it was
    most of the case page's time on PostgreSQL, which plans it afresh on each request). The
    name of whoever completed an action rides along (the activity panel shows it). Built
    once: building it is most of its cost."""
    models = list(RECORD_LISTS.values())
    # Each kind's columns placed into slots: its ids first (a slot per kind), then its other
    # columns into the first free slot of their sort.
    slots: list[tuple[str, Any]] = []  # (slot kind, a column of that type: the slot's type)
    placed: dict[Any, int] = {}  # column -> slot index
    for model in models:
        taken: set[int] = set()
        for column in model.__table__.columns:
            if column.primary_key:
                slots.append(("id", column))
                placed[column] = len(slots) - 1
                continue
            kind = _slot_kind(column)
            free = next((i for i, (k, _) in enumerate(slots) if k == kind and i not in taken), None)
            if free is None:
                slots.append((kind, column))
                free = len(slots) - 1
            taken.add(free)
            placed[column] = free
    completer = aliased(User)
    branches = []
    for number, model in enumerate(models):
        own = {placed[column]: column for column in model.__table__.columns}
        columns = []
        for index, (_, typed) in enumerate(slots):
            if index in own:
                columns.append(own[index].label(f"slot_{index}"))
            elif number == 0:
                # The first SELECT names each column's type (PostgreSQL takes a UNION's
                # column types from its first SELECT onwards); the others need only NULL.
                columns.append(cast(null(), typed.type).label(f"slot_{index}"))
            else:
                columns.append(null().label(f"slot_{index}"))
        name = completer.name if model is CaseAction else cast(null(), completer.name.type)
        branch = select(*columns, name.label("completed_by_name"))
        if model is CaseAction:
            branch = branch.outerjoin(completer, completer.id == CaseAction.completed_by_id)
        branches.append(branch.where(model.case_id == bindparam("case_id")))
    rows = union_all(*branches).subquery("case_records")
    return select(*(aliased(model, rows) for model in models), rows.c.completed_by_name)


def read_records(session: Session, case: Case) -> tuple[dict[str, list[Any]], dict[int, str]]:
    """The case's records by kind, each kind in its page order (its date, then id), and the
    names of the people who completed its actions, by user id: one query, and one for each
    feature that adds its own records (`hooks.case_records`: accommodation's placements)."""
    records: dict[str, list[Any]] = {name: [] for name in RECORD_LISTS}
    completers: dict[int, str] = {}
    for *found, completed_by_name in session.execute(_records_statement(), {"case_id": case.id}):
        for name, record in zip(RECORD_LISTS, found, strict=True):
            if record is None:
                continue
            records[name].append(record)
            if completed_by_name is not None:  # on an action's row only
                completers[record.completed_by_id] = completed_by_name
    for name, kind in records.items():
        kind.sort(key=lambda record, on=RECORD_DATES[name]: (getattr(record, on), record.id))
    # And what other features keep on the case (their panels and stays read these).
    records.update(hooks.case_records(session, case))
    return records, completers


def load_records(session: Session, case: Case) -> dict[str, list[Any]]:
    return read_records(session, case)[0]


def timeline(case: Case, records: dict[str, list[Any]]) -> list[TimelineEntry]:
    """Everything that happened on the case, newest first. Titles only: no free text."""
    entries: list[TimelineEntry] = []
    if case.received_at:
        entries.append(TimelineEntry(_day(case.received_at), "Referral received"))
    if case.acknowledged_at:
        entries.append(TimelineEntry(_day(case.acknowledged_at), "Referral acknowledged"))
    for measure in records["outcome_measures"]:
        point = outcomes.point_label(measure.point)
        entries.append(TimelineEntry(measure.measured_on, f"Outcome measures: {point}"))
    for decision in records["late_decisions"]:
        title = "Late referral agreed" if decision.decision == "agreed" else "Late referral refused"
        entries.append(TimelineEntry(decision.decided_on, title))
    for consultation in records["consultations"]:
        entries.append(TimelineEntry(_day(consultation.created_at), "Consultation booked"))
        if consultation.held_on:
            entries.append(TimelineEntry(consultation.held_on, "Consultation held"))
    for consent in records["consents"]:
        who = consent.person_role.capitalize()
        kind = consent.kind.replace("_", " ")
        entries.append(
            TimelineEntry(consent.recorded_on, f"{who} consent to {kind}: {consent.state}")
        )
        if consent.withdrawn_on:
            entries.append(TimelineEntry(consent.withdrawn_on, f"{who} withdrew consent to {kind}"))
    for referral in records["onward_referrals"]:
        entries.append(
            TimelineEntry(referral.referred_on, f"Onward referral: {referral.agency.upper()}")
        )
    for session in records["sessions"]:
        entries.append(
            TimelineEntry(session.held_on, "Session", session.attendance.replace("_", " "))
        )
    for meeting in records["meetings"]:
        entries.append(TimelineEntry(meeting.held_on, "Professionals meeting"))
    children = {child.id: child for child in records["children"]}
    for plan in records["safety_plans"]:
        who = safety_plans.who(plan, children)
        entries.append(TimelineEntry(_day(plan.created_at), f"Safety plan written for {who}"))
    plans = {plan.id: plan for plan in records["safety_plans"]}
    for review in records["safety_plan_reviews"]:
        who = safety_plans.who(plans[review.plan_id], children)
        entries.append(
            TimelineEntry(review.reviewed_on, f"Safety plan for {who} reviewed at a meeting")
        )
    for incident in records["incidents"]:
        entries.append(
            TimelineEntry(
                incident.occurred_on, "Incident recorded", incident.source.replace("_", " ")
            )
        )
    for review in records["dash_reviews"]:
        entries.append(
            TimelineEntry(
                review.completed_on,
                "DASH review",
                f"score {review.score}, {review.risk_level} risk",
            )
        )
    for referral in records["marac_referrals"]:
        entries.append(TimelineEntry(_day(referral.created_at), "MARAC referral prepared"))
        if referral.sent_on:
            entries.append(TimelineEntry(referral.sent_on, "MARAC referral sent"))
    for note in records["notes"]:
        title = NOTE_TITLES.get(note.contact, "Case note")
        method = label(CONTACT_MEANS, note.method)
        detail = ", ".join(part for part in (method, "sensitive" if note.sensitive else "") if part)
        entries.append(TimelineEntry(note.noted_on, title, detail))
    if case.intervention_started_on:
        entries.append(TimelineEntry(case.intervention_started_on, "Intervention started"))
    if case.closed_at:
        entries.append(
            TimelineEntry(
                _day(case.closed_at), "Case closed", (case.closure_outcome or "").replace("_", " ")
            )
        )
    entries.sort(key=lambda e: e.on, reverse=True)
    return entries


def build(session: Session, case: Case, *, with_access_log: bool) -> CasePage:
    records, completed_by = read_records(session, case)
    settings = queries.deadline_settings(session)
    facts = queries.facts_from_records(case, records)
    now = today()
    due = [
        (item, item.urgency(now, settings.extra_non_working_days))
        for item in due_items(facts, settings)
    ]
    due.sort(key=lambda pair: (URGENCY_ORDER[pair[1]], pair[0].due_on))
    return CasePage(
        case=case,
        records=records,
        consents=current_consents(records["consents"]),
        due=due,
        timeline=timeline(case, records),
        access_log=access_log(session, case) if with_access_log else None,
        today=now,
        completed_by=completed_by,
    )
