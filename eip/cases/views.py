"""Case list and case page. Each pathway step's routes live in their own module
(referral_views, consultation_views, activity_views), registered on this blueprint."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from eip import paging
from eip.access import requires
from eip.auth.models import User
from eip.cases import (
    access_log,
    activity_panels,
    finding,
    hooks,
    outcome_panel,
    pathway_panels,
    queries,
    referral_panels,
    safety_plans,
)
from eip.cases import page as case_page
from eip.cases.rules import CLOSED_STATES, STATUS_LABELS
from eip.cases.view_helpers import case_or_abort
from eip.clock import today
from eip.extensions import db
from eip.models import Borough
from eip.policy import can
from eip.roles import Role
from forms.cases import CaseFilterForm, CaseSearchForm
from forms.fields import optional_int

bp = Blueprint("cases", __name__, url_prefix="/cases")


def _position() -> paging.Position:
    try:
        return paging.position_from(request.args)
    except paging.BadCursor:
        abort(400, "The link to this page of cases is not one this service made")


@bp.get("/")
@requires("case.list")
def index():
    form = CaseFilterForm(request.args)
    form.status.choices = [SelectChoice("", "Any status")] + [
        SelectChoice(value, label) for value, label in STATUS_LABELS.items()
    ]
    # Ids and names only: the choices need no objects.
    boroughs = db.session.execute(select(Borough.id, Borough.name).order_by(Borough.name))
    form.borough.choices = [SelectChoice("", "Any borough")] + [
        SelectChoice(str(borough_id), name) for borough_id, name in boroughs
    ]
    practitioners = db.session.execute(
        select(User.id, User.name).where(User.role == Role.PRACTITIONER.value).order_by(User.name)
    )
    form.practitioner.choices = [SelectChoice("", "Anyone")] + [
        SelectChoice(str(user_id), name) for user_id, name in practitioners
    ]
    valid = form.validate() if request.args else True
    filters = queries.CaseFilters(
        status=form.status.data or None if valid else None,
        borough_id=optional_int(form.borough.data) if valid else None,
        practitioner_id=optional_int(form.practitioner.data) if valid else None,
        overdue_only=bool(form.overdue.data) if valid else False,
        reference=(form.reference.data or None) if valid else None,
        position=_position(),
    )
    listing = queries.list_cases(db.session, current_user, filters, today())
    return render_template(
        "cases/index.html",
        form=form,
        listing=listing,
        can_create=can(current_user, "case.create"),
        can_search=can(current_user, "case.search"),
        show_names=can(current_user, "case.client_name"),
        title="Cases",
    ), (200 if valid else 400)


@bp.route("/search", methods=["GET", "POST"])
@requires("case.search")
def search():
    """Find a case by name, date of birth or reference: the results come back on the POST's
    own response (no redirect, no query string), so what was typed is never in a URL."""
    form = CaseSearchForm()
    result = None
    if form.validate_on_submit():
        result = finding.find_cases(db.session, current_user, form.text.data)
    return render_template("cases/search.html", form=form, result=result, title="Find a case"), (
        400 if form.errors else 200
    )


@bp.get("/<reference>")
@requires("case.view")
def view(reference: str):
    case = case_or_abort(reference, "case.view")
    access_log.record_view(db.session, current_user, case)
    if not can(current_user, "case.access_log", case):
        # SPOCs see their own borough's cases by reference and status only (DOMAIN.md).
        # With a link to each placement of the case they may see, and a way back.
        panel = hooks.case_panels(db.session, current_user, case).get("accommodation")
        placements = [
            p for p in getattr(panel, "placements", []) if can(current_user, "placement.view", p)
        ]
        return render_template(
            "cases/summary.html", case=case, placements=placements, title=f"Case {case.reference}"
        )
    page = case_page.build(db.session, case, with_access_log=True)
    # Every panel's data is read here, so the templates only lay it out.
    return render_template(
        "cases/view.html",
        case=case,
        page=page,
        referral=referral_panels.referral_panel(current_user, page),
        pathway=pathway_panels.pathway_panel(page),
        activity=activity_panels.activity_panel(page),
        risk=activity_panels.risk_panel(db.session, page),
        can_edit=can(current_user, "case.edit", case) and case.anonymised_at is None,
        can_reassign=can(current_user, "case.reassign", case) and case.status not in CLOSED_STATES,
        # The safety plans, safe contact arrangements among them: this audited page only.
        safety=safety_plans.panel(page.records, (item for item, _ in page.due))
        if can(current_user, "case.safety_plans", case)
        else None,
        outcomes=outcome_panel.panel(case, page.records, (item for item, _ in page.due)),
        panels=hooks.case_panels(db.session, current_user, case, page.records),
        access_log_limit=access_log.ACCESS_LOG_LIMIT,
        title=f"Case {case.reference}",
    )


@bp.get("/<reference>/access-log")
@requires("case.access_log")
def access_log_full(reference: str):
    """The case's whole access log, a page at a time (the case page shows the latest few)."""
    case = case_or_abort(reference, "case.access_log")
    try:
        position = paging.position_from(request.args)
    except paging.BadCursor:
        abort(400, "The link to this page of the access log is not one this service made")
    access_log.record_view(db.session, current_user, case, "access log")
    events = access_log.access_log_page(db.session, case, position)
    return render_template(
        "cases/access_log.html",
        case=case,
        events=events,
        title=f"Case {case.reference}: access log",
    )


# The pathway's step routes register themselves on `bp`.
from eip.cases import (  # noqa: E402, F401
    activity_views,
    assignment_views,
    child_views,
    consultation_views,
    contact_views,
    document_views,
    marac_views,
    outcome_views,
    referral_views,
    safety_plan_views,
)
