"""Mail goes over real SMTP, or to instance/outbox/ in development."""

import logging

import pytest

from eip.mail import Mail, MailNotSent, send

MAIL = Mail(
    to="worker@example.org", subject="Case EIP-2026-0001", body="See the case.", kind="reminder"
)


def test_mail_is_delivered_to_the_smtp_server(mail_app):
    with mail_app.app_context():
        message_id = send(MAIL)
    [(recipients, message)] = mail_app.smtp_sink.messages
    assert recipients == ["worker@example.org"]
    assert message["Subject"] == "Case EIP-2026-0001"
    assert message["Message-ID"] == message_id
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content().strip() == "See the case."


def test_without_an_smtp_server_development_mail_goes_to_the_outbox(make_app, app, tmp_path):
    outbox_app = make_app(EIP_OUTBOX=str(tmp_path / "outbox"))
    with outbox_app.app_context():
        send(MAIL)
    [eml] = list((tmp_path / "outbox").glob("*.eml"))
    assert b"Subject: Case EIP-2026-0001" in eml.read_bytes()


def test_an_unreachable_smtp_server_raises_and_logs_no_address(make_app, app, caplog):
    from tests.conftest import _free_port

    broken = make_app(
        SMTP_HOST="127.0.0.1", SMTP_PORT=_free_port(), SMTP_SECURITY="none", SMTP_TIMEOUT=2
    )
    with (
        caplog.at_level(logging.INFO, logger="eip"),
        broken.app_context(),
        pytest.raises(MailNotSent),
    ):
        send(MAIL)
    assert "worker@example.org" not in caplog.text
    assert "EIP-2026-0001" not in caplog.text


def test_mail_logs_say_what_kind_went_but_not_to_whom(mail_app, caplog):
    with caplog.at_level(logging.INFO, logger="eip"), mail_app.app_context():
        send(MAIL)
    assert any(getattr(r, "fields", {}).get("kind") == "reminder" for r in caplog.records)
    assert "worker@example.org" not in caplog.text
    assert "See the case" not in caplog.text
