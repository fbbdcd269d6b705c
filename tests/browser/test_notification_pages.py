"""The notification centre and the e-mail preference in a real browser (axe checks every
page it loads, errors included), with the keyboard and on a phone-sized screen."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta

from eip.extensions import db
from eip.notifications.centre import Notification, record_due_reminders
from tests import factories
from tests.browser.signing import fill_sign_in

SHOTS = os.environ.get("EIP_SCREENSHOTS")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def practitioner_with_an_overdue_acknowledgement() -> tuple[str, str]:
    user = factories.user("practitioner")
    case = factories.case(practitioner=user)
    case.received_at = datetime.now(UTC) - timedelta(days=14)
    db.session.commit()
    email, reference = user.email, case.reference
    record_due_reminders(db.session, datetime.now(UTC))
    db.session.rollback()
    return email, reference


def test_a_practitioner_opens_a_reminder_and_marks_it_read(page, app_context):
    email, reference = practitioner_with_an_overdue_acknowledgement()
    fill_sign_in(page, email)
    nav = page.get_by_role("list", name="Your account")
    assert "unread" in nav.inner_text()
    nav.get_by_role("link", name="Notifications").click()
    shot(page, "notifications")
    assert page.locator("h1").inner_text() == "Notifications"
    main = page.locator("main")
    assert "Acknowledgement overdue" in main.inner_text()
    main.get_by_role(
        "button", name=re.compile(f"^Mark as read\\W+Acknowledgement overdue, case {reference}$")
    ).click()
    assert "Marked as read" in page.locator(".govuk-notification-banner").inner_text()
    # Two reminders were due (the acknowledgement and the consultation booking): one left.
    assert page.get_by_role("link", name="Notifications (1 unread)").count() == 1
    page.get_by_role("link", name=f"Open case {reference}").first.click()
    assert page.url.endswith(f"/cases/{reference}")


def test_the_preference_form_works_with_the_keyboard_and_shows_its_error(page, app_context):
    email, _reference = practitioner_with_an_overdue_acknowledgement()
    fill_sign_in(page, email)
    page.goto("/notifications/email")
    page.get_by_label("One e-mail a day at 7am").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save").click()
    assert page.url.endswith("/notifications")
    assert "Your reminder e-mails are saved." in page.locator("main").inner_text()
    assert "one e-mail a day at 7am" in page.locator("main").inner_text()


def test_the_centre_fits_a_phone_screen(page, app_context):
    email, _reference = practitioner_with_an_overdue_acknowledgement()
    page.set_viewport_size({"width": 375, "height": 740})
    fill_sign_in(page, email)
    page.goto("/notifications")
    shot(page, "notifications_phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    assert db.session.query(Notification).count() >= 1
