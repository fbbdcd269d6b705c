"""Telling people that something happened which needs them (DOMAIN.md roles; the table of
who gets what is docs/notifications.md, "Notices").

Every notice is written by the service that made the change, into that change's own
transaction (`centre.add_notices`), so it exists exactly when the change does. Recipients are
read without autoflush: the change is first written at the caller's one commit, where a
concurrent save is still caught as a conflict. Nobody is told of what they did themselves.

A "waiting" notice (a request waiting for a decision) is closed by the service that decides
it (`close_waiting`), in the decision's transaction: like a reminder whose thing is done, it
leaves the unread count and its e-mail, if not yet sent, is cancelled.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from eip.auth.models import User
from eip.notifications.centre import DEALT_WITH, Notification, _close, add_notices
from eip.notifications.kinds import WAITING_KINDS
from eip.notifications.reminders import Reminder
from eip.roles import Role


@dataclass(frozen=True)
class Recipient:
    id: int
    notification_email: str  # immediate or digest


def _active(session: Session, *where) -> list[Recipient]:
    with session.no_autoflush:
        rows = session.execute(
            select(User.id, User.notification_email)
            .where(User.active.is_(True), *where)
            .order_by(User.id)
        ).all()
    return [Recipient(user_id, preference) for user_id, preference in rows]


def managers(session: Session) -> list[Recipient]:
    return _active(session, User.role == Role.MANAGER.value)


def borough_spocs(session: Session, borough_id: int | None) -> list[Recipient]:
    if borough_id is None:
        return []
    return _active(session, User.role == Role.SPOC.value, User.borough_id == borough_id)


def practitioners(session: Session, user_ids: Iterable[int | None]) -> list[Recipient]:
    """The active practitioners among these users (a disabled one is told nothing)."""
    ids = {user_id for user_id in user_ids if user_id is not None}
    if not ids:
        return []
    return _active(session, User.role == Role.PRACTITIONER.value, User.id.in_(ids))


def tell(
    session: Session,
    kind: str,
    recipients: Iterable[Recipient],
    *,
    actor_id: int | None,
    topic: str,
    subject: str,
    event_key: str,
    now: datetime,
    case_id: int | None = None,
    case_reference: str | None = None,
    placement_id: int | None = None,
) -> list[int]:
    """Add one notice of `kind` per recipient (once each, never the actor) to the caller's
    transaction. `event_key` names the event, so the same event is never told twice.
    Returns the ids of the users told."""
    told: dict[int, Recipient] = {}
    for recipient in recipients:
        if recipient.id != actor_id:
            told.setdefault(recipient.id, recipient)
    notices = [
        Reminder(
            user_id=user_id,
            kind=kind,
            topic=topic,
            subject=subject,
            due_on=None,
            dedupe_key=f"{kind}|{event_key}"[:160],
            case_id=case_id,
            case_reference=case_reference,
            placement_id=placement_id,
        )
        for user_id in told
    ]
    add_notices(session, notices, {r.id: r.notification_email for r in told.values()}, now)
    return list(told)


def close_waiting(session: Session, topic: str, subject: str, now: datetime) -> int:
    """Close every open "waiting" notice about this thing: it has been dealt with."""
    with session.no_autoflush:
        waiting = session.scalars(
            select(Notification).where(
                Notification.topic == topic,
                Notification.subject == subject,
                Notification.kind.in_(WAITING_KINDS),
                Notification.closed_at.is_(None),
            )
        ).all()
    for notification in waiting:
        _close(notification, DEALT_WITH, now)
    return len(waiting)
