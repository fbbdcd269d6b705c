"""In a real browser, every document checked with axe: the job starts from the notice
(issue 15, "Done when"). A practitioner's request tells Camden's SPOC, who opens it from
their notifications and approves it; the practitioner learns of the approval from theirs,
and the SPOC's "waiting" notice has closed. A late referral tells the managers, one of whom
records the decision from the notice, which then closes."""

from __future__ import annotations

from datetime import date

from eip.extensions import db
from tests import factories
from tests import factories_accommodation as fa
from tests import factories_pathway_referral as rf
from tests.browser.signing import sign_in, sign_out


def _main(page) -> str:
    return page.locator("main").inner_text()


def test_the_spoc_decides_from_the_notice_and_the_practitioner_learns_of_it(page, app_context):
    practitioner = factories.user("practitioner")
    case = fa.accommodation_case(practitioner, "Camden")
    spoc = fa.spoc_of(case)
    placement = fa.requested_through_the_service(practitioner, case)
    reference, spoc_email, practitioner_email = (
        placement.case.reference,
        spoc.email,
        practitioner.email,
    )
    db.session.rollback()

    # The SPOC's header says something is new; the notice leads to the placement.
    sign_in(page, spoc_email)
    page.get_by_role("link", name="Notifications (1 unread)").click()
    text = _main(page)
    assert "No new notifications" not in text
    assert "Placement request waiting for your decision" in text
    page.get_by_role("link", name=f"Open the placement for case {reference}").click()
    assert reference in page.locator("h1").inner_text()
    page.get_by_role("button", name="Approve the placement").click()
    page.fill("#provider", "Fictional Lets Ltd")
    page.fill("#address", "Flat 2, 10 Example Road, London N1 0AA")
    page.fill("#rate", "65.00")
    page.get_by_role("button", name="Approve and commit the money").click()
    page.wait_for_load_state()
    assert "Placement approved and the money committed" in _main(page)
    # Decided: the SPOC is no longer told it waits.
    page.get_by_role("link", name="Notifications", exact=True).click()
    new, earlier = _main(page).split("Earlier")
    assert "No new notifications" in new
    assert "Placement request waiting for your decision" in earlier and "Dealt with" in earlier
    sign_out(page)

    # The practitioner learns of the decision from their notification.
    sign_in(page, practitioner_email)
    page.get_by_role("link", name="Notifications (1 unread)").click()
    assert "Placement request approved" in _main(page)
    page.get_by_role("link", name=f"Open the placement for case {reference}").click()
    assert reference in page.locator("h1").inner_text()
    assert "Fictional Lets Ltd" in _main(page)


def test_the_manager_records_a_late_referral_decision_from_the_notice(page, app_context):
    manager = factories.user("manager")
    case = rf.recorded_case(received_at=rf.london(date(2026, 8, 18), 16, 0))
    reference, manager_email = case.reference, manager.email
    assert case.status == "awaiting_late_agreement"
    db.session.rollback()

    # The manager learns of the late referral from the notice, which leads to the case.
    sign_in(page, manager_email)
    page.get_by_role("link", name="Notifications (1 unread)").click()
    assert "Late referral waiting for agreement" in _main(page)
    page.get_by_role("link", name=f"Open case {reference}").click()
    assert reference in page.locator("h1").inner_text()
    page.get_by_role("link", name="Record the late-referral decision").click()
    page.get_by_label("Agreed by Cranstoun, Respect/SafeLives and Camden").check()
    page.fill("#decided_on-day", "25")
    page.fill("#decided_on-month", "8")
    page.fill("#decided_on-year", "2026")
    page.get_by_label("Who agreed for Cranstoun").fill("Chris Cranstoun")
    page.get_by_label("Who agreed for Respect/SafeLives").fill("Rae Respect")
    page.get_by_label("Who agreed for Camden").fill("Cam Camden")
    page.get_by_label("Support and move-on are in place before the programme end date").check()
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_load_state()
    assert "Case " + reference in page.locator("h1").inner_text()
    # Decided: the notice no longer says it waits.
    page.get_by_role("link", name="Notifications", exact=True).click()
    new, earlier = _main(page).split("Earlier")
    assert "No new notifications" in new
    assert "Late referral waiting for agreement" in earlier and "Dealt with" in earlier
