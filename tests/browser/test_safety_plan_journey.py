"""A practitioner writes a safety plan, reviews it at a professionals meeting, and the meeting
pack and the minutes show it (without the safe contact arrangements), in a real browser
(axe checks every page it loads, errors included)."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

from pypdf import PdfReader

from eip.extensions import db
from tests import factories
from tests import factories_pathway_activity as fa
from tests.browser.signing import fill_sign_in

RISKS = "Fictional threats by text at weekends"
SAFE_CONTACT = "Fictional text the work phone first"


def _pdf_text(page, url: str) -> str:
    """The PDF as the signed-in browser gets it (its cookies), as text on one line."""
    response = page.request.get(url)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pages = PdfReader(BytesIO(response.body())).pages
    return " ".join(" ".join(p.extract_text() for p in pages).split())


def test_a_safety_plan_reviewed_at_a_meeting_is_in_the_pack_and_the_minutes(page, app_context):
    user = factories.user("practitioner")
    email = user.email
    start = date.today() - timedelta(days=60)
    case = fa.case("active", practitioner=user, received_on=start - timedelta(days=14))
    # The partner's information-sharing consent: what lets the documents show the plan.
    fa.consent(case, "partner", kind="information_sharing", recorded_on=start)
    db.session.commit()
    reference = case.reference
    db.session.rollback()

    fill_sign_in(page, email)
    page.goto(f"/cases/{reference}")
    page.get_by_role("button", name="Write a safety plan").click()
    page.get_by_role("button", name="Save the safety plan").click()
    assert page.title().startswith("Error:")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Enter the risks to this person" in summary
    page.get_by_label("The partner").check()
    page.get_by_label("Risks to this person").fill(RISKS)
    page.get_by_label("Step 1: what is done").fill("Refer to the IDVA service")
    page.get_by_label("Step 1: by whom").fill("Practitioner")
    by = date.today() + timedelta(days=3)
    group = page.locator("#step1_by_when-day").locator("xpath=ancestor::fieldset")
    group.get_by_label("Day").fill(str(by.day))
    group.get_by_label("Month").fill(str(by.month))
    group.get_by_label("Year").fill(str(by.year))
    page.get_by_label("Safe contact arrangements (optional)").fill(SAFE_CONTACT)
    page.get_by_role("button", name="Save the safety plan").click()
    assert "Safety plan saved" in page.locator(".govuk-notification-banner").inner_text()
    plans = page.locator("#safety-plans")
    assert RISKS in plans.inner_text() and SAFE_CONTACT in plans.inner_text()
    assert "Review the safety plan for the partner" in page.locator("#due").inner_text()

    page.get_by_role("link", name="Record a meeting").click()
    page.get_by_label("Who attended").fill("Practitioner and social worker")
    page.get_by_label("The safety plan for the partner was reviewed at this meeting").check()
    page.get_by_label("What changed in the safety plan for the partner (optional)").fill(
        "Fictional new code word agreed"
    )
    page.get_by_role("button", name="Save meeting").click()
    assert "Meeting recorded" in page.locator(".govuk-notification-banner").inner_text()
    assert "Fictional new code word agreed" in page.locator("#safety-plans").inner_text()

    pack_link = page.get_by_role("link", name="Download the meeting pack (PDF)")
    pack = _pdf_text(page, pack_link.get_attribute("href"))
    minutes_link = page.locator("#activity a[href$='/minutes.pdf']").first
    minutes = _pdf_text(page, minutes_link.get_attribute("href"))
    for body in (pack, minutes):
        assert "Safety plan for the partner" in body
        assert RISKS in body and "Refer to the IDVA service" in body
        assert SAFE_CONTACT not in body
    assert "Fictional new code word agreed" in minutes
