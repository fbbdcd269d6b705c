"""Guards on irreversible actions and no dead ends, through the real app (issue 15, items 7
and 9): each confirmation page says what will happen and that it cannot be undone, with a
warning button and a Cancel that changes nothing; the action happens only on the POST;
closing a case decides each open action (audited); /invoices leads to the invoice form;
the SPOC's case page links to the placement; the case page says why the consultation
cannot be booked yet; the extract page shows its digest, not markup; chart labels fit."""

from __future__ import annotations

import re
from datetime import timedelta

from accommodation.models import Placement
from eip.audit import AuditEvent
from eip.cases.models import Case
from eip.cases.records import CaseAction
from eip.clock import today
from eip.extensions import db
from evaluation import charts, services
from evaluation.models import EvaluationExtract
from tests import audit_trail, factories
from tests import factories_accommodation as fa
from tests import factories_evaluation as fe
from tests import factories_pathway_activity as pa
from tests import factories_pathway_progress as pf
from tests.conftest import post_form

WARNING = "govuk-button--warning"


def html_of(response) -> str:
    return response.get_data(as_text=True)


def events(action: str) -> list[AuditEvent]:
    db.session.expire_all()  # the rows as the requests left them, not as this session holds them
    return audit_trail.events(action)


def _fresh(model, record):
    db.session.expire_all()
    return db.session.get(model, record.id)


# ---------------------------------------------------------------------------
# Withdrawing a placement request


def test_withdraw_is_not_the_primary_button_on_the_placement_page(signed_in, app_context):
    waiting = fa.placement(state="requested", nights=14)
    client, _ = signed_in("practitioner")
    page = html_of(client.get(f"/placements/{waiting.id}"))
    link = re.search(r'<a href="[^"]*/withdraw"[^>]*class="([^"]*)"', page)
    assert link is not None and "govuk-button--secondary" in link.group(1)


def test_the_withdraw_page_confirms_and_only_its_post_withdraws(signed_in, app_context):
    waiting = fa.placement(state="requested", nights=14)
    client, _ = signed_in("practitioner")
    url = f"/placements/{waiting.id}/withdraw"
    page = html_of(client.get(url))
    assert "This closes the request for good" in page and "This cannot be undone" in page
    assert WARNING in page
    assert f'href="/placements/{waiting.id}" role="button"' in page  # Cancel
    assert "govuk-button--secondary" in page
    assert _fresh(Placement, waiting).state == "requested"  # looking changed nothing
    done = post_form(client, url, {"reason": "The couple reconciled with support"})
    assert done.status_code == 302
    assert _fresh(Placement, waiting).state == "withdrawn"


def test_a_withdrawal_post_without_the_page_s_form_is_refused(signed_in, app_context):
    waiting = fa.placement(state="requested", nights=14)
    client, _ = signed_in("practitioner")
    # No CSRF token, no version: nothing happens.
    response = client.post(f"/placements/{waiting.id}/withdraw", data={"reason": "x"})
    assert response.status_code == 400
    assert _fresh(Placement, waiting).state == "requested"


# ---------------------------------------------------------------------------
# Releasing an evaluation extract


def _prepared(app) -> EvaluationExtract:
    fe.many(6)
    manager = factories.user("manager")
    start = today() - timedelta(days=60)
    return services.prepare(db.session, manager, start=start, end=today(), config=app.config)


def test_release_asks_first_and_only_the_confirmation_s_post_releases(app, signed_in):
    item = _prepared(app)
    client, _ = signed_in("manager")
    review = html_of(client.get(f"/evaluation/extracts/{item.id}"))
    assert f'href="/evaluation/extracts/{item.id}/release"' in review  # a link, not a POST
    url = f"/evaluation/extracts/{item.id}/release"
    page = html_of(client.get(url))
    assert "Evaluators will be able to download" in page
    assert "A release cannot be undone" in page and WARNING in page
    assert f'href="/evaluation/extracts/{item.id}" role="button"' in page  # Cancel
    assert _fresh(EvaluationExtract, item).state == "prepared"
    assert events("evaluation.released") == []
    # Cancel is a link back: following it changes nothing.
    assert client.get(f"/evaluation/extracts/{item.id}").status_code == 200
    assert _fresh(EvaluationExtract, item).state == "prepared"
    done = post_form(client, url, {}, follow_redirects=True)
    assert "is released: evaluators can now download it" in html_of(done)
    assert _fresh(EvaluationExtract, item).state == "released"


def test_a_release_post_without_a_csrf_token_releases_nothing(app, signed_in):
    item = _prepared(app)
    client, _ = signed_in("manager")
    response = client.post(f"/evaluation/extracts/{item.id}/release")
    assert response.status_code == 400
    assert _fresh(EvaluationExtract, item).state == "prepared"


def test_the_extract_page_shows_its_digest_as_code_not_as_markup(app, signed_in):
    item = _prepared(app)
    client, _ = signed_in("manager")
    page = html_of(client.get(f"/evaluation/extracts/{item.id}"))
    assert "&lt;code" not in page
    assert f'<code class="eip-digest">{item.sha256}</code>' in page


def test_a_long_chart_label_is_drawn_whole_inside_the_chart():
    label = "Intervention with temporary accommodation and a scenario plan, ended early"
    svg = str(charts.bar_chart("c", "Outcomes", [(label, 9, "9"), ("Short", 2, "2")]))
    texts = re.findall(r'<text x="([\d.]+)"[^>]*>([^<]*)</text>', svg)
    drawn = " ".join(text for x, text in texts if text not in ("9", "2"))
    assert drawn.split() == (label + " Short").split()  # nothing cut or elided
    assert all(float(x) >= 0 for x, _text in texts)


# ---------------------------------------------------------------------------
# Closing a case with open actions


CLOSURE = {
    "outcome": "completed",
    "risk_level": "standard",
    "living_arrangements": "living_together",
    "childrens_services_status": "early_help",
    "police_callouts": "0",
    "reason": "Intervention completed",
}


def test_closing_lists_each_open_action_and_records_what_became_of_it(signed_in):
    client, user = signed_in("practitioner")
    case = pf.active_case(user)
    overdue = pa.action(case, description="Phone the school", due_on=today() - timedelta(3))
    later = pa.action(case, description="Send the safety plan", due_on=today() + timedelta(5))
    url = f"/cases/{case.reference}/close"
    page = html_of(client.get(url))
    assert "2 actions will be closed with the case" in page
    assert "Phone the school" in page and "(overdue)" in page and "Send the safety plan" in page
    assert WARNING in page and f'href="/cases/{case.reference}#closure" role="button"' in page

    # Closing without saying what became of one: refused, nothing closed.
    refused = post_form(client, url, {**CLOSURE, f"action-{overdue.id}": "done"})
    assert refused.status_code == 400
    assert "Select what happens to the open action: Send the safety plan" in html_of(refused)
    # The summary's link goes to that action's radios (WCAG 3.3.1), not the top of the page.
    assert f'<a href="#action-{later.id}">Select what happens to the open action' in (
        html_of(refused)
    )
    assert _fresh(Case, case).status == "active"
    assert _fresh(CaseAction, overdue).completed_at is None

    data = {**CLOSURE, f"action-{overdue.id}": "done", f"action-{later.id}": "not_needed"}
    assert post_form(client, url, data).status_code == 302
    assert _fresh(Case, case).status == "closed"
    done, dropped = _fresh(CaseAction, overdue), _fresh(CaseAction, later)
    assert (done.resolution, dropped.resolution) == ("done", "not_needed")
    assert done.completed_by_id == user.id and dropped.completed_at is not None
    completed = [e.details for e in events("case.action_completed")]
    not_needed = [e.details for e in events("case.action_not_needed")]
    assert [(d["action_id"], d["at_closure"]) for d in completed] == [(overdue.id, True)]
    assert [(d["action_id"], d["at_closure"]) for d in not_needed] == [(later.id, True)]
    assert events("case.closed")[0].details["open_actions_resolved"] == 2
    shown = html_of(client.get(f"/cases/{case.reference}"))
    assert "No longer needed (decided when the case was closed)" in shown


def test_a_closure_form_that_fails_its_own_checks_also_asks_about_the_actions(signed_in):
    client, user = signed_in("practitioner")
    case = pf.active_case(user)
    pa.action(case, description="Phone the school")
    refused = post_form(client, f"/cases/{case.reference}/close", {**CLOSURE, "outcome": ""})
    assert refused.status_code == 400
    page = html_of(refused)
    assert "Select the outcome" in page
    assert "Select what happens to the open action: Phone the school" in page


def test_cancel_on_the_closure_page_changes_nothing(signed_in):
    client, user = signed_in("practitioner")
    case = pf.active_case(user)
    action = pa.action(case)
    client.get(f"/cases/{case.reference}/close")
    assert client.get(f"/cases/{case.reference}").status_code == 200  # Cancel's link
    assert _fresh(Case, case).status == "active"
    assert _fresh(CaseAction, action).completed_at is None
    assert events("case.closed") == []


# ---------------------------------------------------------------------------
# No dead ends


def test_record_an_invoice_from_the_invoice_list_reaches_the_invoice_form(signed_in):
    stay = fa.placement(state="checked_in", nights=14)
    waiting = fa.placement(state="requested", nights=7)
    client, _ = signed_in("finance")
    listing = html_of(client.get("/invoices"))
    assert 'href="/invoices/new"' in listing and "Record an invoice" in listing
    choose = html_of(client.get("/invoices/new"))
    assert f'href="/placements/{stay.id}/invoices/new"' in choose
    assert f"/placements/{waiting.id}/invoices/new" not in choose  # not approved
    form = client.get(f"/placements/{stay.id}/invoices/new")
    assert form.status_code == 200 and 'name="supplier"' in html_of(form)


def test_a_placement_with_nothing_left_to_invoice_is_not_offered(signed_in):
    stay = fa.placement(state="checked_in", nights=2)
    client, finance_user = signed_in("finance")
    from accommodation.finance import services as finance

    finance.record_invoice(
        db.session,
        finance_user,
        stay.id,
        supplier="Fictional Lets Ltd",
        number="INV-9",
        invoice_date=today(),
        first_night=stay.start_on,
        last_night=stay.start_on + timedelta(days=1),
        amount_pence=2 * fa.RATE,
    )
    choose = html_of(client.get("/invoices/new"))
    assert f"/placements/{stay.id}/invoices/new" not in choose
    assert "No placement can take an invoice now" in choose


def test_the_spoc_s_case_page_links_to_the_placement_and_back(signed_in):
    placement = fa.placement(state="requested", nights=14)
    client, _ = signed_in("spoc", borough_name="Camden")
    page = html_of(client.get(f"/cases/{placement.case.reference}"))
    assert f'href="/placements/{placement.id}"' in page
    assert 'class="govuk-back-link"' in page and 'href="/placements"' in page


def test_before_acknowledgement_the_case_page_says_why_no_booking(signed_in):
    client, user = signed_in("practitioner")
    case = factories.case("Camden", user, status="referred")
    case.received_at = pf.received_at()
    db.session.commit()
    page = html_of(client.get(f"/cases/{case.reference}"))
    assert "Book the consultation" not in page
    assert "The referral must be acknowledged before a consultation is booked" in page
    booked = pf.acknowledged_case(user)
    assert "booking-not-yet" not in html_of(client.get(f"/cases/{booked.reference}"))


def test_the_release_route_is_also_a_get(app):
    rules = {r.endpoint: r for r in app.url_map.iter_rules()}
    assert {"GET", "POST"} <= rules["evaluation.release"].methods


def test_the_case_page_has_a_back_link_to_the_case_list(signed_in):
    client, user = signed_in("practitioner")
    case = pf.active_case(user)
    page = html_of(client.get(f"/cases/{case.reference}"))
    assert re.search(r'<a href="/cases/"[^>]*class="govuk-back-link"', page)


def test_finance_records_an_invoice_from_home_in_three_clicks(signed_in):
    """Home -> "Record an invoice" -> the placement's "Record an invoice" -> save: three
    clicks (on main it was four, by way of the placement list and the placement page)."""
    stay = fa.placement(state="checked_in", nights=14)
    client, _ = signed_in("finance")
    home = html_of(client.get("/"))
    assert 'href="/invoices/new"' in home  # click 1
    choose = html_of(client.get("/invoices/new"))
    form_url = f"/placements/{stay.id}/invoices/new"
    assert f'href="{form_url}"' in choose  # click 2
    day = [str(today().day), str(today().month), str(today().year)]
    first = stay.start_on
    data = {
        "supplier": "Fictional Lets Ltd",
        "number": "INV-77",
        "invoice_date": day,
        "first_night": [str(first.day), str(first.month), str(first.year)],
        "last_night": [str(first.day), str(first.month), str(first.year)],
        "amount": "65.00",
    }
    saved = post_form(client, form_url, data)  # click 3
    assert saved.status_code == 302, html_of(saved)
    assert [e.details["invoice_id"] for e in events("placement.invoice_recorded")]


def test_cancelling_a_stay_asks_with_a_warning_button_and_a_way_back(signed_in, app_context):
    approved = fa.placement(state="approved", nights=14)
    client, _ = signed_in("practitioner")
    page = html_of(client.get(f"/placements/{approved.id}/cancel"))
    assert "It cannot be undone" in page and WARNING in page
    assert f'href="/placements/{approved.id}" role="button"' in page
    assert _fresh(Placement, approved).state == "approved"
