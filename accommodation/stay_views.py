"""Routes for the stay's steps (registered on the accommodation blueprint): the signed
agreement, check-in, the return-home review, the move-out and cancellation.

Each page reads its form, calls one service in accommodation/stay_services.py (the review:
review_services.py) through `eip.steps.run_step` and goes back to the placement page, or
shows the refusal: a rule's reason beside its field or at the top (400), someone else's newer
save (409). When the step is not open now, the page says why instead of showing the form.
Only practitioners run the stay (`placement.manage`); every request re-checks the rule on
the loaded placement.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_login import current_user

from accommodation import review_services as review
from accommodation import rules
from accommodation import stay_services as stay
from accommodation.models import Placement
from accommodation.stay_common import approved_on
from accommodation.view_helpers import on_placement, placement_or_abort, placement_url
from accommodation.views import bp
from eip import steps
from eip.access import requires
from eip.extensions import db
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
    return steps.run_step(
        form,
        version=placement.version,
        blocked=_state_refusal(placement, "sign_agreement"),
        save=lambda: stay.sign_agreement(
            db.session,
            current_user,
            placement_id,
            signed_on=form.signed_on.data,
            version=form.version.data,
        ),
        done=lambda _result: ("Signed agreement recorded", placement_url(placement)),
        template="accommodation/stay_agreement.html",
        title="Record the signed accommodation agreement",
        **on_placement(placement),
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
    return steps.run_step(
        form,
        version=placement.version,
        blocked=_state_refusal(placement, "check_in"),
        save=lambda: stay.check_in(
            db.session,
            current_user,
            placement_id,
            checked_in_on=form.checked_in_on.data,
            version=form.version.data,
        ),
        done=lambda result: (_checked_in(result), placement_url(placement)),
        template="accommodation/stay_check_in.html",
        title="Record the check-in",
        **on_placement(placement),
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
    return steps.run_step(
        form,
        version=placement.version,
        blocked=_state_refusal(placement, "end_at_term", return_home_review_done=review_done),
        save=lambda: stay.move_out(
            db.session,
            current_user,
            placement_id,
            moved_out_on=form.moved_out_on.data,
            version=form.version.data,
        ),
        done=lambda result: (_moved_out(result), placement_url(placement)),
        template="accommodation/stay_move_out.html",
        title="Record the move-out",
        **on_placement(placement),
        review_done=review_done,
    )


@bp.route(f"{BASE}/cancel", methods=["GET", "POST"])
@requires(MANAGE)
def stay_cancel(placement_id: int):
    placement = placement_or_abort(placement_id, MANAGE)
    form = CancelForm()
    return steps.run_step(
        form,
        version=placement.version,
        blocked=_state_refusal(placement, "cancel"),
        save=lambda: stay.cancel(
            db.session,
            current_user,
            placement_id,
            cancelled_on=form.cancelled_on.data,
            reason=form.reason.data,
            version=form.version.data,
        ),
        done=lambda ended: (
            f"Placement cancelled. {format_pence(ended.released_pence)} "
            "was released back to the pot",
            placement_url(placement),
        ),
        template="accommodation/stay_cancel.html",
        title="Cancel the placement",
        **on_placement(placement),
        approved_on=approved_on(placement),
    )


@bp.route(f"{BASE}/return-home-review", methods=["GET", "POST"])
@requires(MANAGE)
def stay_return_home_review(placement_id: int):
    placement = placement_or_abort(placement_id, MANAGE)
    form = ReturnHomeReviewForm()
    return steps.run_step(
        form,
        version=placement.version,
        blocked=lambda: review.review_refusal(placement),
        save=lambda: review.record_return_home_review(
            db.session,
            current_user,
            placement_id,
            reviewed_on=form.reviewed_on.data,
            children_risks_reviewed=bool(form.children_risks_reviewed.data),
            adults_risks_reviewed=bool(form.adults_risks_reviewed.data),
            return_safe=form.safe(),
            support_package=form.support_package.data,
            protective_steps=form.protective_steps.data,
            version=form.version.data,
        ),
        done=lambda _result: (
            "Return-home review recorded. The move-out can now be recorded",
            placement_url(placement),
        ),
        template="accommodation/stay_return_home_review.html",
        title="Record the return-home review",
        **on_placement(placement),
    )
