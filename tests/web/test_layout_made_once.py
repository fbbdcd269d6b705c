"""The layout's parts made once per process (eip/navigation.py, eip/templating.py
`layout_url`): what is kept holds no one's data, so every person still gets their own header
and a change of role shows on their next page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import update

from eip.auth.models import User
from eip.auth.sessions import end_all_sessions
from eip.extensions import db
from eip.roles import Role
from tests.web.test_notification_pages import header_link, html_of, notify


def navigation(html: str) -> list[tuple[str, bool]]:
    """The service navigation's items: (label, whether marked as the current section)."""
    found = re.search(r'<nav aria-label="Main menu".*?</nav>', html, re.S)
    if found is None:
        return []
    items = re.findall(
        r'<li class="govuk-service-navigation__item([^"]*)">(.*?)</li>', found[0], re.S
    )
    return [
        (re.sub(r"<[^>]+>", "", text).strip(), "--active" in classes) for classes, text in items
    ]


def user_nav(html: str) -> str:
    return re.search(r'<ul class="eip-user-nav".*?</ul>', html, re.S)[0]


def test_two_people_each_get_their_own_header_and_navigation(signed_in):
    manager, _boss = signed_in("manager", name="Helen Boss")
    practitioner, worker = signed_in("practitioner", name="Amara Worker")
    notify(worker)
    for _ in range(2):  # the second round is served from what the first one kept
        boss_page, worker_page = html_of(manager.get("/")), html_of(practitioner.get("/"))
        assert f"Helen Boss, {Role.MANAGER.label}" in user_nav(boss_page)
        assert "Amara Worker" not in boss_page
        assert f"Amara Worker, {Role.PRACTITIONER.label}" in user_nav(worker_page)
        assert "Helen Boss" not in worker_page
        assert header_link(worker_page) == "Notifications (1 unread)"
        assert header_link(boss_page) == "Notifications"
        boss_items = [label for label, _ in navigation(boss_page)]
        worker_items = [label for label, _ in navigation(worker_page)]
        assert {"Evaluation", "Approvals", "Audit trail"} <= set(boss_items)
        assert not {"Evaluation", "Approvals", "Audit trail"} & set(worker_items)
        assert boss_items[:2] == worker_items[:2] == ["Home", "Cases"]
    # Each person's own sign-out form carries their own session's CSRF token.
    tokens = {
        re.search(r'name="csrf_token" value="([^"]+)"', user_nav(page))[1]
        for page in (html_of(manager.get("/")), html_of(practitioner.get("/")))
    }
    assert len(tokens) == 2


def test_the_current_section_is_marked_on_each_page(signed_in):
    client, _ = signed_in("manager")
    for path, current in (("/", "Home"), ("/cases/", "Cases"), ("/audit/", "Audit trail")):
        for _ in range(2):
            items = navigation(html_of(client.get(path)))
            assert [label for label, active in items if active] == [current], path


def test_a_change_of_role_shows_on_the_next_page(signed_in):
    client, user = signed_in("practitioner")
    assert "Cases" in dict(navigation(html_of(client.get("/accessibility"))))
    db.session.execute(update(User).where(User.id == user.id).values(role="finance"))
    db.session.commit()
    page = html_of(client.get("/accessibility"))
    assert f", {Role.FINANCE.label}" in user_nav(page)
    items = dict(navigation(page))
    assert "Invoices" in items and "Cases" not in items  # finance records invoices, sees no list
    db.session.execute(update(User).where(User.id == user.id).values(role=None))
    db.session.commit()
    page = html_of(client.get("/accessibility"))
    assert navigation(page) == [] and "govuk-service-navigation" not in page
    assert "No role yet" in user_nav(page)


def test_a_signed_out_visitor_gets_no_navigation_and_every_request_checks_the_session(
    client, signed_in
):
    assert navigation(html_of(client.get("/accessibility"))) == []
    signed, user = signed_in("manager")
    assert navigation(html_of(signed.get("/accessibility")))
    # Ending the account's sessions ends the next page's header and navigation at once.
    end_all_sessions(db.session, user.id, "test", datetime.now(UTC))
    db.session.commit()
    assert signed.get("/account").status_code == 302
    page = html_of(signed.get("/accessibility"))
    assert navigation(page) == [] and "eip-user-nav" not in page


def test_links_kept_per_process_follow_the_prefix_the_app_is_served_under(signed_in):
    client, _ = signed_in("manager")
    for _ in range(2):
        prefixed = html_of(client.get("/accessibility", base_url="http://localhost/eip"))
        plain = html_of(client.get("/accessibility"))
        assert 'href="/eip/assets/css/eip.min.css"' in prefixed
        assert 'href="/eip/cases/"' in prefixed and 'href="/eip/accessibility"' in prefixed
        assert 'href="/assets/css/eip.min.css"' in plain and "/eip/" not in plain
