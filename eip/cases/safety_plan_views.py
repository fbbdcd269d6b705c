"""Routes for the safety plans of the people at risk (registered on the cases blueprint):
writing one, changing one. Practitioners write them (`case.edit`); the plans, with their
safe contact arrangements, are shown on the case page alone (eip/cases/views.py)."""

from __future__ import annotations

from datetime import date

from eip.access import requires
from eip.cases import children, safety_plans
from eip.cases.consultation_views import prefill
from eip.cases.records import SafetyPlan
from eip.cases.view_helpers import add_to_case, case_or_abort, case_url, change_case
from eip.cases.views import bp
from eip.extensions import db
from forms.safety_plans import SafetyPlanForm

EDIT = "case.edit"
ANCHOR = "safety-plans"


def _steps_shown(plan: SafetyPlan) -> dict[str, object]:
    """The plan's steps in the form's rows."""
    values: dict[str, object] = {}
    for n, step in enumerate(plan.steps or (), start=1):
        values[f"step{n}_action"] = step["action"]
        values[f"step{n}_by_whom"] = step["by_whom"]
        values[f"step{n}_by_when"] = date.fromisoformat(step["by_when"])
    return values


@bp.route("/<reference>/safety-plans/new", methods=["GET", "POST"])
@requires(EDIT)
def add_safety_plan(reference: str):
    case = case_or_abort(reference, EDIT)
    form = SafetyPlanForm()
    kids = children.for_case(db.session, case.id)
    form.person.choices = safety_plans.person_choices(kids, safety_plans.plans_of(db.session, case))
    prefill(form, None)
    return add_to_case(
        form,
        case,
        safety_plans.add_plan,
        lambda: {"person": form.person.data, **form.values()},
        blocked=lambda: (
            safety_plans.refusal(case)
            or (None if form.person.choices else "Every person at risk already has a safety plan")
        ),
        check=lambda: safety_plans.check_plan(
            db.session, case, person=form.person.data, **form.values()
        ),
        message="Safety plan saved",
        after=case_url(case, ANCHOR),
        template="cases/safety_plan.html",
        title="Write a safety plan",
        case=case,
        back=case_url(case, ANCHOR),
        plan=None,
    )


@bp.route("/<reference>/safety-plans/<int:plan_id>", methods=["GET", "POST"])
@requires(EDIT)
def change_safety_plan(reference: str, plan_id: int):
    case = case_or_abort(reference, EDIT)
    plan = safety_plans.plan_of(db.session, case, plan_id)
    kids = {child.id: child for child in children.for_case(db.session, case.id)}
    form = SafetyPlanForm()
    prefill(
        form,
        plan.version,
        risks=plan.risks,
        protective_steps=plan.protective_steps,
        agencies=plan.agencies,
        safe_contact=plan.safe_contact,
        **_steps_shown(plan),
    )
    who = safety_plans.who(plan, kids)
    return change_case(
        form,
        case,
        safety_plans.update_plan,
        form.values,
        plan_id,
        blocked=lambda: safety_plans.refusal(case),
        check=lambda: safety_plans.check_plan(db.session, case, keep=plan, **form.values()),
        done=lambda changed: (
            "Safety plan saved" if changed else "You did not change the safety plan",
            case_url(case, ANCHOR),
        ),
        template="cases/safety_plan.html",
        title=f"Change the safety plan for {who}",
        case=case,
        back=case_url(case, ANCHOR),
        plan=plan,
    )
