"""The route for a case's outcome measures (registered on the cases blueprint): one page per
measurement point, recording it the first time and correcting it after. Practitioners
record them (`case.edit`); the case page's section shows them (eip/cases/outcome_panel.py)."""

from __future__ import annotations

from flask import abort

from eip.access import requires
from eip.cases import outcome_services, outcomes
from eip.cases.consultation_views import prefill
from eip.cases.records import OutcomeMeasure
from eip.cases.view_helpers import add_to_case, case_or_abort, case_url, change_case
from eip.cases.views import bp
from eip.extensions import db
from forms.outcomes import NOT_KNOWN, OutcomeForm

EDIT = "case.edit"
ANCHOR = "outcomes"


def _shown(measure: OutcomeMeasure) -> dict[str, object]:
    """The measurement's answers as the form's radios hold them."""
    values: dict[str, object] = {"measured_on": measure.measured_on}
    for name in outcomes.ANSWER_COLUMNS:
        value = getattr(measure, name)
        if name in outcomes.BEHAVIOUR_COLUMNS and value is None:
            value = NOT_KNOWN
        values[name] = None if value is None else str(value)
    return values


@bp.route("/<reference>/outcomes/<point>", methods=["GET", "POST"])
@requires(EDIT)
def record_outcomes(reference: str, point: str):
    if point not in outcomes.POINTS:
        abort(404)
    case = case_or_abort(reference, EDIT)
    measure = outcome_services.measure_of(db.session, case, point)
    form = OutcomeForm()
    label = outcomes.point_label(point)
    context = {
        "template": "cases/outcomes.html",
        "case": case,
        "back": case_url(case, ANCHOR),
        "point_long": next(p["long"] for p in outcomes.data()["points"] if p["value"] == point),
        "measure": measure,
    }
    blocked = lambda: outcome_services.refusal(case, point)  # noqa: E731
    if measure is None:
        prefill(form, None)
        return add_to_case(
            form,
            case,
            outcome_services.add_measure,
            lambda: {"point": point, **form.values()},
            blocked=blocked,
            check=lambda: outcome_services.check_measure(db.session, case, point, **form.values()),
            message=f"{label} outcome measures saved",
            after=case_url(case, ANCHOR),
            title=f"Record the {label.lower()} outcome measures",
            **context,
        )
    prefill(form, measure.version, **_shown(measure))
    return change_case(
        form,
        case,
        outcome_services.update_measure,
        form.values,
        point,
        blocked=blocked,
        check=lambda: outcome_services.check_measure(
            db.session, case, point, keep=measure, **form.values()
        ),
        done=lambda changed: (
            f"{label} outcome measures saved"
            if changed
            else f"You did not change the {label.lower()} outcome measures",
            case_url(case, ANCHOR),
        ),
        title=f"Change the {label.lower()} outcome measures",
        **context,
    )
