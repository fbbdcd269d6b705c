"""Every problem with a form comes back in ONE response: a field the form itself could not
accept and a domain rule the service applies are both in the error summary and beside their
fields, so the user is not sent round again for the next one (eip/steps.validate)."""

import html
import re
from datetime import date

from sqlalchemy import func, select

from accommodation.models import Invoice
from eip.cases.records import Consultation
from eip.clock import today
from eip.extensions import db
from tests import factories
from tests import factories_accommodation as fa
from tests import factories_pathway_progress as pf
from tests import factories_pathway_referral as rf
from tests.conftest import post_form

LATE = rf.london(date(2026, 8, 18), 16, 0)


def _date(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def assert_shown(body: str, field_id: str, message: str) -> None:
    """The message is in the error summary, linking to the field, and beside the field."""
    page = html.unescape(body)
    summary = page[page.index("govuk-error-summary") :]
    summary = summary[: summary.index("</ul>")]
    assert re.search(
        rf'<a href="#{re.escape(field_id)}[^"]*">\s*{re.escape(message)}[^<]*</a>', summary
    ), f"{message!r} not in the error summary linking to #{field_id}"
    beside = re.search(
        rf'<p id="{re.escape(field_id)}-error" class="govuk-error-message">(.*?)</p>', page, re.S
    )
    assert beside is not None and message in beside.group(1), f"{message!r} not beside {field_id}"


def test_acknowledgement_shows_a_missing_answer_and_a_time_before_the_referral_at_once(signed_in):
    client, user = signed_in("practitioner")
    case = rf.recorded_case(user)
    url = f"/cases/{case.reference}/acknowledge"
    data = {
        "acknowledged_date": _date(rf.SATURDAY),
        "acknowledged_time": "08:00",
    }  # no method chosen (the form's), and a time before the referral (the service's)
    response = post_form(client, url, data)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert_shown(body, "method", "Select how the referrer was told")
    assert_shown(
        body, "acknowledged_time", "The acknowledgement cannot be before the referral was received"
    )


def test_late_decision_shows_a_missing_name_and_a_date_before_the_referral_at_once(signed_in):
    case = rf.recorded_case(received_at=LATE)
    client, _ = signed_in("manager")
    url = f"/cases/{case.reference}/late-referral"
    data = {
        "decision": "agreed",
        "decided_on": _date(date(2026, 8, 17)),
        "cranstoun_agreed_by": "Chris Cranstoun",
        "respect_agreed_by": "",
        "camden_agreed_by": "Cam Camden",
        "support_confirmed": "y",
        "note": "",
    }
    response = post_form(client, url, data)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert_shown(body, "respect_agreed_by", "Enter who agreed for Respect/SafeLives")
    assert_shown(body, "decided_on", "The decision cannot be before the referral was received")


def test_consultation_shows_a_missing_outcome_and_a_date_before_the_referral_at_once(signed_in):
    client, user = signed_in("practitioner")
    case = pf.booked_case(user)
    url = f"/cases/{case.reference}/consultation/record"
    data = {
        "version": str(case.version),
        "held_on": _date(pf.days_ago(pf.RECEIVED_DAYS_AGO + 2)),
        "outcome": "",
        "advice": "",
        "plan_risks": "Arguments escalate at weekends",
        "plan_protective_factors": "",
    }
    response = post_form(client, url, data)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert_shown(body, "outcome", "Select the outcome of the consultation")
    assert_shown(
        body, "held_on", "The date the consultation was held cannot be before the referral"
    )
    assert db.session.scalar(select(Consultation.held_on)) is None


def test_invoice_shows_a_missing_supplier_and_nights_outside_the_stay_at_once(signed_in):
    client, _ = signed_in("finance")
    placement = fa.placement(fa.accommodation_case(borough_name="Camden"), "checked_in")
    move_out = placement.planned_move_out_on
    data = {
        "supplier": "",
        "number": "INV-100",
        "invoice_date": _date(today()),
        "first_night": _date(placement.start_on),
        "last_night": _date(move_out),
        "amount": "£455.00",
    }
    response = post_form(client, f"/placements/{placement.id}/invoices/new", data)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert_shown(body, "supplier", "Enter the supplier's name")
    assert_shown(body, "last_night", "The last night must be before the move-out on")
    assert db.session.scalar(select(func.count()).select_from(Invoice)) == 0


def test_password_change_shows_a_mismatch_and_a_weak_password_at_once(signed_in):
    client, _ = signed_in("practitioner")
    data = {"current": factories.PASSWORD, "password": "short pass", "confirm": "short pasS"}
    response = post_form(client, "/account/password", data)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert_shown(body, "confirm", "The two passwords do not match")
    assert_shown(body, "password", "Password must be at least 12 characters")


def test_password_change_shows_a_wrong_current_password_and_a_weak_one_at_once(signed_in):
    client, _ = signed_in("practitioner")
    data = {"current": "not my password", "password": "short pass", "confirm": "short pass"}
    response = post_form(client, "/account/password", data)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert_shown(body, "current", "Your current password is not right")
    assert_shown(body, "password", "Password must be at least 12 characters")
