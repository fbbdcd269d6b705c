"""What the layout (templates/base.html) reads from the database on every page: the header's
count of unread notifications and whether the "fictional demo data" banner shows.

On a signed-in page both come with the session check's own query (`columns`, read by
eip/auth/sessions.py), so the session, its user and the layout cost one statement together.
The values are kept on `g` for the request. The unread count is read again only if the request
changed notifications after it (marking them read, a step that closes a reminder), so the
header is right on a page rendered after such a change.
"""

from __future__ import annotations

from flask import g
from flask_login import current_user
from sqlalchemy import ColumnElement, exists
from sqlalchemy.exc import SQLAlchemyError

from eip.extensions import db
from eip.models import DEMO_DATA_KEY, AppState
from eip.notifications import centre as notifications


def demo_data_exists() -> ColumnElement[bool]:
    return exists().where(AppState.key == DEMO_DATA_KEY)


def columns(user_id: ColumnElement[int]) -> tuple[ColumnElement, ColumnElement]:
    """The unread count of the user in `user_id` (a column of the session's query) and the
    demo flag, as two columns of that query."""
    return (
        notifications.unread_count_of(user_id).label("unread_notifications"),
        demo_data_exists().label("demo_data_loaded"),
    )


def remember(unread: int, demo: bool) -> None:
    """Keep what the session's query read (`columns`) for this request's templates."""
    g.unread_notifications = unread or 0
    g.demo_data_loaded = bool(demo)
    notifications.counted(db.session)


def unread_notifications() -> int:
    """The header's count of unread notifications still due (template global)."""
    if not current_user.is_authenticated:
        return 0
    if "unread_notifications" not in g or notifications.changed_since_counted(db.session):
        try:
            g.unread_notifications = notifications.unread_count(db.session, current_user)
            notifications.counted(db.session)
        except SQLAlchemyError:
            # An error page must still render its header.
            db.session.rollback()
            g.unread_notifications = 0
    return g.unread_notifications


def demo_data_loaded() -> bool:
    """Whether the banner saying "fictional demo data" must show (template global)."""
    if "demo_data_loaded" not in g:
        try:
            g.demo_data_loaded = bool(db.session.scalar(demo_data_exists().select()))
        except SQLAlchemyError:
            db.session.rollback()
            g.demo_data_loaded = False
    return g.demo_data_loaded
