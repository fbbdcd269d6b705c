"""One person's consent in one form, in a real browser (axe checks every page): from the case
page's consent panel, a first try with a mistake (every message at once, nothing saved), then
all the client's decisions saved together, back at the top of the case page with the banner
focused, and the consent table showing them."""

from __future__ import annotations

from eip.extensions import db
from tests import factories
from tests import factories_pathway_progress as pf
from tests.browser.test_referral_journey import fill_date, sign_in


def test_a_practitioner_records_all_the_clients_consents_in_one_form(page, app_context):
    user = factories.user("practitioner")
    case = pf.consulted_case("intervention", user)
    email, reference = user.email, case.reference
    db.session.rollback()
    sign_in(page, email)

    page.goto(f"/cases/{reference}")
    page.get_by_role("button", name="Record the client's consent").click()
    assert page.locator("h1").inner_text() == "Record the consent of the client"
    page.check("input[name=decision_intervention][value=given]")
    page.check("input[name=decision_accommodation][value=declined]")
    page.check("input[name=decision_information_sharing][value=given]")
    page.get_by_role("button", name="Save the decisions").click()
    summary = page.locator(".govuk-error-summary").inner_text()
    # One round: the purpose left unanswered and the date, who and how, all at once.
    for message in (
        "gave consent to anonymised data in the evaluation",
        "Enter the date of the decisions",
        "Enter who obtained the consent",
        "Select how consent was obtained",
    ):
        assert message in summary
    assert page.locator("input[name=decision_intervention][value=given]").is_checked()

    page.check("input[name=decision_evaluation][value=not_asked]")
    fill_date(page, "recorded_on", pf.days_ago(1))
    page.fill("#obtained_by", "Allocated social worker")
    page.check("input[name=how][value=in_person]")
    page.get_by_role("button", name="Save the decisions").click()

    assert page.url.endswith(f"/cases/{reference}")
    banner = page.locator(".govuk-notification-banner")
    assert banner.evaluate("element => element === document.activeElement")
    said = banner.inner_text()
    assert "Consent decisions of the client recorded" in said
    assert "the intervention given" in said and "temporary accommodation declined" in said
    banner.get_by_role("link", name="Go to Consent").click()
    table = page.locator("#consent table").inner_text()
    assert table.count("Given") == 2 and table.count("Declined") == 1
