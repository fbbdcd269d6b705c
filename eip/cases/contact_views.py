"""Routes for case notes and the partner support log (registered on the cases blueprint).

Practitioners record both (`case.edit`); what is recorded is shown on the case page, to
practitioners and managers only. Each page reads its form, calls one service and goes back
to the case page's panel, or shows the problems on the form.
"""

from __future__ import annotations

from flask import request
from flask_login import current_user

from eip.access import requires
from eip.cases import contact_services
from eip.cases.view_helpers import add_to_case, case_or_abort, case_url
from eip.cases.views import bp
from eip.clock import today
from forms.activity import prefill
from forms.contacts import CaseNoteForm, PartnerSupportForm


@bp.route("/<reference>/notes/new", methods=["GET", "POST"])
@requires("case.edit")
def record_note(reference: str):
    case = case_or_abort(reference, "case.edit")
    form = CaseNoteForm()
    if request.method == "GET":
        prefill(form, noted_on=today())
    return add_to_case(
        form,
        case,
        contact_services.record_note,
        form.values,
        blocked=lambda: None,  # a note or a contact can be recorded at any time
        message="Note saved",
        after=case_url(case, "notes"),
        template="cases/note_new.html",
        title="Record a case note or contact",
        case=case,
        anchor="notes",
    )


@bp.route("/<reference>/partner-support/new", methods=["GET", "POST"])
@requires("case.edit")
def record_partner_support(reference: str):
    case = case_or_abort(reference, "case.edit")
    form = PartnerSupportForm()
    if request.method == "GET":
        prefill(form, contacted_on=today())
        form.made_by.data = current_user.name
    return add_to_case(
        form,
        case,
        contact_services.record_partner_support,
        form.values,
        blocked=lambda: None,  # support to the partner may go on after the case closes
        message="Partner support contact saved",
        after=case_url(case, "partner-support"),
        template="cases/partner_support_new.html",
        title="Record a partner support contact",
        case=case,
        anchor="partner-support",
    )
