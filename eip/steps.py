"""The one way a step page runs (cases, placements, finance).

GET shows the form, or the reason the step is not possible now. POST validates the form and
the domain rules in one pass (`validate`: a form that fails its own checks still has the
rules run on what could be read, so every problem shows at once, not one per round) and,
when it is valid, runs the one service call: a `RuleBroken` is put on the form (every
message beside its field, the rest at the top, so the error summary lists them all) and the
page is shown again (400); a `Conflict` shows the form again with what was typed, what
changed and the record's current version (409, `show_conflict`). `NotFound` and `NotAllowed`
are not caught here: the application's handlers (eip/errors.py) answer them with a 404 and an
audited 403, whichever view raised them. Success goes through `after_save`: the top of the page,
with the success banner saying what was saved, the next step and a link to the section.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request
from flask_wtf import FlaskForm

from eip.domain import Conflict, RuleBroken
from eip.extensions import db

# The sections a save can send the user back to (the id of each panel's <section> or heading),
# named as their headings are: the success banner links to the one that changed.
SECTIONS = {
    "due": "What is due",
    "referral": "Referral",
    "consultation": "Consultation and plan",
    "consent": "Consent",
    "accommodation": "Temporary accommodation",
    "activity": "Sessions, meetings and incidents",
    "risk": "Risk (DASH)",
    "safety-plans": "Safety plans",
    "outcomes": "Outcome measures",
    "notes": "Case notes and contacts",
    "partner-support": "Partner support",
    "closure": "Closure",
    "request": "The request",
    "decision": "The decision",
    "stay": "The stay",
    "money": "Money",
    "non-working-days": "Extra non-working days",
}


def after_save(message: str, target: str):
    """After a save: flash the success banner and go to the top of `target`'s page, not to its
    `#section` (which left the banner thousands of pixels above, out of sight). The banner is
    the first thing in <main> and is focused (govuk-frontend), says `message`, the page's
    next step (`next_step` in the page's context), and links to the section that changed."""
    address, _, anchor = target.partition("#")
    if anchor:
        flash({"text": message, "anchor": anchor, "section": SECTIONS.get(anchor)}, "success")
    else:
        flash(message, "success")
    return redirect(address)


def back_with_reason(message: str, target: str):
    """A download that cannot be made: the reason in a banner at the top of `target`'s page
    (where it is seen, as after a save), with a link to the section the link was in."""
    address, _, anchor = target.partition("#")
    flash({"text": message, "anchor": anchor, "section": SECTIONS.get(anchor)})
    return redirect(address)


def show_problems(form: FlaskForm, error: RuleBroken) -> None:
    """Each message beside its field; what belongs to no field of this form (a missing
    consent, the pot) at the top, so that the error summary lists everything that is wrong."""
    db.session.rollback()
    for name, message in error.errors.items():
        field = form._fields.get(name)
        if field is not None:
            # One message a field: the form's own (the value could not be read) comes first.
            if not field.errors:
                field.errors = [message]
        else:
            form.form_errors.append(message)
            # A page may hold an element of this name (the closure's action radios), so
            # its error summary can link there (macros/forms.html, `targets`).
            form.problem_names = {**getattr(form, "problem_names", {}), message: name}
    if not error.errors:
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


def validate(form: FlaskForm, check: Callable[[], Any] | None = None) -> bool:
    """POST: the form's own checks and, when they fail, the domain rules too: `check()`
    raises the service's `RuleBroken` for what was typed (the same rules the service applies
    when it saves, without writing), and its messages join the form's, so the user sees every
    problem in one round. A valid form goes on to the service, which applies them itself."""
    valid = form.validate_on_submit()
    if not valid and check is not None and request.method == "POST":
        try:
            check()
        except RuleBroken as error:
            show_problems(form, error)
    return valid


def save_form(form: FlaskForm, action: Callable[[], Any]) -> tuple[bool, Any, int]:
    """Run the service on valid input: (saved, result, status); a refusal goes on the form."""
    try:
        return True, action(), 302
    except RuleBroken as error:
        show_problems(form, error)
        return False, None, 400
    except Conflict as error:
        return False, None, show_conflict(form, error)


def reason_not(check: Callable[[], Any]) -> str | None:
    """Why a step is not possible now: the message of the `RuleBroken` that `check()`
    raises (a state machine asked about the step), or None."""
    try:
        check()
    except RuleBroken as error:
        return error.message
    return None


def attempt(action: Callable[[], Any]) -> tuple[bool, Any, int]:
    """A button or link that runs one service call with no form to put a refusal on (an
    account action, a download, a release): (True, result, 200), or (False, the refusal, 400
    for a `RuleBroken` / 409 for a `Conflict`) with nothing half-written kept. The caller
    says where the refusal's message goes (a flash, the page shown again)."""
    try:
        return True, action(), 200
    except RuleBroken as error:
        db.session.rollback()
        return False, error, 400
    except Conflict as error:
        db.session.rollback()
        return False, error, 409


def run_step(
    form: FlaskForm,
    *,
    blocked: Callable[[], str | None],
    save: Callable[[], Any],
    done: Callable[[Any], tuple[str, str]],
    render: Callable[[str | None], Any] | None = None,
    check: Callable[[], Any] | None = None,
    template: str | None = None,
    version: int | None = None,
    late: Callable[[], dict] = dict,
    **context: Any,
):
    """A step page. `blocked()` says why the step is not possible now (or None);
    `done(result)` gives the flash message and the address to go to; `render(blocked)`
    draws the page (the form, or the reason), by default `template`
    (templates/layouts/step_page.html) with the form, the reason (`blocked`), `context` and
    `late()`: what is read only when the page is drawn, after a save was tried (the pot as
    it is now). `check()` is the domain rules run on a form that failed its own checks (see
    `validate`). On GET the form's hidden `version` is the record's (`version`), so that a
    later save can be checked against it."""
    if version is not None and request.method == "GET":
        form.version.data = str(version)
    if render is None:

        def render(reason: str | None):
            return render_template(template, form=form, blocked=reason, **context, **late())

    status = 200
    if request.method == "POST":
        status = 400
        if validate(form, check):
            saved, result, status = save_form(form, save)
            if saved:
                return after_save(*done(result))
        elif reason := blocked():
            form.form_errors.append(reason)
    return render(blocked()), status
