"""The case consultation and what it produces: the booking, the Risk Management and
Intervention Plan with its actions, onward referrals and the scenario plan.

Each function takes the session, the acting user, the case and plain values; checks
the version of the record the user saw (the booking, an onward referral, the scenario plan;
additions check none), the state machine and the input; writes; audits by field name; and
commits once.

Rebooking adds a new booking and keeps the earlier one, so the history shows every
date that was arranged; recording the consultation completes the latest booking.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from eip.auth.models import User
from eip.cases import choices, rules
from eip.cases.common import (
    audit_change,
    check_version,
    commit,
    commit_addition,
    latest_due_date,
    lock_case,
)
from eip.cases.models import Case
from eip.cases.records import CaseAction, Consultation, OnwardReferral, ScenarioPlan
from eip.cases.step_checks import (
    closed_refusal,
    held_consultation,
    require,
    require_open,
    require_step,
)
from eip.domain import NotFound, RuleBroken
from eip.problems import Problems
from eip.versioning import check_seen

EDIT = "case.edit"
PLAN_ACTION_KIND = "plan"
ACTION_ROWS = 3  # plan actions the consultation form takes at once (no JavaScript needed)


@dataclass(frozen=True)
class PlanAction:
    """One action of the plan as typed: what, who, and when it is reviewed."""

    description: str
    owner: str
    review_on: date | None


# ---------------------------------------------------------------------------
# Booking


def latest_booking(session: Session, case: Case) -> Consultation | None:
    """The newest booking, held or not: the record the booking and recording forms edit
    (their version is `seen_token` of it), so a booking or a recording saved meanwhile is
    named, with who saved it, when the page that did not show it is saved."""
    return session.scalar(
        select(Consultation)
        .where(Consultation.case_id == case.id)
        .order_by(Consultation.id.desc())
        .limit(1)
    )


def current_booking(session: Session, case: Case) -> Consultation | None:
    """The latest booking not yet recorded as held."""
    return session.scalar(
        select(Consultation)
        .where(Consultation.case_id == case.id, Consultation.held_on.is_(None))
        .order_by(Consultation.id.desc())
        .limit(1)
    )


def book_consultation(
    session: Session,
    user: User,
    case: Case,
    *,
    version: int | str | None,
    scheduled_for: datetime | None,
    medium: str | None,
    attendees: str | None,
) -> Consultation:
    """Book the consultation (or rebook it while it is still only booked). `version` is the
    booking the page showed (`new` when there was none): a booking made or changed meanwhile
    refuses this one, so two people booking at once do not both book."""
    require(user, EDIT, case)
    lock_case(session, case)
    check_seen(latest_booking(session, case), version, Consultation)
    require_step(case, "book_consultation")
    problems = Problems()
    if scheduled_for is None:
        problems.add("scheduled_on", "Enter the date and time of the consultation")
    else:
        if scheduled_for.tzinfo is None:
            raise ValueError("scheduled_for must be timezone-aware")
        problems.not_before_referral("scheduled_on", scheduled_for, "The consultation", case)
    problems.choice(
        "medium", medium, choices.CONSULTATION_MEDIUM, "Select how the consultation will be held"
    )
    who = problems.text("attendees", attendees, "Enter who will attend the consultation")
    problems.raise_any()

    rebooking = case.status == "consultation_booked"
    case.status = rules.next_status(case.status, "book_consultation")
    booking = Consultation(
        case_id=case.id,
        scheduled_for=scheduled_for,
        medium=medium,
        attendees=who,
        recorded_by_id=user.id,
    )
    session.add(booking)
    session.flush()
    audit_change(
        session,
        user,
        case,
        "case.consultation_rebooked" if rebooking else "case.consultation_booked",
        fields=["scheduled_for", "medium", "attendees"],
        record=booking.id,
    )
    commit(session)
    return booking


# ---------------------------------------------------------------------------
# Recording the consultation and writing the plan


def check_consultation(
    session: Session,
    case: Case,
    *,
    held_on: date | None,
    outcome: str | None,
    advice: str | None,
    plan_risks: str | None,
    actions: Sequence[PlanAction] = (),
) -> list:
    """Every problem with the consultation and plan as typed, raised together (`RuleBroken`),
    or the plan actions cleaned. Writes nothing: the page runs it on a form that failed its
    own checks too (eip/steps.validate), so the user sees every problem in one round."""
    problems = Problems()
    problems.date(
        "held_on",
        held_on,
        "The date the consultation was held",
        required="Enter the date the consultation was held",
        case=case,
    )
    problems.choice(
        "outcome", outcome, rules.CONSULTATION_OUTCOMES, "Select the outcome of the consultation"
    )
    if outcome == "consultation_only" and not (advice or "").strip():
        problems.add("advice", "Enter the advice given to the social worker")
    problems.text("plan_risks", plan_risks, "Enter the risks in the plan")
    latest = latest_due_date(session)
    cleaned = [
        _plan_action(problems, n, action, held_on, latest) for n, action in enumerate(actions, 1)
    ]
    problems.raise_any()
    return cleaned


def record_consultation(
    session: Session,
    user: User,
    case: Case,
    *,
    version: int | str | None,
    held_on: date | None,
    outcome: str | None,
    advice: str | None,
    plan_risks: str | None,
    plan_protective_factors: str | None,
    actions: Sequence[PlanAction] = (),
) -> Consultation:
    """Record the consultation held, its outcome and the plan; the outcome moves the case.

    Problems with plan action n (counting from 1) are reported on the fields
    `action_<n>_description`, `action_<n>_owner` and `action_<n>_review_on`.
    """
    require(user, EDIT, case)
    lock_case(session, case)
    # The booking's own version (`id.version`): a rebooking, or the consultation recorded
    # by someone else meanwhile, refuses this one; a referral edit or a consent does not.
    check_seen(latest_booking(session, case), version, Consultation)
    require_step(case, "record_consultation")
    booking = current_booking(session, case)
    if booking is None:
        raise RuleBroken("A consultation must be booked before it is recorded")
    cleaned = check_consultation(
        session,
        case,
        held_on=held_on,
        outcome=outcome,
        advice=advice,
        plan_risks=plan_risks,
        actions=actions,
    )
    advice_text = (advice or "").strip()
    risks = (plan_risks or "").strip()

    case.status = rules.next_status(
        case.status, "record_consultation", rules.CaseFacts(consultation_outcome=outcome)
    )
    booking.held_on = held_on
    booking.outcome = outcome
    booking.advice = advice_text or None
    booking.plan_risks = risks
    booking.plan_protective_factors = (plan_protective_factors or "").strip() or None
    session.flush()
    for action in cleaned:
        session.add(_action_record(case, user, booking, action))
    audit_change(
        session,
        user,
        case,
        "case.consultation_recorded",
        fields=["held_on", "outcome", "advice", "plan_risks", "plan_protective_factors", "status"],
        plan_actions=len(cleaned),
        record=booking.id,
    )
    commit(session, booking)
    return booking


def _plan_action(
    problems: Problems,
    n: int,
    action: PlanAction,
    after: date | None,
    latest: tuple[date, str],
) -> PlanAction:
    prefix = f"action_{n}_"
    description = problems.text(
        prefix + "description", action.description, f"Enter what action {n} is"
    )
    owner = problems.text(prefix + "owner", action.owner, f"Enter who owns action {n}")
    if action.review_on is None:
        problems.add(prefix + "review_on", f"Enter the due date of action {n}")
    elif after is not None and action.review_on < after:
        problems.add(
            prefix + "review_on",
            f"The due date of action {n} cannot be before the consultation",
        )
    elif action.review_on > latest[0]:
        problems.add(
            prefix + "review_on", f"The due date of action {n} cannot be after {latest[1]}"
        )
    return PlanAction(description, owner, action.review_on)


def _action_record(
    case: Case, user: User, consultation: Consultation, action: PlanAction
) -> CaseAction:
    return CaseAction(
        case_id=case.id,
        kind=PLAN_ACTION_KIND,
        description=action.description,
        owner=action.owner,
        due_on=action.review_on,
        source_id=consultation.id,
        recorded_by_id=user.id,
    )


def plan_action_refusal(session: Session, case: Case) -> str | None:
    """Why an action cannot be added to the plan now, or None."""
    reason = closed_refusal(case)
    if reason:
        return reason
    if held_consultation(session, case) is None:
        return "The plan is written at the case consultation: record the consultation first"
    return None


def add_plan_action(
    session: Session,
    user: User,
    case: Case,
    *,
    description: str | None,
    owner: str | None,
    review_on: date | None,
    submission: str | None = None,
) -> CaseAction:
    """Add one more action to the plan after the consultation: an addition, so it checks no
    version; the form's one-time token saves it once."""
    require(user, EDIT, case)
    reason = plan_action_refusal(session, case)
    if reason:
        raise RuleBroken(reason)
    problems = Problems()
    what = problems.text("description", description, "Enter what the action is")
    who = problems.text("owner", owner, "Enter who owns the action")
    if review_on is None:
        problems.add("review_on", "Enter the due date")
    else:
        last_day, why = latest_due_date(session)
        if review_on > last_day:
            problems.add("review_on", f"The due date cannot be after {why}")
    problems.raise_any()
    consultation = held_consultation(session, case)
    action = _action_record(case, user, consultation, PlanAction(what, who, review_on))
    session.add(action)
    audit_change(
        session, user, case, "case.plan_action_added", fields=["description", "owner", "due_on"]
    )
    commit_addition(session, user, submission, "plan_action")
    return action


# ---------------------------------------------------------------------------
# Onward referrals


def add_onward_referral(
    session: Session,
    user: User,
    case: Case,
    *,
    agency: str | None,
    agency_name: str | None,
    referred_on: date | None,
    status: str | None,
    note: str | None = None,
    submission: str | None = None,
) -> OnwardReferral:
    """An onward referral to another agency: after a not-suitable outcome, or on any open case.
    An addition: no version; the form's one-time token saves it once."""
    require(user, EDIT, case)
    require_open(case)
    problems = Problems()
    problems.choice(
        "agency", agency, choices.ONWARD_REFERRAL_AGENCY, "Select the agency referred to"
    )
    name = (agency_name or "").strip()
    if agency == "other" and not name:
        problems.add("agency_name", "Enter the name of the agency")
    problems.date(
        "referred_on",
        referred_on,
        "The date of the referral",
        required="Enter the date of the referral",
        case=case,
    )
    problems.choice(
        "status", status, choices.ONWARD_REFERRAL_STATUS, "Select the status of the referral"
    )
    problems.raise_any()
    referral = OnwardReferral(
        case_id=case.id,
        agency=agency,
        agency_name=name or None,
        referred_on=referred_on,
        status=status,
        note=(note or "").strip() or None,
        recorded_by_id=user.id,
    )
    session.add(referral)
    session.flush()
    audit_change(
        session,
        user,
        case,
        "case.onward_referral_added",
        fields=["agency", "agency_name", "referred_on", "status", "note"],
        record=referral.id,
    )
    commit_addition(session, user, submission, "onward_referral")
    return referral


def onward_referral(session: Session, case: Case, referral_id: int) -> OnwardReferral:
    referral = session.get(OnwardReferral, referral_id)
    if referral is None or referral.case_id != case.id:
        raise NotFound("This case has no such onward referral")
    return referral


def update_onward_referral(
    session: Session,
    user: User,
    case: Case,
    referral_id: int,
    *,
    version: int | str | None,
    status: str | None,
) -> bool:
    """Move an onward referral on (planned, made, accepted, declined). False: no change.
    `version` is the onward referral's own."""
    require(user, EDIT, case)
    referral = onward_referral(session, case, referral_id)
    check_version(referral, version)
    require_open(case)
    problems = Problems()
    problems.choice(
        "status", status, choices.ONWARD_REFERRAL_STATUS, "Select the status of the referral"
    )
    problems.raise_any()
    if referral.status == status:
        session.rollback()
        return False
    referral.status = status
    audit_change(
        session, user, case, "case.onward_referral_updated", fields=["status"], record=referral.id
    )
    commit(session, referral)
    return True


# ---------------------------------------------------------------------------
# Scenario plan

SCENARIO_OUTCOME = "intervention_with_accommodation"


def scenario_plan(session: Session, case: Case) -> ScenarioPlan | None:
    return session.scalar(select(ScenarioPlan).where(ScenarioPlan.case_id == case.id).limit(1))


def scenario_plan_refusal(session: Session, case: Case) -> str | None:
    reason = closed_refusal(case)
    if reason:
        return reason
    held = held_consultation(session, case)
    if held is None or held.outcome != SCENARIO_OUTCOME:
        return (
            "A scenario plan is written when the consultation finds the case suitable for the "
            "intervention with temporary accommodation"
        )
    return None


def save_scenario_plan(
    session: Session, user: User, case: Case, *, version: int | str | None, plan: str | None
) -> ScenarioPlan:
    """Write, or rewrite, what happens if the couple stay apart after the 4 weeks. `version`
    is the plan the page showed (`new` when there was none)."""
    require(user, EDIT, case)
    lock_case(session, case)
    check_seen(scenario_plan(session, case), version, ScenarioPlan)
    reason = scenario_plan_refusal(session, case)
    if reason:
        raise RuleBroken(reason)
    problems = Problems()
    text = problems.text(
        "plan", plan, "Enter what happens if the couple stay apart after the 4 weeks"
    )
    problems.raise_any()
    existing = scenario_plan(session, case)
    if existing is None:
        existing = ScenarioPlan(case_id=case.id, plan=text, recorded_by_id=user.id)
        session.add(existing)
        action = "case.scenario_plan_recorded"
    else:
        existing.plan = text
        action = "case.scenario_plan_updated"
    if existing.id is None:
        session.flush()  # the new plan's id, for the audit event
    audit_change(session, user, case, action, fields=["plan"], record=existing.id)
    commit(session, existing)
    return existing
