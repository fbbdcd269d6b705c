"""Reminder e-mails: one per notification (immediate) or one a day (the 07:00 digest).

E-mails are built from fixed wording, the case reference, a due date, ids and a link
(EIP_BASE_URL): never a name, a risk detail or free text, since mail leaves our systems.
An unreachable server leaves the notification in the app and its e-mail `failed`; the
next run tries again. Logs name the notification id and the error class, nothing else.

Each e-mail is claimed before it is sent (a conditional UPDATE from pending or failed to
sending, with the Message-ID it will carry, committed), so two runs that somehow overlap
still send it once. A sender that dies after the mail server accepted a message but before
it recorded `sent` leaves it `sending`: that is never sent again. After
SENDING_GIVEN_UP_AFTER it becomes `unknown` (sent-unknown), with an audit event and a log
line naming only the notification id and the Message-ID, for support to look up in the
mail server's log. A reminder is missed at worst; never sent twice.
"""

from __future__ import annotations

import ipaddress
import logging
from datetime import date, datetime, time, timedelta
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from eip.audit import record
from eip.auth.models import User
from eip.formatting import long_date
from eip.job_claims import claim_period, finish_claim
from eip.mail import Mail, MailNotSent, new_message_id, send
from eip.notifications.centre import (
    CANCELLED,
    FAILED,
    PENDING,
    SENDING,
    SENT,
    UNCONFIRMED,
    WAITING_FOR_DIGEST,
    Notification,
)
from eip.notifications.kinds import kind_of
from eip.workdays import LONDON

notification_logger = logging.getLogger("eip.notifications")

# Immediate e-mails go out in the day only; those made at night wait for 07:00.
SEND_FROM, SEND_UNTIL = time(7, 0), time(21, 0)
MAX_ATTEMPTS = 24  # about a day of hourly retries
# A failed e-mail waits this long before the next try, so that the reminders job (which
# sends what it makes) and the send job in the same tick do not both hit a server that is down.
RETRY_FAILED_AFTER = timedelta(minutes=30)
# An e-mail still `sending` after this long was left by a run that died mid-send: it
# becomes `unknown`, and is not sent again (the server may have accepted it).
SENDING_GIVEN_UP_AFTER = timedelta(minutes=30)
# After this many failures in a row the server is taken to be down for this run.
STOP_AFTER_FAILURES = 3


def reminder_sentence(notification: Notification) -> str:
    """One line about one notification, safe for e-mail."""
    text = kind_of(notification.kind).mail.format(
        due=long_date(notification.due_on),
        placement=notification.placement_id or "",
        invoice=notification.invoice_id or "",
    )
    if notification.case_reference:
        return f"Case {notification.case_reference}: {text}."
    return f"{text[0].upper()}{text[1:]}."


def link(notification: Notification) -> str:
    return current_app.config["EIP_BASE_URL"] + notification.path


FOOTER = (
    "You get this e-mail because reminders are on for your EIP Tracker account. "
    "Choose immediate e-mails or one daily digest at {base}/notifications/email\n"
    "Sign in to see every reminder: {base}/notifications\n"
)


def immediate_mail(notification: Notification, to: str) -> Mail:
    kind = kind_of(notification.kind)
    reference = f" - case {notification.case_reference}" if notification.case_reference else ""
    base = current_app.config["EIP_BASE_URL"]
    body = f"{reminder_sentence(notification)}\n\n{link(notification)}\n\n" + FOOTER.format(
        base=base
    )
    return Mail(
        to=to, subject=f"EIP Tracker: {kind.mail_subject}{reference}", body=body, kind="reminder"
    )


def digest_mail(notifications: list[Notification], to: str, day) -> Mail:
    base = current_app.config["EIP_BASE_URL"]
    count = len(notifications)
    lines = [
        f"Your EIP Tracker reminders for {long_date(day)}: "
        f"{count} reminder{'' if count == 1 else 's'}.",
        "",
    ]
    for notification in notifications:
        lines += [f"- {reminder_sentence(notification)}", f"  {link(notification)}", ""]
    body = "\n".join(lines) + "\n" + FOOTER.format(base=base)
    return Mail(
        to=to,
        subject=f"EIP Tracker: {count} reminder{'' if count == 1 else 's'} for {long_date(day)}",
        body=body,
        kind="digest",
    )


def _deliver(mail: Mail | None, message_id: str, **ids: int) -> str | None:
    """Send; None when it went (or there was nothing to send), else the error's class."""
    if mail is None:
        return None
    try:
        send(mail, message_id)
    except MailNotSent as exc:
        error = str(exc)[:60]  # MailNotSent carries the class name only
        notification_logger.warning(
            "notification mail not sent",
            extra={
                "fields": {"event": "notification_mail_failed", "kind": mail.kind, "error": error}
                | ids
            },
        )
        return error
    return None


def within_sending_hours(now: datetime) -> bool:
    local = now.astimezone(LONDON).time()
    return SEND_FROM <= local < SEND_UNTIL


# ---------------------------------------------------------------------------
# The send job


def _recover_abandoned(session: Session, now: datetime) -> None:
    """`sending` left by a run that died: the outcome is unknown, so it is not sent again."""
    stuck = session.execute(
        select(Notification.id, Notification.email_message_id).where(
            Notification.email_status == SENDING,
            Notification.email_attempted_at < now - SENDING_GIVEN_UP_AFTER,
        )
    ).all()
    for notification_id, message_id in stuck:
        changed = session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.email_status == SENDING)
            .values(email_status=UNCONFIRMED, email_error="Unconfirmed")
        ).rowcount
        if not changed:
            continue
        fields = {"notification_id": notification_id, "message_id": message_id}
        record(
            session,
            "notification.mail_unconfirmed",
            actor_label="scheduler",
            object_type="notification",
            object_id=notification_id,
            details={"message_id": message_id},
        )
        notification_logger.warning(
            "notification mail unconfirmed, not sent again",
            extra={"fields": {"event": "notification_mail_unconfirmed"} | fields},
        )
    session.commit()


def _sendable(now: datetime):
    """Pending e-mails, and failed ones whose wait is over."""
    return and_(
        Notification.closed_at.is_(None),
        or_(
            Notification.email_status == PENDING,
            and_(
                Notification.email_status == FAILED,
                Notification.email_attempts < MAX_ATTEMPTS,
                Notification.email_attempted_at <= now - RETRY_FAILED_AFTER,
            ),
        ),
    )


def _claim(session: Session, notification_id: int, now: datetime, message_id: str) -> bool:
    """Record `sending` and the Message-ID, committed, before the server is asked."""
    result = session.execute(
        update(Notification)
        .where(Notification.id == notification_id, _sendable(now))
        .values(
            email_status=SENDING,
            email_message_id=message_id,
            email_attempts=Notification.email_attempts + 1,
            email_attempted_at=now,
        )
    )
    session.commit()
    return result.rowcount == 1


def send_pending(session: Session, now: datetime) -> str:
    """Send each pending immediate e-mail once; retry the failed ones.

    The reminders job calls this straight after making its notifications, and the
    send job each hour picks up the rest (made at night, or failed).
    """
    _recover_abandoned(session, now)
    if not within_sending_hours(now):
        return "outside sending hours"
    ids = session.scalars(
        select(Notification.id).where(_sendable(now)).order_by(Notification.id)
    ).all()
    sent = failed = in_a_row = 0
    for notification_id in ids:
        if in_a_row >= STOP_AFTER_FAILURES:
            break
        message_id = new_message_id()
        if not _claim(session, notification_id, now, message_id):
            continue  # another run has it, or it was closed meanwhile
        notification = session.get(Notification, notification_id)
        user = notification.user
        mail = immediate_mail(notification, user.email) if user.active else None
        # End the transaction before talking to the mail server: on SQLite an open
        # transaction holds the write lock, and the server may take SMTP_TIMEOUT to answer.
        session.commit()
        outcome = _deliver(mail, message_id, notification_id=notification_id)
        values: dict[str, Any]
        if mail is None:
            values = {"email_status": CANCELLED}
        elif outcome is None:
            values = {"email_status": SENT, "email_sent_at": now, "email_error": None}
            sent, in_a_row = sent + 1, 0
        else:
            values = {"email_status": FAILED, "email_error": outcome}
            failed, in_a_row = failed + 1, in_a_row + 1
        session.execute(
            update(Notification).where(Notification.id == notification_id).values(**values)
        )
        session.commit()
    waiting = len(ids) - sent - failed
    return f"{sent} sent, {failed} failed, {waiting} left for the next run"


# ---------------------------------------------------------------------------
# The daily digest


class DigestNotSent(RuntimeError):
    """Some digests could not be sent; the job is retried (eip.jobs) and sends the rest."""


DIGEST_JOB = "daily-digest"


def digest_period(user_id: int, day: date) -> str:
    """The claim row of one user's digest for one London day (eip.job_claims.JobRun)."""
    return f"digest:{user_id}:{day.isoformat()}"


def send_digests(session: Session, now: datetime) -> str:
    """One e-mail per digest user with everything waiting for it.

    Each user's digest for the day is claimed (a JobRun row) before it is sent, so a
    second run (a retry, or another scheduler taking over a run it thought dead) skips
    the users already sent to or being sent to. With the server down the run stops
    after STOP_AFTER_FAILURES failures in a row rather than wait SMTP_TIMEOUT for every
    user, and fails so that the job is retried and sends what is still owed.
    """
    waiting = session.execute(
        select(Notification.user_id, Notification.id)
        .join(User, User.id == Notification.user_id)
        .where(Notification.email_status == WAITING_FOR_DIGEST, User.active.is_(True))
        .order_by(Notification.user_id, Notification.created_at, Notification.id)
    ).all()
    by_user: dict[int, list[int]] = {}
    for user_id, notification_id in waiting:
        by_user.setdefault(user_id, []).append(notification_id)
    session.commit()
    day = now.astimezone(LONDON).date()
    sent = failed = in_a_row = 0
    for user_id, ids in by_user.items():
        if in_a_row >= STOP_AFTER_FAILURES:
            break
        claimed = claim_period(session, DIGEST_JOB, digest_period(user_id, day), now, DIGEST_JOB)
        if claimed is None:
            continue  # sent already today, or being sent by another run
        # Read again after the claim: another run may have sent some of them meanwhile.
        notifications = session.scalars(
            select(Notification)
            .where(Notification.id.in_(ids), Notification.email_status == WAITING_FOR_DIGEST)
            .order_by(Notification.created_at, Notification.id)
        ).all()
        if not notifications:
            finish_claim(session, claimed.id, now)
            continue
        ids = [n.id for n in notifications]
        mail = digest_mail(list(notifications), notifications[0].user.email, day)
        # `sending` and the Message-ID are committed before the server is asked: a run that
        # takes this claim over from one that died never sends the same reminders again.
        message_id = new_message_id()
        session.execute(
            update(Notification)
            .where(Notification.id.in_(ids), Notification.email_status == WAITING_FOR_DIGEST)
            .values(
                email_status=SENDING,
                email_message_id=message_id,
                email_attempts=Notification.email_attempts + 1,
                email_attempted_at=now,
            )
        )
        session.commit()  # no transaction (nor SQLite's write lock) held while sending
        error = _deliver(mail, message_id, user_id=user_id)
        values: dict[str, Any] = {"email_error": error}
        if error is None:
            values.update(email_status=SENT, email_sent_at=now)
            sent, in_a_row = sent + 1, 0
        else:
            values.update(email_status=WAITING_FOR_DIGEST)  # tomorrow's, or this retry's
            failed, in_a_row = failed + 1, in_a_row + 1
        session.execute(
            update(Notification)
            .where(
                Notification.id.in_(ids),
                Notification.email_status == SENDING,
                Notification.email_message_id == message_id,
            )
            .values(**values)
        )
        session.commit()
        finish_claim(session, claimed.id, now, error)
    if failed:
        raise DigestNotSent(f"{failed} digests not sent, {sent} sent")
    return f"{sent} digests sent"


# ---------------------------------------------------------------------------
# Settings the scheduler checks when it starts


def mail_setting_problems(config: dict[str, Any]) -> list[str]:
    """What is wrong with the mail settings, naming each setting (never its value).

    eip.config already refuses an unknown SMTP_SECURITY or a bad SMTP_PORT; these are
    the mistakes it lets through that would make every reminder e-mail fail.
    """
    problems = []
    host = config.get("SMTP_HOST") or ""
    if host:
        try:
            ipaddress.ip_address(host)
            is_address = True
        except ValueError:
            is_address = False
        if not is_address and (any(c.isspace() for c in host) or any(c in host for c in ":/@?#")):
            problems.append(
                "SMTP_HOST must be a host name or address only, like smtp.example.org "
                "(no scheme, port, user or path: the port goes in SMTP_PORT)"
            )
    _name, address = parseaddr(config.get("SMTP_FROM") or "")
    if "@" not in address or address.startswith("@") or address.endswith("@"):
        problems.append("SMTP_FROM must be an e-mail address, like EIP Tracker <eip@example.org>")
    if bool(config.get("SMTP_USER")) != bool(config.get("SMTP_PASSWORD")):
        problems.append("SMTP_USER and SMTP_PASSWORD must be set together")
    if host and config.get("SMTP_USER") and config.get("SMTP_SECURITY") == "none":
        problems.append(
            "SMTP_SECURITY=none would send SMTP_PASSWORD unencrypted: use starttls or ssl"
        )
    base = urlsplit(config.get("EIP_BASE_URL") or "")
    if base.scheme not in ("http", "https") or not base.netloc or base.query or base.fragment:
        problems.append(
            "EIP_BASE_URL must be the service's address, like https://eip.example.org "
            "(e-mails link to it)"
        )
    return problems
