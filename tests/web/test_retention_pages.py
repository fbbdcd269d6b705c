"""The retention pages: the settings with their legal basis, the managers' review of the
cases past retention, legal holds and confirming a batch (no JavaScript); everyone else
refused; bad input says what is wrong and writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from eip.audit import AuditEvent
from eip.cases.models import Case
from eip.extensions import db
from eip.privacy.retention_models import RetentionHold
from tests import factories
from tests.conftest import post_form
from tests.web.test_admin_pages import SETTINGS_FORM, settings_row

REVIEW = "/retention"
PAGES = [REVIEW, "/retention/holds/new"]


def html(response) -> str:
    return response.get_data(as_text=True)


def closed_case(day: int = 1) -> Case:
    case = factories.case(status="closed")
    case.closed_at = datetime(2019, 1, day, tzinfo=UTC)
    db.session.commit()
    return case


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("role", ["practitioner", "spoc", "finance", "evaluator", "admin"])
@pytest.mark.parametrize("url", PAGES)
def test_only_managers_see_the_retention_review(signed_in, role, url):
    client, _user = signed_in(role)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("role", ["practitioner", "spoc", "finance", "evaluator", "admin"])
def test_nobody_but_a_manager_can_confirm_or_hold(signed_in, role):
    case = closed_case()
    client, _user = signed_in(role)
    response = client.post(f"{REVIEW}/confirm", data={"case_ids": [str(case.id)]})
    assert response.status_code in (400, 403)
    assert db.session.get(Case, case.id).anonymised_at is None
    assert count(RetentionHold) == 0


def test_a_manager_sees_the_cases_due_and_confirms_a_batch(signed_in):
    one, two = closed_case(1), closed_case(2)
    client, _manager = signed_in("manager")
    page = html(client.get(REVIEW))
    assert one.reference in page and two.reference in page
    assert "Years after closure" in page and 'name="case_ids"' in page
    response = post_form(client, f"{REVIEW}/confirm", {"case_ids": [str(one.id)]}, form_url=REVIEW)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, one.id).anonymised_at is not None
    assert db.session.get(Case, two.id).anonymised_at is None
    page = html(client.get(REVIEW))
    assert "1 case anonymised" in page
    assert f'id="case-{one.id}"' not in page and f'id="case-{two.id}"' in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Select the cases to anonymise"),
        ({"case_ids": ["x1"]}, "Select the cases from the list"),
    ],
)
def test_a_bad_batch_says_what_is_wrong_and_writes_nothing(signed_in, data, message):
    case = closed_case()
    client, _manager = signed_in("manager")
    before = count(AuditEvent)
    response = post_form(client, f"{REVIEW}/confirm", data, form_url=REVIEW)
    assert response.status_code == 400
    assert message in html(response) and "There is a problem" in html(response)
    assert db.session.get(Case, case.id).anonymised_at is None
    # Only the page's views are recorded: the form's, and the page shown with the problem.
    assert count(AuditEvent) == before + 2


def test_a_legal_hold_is_placed_and_removed_with_reasons(signed_in):
    case = closed_case()
    client, _manager = signed_in("manager")
    response = post_form(
        client,
        "/retention/holds/new",
        {"reference": case.reference.lower(), "reason": "A claim was made"},
    )
    assert response.status_code == 302
    page = html(client.get(REVIEW))
    assert "A claim was made" in page
    assert 'name="case_ids"' not in page  # held: no longer in the list
    [hold] = db.session.scalars(select(RetentionHold)).all()
    url = f"/retention/holds/{hold.id}/remove"
    assert post_form(client, url, {"reason": ""}).status_code == 400
    assert post_form(client, url, {"reason": "Settled"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(RetentionHold, hold.id).removal_reason == "Settled"
    assert case.reference in html(client.get(REVIEW))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reference": "EIP-1999-9999", "reason": "A claim"}, "Enter the reference of a case"),
        ({"reference": "", "reason": "A claim"}, "Enter the case reference"),
        ({"reference": "EIP-2026-0001", "reason": " "}, "Enter why the case is held"),
        ({"reference": "EIP-2026-0001", "reason": "x" * 501}, "500 characters or fewer"),
    ],
)
def test_a_bad_hold_says_what_is_wrong_and_writes_nothing(signed_in, data, message):
    closed_case()
    client, _manager = signed_in("manager")
    response = post_form(client, "/retention/holds/new", data)
    assert response.status_code == 400
    assert message in html(response)
    assert count(RetentionHold) == 0


def test_the_settings_page_shows_each_retention_setting_with_its_legal_basis(signed_in):
    client, _manager = signed_in("manager")
    page = html(client.get("/admin/settings"))
    assert "6 years" in page and "90 calendar days" in page
    assert page.count("UK GDPR Article 5(1)(e)") == 6
    assert "Limitation Act 1980" in page and "the programme&#39;s policy to confirm" in page


def test_a_retention_setting_is_validated_and_its_change_audited(signed_in):
    client, _manager = signed_in("manager")
    bad = post_form(client, "/admin/settings/change", {**SETTINGS_FORM, "retain_case_years": "0"})
    assert bad.status_code == 400
    assert "must be between 1 and 20 years" in html(bad)
    assert settings_row().retain_case_years == 6
    good = post_form(
        client, "/admin/settings/change", {**SETTINGS_FORM, "retain_child_extra_years": "8"}
    )
    assert good.status_code == 302
    assert settings_row().retain_child_extra_years == 8
    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "settings.updated")
    ).all()
    # Only the retention setting changed (the form's dates may differ from today's defaults
    # when the clock runs ahead, so the other fields are not compared).
    assert event.details["changes"]["retain_child_extra_years"] == [7, 8]
    assert "retain_case_years" not in event.details["changes"]


def test_the_review_makes_the_same_number_of_queries_for_3_or_30_cases(app, signed_in):
    from tests.web.test_case_lists import count_queries

    client, _manager = signed_in("manager")
    for day in range(1, 4):
        closed_case(day)
    with count_queries(app) as few:
        assert client.get(REVIEW).status_code == 200
    for day in range(4, 31):
        closed_case(day)
    with count_queries(app) as many:
        page = html(client.get(REVIEW))
    assert page.count('name="case_ids"') == 30
    assert len(many) == len(few)


def test_the_managers_home_links_to_each_personal_data_page(signed_in):
    client, _user = signed_in("manager")
    page = html(client.get("/"))
    for address in ("/subject-access", "/data-requests", "/retention"):
        assert f'href="{address}' in page, address


def test_a_practitioners_home_has_no_personal_data_links(signed_in):
    client, _user = signed_in("practitioner")
    assert "personal-data-links" not in html(client.get("/"))
