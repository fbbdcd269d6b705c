"""Downloading a case's documents (registered on the cases blueprint).

Each route loads the case through the policy, asks `documents.produce` for the PDF and
sends it as an attachment. A case that lacks what the document is made from goes back
to the top of the case page with the reason and a link to the panel the link was on.
"""

from __future__ import annotations

from flask import url_for
from flask_login import current_user

from eip import steps
from eip.access import requires
from eip.cases.view_helpers import case_or_abort
from eip.cases.views import bp
from eip.extensions import db
from eip.pdf.delivery import send_pdf

RULE = "case.documents"


def _download(reference: str, kind: str, panel: str, meeting_id: int | None = None):
    # Imported here so that creating the app reads no font files (the factory does no
    # I/O); the first download pays for it once, well under a second.
    from eip.cases import documents

    case = case_or_abort(reference, RULE)
    # A NotFound (no such meeting) is the app's 404 (eip/errors.py).
    made, document, _status = steps.attempt(
        lambda: documents.produce(db.session, current_user, case, kind, meeting_id=meeting_id)
    )
    if not made:
        # The reasons are fixed sentences: no names travel in the session cookie.
        return steps.back_with_reason(
            document.message, url_for("cases.view", reference=reference, _anchor=panel)
        )
    return send_pdf(document)


@bp.get("/<reference>/documents/acknowledgement.pdf")
@requires(RULE)
def acknowledgement_pdf(reference: str):
    return _download(reference, "acknowledgement", "referral")


@bp.get("/<reference>/documents/plan.pdf")
@requires(RULE)
def plan_pdf(reference: str):
    return _download(reference, "plan", "consultation")


@bp.get("/<reference>/documents/meeting-pack.pdf")
@requires(RULE)
def meeting_pack_pdf(reference: str):
    return _download(reference, "meeting_pack", "activity")


@bp.get("/<reference>/documents/meetings/<int:meeting_id>/minutes.pdf")
@requires(RULE)
def minutes_pdf(reference: str, meeting_id: int):
    return _download(reference, "minutes", "activity", meeting_id)


@bp.get("/<reference>/documents/closure-summary.pdf")
@requires(RULE)
def closure_summary_pdf(reference: str):
    return _download(reference, "closure_summary", "closure")
