"""Where two-factor sign-in is required (production), the password alone cannot enrol an
authenticator app: the session must have come through the invitation link, or be given the
single-use set-up code e-mailed to the user (by an admin, and on an admin's reset)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from eip.admin import user_accounts
from eip.audit import AuditEvent
from eip.auth import tokens
from eip.auth.models import User
from eip.extensions import db
from tests import factories
from tests.conftest import csrf_token_from, post_form, sign_in

STRONG = "marmalade lighthouse quarrel 58"
SECRET_ON_PAGE = re.compile(r'<code class="eip-secret">([A-Z2-7]+)</code>')
CODE_IN_MAIL = re.compile(r"\b([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})\b")


@pytest.fixture
def production_like(make_app, smtp_sink):
    """Two-factor required, as in production, and mail going to a real SMTP sink."""
    sink, port = smtp_sink
    strict = make_app(
        EIP_TWO_FACTOR_REQUIRED=True, SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="none"
    )
    strict.smtp_sink = sink  # type: ignore[attr-defined]
    with strict.app_context():
        yield strict
        db.session.remove()


def enrolled(user_id: int) -> bool:
    db.session.expire_all()
    return db.session.get(User, user_id).two_factor_enabled


def enrol(client):
    page = client.get("/account/two-factor").get_data(as_text=True)
    found = SECRET_ON_PAGE.search(page)
    assert found, "the enrolment page shows no key"
    secret = found.group(1)
    return post_form(client, "/account/two-factor", {"code": factories.totp_code(secret)})


def test_the_password_alone_cannot_enrol_a_first_authenticator(production_like):
    user = factories.user("practitioner")
    client = production_like.test_client()
    sign_in(client, user.email, factories.PASSWORD)
    assert client.get("/cases/").headers["Location"] == "/account/two-factor"
    page = client.get("/account/two-factor")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Enter your two-factor set-up code" in html
    assert not SECRET_ON_PAGE.search(html) and "<svg" not in html
    # Posting a code for a key of one's own choosing is refused too.
    token = csrf_token_from(html)
    refused = client.post("/account/two-factor", data={"code": "123456", "csrf_token": token})
    assert refused.status_code == 403
    assert not enrolled(user.id)


def test_the_browser_that_used_the_invitation_link_may_enrol(production_like):
    user = factories.user("evaluator", password=None)
    raw = tokens.issue(db.session, user, "invite")
    db.session.commit()
    invited = production_like.test_client()
    chosen = post_form(invited, f"/invitation/{raw}", {"password": STRONG, "confirm": STRONG})
    assert chosen.status_code == 302
    assert sign_in(invited, user.email, "a mistyped password").status_code == 400
    sign_in(invited, user.email, STRONG)
    assert "Save your recovery codes" in enrol(invited).get_data(as_text=True)
    assert enrolled(user.id)


def test_another_browser_with_the_invited_password_may_not_enrol(production_like):
    user = factories.user("evaluator", password=None)
    raw = tokens.issue(db.session, user, "invite")
    db.session.commit()
    post_form(
        production_like.test_client(),
        f"/invitation/{raw}",
        {"password": STRONG, "confirm": STRONG},
    )
    elsewhere = production_like.test_client()
    sign_in(elsewhere, user.email, STRONG)
    html = elsewhere.get("/account/two-factor").get_data(as_text=True)
    assert "Enter your two-factor set-up code" in html and not SECRET_ON_PAGE.search(html)
    assert not enrolled(user.id)


def submit_set_up_code(client, code):
    return post_form(
        client, "/account/two-factor/set-up-code", {"code": code}, form_url="/account/two-factor"
    )


def test_after_an_admin_reset_the_emailed_set_up_code_lets_one_session_enrol(production_like):
    admin = factories.user("admin")
    user = factories.user("practitioner", totp_secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    user_id, email = user.id, user.email
    assert user_accounts.reset_two_factor(db.session, admin, user_id) is True
    [(recipients, message)] = production_like.smtp_sink.messages
    assert recipients == [email]
    code = CODE_IN_MAIL.search(message.get_content()).group(1)

    client = production_like.test_client()
    sign_in(client, email, factories.PASSWORD)
    wrong = submit_set_up_code(client, "abcd-efgh-jkmn")
    assert wrong.status_code == 400
    assert "Enter the set-up code from your email" in wrong.get_data(as_text=True)
    assert submit_set_up_code(client, code.upper()).headers["Location"] == "/account/two-factor"
    assert "Save your recovery codes" in enrol(client).get_data(as_text=True)
    assert enrolled(user_id)


def test_a_set_up_code_works_once(production_like):
    admin = factories.user("admin")
    user = factories.user("practitioner")
    user_accounts.send_two_factor_code(db.session, admin, user.id)
    [(_to, message)] = production_like.smtp_sink.messages
    code = CODE_IN_MAIL.search(message.get_content()).group(1)
    first, second = production_like.test_client(), production_like.test_client()
    sign_in(first, user.email, factories.PASSWORD)
    sign_in(second, user.email, factories.PASSWORD)
    assert submit_set_up_code(first, code).status_code == 302
    again = submit_set_up_code(second, code)
    assert again.status_code == 400
    assert "That set-up code has been used" in again.get_data(as_text=True)
    assert "Enter your two-factor set-up code" in second.get("/account/two-factor").get_data(
        as_text=True
    )


def test_wrong_set_up_codes_count_towards_the_lockout(production_like):
    user = factories.user("practitioner")
    client = production_like.test_client()
    sign_in(client, user.email, factories.PASSWORD)
    for _ in range(4):
        assert submit_set_up_code(client, "abcd-efgh-jkmn").status_code == 400
    locked = submit_set_up_code(client, "abcd-efgh-jkmn")
    assert "Too many failed attempts" in locked.get_data(as_text=True)
    again = sign_in(production_like.test_client(), user.email, factories.PASSWORD)
    assert "Too many failed attempts" in again.get_data(as_text=True)


def test_an_admin_sends_a_set_up_code_from_the_users_page(app, make_app, smtp_sink):
    sink, port = smtp_sink
    mail = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="none")
    with mail.app_context():
        admin = factories.user("admin")
        user = factories.user("practitioner")
        client = mail.test_client()
        sign_in(client, admin.email, factories.PASSWORD)
        page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
        assert "Send a two-factor set-up code" in page
        response = post_form(
            client,
            f"/admin/users/{user.id}/send-two-factor-code",
            {},
            form_url=f"/admin/users/{user.id}",
            follow_redirects=True,
        )
        html = response.get_data(as_text=True)
        assert "A two-factor set-up code was sent to their email address." in html
        [(recipients, message)] = sink.messages
        code = CODE_IN_MAIL.search(message.get_content()).group(1)
        assert recipients == [user.email] and code not in html
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert "account.two_factor_code_sent" in actions
        db.session.remove()


def test_the_first_accounts_get_a_set_up_code_from_the_server_command(make_app, smtp_sink):
    sink, port = smtp_sink
    strict = make_app(
        EIP_TWO_FACTOR_REQUIRED=True, SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="none"
    )
    with strict.app_context():
        user = factories.user("admin")
        user_id, email = user.id, user.email
        result = strict.test_cli_runner().invoke(args=["eip", "send-two-factor-code", email])
        assert result.exit_code == 0, result.output
        [(recipients, message)] = sink.messages
        code = CODE_IN_MAIL.search(message.get_content()).group(1)
        assert recipients == [email] and code not in result.output
        client = strict.test_client()
        sign_in(client, email, factories.PASSWORD)
        assert submit_set_up_code(client, code).status_code == 302
        assert "Save your recovery codes" in enrol(client).get_data(as_text=True)
        assert enrolled(user_id)
        db.session.remove()
