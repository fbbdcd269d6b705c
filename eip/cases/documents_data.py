"""The facts each case document prints, gathered from the database into plain values.

The renderers (`documents_letters`, `documents_meetings`) only lay these values out, so
what a document may contain is decided here (and in `documents_meeting_data`, which uses
the pieces below) and can be tested without a PDF:

- the acknowledgement goes to the referrer and may be passed on: the case reference
  stands in for names, and it carries nothing of the client's or the partner's;
- the plan and the meeting pack go beyond Cranstoun and Respect/SafeLives: a person's
  name, date of birth and contact are gathered only while that person's
  information-sharing consent is in force (DOMAIN.md, "Consent: what each one gates");
- the partner's address, phone, e-mail, safe-contact times and code word are never
  gathered for any document, consent or not: a printed page can be left lying about;
- the partner support log is gathered for no document (any document may reach the client
  or the referrer), and a sensitive case note only for the closure summary, when the
  practitioner closing the case chose it (`Case.closure_sensitive_notes`).

Each function raises `RuleBroken` with a sentence for the user when the case does not
yet have what the document is made from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from eip.cases import choices, closure_summary, queries, safety_plans
from eip.cases.activity_services import action_kind_label
from eip.cases.children import ages_line
from eip.cases.consent_state import ConsentState, current_consents
from eip.cases.consultation_services import current_booking
from eip.cases.dash import QUESTION_COUNT
from eip.cases.deadlines import DueItem, deadline_of, due_items
from eip.cases.models import Case, Person
from eip.cases.page import load_records
from eip.cases.step_checks import held_consultation
from eip.domain import RuleBroken
from eip.formatting import long_date
from eip.pdf.page import Letterhead
from eip.programme import current_settings
from eip.roles import Role
from eip.workdays import london_date

WITHHELD = "Details withheld: no information-sharing consent"
PARTNER_CONTACT = "Through the allocated practitioner only"
NO_PLAN = "There is no plan yet: the plan is made when the consultation is recorded as held."
NOT_CLOSED = "The case is not closed: the closure summary is made when the case is closed."
NO_RECEIPT = "The referral has no date received, so there is nothing to acknowledge yet."
NO_CONTACT = (
    "No practitioner is allocated to this case: allocate one first, so the "
    "acknowledgement names the referrer's contact."
)


@dataclass(frozen=True)
class CaseLine:
    """Who the case belongs to: in every document's opening table."""

    reference: str
    borough: str
    practitioner: str | None
    social_worker: str | None
    social_worker_team: str | None


@dataclass(frozen=True)
class PersonDetails:
    """A person as a document may show them. When `shared` is false every detail is None:
    the values never reach the renderer, so no layout can leak them."""

    role: str  # "Client" or "Partner"
    shared: bool
    name: str | None = None
    date_of_birth: date | None = None
    contact: str | None = None


@dataclass(frozen=True)
class ActionLine:
    kind: str
    description: str
    owner: str | None
    due_on: date | None
    state: str  # "Open", "Overdue" or "Done <date>"
    urgent: bool = False


@dataclass(frozen=True)
class ReferralLine:
    agency: str
    referred_on: date
    status: str


@dataclass(frozen=True)
class ReviewLine:
    completed_on: date
    score: int
    level: str
    # Whether the review met the MARAC criteria (the score, judgement or escalation), under
    # the thresholds stored with it.
    marac: bool = False


# Actions that protect someone now come first in every list of open actions: a referral to
# the IDVA service or MARAC, and a review after consent was withdrawn.
FIRST_KINDS = ("idva_referral", "marac_referral", "consent_review")


# ---------------------------------------------------------------------------
# Shared pieces


def case_line(case: Case) -> CaseLine:
    practitioner = case.allocated_practitioner
    return CaseLine(
        reference=case.reference,
        borough=case.borough.name,
        practitioner=practitioner.name if practitioner else None,
        social_worker=case.referrer_name,
        social_worker_team=case.referrer_team,
    )


def _contact(person: Person) -> str | None:
    return ", ".join(value for value in (person.phone, person.email) if value) or None


def person_details(role: str, person: Person | None, consent: ConsentState) -> PersonDetails:
    label = role.capitalize()
    if not consent.in_force:
        return PersonDetails(label, shared=False)
    if person is None:
        return PersonDetails(label, shared=True)
    return PersonDetails(
        label,
        shared=True,
        name=person.full_name,
        date_of_birth=person.date_of_birth,
        # The partner is reached only through the practitioner, at the safe times agreed.
        contact=_contact(person) if role == "client" else PARTNER_CONTACT,
    )


def people(case: Case, consents: dict[tuple[str, str], ConsentState]) -> list[PersonDetails]:
    return [
        person_details("client", case.client, consents[("client", "information_sharing")]),
        person_details("partner", case.partner, consents[("partner", "information_sharing")]),
    ]


def action_state(action: Any, today: date) -> str:
    if action.completed_at is not None:
        return f"Done {long_date(london_date(action.completed_at))}"
    if action.due_on is not None and action.due_on < today:
        return "Overdue"
    return "Open"


def action_line(action: Any, today: date) -> ActionLine:
    return ActionLine(
        kind=action_kind_label(action.kind),
        description=action.description,
        owner=action.owner,
        due_on=action.due_on,
        state=action_state(action, today),
        urgent=bool(action.urgent),
    )


def open_actions(records: dict[str, list[Any]], today: date) -> list[ActionLine]:
    """Every open action of the case, whatever its kind: IDVA and MARAC referrals and
    consent reviews first, then the rest; within each, urgent first, then soonest due."""
    open_ = [a for a in records["actions"] if a.completed_at is None]
    open_.sort(
        key=lambda a: (
            a.kind not in FIRST_KINDS,
            not a.urgent,
            a.due_on is None,
            a.due_on or date.max,
            a.id,
        )
    )
    return [action_line(a, today) for a in open_]


def referral_lines(records: dict[str, list[Any]]) -> list[ReferralLine]:
    return [
        ReferralLine(
            agency=r.agency_name or choices.label(choices.ONWARD_REFERRAL_AGENCY, r.agency),
            referred_on=r.referred_on,
            status=choices.label(choices.ONWARD_REFERRAL_STATUS, r.status),
        )
        for r in records["onward_referrals"]
    ]


def review_lines(records: dict[str, list[Any]]) -> list[ReviewLine]:
    return [
        ReviewLine(r.completed_on, r.score, r.risk_level, bool(r.marac))
        for r in records["dash_reviews"]
    ]


MARAC_MET = "MARAC threshold met"


def marac_flag(reviews: list[ReviewLine], records: dict[str, list[Any]]) -> str | None:
    """What documents highlight when the latest DASH review met the MARAC criteria (None
    when it did not): whether the referral is still to be made or has been sent."""
    if not reviews or not reviews[-1].marac:
        return None
    latest = reviews[-1]
    head = (
        f"{MARAC_MET}: the DASH review of {long_date(latest.completed_on)} scored "
        f"{latest.score} of {QUESTION_COUNT}"
    )
    if any(a.kind == "marac_referral" and a.completed_at is None for a in records["actions"]):
        return f"{head}. The MARAC referral is still to be made (see the actions)."
    sent = [r.sent_on for r in records["marac_referrals"] if r.sent_on]
    if sent:
        return f"{head}. Referred to MARAC on {long_date(max(sent))}."
    return f"{head}. Check that the case has been referred to MARAC."


def case_due_items(session: Session, case: Case, records: dict[str, list]) -> list[DueItem]:
    """The case page's "What is due" (deadlines.due_items) from the records already read,
    never a copy of its rules."""
    return due_items(queries.facts_from_records(case, records), queries.deadline_settings(session))


def safety_plan_lines(
    records: dict[str, list],
    consents: dict[tuple[str, str], ConsentState],
    meeting_id: int | None = None,
) -> list[safety_plans.SafetyPlanLine]:
    """The case's safety plans ("Risk and safety work") as documents may show them; with
    `meeting_id`, only those reviewed at that meeting, each with the change agreed there."""
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


# ---------------------------------------------------------------------------
# Acknowledgement to the referrer


@dataclass(frozen=True)
class AcknowledgementData:
    reference: str
    # The day the case was acknowledged; before that, the day it is printed (to be sent).
    letter_date: date
    received_on: date
    referrer_name: str | None
    referrer_team: str | None
    borough: str
    # The signatory: the allocated practitioner, whoever prints the letter.
    practitioner_name: str
    practitioner_email: str
    late: bool
    contact: Letterhead
    # Where the case is now, so a reprint never offers what has happened: the day the
    # consultation was held, or when it is booked for (London time), or neither.
    consultation_held_on: date | None = None
    consultation_booked_for: datetime | None = None
    closed_on: date | None = None


def acknowledgement_data(
    session: Session, case: Case, generated_by: Any, today: date, contact: Letterhead
) -> AcknowledgementData:
    """The letter is signed by the allocated practitioner; with none allocated, by the
    practitioner writing it (as the acknowledgement page does), never by a manager."""
    if case.received_at is None:
        raise RuleBroken(NO_RECEIPT)
    signatory = case.allocated_practitioner
    if signatory is None and generated_by.has_role(Role.PRACTITIONER):
        signatory = generated_by
    if signatory is None:
        raise RuleBroken(NO_CONTACT)
    held = held_consultation(session, case)
    booked = None if held else current_booking(session, case)
    return AcknowledgementData(
        reference=case.reference,
        letter_date=london_date(case.acknowledged_at) if case.acknowledged_at else today,
        received_on=london_date(case.received_at),
        referrer_name=case.referrer_name,
        referrer_team=case.referrer_team,
        borough=case.borough.name,
        practitioner_name=signatory.name,
        practitioner_email=signatory.email,
        late=case.late_referral,
        contact=contact,
        consultation_held_on=held.held_on if held else None,
        consultation_booked_for=booked.scheduled_for if booked else None,
        closed_on=london_date(case.closed_at) if case.closed_at else None,
    )


# ---------------------------------------------------------------------------
# The Risk Management and Intervention Plan


@dataclass(frozen=True)
class PlanData:
    case: CaseLine
    held_on: date
    medium: str
    attendees: str | None
    outcome: str
    advice: str | None
    people: list[PersonDetails]
    # The children by number and age (eip.cases.children.ages_line), never a name.
    children: str
    childrens_services: str
    risks: str | None
    protective_factors: str | None
    latest_review: ReviewLine | None
    marac_flag: str | None  # highlighted: the latest DASH review met the MARAC criteria
    threshold: int
    high_risk_threshold: int
    # Every open action (FIRST_KINDS first), then the plan's own actions already done.
    actions: list[ActionLine]
    done_plan_actions: list[ActionLine]
    onward_referrals: list[ReferralLine]
    needs_scenario_plan: bool
    scenario_plan: str | None
    safety_plans: list[safety_plans.SafetyPlanLine]
    contingency: str
    # The plan is reviewed at each professionals meeting and with each DASH review.
    next_meeting_due: date | None
    next_dash_due: date | None
    # Who signs the plan off: the allocated practitioner and the referring social worker.
    sign_off: list[tuple[str, str]]


def plan_data(session: Session, case: Case, today: date) -> PlanData:
    held = held_consultation(session, case)
    if held is None:
        raise RuleBroken(NO_PLAN)
    records = load_records(session, case)
    consents = current_consents(records["consents"])
    reviews = review_lines(records)
    scenario = records["scenario_plans"]
    settings = current_settings(session)
    due = case_due_items(session, case, records)
    meeting, dash = deadline_of(due, "meeting"), deadline_of(due, "dash_review")
    line = case_line(case)
    return PlanData(
        case=line,
        held_on=held.held_on,
        medium=choices.label(choices.CONSULTATION_MEDIUM, held.medium),
        attendees=held.attendees,
        outcome=choices.label(choices.CONSULTATION_OUTCOME, held.outcome),
        advice=held.advice,
        people=people(case, consents),
        children=ages_line(records["children"]),
        childrens_services=choices.label(
            choices.CHILDRENS_SERVICES_STATUS, case.childrens_services_status
        ),
        risks=held.plan_risks,
        protective_factors=held.plan_protective_factors,
        latest_review=reviews[-1] if reviews else None,
        marac_flag=marac_flag(reviews, records),
        threshold=settings.marac_threshold_yes,
        high_risk_threshold=settings.high_risk_threshold_yes,
        actions=open_actions(records, today),
        done_plan_actions=[
            action_line(a, today)
            for a in records["actions"]
            if a.kind == "plan" and a.completed_at is not None
        ],
        onward_referrals=referral_lines(records),
        needs_scenario_plan=held.outcome == "intervention_with_accommodation",
        scenario_plan=scenario[0].plan if scenario else None,
        safety_plans=safety_plan_lines(records, consents),
        contingency=contingency(settings.high_risk_threshold_yes, settings.marac_threshold_yes),
        next_meeting_due=meeting.due_on if meeting else None,
        next_dash_due=dash.due_on if dash else None,
        sign_off=[
            ("Allocated practitioner", line.practitioner or "Not allocated"),
            ("Referring social worker", line.social_worker or "Not recorded"),
        ],
    )


def contingency(high_risk: int, marac: int) -> str:
    """What happens if the risk rises, from the programme's rules (DOMAIN.md, "Risk
    reviews") and its thresholds as set now."""
    return (
        "If the risk rises (a new incident, a DASH score of "
        f"{high_risk} or more, or professional judgement), the practitioner reviews risk with "
        "DASH at once, refers the partner to the IDVA service within 1 working day and tells "
        f"the social worker; at the MARAC threshold ({marac} or more, judgement or "
        "escalation) the case is referred to MARAC within 2 working days. Anyone in immediate "
        "danger calls 999."
    )


# ---------------------------------------------------------------------------
# The closure summary


@dataclass(frozen=True)
class ClosureData:
    case: CaseLine
    outcome: str
    reason: str | None
    risk_reason: str | None
    risk_at_closure: str
    living_arrangements: str
    childrens_services: str
    police_callouts: int | None
    consultation_outcome: str | None
    key_dates: list[tuple[str, date | None]]
    sessions: int
    sessions_attended: int
    meetings: int
    incidents: int
    reviews: list[ReviewLine]
    onward_referrals: list[ReferralLine]
    notes: list[NoteLine]
    stays: list[closure_summary.StayLine] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    # A case closed because its late referral was refused: the short summary instead.
    refusal: closure_summary.Refusal | None = None


@dataclass(frozen=True)
class NoteLine:
    """A case note or contact with the client as the closure summary prints it."""

    noted_on: date
    contact: str
    outcome: str | None
    note: str | None
    sensitive: bool


def note_lines(case: Case, records: dict[str, list[Any]]) -> list[NoteLine]:
    """The case notes the closure summary prints: a sensitive one only when the practitioner
    closing the case chose to include them."""
    lines = []
    for n in records["notes"]:
        if n.sensitive and not case.closure_sensitive_notes:
            continue
        how = choices.label(choices.CONTACT_MEANS, n.method)
        contact = choices.label(choices.NOTE_CONTACT, n.contact)
        lines.append(
            NoteLine(
                noted_on=n.noted_on,
                contact=f"{contact} ({how})" if how else contact,
                outcome=n.outcome,
                note=n.note,
                sensitive=n.sensitive,
            )
        )
    return lines


def closure_data(session: Session, case: Case) -> ClosureData:
    if case.status not in ("closed", "not_accepted") or case.closed_at is None:
        raise RuleBroken(NOT_CLOSED)
    records = load_records(session, case)
    held = held_consultation(session, case)
    sessions = records["sessions"]
    not_recorded = "Not recorded"
    reviews = review_lines(records)
    referrals = referral_lines(records)
    last = (reviews[-1].score, reviews[-1].level) if reviews else None
    return ClosureData(
        case=case_line(case),
        outcome=choices.label(choices.CLOSURE_OUTCOME, case.closure_outcome) or not_recorded,
        reason=case.closure_reason,
        risk_reason=case.closure_risk_reason,
        risk_at_closure=choices.label(choices.RISK_LEVEL, case.closure_risk_level) or not_recorded,
        living_arrangements=choices.label(
            choices.LIVING_ARRANGEMENTS_AT_CLOSURE, case.closure_living_arrangements
        )
        or not_recorded,
        childrens_services=choices.label(
            choices.CHILDRENS_SERVICES_STATUS, case.closure_childrens_services_status
        )
        or not_recorded,
        police_callouts=case.closure_police_callouts,
        consultation_outcome=(
            choices.label(choices.CONSULTATION_OUTCOME, held.outcome) if held else None
        ),
        key_dates=[
            ("Referral received", london_date(case.received_at) if case.received_at else None),
            (
                "Referral acknowledged",
                london_date(case.acknowledged_at) if case.acknowledged_at else None,
            ),
            ("Consultation held", held.held_on if held else None),
            ("Intervention started", case.intervention_started_on),
            ("Case closed", london_date(case.closed_at)),
        ],
        sessions=len(sessions),
        sessions_attended=sum(1 for s in sessions if s.attendance == "attended"),
        meetings=len(records["meetings"]),
        incidents=len(records["incidents"]),
        reviews=reviews,
        onward_referrals=referrals,
        notes=note_lines(case, records),
        stays=closure_summary.stay_lines(session, case),
        flags=closure_summary.flags(
            outcome=case.closure_outcome,
            reason=case.closure_reason,
            risk_at_closure=case.closure_risk_level,
            risk_reason=case.closure_risk_reason,
            last_review=last,
            onward_referrals=len(referrals),
        ),
        refusal=closure_summary.refusal(session, case),
    )
