"""What every pathway view does the same way: load the case through the policy (404 or
an audited 403), and the address of a panel of the case page."""

from __future__ import annotations

from flask import abort, g, url_for
from flask_login import current_user

from eip.access import refuse
from eip.cases.common import load_case
from eip.cases.models import Case
from eip.domain import NotAllowed, NotFound
from eip.extensions import db


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


def case_url(case: Case, anchor: str) -> str:
    """The case page, at the panel `anchor`."""
    return url_for("cases.view", reference=case.reference, _anchor=anchor)
