"""The return-home review: before the stay ends, the risks to the children and to the
adults reviewed, and the support package agreed or, when going home is unsafe, the
protective steps taken. The move-out (`accommodation.stay.services`) is refused until it is
recorded. Only practitioners record it; the audit event names the fields, never the answers.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from accommodation import rules
from accommodation.models import Placement, ReturnHomeReview
from accommodation.placements.common import check_placement_version, touch
from accommodation.stay.common import audit, commit, load, past_date
from eip.auth.models import User
from eip.domain import RuleBroken
from eip.formatting import long_date
from eip.problems import Problems

REVIEW_FIELDS = (
    "reviewed_on",
    "children_risks_reviewed",
    "adults_risks_reviewed",
    "return_safe",
    "support_package",
    "protective_steps",
)


def review_refusal(placement: Placement) -> str | None:
    """Why a return-home review cannot be recorded on this placement now, or None."""
    if placement.return_home_review is not None:
        return "The return-home review has already been recorded for this placement"
    if placement.state == "checked_in":
        return None
    if placement.state in {"requested", "approved", "agreement_signed"}:
        return "The return-home review is recorded once the client has checked in"
    return rules.refusal_reason(placement.state, "end_at_term")


def record_return_home_review(
    session: Session,
    user: User,
    placement_id: int,
    *,
    reviewed_on: date | None,
    children_risks_reviewed: bool,
    adults_risks_reviewed: bool,
    return_safe: bool | None,
    support_package: str | None,
    protective_steps: str | None,
    version: int | str | None,
) -> ReturnHomeReview:
    """Before the stay ends: the risks to the children and to the adults reviewed, and the
    support package agreed or, when going home is unsafe, the protective steps taken."""
    placement = load(session, user, placement_id)
    check_placement_version(placement, version)
    refusal = review_refusal(placement)
    if refusal:
        raise RuleBroken(refusal)
    problems = Problems()
    past_date(
        problems,
        "reviewed_on",
        reviewed_on,
        "The date of the review",
        required="Enter the date of the return-home review",
        not_before=placement.checked_in_on,
        before_message="The review cannot be before the client checked in "
        f"({long_date(placement.checked_in_on)})",
    )
    if not children_risks_reviewed:
        problems.add(
            "children_risks_reviewed", "Confirm that the risks to the children have been reviewed"
        )
    if not adults_risks_reviewed:
        problems.add(
            "adults_risks_reviewed", "Confirm that the risks to the adults have been reviewed"
        )
    support = (support_package or "").strip() or None
    steps = (protective_steps or "").strip() or None
    if return_safe is None:
        problems.add("return_safe", "Select whether it is safe for the client to return home")
    elif return_safe and support is None:
        problems.add("support_package", "Enter the support package agreed for the return home")
    elif not return_safe and steps is None:
        problems.add(
            "protective_steps", "Enter the protective steps taken, as returning home is unsafe"
        )
    problems.raise_any()

    review = ReturnHomeReview(
        placement_id=placement.id,
        reviewed_on=reviewed_on,
        children_risks_reviewed=True,
        adults_risks_reviewed=True,
        return_safe=return_safe,
        support_package=support,
        protective_steps=steps,
        recorded_by_id=user.id,
    )
    session.add(review)
    # The review is part of the placement's state: move its version so that a stale
    # move-out form, or a second review typed at the same time, is refused.
    touch(placement)
    given = {"support_package": support, "protective_steps": steps}
    fields = [name for name in REVIEW_FIELDS if given.get(name, True)]
    audit(session, user, placement, "placement.return_home_review_recorded", fields)
    commit(session)
    return review
