"""Routes for placement requests, the SPOC's decisions, the placement list and the placement
page (registered on the accommodation blueprint).

Every step page loads the placement through the policy (404, or an audited 403), reads its
form, calls one service and redirects to the placement page; or shows the refusal beside its
field or at the top (400), or someone else's newer save (409). When the step is not open
now (the request was already decided, say), the page says why instead of showing the form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from accommodation import decision_services as decisions
from accommodation import money_page, rules, stay_page, store
from accommodation import page as pages
from accommodation import request_services as requests
from accommodation.models import Placement, PlacementExtension
from accommodation.views import bp
from eip.access import check, refuse, requires
from eip.cases.view_helpers import case_or_abort, show_conflict
from eip.domain import Conflict, NotAllowed, NotFound, RuleBroken
from eip.extensions import db
from eip.programme import current_settings
from forms.placement import (
    ApproveForm,
    CommitmentForm,
    ExtensionDecisionForm,
    ExtensionForm,
    PlacementFilterForm,
    PlacementRequestForm,
    ReasonForm,
)

REQUEST, DECIDE, MANAGE, VIEW = (
    "placement.request",
    "placement.decide",
    "placement.manage",
    "placement.view",
)


def show_problems(form: FlaskForm, error: RuleBroken) -> None:
    """Each message beside its field; what belongs to no field (a missing consent, the pot)
    at the top, so that the error summary lists everything that is wrong."""
    db.session.rollback()
    for name, message in error.errors.items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)
    if not error.errors:
        form.form_errors.append(error.message)


def placement_or_abort(placement_id: int, action: str) -> Placement:
    placement = db.session.get(Placement, placement_id)
    if placement is None:
        abort(404)
    check(action, placement)
    return placement


def placement_url(placement: Placement, anchor: str | None = None) -> str:
    return url_for("accommodation.placement", placement_id=placement.id, _anchor=anchor)


def run_step(
    placement: Placement,
    action: str,
    form: FlaskForm,
    *,
    blocked: Callable[[], str | None],
    save: Callable[[], Any],
    done: str,
    template: str,
    title: str,
    context: Callable[[], dict] = dict,
):
    """GET shows the form (or why the step is closed); POST saves through the service."""
    status = 200
    if request.method == "GET":
        form.version.data = str(placement.version)
    else:
        status = 400
        if form.validate_on_submit():
            try:
                save()
            except NotFound:
                db.session.rollback()
                abort(404)
            except NotAllowed:
                db.session.rollback()
                refuse(action, placement)
            except RuleBroken as err:
                show_problems(form, err)
            except Conflict as err:
                status = show_conflict(form, err)
            else:
                flash(done, "success")
                return redirect(placement_url(placement))
        elif reason := blocked():
            form.form_errors.append(reason)
    return render_template(
        template,
        placement=placement,
        form=form,
        blocked=blocked(),
        title=title,
        back=placement_url(placement),
        **context(),
    ), status


def _request_refusal(placement: Placement, action: str) -> Callable[[], str | None]:
    def refusal() -> str | None:
        if placement.state == "requested":
            return None
        return rules.refusal_reason(placement.state, action)

    return refusal


# ---------------------------------------------------------------------------
# The list and the placement page


@bp.get("/placements")
@requires("placement.list")
def placements():
    form = PlacementFilterForm(request.args)
    valid = form.validate() if request.args else True
    state = (form.state.data or None) if valid else None
    rows = pages.placement_list(db.session, current_user, state)
    return render_template(
        "accommodation/index.html",
        form=form,
        rows=rows,
        viewer=pages.viewer_kind(current_user),
        state=state,
        state_label=rules.STATE_LABELS.get(state or ""),
        title="Placements",
    ), (200 if valid else 400)


@bp.get("/placements/<int:placement_id>")
@requires(VIEW)
def placement(placement_id: int):
    found = placement_or_abort(placement_id, VIEW)
    pages.record_view(db.session, current_user, found)
    return render_template(
        "accommodation/placement.html",
        page=pages.placement_page(db.session, current_user, found),
        placement=found,
        stay=stay_page.stay_panel(db.session, current_user, found),
        money=money_page.money_panel(db.session, current_user, found),
        title=f"Placement {found.id}",
    )


# ---------------------------------------------------------------------------
# The practitioner's request


@bp.route("/cases/<reference>/placements/new", methods=["GET", "POST"])
@requires(REQUEST)
def request_placement(reference: str):
    case = case_or_abort(reference, REQUEST)
    form = PlacementRequestForm()
    missing = requests.readiness(db.session, case)
    status = 200
    if request.method == "GET":
        form.version.data = str(case.version)
    else:
        status = 400
        if form.validate_on_submit():
            try:
                made = requests.request_placement(db.session, current_user, case, **form.values())
            except RuleBroken as err:
                show_problems(form, err)
            except Conflict as err:
                status = show_conflict(form, err)
            except NotAllowed:
                db.session.rollback()
                refuse(REQUEST, case)
            else:
                flash("Request sent to the borough's SPOC", "success")
                return redirect(placement_url(made))
        else:
            form.form_errors.extend(missing)
    settings = current_settings(db.session)
    used = store.nights_used_by_client(db.session, case.client_id) if case.client_id else 0
    return render_template(
        "accommodation/request.html",
        case=case,
        form=form,
        missing=missing,
        settings=settings,
        nights_left=rules.nights_left(used, settings.max_nights_per_client),
        title="Request temporary accommodation",
        back=url_for("cases.view", reference=case.reference, _anchor="accommodation"),
    ), status


# (page title and button, flash message) for each outcome of a request that is not an approval.
OUTCOMES = {
    "withdraw": ("Withdraw the request", "Request withdrawn"),
    "record_client_declined": (
        "Record that the client declined",
        "Recorded that the client declined the accommodation",
    ),
    "decline": ("Decline the request", "Request declined"),
    "record_no_accommodation": (
        "Record that no accommodation was found",
        "Recorded that no accommodation could be found",
    ),
    "record_pot_exhausted": (
        "Record that the money has run out",
        "Recorded that the accommodation money had run out",
    ),
}


def _outcome(placement_id: int, rule: str, action: str, service):
    """A request's outcome that is not an approval: a reason, and no money moves."""
    found = placement_or_abort(placement_id, rule)
    title, done = OUTCOMES[action]
    form = ReasonForm()
    form.submit.label.text = title
    return run_step(
        found,
        rule,
        form,
        blocked=_request_refusal(found, action),
        save=lambda: service(
            db.session, current_user, found.id, reason=form.reason.data, version=form.version.data
        ),
        done=done,
        template="accommodation/outcome.html",
        title=title,
    )


@bp.route("/placements/<int:placement_id>/withdraw", methods=["GET", "POST"])
@requires(REQUEST)
def withdraw(placement_id: int):
    return _outcome(placement_id, REQUEST, "withdraw", requests.withdraw_request)


@bp.route("/placements/<int:placement_id>/client-declined", methods=["GET", "POST"])
@requires(REQUEST)
def client_declined(placement_id: int):
    return _outcome(
        placement_id, REQUEST, "record_client_declined", requests.record_client_declined
    )


# ---------------------------------------------------------------------------
# The SPOC's decisions


@bp.route("/placements/<int:placement_id>/approve", methods=["GET", "POST"])
@requires(DECIDE)
def approve(placement_id: int):
    found = placement_or_abort(placement_id, DECIDE)
    form = ApproveForm()
    if request.method == "GET":
        form.nights.data = str(found.nights)

    def context() -> dict:
        current = db.session.get(Placement, placement_id)
        nights = form.nights_number() or current.nights
        return {
            "page": pages.placement_page(db.session, current_user, current),
            "effect": pages.pot_effect(
                db.session, current, nights=nights, rate_pence=form.rate_pence()
            ),
        }

    return run_step(
        found,
        DECIDE,
        form,
        blocked=_request_refusal(found, "approve"),
        save=lambda: decisions.approve(
            db.session,
            current_user,
            found.id,
            provider=form.provider.data,
            address=form.address.data,
            rate_pence=form.rate_pence(),
            nights=form.nights_number(),
            version=form.version.data,
        ),
        done="Placement approved and the money committed",
        template="accommodation/decide.html",
        title="Approve the placement",
        context=context,
    )


@bp.route("/placements/<int:placement_id>/decline", methods=["GET", "POST"])
@requires(DECIDE)
def decline(placement_id: int):
    return _outcome(placement_id, DECIDE, "decline", decisions.decline)


@bp.route("/placements/<int:placement_id>/no-accommodation", methods=["GET", "POST"])
@requires(DECIDE)
def no_accommodation(placement_id: int):
    return _outcome(
        placement_id, DECIDE, "record_no_accommodation", decisions.record_no_accommodation
    )


@bp.route("/placements/<int:placement_id>/pot-exhausted", methods=["GET", "POST"])
@requires(DECIDE)
def pot_exhausted(placement_id: int):
    return _outcome(placement_id, DECIDE, "record_pot_exhausted", decisions.record_pot_exhausted)


# ---------------------------------------------------------------------------
# Extensions and added commitments


@bp.route("/placements/<int:placement_id>/extensions/new", methods=["GET", "POST"])
@requires(MANAGE)
def request_extension(placement_id: int):
    found = placement_or_abort(placement_id, MANAGE)
    form = ExtensionForm()

    def blocked() -> str | None:
        if found.state != "checked_in":
            return rules.refusal_reason(found.state, "extend")
        if decisions.pending_extension(db.session, found) is not None:
            return "An extension request is already waiting for the SPOC's decision"
        return None

    return run_step(
        found,
        MANAGE,
        form,
        blocked=blocked,
        save=lambda: decisions.request_extension(
            db.session,
            current_user,
            found.id,
            nights=form.nights_number(),
            reason=form.reason.data,
            version=form.version.data,
        ),
        done="Extension request sent to the SPOC",
        template="accommodation/extension.html",
        title="Ask for an extension",
    )


@bp.route("/placements/<int:placement_id>/extensions/<int:extension_id>", methods=["GET", "POST"])
@requires(DECIDE)
def decide_extension(placement_id: int, extension_id: int):
    found = placement_or_abort(placement_id, DECIDE)
    extension = db.session.get(PlacementExtension, extension_id)
    if extension is None or extension.placement_id != found.id:
        abort(404)
    form = ExtensionDecisionForm()

    def blocked() -> str | None:
        current = db.session.get(PlacementExtension, extension_id)
        return None if current.state == "requested" else "This extension has already been decided"

    def context() -> dict:
        current = db.session.get(Placement, placement_id)
        return {
            "extension": db.session.get(PlacementExtension, extension_id),
            "effect": pages.pot_effect(
                db.session,
                current,
                nights=extension.nights,
                rate_pence=current.nightly_rate_pence,
            ),
        }

    return run_step(
        found,
        DECIDE,
        form,
        blocked=blocked,
        save=lambda: decisions.decide_extension(
            db.session,
            current_user,
            extension_id,
            approve=form.decision.data == "approve",
            reason=form.reason.data,
            version=form.version.data,
        ),
        done=(
            "Extension approved and the money committed"
            if form.decision.data == "approve"
            else "Extension declined"
        ),
        template="accommodation/extension_decide.html",
        title="Decide on the extension",
        context=context,
    )


@bp.route("/placements/<int:placement_id>/commitments/new", methods=["GET", "POST"])
@requires(DECIDE)
def add_commitment(placement_id: int):
    found = placement_or_abort(placement_id, DECIDE)
    form = CommitmentForm()

    def blocked() -> str | None:
        if found.nightly_rate_pence is None:
            return "Only a placement the SPOC approved can have an added commitment"
        return None

    return run_step(
        found,
        DECIDE,
        form,
        blocked=blocked,
        save=lambda: decisions.add_commitment(
            db.session,
            current_user,
            found.id,
            amount_pence=form.amount_pence(),
            reason=form.reason.data,
            version=form.version.data,
        ),
        done="Commitment added",
        template="accommodation/commitment.html",
        title="Add to the commitment",
        context=lambda: {"pot": pages.pot_snapshot(db.session).totals},
    )
