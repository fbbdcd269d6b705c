"""Each role's job starts from the notice that tells them of it (issue 15, "Done when"), in a
real browser with every document checked by axe (tests/browser/conftest.py). The SPOC's and
the requesting practitioner's journeys are in test_notice_journey.py; here: the manager agrees
a late referral and approves a role, finance pays an invoice unpaid for 30 days, and the
manager gives a disabled practitioner's case to a colleague, who learns of it from theirs."""

from __future__ import annotations

from datetime import date

from eip.admin import user_accounts
from eip.clock import now, today
from eip.extensions import db
from eip.notifications.centre import record_due_reminders
from tests import factories
from tests import factories_accommodation as fa
from tests import factories_pathway_progress as pf
from tests import factories_pathway_referral as rf
from tests.browser.signing import sign_in, sign_out
from tests.browser.test_notice_journey import _main
from tests.browser.test_referral_journey import choose, fill_date


def _open_notifications(page, unread: int) -> None:
    page.get_by_role("link", name=f"Notifications ({unread} unread)").click()
    assert "No new notifications" not in _main(page)


def _earlier(page) -> str:
    """The notification centre's "Earlier" part, once nothing is new."""
    page.goto("/notifications")
    new, earlier = _main(page).split("Earlier")
    assert "No new notifications" in new
    return earlier


def test_the_manager_agrees_a_late_referral_and_approves_a_role_from_the_notices(
    page, app, app_context
):
    manager = factories.user("manager")
    admin = factories.user("admin")
    case = rf.recorded_case(received_at=rf.london(date(2026, 8, 18), 17, 0))
    assert case.status == "awaiting_late_agreement"
    with app.test_request_context(method="POST"):
        user_accounts.invite_user(
            db.session,
            admin,
            name="Invited Fictional",
            email="invited@example.org",
            role="practitioner",
            borough_id=None,
        )
    reference, email = case.reference, manager.email
    db.session.rollback()

    sign_in(page, email)
    _open_notifications(page, 2)
    text = _main(page)
    assert "Late referral waiting for agreement" in text
    assert "Account change waiting for your approval" in text

    # The late referral: the notice opens the case, where the decision is recorded.
    page.get_by_role("link", name=f"Open case {reference}").click()
    assert reference in page.locator("h1").inner_text()
    page.get_by_role("link", name="Record the late-referral decision").click()
    choose(page, "decision", "agreed")
    fill_date(page, "decided_on", date(2026, 8, 25))
    page.locator("#cranstoun_agreed_by").fill("Chris Cranstoun")
    page.locator("#respect_agreed_by").fill("Rae Respect")
    page.locator("#camden_agreed_by").fill("Cam Camden")
    page.locator("#support_confirmed").check()
    page.get_by_role("button", name="Record the decision").click()
    assert (
        f"The late referral {reference} was agreed"
        in page.locator(".govuk-notification-banner").inner_text()
    )

    # The role: the other notice opens the approvals, where it is approved.
    page.get_by_role("link", name="Notifications (1 unread)").click()
    assert "Late referral waiting for agreement" not in _main(page).split("Earlier")[0]
    page.get_by_role("link", name="Open the approvals").click()
    assert page.locator("h1").inner_text() == "Approvals"
    page.get_by_role("link", name="Review the change for Invited Fictional").click()
    choose(page, "decision", "approve")
    page.get_by_role("button", name="Save decision").click()
    assert "Approved: the change has taken effect." in _main(page)

    # Both done: neither notice says it still waits.
    earlier = _earlier(page)
    assert "Late referral waiting for agreement" in earlier
    assert "Account change waiting for your approval" in earlier
    assert earlier.count("Dealt with") == 2


def test_finance_pays_an_invoice_unpaid_for_30_days_from_the_reminder(page, app_context):
    finance = factories.user("finance")
    stay = fa.invoice_unpaid_for_40_days(finance, "FL-2001").placement
    record_due_reminders(db.session, now())  # the hourly reminders job
    email, reference = finance.email, stay.case.reference
    db.session.rollback()

    sign_in(page, email)
    _open_notifications(page, 1)
    assert "Invoice unpaid" in _main(page) and f"Case {reference}" in _main(page)
    page.get_by_role("link", name="Open the invoices").click()
    # Oldest unpaid first, marked as late.
    row = page.locator("#invoices tbody tr").first
    assert all(text in row.inner_text() for text in ("FL-2001", reference, "Over 30 days"))
    page.get_by_role("link", name="Record a payment of invoice FL-2001").click()
    assert page.locator("h1").inner_text() == "Record a payment"
    fill_date(page, "paid_on", today())
    page.fill("#amount", "650.00")
    page.fill("#reference", "BACS-0099")
    page.get_by_role("button", name="Record the payment").click()
    assert "Payment recorded: £650.00" in _main(page)

    # Paid in full: the reminder closed with the payment, before the job's next run.
    earlier = _earlier(page)
    assert "Invoice unpaid" in earlier and "No longer due" in earlier


def test_a_disabled_practitioners_case_goes_to_a_colleague_who_learns_of_it(page, app_context):
    manager = factories.user("manager")
    leaving = factories.user("practitioner", name="Leah Leaving")
    colleague = factories.user("practitioner", name="Colin Colleague")
    admin = factories.user("admin")
    reference = pf.active_case(leaving).reference
    leaving_id, admin_email = leaving.id, admin.email
    manager_email, colleague_email = manager.email, colleague.email
    db.session.rollback()

    # The admin disables the account: the confirmation says how many cases, never which.
    sign_in(page, admin_email)
    page.goto(f"/admin/users/{leaving_id}")
    page.get_by_role("button", name="Disable account").click()
    text = _main(page)
    assert "They look after 1 open case." in text and reference not in text
    page.get_by_role("button", name="Disable account").click()
    assert "The account is disabled" in _main(page)
    sign_out(page)

    # The manager: the notice leads to the cases nobody active looks after.
    sign_in(page, manager_email)
    _open_notifications(page, 1)
    assert "Open cases with no active practitioner" in _main(page)
    page.get_by_role("link", name="Open the cases with no practitioner").click()
    assert page.locator("h1").inner_text() == "Open cases with no active practitioner"
    assert "Leah Leaving (account disabled)" in _main(page)
    page.get_by_role("link", name=f"Reassign case {reference}").click()
    page.get_by_label("New practitioner").select_option(label="Colin Colleague")
    page.get_by_label("Reason for reassigning").fill("Leah has left the team")
    page.get_by_role("button", name="Reassign the case").click()
    assert (
        f"Case {reference} reassigned to Colin Colleague"
        in page.locator(".govuk-notification-banner").inner_text()
    )
    page.goto("/cases/unassigned")
    assert "Every open case has an active practitioner." in _main(page)
    sign_out(page)

    # The colleague: told of the case, opens it, and it is theirs.
    sign_in(page, colleague_email)
    _open_notifications(page, 1)
    assert "Case reassigned to you" in _main(page)
    page.get_by_role("link", name=f"Open case {reference}").click()
    assert reference in page.locator("h1").inner_text()
    allocated = page.locator(".govuk-summary-list__row").filter(has_text="Allocated practitioner")
    assert "Colin Colleague" in allocated.inner_text()
