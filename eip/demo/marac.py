"""Demo MARAC referrals: on the open cases whose latest DASH review met MARAC, one referral
prepared and waiting to be sent, and one recorded as sent (its MARAC action done), as
`marac_services` would leave them. Fictional text only."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from eip.cases.marac_services import review_criteria
from eip.cases.models import Case
from eip.cases.records import CaseAction, DashReview, MaracReferral
from eip.cases.rules import CLOSED_STATES
from eip.demo.risk import DemoReview, add_review
from eip.workdays import LONDON


def _at(day: date) -> datetime:
    return datetime.combine(day, time(11), tzinfo=LONDON)


def _marac_cases(session: Session) -> list[tuple[Case, DashReview]]:
    """Open cases with an open MARAC referral action, with their latest review (MARAC met)."""
    found = []
    cases = session.scalars(
        select(Case)
        .where(Case.status.not_in(CLOSED_STATES))
        .where(
            Case.id.in_(
                select(CaseAction.case_id).where(
                    CaseAction.kind == "marac_referral", CaseAction.completed_at.is_(None)
                )
            )
        )
        .order_by(Case.id)
    )
    for case in cases:
        review = session.scalars(
            select(DashReview)
            .where(DashReview.case_id == case.id)
            .order_by(DashReview.completed_on.desc(), DashReview.id.desc())
            .limit(1)
        ).first()
        if review is not None and review.marac:
            found.append((case, review))
    return found


def _escalate_another(session: Session, today: date, taken: set[int]) -> None:
    """One more active case reaches MARAC: a DASH review of 16 a few days ago, with the
    IDVA and MARAC actions it sets off (`risk.add_review`, as the service would)."""
    case = session.scalars(
        select(Case)
        .where(Case.status == "active", Case.id.not_in(taken or {0}))
        # One open referral action of each kind at most, as the service keeps it.
        .where(
            Case.id.not_in(
                select(CaseAction.case_id).where(
                    CaseAction.kind.in_(("idva_referral", "marac_referral")),
                    CaseAction.completed_at.is_(None),
                )
            )
        )
        .order_by(Case.id)
        .limit(1)
    ).first()
    if case is None:
        return
    answers = {str(n): "yes" if n <= 16 else "no" for n in range(1, 25)}
    who = case.allocated_practitioner
    add_review(
        session,
        case.id,
        case.allocated_practitioner_id,
        who.name if who else "Practitioner",
        DemoReview(today - timedelta(days=3), answers),
        open_case=True,
    )
    session.flush()


def seed(session: Session, today: date) -> int:
    """Prepare a referral on the first two MARAC cases (making a second one if the demo has
    only one); record the second's as sent."""
    found = _marac_cases(session)
    if len(found) < 2:
        _escalate_another(session, today, {case.id for case, _ in found})
        found = _marac_cases(session)
    made = 0
    for index, (case, review) in enumerate(found[:2]):
        prepared = min(today, review.completed_on + timedelta(days=1))
        referral = MaracReferral(
            case_id=case.id,
            recorded_by_id=case.allocated_practitioner_id,
            created_at=_at(prepared),
            dash_review_id=review.id,
            partner_id=case.partner_id,
            reasons="\n".join(
                [
                    *review_criteria(review),
                    "The partner describes threats by text and fears the client's return home.",
                ]
            ),
            agencies_involved=(
                f"Children's social care ({case.borough.name})\nMetropolitan Police, "
                "community safety unit\nThe children's school (designated safeguarding lead)"
            ),
            safe_contact=case.partner_safe_contact_times
            or "Weekday mornings, by mobile; say the call is from the surgery",
            partner_aware="yes",
            referrer_phone="020 7946 0999",
        )
        session.add(referral)
        if index == 1:
            referral.sent_on = prepared
            referral.sent_by_id = case.allocated_practitioner_id
            for action in session.scalars(
                select(CaseAction).where(
                    CaseAction.case_id == case.id,
                    CaseAction.kind == "marac_referral",
                    CaseAction.completed_at.is_(None),
                )
            ):
                action.completed_at = _at(prepared)
                action.completed_by_id = case.allocated_practitioner_id
        made += 1
    session.flush()
    return made
