"""Pages that belong to no feature: home pages by role, health check, accessibility."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from eip import paging
from eip.access import public, requires
from eip.extensions import db
from eip.main import home as home_pages

bp = Blueprint("main", __name__)


@bp.get("/")
@public
def home():
    if not current_user.is_authenticated:
        return render_template("main/welcome.html", title="Welcome")
    if current_user.role is None:
        return render_template(
            "home/awaiting_role.html", title="Your account is waiting for approval"
        )
    role = current_user.role
    try:
        position = paging.position_from(request.args)
    except paging.BadCursor:
        abort(400, "The link to this page of your cases is not one this service made")
    return render_template(
        f"home/{role}.html",
        title="Home",
        **home_pages.for_role(db.session, current_user, position),
    )


@bp.get("/work")
@requires("case.work_list")
def work_list():
    """Everything of mine overdue, due today or due soon, a page at a time: where the home
    page's "see all" goes when its list is cut at HOME_DUE_LIMIT."""
    from eip.cases.queries import parse_work_key

    # An old `?page=N` link (numbered pages, before keyset paging) opens the first page:
    # the list changes every day, so a number no longer names the same items anyway.
    try:
        position = paging.position_from(request.args, parse=parse_work_key)
    except paging.BadCursor:
        abort(400, "The link to this page of your work is not one this service made")
    return render_template(
        "home/work_list.html",
        title="Your work: overdue and due soon",
        **home_pages.work_list(db.session, current_user, position),
    )


@bp.get("/accessibility")
@public
def accessibility():
    return render_template(
        "main/accessibility.html",
        title="Accessibility statement",
        contact=current_app.config["EIP_ACCESSIBILITY_CONTACT"],
    )


@bp.get("/healthz")
@public
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.warning("health check: database unreachable")
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
