"""Routes for what happens while a case runs: sessions, professionals meetings,
incidents, DASH reviews and actions (registered on the cases blueprint).

Each step page reads its form, calls one service and redirects to the case page, or
shows the refusal: a rule's reason (400), someone else's newer save (409). When the
pathway does not allow the step now, the page says why instead of showing the form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from eip import steps
from eip.access import requires
from eip.cases import activity_panels, activity_services, dash_services, rules
from eip.cases.activity_services import action_kind_label
from eip.cases.common import today
from eip.cases.models import Case
from eip.cases.view_helpers import ALREADY_SAVED, already_saved, case_or_abort, once, token
from eip.cases.views import bp
from eip.extensions import db
from eip.programme import current_settings
from forms.activity import (
    ActionForm,
    CompleteActionForm,
    DashForm,
    IncidentForm,
    MeetingForm,
    SessionForm,
    prefill,
)

# ---------------------------------------------------------------------------
# The case page's panels call these.


@bp.app_template_global("activity_panel")
def _activity_panel(page):
    return activity_panels.activity_panel(db.session, page)


@bp.app_template_global("risk_panel")
def _risk_panel(page):
    return activity_panels.risk_panel(db.session, page)


@bp.app_template_filter("action_kind")
def _action_kind(kind: str) -> str:
    return action_kind_label(kind)


# ---------------------------------------------------------------------------


def _back(case: Case, anchor: str):
    return redirect(url_for("cases.view", reference=case.reference, _anchor=anchor))


def _step(
    case: Case,
    form: FlaskForm,
    allowed: Callable[[], rules.Check],
    save: Callable[[], Any],
    done: str,
    anchor: str,
    template: str,
    title: str,
    **context: Any,
):
    """An activity step page (eip/steps.run_step): back to the case's `anchor` when saved.
    The same form sent twice (a double-click) goes where the first went, saved once."""

    def blocked() -> str | None:
        check = allowed()
        return None if check else check.reason

    return steps.run_step(
        form,
        blocked=blocked,
        save=once(save),
        done=lambda result: (
            already_saved(done) if result is ALREADY_SAVED else done,
            url_for("cases.view", reference=case.reference, _anchor=anchor),
        ),
        render=lambda reason: render_template(
            template, case=case, form=form, blocked=reason, anchor=anchor, title=title, **context
        ),
    )


@bp.route("/<reference>/sessions/new", methods=["GET", "POST"])
@requires("case.edit")
def record_session(reference: str):
    case = case_or_abort(reference, "case.edit")
    form = SessionForm()
    if request.method == "GET":
        prefill(form, held_on=today())

    def allowed() -> rules.Check:
        facts = activity_services.consent_facts(db.session, case)
        return rules.can_record_session(case.status, facts)

    return _step(
        case,
        form,
        allowed,
        lambda: activity_services.record_session(
            db.session, current_user, case, **form.values(), submission=token(form)
        ),
        "Session recorded",
        "activity",
        "cases/activity_session.html",
        "Record a session",
    )


@bp.route("/<reference>/meetings/new", methods=["GET", "POST"])
@requires("case.edit")
def record_meeting(reference: str):
    case = case_or_abort(reference, "case.edit")
    form = MeetingForm()
    if request.method == "GET":
        prefill(form, held_on=today())
    return _step(
        case,
        form,
        lambda: rules.can_record_meeting(case.status),
        lambda: activity_services.record_meeting(
            db.session, current_user, case, **form.values(), submission=token(form)
        ),
        "Meeting recorded",
        "activity",
        "cases/activity_meeting.html",
        "Record a professionals meeting",
    )


@bp.route("/<reference>/incidents/new", methods=["GET", "POST"])
@requires("case.edit")
def record_incident(reference: str):
    case = case_or_abort(reference, "case.edit")
    form = IncidentForm()
    if request.method == "GET":
        prefill(form)
    return _step(
        case,
        form,
        lambda: rules.can_record_dash_or_incident(case.status),
        lambda: activity_services.record_incident(
            db.session, current_user, case, **form.values(), submission=token(form)
        ),
        "Incident recorded",
        "activity",
        "cases/activity_incident.html",
        "Record an incident",
    )


@bp.route("/<reference>/dash/new", methods=["GET", "POST"])
@requires("case.edit")
def record_dash(reference: str):
    case = case_or_abort(reference, "case.edit")
    form = DashForm()
    on = today()
    callouts = dash_services.police_callouts_before(db.session, case, on)
    if request.method == "GET":
        prefill(form, completed_on=on)
        form.police_callouts_12_months.data = str(callouts)
    return _step(
        case,
        form,
        lambda: rules.can_record_dash_or_incident(case.status),
        lambda: dash_services.record_dash(
            db.session, current_user, case, **form.values(), submission=token(form)
        ),
        "DASH review recorded",
        "risk",
        "cases/activity_dash.html",
        "Record a DASH risk review",
        counted_callouts=callouts,
        threshold=current_settings(db.session).marac_threshold_yes,
    )


def _action_allowed(case: Case) -> rules.Check:
    if case.status == "not_accepted":
        return rules.Check(False, rules.NOT_ACCEPTED_CASE)
    if case.status in rules.CLOSED_STATES:
        return rules.Check(False, "This case is closed. A manager must reopen it to add an action")
    return rules.ALLOWED


@bp.route("/<reference>/actions/new", methods=["GET", "POST"])
@requires("case.edit")
def add_action(reference: str):
    case = case_or_abort(reference, "case.edit")
    form = ActionForm()
    if request.method == "GET":
        prefill(form)
    return _step(
        case,
        form,
        lambda: _action_allowed(case),
        lambda: activity_services.add_action(
            db.session, current_user, case, **form.values(), submission=token(form)
        ),
        "Action added",
        "activity",
        "cases/activity_action.html",
        "Add an action",
    )


@bp.post("/<reference>/actions/<int:action_id>/done")
@requires("case.edit")
def complete_action(reference: str, action_id: int):
    case = case_or_abort(reference, "case.edit")
    form = CompleteActionForm()
    status = 400
    if not form.validate_on_submit():
        form.form_errors.append(
            "The page had expired, so nothing was saved. Go back to the case and try again"
        )
    else:
        saved, _result, status = steps.save_form(
            form,
            lambda: activity_services.complete_action(
                db.session, current_user, case, action_id=action_id
            ),
        )
        if saved:
            flash("Action marked as done", "success")
            return _back(case, "activity")
    return render_template(
        "cases/activity_problem.html", case=case, form=form, title="The action was not saved"
    ), status
