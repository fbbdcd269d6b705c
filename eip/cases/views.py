"""Case list and case page. The pathway issue adds the rest."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from eip.access import can, check, requires
from eip.cases import services
from eip.extensions import db

bp = Blueprint("cases", __name__, url_prefix="/cases")


@bp.get("/")
@requires("case.list")
def index():
    cases = services.list_visible(db.session, current_user)
    return render_template("cases/index.html", cases=cases, title="Cases")


@bp.get("/<reference>")
@requires("case.view")
def view(reference: str):
    case = services.find_case(db.session, reference)
    if case is None:
        abort(404)
    check("case.view", case)
    services.record_view(db.session, current_user, case)
    access_log = (
        services.access_log(db.session, case)
        if can(current_user, "case.access_log", case)
        else None
    )
    return render_template(
        "cases/view.html", case=case, access_log=access_log, title=f"Case {case.reference}"
    )
