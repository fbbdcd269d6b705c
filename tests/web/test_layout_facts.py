"""What the layout reads on every signed-in page (eip/layout.py): the header's unread count and
the demo banner come with the session check's own query, and stay right within a request that
changes notifications."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_login import login_user

from eip import layout, querycount
from eip.extensions import db
from eip.models import DEMO_DATA_KEY, AppState
from eip.notifications import centre
from tests.web.test_notification_pages import header_link, html_of, notify


def _statements(client, path: str) -> list[str]:
    """The SQL a GET of `path` runs, without transaction control (SQLite's BEGIN)."""
    with querycount.counting() as counted:
        assert client.get(path).status_code == 200
    return [s for s in counted.statements if not s.lstrip().upper().startswith("BEGIN")]


def test_a_signed_in_page_reads_its_session_user_unread_count_and_banner_in_one_statement(
    signed_in,
):
    client, user = signed_in("practitioner")
    notify(user)
    client.get("/accessibility")  # the session's last-seen time is written at most once a minute
    statements = _statements(client, "/accessibility")
    assert len(statements) == 1, statements
    assert "user_sessions" in statements[0] and "notifications" in statements[0]
    assert "app_state" in statements[0]
    assert header_link(html_of(client.get("/accessibility"))) == "Notifications (1 unread)"


def test_the_demo_banner_shows_to_a_signed_in_user_once_demo_data_is_loaded(signed_in):
    client, _user = signed_in("manager")
    assert "fictional demo data" not in html_of(client.get("/"))
    db.session.add(AppState(key=DEMO_DATA_KEY, value=datetime.now(UTC).isoformat()))
    db.session.commit()
    assert "fictional demo data" in html_of(client.get("/"))
    db.session.delete(db.session.get(AppState, DEMO_DATA_KEY))
    db.session.commit()
    assert "fictional demo data" not in html_of(client.get("/"))


def _as(app, user):
    """A request of `user`'s, after the session check kept its count of 2 (`layout.remember`).
    A POST: marking read writes, which a GET's read transaction refuses on SQLite."""
    context = app.test_request_context("/", method="POST")
    context.push()
    login_user(user)
    layout.remember(2, False)
    return context


def test_the_kept_unread_count_is_used_until_the_request_changes_notifications(app, signed_in):
    _client, user = signed_in("practitioner")
    first, _second = notify(user), notify(user, minutes=1)
    context = _as(app, user)
    try:
        with querycount.counting() as counted:
            assert layout.unread_notifications() == 2
        assert counted.n == 0
        centre.mark_read(db.session, user, first.id, datetime.now(UTC))  # through the flush
        assert layout.unread_notifications() == 1
        centre.mark_all_read(db.session, user, datetime.now(UTC))  # one UPDATE statement
        assert layout.unread_notifications() == 0
    finally:
        context.pop()
