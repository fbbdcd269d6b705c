"""The steps right after a referral: acknowledging it, the managers' decision on a
late referral, and opening the partner's details (every view audited)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from eip.auth.models import User
from eip.cases import choices
from eip.cases import notices as case_notices
from eip.cases.common import audit_change, commit, lock_case, not_in_future
from eip.cases.models import Case
from eip.cases.records import LateReferralDecision
from eip.cases.referral_rules import late_agreement_problems, late_refusal_problems
from eip.cases.rules import CaseFacts, next_status
from eip.clock import now
from eip.db import write_now
from eip.domain import NotAllowed, RuleBroken
from eip.policy import can
from eip.problems import Problems
from eip.programme import current_settings
from eip.workdays import london_date

ALREADY_DECIDED = "A decision on this late referral has already been recorded"


def acknowledge(
    session: Session,
    user: User,
    case: Case,
    *,
    acknowledged_at: datetime | None,
    method: str | None,
) -> str:
    """Record when and how the referrer was told the referral arrived. Returns the new status.
    No version: the state machine, checked on the case under its row lock, refuses a second
    acknowledgement, and nothing else changed meanwhile refuses this one."""
    if not can(user, "case.edit", case):
        raise NotAllowed("You may not change this case")
    lock_case(session, case)
    status = next_status(
        case.status, "acknowledge", CaseFacts(acknowledged=case.acknowledged_at is not None)
    )
    problems = Problems()
    if method not in choices.values(choices.CONTACT_METHOD):
        problems.add("method", "Select how the referrer was told")
    if acknowledged_at is None:
        problems.add("acknowledged_date", "Enter the date and time the referrer was told")
    _acknowledged_at_problems(problems, case, acknowledged_at)
    problems.raise_any()
    case.acknowledged_at = acknowledged_at
    case.acknowledgement_method = method
    case.acknowledged_by_id = user.id
    case.status = status
    audit_change(
        session,
        user,
        case,
        "case.acknowledged",
        fields=["acknowledged_at", "acknowledgement_method"],
        method=method,
    )
    commit(session)
    return status


def _acknowledged_at_problems(
    problems: Problems, case: Case, acknowledged_at: datetime | None
) -> None:
    if acknowledged_at is None:
        return
    if acknowledged_at > now():
        problems.add("acknowledged_time", "The time of the acknowledgement cannot be in the future")
    elif case.received_at is not None and acknowledged_at < case.received_at:
        problems.add(
            "acknowledged_time", "The acknowledgement cannot be before the referral was received"
        )


def check_acknowledged_at(case: Case, acknowledged_at: datetime | None) -> None:
    """The rules on the moment typed, for a form that failed its own checks (eip/steps.validate):
    `RuleBroken` when it is in the future or before the referral; nothing is written."""
    problems = Problems()
    _acknowledged_at_problems(problems, case, acknowledged_at)
    problems.raise_any()


def check_decided_on(case: Case, decided_on: date | None) -> None:
    """The rules on the decision's date typed (eip/steps.validate); nothing is written."""
    if decided_on is not None and (problem := _date_problem(case, decided_on)):
        raise RuleBroken(problem, field="decided_on")


def _decision_checks(session: Session, user: User, case: Case, action: str) -> str:
    if not can(user, "case.late_decision", case):
        raise NotAllowed("Only a programme manager records the late-referral decision")
    # The one decision per case and the state machine, read under the case's row lock.
    lock_case(session, case)
    decided = session.scalar(
        select(LateReferralDecision.id).where(LateReferralDecision.case_id == case.id).limit(1)
    )
    if decided is not None:
        raise RuleBroken(ALREADY_DECIDED)
    return next_status(
        case.status, action, CaseFacts(acknowledged=case.acknowledged_at is not None)
    )


def _date_problem(case: Case, decided_on: date | None) -> str | None:
    if decided_on is None:
        return "Enter the date of the decision"
    try:
        not_in_future(decided_on, "decided_on", "The date of the decision")
    except RuleBroken as broken:
        return broken.message
    if case.received_at is not None and decided_on < london_date(case.received_at):
        return "The decision cannot be before the referral was received"
    return None


def record_late_agreement(
    session: Session,
    user: User,
    case: Case,
    *,
    decided_on: date | None,
    cranstoun_agreed_by: str | None,
    respect_agreed_by: str | None,
    camden_agreed_by: str | None,
    support_confirmed: bool,
    note: str | None,
) -> str:
    """All three organisations agreed in writing: the case goes on. Returns the new status."""
    status = _decision_checks(session, user, case, "record_late_agreement")
    names = {
        name: (value or "").strip()
        for name, value in (
            ("cranstoun_agreed_by", cranstoun_agreed_by),
            ("respect_agreed_by", respect_agreed_by),
            ("camden_agreed_by", camden_agreed_by),
        )
    }
    found = late_agreement_problems(names, support_confirmed)
    problem = _date_problem(case, decided_on)
    if problem:
        found["decided_on"] = problem
    if found:
        raise RuleBroken(errors=found)
    session.add(
        LateReferralDecision(
            case_id=case.id,
            recorded_by_id=user.id,
            decision="agreed",
            decided_on=decided_on,
            support_confirmed=True,
            note=(note or "").strip() or None,
            **names,
        )
    )
    case.status = status
    audit_change(session, user, case, "case.late_referral_agreed", fields=["late_referral"])
    case_notices.late_referral_decided(session, case)
    commit(session)
    return status


def refuse_late_referral(
    session: Session,
    user: User,
    case: Case,
    *,
    decided_on: date | None,
    note: str | None,
) -> str:
    """Agreement was refused: the case closes as not accepted."""
    status = _decision_checks(session, user, case, "refuse_late_referral")
    found = late_refusal_problems(note)
    problem = _date_problem(case, decided_on)
    if problem:
        found["decided_on"] = problem
    note = (note or "").strip() or None
    if found:
        raise RuleBroken(errors=found)
    session.add(
        LateReferralDecision(
            case_id=case.id,
            recorded_by_id=user.id,
            decision="refused",
            decided_on=decided_on,
            note=note,
        )
    )
    case.status_before_closure = case.status
    case.status = status
    case.closure_outcome = "not_accepted"
    case.closed_at = now()
    case.closed_by_id = user.id
    audit_change(session, user, case, "case.late_referral_refused", fields=["late_referral"])
    case_notices.late_referral_decided(session, case)
    commit(session)
    return status


def view_partner(session: Session, user: User, case: Case) -> None:
    """Opening the partner's details is itself recorded, every time."""
    if not can(user, "case.partner", case):
        raise NotAllowed("You may not see the partner's details")
    with write_now(session):  # a GET's write (eip/db.py)
        audit_change(session, user, case, "case.partner_viewed")
        session.commit()


def late_decisions(session: Session, case: Case) -> list[LateReferralDecision]:
    return list(
        session.scalars(
            select(LateReferralDecision)
            .where(LateReferralDecision.case_id == case.id)
            .order_by(LateReferralDecision.id)
        )
    )


def programme_end(session: Session) -> date:
    return current_settings(session).programme_end_date
