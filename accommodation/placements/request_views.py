"""Routes for placement requests, the placement list and the placement page (registered on
the accommodation blueprint): the practitioner's request, its two outcomes the practitioner
records (withdrawn, the client declined) and the request for an extension.

The step pages run through `eip.steps.run_step`: the placement is loaded
through the policy, the form read, one service called; a refusal is shown beside its field
or at the top (400), someone else's newer save as a conflict (409).
"""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_login import current_user

from accommodation import rules, store
from accommodation.finance import page as money_page
from accommodation.placements import decision_services as decisions
from accommodation.placements import page as pages
from accommodation.placements import queue_page
from accommodation.placements import request_services as requests
from accommodation.stay import page as stay_page
from accommodation.view_helpers import (
    outcome_step,
    placement_or_abort,
    placement_step,
    placement_url,
)
from accommodation.views import bp
from eip import paging, steps
from eip.access import requires
from eip.cases.view_helpers import case_or_abort
from eip.extensions import db
from eip.programme import current_settings
from forms.placement import ExtensionForm, PlacementFilterForm, PlacementRequestForm

REQUEST, MANAGE, VIEW = "placement.request", "placement.manage", "placement.view"


# ---------------------------------------------------------------------------
# The list and the placement page


@bp.get("/placements")
@requires("placement.list")
def placements():
    form = PlacementFilterForm(request.args)
    valid = form.validate() if request.args else True
    state = (form.state.data or None) if valid else None
    try:
        position = paging.position_from(request.args)
    except paging.BadCursor:
        abort(400, "The link to this page of placements is not one this service made")
    listing = queue_page.placement_list_page(db.session, current_user, state, position)
    return render_template(
        "accommodation/index.html",
        form=form,
        rows=listing.rows,
        listing=listing,
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
        title=f"Placement {found.name}",
    )


# ---------------------------------------------------------------------------
# The practitioner's request and its outcomes


@bp.route("/cases/<reference>/placements/new", methods=["GET", "POST"])
@requires(REQUEST)
def request_placement(reference: str):
    case = case_or_abort(reference, REQUEST)
    form = PlacementRequestForm()
    missing = requests.readiness(db.session, case)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            saved, made, status = steps.save_form(
                form,
                lambda: requests.request_placement(db.session, current_user, case, **form.values()),
            )
            if saved:
                return steps.after_save(
                    "Request sent to the borough's SPOC", placement_url(made, "request")
                )
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


@bp.route("/placements/<int:placement_id>/withdraw", methods=["GET", "POST"])
@requires(REQUEST)
def withdraw(placement_id: int):
    return outcome_step(placement_id, REQUEST, "withdraw", requests.withdraw_request)


@bp.route("/placements/<int:placement_id>/client-declined", methods=["GET", "POST"])
@requires(REQUEST)
def client_declined(placement_id: int):
    return outcome_step(
        placement_id, REQUEST, "record_client_declined", requests.record_client_declined
    )


# ---------------------------------------------------------------------------
# The practitioner's request for an extension (the SPOC decides it: decision_views)


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

    return placement_step(
        found,
        form,
        decisions.request_extension,
        lambda: {"nights": form.nights_number(), "reason": form.reason.data},
        blocked=blocked,
        message=lambda _result: "Extension request sent to the SPOC",
        anchor="decision",
        template="accommodation/extension.html",
        title="Ask for an extension",
    )
