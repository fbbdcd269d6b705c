"""A case's children in a real browser (axe checks every page): a referral counted two
children, so the case page lists two to review; the practitioner reviews one, adds a third
(a first try with nothing chosen explains itself) and removes one, with no JavaScript needed."""

from __future__ import annotations

from eip.extensions import db
from tests import factories
from tests import factories_pathway_referral as rf
from tests.browser.test_referral_journey import sign_in


def test_a_practitioner_reviews_adds_and_removes_children(page, app_context):
    user = factories.user("practitioner")
    case = rf.recorded_case(user, children_count=2)
    email, reference = user.email, case.reference
    db.session.rollback()
    sign_in(page, email)

    page.goto(f"/cases/{reference}")
    section = page.locator("#children")
    assert section.inner_text().count("Needs review") == 2
    section.get_by_role("link", name="Review child 1").click()
    page.check("input[name=lives_with][value=client]")
    page.check("input[name=childrens_services_status][value=child_in_need]")
    page.check("input[name=school_known][value=yes]")
    page.fill("#age_years", "6")
    page.get_by_role("button", name="Save the child").click()
    assert page.url.endswith(f"/cases/{reference}")
    rows = page.locator("#children tbody tr")
    assert "Aged 6" in rows.nth(0).inner_text()
    assert "Needs review" not in rows.nth(0).inner_text()

    page.locator("#children").get_by_role("button", name="Add a child").click()
    page.get_by_role("button", name="Save the child").click()
    summary = page.locator(".govuk-error-summary").inner_text()
    for message in (
        "Enter the child's age in years, or choose an age band",
        "Select who the child lives with",
        "Select whether a school or nursery is known",
    ):
        assert message in summary
    page.check("input[name=age_band][value=unborn]")
    page.check("input[name=lives_with][value=client]")
    page.check("input[name=childrens_services_status][value=none]")
    page.check("input[name=school_known][value=not_applicable]")
    page.get_by_role("button", name="Save the child").click()
    assert "Unborn" in page.locator("#children tbody tr").nth(2).inner_text()

    page.locator("#children").get_by_role("link", name="Remove child 2").click()
    page.get_by_role("button", name="Remove the child").click()
    rows = page.locator("#children tbody tr")
    assert rows.count() == 2
    assert "Unborn" in rows.nth(1).inner_text() and "Child 2" in rows.nth(1).inner_text()
