"""Audit trail pages: the full trail for managers, account events for admins."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from eip import paging
from eip.access import requires
from eip.audit.search import COUNTED_UP_TO, AuditQuery, search_events, user_choices
from eip.cases.finding import choose_reference
from eip.extensions import db
from forms.audit import AuditSearchForm

bp = Blueprint("audit", __name__, url_prefix="/audit")


def _position() -> paging.Position:
    try:
        return paging.position_from(request.args)
    except paging.BadCursor:
        abort(400, "The link to this page of events is not one this service made")


def _render(account_only: bool, title: str, endpoint: str):
    form = AuditSearchForm(request.args, meta={"csrf": False})
    form.user.choices = [SelectChoice("", "Anyone")] + [
        SelectChoice(str(user.id), f"{user.name} ({user.email})")
        for user in user_choices(db.session)
    ]
    valid = form.validate() if request.args else True
    # Part of a reference is enough: one case goes straight through, several are listed to
    # choose from. Not for the account events page (an admin's): see eip.audit.search.
    choice = None
    if valid and not account_only and (form.case_reference.data or "").strip():
        choice = choose_reference(db.session, current_user, form.case_reference.data)
        if not choice.choices:
            form.case_reference.errors.append("No case reference contains what you typed")
            valid = False
    query = AuditQuery(
        user_id=int(form.user.data) if valid and form.user.data else None,
        case_reference=choice.chosen if choice else None,
        date_from=form.date_from.data if valid else None,
        date_to=form.date_to.data if valid else None,
        account_only=account_only,
        position=_position(),
    )
    choosing = choice is not None and choice.chosen is None
    result = search_events(db.session, query) if valid and not choosing else None
    return render_template(
        "audit/search.html",
        form=form,
        result=result,
        choice=choice,
        account_only=account_only,
        endpoint=endpoint,
        counted_up_to=COUNTED_UP_TO,
        title=title,
    ), (200 if valid else 400)


@bp.get("/")
@requires("audit.search")
def search():
    return _render(False, "Audit trail", "audit.search")


@bp.get("/account-events")
@requires("audit.account_events")
def account_events():
    return _render(True, "Account events", "audit.account_events")
