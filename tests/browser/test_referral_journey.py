"""A referral in a real browser, every page checked with axe: record it (with its
error messages and the possible-duplicates step), acknowledge it, open the
partner's page, change it; a manager decides on a late referral."""

from datetime import date

from eip.extensions import db
from tests import factories
from tests import factories_pathway_referral as rf


def sign_in(page, email: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def fill_date(page, name: str, day: date) -> None:
    page.locator(f"#{name}-day").fill(str(day.day))
    page.locator(f"#{name}-month").fill(str(day.month))
    page.locator(f"#{name}-year").fill(str(day.year))


def choose(page, name: str, value: str) -> None:
    page.locator(f'input[name="{name}"][value="{value}"]').check()


def fill_referral(page, borough: str) -> None:
    fill_date(page, "received_date", rf.SATURDAY)
    page.locator("#received_time").fill("10:30")
    page.get_by_label("Referring borough").select_option(label=borough)
    page.locator("#referrer_name").fill("Sam Okafor")
    page.locator("#referrer_email").fill("sam.okafor@example.org")
    page.locator("#client_name").fill("Alex Marlowe")
    fill_date(page, "client_date_of_birth", date(1990, 3, 27))
    choose(page, "client_gender", "man")
    page.locator("#client_ethnicity").select_option("white_british")
    choose(page, "client_disability", "no")
    choose(page, "client_interpreter", "no")
    page.locator("#client_address").fill("Flat 2\n1 Example Road")
    page.locator("#partner_name").fill("Jordan Reyes")
    fill_date(page, "partner_date_of_birth", date(1991, 11, 14))
    page.locator("#partner_relationship").select_option("partner")
    choose(page, "partner_living_together", "yes")
    page.locator("#partner_code_word").fill("Bluebell")
    choose(page, "childrens_services_status", "none")
    for marker in ("previous_abuse", "separation", "pregnancy", "substance_use"):
        choose(page, marker, "no")
    choose(page, "mental_health", "not_known")
    choose(page, "weapons", "no")
    page.locator("#reason_for_referral").fill("Arguments escalating since lockdown")


def test_a_practitioner_records_acknowledges_and_changes_a_referral(page, app_context):
    user = factories.user("practitioner", name="Priya Shah")
    factories.borough("Camden")
    email = user.email
    db.session.rollback()

    sign_in(page, email)
    page.goto("/cases/new")
    page.get_by_role("button", name="Save the referral").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert "Enter the client's name" in page.locator(".govuk-error-summary").inner_text()

    fill_referral(page, "Camden")
    page.get_by_role("button", name="Save the referral").click()
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert "Referral EIP-2026-0001 recorded. Acknowledge it by Thursday 10 September 2026" in banner

    # The same people again: the possible-duplicates step, then back to the form.
    page.goto("/cases/new")
    fill_referral(page, "Camden")
    page.get_by_role("button", name="Save the referral").click()
    assert page.locator("h1").inner_text() == "Check whether these people are already on record"
    page.get_by_label("Yes, the same person as on EIP-2026-0001").first.check()
    page.locator('input[name="partner_person"][value="new"]').check()
    page.get_by_role("button", name="Save the referral").click()
    assert (
        "Referral EIP-2026-0002 recorded" in page.locator(".govuk-notification-banner").inner_text()
    )

    page.goto("/cases/EIP-2026-0001/acknowledge")
    assert "EIP-2026-0001" in page.locator("#acknowledgement-text").input_value()
    fill_date(page, "acknowledged_date", date(2026, 9, 7))
    page.locator("#acknowledged_time").fill("09:15")
    choose(page, "method", "secure_email")
    page.get_by_role("button", name="Record the acknowledgement").click()
    assert (
        "Acknowledgement of EIP-2026-0001 recorded"
        in page.locator(".govuk-notification-banner").inner_text()
    )

    page.get_by_role("link", name="View the partner's details").click()
    assert "Bluebell" in page.locator("main").inner_text()

    page.goto("/cases/EIP-2026-0001/referral")
    page.locator("#client_phone").fill("07700 900123")
    page.get_by_role("button", name="Save changes").click()
    assert (
        "Changes to referral EIP-2026-0001 saved"
        in page.locator(".govuk-notification-banner").inner_text()
    )


def test_a_manager_records_the_late_referral_agreement(page, app_context):
    case = rf.recorded_case(received_at=rf.london(date(2026, 8, 18)))
    manager = factories.user("manager")
    reference, email = case.reference, manager.email
    db.session.rollback()

    sign_in(page, email)
    page.goto(f"/cases/{reference}")
    page.get_by_role("link", name="Record the late-referral decision").click()
    choose(page, "decision", "agreed")
    page.get_by_role("button", name="Record the decision").click()
    assert "Enter who agreed for Cranstoun" in page.locator(".govuk-error-summary").inner_text()
    fill_date(page, "decided_on", date(2026, 8, 25))
    page.locator("#cranstoun_agreed_by").fill("Chris Cranstoun")
    page.locator("#respect_agreed_by").fill("Rae Respect")
    page.locator("#camden_agreed_by").fill("Cam Camden")
    page.locator("#support_confirmed").check()
    page.get_by_role("button", name="Record the decision").click()
    assert (
        f"The late referral {reference} was agreed"
        in page.locator(".govuk-notification-banner").inner_text()
    )
