"""Each role signs in with a real browser and lands on its own home page (axe checks each page)."""

import pyotp
import pytest

from eip.extensions import db
from tests import factories
from tests.browser.signing import fill_sign_in

HOME_HEADINGS = {
    "practitioner": "Your work today",
    "manager": "Programme at a glance",
    "spoc": "Camden: waiting for you",
    "finance": "Accommodation budget",
    "evaluator": "Evaluation extracts",
    "admin": "Accounts",
}


def make_user(role, **fields) -> str:
    """Create a user and release the database before the browser needs it."""
    user = factories.user(role, **fields)
    email = user.email
    db.session.rollback()
    return email


@pytest.mark.parametrize("role", list(HOME_HEADINGS))
def test_each_role_signs_in_and_lands_on_its_home_page(page, app_context, role):
    email = make_user(role)
    fill_sign_in(page, email)
    assert page.locator("h1").inner_text() == HOME_HEADINGS[role]
    assert "Sign out" in page.locator("header").inner_text()


def test_a_manager_with_two_factor_signs_in_with_a_code(page, app_context):
    secret = pyotp.random_base32()
    email = make_user("manager", totp_secret=secret)
    fill_sign_in(page, email)
    assert page.locator("h1").inner_text() == "Enter your security code"
    page.get_by_label("Security code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Continue").click()
    assert page.locator("h1").inner_text() == HOME_HEADINGS["manager"]


def test_a_wrong_password_shows_the_error_summary_linked_to_the_form(page, app_context):
    email = make_user("finance")
    fill_sign_in(page, email, "this is not the password")
    summary = page.locator(".govuk-error-summary")
    assert "Enter a correct email address and password" in summary.inner_text()
    assert page.title().startswith("Error:")


def test_signing_out_returns_to_the_sign_in_page(page, app_context):
    email = make_user("evaluator")
    fill_sign_in(page, email)
    page.get_by_role("button", name="Sign out").click()
    assert page.locator("h1").inner_text() == "Sign in to EIP Tracker"
    page.goto("/")
    assert page.locator("h1").inner_text() == "EIP Tracker"


@pytest.mark.parametrize("role", list(HOME_HEADINGS))
def test_each_role_can_open_every_page_in_its_navigation(page, app_context, role):
    """Every page a role reaches from the header is checked with axe on the way."""
    factories.case("Camden")
    email = make_user(role)
    fill_sign_in(page, email)
    links = page.locator(".govuk-service-navigation__link")
    targets = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert targets, "every role has navigation"
    for href in targets:
        response = page.goto(href)
        assert response.status == 200, href
    page.goto("/account")
    assert page.locator("h1").inner_text() == "Your account"
