"""Audit trail pages: the full trail for managers, account events for admins."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from wtforms.fields.choices import SelectChoice

from eip.access import requires
from eip.audit.search import AuditQuery, search_events, user_choices
from eip.extensions import db
from forms.audit import AuditSearchForm

bp = Blueprint("audit", __name__, url_prefix="/audit")


def _page() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


def _render(account_only: bool, title: str, endpoint: str):
    form = AuditSearchForm(request.args, meta={"csrf": False})
    form.user.choices = [SelectChoice("", "Anyone")] + [
        SelectChoice(str(user.id), f"{user.name} ({user.email})")
        for user in user_choices(db.session)
    ]
    valid = form.validate() if request.args else True
    query = AuditQuery(
        user_id=int(form.user.data) if valid and form.user.data else None,
        # Not for the account events page (an admin's): see eip.audit.search.
        case_reference=None
        if account_only
        else (form.case_reference.data or "").strip().upper() or None,
        date_from=form.date_from.data if valid else None,
        date_to=form.date_to.data if valid else None,
        account_only=account_only,
        page=_page(),
    )
    result = search_events(db.session, query) if valid else None
    return render_template(
        "audit/search.html",
        form=form,
        result=result,
        account_only=account_only,
        endpoint=endpoint,
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
