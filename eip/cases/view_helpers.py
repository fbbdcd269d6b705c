"""What every pathway view does the same way: load the case through the policy (404 or
an audited 403), and the address of a panel of the case page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, g, url_for
from flask_login import current_user

from eip import steps
from eip.access import refuse
from eip.cases.common import load_case
from eip.cases.models import Case
from eip.domain import NotAllowed, NotFound
from eip.extensions import db
from eip.submissions import AlreadySaved


def case_or_abort(reference: str, action: str) -> Case:
    """The case for this request, or 404 / an audited 403."""
    try:
        case = load_case(db.session, current_user, reference, action)
    except NotFound:
        abort(404)
    except NotAllowed:
        case = db.session.scalar(db.select(Case).where(Case.reference == reference))
        refuse(action, case)
        raise  # refuse() aborts; this line is never reached
    g.access_object = case  # what a later refusal names (eip/errors.py)
    return case


# What `once` returns when the form was saved already, by the first of two clicks.
ALREADY_SAVED = object()


def once(save: Callable[[], Any]) -> Callable[[], Any]:
    """An addition's save: the same form sent again is answered like the first, not saved
    twice (eip/submissions.py)."""

    def run() -> Any:
        try:
            return save()
        except AlreadySaved:
            db.session.rollback()
            return ALREADY_SAVED

    return run


def token(form) -> str:
    """The form's one-time token as sent ("" when missing: refused, never saved twice)."""
    return form.submission.data or ""


def case_url(case: Case, anchor: str) -> str:
    """The case page, at the panel `anchor`."""
    return url_for("cases.view", reference=case.reference, _anchor=anchor)


def saved_message(message: str, result: Any) -> str:
    """The flash after an addition's save: says so when the form had been saved already."""
    if result is ALREADY_SAVED:
        return f"{message}. This form had already been sent, so it was saved only once"
    return message


def anonymised_first(case: Case, blocked: Callable[[], str | None]) -> Callable[[], str | None]:
    """A step's reason it is not possible now, an anonymised case's before any other (the
    save itself is refused whichever page makes it: eip.privacy.anonymise)."""
    from eip.privacy.guard import anonymised_reason

    return lambda: anonymised_reason(case) or blocked()


def add_to_case(
    form,
    case: Case,
    add: Callable[..., Any],
    values: Callable[[], dict[str, Any]],
    /,
    *,
    blocked: Callable[[], str | None],
    message: str,
    after: str,
    **context: Any,
):
    """A step page that adds one record to a case (a session, an action, an onward
    referral…): `add(session, user, case, **values(), submission=…)` saves it once however
    often the form is sent, then the flash says `message` (or that it was saved already) and
    the browser goes to `after`. `context` is what the page shows besides its form (its
    own `case` among it)."""
    return steps.run_step(
        form,
        blocked=anonymised_first(case, blocked),
        save=once(lambda: add(db.session, current_user, case, **values(), submission=token(form))),
        done=lambda result: (saved_message(message, result), after),
        **context,
    )


def change_case(
    form,
    case: Case,
    change: Callable[..., Any],
    values: Callable[[], dict[str, Any]],
    /,
    *ids: int,
    blocked: Callable[[], str | None],
    done: Callable[[Any], tuple[str, str]],
    **context: Any,
):
    """A step page that changes a record of the case as the page saw it (a booking, a
    consent, an onward referral…): `change(session, user, case, *ids, version=…, **values())`
    saves it, refused if the record changed since (the form's hidden version). `done(result)`
    gives the flash and where to go; `context` goes to `eip.steps.run_step`."""
    return steps.run_step(
        form,
        blocked=anonymised_first(case, blocked),
        save=lambda: change(
            db.session, current_user, case, *ids, version=form.version.data, **values()
        ),
        done=done,
        **context,
    )
