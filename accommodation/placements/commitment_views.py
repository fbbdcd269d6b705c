"""Routes for the SPOC's added commitments (registered on the accommodation blueprint):
committing more money to an approved placement so that a higher invoice can be recorded,
and taking back one that is no longer needed. Only the SPOC of the placement's borough.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from accommodation.models import LedgerEntry
from accommodation.placements import commitment_services as commitments
from accommodation.placements import page as pages
from accommodation.view_helpers import (
    DECIDE,
    on_placement,
    placement_or_abort,
    placement_step,
    placement_url,
)
from accommodation.views import bp
from eip import steps
from eip.access import requires
from eip.extensions import db
from eip.programme import current_settings
from forms.placement import CommitmentForm, CommitmentReversalForm


@bp.route("/placements/<int:placement_id>/commitments/new", methods=["GET", "POST"])
@requires(DECIDE)
def add_commitment(placement_id: int):
    found = placement_or_abort(placement_id, DECIDE)
    form = CommitmentForm()

    def blocked() -> str | None:
        return commitments.NOT_APPROVED if found.nightly_rate_pence is None else None

    return placement_step(
        found,
        form,
        commitments.add_commitment,
        lambda: {"amount_pence": form.amount_pence(), "reason": form.reason.data},
        blocked=blocked,
        message=lambda _result: "Commitment added",
        anchor="money",
        template="accommodation/commitment.html",
        title="Add to the commitment",
        late=lambda: {"pot": pages.pot_snapshot(db.session).totals},
    )


@bp.route(
    "/placements/<int:placement_id>/commitments/<int:entry_id>/reverse", methods=["GET", "POST"]
)
@requires(DECIDE)
def reverse_commitment(placement_id: int, entry_id: int):
    """The SPOC takes back an added commitment that is no longer needed."""
    found = placement_or_abort(placement_id, DECIDE)
    entry = db.session.get(LedgerEntry, entry_id)
    if entry is None or entry.placement_id != found.id:
        abort(404)
    form = CommitmentReversalForm()

    def blocked() -> str | None:
        pot = current_settings(db.session).pot_pence
        return commitments.added_commitment_refusal(db.session, found, entry, pot)

    return steps.run_step(
        form,
        version=found.version,
        blocked=blocked,
        save=lambda: commitments.reverse_added_commitment(
            db.session,
            current_user,
            entry_id,
            reason=form.reason.data,
            version=form.version.data,
        ),
        done=lambda _result: (
            "Added commitment reversed: the money is back in the pot",
            placement_url(found, "money"),
        ),
        template="accommodation/reverse.html",
        title="Reverse an added commitment",
        **on_placement(found),
        entry=entry,
        kind_label="Added commitment",
        spoc=True,
    )
