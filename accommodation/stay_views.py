"""Routes for the stay's steps (registered on the accommodation blueprint): the signed
agreement, check-in, the return-home review, the move-out and cancellation.

Each page reads its form, calls one service in accommodation/stay_services.py and goes back
to the placement page, or shows the refusal: a rule's reason beside its field or at the top
(400), someone else's newer save (409). When the step is not open now, the page says why
instead of showing the form. Only practitioners run the stay (`placement.manage`); every
request re-checks the rule on the loaded placement.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from accommodation import rules
from accommodation import stay_services as stay
from accommodation.models import Placement
from accommodation.stay_common import approved_on
from accommodation.views import bp
from eip.access import check, refuse, requires
from eip.cases.view_helpers import show_conflict, show_rule_broken
from eip.domain import Conflict, NotAllowed, NotFound, RuleBroken
from eip.extensions import db
from eip.templating import pence
from forms.stay import AgreementForm, CancelForm, CheckInForm, MoveOutForm, ReturnHomeReviewForm

MANAGE = "placement.manage"
BASE = "/placements/<int:placement_id>"


def placement_url(placement: Placement) -> str:
    return url_for("accommodation.placement", placement_id=placement.id)


def _placement_or_abort(placement_id: int) -> Placement:
    placement = db.session.get(Placement, placement_id)
    if placement is None:
        abort(404)
    check(MANAGE, placement)
    return placement


def _state_refusal(placement: Placement, action: str, **flags: bool) -> Callable[[], str | None]:
    def refusal() -> str | None:
        try:
            rules.next_state(placement.state, action, **flags)
        except RuleBroken as err:
            return err.message
        return None

    return refusal


def _run(
    placement: Placement,
    form: FlaskForm,
    *,
    refusal: Callable[[], str | None],
    save: Callable[[], Any],
    done: Callable[[Any], str],
    template: str,
    title: str,
    **context: Any,
):
    """GET shows the form (or why the step is closed); POST saves through the service and
    goes back to the placement page with `done(result)` as the message."""
    status = 200
    if request.method == "GET":
        form.version.data = str(placement.version)
    elif form.validate_on_submit():
        status = 400
        try:
            result = save()
        except NotFound:
            db.session.rollback()
            abort(404)
        except NotAllowed:
            db.session.rollback()
            refuse(MANAGE, placement)
        except RuleBroken as err:
            show_rule_broken(form, err)
        except Conflict as err:
            status = show_conflict(form, err)
        else:
            flash(done(result), "success")
            return redirect(placement_url(placement))
    else:
        status = 400
        if reason := refusal():
            form.form_errors.append(reason)
    return render_template(
        template,
        placement=placement,
        form=form,
        blocked=refusal(),
        title=title,
        back=placement_url(placement),
        **context,
    ), status


@bp.route(f"{BASE}/agreement", methods=["GET", "POST"])
@requires(MANAGE)
def stay_agreement(placement_id: int):
    placement = _placement_or_abort(placement_id)
    form = AgreementForm()
    return _run(
        placement,
        form,
        refusal=_state_refusal(placement, "sign_agreement"),
        save=lambda: stay.sign_agreement(
            db.session,
            current_user,
            placement_id,
            signed_on=form.signed_on.data,
            version=form.version.data,
        ),
        done=lambda _: "Signed agreement recorded",
        template="accommodation/stay_agreement.html",
        title="Record the signed accommodation agreement",
        approved_on=approved_on(placement),
    )


@bp.route(f"{BASE}/check-in", methods=["GET", "POST"])
@requires(MANAGE)
def stay_check_in(placement_id: int):
    placement = _placement_or_abort(placement_id)
    form = CheckInForm()
    return _run(
        placement,
        form,
        refusal=_state_refusal(placement, "check_in"),
        save=lambda: stay.check_in(
            db.session,
            current_user,
            placement_id,
            checked_in_on=form.checked_in_on.data,
            version=form.version.data,
        ),
        done=lambda _: "Check-in recorded",
        template="accommodation/stay_check_in.html",
        title="Record the check-in",
    )


def _moved_out(ended: stay.Ended) -> str:
    if ended.placement.ended_early:
        return f"Move-out recorded. {pence(ended.released_pence)} was released back to the pot"
    return "Move-out recorded. The placement ended on its planned date"


@bp.route(f"{BASE}/move-out", methods=["GET", "POST"])
@requires(MANAGE)
def stay_move_out(placement_id: int):
    placement = _placement_or_abort(placement_id)
    form = MoveOutForm()
    review_done = placement.return_home_review is not None
    return _run(
        placement,
        form,
        refusal=_state_refusal(placement, "end_at_term", return_home_review_done=review_done),
        save=lambda: stay.move_out(
            db.session,
            current_user,
            placement_id,
            moved_out_on=form.moved_out_on.data,
            version=form.version.data,
        ),
        done=_moved_out,
        template="accommodation/stay_move_out.html",
        title="Record the move-out",
        review_done=review_done,
    )


@bp.route(f"{BASE}/cancel", methods=["GET", "POST"])
@requires(MANAGE)
def stay_cancel(placement_id: int):
    placement = _placement_or_abort(placement_id)
    form = CancelForm()
    return _run(
        placement,
        form,
        refusal=_state_refusal(placement, "cancel"),
        save=lambda: stay.cancel(
            db.session,
            current_user,
            placement_id,
            cancelled_on=form.cancelled_on.data,
            reason=form.reason.data,
            version=form.version.data,
        ),
        done=lambda ended: (
            f"Placement cancelled. {pence(ended.released_pence)} was released back to the pot"
        ),
        template="accommodation/stay_cancel.html",
        title="Cancel the placement",
        approved_on=approved_on(placement),
    )


@bp.route(f"{BASE}/return-home-review", methods=["GET", "POST"])
@requires(MANAGE)
def stay_return_home_review(placement_id: int):
    placement = _placement_or_abort(placement_id)
    form = ReturnHomeReviewForm()
    return _run(
        placement,
        form,
        refusal=lambda: stay.review_refusal(placement),
        save=lambda: stay.record_return_home_review(
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
        done=lambda _: "Return-home review recorded. The move-out can now be recorded",
        template="accommodation/stay_return_home_review.html",
        title="Record the return-home review",
    )
