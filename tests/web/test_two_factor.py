"""Two-factor sign-in: enrolment, codes that cannot be replayed, recovery codes."""

import re
from datetime import UTC, datetime, timedelta

import pyotp
import time_machine
from sqlalchemy import func, select

from eip.auth.models import RecoveryCode, User
from eip.extensions import db
from tests import factories
from tests.conftest import csrf_token_from, post_form, sign_in

SECRET = pyotp.random_base32()


def submit_code(client, code):
    token = csrf_token_from(client.get("/sign-in/security-code").get_data(as_text=True))
    return client.post("/sign-in/security-code", data={"code": code, "csrf_token": token})


def test_a_user_with_two_factor_is_asked_for_a_code_before_being_signed_in(client, app_context):
    user = factories.user("manager", totp_secret=SECRET)
    response = sign_in(client, user.email, factories.PASSWORD)
    assert response.headers["Location"] == "/sign-in/security-code"
    assert client.get("/cases/").status_code == 302  # not signed in yet
    assert submit_code(client, factories.totp_code(SECRET)).status_code == 302
    assert client.get("/cases/").status_code == 200


def test_a_used_code_cannot_be_replayed(app, app_context):
    user = factories.user("manager", totp_secret=SECRET)
    with time_machine.travel(datetime(2026, 11, 24, 9, 0, 5, tzinfo=UTC), tick=False):
        code = factories.totp_code(SECRET)
        first = app.test_client()
        sign_in(first, user.email, factories.PASSWORD)
        assert submit_code(first, code).status_code == 302
        second = app.test_client()
        sign_in(second, user.email, factories.PASSWORD)
        replay = submit_code(second, code)
        assert replay.status_code == 400
        assert "Enter a correct security code" in replay.get_data(as_text=True)


def test_wrong_codes_count_towards_the_lockout(client, app_context):
    user = factories.user("manager", totp_secret=SECRET)
    sign_in(client, user.email, factories.PASSWORD)
    for _ in range(4):
        assert submit_code(client, "000000").status_code == 400
    locked = submit_code(client, "000000")
    assert "Too many failed attempts" in locked.get_data(as_text=True)
    again = sign_in(client, user.email, factories.PASSWORD)
    assert "Too many failed attempts" in again.get_data(as_text=True)


def test_the_code_step_times_out_after_five_minutes(client, app_context):
    user = factories.user("manager", totp_secret=SECRET)
    with time_machine.travel(datetime(2026, 11, 24, 9, 0, tzinfo=UTC), tick=False) as clock:
        sign_in(client, user.email, factories.PASSWORD)
        clock.shift(timedelta(minutes=6))
        response = client.get("/sign-in/security-code")
        assert response.headers["Location"] == "/sign-in"


def enrol(client):
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "<svg" in page and 'style="' not in page.split("<svg", 1)[1].split("</svg>")[0]
    secret = re.search(r'<code class="eip-secret">([A-Z2-7]+)</code>', page).group(1)
    response = post_form(client, "/account/two-factor", {"code": factories.totp_code(secret)})
    return secret, response


def test_enrolment_shows_a_qr_code_and_the_key_then_ten_recovery_codes(signed_in):
    client, user = signed_in("practitioner")
    secret, response = enrol(client)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Save your recovery codes" in html
    assert html.count("<h1") == 1  # the panel's title is the page's one heading
    codes = re.findall(r"<li><code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code></li>", html)
    assert len(codes) == 10
    db.session.expire_all()
    enrolled = db.session.get(User, user.id)
    assert enrolled.two_factor_enabled and enrolled.totp_secret == secret
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # hashed, never in clear


def test_a_wrong_enrolment_code_keeps_two_factor_off(signed_in):
    client, user = signed_in("practitioner")
    client.get("/account/two-factor")
    response = post_form(client, "/account/two-factor", {"code": "123456"})
    assert response.status_code == 400
    assert "Enter the current 6-digit code" in response.get_data(as_text=True)
    db.session.expire_all()
    assert not db.session.get(User, user.id).two_factor_enabled


def test_a_recovery_code_signs_in_once(app, signed_in):
    client, user = signed_in("practitioner")
    _secret, response = enrol(client)
    code = re.findall(r"<li><code>([a-z2-9-]{14})</code></li>", response.get_data(as_text=True))[0]
    other = app.test_client()
    sign_in(other, user.email, factories.PASSWORD)
    assert submit_code(other, code.upper()).status_code == 302
    third = app.test_client()
    sign_in(third, user.email, factories.PASSWORD)
    assert submit_code(third, code).status_code == 400
    used = db.session.scalar(select(func.count()).where(RecoveryCode.used_at.is_not(None)))
    assert used == 1


def test_when_two_factor_is_required_every_page_leads_to_enrolment_first(make_app, app_context):
    strict = make_app(EIP_TWO_FACTOR_REQUIRED=True)
    client = strict.test_client()
    user = factories.user("practitioner")
    sign_in(client, user.email, factories.PASSWORD)
    for url in ("/", "/cases/", "/account"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"] == "/account/two-factor"
    page = client.get("/account/two-factor")
    assert page.status_code == 200
    assert "govuk-back-link" not in page.get_data(as_text=True)  # no way round it


def test_the_account_pages_lead_back_to_the_account(signed_in):
    client, _user = signed_in("practitioner")
    for url in ("/account/password", "/account/two-factor"):
        page = client.get(url).get_data(as_text=True)
        assert '<a href="/account" class="govuk-back-link">Your account</a>' in page, url
