"""Confirmation pages and the ways forward, in a real browser (axe checks every page it
loads, errors included): finance records an invoice from home in three clicks; a
practitioner closes a case with an open action, first without deciding it; a practitioner
cancels the withdrawal of a placement request."""

from __future__ import annotations

from datetime import date, timedelta

from eip.clock import today
from eip.extensions import db
from tests import factories_accommodation as fa
from tests import factories_pathway_activity as pa
from tests import factories_pathway_progress as pf
from tests.browser.signing import fill_sign_in
from tests.factories import user as make_user


def _fill_date(page, name: str, day: date) -> None:
    page.fill(f"#{name}-day", str(day.day))
    page.fill(f"#{name}-month", str(day.month))
    page.fill(f"#{name}-year", str(day.year))


def _click(page, role: str, name: str) -> None:
    page.get_by_role(role, name=name).first.click()
    page.wait_for_load_state()


def test_finance_records_an_invoice_from_home_in_three_clicks(page, app_context):
    stay = fa.placement(state="checked_in", nights=14)
    first_night, placement_id = stay.start_on, stay.id
    finance = make_user("finance")
    email = finance.email
    db.session.rollback()  # let the live server write (SQLite)
    fill_sign_in(page, email)
    _click(page, "button", "Record an invoice")  # 1: home
    assert page.locator("h1").inner_text() == "Which placement is the invoice for?"
    page.get_by_role("link", name="Record an invoice for case").first.click()  # 2
    page.wait_for_load_state()
    assert page.url.endswith(f"/placements/{placement_id}/invoices/new")
    page.get_by_label("Supplier").fill("Fictional Lets Ltd")
    page.get_by_label("Invoice number").fill("INV-1")
    _fill_date(page, "invoice_date", today())
    _fill_date(page, "first_night", first_night)
    _fill_date(page, "last_night", first_night)
    page.get_by_label("Amount").fill("65.00")
    _click(page, "button", "Record the invoice")  # 3
    assert "Invoice recorded: £65.00" in page.locator("main").inner_text()


def test_a_practitioner_closes_a_case_deciding_its_open_action(page, app_context):
    practitioner = make_user("practitioner")
    case = pf.active_case(practitioner)
    pa.action(case, description="Phone the school", due_on=today() - timedelta(days=2))
    reference = case.reference
    email = practitioner.email
    db.session.rollback()  # let the live server write (SQLite)
    fill_sign_in(page, email)
    page.goto(f"/cases/{reference}/close")
    main = page.locator("main").inner_text()
    assert "1 action will be closed with the case" in main and "(overdue)" in main
    page.check("input[name=outcome][value=completed]")
    page.check("input[name=risk_level][value=standard]")
    page.check("input[name=living_arrangements][value=living_together]")
    page.check("input[name=childrens_services_status][value=none]")
    page.fill("#police_callouts", "0")
    page.fill("#reason", "Plan completed")
    _click(page, "button", "Close the case")
    assert "Select what happens to this action" in page.locator("main").inner_text()
    page.get_by_role("group", name="Phone the school").get_by_label("Done").check()
    _click(page, "button", "Close the case")
    assert "Case closed" in page.locator("main").inner_text()


def test_cancel_on_the_withdrawal_page_keeps_the_request(page, app_context):
    practitioner = make_user("practitioner")
    waiting = fa.placement(state="requested", nights=14)
    placement_id = waiting.id
    email = practitioner.email
    db.session.rollback()  # let the live server write (SQLite)
    fill_sign_in(page, email)
    page.goto(f"/placements/{placement_id}")
    _click(page, "button", "Withdraw the request")
    assert "This cannot be undone" in page.locator("main").inner_text()
    _click(page, "button", "Cancel: keep the request")
    assert page.url.endswith(f"/placements/{placement_id}")
    assert "Requested: waiting for the SPOC" in page.locator("main").inner_text()
