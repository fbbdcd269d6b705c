"""The whole pathway in a real browser, every page checked with axe on the way:
referral → acknowledgement → consultation → consent → session → meeting → DASH →
closure; and a late referral that waits for the agreement."""

from datetime import date

from eip.extensions import db
from tests import factories
from tests.browser.test_referral_journey import choose, fill_date, fill_referral, sign_in


def submit(page, name: str) -> None:
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def banner(page) -> str:
    return page.locator(".govuk-notification-banner").first.inner_text()


def test_a_practitioner_takes_a_referral_from_receipt_to_closure(page, app_context):
    user = factories.user("practitioner")
    factories.borough("Camden")
    email = user.email
    db.session.rollback()
    sign_in(page, email)

    page.get_by_role("button", name="Record a referral").click()
    fill_referral(page, "Camden")  # received on Saturday 5 September 2026
    submit(page, "Save the referral")
    assert "Acknowledge it by Thursday 10 September 2026" in banner(page)
    reference = "EIP-2026-0001"
    assert page.locator("h1").inner_text() == f"Case {reference}"

    page.goto(f"/cases/{reference}/acknowledge")
    fill_date(page, "acknowledged_date", date(2026, 9, 7))
    page.locator("#acknowledged_time").fill("09:15")
    choose(page, "method", "secure_email")
    submit(page, "Record the acknowledgement")

    page.get_by_role("button", name="Book the consultation").click()
    fill_date(page, "scheduled_on", date(2026, 9, 9))
    page.fill("#scheduled_time", "14:30")
    page.check("input[name=medium][value=secure_video]")
    page.fill("#attendees", "Practitioner and social worker")
    submit(page, "Save the booking")

    page.get_by_role("button", name="Record the consultation").click()
    fill_date(page, "held_on", date(2026, 9, 9))
    page.check("input[name=outcome][value=intervention]")
    page.fill("#plan_risks", "Arguments escalate when money is short")
    submit(page, "Save the consultation and plan")
    assert "Awaiting consent" in page.locator("main").inner_text()

    for person in ("client", "partner"):
        page.goto(f"/cases/{reference}/consents/{person}")
        page.check("input[name=decision_intervention][value=given]")
        for kind in ("accommodation", "information_sharing", "evaluation"):
            page.check(f"input[name=decision_{kind}][value=not_asked]")
        fill_date(page, "recorded_on", date(2026, 9, 14))
        page.fill("#obtained_by", "Allocated social worker")
        page.check("input[name=how][value=in_person]")
        submit(page, "Save the decisions")
    assert "the intervention has started" in page.content()

    page.goto(f"/cases/{reference}")
    page.get_by_role("link", name="Record a session").click()
    page.get_by_label("How long it lasted").fill("60")
    page.get_by_label("Attended", exact=True).check()
    submit(page, "Save session")
    assert "Session recorded" in banner(page)

    page.get_by_role("link", name="Record a meeting").click()
    page.get_by_label("Who attended").fill("Practitioner and social worker")
    submit(page, "Save meeting")

    page.goto(f"/cases/{reference}/dash/new")
    for n in range(1, 25):
        page.locator(f"input[name=q{n}][value={'yes' if n <= 3 else 'no'}]").check()
    page.locator("input[name=professional_judgement][value=none]").check()
    submit(page, "Save review")
    assert "3 of 24" in page.locator("#risk").inner_text()

    page.get_by_role("button", name="Close the case").click()
    page.check("input[name=outcome][value=completed]")
    page.check("input[name=risk_level][value=standard]")
    page.check("input[name=living_arrangements][value=living_together]")
    page.check("input[name=childrens_services_status][value=none]")
    page.fill("#police_callouts", "0")
    page.fill("#reason", "Plan completed")
    # Each action still open is decided on the closure page (none dropped silently).
    for radio in page.locator("input[name^='action-'][value='not_needed']").all():
        radio.check()
    submit(page, "Close the case")
    assert "Case closed" in page.content()

    timeline = page.locator("#timeline").inner_text()
    for step in (
        "Referral received",
        "Referral acknowledged",
        "Consultation held",
        "Intervention started",
        "Session",
        "Professionals meeting",
        "DASH review",
        "Case closed",
    ):
        assert step in timeline, step
    assert len(page.axe_checked) >= 12


def test_a_late_referral_waits_for_the_agreement_before_a_consultation(page, app_context):
    user = factories.user("practitioner")
    factories.borough("Camden")
    email = user.email
    db.session.rollback()
    sign_in(page, email)
    page.goto("/cases/new")
    fill_referral(page, "Camden")
    fill_date(page, "received_date", date(2026, 8, 10))  # before the window opens on 19 August
    submit(page, "Save the referral")
    main = page.locator("main").inner_text()
    assert "Awaiting late-referral agreement" in main
    assert page.get_by_role("button", name="Book the consultation").count() == 0
    page.goto("/cases/EIP-2026-0001/consultation/book")
    assert "late-referral agreement" in page.locator("main").inner_text()
