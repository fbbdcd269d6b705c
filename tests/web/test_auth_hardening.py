"""Issue 14, sign-in side: where sign-in may send you back to, and what a password change ends."""

import pyotp
import pytest
from sqlalchemy import select

from eip.auth.models import UserSession
from eip.extensions import db
from tests import factories
from tests.conftest import csrf_token_from, post_form, sign_in

STRONG = "marmalade lighthouse quarrel 58"


def sign_in_with_next(client, user, next_value):
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    return client.post(
        "/sign-in",
        query_string={"next": next_value},
        data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token},
    )


OFF_SITE = [
    "/\t/evil.example",
    "/\n/evil.example",
    "/ /evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "/\t\\evil.example",
    "//evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "\x00//evil.example",
    "evil.example",
]


@pytest.mark.parametrize("next_value", OFF_SITE)
def test_sign_in_never_returns_to_another_site(client, app_context, next_value):
    user = factories.user("practitioner")
    response = sign_in_with_next(client, user, next_value)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_the_reported_tab_after_the_slash_is_refused(client, app_context):
    """The URL as reported: `next=/%09/evil.example` ended as `Location: //evil.example`."""
    user = factories.user("practitioner")
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    response = client.post(
        "/sign-in?next=/%09/evil.example",
        data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("next_value", OFF_SITE)
def test_the_security_code_step_never_returns_to_another_site(client, app_context, next_value):
    secret = pyotp.random_base32()
    user = factories.user("manager", totp_secret=secret)
    assert sign_in_with_next(client, user, next_value).headers["Location"] == (
        "/sign-in/security-code"
    )
    response = post_form(client, "/sign-in/security-code", {"code": factories.totp_code(secret)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("next_value", ["/cases/\r\nSet-Cookie: x=1", "/cases/\n", "/ca\rses/"])
def test_a_line_break_in_next_is_not_a_server_error(client, app_context, next_value):
    user = factories.user("practitioner")
    response = sign_in_with_next(client, user, next_value)
    assert response.status_code == 302
    assert "\r" not in response.headers["Location"] and "\n" not in response.headers["Location"]
    assert response.headers["Location"].startswith("/")
    assert "Set-Cookie" not in response.headers or "x=1" not in response.headers["Set-Cookie"]


def test_a_page_on_this_site_is_still_where_sign_in_returns(client, app_context):
    user = factories.user("practitioner")
    response = sign_in_with_next(client, user, "/cases/?page=2")
    assert response.headers["Location"] == "/cases/?page=2"


def change_password(client, current, new=STRONG):
    return post_form(
        client, "/account/password", {"current": current, "password": new, "confirm": new}
    )


def test_a_password_change_ends_every_other_session_but_keeps_this_one(app, app_context):
    user = factories.user("practitioner")
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, user.email, factories.PASSWORD)
    sign_in(elsewhere, user.email, factories.PASSWORD)
    assert elsewhere.get("/cases/").status_code == 200

    assert change_password(here, factories.PASSWORD).status_code == 302

    assert here.get("/cases/").status_code == 200
    gone = elsewhere.get("/cases/")
    assert gone.status_code == 302 and "/sign-in" in gone.headers["Location"]
    reasons = db.session.scalars(select(UserSession.end_reason)).all()
    assert sorted(reasons, key=str) == sorted([None, "password_changed"], key=str)


def test_guessing_the_current_password_counts_towards_the_lockout(app, app_context):
    user = factories.user("practitioner")
    client = app.test_client()
    sign_in(client, user.email, factories.PASSWORD)
    for _ in range(4):
        response = change_password(client, "a wrong guess at it")
        assert "Your current password is not right" in response.get_data(as_text=True)
    locked = change_password(client, "a wrong guess at it")
    assert locked.status_code == 400
    assert "Too many failed attempts" in locked.get_data(as_text=True)
    # Locked like five failed sign-ins: the right password is refused too, here and at sign-in.
    assert "Too many failed attempts" in change_password(client, factories.PASSWORD).get_data(
        as_text=True
    )
    again = sign_in(app.test_client(), user.email, factories.PASSWORD)
    assert "Too many failed attempts" in again.get_data(as_text=True)
