"""Routes for a case's children (registered on the cases blueprint): add a child, change a
child's details, remove a child. Each page reads its form, calls one service in
eip/cases/child_services and redirects, or shows the refusal beside its field (400) or
someone else's newer save (409)."""

from __future__ import annotations

from eip.access import requires
from eip.cases import child_services
from eip.cases.children import age_phrase, describe
from eip.cases.consultation_views import on_case, prefill
from eip.cases.step_checks import closed_refusal
from eip.cases.view_helpers import add_to_case, case_or_abort, case_url, change_case
from eip.cases.views import bp
from eip.extensions import db
from forms.children import AddChildForm, ChildForm, RemoveChildForm

EDIT = "case.edit"
ANCHOR = "children"


@bp.app_template_global("child_age")
def _child_age(child) -> str:
    """ "Aged 7", "Age 1 to 4", "Unborn": the panel's age column (it reads no data)."""
    phrase = age_phrase(child.age_years, child.age_band)
    return phrase[0].upper() + phrase[1:]


def _check(form) -> None:
    """The service's rules on what was typed, so a form failing its own checks shows every
    problem at once. An age typed but not a number has its own message already."""
    values = form.values()
    if form.age_years.errors:
        values["age_years"] = 0
    child_services.check_child(**values)


@bp.route("/<reference>/children/new", methods=["GET", "POST"])
@requires(EDIT)
def add_child(reference: str):
    case = case_or_abort(reference, EDIT)
    form = AddChildForm()
    prefill(form, None, childrens_services_status=case.childrens_services_status)
    return add_to_case(
        form,
        case,
        child_services.add_child,
        form.values,
        blocked=lambda: closed_refusal(case),
        check=lambda: _check(form),
        message="Child added",
        after=case_url(case, ANCHOR),
        template="cases/child.html",
        title="Add a child",
        **on_case(case, ANCHOR),
    )


@bp.route("/<reference>/children/<int:child_id>", methods=["GET", "POST"])
@requires(EDIT)
def change_child(reference: str, child_id: int):
    case = case_or_abort(reference, EDIT)
    child = child_services.child(db.session, case, child_id)
    form = ChildForm()
    prefill(
        form,
        child.version,
        age_years=None if child.age_years is None else str(child.age_years),
        age_band=child.age_band,
        lives_with=child.lives_with,
        childrens_services_status=child.childrens_services_status,
        school_known=child.school_known,
    )
    return change_case(
        form,
        case,
        child_services.update_child,
        form.values,
        child_id,
        blocked=lambda: closed_refusal(case),
        check=lambda: _check(form),
        done=lambda changed: (
            "Child's details saved" if changed else "You did not change the child's details",
            case_url(case, ANCHOR),
        ),
        template="cases/child.html",
        title=f"Change the details of Child {child.position}",
        child=child,
        **on_case(case, ANCHOR),
    )


@bp.route("/<reference>/children/<int:child_id>/remove", methods=["GET", "POST"])
@requires(EDIT)
def remove_child(reference: str, child_id: int):
    case = case_or_abort(reference, EDIT)
    child = child_services.child(db.session, case, child_id)
    form = RemoveChildForm()
    prefill(form, child.version)
    return change_case(
        form,
        case,
        child_services.remove_child,
        dict,
        child_id,
        blocked=lambda: closed_refusal(case),
        done=lambda _: ("Child removed", case_url(case, ANCHOR)),
        template="cases/child_remove.html",
        title=f"Remove Child {child.position}",
        child=child,
        described=describe(child),
        submit_classes="govuk-button--warning",
        cancel=case_url(case, ANCHOR),
        **on_case(case, ANCHOR),
    )
