"""Downloading the accommodation documents (registered on the accommodation blueprint):
the agreement from the placement page, Camden's statement from the budget page.

Each route checks the rule, asks `accommodation.documents` for the PDF and sends it as an
attachment; its `….html` twin shows the same document as an accessible web page. A
placement with no stay to agree goes back to its page, at the stay panel, with the reason;
a statement asked for with bad dates shows its small form again, with each problem beside
its date (400).
"""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_login import current_user

from accommodation.view_helpers import placement_or_abort
from accommodation.views import bp
from eip import steps
from eip.access import requires
from eip.extensions import db
from eip.pdf.delivery import send_page, send_pdf

AGREEMENT_RULE = "placement.agreement"
STATEMENT_RULE = "finance.statement"


@bp.get("/placements/<int:placement_id>/agreement.pdf")
@requires(AGREEMENT_RULE)
def agreement_pdf(placement_id: int):
    return _agreement(placement_id, web_page=False)


@bp.get("/placements/<int:placement_id>/agreement.html")
@requires(AGREEMENT_RULE)
def agreement_page(placement_id: int):
    return _agreement(placement_id, web_page=True)


def _agreement(placement_id: int, *, web_page: bool):
    # Imported here so that creating the app reads no font files (as the case documents).
    from accommodation import documents

    placement = placement_or_abort(placement_id, AGREEMENT_RULE)
    # A NotAllowed is the app's audited 403 under this rule and placement (eip/errors.py).
    made, document, _status = steps.attempt(
        lambda: documents.produce_agreement(db.session, current_user, placement, web_page=web_page)
    )
    if not made:
        # Fixed sentences: nothing personal travels in the session cookie.
        return steps.back_with_reason(
            document.message,
            url_for("accommodation.placement", placement_id=placement_id, _anchor="stay"),
        )
    if not web_page:
        return send_pdf(document)
    return send_page(
        document,
        pdf_url=url_for("accommodation.agreement_pdf", placement_id=placement_id),
        back_url=url_for("accommodation.placement", placement_id=placement_id, _anchor="stay"),
    )


@bp.get("/budget/statement.pdf")
@requires(STATEMENT_RULE)
def statement_pdf():
    return _statement(web_page=False)


@bp.get("/budget/statement.html")
@requires(STATEMENT_RULE)
def statement_page():
    return _statement(web_page=True)


def _statement(*, web_page: bool):
    from accommodation import documents
    from accommodation.finance.statement import check_period
    from forms.finance import StatementPeriodForm

    form = StatementPeriodForm(request.args)
    if "start" not in request.args and "end" not in request.args:
        return _statement_form(form, 200)
    if not form.validate():
        return _statement_form(form, 400)
    # A period that is not one shows the form again, each problem beside its date; a
    # NotAllowed is the app's audited 403 under this route's rule (eip/errors.py).
    made, document, status = steps.attempt(
        lambda: documents.produce_statement(
            db.session,
            current_user,
            *check_period(form.start.data, form.end.data),
            web_page=web_page,
        )
    )
    if not made:
        steps.show_problems(form, document)
        return _statement_form(form, status)
    if not web_page:
        return send_pdf(document)
    return send_page(
        document,
        pdf_url=f"{url_for('accommodation.statement_pdf')}?{request.query_string.decode()}",
        back_url=url_for("accommodation.budget"),
    )


def _statement_form(form, status: int):
    return render_template(
        "accommodation/statement_form.html",
        form=form,
        title="Download the accommodation statement",
    ), status
