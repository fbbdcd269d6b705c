"""Sessions, meetings, incidents, DASH and actions in a real browser (axe checks every
page it loads, errors included), on a desktop and on a phone-sized screen."""

from __future__ import annotations

import os
from datetime import date, timedelta

from eip.extensions import db
from tests import factories
from tests import factories_pathway_activity as fa
from tests.browser.signing import fill_sign_in

# EIP_SCREENSHOTS=/some/folder keeps screenshots of the pages, for a person to look at.
SHOTS = os.environ.get("EIP_SCREENSHOTS")


def shot(page, name: str, selector: str | None = None) -> None:
    if SHOTS:
        if selector:
            page.locator(selector).screenshot(path=f"{SHOTS}/{name}.png")
        else:
            page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def active_case_for_browser(**kwargs):
    """A practitioner and an active case started two months ago, committed and released."""
    user = factories.user("practitioner")
    email = user.email
    start = date.today() - timedelta(days=60)
    case = fa.case("active", practitioner=user, received_on=start - timedelta(days=14), **kwargs)
    reference = case.reference
    db.session.rollback()
    return email, case, reference


def test_a_practitioner_records_a_dash_review_that_finds_high_risk(page, app_context):
    email, case, reference = active_case_for_browser()
    fa.incident(case, date.today() - timedelta(days=3))
    fa.dash_review(case, date.today() - timedelta(days=30), 6)
    db.session.rollback()
    fill_sign_in(page, email)
    page.goto(f"/cases/{reference}/dash/new")
    shot(page, "dash_form")
    page.get_by_role("button", name="Save review").click()
    assert page.title().startswith("Error:")
    summary = page.locator(".govuk-error-summary")
    assert "Answer question 1 (Current injury)" in summary.inner_text()
    summary.get_by_role("link", name="Answer question 15").click()
    assert page.evaluate("document.activeElement.id") == "q15"
    for n in range(1, 25):
        page.locator(f"input[name=q{n}][value={'yes' if n <= 14 else 'no'}]").check()
    page.locator("input[name=professional_judgement][value=none]").check()
    page.get_by_role("button", name="Save review").click()
    assert page.url.endswith(f"/cases/{reference}")
    risk = page.locator("#risk")
    assert "High risk" in risk.inner_text()
    assert page.locator("#risk svg[role=img]").count() == 1
    assert "IDVA referral" in page.locator("#activity").inner_text()
    shot(page, "activity", "#activity")
    shot(page, "risk", "#risk")


def test_a_session_is_recorded_on_a_phone_sized_screen(page, app_context):
    email, _case, reference = active_case_for_browser()
    page.set_viewport_size({"width": 360, "height": 740})
    fill_sign_in(page, email)
    page.goto(f"/cases/{reference}")
    page.get_by_role("link", name="Record a session").click()
    page.get_by_label("How long it lasted").fill("55")
    page.get_by_label("Attended", exact=True).check()
    shot(page, "session_phone")
    page.get_by_role("button", name="Save session").click()
    assert "Session recorded" in page.locator(".govuk-notification-banner").inner_text()
    assert "55" in page.locator("#activity table").first.inner_text()


def test_a_meeting_with_an_action_then_marking_it_done(page, app_context):
    email, _case, reference = active_case_for_browser()
    fill_sign_in(page, email)
    page.goto(f"/cases/{reference}")
    page.get_by_role("link", name="Record a meeting").click()
    page.get_by_label("Who attended").fill("Practitioner and social worker")
    page.get_by_label("Action 1: what needs to be done").fill("Check in with the school")
    page.get_by_role("button", name="Save meeting").click()
    assert page.title().startswith("Error:")
    assert "Enter who owns action 1" in page.locator(".govuk-error-summary").inner_text()
    shot(page, "meeting_errors")
    page.get_by_label("Action 1: owner").fill("Social worker")
    due = date.today() + timedelta(days=7)
    group = page.locator("#action1_due_on-day").locator("xpath=ancestor::fieldset")
    group.get_by_label("Day").fill(str(due.day))
    group.get_by_label("Month").fill(str(due.month))
    group.get_by_label("Year").fill(str(due.year))
    page.get_by_role("button", name="Save meeting").click()
    assert page.url.endswith(f"/cases/{reference}")
    # The banner has the focus (announced); its link goes to the section that changed.
    banner = page.locator(".govuk-notification-banner")
    assert banner.evaluate("element => element === document.activeElement")
    banner.get_by_role("link", name="Go to Sessions, meetings and incidents").click()
    assert page.url.endswith("#activity")
    done = page.get_by_role("button", name="Mark as done")
    assert "Professionals meeting, Check in with the school" in done.inner_text()
    done.click()
    assert "Action marked as done" in page.locator(".govuk-notification-banner").inner_text()
    assert "Completed actions (1)" in page.locator("#activity").inner_text()


def test_an_incident_and_an_ad_hoc_action(page, app_context):
    email, _case, reference = active_case_for_browser()
    fill_sign_in(page, email)
    page.goto(f"/cases/{reference}/incidents/new")
    happened = date.today() - timedelta(days=2)
    page.get_by_label("Day").fill(str(happened.day))
    page.get_by_role("button", name="Save incident").click()
    assert (
        "Select where the incident was reported from"
        in page.locator(".govuk-error-summary").inner_text()
    )
    page.get_by_label("Police call-out").check()
    page.get_by_label("Month").fill(str(happened.month))
    page.get_by_label("Year").fill(str(happened.year))
    page.get_by_label("What happened").fill("A fictional call-out")
    page.get_by_role("button", name="Save incident").click()
    assert "Incident recorded" in page.locator(".govuk-notification-banner").inner_text()
    page.get_by_role("link", name="Add an action").click()
    page.get_by_role("button", name="Add action").click()
    assert page.title().startswith("Error:")
    shot(page, "action_errors")
