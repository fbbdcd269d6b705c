"""Audit trail pages: the full trail for managers, account events for admins."""

from flask import Blueprint, render_template

from eip.access import requires

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.get("/")
@requires("audit.search")
def search():
    return render_template("base.html", title="Audit trail")


@bp.get("/account-events")
@requires("audit.account_events")
def account_events():
    return render_template("base.html", title="Account events")
