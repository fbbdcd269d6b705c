"""Downloading a case's documents (registered on the cases blueprint).

Each route loads the case through the policy, asks `documents.produce` for the PDF and
sends it as an attachment. A case that lacks what the document is made from goes back
to the top of the case page with the reason and a link to the panel the link was on.
Beside each PDF, its accessible web page (`….html`): the same checks and the same
content, shown in the house layout (eip/pdf/html.py).
"""

from __future__ import annotations

from flask import url_for
from flask_login import current_user

from eip import steps
from eip.access import requires
from eip.cases.view_helpers import case_or_abort
from eip.cases.views import bp
from eip.extensions import db
from eip.pdf.delivery import send_page, send_pdf

RULE = "case.documents"


def _download(
    reference: str,
    kind: str,
    panel: str,
    meeting_id: int | None = None,
    *,
    pdf_endpoint: str | None = None,
):
    """The PDF; with `pdf_endpoint` (the PDF's route), the document's web page instead."""
    # Imported here so that creating the app reads no font files (the factory does no
    # I/O); the first download pays for it once, well under a second.
    from eip.cases import documents

    case = case_or_abort(reference, RULE)
    # A NotFound (no such meeting) is the app's 404 (eip/errors.py).
    made, document, _status = steps.attempt(
        lambda: documents.produce(
            db.session,
            current_user,
            case,
            kind,
            meeting_id=meeting_id,
            web_page=pdf_endpoint is not None,
        )
    )
    if not made:
        # The reasons are fixed sentences: no names travel in the session cookie.
        return steps.back_with_reason(
            document.message, url_for("cases.view", reference=reference, _anchor=panel)
        )
    if pdf_endpoint is None:
        return send_pdf(document)
    ids = {"meeting_id": meeting_id} if meeting_id is not None else {}
    return send_page(
        document,
        pdf_url=url_for(pdf_endpoint, reference=reference, **ids),
        back_url=url_for("cases.view", reference=reference, _anchor=panel),
    )


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


@bp.get("/<reference>/documents/acknowledgement.html")
@requires(RULE)
def acknowledgement_page(reference: str):
    return _download(
        reference, "acknowledgement", "referral", pdf_endpoint="cases.acknowledgement_pdf"
    )


@bp.get("/<reference>/documents/plan.html")
@requires(RULE)
def plan_page(reference: str):
    return _download(reference, "plan", "consultation", pdf_endpoint="cases.plan_pdf")


@bp.get("/<reference>/documents/meeting-pack.html")
@requires(RULE)
def meeting_pack_page(reference: str):
    return _download(reference, "meeting_pack", "activity", pdf_endpoint="cases.meeting_pack_pdf")


@bp.get("/<reference>/documents/meetings/<int:meeting_id>/minutes.html")
@requires(RULE)
def minutes_page(reference: str, meeting_id: int):
    return _download(reference, "minutes", "activity", meeting_id, pdf_endpoint="cases.minutes_pdf")


@bp.get("/<reference>/documents/closure-summary.html")
@requires(RULE)
def closure_summary_page(reference: str):
    return _download(
        reference, "closure_summary", "closure", pdf_endpoint="cases.closure_summary_pdf"
    )
