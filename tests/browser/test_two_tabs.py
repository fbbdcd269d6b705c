"""Two tabs on one case (a colleague's save, or your own second tab): an addition saved
after someone else's change is saved; an edit of the record they changed is refused with
what you typed kept, a statement of what changed and by whom, and saving again works."""

from __future__ import annotations

from datetime import date, timedelta

from eip.extensions import db
from tests import factories
from tests import factories_pathway_referral as rf
from tests.browser.test_sign_in import fill_sign_in


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
    assert page.url.endswith(f"/cases/{reference}#referral")

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
    assert third.url.endswith(f"/cases/{reference}#referral")
    third.goto(f"/cases/{reference}/referral")
    assert third.locator("#client_phone").input_value() == "07700 900222"
    other.close()
    third.close()
