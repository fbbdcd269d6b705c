"""The manager's dashboard (GET /dashboard) and the list of cases behind each of its figures
(GET /dashboard/cases/<figure>?month=2026-10&borough=3…): figure keys and plain codes in the
address, never personal data. Managers only (policy `programme.dashboard`)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from eip import paging
from eip.access import requires
from eip.clock import today
from eip.extensions import db
from eip.policy import can
from eip.reports import dashboard
from evaluation.charts import bar_chart

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
RULE = "programme.dashboard"
PARAMS = ("month", "borough", "outcome", "intake", "now", "move", "measure", "change", "point")


def _charts(shown) -> dict:
    period = shown["period"]
    by_month = [
        sum(n for (_b, m), n in shown["referrals"].items() if m == i)
        for i in range(len(period.months))
    ]
    referrals = [
        (f"{month:%B %Y}", n, str(n)) for month, n in zip(period.months, by_month, strict=True)
    ]
    outcomes = [
        (label, total, str(total))
        for code, label in shown["outcome_labels"]
        for total in [sum(n for (o, _m, _b), n in shown["outcomes"].items() if o == code)]
    ]
    timely = [
        (
            f"{m.label} ({m.decided} due)",
            round(100 * m.share_met) if m.decided else None,
            f"{round(100 * m.share_met)}% met" if m.decided else "none due yet",
        )
        for m in shown["timeliness"].values()
    ]
    om = shown["outcome_measures"]
    changes = [
        (f"{measure.label}: {om['change_labels'][change].lower()}", n, str(n))
        for name, measure in om["measures"].items()
        for change, n in om["changes"][name].counts.items()
        if change != "not_known"
    ]
    return {
        "outcome_measures": bar_chart(
            "chart-outcome-measures", "Change from intake to the latest measurement", changes
        ),
        "referrals": bar_chart("chart-referrals", "Referrals received by month", referrals),
        "outcomes": bar_chart("chart-outcomes", "Consultation outcomes over the months", outcomes),
        "timeliness": bar_chart("chart-timeliness", "Share of deadlines met", timely),
    }


@bp.get("/")
@requires(RULE)
def index():
    shown = dashboard.figures(db.session, current_user, today())
    return render_template(
        "reports/dashboard.html", title="Programme dashboard", charts=_charts(shown), **shown
    )


@bp.get("/cases/<figure>")
@requires(RULE)
def cases(figure: str):
    params = {name: request.args[name] for name in PARAMS if request.args.get(name)}
    try:
        position = paging.position_from(request.args)
        listing = dashboard.cases_behind(
            db.session, current_user, figure, params, today(), position
        )
    except paging.BadCursor:
        abort(400, "The link to this page of cases is not one this service made")
    except dashboard.UnknownFigure:
        abort(404)
    return render_template(
        "reports/dashboard_cases.html",
        title=listing.title,
        listing=listing,
        params=params,
        show_names=can(current_user, "case.client_name"),
    )
