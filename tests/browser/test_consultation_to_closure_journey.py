"""In a real browser, every document checked with axe: a practitioner books and records
the consultation, records both consents, withdraws one and closes the case; a manager
reopens it. Error states are visited too, since they must be accessible as well."""

from __future__ import annotations

from datetime import date, timedelta

from eip.clock import today
from eip.extensions import db
from tests import factories
from tests import factories_pathway_progress as pf
from tests.browser.signing import sign_in


def _fill_date(page, name: str, day: date) -> None:
    page.fill(f"#{name}-day", str(day.day))
    page.fill(f"#{name}-month", str(day.month))
    page.fill(f"#{name}-year", str(day.year))


def _submit(page, name: str) -> None:
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def test_a_practitioner_runs_the_consultation_consent_and_closure_pages(page, app_context):
    user = factories.user("practitioner")
    manager = factories.user("manager")
    case = pf.acknowledged_case(user)
    email, manager_email, reference = user.email, manager.email, case.reference
    db.session.rollback()
    sign_in(page, email)
    page.goto(f"/cases/{reference}")

    # Book, with a mistake first.
    page.get_by_role("button", name="Book the consultation").click()
    _fill_date(page, "scheduled_on", pf.days_ago(10))
    page.fill("#scheduled_time", "half two")
    _submit(page, "Save the booking")
    assert "There is a problem" in page.content()
    page.fill("#scheduled_time", "14:30")
    page.check("input[name=medium][value=secure_video]")
    page.fill("#attendees", "Practitioner and social worker")
    _submit(page, "Save the booking")
    assert page.locator("h1").inner_text() == f"Case {reference}"

    # Record the consultation and the plan.
    page.get_by_role("button", name="Record the consultation").click()
    _fill_date(page, "held_on", pf.days_ago(9))
    page.check("input[name=outcome][value=intervention_with_accommodation]")
    page.fill("#plan_risks", "Arguments escalate when money is short")
    page.fill("#action_1_description", "Safety plan with the partner")
    page.fill("#action_1_owner", "Social worker")
    _fill_date(page, "action_1_review_on", today() + timedelta(days=7))
    _submit(page, "Save the consultation and plan")
    assert page.locator("h1").inner_text() == "Write the scenario plan"
    page.fill("#plan", "Client stays with his brother; housing options explained")
    _submit(page, "Save the scenario plan")

    # Both consents: the intervention starts.
    for person in ("client", "partner"):
        page.goto(f"/cases/{reference}/consents/{person}")
        page.check("input[name=decision_intervention][value=given]")
        for kind in ("accommodation", "information_sharing", "evaluation"):
            page.check(f"input[name=decision_{kind}][value=not_asked]")
        _fill_date(page, "recorded_on", pf.days_ago(2))
        page.fill("#obtained_by", "Allocated social worker")
        page.check("input[name=how][value=in_person]")
        _submit(page, "Save the decisions")
    assert "the intervention has started" in page.content()

    # Withdraw one, with a mistake first.
    page.get_by_role("link", name="Withdraw the client's consent to the intervention").click()
    _submit(page, "Record the withdrawal")
    assert "There is a problem" in page.content()
    _fill_date(page, "withdrawn_on", today())
    page.fill("#reason", "Wants to pause")
    _submit(page, "Record the withdrawal")
    assert "urgent review action" in page.content()

    # Close.
    page.get_by_role("button", name="Close the case").click()
    page.check("input[name=outcome][value=withdrew_consent]")
    page.check("input[name=risk_level][value=medium]")
    page.check("input[name=living_arrangements][value=living_apart]")
    page.check("input[name=childrens_services_status][value=child_in_need]")
    page.fill("#police_callouts", "0")
    page.fill("#reason", "Client withdrew consent")
    # Each action still open is decided on the closure page (none dropped silently).
    for radio in page.locator("input[name^='action-'][value='not_needed']").all():
        radio.check()
    _submit(page, "Close the case")
    assert "Case closed" in page.content()

    # A manager reopens it.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, manager_email)
    page.goto(f"/cases/{reference}")
    page.get_by_role("button", name="Reopen the case").click()
    page.fill("#reason", "The family asked for the work to continue")
    _submit(page, "Reopen the case")
    assert "Case reopened" in page.content()
    assert len(page.axe_checked) >= 12
