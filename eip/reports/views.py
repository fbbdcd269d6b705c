"""The monthly programme report's download (managers): GET /reports/monthly.pdf with the
GOV.UK month and year boxes (`?month=10&month=2026`) and the version (`version=internal`, the
default, or `version=funder`: eip.reports.versions), asked for from the small form on the
manager's home. A month that is not a real month, or one that has not begun, shows the form
again with the reason (400)."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from eip import steps
from eip.access import requires
from eip.clock import today
from eip.extensions import db
from eip.pdf.delivery import send_page, send_pdf

bp = Blueprint("reports", __name__, url_prefix="/reports")
RULE = "programme.report"


@bp.get("/monthly.pdf")
@requires(RULE)
def monthly_pdf():
    return _monthly(web_page=False)


@bp.get("/monthly.html")
@requires(RULE)
def monthly_page():
    """The same report as an accessible web page (the same form, the same checks)."""
    return _monthly(web_page=True)


def _monthly(*, web_page: bool):
    # Imported here so that creating the app reads no font files (as the case documents).
    from eip.reports.monthly import check_month
    from eip.reports.monthly_document import produce
    from eip.reports.versions import INTERNAL, VERSIONS
    from forms.reports import MonthlyReportForm

    form = MonthlyReportForm(request.args)
    if "month" not in request.args:
        return _form(form, 200)
    which = request.args.get("version", INTERNAL)
    if not form.validate() or which not in VERSIONS:
        return _form(form, 400)
    # A NotAllowed is the app's audited 403 under this route's rule (eip/errors.py).
    made, document, status = steps.attempt(
        lambda: produce(
            db.session,
            current_user,
            check_month(form.month.data, today()),
            which=which,
            web_page=web_page,
        )
    )
    if not made:
        steps.show_problems(form, document)
        return _form(form, status)
    if not web_page:
        return send_pdf(document)
    return send_page(
        document,
        pdf_url=f"{url_for('reports.monthly_pdf')}?{request.query_string.decode()}",
        back_url=url_for("main.home"),
    )


def _form(form, status: int):
    return render_template(
        "reports/monthly_form.html",
        form=form,
        title="Download the monthly programme report",
    ), status
