"""Passwords: the policy, changing one, and reset and invitation links."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from eip.auth import tokens
from eip.auth.models import User
from eip.extensions import db
from tests import factories
from tests.conftest import post_form, sign_in

STRONG = "marmalade lighthouse quarrel 58"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short pass", "at least 12 characters"),
        ("password1234", "too easy to guess"),
        ("aaaaaaaaaaaaaaaa", "too easy to guess"),
    ],
)
def test_a_weak_new_password_is_refused_with_a_reason(signed_in, password, message):
    client, user = signed_in("practitioner")
    response = post_form(
        client,
        "/account/password",
        {"current": factories.PASSWORD, "password": password, "confirm": password},
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert sign_in(factories_client(), user.email, factories.PASSWORD).status_code == 302


def factories_client():
    from flask import current_app

    return current_app.test_client()


def test_a_password_change_needs_the_current_password(signed_in):
    client, _user = signed_in("practitioner")
    response = post_form(
        client,
        "/account/password",
        {"current": "not my password", "password": STRONG, "confirm": STRONG},
    )
    assert response.status_code == 400
    assert "Your current password is not right" in response.get_data(as_text=True)


def test_mismatched_new_passwords_are_refused(signed_in):
    client, _user = signed_in("practitioner")
    response = post_form(
        client,
        "/account/password",
        {"current": factories.PASSWORD, "password": STRONG, "confirm": STRONG + "x"},
    )
    assert "The two passwords do not match" in response.get_data(as_text=True)


def test_a_password_change_works_and_is_audited(signed_in):
    client, user = signed_in("practitioner")
    response = post_form(
        client,
        "/account/password",
        {"current": factories.PASSWORD, "password": STRONG, "confirm": STRONG},
    )
    assert response.status_code == 302
    assert sign_in(factories_client(), user.email, STRONG).status_code == 302


def reset_link_from(message) -> str:
    return re.search(r"http://\S+/reset-password/(\S+)", message.get_content()).group(1)


def test_a_reset_is_emailed_to_the_user_and_the_link_works_once(mail_app, app_context):
    user = factories.user("finance")
    client = mail_app.test_client()
    response = post_form(client, "/reset-password", {"email": user.email})
    assert "Check your email" in response.get_data(as_text=True)
    [(recipients, message)] = mail_app.smtp_sink.messages
    assert recipients == [user.email]
    raw = reset_link_from(message)
    assert raw not in response.get_data(as_text=True)

    url = f"/reset-password/{raw}"
    done = post_form(client, url, {"password": STRONG, "confirm": STRONG})
    assert done.status_code == 302
    assert sign_in(mail_app.test_client(), user.email, STRONG).status_code == 302

    again = client.get(url)
    assert again.status_code == 410
    assert "This link has already been used" in again.get_data(as_text=True)


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(mail_app, app_context):
    response = post_form(mail_app.test_client(), "/reset-password", {"email": "nobody@example.org"})
    assert "Check your email" in response.get_data(as_text=True)
    assert mail_app.smtp_sink.messages == []


def test_an_expired_reset_link_changes_nothing(client, app_context):
    user = factories.user("finance")
    with time_machine.travel(datetime(2026, 11, 24, 9, 0, tzinfo=UTC), tick=False) as clock:
        raw = tokens.issue(db.session, user, "reset")
        db.session.commit()
        clock.shift(timedelta(hours=3))
        response = client.get(f"/reset-password/{raw}")
        assert response.status_code == 410
        assert "This link has expired" in response.get_data(as_text=True)
        assert client.post(f"/reset-password/{raw}", data={}).status_code in (400, 410)
    db.session.expire_all()
    assert sign_in(client, user.email, factories.PASSWORD).status_code == 302


def test_an_unknown_link_is_a_clear_404(client):
    response = client.get("/invitation/not-a-real-token")
    assert response.status_code == 404
    assert "This link is not valid" in response.get_data(as_text=True)


def test_an_invitation_link_sets_the_first_password(client, app_context):
    user = factories.user("evaluator", password=None)
    raw = tokens.issue(db.session, user, "invite")
    db.session.commit()
    response = post_form(client, f"/invitation/{raw}", {"password": STRONG, "confirm": STRONG})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash
    assert sign_in(client, user.email, STRONG).status_code == 302


def test_a_weak_password_on_an_invitation_keeps_the_link_usable(client, app_context):
    user = factories.user("evaluator", password=None)
    raw = tokens.issue(db.session, user, "invite")
    db.session.commit()
    response = post_form(
        client, f"/invitation/{raw}", {"password": "tooshort", "confirm": "tooshort"}
    )
    assert response.status_code == 400
    assert client.get(f"/invitation/{raw}").status_code == 200


def test_a_new_reset_link_makes_the_older_one_unusable(client, app_context):
    user = factories.user("finance")
    first = tokens.issue(db.session, user, "reset")
    db.session.commit()
    tokens.issue(db.session, user, "reset")
    db.session.commit()
    assert client.get(f"/reset-password/{first}").status_code == 410
