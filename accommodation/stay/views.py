"""Routes for the stay's steps (registered on the accommodation blueprint): the signed
agreement, check-in, the return-home review, the move-out and cancellation.

Each page reads its form, calls one service in accommodation/stay/services.py (the review:
review.py) through `eip.steps.run_step` and goes back to the placement page, or
shows the refusal: a rule's reason beside its field or at the top (400), someone else's newer
save (409). When the step is not open now, the page says why instead of showing the form.
Only practitioners run the stay (`placement.manage`); every request re-checks the rule on
the loaded placement.
"""

from __future__ import annotations

from collections.abc import Callable

from accommodation import rules
from accommodation.models import Placement
from accommodation.stay import review
from accommodation.stay import services as stay
from accommodation.stay.common import approved_on
from accommodation.view_helpers import placement_or_abort, placement_step
from accommodation.views import bp
from eip import steps
from eip.access import requires
from eip.formatting import format_pence, long_date
from forms.stay import AgreementForm, CancelForm, CheckInForm, MoveOutForm, ReturnHomeReviewForm

MANAGE = "placement.manage"
BASE = "/placements/<int:placement_id>"


def _state_refusal(placement: Placement, action: str, **flags: bool) -> Callable[[], str | None]:
    return lambda: steps.reason_not(lambda: rules.next_state(placement.state, action, **flags))


@bp.route(f"{BASE}/agreement", methods=["GET", "POST"])
@requires(MANAGE)
def stay_agreement(placement_id: int):
    placement = placement_or_abort(placement_id, MANAGE)
    form = AgreementForm()
    return placement_step(
        placement,
        form,
        stay.sign_agreement,
        lambda: {"signed_on": form.signed_on.data},
        blocked=_state_refusal(placement, "sign_agreement"),
        message=lambda _result: "Signed agreement recorded",
        template="accommodation/stay_agreement.html",
        title="Record the signed accommodation agreement",
        approved_on=approved_on(placement),
    )


def _checked_in(result: stay.CheckedIn) -> str:
    if result.shortened_from is None:
        return "Check-in recorded"
    p = result.placement
    return (
        f"Check-in recorded. The {result.shortened_from} approved nights would have run past "
        f"the programme end, so the stay now has {p.approved_nights} nights and ends on "
        f"{long_date(p.planned_move_out_on)}; {format_pence(result.released_pence)} was released "
        "back to the pot"
    )


@bp.route(f"{BASE}/check-in", methods=["GET", "POST"])
@requires(MANAGE)
def stay_check_in(placement_id: int):
    placement = placement_or_abort(placement_id, MANAGE)
    form = CheckInForm()
    return placement_step(
        placement,
        form,
        stay.check_in,
        lambda: {"checked_in_on": form.checked_in_on.data},
        blocked=_state_refusal(placement, "check_in"),
        message=_checked_in,
        template="accommodation/stay_check_in.html",
        title="Record the check-in",
    )


def _moved_out(ended: stay.Ended) -> str:
    if ended.placement.ended_early:
        released = format_pence(ended.released_pence)
        return f"Move-out recorded. {released} was released back to the pot"
    return "Move-out recorded. The placement ended on its planned date"


@bp.route(f"{BASE}/move-out", methods=["GET", "POST"])
@requires(MANAGE)
def stay_move_out(placement_id: int):
    placement = placement_or_abort(placement_id, MANAGE)
    form = MoveOutForm()
    review_done = placement.return_home_review is not None
    return placement_step(
        placement,
        form,
        stay.move_out,
        lambda: {"moved_out_on": form.moved_out_on.data},
        blocked=_state_refusal(placement, "end_at_term", return_home_review_done=review_done),
        message=_moved_out,
        template="accommodation/stay_move_out.html",
        title="Record the move-out",
        review_done=review_done,
    )


@bp.route(f"{BASE}/cancel", methods=["GET", "POST"])
@requires(MANAGE)
def stay_cancel(placement_id: int):
    placement = placement_or_abort(placement_id, MANAGE)
    form = CancelForm()
    return placement_step(
        placement,
        form,
        stay.cancel,
        lambda: {"cancelled_on": form.cancelled_on.data, "reason": form.reason.data},
        blocked=_state_refusal(placement, "cancel"),
        message=lambda ended: (
            f"Placement cancelled. {format_pence(ended.released_pence)} "
            "was released back to the pot"
        ),
        template="accommodation/stay_cancel.html",
        title="Cancel the placement",
        approved_on=approved_on(placement),
    )


@bp.route(f"{BASE}/return-home-review", methods=["GET", "POST"])
@requires(MANAGE)
def stay_return_home_review(placement_id: int):
    placement = placement_or_abort(placement_id, MANAGE)
    form = ReturnHomeReviewForm()
    return placement_step(
        placement,
        form,
        review.record_return_home_review,
        lambda: {
            "reviewed_on": form.reviewed_on.data,
            "children_risks_reviewed": bool(form.children_risks_reviewed.data),
            "adults_risks_reviewed": bool(form.adults_risks_reviewed.data),
            "return_safe": form.safe(),
            "support_package": form.support_package.data,
            "protective_steps": form.protective_steps.data,
        },
        blocked=lambda: review.review_refusal(placement),
        message=lambda _result: "Return-home review recorded. The move-out can now be recorded",
        template="accommodation/stay_return_home_review.html",
        title="Record the return-home review",
    )
