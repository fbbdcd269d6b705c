"""The evaluation pages: managers prepare an extract for a period, review its disclosure
report, release or withdraw it; evaluators list released extracts, download them and see
figures built from the latest one. Every page declares its rule; an extract is loaded
and its own rule checked again (an evaluator asking for a prepared extract gets an
audited 403). Views parse a form, call one service, and render or redirect.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from eip import steps
from eip.access import check, requires
from eip.audit import record
from eip.clock import today
from eip.csvsafe import to_csv
from eip.db import write_now
from eip.extensions import db
from eip.policy import can
from eip.programme import current_settings
from evaluation import charts, disclosure, equality, figure_services, package, services
from evaluation.models import EvaluationExtract
from forms.evaluation import PrepareForm, WithdrawForm

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation")


def _instance() -> str:
    return current_app.config["INSTANCE_PATH"]


def _extract(extract_id: int, action: str) -> EvaluationExtract:
    item = db.session.get(EvaluationExtract, extract_id)
    if item is None:
        abort(404)
    check(action, item)
    g.access_object = item  # what a later refusal names (eip/errors.py)
    return item


@bp.get("")
@requires("evaluation.list")
def index():
    return render_template(
        "evaluation/index.html",
        extracts=services.listing(db.session, current_user),
        may_prepare=can(current_user, "evaluation.prepare"),
        title="Evaluation extracts",
    )


@bp.route("/prepare", methods=["GET", "POST"])
@requires("evaluation.prepare")
def prepare():
    settings = current_settings(db.session)
    form, status = PrepareForm(), 200
    if request.method == "GET":
        form.period_start.data, form.period_end.data = services.default_period(db.session)
    elif not form.validate_on_submit():
        status = 400
    else:
        # NotAllowed: an audited 403 under evaluation.prepare (eip/errors.py).
        saved, item, status = steps.save_form(
            form,
            lambda: services.prepare(
                db.session,
                current_user,
                start=form.period_start.data,
                end=form.period_end.data,
                config=current_app.config,
            ),
        )
        if saved:
            flash(f"{item.label} is prepared. Review it before you release it.", "success")
            return redirect(url_for("evaluation.extract", extract_id=item.id))
    return render_template(
        "evaluation/prepare.html",
        form=form,
        k=settings.evaluation_k,
        title="Prepare an evaluation extract",
    ), status


def _review(item: EvaluationExtract) -> dict:
    """The disclosure report's figures for the manager's page (exact counts: managers may
    see them; the report in the zip hides the small ones)."""
    generalisation = disclosure.Generalisation.from_json(item.generalisation)
    released = services.released_extracts(db.session)
    key_changed = any(e.key_check != item.key_check for e in released if e.id != item.id)
    return {
        "generalisation": generalisation.describe(item.k),
        # (reason, exact count, what the report in the zip shows), then the total.
        "left_out": [
            (text, exact, shown)
            for (text, shown), exact in zip(
                package.left_out_lines(item.left_out, item.k),
                [
                    *(item.left_out.get(r, 0) for r in package.LEFT_OUT_REASONS),
                    sum(item.left_out.values()),
                ],
                strict=True,
            )
        ],
        "key_changed": key_changed,
    }


@bp.get("/extracts/<int:extract_id>")
@requires("evaluation.prepare")
def extract(extract_id: int):
    item = _extract(extract_id, "evaluation.prepare")
    return render_template(
        "evaluation/extract.html",
        item=item,
        review=_review(item),
        may_download=services.may_download(current_user, item),
        title=item.label,
    )


@bp.route("/extracts/<int:extract_id>/release", methods=["GET", "POST"])
@requires("evaluation.release")
def release(extract_id: int):
    """GET: the confirmation page (what release does, what cannot be undone); POST (from
    that page, CSRF-checked): release. A POST without the page is the same checked call."""
    item = _extract(extract_id, "evaluation.release")
    if request.method == "GET":
        if item.state != "prepared":
            flash(f"{item.label} is {item.state_label.lower()}: it cannot be released.", "info")
            return redirect(url_for("evaluation.extract", extract_id=extract_id))
        return render_template("evaluation/release.html", item=item, title=f"Release {item.label}?")
    released, refusal, status = steps.attempt(
        lambda: services.release(db.session, current_user, item.id, config=current_app.config)
    )
    if not released:
        flash(refusal.message, "error")
        # The extract's own page, the reason at its top: a browser does not follow a redirect
        # sent with a 4xx status, and showed a bare "Redirecting..." page instead.
        return extract(extract_id), status
    flash(f"{item.label} is released: evaluators can now download it.", "success")
    return redirect(url_for("evaluation.extract", extract_id=extract_id))


@bp.route("/extracts/<int:extract_id>/withdraw", methods=["GET", "POST"])
@requires("evaluation.withdraw")
def withdraw(extract_id: int):
    item = _extract(extract_id, "evaluation.withdraw")
    if item.state == "withdrawn":
        flash(f"{item.label} is already withdrawn.", "info")
        return redirect(url_for("evaluation.extract", extract_id=extract_id))
    form, status = WithdrawForm(), 200
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 400
        else:
            saved, _result, status = steps.save_form(
                form,
                lambda: services.withdraw(
                    db.session, current_user, item.id, form.reason.data, _instance()
                ),
            )
            if saved:
                flash(f"{item.label} is withdrawn and its file deleted.", "success")
                return redirect(url_for("evaluation.extract", extract_id=extract_id))
    return render_template(
        "evaluation/withdraw.html", form=form, item=item, title=f"Withdraw {item.label}"
    ), status


@bp.get("/extracts/<int:extract_id>/download")
@requires("evaluation.download")
def download(extract_id: int):
    item = _extract(extract_id, "evaluation.download")
    # A NotAllowed is the app's audited 403 under this route's rule (eip/errors.py).
    found, path, _status = steps.attempt(
        lambda: services.download(db.session, current_user, item, _instance())
    )
    if not found:
        flash(path.message, "error")
        return redirect(url_for("evaluation.index"))
    return send_file(
        path, mimetype="application/zip", as_attachment=True, download_name=item.download_name
    )


# The risk and safety tables, in the order the figures page shows them.
RISK_AND_SAFETY = (
    "idva_timeliness",
    "marac_timeliness",
    "children_age_band",
    "partner_gender",
    "partner_age_band",
    "partner_ethnic_group",
)

# The outcome tables, in the page's order; the two-way ones are charted cell by cell.
OUTCOMES = (
    "outcome_points",
    "behaviour_by_point",
    "behaviour_change",
    "feels_safe_by_point",
    "feels_safe_change",
)
BY_POINT = frozenset({"behaviour_by_point", "feels_safe_by_point"})


@bp.get("/figures")
@requires("evaluation.figures")
def figures():
    shown = figure_services.for_user(db.session, current_user, _instance())
    built = shown.figures
    chart_list = []
    if built is not None:
        keys = ("pathway_outcome", "borough", "dash_change", "cost_band", *RISK_AND_SAFETY)
        for key in (*keys, *OUTCOMES):
            table = built.tables[key]
            if not table.rows:
                continue  # an extract released before it carried these fields
            bars = table.cell_bars() if key in BY_POINT else table.bars()
            chart_list.append((key, charts.bar_chart(f"chart-{key}", table.caption, bars)))
    for table in shown.equality or ():
        for j, (party, heading) in enumerate(table.columns):
            title = f"{table.caption}: {heading.lower()}"
            chart_list.append(
                (
                    f"{table.key}-{party}",
                    charts.bar_chart(f"chart-{table.key}-{party}", title, table.bars(j)),
                )
            )
    return render_template(
        "evaluation/figures.html",
        shown=shown,
        built=built,
        charts=dict(chart_list),
        risk_and_safety=RISK_AND_SAFETY,
        outcome_tables=OUTCOMES,
        title="Programme figures",
    )


@bp.get("/figures.csv")
@requires("evaluation.figures")
def figures_csv():
    shown = figure_services.for_user(db.session, current_user, _instance())
    if shown.figures is None:
        abort(404)
    with write_now(db.session):  # a GET's write (eip/db.py)
        record(
            db.session,
            "evaluation.figures_downloaded",
            actor=current_user,
            object_type="evaluation_extract" if shown.extract else "programme",
            object_id=shown.extract.id if shown.extract else None,
            details={"live": shown.live},
        )
        db.session.commit()
    source = "live" if shown.live else f"extract-{shown.extract.id}"  # type: ignore[union-attr]
    name = f"eip-programme-figures-{source}-{today().isoformat()}.csv"
    return Response(
        to_csv(shown.figures.csv_rows() + equality.csv_rows(shown.equality or [])),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
