"""The managers' retention review: the cases past retention, legal holds, and confirming
a batch for anonymisation. Views read the form and call one service."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user

from eip import clock, steps
from eip.access import requires
from eip.audit import record
from eip.db import write_now
from eip.extensions import db
from eip.privacy import retention, review
from eip.privacy.retention_models import RetentionHold
from forms.retention import ConfirmBatchForm, PlaceHoldForm, RemoveHoldForm

bp = Blueprint("retention", __name__, url_prefix="/retention")


def _today():
    return clock.today()


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 100_000 else 1


def _review_page(problem: str | None = None, status: int = 200):
    page = _page_number()
    due, more = retention.due_cases(db.session, _today(), page=page)
    holds = review.holds(db.session)
    # The references of cases past retention, listed: recorded like a search.
    with write_now(db.session):
        record(db.session, "retention.viewed", actor=current_user, details={"results": len(due)})
        db.session.commit()
    return render_template(
        "retention/review.html",
        due=due,
        more=more,
        page=page,
        holds=holds,
        form=ConfirmBatchForm(),
        problem=problem,
        page_has_errors=bool(problem),
        title="Cases past retention",
    ), status


@bp.get("")
@requires("retention.review")
def review_page():
    return _review_page()


@bp.post("/confirm")
@requires("retention.review")
def confirm():
    form = ConfirmBatchForm()
    if not form.validate_on_submit():
        return _review_page("The form had expired: select the cases again", 400)
    raw = request.form.getlist("case_ids")
    if not all(value.isascii() and value.isdigit() for value in raw):
        return _review_page("Select the cases from the list", 400)
    ok, result, status = steps.attempt(
        lambda: review.confirm_batch(db.session, current_user, [int(v) for v in raw], _today())
    )
    if not ok:
        return _review_page(result.message, status)
    count = len(result)
    return steps.after_save(
        f"{count} case{'' if count == 1 else 's'} anonymised: {', '.join(result)}.",
        url_for("retention.review_page"),
    )


@bp.route("/holds/new", methods=["GET", "POST"])
@requires("retention.review")
def place_hold():
    form = PlaceHoldForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            saved, _hold, status = steps.save_form(
                form,
                lambda: review.place_hold(
                    db.session, current_user, reference=form.reference.data, reason=form.reason.data
                ),
            )
            if saved:
                return steps.after_save(
                    "The legal hold was placed.", url_for("retention.review_page")
                )
        else:
            status = 400
    return render_template(
        "retention/hold_form.html", form=form, title="Place a legal hold on a case"
    ), status


@bp.route("/holds/<int:hold_id>/remove", methods=["GET", "POST"])
@requires("retention.review")
def remove_hold(hold_id: int):
    hold = db.session.get(RetentionHold, hold_id)
    if hold is None or hold.removed_at is not None:
        abort(404)
    form = RemoveHoldForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            saved, _ref, status = steps.save_form(
                form,
                lambda: review.remove_hold(
                    db.session, current_user, hold_id, reason=form.reason.data
                ),
            )
            if saved:
                return steps.after_save(
                    "The legal hold was removed.", url_for("retention.review_page")
                )
        else:
            status = 400
    return render_template(
        "retention/hold_form.html", form=form, title="Remove the legal hold"
    ), status
