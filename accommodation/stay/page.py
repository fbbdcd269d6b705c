"""The stay panel of the placement page: the stay's dates, the nights used, the client's
nights left over all their placements, the return-home review, the steps this user may
take next, and the prompt to record the return-home review before the move-out.

Who sees what follows DOMAIN.md's field-by-role table: the review's content (the risk
judgement, the support package, the protective steps) is for practitioners and managers
only; a SPOC or finance user sees only that it was done, and when. Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import url_for
from sqlalchemy.orm import Session

from accommodation import rules, store
from accommodation.models import Placement, ReturnHomeReview
from accommodation.stay.common import approved_on
from eip.auth.models import User
from eip.cases.deadlines import RETURN_HOME_REVIEW_LEAD_DAYS
from eip.clock import today
from eip.policy import can
from eip.programme import current_settings
from eip.roles import Role

MANAGE = "placement.manage"


@dataclass(frozen=True)
class StayStep:
    """A button on the panel: what it says and the step page it opens."""

    action: str
    label: str
    url: str


# The step pages, by the rules' action, in the order the buttons appear.
_STEPS = (
    ("sign_agreement", "Record the signed agreement", "accommodation.stay_agreement"),
    ("check_in", "Record the check-in", "accommodation.stay_check_in"),
    (
        "return_home_review",
        "Record the return-home review",
        "accommodation.stay_return_home_review",
    ),
    ("move_out", "Record the move-out", "accommodation.stay_move_out"),
    ("cancel", "Cancel the placement", "accommodation.stay_cancel"),
)


def nights_so_far(placement: Placement, on: date) -> int | None:
    """Nights stayed so far: to the move-out once ended, else to `on`, never past the
    approved nights (a stay past its approval waits for an extension, shown separately)."""
    if placement.checked_in_on is None:
        return None
    end = placement.moved_out_on or on
    nights = max((end - placement.checked_in_on).days, 0)
    if placement.moved_out_on is None and placement.approved_nights is not None:
        nights = min(nights, placement.approved_nights)
    return nights


def _next_steps(user: User, placement: Placement, review: ReturnHomeReview | None) -> list[str]:
    """The rules' next steps that this user may take, as the panel's actions."""
    if not can(user, MANAGE, placement):
        return []
    allowed = set(rules.allowed_actions(placement.state))
    steps = [a for a in ("sign_agreement", "check_in", "cancel") if a in allowed]
    if placement.state == "checked_in":
        # The review comes first; the move-out is offered once it is recorded.
        steps.append("move_out" if review is not None else "return_home_review")
    return steps


def review_prompt(placement: Placement, on: date) -> dict[str, Any] | None:
    """The "Return-home review due" notice: from RETURN_HOME_REVIEW_LEAD_DAYS before the
    planned move-out (and once past it) until the review is recorded."""
    move_out = placement.planned_move_out_on
    if placement.state != "checked_in" or placement.return_home_review is not None:
        return None
    if move_out is None or on < move_out - timedelta(days=RETURN_HOME_REVIEW_LEAD_DAYS):
        return None
    if on > move_out:
        text = "Return-home review due: the planned move-out date has passed"
    elif on == move_out:
        text = "Return-home review due: the client is due to move out today"
    else:
        text = "Return-home review due before the planned move-out"
    return {"text": text, "due_on": move_out, "overdue": on > move_out}


def _review(user: User, review: ReturnHomeReview | None) -> dict[str, Any] | None:
    if review is None:
        return None
    shown: dict[str, Any] = {"done": True, "reviewed_on": review.reviewed_on, "in_full": False}
    if user.has_role(Role.PRACTITIONER, Role.MANAGER):
        shown.update(
            in_full=True,
            children_risks_reviewed=review.children_risks_reviewed,
            adults_risks_reviewed=review.adults_risks_reviewed,
            return_safe=review.return_safe,
            support_package=review.support_package,
            protective_steps=review.protective_steps,
        )
    return shown


def stay_panel(session: Session, user: User, placement: Placement) -> dict[str, Any]:
    """Everything the stay panel shows to this user (see the module docstring)."""
    on = today()
    settings = current_settings(session)
    review = placement.return_home_review
    used_by_client = store.nights_used_by_client(session, placement.client_id)
    allowed = _next_steps(user, placement, review)
    steps = [
        StayStep(action, label, url_for(endpoint, placement_id=placement.id))
        for action, label, endpoint in _STEPS
        if action in allowed
    ]
    return {
        "state": placement.state,
        "state_label": placement.state_label,
        "approved_on": approved_on(placement) if placement.approved_nights else None,
        "agreement_signed_on": placement.agreement_signed_on,
        "planned_move_in_on": placement.move_in_on,
        "checked_in_on": placement.checked_in_on,
        "planned_move_out_on": placement.planned_move_out_on,
        "moved_out_on": placement.moved_out_on,
        "ended_early": placement.ended_early,
        "cancelled_on": placement.cancelled_on,
        # The cancellation's free text is the practitioner's note: P and M only.
        "cancel_reason": (
            placement.cancel_reason if user.has_role(Role.PRACTITIONER, Role.MANAGER) else None
        ),
        "nights_used": nights_so_far(placement, on),
        "approved_nights": placement.approved_nights,
        "client_nights_used": used_by_client,
        "client_nights_left": rules.nights_left(used_by_client, settings.max_nights_per_client),
        "max_nights": settings.max_nights_per_client,
        "programme_end_on": settings.programme_end_date,
        "review": _review(user, review),
        "prompt": review_prompt(placement, on),
        "steps": steps,
        "can_manage": can(user, MANAGE, placement),
    }
