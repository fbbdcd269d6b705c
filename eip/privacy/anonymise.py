"""Anonymise a case in place: its personal data replaced, its facts kept exact.

What a case may no longer hold once it is past retention or erased on request: names,
contacts, addresses, dates of birth, the code word, safe-contact arrangements and every
piece of free text. What it keeps, exactly: the reference, the pathway steps and their
dates, DASH scores and answers, consents' outcomes, children's ages, placements and the
ledger, so that every figure, budget, statement and released extract still adds up.

`INVENTORY` is the one list of what happens to each text column of every case-related
table; tests/integration/test_anonymise.py fails on a new column until it is classified.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from accommodation.models import (
    Invoice,
    LedgerEntry,
    Payment,
    Placement,
    PlacementExtension,
    ReturnHomeReview,
)
from eip import audit
from eip.auth.models import User
from eip.cases import due_store, equality, records
from eip.cases.models import Case, CaseDueItem, Person
from eip.clock import now as clock_now
from eip.notifications.centre import Notification
from eip.privacy.guard import (  # noqa: F401 (re-exported)
    ANONYMISING,
    CaseAnonymised,
    anonymised_reason,
    refuse_if_anonymised,
)
from eip.privacy.models import DataRequest
from eip.workdays import london_date

MARKER = "[anonymised]"

# How a column is treated.
MARK = "marker"  # a non-empty value becomes MARKER
KEEP = "keep"  # kept exactly: a choice, a reference, a figure's source
PERSON = "person"  # on the person: the case is detached from them (see _detach)
STEPS = "steps"  # a plan's steps: their text marked, their dates coarsened to the month
DERIVED = "derived"  # rewritten from the records (eip.cases.due_store)

_PERSON_COLUMNS = ("full_name", "name_key", "search_key", "address", "phone", "email", "language")
_EQUALITY_KEPT = (
    "gender",
    "ethnicity",
    "disability",
    "sexual_orientation",
    "age_band",
    "interpreter_needed",
)

INVENTORY: tuple[tuple[type, str, str], ...] = (
    *((Person, name, PERSON) for name in _PERSON_COLUMNS),
    (Person, "date_of_birth", PERSON),
    *((Person, name, KEEP) for name in _EQUALITY_KEPT),
    (Case, "reference", KEEP),
    (Case, "status", KEEP),
    (Case, "status_before_closure", KEEP),
    (Case, "referrer_name", MARK),
    (Case, "referrer_team", MARK),
    (Case, "referrer_email", MARK),
    (Case, "referrer_phone", MARK),
    (Case, "client_safe_contact", MARK),
    (Case, "partner_relationship", KEEP),
    (Case, "living_together", KEEP),
    (Case, "partner_safe_contact_times", MARK),
    (Case, "partner_code_word", MARK),
    (Case, "children_ages", MARK),  # free text; the Child records keep each age
    (Case, "childrens_services_status", KEEP),
    (Case, "previous_abuse", KEEP),
    (Case, "separation", KEEP),
    (Case, "pregnancy", KEEP),
    (Case, "substance_use", KEEP),
    (Case, "mental_health", KEEP),
    (Case, "weapons", KEEP),
    (Case, "reason_for_referral", MARK),
    (Case, "what_has_been_tried", MARK),
    (Case, "acknowledgement_method", KEEP),
    (Case, "closure_outcome", KEEP),
    (Case, "closure_risk_level", KEEP),
    (Case, "closure_living_arrangements", KEEP),
    (Case, "closure_childrens_services_status", KEEP),
    (Case, "closure_reason", MARK),
    (Case, "closure_risk_reason", MARK),
    (CaseDueItem, "kind", KEEP),
    (CaseDueItem, "label", DERIVED),
    (records.LateReferralDecision, "decision", KEEP),
    (records.LateReferralDecision, "cranstoun_agreed_by", MARK),
    (records.LateReferralDecision, "respect_agreed_by", MARK),
    (records.LateReferralDecision, "camden_agreed_by", MARK),
    (records.LateReferralDecision, "note", MARK),
    (records.Consultation, "medium", KEEP),
    (records.Consultation, "attendees", MARK),
    (records.Consultation, "outcome", KEEP),
    (records.Consultation, "advice", MARK),
    (records.Consultation, "plan_risks", MARK),
    (records.Consultation, "plan_protective_factors", MARK),
    (records.CaseAction, "kind", KEEP),
    (records.CaseAction, "description", MARK),
    (records.CaseAction, "owner", MARK),
    (records.CaseAction, "resolution", KEEP),
    (records.OnwardReferral, "agency", KEEP),
    (records.OnwardReferral, "agency_name", MARK),
    (records.OnwardReferral, "status", KEEP),
    (records.OnwardReferral, "note", MARK),
    (records.Consent, "person_role", KEEP),
    (records.Consent, "kind", KEEP),
    (records.Consent, "state", KEEP),
    (records.Consent, "obtained_by", MARK),
    (records.Consent, "how", KEEP),
    (records.Consent, "withdrawal_reason", MARK),
    (records.Incident, "source", KEEP),
    (records.Incident, "description", MARK),
    (records.Incident, "response", MARK),
    (records.InterventionSession, "attendance", KEEP),
    (records.InterventionSession, "themes", MARK),
    (records.InterventionSession, "notes", MARK),
    (records.ProfessionalsMeeting, "attendees", MARK),
    (records.ProfessionalsMeeting, "risk_update", MARK),
    (records.ProfessionalsMeeting, "progress", MARK),
    (records.DashReview, "professional_judgement", KEEP),
    (records.DashReview, "judgement_note", MARK),
    (records.DashReview, "risk_level", KEEP),
    (records.DashReview, "escalation_kinds", KEEP),
    (records.ScenarioPlan, "plan", MARK),
    (records.Child, "age_band", KEEP),
    (records.Child, "lives_with", KEEP),
    (records.Child, "childrens_services_status", KEEP),
    (records.Child, "school_known", KEEP),
    (records.MaracReferral, "reasons", MARK),
    (records.MaracReferral, "agencies_involved", MARK),
    (records.MaracReferral, "safe_contact", MARK),
    (records.MaracReferral, "partner_aware", KEEP),
    (records.MaracReferral, "referrer_phone", MARK),
    (records.SafetyPlan, "person", KEEP),
    (records.SafetyPlan, "risks", MARK),
    (records.SafetyPlan, "protective_steps", MARK),
    (records.SafetyPlan, "steps", STEPS),
    (records.SafetyPlan, "agencies", MARK),
    (records.SafetyPlan, "safe_contact", MARK),
    (records.SafetyPlanReview, "change", MARK),
    # Outcome measures: places on fixed scales and codes, no personal text (kept whole).
    (records.OutcomeMeasure, "point", KEEP),
    (records.OutcomeMeasure, "partner_source", KEEP),
    (records.OutcomeMeasure, "children_exposure", KEEP),
    (records.CaseNote, "contact", KEEP),
    (records.CaseNote, "method", KEEP),
    (records.CaseNote, "outcome", MARK),
    (records.CaseNote, "note", MARK),
    (records.PartnerSupportContact, "made_by", MARK),
    (records.PartnerSupportContact, "with_whom", KEEP),
    (records.PartnerSupportContact, "contact", KEEP),
    (records.PartnerSupportContact, "method", KEEP),
    (records.PartnerSupportContact, "outcome", MARK),
    (records.PartnerSupportContact, "risk_change", KEEP),
    (records.PartnerSupportContact, "onward_support", MARK),
    (Placement, "state", KEEP),
    (Placement, "location_preference", MARK),
    (Placement, "areas_to_avoid", MARK),
    (Placement, "booking_needs", MARK),
    (Placement, "out_of_borough_safety", MARK),
    (Placement, "out_of_borough_mitigation", MARK),
    (Placement, "social_worker_name", MARK),
    (Placement, "outcome_reason", MARK),
    (Placement, "provider", KEEP),  # the supplier the invoices name
    (Placement, "address", MARK),
    (Placement, "cancel_reason", MARK),
    (PlacementExtension, "reason", MARK),
    (PlacementExtension, "state", KEEP),
    (PlacementExtension, "decision_reason", MARK),
    (ReturnHomeReview, "support_package", MARK),
    (ReturnHomeReview, "protective_steps", MARK),
    # The ledger and what it reconciles with are append-only money records: kept exact.
    (Invoice, "supplier", KEEP),
    (Invoice, "supplier_key", KEEP),
    (Invoice, "number", KEEP),
    (Payment, "reference", KEEP),
    (LedgerEntry, "kind", KEEP),
    (LedgerEntry, "reason", KEEP),
    # A request keeps what it was and what became of it; what was asked and why not.
    (DataRequest, "person_role", KEEP),
    (DataRequest, "asked_by", KEEP),
    (DataRequest, "kind", KEEP),
    (DataRequest, "what", MARK),
    (DataRequest, "decision", KEEP),
    (DataRequest, "decision_reason", MARK),
    (Notification, "kind", KEEP),
    (Notification, "topic", KEEP),
    (Notification, "subject", KEEP),
    (Notification, "dedupe_key", KEEP),
    (Notification, "case_reference", KEEP),
    (Notification, "close_reason", KEEP),
    (Notification, "email_status", KEEP),
    (Notification, "email_error", KEEP),
    (Notification, "email_message_id", KEEP),
)

# The record kinds by how they hang off the case (their `case_id`, or their placement's).
_PLACEMENT_CHILDREN = (PlacementExtension, ReturnHomeReview)


def marked_columns(model: type) -> list[str]:
    return [name for m, name, how in INVENTORY if m is model and how == MARK]


def anonymise_case(session: Session, actor: User | None, case: Case, *, reason: str) -> None:
    """Anonymise `case` in place and audit it (field names only). Flushes, never commits:
    the caller commits, so that a batch is anonymised whole or not at all."""
    refuse_if_anonymised(case)
    session.info[ANONYMISING] = True
    try:
        _anonymise(session, actor, case, reason)
    finally:
        session.info.pop(ANONYMISING, None)


def _anonymise(session: Session, actor: User | None, case: Case, reason: str) -> None:
    changed: set[str] = set()
    changed |= _mark(case, marked_columns(Case))
    for model in (*records.RECORD_TYPES, DataRequest):
        names = marked_columns(model)
        rows = session.scalars(select(model).where(model.case_id == case.id)).all()
        for row in rows:
            changed |= _mark(row, names)
            if model is records.SafetyPlan and row.steps:
                row.steps = [_coarsen_step(step) for step in row.steps]
                changed.add("steps")
    placements = session.scalars(select(Placement).where(Placement.case_id == case.id)).all()
    for placement in placements:
        changed |= _mark(placement, marked_columns(Placement))
    placement_ids = [p.id for p in placements]
    for model in _PLACEMENT_CHILDREN:
        if placement_ids:
            for row in session.scalars(select(model).where(model.placement_id.in_(placement_ids))):
                changed |= _mark(row, marked_columns(model))
    changed |= _detach(session, case, placements)
    case.anonymised_at = clock_now()
    session.flush()
    due_store.refresh(session, [case.id])
    audit.record(
        session,
        "case.anonymised",
        actor=actor,
        actor_label=None if actor is not None else "cli",
        object_type="case",
        object_id=case.id,
        case_reference=case.reference,
        reason=reason,
        details={"fields": sorted(changed)},
    )
    session.flush()


def _mark(row: Any, names: list[str]) -> set[str]:
    changed = set()
    for name in names:
        if getattr(row, name) not in (None, "", MARKER):
            setattr(row, name, MARKER)
            changed.add(name)
    return changed


def _coarsen_step(step: dict[str, Any]) -> dict[str, Any]:
    """A plan's step: who and what replaced, the date kept to its month (a free-text date)."""
    when = step.get("by_when") or ""
    try:
        month = date.fromisoformat(when).replace(day=1).isoformat()
    except ValueError:
        month = ""
    return {"action": MARKER, "by_whom": MARKER, "by_when": month}


def _anonymous_person(person: Person, referred_on: date) -> Person:
    """A person with the equality answers alone, the age band taken at this referral."""
    kept = {name: getattr(person, name) for name in _EQUALITY_KEPT}
    kept["age_band"] = equality.age_band(person.date_of_birth, person.age_band, referred_on)
    return Person(full_name=MARKER, name_key=MARKER, **kept)


def _detach(session: Session, case: Case, placements: list[Placement]) -> set[str]:
    """Point the case (and its placements and MARAC referrals) at anonymous persons of their
    own. The person they leave is blanked too unless another case still needs them."""
    changed: set[str] = set()
    referred_on = london_date(case.received_at or case.created_at)
    for role in ("client", "partner"):
        person = getattr(case, role)
        if person is None:
            continue
        stand_in = _anonymous_person(person, referred_on)
        session.add(stand_in)
        setattr(case, role, stand_in)
        changed.add(f"{role}_name")
        if role == "client":
            for placement in placements:
                placement.client = stand_in
        else:
            for referral in session.scalars(
                select(records.MaracReferral).where(
                    records.MaracReferral.case_id == case.id,
                    records.MaracReferral.partner_id == person.id,
                )
            ):
                referral.partner_id = _flushed_id(session, stand_in)
        session.flush()
        if not _still_used(session, person.id):
            _blank(person)
    return changed


def _flushed_id(session: Session, person: Person) -> int:
    session.flush()
    return person.id


def _still_used(session: Session, person_id: int) -> bool:
    return (
        session.scalar(
            select(Case.id)
            .where(or_(Case.client_id == person_id, Case.partner_id == person_id))
            .limit(1)
        )
        is not None
    )


def _blank(person: Person) -> None:
    """A person no case needs any more: nothing left that names or reaches them."""
    person.full_name = MARKER
    person.name_key = MARKER
    person.date_of_birth = None
    person.address = None
    person.phone = None
    person.email = None
    person.language = None
