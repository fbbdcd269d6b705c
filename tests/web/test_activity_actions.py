"""Actions on the case page: open ones with their due state and a "Mark as done"
button, completed ones folded away; ad-hoc actions added through their form."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from eip.cases.records import CaseAction
from eip.clock import today
from eip.extensions import db
from tests import factories_pathway_activity as fa


def html_of(response) -> str:
    return response.get_data(as_text=True)


def activity_of(client, case) -> str:
    html = html_of(client.get(f"/cases/{case.reference}"))
    start = html.index('<section id="activity"')
    return html[start : html.index("</section>", start)]


def done_form(html: str, action_id: int) -> dict[str, str]:
    """The hidden fields of one action's "Mark as done" form, as the page rendered them."""
    form = re.search(rf'<form[^>]*action="[^"]*/actions/{action_id}/done".*?</form>', html, re.S)
    assert form, f"no Mark as done button for action {action_id}"
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form.group(0)))


def fresh(action: CaseAction) -> CaseAction:
    db.session.expire_all()
    return db.session.get(CaseAction, action.id)


@pytest.fixture
def practitioner(signed_in):
    return signed_in("practitioner", name="Pat Practitioner")


def test_open_actions_of_every_kind_are_listed_with_owner_due_date_and_tags(practitioner):
    client, _ = practitioner
    case = fa.case("active")
    kinds = ["plan", "meeting", "consent_review", "idva_referral", "marac_referral", "other"]
    for n, kind in enumerate(kinds):
        fa.action(case, kind, description=f"Action {kind}", due_on=today() + timedelta(days=n))
    fa.action(
        case, "consent_review", description="Late review", due_on=date(2026, 1, 2), urgent=True
    )
    activity = activity_of(client, case)
    for label in ("Plan", "Professionals meeting", "Consent review", "IDVA referral"):
        assert label in activity
    assert "MARAC referral" in activity and "Action other" in activity
    late = activity[activity.index("Late review") :]
    late = late[: late.index("</tr>")]
    assert "Urgent" in late and "Overdue" in late and "2 January 2026" in late
    assert activity.count("Mark as done<span") == 7


def test_marking_an_action_done_records_who_and_when_and_folds_it_away(practitioner):
    client, user = practitioner
    case = fa.case("active")
    action = fa.action(case, "marac_referral", description="Refer to MARAC")
    page = html_of(client.get(f"/cases/{case.reference}"))
    response = client.post(
        f"/cases/{case.reference}/actions/{action.id}/done", data=done_form(page, action.id)
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{case.reference}")
    done = fresh(action)
    assert done.completed_by_id == user.id
    assert datetime.now(UTC) - done.completed_at < timedelta(minutes=1)
    activity = activity_of(client, case)
    assert "No open actions." in activity
    completed = activity[activity.index('<details class="govuk-details">') :]
    assert "Completed actions (1)" in completed
    assert "Refer to MARAC" in completed and "by Pat Practitioner" in completed


def test_two_people_marking_actions_done_from_pages_opened_together_both_save(signed_in):
    first, _ = signed_in("practitioner")
    second, _ = signed_in("practitioner")
    case = fa.case("active")
    one, two = fa.action(case), fa.action(case, description="Another")
    seen = html_of(second.get(f"/cases/{case.reference}"))
    first_page = html_of(first.get(f"/cases/{case.reference}"))
    assert (
        first.post(
            f"/cases/{case.reference}/actions/{one.id}/done", data=done_form(first_page, one.id)
        ).status_code
        == 302
    )
    response = second.post(
        f"/cases/{case.reference}/actions/{two.id}/done", data=done_form(seen, two.id)
    )
    assert response.status_code == 302
    assert fresh(two).completed_at is not None


def test_the_same_action_marked_done_twice_is_refused_the_second_time(signed_in):
    first, _ = signed_in("practitioner")
    second, _ = signed_in("practitioner")
    case = fa.case("active")
    one = fa.action(case)
    seen = html_of(second.get(f"/cases/{case.reference}"))
    first_page = html_of(first.get(f"/cases/{case.reference}"))
    url = f"/cases/{case.reference}/actions/{one.id}/done"
    assert first.post(url, data=done_form(first_page, one.id)).status_code == 302
    response = second.post(url, data=done_form(seen, one.id))
    assert response.status_code == 400
    assert "already marked as done" in html_of(response)


def test_marking_another_cases_action_done_is_not_found(practitioner):
    client, _ = practitioner
    case, other = fa.case("active"), fa.case("active")
    theirs = fa.action(other)
    mine = fa.action(case)
    page = html_of(client.get(f"/cases/{case.reference}"))
    response = client.post(
        f"/cases/{case.reference}/actions/{theirs.id}/done", data=done_form(page, mine.id)
    )
    assert response.status_code == 404
    assert fresh(theirs).completed_at is None


def test_an_expired_page_saves_nothing(practitioner):
    client, _ = practitioner
    case = fa.case("active")
    action = fa.action(case)
    response = client.post(f"/cases/{case.reference}/actions/{action.id}/done", data={})
    assert response.status_code == 400
    assert fresh(action).completed_at is None


def test_an_ad_hoc_action_is_added_from_its_form(practitioner):
    client, _ = practitioner
    case = fa.case("active")
    due = today() + timedelta(days=5)
    response = fa.submit(
        client,
        f"/cases/{case.reference}/actions/new",
        {
            "description": "Send the plan to the GP",
            "owner": "Practitioner",
            "due_on": fa.date_parts(due),
            "urgent": "y",
        },
    )
    assert response.status_code == 302
    [action] = db.session.scalars(select(CaseAction)).all()
    assert (action.kind, action.due_on, action.urgent) == ("other", due, True)
    assert "Send the plan to the GP" in activity_of(client, case)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"description": ""}, "Enter what needs to be done"),
        ({"owner": ""}, "Enter who owns the action"),
        ({"due_on": ["", "", ""]}, "Enter the date the action is due"),
        ({"due_on": fa.date_parts(date(2026, 1, 2))}, "The due date cannot be in the past"),
    ],
)
def test_bad_action_input_is_refused_and_nothing_is_saved(practitioner, change, message):
    client, _ = practitioner
    case = fa.case("active")
    data = {
        "description": "Typed description kept",
        "owner": "Practitioner",
        "due_on": fa.date_parts(today() + timedelta(days=2)),
        **change,
    }
    response = fa.submit(client, f"/cases/{case.reference}/actions/new", data)
    assert response.status_code == 400
    assert message in html_of(response)
    if change.get("description") is None:
        assert "Typed description kept" in html_of(response)
    assert db.session.scalars(select(CaseAction)).all() == []


def test_no_ad_hoc_action_on_a_closed_case_but_its_open_actions_can_still_be_done(practitioner):
    client, _ = practitioner
    case = fa.case("closed")
    action = fa.action(case, "idva_referral")
    page = html_of(client.get(f"/cases/{case.reference}/actions/new"))
    assert "A manager must reopen it to add an action" in page
    activity = activity_of(client, case)
    assert "Add an action" not in activity
    case_page = html_of(client.get(f"/cases/{case.reference}"))
    response = client.post(
        f"/cases/{case.reference}/actions/{action.id}/done", data=done_form(case_page, action.id)
    )
    assert response.status_code == 302
    assert fresh(action).completed_at is not None
