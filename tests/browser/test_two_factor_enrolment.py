"""Production-like first two-factor enrolment in a real browser: the set-up code page, the
key, the recovery codes (axe checks each page)."""

import pyotp

from eip.auth import enrolment
from eip.auth.models import User
from eip.extensions import db
from tests import factories


def test_a_first_enrolment_with_an_emailed_set_up_code(page, app, app_context, monkeypatch):
    monkeypatch.setitem(app.config, "EIP_TWO_FACTOR_REQUIRED", True)
    user = factories.user("practitioner")
    email, user_id = user.email, user.id
    code = enrolment.issue_code(db.session, user)
    db.session.commit()

    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("h1").inner_text() == "Enter your two-factor set-up code"
    assert page.locator("svg").count() == 0

    page.get_by_label("Set-up code").fill("abcd-efgh-jkmn")
    page.get_by_role("button", name="Continue").click()
    assert (
        "Enter the set-up code from your email" in page.locator(".govuk-error-summary").inner_text()
    )

    page.get_by_label("Set-up code").fill(code)
    page.get_by_role("button", name="Continue").click()
    assert page.locator("h1").inner_text() == "Set up two-factor sign-in"
    secret = page.locator("code.eip-secret").inner_text()
    page.get_by_label("Security code from your app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    assert page.get_by_role("heading", name="Save your recovery codes").is_visible()
    db.session.expire_all()
    assert db.session.get(User, user_id).two_factor_enabled
    db.session.rollback()
