"""Routes for the borough SPOC's decisions (registered on the accommodation blueprint):
approving a request, the outcomes that are not an approval (declined, no accommodation,
the money has run out) and deciding an extension. Only the SPOC of the placement's borough
(`placement.decide`), re-checked on the loaded placement on every request.

Approving commits money, so its page shows what the decision would take from the pot and
what would be left.
"""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user

from accommodation.models import Placement, PlacementExtension
from accommodation.placements import decision_services as decisions
from accommodation.placements import page as pages
from accommodation.view_helpers import (
    DECIDE,
    on_placement,
    outcome_step,
    placement_or_abort,
    placement_step,
    placement_url,
    request_refusal,
)
from accommodation.views import bp
from eip import steps
from eip.access import requires
from eip.extensions import db
from forms.placement import ApproveForm, ExtensionDecisionForm


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
                db.session,
                current,
                nights=nights,
                rate_pence=form.rate_pence(),
                with_forecast=True,
            ),
        }

    return placement_step(
        found,
        form,
        decisions.approve,
        lambda: {
            "provider": form.provider.data,
            "address": form.address.data,
            "rate_pence": form.rate_pence(),
            "nights": form.nights_number(),
        },
        blocked=request_refusal(found, "approve"),
        message=lambda _result: "Placement approved and the money committed",
        anchor="decision",
        template="accommodation/decide.html",
        title="Approve the placement",
        late=context,
    )


@bp.route("/placements/<int:placement_id>/decline", methods=["GET", "POST"])
@requires(DECIDE)
def decline(placement_id: int):
    return outcome_step(placement_id, DECIDE, "decline", decisions.decline)


@bp.route("/placements/<int:placement_id>/no-accommodation", methods=["GET", "POST"])
@requires(DECIDE)
def no_accommodation(placement_id: int):
    return outcome_step(
        placement_id, DECIDE, "record_no_accommodation", decisions.record_no_accommodation
    )


@bp.route("/placements/<int:placement_id>/pot-exhausted", methods=["GET", "POST"])
@requires(DECIDE)
def pot_exhausted(placement_id: int):
    return outcome_step(
        placement_id, DECIDE, "record_pot_exhausted", decisions.record_pot_exhausted
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

    return steps.run_step(
        form,
        version=found.version,
        blocked=blocked,
        save=lambda: decisions.decide_extension(
            db.session,
            current_user,
            extension_id,
            approve=form.decision.data == "approve",
            reason=form.reason.data,
            version=form.version.data,
        ),
        done=lambda _result: (
            (
                "Extension approved and the money committed"
                if form.decision.data == "approve"
                else "Extension declined"
            ),
            placement_url(found, "decision"),
        ),
        template="accommodation/extension_decide.html",
        title="Decide on the extension",
        late=context,
        **on_placement(found),
    )
