"""Routes for what happens while a case runs: sessions, professionals meetings,
incidents, DASH reviews and actions (registered on the cases blueprint).

Each step page reads its form, calls one service and redirects to the case page, or
shows the refusal: a rule's reason (400), someone else's newer save (409). When the
pathway does not allow the step now, the page says why instead of showing the form.
"""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_login import current_user

from eip import steps
from eip.access import requires
from eip.cases import activity_services, children, dash, dash_services, rules, safety_plans
from eip.cases.activity_services import action_kind_label
from eip.cases.models import Case
from eip.cases.view_helpers import add_to_case, case_or_abort, case_url
from eip.cases.views import bp
from eip.clock import today
from eip.extensions import db
from eip.programme import current_settings
from forms.activity import (
    ActionForm,
    CompleteActionForm,
    DashForm,
    IncidentForm,
    SessionForm,
    meeting_form,
    prefill,
)

# ---------------------------------------------------------------------------
# A label filter for the activity panel (it reads no data).


@bp.app_template_filter("action_kind")
def _action_kind(kind: str) -> str:
    return action_kind_label(kind)


# ---------------------------------------------------------------------------


def refusal(check: rules.Check) -> str | None:
    """The pathway's reason the step is not possible now (None when it is)."""
    return None if check else check.reason


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

    return add_to_case(
        form,
        case,
        activity_services.record_session,
        form.values,
        blocked=lambda: refusal(allowed()),
        message="Session recorded",
        after=case_url(case, "activity"),
        template="cases/activity_session.html",
        title="Record a session",
        case=case,
        anchor="activity",
    )


@bp.route("/<reference>/meetings/new", methods=["GET", "POST"])
@requires("case.edit")
def record_meeting(reference: str):
    case = case_or_abort(reference, "case.edit")
    kids = {child.id: child for child in children.for_case(db.session, case.id)}
    form = meeting_form(
        [
            (plan.id, safety_plans.who(plan, kids))
            for plan in safety_plans.plans_of(db.session, case)
        ]
    )
    if request.method == "GET":
        prefill(form, held_on=today())
    return add_to_case(
        form,
        case,
        activity_services.record_meeting,
        form.values,
        blocked=lambda: refusal(rules.can_record_meeting(case.status)),
        message="Meeting recorded",
        after=case_url(case, "activity"),
        template="cases/activity_meeting.html",
        title="Record a professionals meeting",
        case=case,
        anchor="activity",
    )


@bp.route("/<reference>/incidents/new", methods=["GET", "POST"])
@requires("case.edit")
def record_incident(reference: str):
    case = case_or_abort(reference, "case.edit")
    form = IncidentForm()
    if request.method == "GET":
        prefill(form)
    return add_to_case(
        form,
        case,
        activity_services.record_incident,
        form.values,
        blocked=lambda: refusal(rules.can_record_dash_or_incident(case.status)),
        message="Incident recorded",
        after=case_url(case, "activity"),
        template="cases/activity_incident.html",
        title="Record an incident",
        case=case,
        anchor="activity",
    )


@bp.route("/<reference>/dash/new", methods=["GET", "POST"])
@requires("case.edit")
def record_dash(reference: str):
    case = case_or_abort(reference, "case.edit")
    form = DashForm()
    on = today()
    settings = current_settings(db.session)
    thresholds = dash_services.thresholds_of(settings)
    counted = dash_services.escalation_before(db.session, case, on, thresholds)
    if request.method == "GET":
        prefill(form, completed_on=on)
        form.escalation_incidents.data = str(counted)
    return add_to_case(
        form,
        case,
        dash_services.record_dash,
        form.values,
        blocked=lambda: refusal(rules.can_record_dash_or_incident(case.status)),
        message="DASH review recorded",
        after=case_url(case, "risk"),
        template="cases/activity_dash.html",
        title="Record a DASH risk review",
        counted=dash.incidents_phrase(counted, thresholds.escalation_kinds),
        thresholds=thresholds,
        # The referral deadlines are settings: the form says what they are today.
        idva_days=settings.idva_action_working_days,
        marac_days=settings.marac_action_working_days,
        escalation_rule=dash.incidents_phrase(
            thresholds.escalation_incidents, thresholds.escalation_kinds
        ),
        case=case,
        anchor="risk",
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
    return add_to_case(
        form,
        case,
        activity_services.add_action,
        form.values,
        blocked=lambda: refusal(_action_allowed(case)),
        message="Action added",
        after=case_url(case, "activity"),
        template="cases/activity_action.html",
        title="Add an action",
        case=case,
        anchor="activity",
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
            return steps.after_save(
                "Action marked as done",
                url_for("cases.view", reference=case.reference, _anchor="activity"),
            )
    return render_template(
        "cases/activity_problem.html", case=case, form=form, title="The action was not saved"
    ), status
