"""Demo notifications, called by `seed-demo` once the demo cases exist.

The reminders are made by the real reminders job as of now, so the practitioners see
their overdue acknowledgements (and everything else due) the moment `make run` opens;
the scheduler's first tick finds the same reminders already made and adds nothing.
The programme manager reads reminders as the daily digest, to show both choices.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from eip.auth.models import User
from eip.notifications.centre import (
    DIGEST,
    PENDING,
    WAITING_FOR_DIGEST,
    Notification,
    record_due_reminders,
)
from eip.workdays import LONDON, london_date

DIGEST_DEMO_USER = "helen.marsh@respect.example"


def seed(session: Session, today: date, now: datetime | None = None) -> str:
    """Make the demo's notifications as of `today` (now, if that is today). Idempotent."""
    now = now or datetime.now(UTC)
    if london_date(now) != today:
        now = datetime.combine(today, time(9, 0), tzinfo=LONDON).astimezone(UTC)
    manager = session.scalar(select(User).where(User.email == DIGEST_DEMO_USER))
    if manager is not None and manager.notification_email != DIGEST:
        manager.notification_email = DIGEST
        session.execute(
            update(Notification)
            .where(Notification.user_id == manager.id, Notification.email_status == PENDING)
            .values(email_status=WAITING_FOR_DIGEST)
        )
        session.commit()
    return record_due_reminders(session, now)
