"""Issue 18's retention review in a real browser (axe checks every page): a manager opens
the cases past retention, places a legal hold on one (the reason left empty first, refused
with nothing saved), confirms the batch for another, which is anonymised and leaves the list
while the held one stays out of it; then removes the hold with a reason and the case comes
back. A practitioner and a SPOC are refused the review."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from eip.cases.models import Case
from eip.extensions import db
from eip.privacy.retention_models import RetentionHold
from tests import factories
from tests.browser.signing import sign_in


def _read(query):
    """One value read afresh, the transaction ended at once: on SQLite an open read would
    lock the live server out of its next write."""
    db.session.rollback()
    try:
        return db.session.scalar(query)
    finally:
        db.session.rollback()


def _closed_in_2019(day: int) -> str:
    case = factories.case(status="closed")
    case.closed_at = datetime(2019, 1, day, tzinfo=UTC)
    db.session.commit()
    return case.reference


def _awaiting(page) -> str:
    """The references in the "Awaiting review" table (empty when there is none)."""
    table = page.get_by_role("table", name="Cases past retention")
    return table.inner_text() if table.count() else ""


def test_a_manager_holds_one_case_confirms_another_then_lifts_the_hold(page, app_context):
    email = factories.user("manager", name="Morgan Manager").email
    held, confirmed = _closed_in_2019(1), _closed_in_2019(2)
    db.session.rollback()

    sign_in(page, email)
    # The way there: the retention schedule on the programme settings links to the review.
    page.get_by_role("link", name="Programme settings").first.click()
    page.get_by_role("link", name="cases past retention").click()
    awaiting = _awaiting(page)
    assert held in awaiting and confirmed in awaiting

    page.get_by_role("button", name="Place a legal hold").click()
    page.get_by_label("Case reference").fill(held)
    page.get_by_role("button", name="Place the legal hold").click()
    assert "Enter why the case is held" in page.locator(".govuk-error-summary").inner_text()
    assert _read(select(func.count()).select_from(RetentionHold)) == 0
    page.get_by_label("Why the case must be kept").fill("A claim was made against the service")
    page.get_by_role("button", name="Place the legal hold").click()
    assert "The legal hold was placed" in page.locator("main").inner_text()
    assert held not in _awaiting(page) and confirmed in _awaiting(page)
    holds = page.get_by_role("table", name="Legal holds").inner_text()
    assert held in holds and "A claim was made against the service" in holds

    page.get_by_label(f"Anonymise {confirmed}").check()
    page.get_by_role("button", name="Anonymise the selected cases").click()
    assert f"1 case anonymised: {confirmed}." in page.locator("main").inner_text()
    assert confirmed not in _awaiting(page) and held not in _awaiting(page)
    assert _read(select(Case.anonymised_at).where(Case.reference == confirmed)) is not None
    assert _read(select(Case.anonymised_at).where(Case.reference == held)) is None
    page.goto(f"/cases/{confirmed}")
    assert "This case was anonymised on" in page.locator("main").inner_text()

    page.goto("/retention")
    page.get_by_role("link", name=f"Remove the hold on {held}").click()
    page.get_by_role("button", name="Remove the legal hold").click()
    assert "Enter why the hold is removed" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Why the hold is removed").fill("The claim was settled")
    page.get_by_role("button", name="Remove the legal hold").click()
    main = page.locator("main").inner_text()
    assert "The legal hold was removed" in main and "No case is under a legal hold" in main
    assert held in _awaiting(page) and confirmed not in _awaiting(page)


@pytest.mark.parametrize("role", ["practitioner", "spoc"])
def test_a_practitioner_or_spoc_is_refused_the_review(page, app_context, role):
    email = factories.user(role).email
    db.session.rollback()
    sign_in(page, email)
    assert page.get_by_role("link", name="Programme settings").count() == 0
    response = page.goto("/retention")
    assert response.status == 403
    assert "You do not have access to this page" in page.locator("main").inner_text()
    assert page.goto("/retention/holds/new").status == 403
