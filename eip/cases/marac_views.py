"""Routes for the MARAC referral (registered on the cases blueprint): prepare it, download
its pack, record it as sent. Practitioners prepare and record (they run the pathway);
whoever may download the case's documents downloads the pack."""

from __future__ import annotations

from flask import request, url_for
from flask_login import current_user

from eip import steps
from eip.access import requires
from eip.cases import marac_services, rules
from eip.cases.view_helpers import add_to_case, case_or_abort, case_url
from eip.cases.views import bp
from eip.clock import today
from eip.extensions import db
from eip.pdf.delivery import send_page, send_pdf
from forms.marac import MaracReferralForm, MaracSentForm


def _why_not(case) -> str | None:
    check = rules.can_record_dash_or_incident(case.status)
    if not check:
        return check.reason
    return steps.reason_not(lambda: marac_services.review_for_referral(db.session, case))


@bp.route("/<reference>/marac/new", methods=["GET", "POST"])
@requires("case.edit")
def prepare_marac(reference: str):
    case = case_or_abort(reference, "case.edit")
    form = MaracReferralForm()
    blocked = _why_not(case)
    review = None
    if blocked is None:
        start = marac_services.prefill(db.session, case)
        review = start.review
        if request.method == "GET":
            form.start()
            form.reasons.data = start.reasons
            form.agencies_involved.data = start.agencies_involved
            form.safe_contact.data = start.safe_contact
    return add_to_case(
        form,
        case,
        marac_services.prepare_referral,
        form.values,
        blocked=lambda: blocked,
        check=lambda: marac_services.check_referral(**form.values()),
        message="MARAC referral prepared: download the pack from the risk section",
        after=case_url(case, "risk"),
        template="cases/marac_prepare.html",
        title="Prepare the MARAC referral",
        review=review,
        criteria=marac_services.review_criteria(review) if review else [],
        case=case,
        anchor="risk",
    )


@bp.get("/<reference>/marac/<int:marac_id>/referral.pdf")
@requires("case.documents")
def marac_pack_pdf(reference: str, marac_id: int):
    # Imported here so that creating the app reads no font files (document_views does so).
    from eip.cases import marac_pack

    case = case_or_abort(reference, marac_pack.RULE)
    # A NotFound (not this case's referral) is the app's 404 (eip/errors.py).
    document = marac_pack.produce(db.session, current_user, case, marac_id)
    return send_pdf(document)


@bp.get("/<reference>/marac/<int:marac_id>/referral.html")
@requires("case.documents")
def marac_pack_page(reference: str, marac_id: int):
    """The pack's accessible web page: the same checks and content as the PDF."""
    from eip.cases import marac_pack

    case = case_or_abort(reference, marac_pack.RULE)
    document = marac_pack.produce(db.session, current_user, case, marac_id, web_page=True)
    return send_page(
        document,
        pdf_url=url_for("cases.marac_pack_pdf", reference=reference, marac_id=marac_id),
        back_url=url_for("cases.view", reference=reference, _anchor="risk"),
    )


@bp.route("/<reference>/marac/<int:marac_id>/sent", methods=["GET", "POST"])
@requires("case.edit")
def marac_sent(reference: str, marac_id: int):
    case = case_or_abort(reference, "case.edit")
    referral = marac_services.referral_of(db.session, case, marac_id)
    form = MaracSentForm()
    if request.method == "GET":
        form.sent_on.data = today()
    already = "This referral is already recorded as sent" if referral.sent_on else None
    return steps.run_step(
        form,
        blocked=lambda: already,
        save=lambda: marac_services.record_sent(
            db.session, current_user, case, marac_id, **form.values()
        ),
        done=lambda _result: (
            "MARAC referral recorded as sent: the MARAC referral action is done",
            url_for("cases.view", reference=case.reference, _anchor="risk"),
        ),
        template="cases/marac_sent.html",
        title="Record the MARAC referral as sent",
        referral=referral,
        case=case,
        anchor="risk",
    )
