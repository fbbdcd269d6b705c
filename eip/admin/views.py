"""Administration pages (being built: see the admin helper's work)."""

from flask import Blueprint, render_template

from eip.access import requires

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@requires("admin.users")
def users():
    return render_template("base.html", title="Users")


@bp.get("/boroughs")
@requires("admin.boroughs")
def boroughs():
    return render_template("base.html", title="Boroughs")


@bp.get("/approvals")
@requires("approvals.view")
def approvals():
    return render_template("base.html", title="Approvals")


@bp.get("/settings")
@requires("settings.view")
def settings():
    return render_template("base.html", title="Programme settings")
