"""The budget at a glance, and Camden finance's CSV statements (per placement, per month).

Every role that works with accommodation sees the pot's figures and its chart; the rows, the
spend by borough and the statements hold only the placements `visible_placements` allows, by
case reference and borough, never a name.
"""

from __future__ import annotations

from flask import Response, abort, get_template_attribute, render_template, request
from flask_login import current_user
from markupsafe import Markup

from accommodation.budget import chart as budget_chart
from accommodation.budget import exports as budget_csv
from accommodation.budget import memo, queries
from accommodation.budget import summary as budget
from accommodation.rules import STATE_LABELS
from accommodation.views import bp
from eip import paging
from eip.access import requires
from eip.audit import record
from eip.clock import today
from eip.db import write_now
from eip.extensions import db
from eip.policy import can
from eip.programme import current_settings


@bp.get("/budget", endpoint="budget")
@requires("budget.view")
def budget_page():
    try:
        position = paging.position_from(request.args)
    except paging.BadCursor:
        abort(400, "The link to this page of placements is not one this service made")
    on = today()
    result, data = queries.build(db.session, current_user, on, boroughs=True)
    rows, page = queries.row_page(db.session, current_user, on, position, data.key)
    return render_template(
        "accommodation/budget.html",
        budget=result,
        forecast=queries.forecast_of(db.session, result, data),
        boroughs=data.boroughs,
        rows=rows,
        page=page,
        chart=kept_chart(result, data.key, data.settings.pot_pence, on),
        chart_table=memo.kept(
            data.key and (*data.key, "chart table"), lambda: _chart_table(result, data, on)
        ),
        statement_form=memo.kept(("statement form", request.script_root), _statement_form),
        today=on,
        state_labels=STATE_LABELS,
        can_export=can(current_user, "budget.export"),
        title="Accommodation budget",
    )


def kept_chart(result: budget.Budget, key: tuple | None, pot: int, on) -> Markup:
    """`chart.pot_chart` of a budget from `queries.build`, drawn once for each state of the
    money and day (`key`, the build's: accommodation.budget.memo); the finance home's too."""
    return memo.kept(
        key and (*key, "chart"),
        lambda: budget_chart.pot_chart(result.burn_down, result.spend, pot, on),
    )


def _chart_table(result: budget.Budget, data: queries.BudgetRead, on) -> Markup:
    pot = data.settings.pot_pence
    rows = budget_chart.table_rows(result.burn_down, result.spend, pot, on)
    return get_template_attribute("accommodation/budget_macros.html", "chart_table")(rows, on)


def _statement_form() -> Markup:
    # The same for everyone (a GET form with no token): drawn once, it cost a third of the
    # page (the GOV.UK date inputs' macros).
    return get_template_attribute("accommodation/statement_macros.html", "statement_form")()


def _csv(filename: str, rows: list[list[str]], what: str) -> Response:
    with write_now(db.session):  # a GET's write (eip/db.py)
        record(
            db.session,
            "budget.exported",
            actor=current_user,
            object_type="budget",
            details={"export": what, "rows": len(rows) - 2},
        )
        db.session.commit()
    return Response(
        budget_csv.to_csv(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/budget/placements.csv")
@requires("budget.export")
def budget_placements_csv():
    on = today()
    data = queries.load(db.session, current_user)
    rows = budget.placement_rows(data.totals, data.placements, on)
    return _csv(
        f"accommodation-placements-{on.isoformat()}.csv",
        budget_csv.placement_csv(rows, STATE_LABELS),
        "placements",
    )


@bp.get("/budget/months.csv")
@requires("budget.export")
def budget_months_csv():
    on = today()
    pot = current_settings(db.session).pot_pence
    months = queries.month_rows(db.session, current_user, pot)
    return _csv(
        f"accommodation-months-{on.isoformat()}.csv",
        budget_csv.month_csv(months),
        "months",
    )
