"""Demo notifications, called by `seed-demo` once the demo cases exist.

The reminders are made by the real reminders job as of now, so the practitioners see
their overdue acknowledgements (and everything else due) the moment `make run` opens;
the scheduler's first tick finds the same reminders already made and adds nothing.
The programme manager reads reminders as the daily digest, to show both choices.

Event notices are made by the services that make their events (a placement request waiting
for Camden's and Hackney's SPOCs, in eip/demo/accommodation.py; the approvals waiting, in
eip/demo/approvals.py); `seed_events` adds the late referrals waiting for the managers and a
practitioner who left: their account disabled by the admin with an open case still theirs,
so the manager sees it among the open cases with no active practitioner.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from eip.accounts import create_account
from eip.admin import user_accounts
from eip.auth.models import User
from eip.cases import notices as case_notices
from eip.cases.models import Case
from eip.cases.rules import CLOSED_STATES
from eip.notifications.centre import (
    DIGEST,
    PENDING,
    WAITING_FOR_DIGEST,
    Notification,
    record_due_reminders,
)
from eip.workdays import LONDON, london_date

DIGEST_DEMO_USER = "helen.marsh@respect.example"
LEAVER = ("jo.bennett@cranstoun.example", "Jo Bennett")


def seed_events(session: Session, *, admin: User, password: str, now: datetime) -> None:
    """The late referrals wait for the managers; a practitioner who left holds an open case."""
    for case in session.scalars(
        select(Case).where(Case.status == "awaiting_late_agreement").order_by(Case.id)
    ):
        case_notices.late_referral_received(session, None, case)
    session.commit()
    email, name = LEAVER
    leaver = create_account(
        session,
        email=email,
        name=name,
        role="practitioner",
        password=password,
        actor_label="seed-demo",
    )
    newest_open = session.scalar(
        select(Case)
        .where(Case.status.not_in(CLOSED_STATES), Case.status != "awaiting_late_agreement")
        .order_by(Case.id.desc())
        .limit(1)
    )
    if newest_open is not None:
        newest_open.allocated_practitioner_id = leaver.id
        session.commit()
    user_accounts.disable_user(session, admin, leaver.id, now=now)


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
