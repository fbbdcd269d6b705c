"""The service works with JavaScript turned off: sign in, find cases, sign out."""

from eip.extensions import db
from tests import factories


def test_a_practitioner_signs_in_opens_a_case_and_signs_out_without_javascript(
    browser, live_server, app_context
):
    user = factories.user("practitioner")
    case = factories.case("Camden", practitioner=user)
    email, reference = user.email, case.reference
    db.session.rollback()

    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("h1").inner_text() == "Your work today"
    page.get_by_role("link", name=reference).click()
    assert page.locator("h1").inner_text() == f"Case {reference}"
    page.get_by_role("button", name="Sign out").click()
    assert page.locator("h1").inner_text() == "Sign in to EIP Tracker"
    context.close()
