"""What the placement step pages share (requests, the SPOC's decisions, added commitments,
the stay's steps): loading the placement through the policy, and running a step.

Every step page loads the placement through the policy (404, or an audited 403), reads its
form, calls one service and redirects to the placement page; or shows the refusal beside its
field or at the top (400), or someone else's newer save (409). When the step is not open
now (the request was already decided, say), the page says why instead of showing the form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, g, url_for
from flask_login import current_user

from accommodation import rules
from accommodation.models import Placement
from eip import steps
from eip.access import check
from eip.extensions import db
from forms.placement import PRACTITIONER_READS, ReasonForm

DECIDE = "placement.decide"


def placement_or_abort(placement_id: int, action: str) -> Placement:
    placement = db.session.get(Placement, placement_id)
    if placement is None:
        abort(404)
    check(action, placement)
    g.access_object = placement  # what a later refusal names (eip/errors.py)
    return placement


def placement_url(placement: Placement, anchor: str | None = None) -> str:
    return url_for("accommodation.placement", placement_id=placement.id, _anchor=anchor)


def on_placement(placement: Placement) -> dict[str, Any]:
    """What a placement step page (accommodation/placement_step.html) shows besides its form."""
    return {"placement": placement, "back": placement_url(placement)}


def placement_step(
    placement: Placement,
    form,
    change: Callable[..., Any],
    values: Callable[[], dict[str, Any]],
    /,
    *,
    blocked: Callable[[], str | None],
    message: Callable[[Any], str],
    anchor: str = "stay",
    **context: Any,
):
    """A step that changes the placement as the page saw it (the stay's steps):
    `change(session, user, placement_id, **values(), version=…)` saves it, refused if the
    placement changed since; the flash is `message(result)`, then back to the placement page, whose
    success banner links to the panel `anchor`."""
    return steps.run_step(
        form,
        version=placement.version,
        blocked=blocked,
        save=lambda: change(
            db.session, current_user, placement.id, **values(), version=form.version.data
        ),
        done=lambda result: (message(result), placement_url(placement, anchor)),
        **on_placement(placement),
        **context,
    )


# ---------------------------------------------------------------------------
# A request's outcomes that are not an approval (the practitioner's and the SPOC's)


def request_refusal(placement: Placement, action: str) -> Callable[[], str | None]:
    """Why `action` cannot close this request now (it was already decided), or None."""

    def refusal() -> str | None:
        if placement.state == "requested":
            return None
        return rules.refusal_reason(placement.state, action)

    return refusal


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


def outcome_step(placement_id: int, rule: str, action: str, service):
    """A request's outcome that is not an approval: a reason, and no money moves."""
    found = placement_or_abort(placement_id, rule)
    title, done = OUTCOMES[action]
    form = ReasonForm()
    form.submit.label.text = title
    # Who reads the reason: the SPOC's is shown to the practitioner; the practitioner's
    # stays with practitioners and managers (the SPOC sees only the outcome).
    form.reason.description = (
        PRACTITIONER_READS
        if rule == DECIDE
        else "Only practitioners and managers will see this; the SPOC sees the outcome only"
    )
    return steps.run_step(
        form,
        version=found.version,
        blocked=request_refusal(found, action),
        save=lambda: service(
            db.session, current_user, found.id, reason=form.reason.data, version=form.version.data
        ),
        done=lambda _result: (done, placement_url(found, "request")),
        template="accommodation/outcome.html",
        title=title,
        **on_placement(found),
    )
