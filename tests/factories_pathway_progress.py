"""Cases at each point of the consultation, consent and closure steps, built through the
real models (every name fictional). Dates are relative to today, so the rules about
the future and about the referral date hold whatever day the tests run."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from eip.auth.models import User
from eip.cases.models import Case
from eip.cases.records import Consent, Consultation
from eip.clock import today
from eip.extensions import db
from tests import factories

RECEIVED_DAYS_AGO = 20


def received_at() -> datetime:
    """Ten in the morning, RECEIVED_DAYS_AGO days ago (UTC: the London date is the same)."""
    day = today() - timedelta(days=RECEIVED_DAYS_AGO)
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)


def days_ago(n: int) -> date:
    return today() - timedelta(days=n)


def acknowledged_case(
    practitioner: User | None = None, borough_name: str = "Camden", status: str = "acknowledged"
) -> Case:
    case = factories.case(borough_name, practitioner, status=status)
    case.received_at = received_at()
    case.acknowledged_at = case.received_at + timedelta(hours=3)
    case.acknowledgement_method = "secure_email"
    db.session.commit()
    return case


def booked_case(practitioner: User | None = None, borough_name: str = "Camden") -> Case:
    case = acknowledged_case(practitioner, borough_name, status="consultation_booked")
    db.session.add(
        Consultation(
            case_id=case.id,
            scheduled_for=case.received_at + timedelta(days=5),
            medium="phone",
            attendees="Practitioner and social worker",
        )
    )
    db.session.commit()
    return case


_STATUS_AFTER = {
    "intervention": "awaiting_consent",
    "intervention_with_accommodation": "awaiting_consent",
    "consultation_only": "consultation_only",
    "not_suitable": "onward_referral",
}


def consulted_case(
    outcome: str = "intervention", practitioner: User | None = None, borough_name: str = "Camden"
) -> Case:
    """A case whose consultation was held RECEIVED_DAYS_AGO - 5 days ago with `outcome`."""
    case = booked_case(practitioner, borough_name)
    consultation = db.session.scalar(db.select(Consultation).where(Consultation.case_id == case.id))
    consultation.held_on = days_ago(RECEIVED_DAYS_AGO - 5)
    consultation.outcome = outcome
    consultation.plan_risks = "Arguments escalate when money is short"
    consultation.advice = "Advice given" if outcome == "consultation_only" else None
    case.status = _STATUS_AFTER[outcome]
    db.session.commit()
    return case


def consent(
    case: Case,
    person: str,
    kind: str = "intervention",
    state: str = "given",
    recorded_on: date | None = None,
    withdrawn_on: date | None = None,
) -> Consent:
    record = Consent(
        case_id=case.id,
        person_role=person,
        kind=kind,
        state=state,
        recorded_on=recorded_on or days_ago(10),
        obtained_by="Social worker",
        how="in_person",
        withdrawn_on=withdrawn_on,
        withdrawal_reason="Changed their mind" if withdrawn_on else None,
    )
    db.session.add(record)
    db.session.commit()
    return record


def active_case(practitioner: User | None = None, borough_name: str = "Camden") -> Case:
    case = consulted_case("intervention", practitioner, borough_name)
    consent(case, "client")
    consent(case, "partner")
    case.status = "active"
    case.intervention_started_on = days_ago(10)
    db.session.commit()
    return case


def closed_case(status_before: str = "active", practitioner: User | None = None) -> Case:
    case = acknowledged_case(practitioner, status="closed")
    case.status_before_closure = status_before
    case.closed_at = datetime.now(UTC) - timedelta(days=1)
    case.closure_outcome = "completed"
    case.closure_risk_level = "standard"
    case.closure_reason = "Intervention completed"
    db.session.commit()
    return case


def case_in(status: str, practitioner: User | None = None) -> Case:
    """A case in any closable status, with what that status implies already recorded."""
    if status == "referred":
        case = factories.case("Camden", practitioner, status="referred")
        case.received_at = received_at()
        db.session.commit()
        return case
    if status == "acknowledged":
        return acknowledged_case(practitioner)
    if status == "consultation_booked":
        return booked_case(practitioner)
    if status == "awaiting_consent":
        return consulted_case("intervention", practitioner)
    if status == "consultation_only":
        return consulted_case("consultation_only", practitioner)
    if status == "onward_referral":
        return consulted_case("not_suitable", practitioner)
    if status == "active":
        return active_case(practitioner)
    raise ValueError(status)
