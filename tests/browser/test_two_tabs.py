"""Two tabs on one case (a colleague's save, or your own second tab): an addition saved
after someone else's change is saved; an edit of the record they changed is refused with
what you typed kept, a statement of what changed and by whom, and saving again works; an
edit of another record of the case (the consultation after a referral correction) is saved."""

from __future__ import annotations

from datetime import date, timedelta

from eip.cases import consultation_services, referral_steps
from eip.extensions import db
from tests import factories
from tests import factories_pathway_referral as rf
from tests.browser.signing import fill_sign_in


def _save(tab) -> None:
    tab.locator("form[method=post] [type=submit]").last.click()


def test_a_save_in_one_tab_loses_nothing_typed_in_the_other(page, app_context):
    user = factories.user("practitioner")
    email, reference = user.email, rf.recorded_case(user).reference
    db.session.rollback()
    fill_sign_in(page, email)
    other = page.context.new_page()
    third = page.context.new_page()

    # Open all three forms before anything is saved.
    page.goto(f"/cases/{reference}/referral")
    other.goto(f"/cases/{reference}/actions/new")
    other.get_by_label("What needs to be done").fill("Call the school back")
    other.get_by_label("Owner").fill("Practitioner")
    due = date.today() + timedelta(days=3)
    for part, value in (("day", due.day), ("month", due.month), ("year", due.year)):
        other.fill(f"#due_on-{part}", str(value))
    third.goto(f"/cases/{reference}/referral")
    third.locator("#client_phone").fill("07700 900222")

    # The first tab changes the referral.
    page.locator("#client_phone").fill("07700 900111")
    _save(page)
    assert page.url.endswith(f"/cases/{reference}")

    # An addition from a page opened before that change is saved.
    _save(other)
    assert "Action added" in other.locator(".govuk-notification-banner").inner_text()
    assert "Call the school back" in other.locator("#activity").inner_text()

    # An edit of the same record is refused, with what was typed kept and who changed it.
    _save(third)
    assert third.title().startswith("Error:")
    summary = third.locator(".govuk-error-summary").inner_text()
    assert "the referral details were changed by" in summary
    assert "900111" not in summary
    assert third.locator("#client_phone").input_value() == "07700 900222"
    # Checked, and saved again: accepted.
    _save(third)
    assert third.url.endswith(f"/cases/{reference}")
    third.goto(f"/cases/{reference}/referral")
    assert third.locator("#client_phone").input_value() == "07700 900222"
    other.close()
    third.close()


def _fill_date(tab, name: str, day: date) -> None:
    for part, value in (("day", day.day), ("month", day.month), ("year", day.year)):
        tab.fill(f"#{name}-{part}", str(value))


def _fill_consultation(tab, risks: str) -> None:
    _fill_date(tab, "held_on", date.today() - timedelta(days=1))
    tab.check("input[name=outcome][value=intervention]")
    tab.fill("#plan_risks", risks)


def test_the_consultation_record_is_saved_after_a_colleague_changed_the_referral(page, app_context):
    """The record being edited is versioned, not the case: a referral correction in one tab
    does not refuse the consultation typed in another; a second recording of it is refused."""
    user = factories.user("practitioner", name="Tom Reilly")
    case = rf.recorded_case(user)
    referral_steps.acknowledge(
        db.session, user, case, acknowledged_at=case.received_at, method="phone"
    )
    consultation_services.book_consultation(
        db.session,
        user,
        case,
        version="new",
        scheduled_for=case.received_at + timedelta(days=2),
        medium="phone",
        attendees="Practitioner and social worker",
    )
    email, reference = user.email, case.reference
    db.session.rollback()
    fill_sign_in(page, email)
    referral_tab = page.context.new_page()
    late_tab = page.context.new_page()

    page.goto(f"/cases/{reference}/consultation/record")
    _fill_consultation(page, "Arguments escalate at weekends")
    late_tab.goto(f"/cases/{reference}/consultation/record")
    _fill_consultation(late_tab, "A plan typed in the other tab")
    referral_tab.goto(f"/cases/{reference}/referral")
    referral_tab.locator("#client_phone").fill("07700 900333")
    _save(referral_tab)
    assert referral_tab.url.endswith(f"/cases/{reference}")

    # Another record of the case changed: the consultation is saved.
    _save(page)
    assert "/consultation/record" not in page.url
    assert (
        "Consultation and plan recorded" in page.locator(".govuk-notification-banner").inner_text()
    )

    # The same record changed: refused, what was typed kept, who recorded it said.
    _save(late_tab)
    assert late_tab.title().startswith("Error:")
    summary = late_tab.locator(".govuk-error-summary").inner_text()
    assert "consultation recorded by Tom Reilly" in summary
    assert late_tab.locator("#plan_risks").input_value() == "A plan typed in the other tab"
    referral_tab.close()
    late_tab.close()
