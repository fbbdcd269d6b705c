"""Sending e-mail over SMTP, or into instance/outbox/ when no server is set.

Messages are built by callers from fixed wording, a case reference and a link.
Nothing here logs addresses or bodies: a log line says only that a message of
a given kind went, and its id.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from flask import current_app

from eip.files import private_folder, write_private

mail_logger = logging.getLogger("eip.mail")


class MailNotSent(RuntimeError):
    """The SMTP server refused or could not be reached."""


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    kind: str = "general"


def message_id_for(sender: str) -> str:
    """A new, unique Message-ID on the sender's domain (random: no personal data)."""
    return make_msgid(domain=sender.rsplit("@", 1)[-1].rstrip(">") or None)


def new_message_id() -> str:
    """A Message-ID chosen before sending, so the caller can record it first."""
    return message_id_for(current_app.config["SMTP_FROM"])


def build_message(mail: Mail, sender: str, message_id: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id or message_id_for(sender)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.body)
    return message


def _send_smtp(message: EmailMessage, config: dict[str, Any]) -> None:
    host, port, timeout = config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_TIMEOUT"]
    security = config["SMTP_SECURITY"]
    context = ssl.create_default_context()
    smtp_class = smtplib.SMTP_SSL if security == "ssl" else smtplib.SMTP
    kwargs: dict[str, Any] = {"timeout": timeout}
    if security == "ssl":
        kwargs["context"] = context
    with smtp_class(host, port, **kwargs) as smtp:
        if security == "starttls":
            smtp.starttls(context=context)
        if config["SMTP_USER"]:
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
        smtp.send_message(message)


def _write_outbox(message: EmailMessage, outbox: Path) -> Path:
    private_folder(outbox)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    path = outbox / f"{stamp}.eml"
    # Messages carry links that sign people in and case references: owner-only.
    write_private(path, bytes(message))
    return path


def send(mail: Mail, message_id: str | None = None) -> str:
    """Send one message and return its Message-ID (`message_id` if given: the scheduler
    records it before sending). Raises MailNotSent on failure."""
    config = current_app.config
    message = build_message(mail, config["SMTP_FROM"], message_id)
    if config["SMTP_HOST"]:
        try:
            _send_smtp(message, config)
        except (OSError, smtplib.SMTPException) as exc:
            mail_logger.warning(
                "mail not sent",
                extra={
                    "fields": {
                        "event": "mail_failed",
                        "kind": mail.kind,
                        "error": type(exc).__name__,
                    }
                },
            )
            raise MailNotSent(type(exc).__name__) from exc
        via = "smtp"
    else:
        # Development only: production refuses to start without SMTP_HOST.
        _write_outbox(message, Path(config["EIP_OUTBOX"]))
        via = "outbox"
    mail_logger.info(
        "mail sent",
        extra={
            "fields": {
                "event": "mail_sent",
                "kind": mail.kind,
                "via": via,
                "message_id": message["Message-ID"],
            }
        },
    )
    return message["Message-ID"]
