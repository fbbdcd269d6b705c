"""A manager reassigns a case, and lists the open cases with no active practitioner
(registered on the cases blueprint)."""

from __future__ import annotations

from flask import render_template, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from eip import steps
from eip.access import requires
from eip.cases import assignment
from eip.cases.view_helpers import case_or_abort
from eip.cases.views import bp
from eip.extensions import db
from forms.assignment import ReassignForm
from forms.fields import optional_int

RULE = "case.reassign"


@bp.get("/unassigned")
@requires(RULE)
def unassigned():
    return render_template(
        "cases/unassigned.html",
        cases=assignment.without_practitioner(db.session),
        title="Open cases with no active practitioner",
    )


@bp.route("/<reference>/reassign", methods=["GET", "POST"])
@requires(RULE)
def reassign(reference: str):
    case = case_or_abort(reference, RULE)
    form = ReassignForm()
    form.practitioner.choices = [SelectChoice("", "Choose a practitioner")] + [
        SelectChoice(str(user.id), user.name)
        for user in assignment.active_practitioners(db.session)
        if user.id != case.allocated_practitioner_id
    ]

    def values() -> dict:
        return {"practitioner_id": optional_int(form.practitioner.data), "reason": form.reason.data}

    return steps.run_step(
        form,
        blocked=lambda: (
            "The case is closed: reopen it before reassigning it"
            if case.status in assignment.CLOSED_STATES
            else None
        ),
        check=lambda: assignment.check_reassignment(db.session, case, **values()),
        save=lambda: assignment.reassign(db.session, current_user, case, **values()),
        done=lambda chosen: (
            f"Case {case.reference} reassigned to {chosen.name}. They have been notified",
            url_for("cases.view", reference=case.reference),
        ),
        template="cases/reassign.html",
        title="Reassign the case",
        case=case,
        back=url_for("cases.view", reference=case.reference),
    )
