"""Notifications: what the reminders job tells each user, in the app and by e-mail.

A notification holds ids and a kind, never names or free text: the wording comes from
`eip.notifications.kinds.KINDS` when it is shown or mailed. `(user_id, dedupe_key)` is
unique, so a reminder the job finds due again in the same bucket (see
eip/notifications/reminders.py) is never made twice, whichever scheduler or command found it.

A notification is *open* while its reminder is still due. When the thing is done (or a
newer reminder about it replaces it) it is closed: it stays in the centre's history but
leaves the unread count, and an e-mail not yet sent for it is cancelled.

A service may also tell people that something happened (`add_notices`, kinds with
`event=True`): such a notice is written in the service's own transaction, so it exists
exactly when the change does, and the send job delivers its e-mail and retries it like a
reminder's. The reminders job never closes it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from urllib.parse import quote

from sqlalchemy import (
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    ScalarSelect,
    String,
    UniqueConstraint,
    event,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from eip import paging
from eip.audit import record
from eip.auth.models import User
from eip.db import UTCDateTime, utcnow
from eip.domain import NotFound, RuleBroken
from eip.extensions import db
from eip.notifications.kinds import EVENT_KINDS, kind_of
from eip.notifications.reminders import Reminder, due_reminders

# E-mail preference (users.notification_email).
IMMEDIATE, DIGEST = "immediate", "digest"
EMAIL_PREFERENCES = {
    IMMEDIATE: "An e-mail for each reminder, as it comes (between 7am and 9pm)",
    DIGEST: "One e-mail a day at 7am with every reminder since the last one",
}
# E-mail status of one notification. "sending" is recorded (committed) before the mail
# server is asked; "unknown" is a "sending" whose outcome was never recorded (the sender
# died): the server may have accepted it, so it is never sent again (sent-unknown).
PENDING, SENDING, SENT, FAILED, WAITING_FOR_DIGEST, CANCELLED, UNCONFIRMED = (
    "pending",
    "sending",
    "sent",
    "failed",
    "digest",
    "cancelled",
    "unknown",
)
UNSENT = (PENDING, FAILED, WAITING_FOR_DIGEST)
DONE, REPLACED, DEALT_WITH = "done", "replaced", "dealt"
CLOSE_REASONS = {
    DONE: "No longer due",
    REPLACED: "Replaced by a newer reminder",
    DEALT_WITH: "Dealt with",  # a request that was waiting has been decided
}


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "dedupe_key", name="uq_notifications_user_dedupe_key"),
        # A user's notifications newest first (created_at DESC, id DESC) as an index range.
        Index("ix_notifications_user_created_at_id", "user_id", "created_at", "id"),
        # The header's unread count (unread_count_of) as an index range, on every page.
        Index("ix_notifications_user_read_at_closed_at", "user_id", "read_at", "closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    topic: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(40))
    dedupe_key: Mapped[str] = mapped_column(String(160))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    case_reference: Mapped[str | None] = mapped_column(String(20))
    placement_id: Mapped[int | None] = mapped_column(ForeignKey("placements.id"))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    due_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    close_reason: Mapped[str | None] = mapped_column(String(10))
    email_status: Mapped[str] = mapped_column(String(10), default=PENDING, index=True)
    email_attempts: Mapped[int] = mapped_column(Integer, default=0)
    email_attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The class of the last failure (ConnectionRefusedError), never its message.
    email_error: Mapped[str | None] = mapped_column(String(60))
    # The Message-ID of the e-mail being (or last) sent, recorded before it goes.
    email_message_id: Mapped[str | None] = mapped_column(String(255))

    user: Mapped[User] = relationship()

    @property
    def label(self) -> str:
        label = kind_of(self.kind).label
        # A count notice's subject is its count (eip.jobs.retention).
        return label.format(count=self.subject) if "{count}" in label else label

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def close_label(self) -> str | None:
        return CLOSE_REASONS.get(self.close_reason or "")

    @property
    def path(self) -> str:
        """Where the notification leads: by reference or id only."""
        link = kind_of(self.kind).link
        if link == "case" and self.case_reference:
            return f"/cases/{quote(self.case_reference)}"
        if link == "placement" and self.placement_id:
            return f"/placements/{self.placement_id}"
        if link == "invoices":
            return "/invoices"
        if link == "settings":
            return "/admin/settings"
        if link == "approvals":
            return "/admin/approvals"
        if link == "unassigned":
            return "/cases/unassigned"
        if link == "retention":
            return "/retention"
        if link == "data_requests":
            return "/data-requests"
        if link == "subject_access":
            return "/subject-access"
        return "/notifications"

    @property
    def link_text(self) -> str:
        link = kind_of(self.kind).link
        if link == "case" and self.case_reference:
            return f"Open case {self.case_reference}"
        if link == "placement" and self.placement_id:
            # Named by its case, never "placement 10" (eip.vocabulary).
            if self.case_reference:
                return f"Open the placement for case {self.case_reference}"
            return "Open the placement"
        if link == "invoices":
            return "Open the invoices"
        if link == "settings":
            return "Open the programme settings"
        if link == "approvals":
            return "Open the approvals"
        if link == "unassigned":
            return "Open the cases with no practitioner"
        if link == "retention":
            return "Open the cases past retention"
        if link == "data_requests":
            return "Open the data requests"
        if link == "subject_access":
            return "Open the subject access requests"
        return "Open"

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} user {self.user_id}>"


# ---------------------------------------------------------------------------
# The reminders job


def record_due_reminders(session: Session, now: datetime) -> str:
    """Create the notifications due at `now` and close those no longer due. Idempotent."""
    reminders = due_reminders(session, now)
    created = _create(session, reminders, now)
    closed = _close_stale(session, reminders, now)
    session.commit()
    return f"{created} notifications created, {closed} closed"


def _existing_keys(session: Session, reminders: list[Reminder]) -> set[tuple[int, str]]:
    keys = sorted({r.dedupe_key for r in reminders})
    found: set[tuple[int, str]] = set()
    for start in range(0, len(keys), 500):
        rows = session.execute(
            select(Notification.user_id, Notification.dedupe_key).where(
                Notification.dedupe_key.in_(keys[start : start + 500])
            )
        )
        found.update((user_id, key) for user_id, key in rows)
    return found


def _new_notification(reminder: Reminder, preference: str, now: datetime) -> Notification:
    return Notification(
        user_id=reminder.user_id,
        kind=reminder.kind,
        topic=reminder.topic,
        subject=reminder.subject,
        dedupe_key=reminder.dedupe_key,
        case_id=reminder.case_id,
        case_reference=reminder.case_reference,
        placement_id=reminder.placement_id,
        invoice_id=reminder.invoice_id,
        due_on=reminder.due_on,
        created_at=now,
        email_status=WAITING_FOR_DIGEST if preference == DIGEST else PENDING,
    )


def _create(session: Session, reminders: list[Reminder], now: datetime) -> int:
    existing = _existing_keys(session, reminders)
    fresh: dict[tuple[int, str], Reminder] = {}
    for reminder in reminders:
        key = (reminder.user_id, reminder.dedupe_key)
        if key not in existing:
            fresh.setdefault(key, reminder)
    if not fresh:
        return 0
    preferences = dict(
        session.execute(
            select(User.id, User.notification_email).where(
                User.id.in_({user_id for user_id, _ in fresh})
            )
        ).all()
    )
    made = [
        _new_notification(r, preferences.get(r.user_id, IMMEDIATE), now) for r in fresh.values()
    ]
    created = 0
    for notification in made:
        # A savepoint each: if another process made the same reminder a moment ago, the
        # unique constraint refuses this one alone and the rest still go in.
        try:
            with session.begin_nested():
                session.add(notification)
            created += 1
        except IntegrityError:
            pass
    return created


def add_notices(
    session: Session, notices: list[Reminder], preferences: dict[int, str], now: datetime
) -> list[Notification]:
    """Add event notices (kinds with `event=True`) to the caller's transaction, which
    commits them with the change they tell of. `preferences` maps each recipient to their
    e-mail choice: the e-mail is pending, or waits for their digest, and the send job
    delivers it. Nothing is read here, so nothing is flushed before the caller's commit;
    each notice's dedupe key must name the event, so that it is never made twice."""
    made = []
    for notice in notices:
        if not kind_of(notice.kind).event:
            raise ValueError(f"{notice.kind} is a reminder: the reminders job makes it")
        made.append(_new_notification(notice, preferences.get(notice.user_id, IMMEDIATE), now))
    session.add_all(made)
    return made


def _close(notification: Notification, reason: str, now: datetime) -> None:
    notification.closed_at, notification.close_reason = now, reason
    if notification.email_status in UNSENT:
        notification.email_status = CANCELLED


def close_reminders_about(session: Session, topic: str, subject: str, now: datetime) -> int:
    """Close every open reminder about a thing its service has just finished (an invoice
    paid in full), in the same transaction, so the reader is not told of done work until the
    reminders job's next run."""
    with session.no_autoflush:
        open_ones = session.scalars(
            select(Notification).where(
                Notification.topic == topic,
                Notification.subject == subject,
                Notification.kind.not_in(EVENT_KINDS),
                Notification.closed_at.is_(None),
            )
        ).all()
    for notification in open_ones:
        _close(notification, DONE, now)
    return len(open_ones)


def _close_stale(session: Session, reminders: list[Reminder], now: datetime) -> int:
    """Close what is done, and older reminders about a thing with a newer one."""
    current = {(r.user_id, r.topic, r.subject) for r in reminders}
    by_thing: dict[tuple[int, str, str], list[Notification]] = defaultdict(list)
    closed = 0
    for notification in session.scalars(
        select(Notification)
        .where(Notification.closed_at.is_(None), Notification.kind.not_in(EVENT_KINDS))
        .order_by(Notification.created_at, Notification.id)
    ):
        thing = (notification.user_id, notification.topic, notification.subject)
        if thing not in current:
            _close(notification, DONE, now)
            closed += 1
        else:
            by_thing[thing].append(notification)
    for notifications in by_thing.values():
        for older in notifications[:-1]:
            _close(older, REPLACED, now)
            closed += 1
    return closed


# ---------------------------------------------------------------------------
# What a user does with their own notifications


def unread_count_of(user_id: int | ColumnElement[int]) -> ScalarSelect[int]:
    """The user's unread notifications still due, counted no further than `paging.COUNT_CAP`
    (shown "1,000 or more", eip.formatting.count_text): every signed-in page reads it, so it
    must not grow with a user's backlog. A subquery: `user_id` is a value, or a column of the
    enclosing query (the session check reads the count with the session row, eip/layout.py).
    The LIMITed read sits in a derived table, which SQLAlchemy does not correlate unless told
    to: everything but the notifications is the enclosing query's. Both engines read a range
    of the index `(user_id, read_at, closed_at)`, at most COUNT_CAP entries."""
    unread = (
        select(Notification.id)
        .where(
            Notification.user_id == user_id,
            Notification.read_at.is_(None),
            Notification.closed_at.is_(None),
        )
        .correlate_except(Notification)
    )
    return paging.capped(unread)


def unread_count(session: Session, user: User) -> int:
    return session.scalar(select(unread_count_of(user.id))) or 0


# Whether this database session has changed notifications since the unread count was last
# read (eip/layout.py reads it once per request, early, and again only after a change).
_CHANGED = "notifications_changed"


@event.listens_for(Session, "after_flush")
def _note_changed_notifications(session: Session, _context) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, Notification) for obj in changed):
        session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_changes(state) -> None:
    """`update(Notification)` (mark_all_read, the reminders job) passes by the flush."""
    model = state.bind_mapper.class_ if state.bind_mapper is not None else None
    if (state.is_update or state.is_delete) and model is Notification:
        state.session.info[_CHANGED] = True


def changed_since_counted(session: Session) -> bool:
    return session.info.get(_CHANGED, False)


def counted(session: Session) -> None:
    """The unread count has just been read: what changed before is in it."""
    session.info.pop(_CHANGED, None)


NEW_PAGE_SIZE = 50
EARLIER_PAGE_SIZE = 25


def centre(
    session: Session,
    user: User,
    new_at: paging.Position = paging.FIRST_PAGE,
    earlier_at: paging.Position = paging.FIRST_PAGE,
) -> tuple[paging.Page, paging.Page]:
    """A page of the user's new notifications (unread and still due), newest first, and a
    page of the earlier ones (read, done or replaced), each paged by key on its own: both
    are ranges of the index `(user_id, created_at, id)`, however many the user has."""
    mine = select(Notification).where(Notification.user_id == user.id)
    new = paging.fetch_page(
        session,
        mine.where(Notification.read_at.is_(None), Notification.closed_at.is_(None)),
        Notification,
        Notification.created_at,
        Notification.id,
        new_at,
        NEW_PAGE_SIZE,
        nullable=False,
    )
    earlier = paging.fetch_page(
        session,
        mine.where((Notification.read_at.is_not(None)) | (Notification.closed_at.is_not(None))),
        Notification,
        Notification.created_at,
        Notification.id,
        earlier_at,
        EARLIER_PAGE_SIZE,
        nullable=False,
    )
    return new, earlier


def mark_read(session: Session, user: User, notification_id: int, now: datetime) -> Notification:
    """Mark one of the user's own notifications as read; another's is not found."""
    notification = session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        raise NotFound("No notification of yours has that number")
    if notification.read_at is None:
        notification.read_at = now
    session.commit()
    return notification


def mark_all_read(session: Session, user: User, now: datetime) -> int:
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now)
    )
    session.commit()
    return result.rowcount or 0


def set_email_preference(session: Session, user: User, preference: str) -> bool:
    """Immediate e-mails or the daily digest. Returns whether anything changed.

    E-mails still waiting follow the new choice: switching to the digest holds the
    pending ones for the next digest, switching back sends the waiting ones singly.
    """
    if preference not in EMAIL_PREFERENCES:
        raise RuleBroken("Select how you want reminders by e-mail", field="notification_email")
    if user.notification_email == preference:
        return False
    before, after = (
        ((PENDING, FAILED), WAITING_FOR_DIGEST)
        if preference == DIGEST
        else ((WAITING_FOR_DIGEST,), PENDING)
    )
    session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.email_status.in_(before))
        .values(email_status=after)
    )
    user.notification_email = preference
    record(
        session,
        "account.updated",
        actor=user,
        object_type="user",
        object_id=user.id,
        details={"fields": ["notification_email"]},
    )
    session.commit()
    return True
