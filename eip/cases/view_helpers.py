"""What every pathway view does the same way: load the case through the policy,
and turn domain errors into form messages, 403, 404 or 409."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from flask_wtf import FlaskForm

from eip.access import refuse
from eip.cases.common import load_case
from eip.cases.models import Case
from eip.domain import Conflict, NotAllowed, NotFound, RuleBroken
from eip.extensions import db


def case_or_abort(reference: str, action: str) -> Case:
    """The case for this request, or 404 / an audited 403."""
    try:
        return load_case(db.session, current_user, reference, action)
    except NotFound:
        abort(404)
    except NotAllowed:
        case = db.session.scalar(db.select(Case).where(Case.reference == reference))
        refuse(action, case)
        raise  # refuse() aborts; this line is never reached


def show_rule_broken(form: FlaskForm, error: RuleBroken) -> None:
    """Put a service's refusal beside its field, or at the top of the form."""
    db.session.rollback()
    placed = False
    for name, message in error.errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message]
            placed = True
    if not placed:
        form.form_errors.append(error.message)


def show_conflict(form: FlaskForm, error: Conflict) -> int:
    """Someone else saved first: keep what was typed, say what changed and by whom, and
    carry the record's current version, so that saving the checked form again is accepted
    instead of refused for ever (which left reloading, and losing it all, as the only way)."""
    db.session.rollback()
    version = getattr(error, "version", None)
    if version is not None and hasattr(form, "version"):
        form.version.data = str(version)
        form.version.raw_data = [str(version)]
    form.form_errors.append(error.message)
    return 409
