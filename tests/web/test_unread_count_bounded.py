"""The header's unread count is read on every signed-in page: it stops at the count cap
("1,000 or more", eip.paging.COUNT_CAP) so a long backlog does not slow every page (issue 16)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert

from eip import paging
from eip.extensions import db
from eip.notifications.centre import Notification
from tests import factories
from tests.web.test_notification_pages import header_link, html_of

EARLY = datetime(2026, 11, 6, 9, 0, tzinfo=UTC)


def backlog(user, n: int, *, start: int = 0, read: bool = False, closed: bool = False) -> None:
    """`n` notifications of `user`'s in one INSERT (the cap is in the thousands)."""
    rows = []
    for i in range(start, start + n):
        moment = EARLY + timedelta(minutes=i)
        rows.append(
            {
                "user_id": user.id,
                "kind": "acknowledgement_overdue",
                "topic": "acknowledgement",
                "subject": f"case:{user.id}:{i}",
                "dedupe_key": f"acknowledgement_overdue|{user.id}|{i}|{read}|{closed}",
                "case_reference": "EIP-2026-0007",
                "due_on": date(2026, 11, 5),
                "created_at": moment,
                "read_at": moment if read else None,
                "closed_at": moment if closed else None,
                "close_reason": "done" if closed else None,
                "email_status": "sent",
                "email_attempts": 0,
            }
        )
    db.session.execute(insert(Notification), rows)
    db.session.commit()


def new_heading(html: str) -> str:
    return html.split('<h2 class="govuk-heading-m">', 1)[1].split("</h2>", 1)[0]


def test_the_unread_count_is_exact_below_the_cap_and_says_or_more_at_it(signed_in):
    assert paging.COUNT_CAP == 1000
    client, me = signed_in("practitioner")
    backlog(me, 999)
    # Read ones and closed ones are not counted, however many.
    backlog(me, 5, start=2000, read=True)
    backlog(me, 5, start=3000, closed=True)
    html = html_of(client.get("/"))
    assert header_link(html) == "Notifications (999 unread)"
    assert new_heading(html_of(client.get("/notifications"))) == "999 new notifications"
    backlog(me, 1, start=999)
    assert header_link(html_of(client.get("/"))) == "Notifications (1,000 or more unread)"
    backlog(me, 500, start=1000)
    page = html_of(client.get("/notifications"))
    assert header_link(page) == "Notifications (1,000 or more unread)"
    assert new_heading(page) == "1,000 or more new notifications"


def test_the_count_is_the_users_own_when_another_has_a_long_backlog(signed_in):
    """The count reads the signed-in user's rows only (the session check's subquery is
    correlated with the session's user)."""
    client, me = signed_in("practitioner")
    backlog(factories.user("practitioner"), 1000)
    backlog(me, 2)
    assert header_link(html_of(client.get("/account"))) == "Notifications (2 unread)"
    assert new_heading(html_of(client.get("/notifications"))) == "2 new notifications"
