"""Signing in and out: one message for every failure, lockout, rate limit, server-side sessions."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import time_machine
from argon2 import PasswordHasher
from sqlalchemy import select

from eip.audit import AuditEvent
from eip.auth.models import User, UserSession
from eip.extensions import db
from tests import factories
from tests.conftest import sign_in

GENERIC = "Enter a correct email address and password"
LOCKED = "Too many failed attempts"


def test_a_user_signs_in_and_lands_on_their_roles_home_page(client, app_context):
    user = factories.user("practitioner")
    response = sign_in(client, user.email, factories.PASSWORD)
    assert response.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "Your work today" in home
    assert user.name in home
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.sign_in")).actor_id
        == user.id
    )


def test_email_addresses_are_matched_whatever_their_case(client, app_context):
    factories.user("manager", email="helen@example.org")
    assert sign_in(client, "  Helen@Example.ORG ", factories.PASSWORD).status_code == 302


def test_a_wrong_password_and_an_unknown_email_get_the_same_message(client, app_context):
    user = factories.user("manager")
    wrong = sign_in(client, user.email, "not the password at all")
    unknown = sign_in(client, "nobody@example.org", "not the password at all")
    assert wrong.status_code == unknown.status_code == 400
    assert GENERIC in wrong.get_data(as_text=True)
    assert GENERIC in unknown.get_data(as_text=True)
    assert "nobody@example.org" not in unknown.get_data(as_text=True).split("<form")[0]


def test_an_unknown_email_is_still_checked_against_a_password_hash(client, app_context):
    with mock.patch.object(PasswordHasher, "verify", autospec=True, return_value=True) as spy:
        response = sign_in(client, "nobody@example.org", "whatever password")
    assert spy.call_count == 1
    assert response.status_code == 400  # a dummy hash never signs anyone in


def test_a_disabled_account_gets_the_generic_message_even_with_the_right_password(
    client, app_context
):
    user = factories.user("finance", active=False)
    response = sign_in(client, user.email, factories.PASSWORD)
    assert response.status_code == 400
    assert GENERIC in response.get_data(as_text=True)


def test_five_failures_lock_the_account_for_fifteen_minutes(client, app_context):
    user = factories.user("practitioner")
    with time_machine.travel(datetime(2026, 11, 24, 10, 0, tzinfo=UTC), tick=False) as clock:
        for _ in range(5):
            sign_in(client, user.email, "wrong password here")
        locked = sign_in(client, user.email, factories.PASSWORD)
        assert locked.status_code == 400
        assert LOCKED in locked.get_data(as_text=True)
        clock.shift(timedelta(minutes=14))
        assert LOCKED in sign_in(client, user.email, factories.PASSWORD).get_data(as_text=True)
        clock.shift(timedelta(minutes=2))
        assert sign_in(client, user.email, factories.PASSWORD).status_code == 302


def test_unknown_emails_lock_too_so_that_locked_reveals_nothing(client, app_context):
    for _ in range(5):
        sign_in(client, "ghost@example.org", "wrong password here")
    response = sign_in(client, "ghost@example.org", "wrong password here")
    assert LOCKED in response.get_data(as_text=True)


def test_the_locked_message_gives_no_hint_whether_the_password_was_right(client, app_context):
    user = factories.user("practitioner")
    for _ in range(5):
        sign_in(client, user.email, "wrong password here")
    right = sign_in(client, user.email, factories.PASSWORD).get_data(as_text=True)
    wrong = sign_in(client, user.email, "wrong password here").get_data(as_text=True)
    assert LOCKED in right and LOCKED in wrong
    assert GENERIC not in right


def test_too_many_attempts_from_one_address_get_429(make_app, app_context):
    strict = make_app(EIP_SIGN_IN_ATTEMPTS_PER_ADDRESS=3)
    client = strict.test_client()
    for _ in range(3):
        sign_in(client, "someone@example.org", "wrong password here")
    response = sign_in(client, "someone@example.org", "wrong password here")
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_signing_out_ends_the_session_even_for_a_copied_cookie(app, app_context):
    user = factories.user("manager")
    browser = app.test_client()
    sign_in(browser, user.email, factories.PASSWORD)
    cookie = browser.get_cookie("eip_session").value
    copy = app.test_client()
    copy.set_cookie("eip_session", cookie)
    assert copy.get("/cases/").status_code == 200

    from tests.conftest import csrf_token_from

    token = csrf_token_from(browser.get("/").get_data(as_text=True))
    assert browser.post("/sign-out", data={"csrf_token": token}).status_code == 302

    response = copy.get("/cases/")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]
    assert db.session.scalar(select(UserSession)).end_reason == "signed_out"


def test_a_session_ends_after_thirty_idle_minutes(client, app_context):
    user = factories.user("practitioner")
    with time_machine.travel(datetime(2026, 11, 24, 9, 0, tzinfo=UTC), tick=False) as clock:
        sign_in(client, user.email, factories.PASSWORD)
        clock.shift(timedelta(minutes=29))
        assert client.get("/cases/").status_code == 200
        clock.shift(timedelta(minutes=31))
        assert client.get("/cases/").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(UserSession)).end_reason == "idle"


def test_a_session_ends_after_ten_hours_however_busy(client, app_context):
    user = factories.user("practitioner")
    with time_machine.travel(datetime(2026, 11, 24, 8, 0, tzinfo=UTC), tick=False) as clock:
        sign_in(client, user.email, factories.PASSWORD)
        for _ in range(20):
            clock.shift(timedelta(minutes=29))
            assert client.get("/cases/").status_code == 200
        clock.shift(timedelta(minutes=29))  # 10h09 after sign-in
        assert client.get("/cases/").status_code == 302


def test_a_disabled_users_live_session_ends_on_its_next_request(client, app_context):
    user = factories.user("practitioner")
    sign_in(client, user.email, factories.PASSWORD)
    assert client.get("/cases/").status_code == 200
    user.active = False
    db.session.commit()
    assert client.get("/cases/").status_code == 302


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(client, app_context):
    user = factories.user("practitioner")
    assert client.get("/cases/").headers["Location"].startswith("/sign-in?next=")
    from tests.conftest import csrf_token_from

    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    response = client.post(
        "/sign-in?next=//evil.example/steal",
        data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_an_empty_sign_in_form_says_what_is_missing(client):
    from tests.conftest import csrf_token_from

    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/sign-in", data={"email": "", "password": "", "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter your email address" in html
    assert "Enter your password" in html
    assert "<title>Error:" in html


# The bootstrap path: the first account, made on the command line, signs in with its password.
STRONG = "marmalade lighthouse quarrel 58"


def test_create_user_reads_the_password_from_stdin_and_is_audited_as_bootstrap(
    runner, client, app_context
):
    result = runner.invoke(
        args=[
            "eip",
            "create-user",
            "First.Manager@Example.org",
            "--role",
            "manager",
            "--name",
            "Fiona First",
        ],
        input=STRONG + "\n",
    )
    assert result.exit_code == 0, result.output
    assert STRONG not in result.output
    user = db.session.scalar(select(User).where(User.email == "first.manager@example.org"))
    assert user.role == "manager"  # no approval on the bootstrap path
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.bootstrap"))
    assert event.actor_label == "cli" and event.object_id == str(user.id)
    assert sign_in(client, "first.manager@example.org", STRONG).status_code == 302
