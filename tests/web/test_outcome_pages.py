"""Outcome measures through the real app and its forms (CSRF on): a practitioner records
and corrects a point, the case page shows the change chart and the table of the same
figures, bad input writes nothing, a closed case offers its follow-ups only, managers see
the section without its links, and every other role is refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from eip.cases import outcomes
from eip.cases.records import OutcomeMeasure
from eip.clock import today
from eip.extensions import db
from tests import factories_pathway_activity as fa
from tests.conftest import csrf_token_from, post_form


def _parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def outcome_form(day: date, level: int = 3, **overrides) -> dict:
    data = {column: str(level) for column in outcomes.BEHAVIOUR_COLUMNS}
    data.update(
        measured_on=_parts(day),
        partner_source="support_worker",
        partner_feels_safe="3",
        partner_abuse_frequency=str(level),
        partner_quality_of_life="2",
        children_exposure="witnessed",
    )
    data.update(overrides)
    return data


def count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(OutcomeMeasure))


def section(html: str) -> str:
    start = html.index('<section id="outcomes"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def active(signed_in):
    client, practitioner = signed_in("practitioner")
    received = today() - timedelta(days=50)
    case = fa.case(
        practitioner=practitioner, received_on=received, started_on=received + timedelta(days=14)
    )
    return client, case


def url(case, point: str) -> str:
    return f"/cases/{case.reference}/outcomes/{point}"


def test_measures_at_two_points_show_as_a_chart_and_a_table_with_the_change(active):
    client, case = active
    intake = post_form(client, url(case, "intake"), outcome_form(today() - timedelta(days=30), 4))
    assert intake.status_code == 302, intake.get_data(as_text=True)
    mid = post_form(
        client,
        url(case, "mid"),
        outcome_form(today(), 2, partner_feels_safe="7", children_exposure="none"),
    )
    assert mid.status_code == 302
    shown = section(client.get(f"/cases/{case.reference}").get_data(as_text=True))
    assert "<svg" in shown and 'role="img"' in shown
    assert "Intake: 32. Mid-point: 16. Change from Intake to Mid-point: -16." in shown
    assert "How safe the partner feels" in shown
    assert 'id="outcome-figures"' in shown
    assert "About once a week (4)" not in shown  # labels, never a code in brackets
    assert "About once a week" in shown and "Two or three times (-2)" in shown
    assert "-16" in shown and "+4" in shown  # behaviour score fell, feeling safe rose
    assert "Change</a>" not in shown and "Change<span" in shown  # a link to correct it


def test_a_correction_is_saved_from_the_points_page_and_an_older_page_is_refused(active):
    client, case = active
    post_form(client, url(case, "intake"), outcome_form(today()))
    page = client.get(url(case, "intake")).get_data(as_text=True)
    assert "Change the intake outcome measures" in page and "corrects them" in page
    assert post_form(client, url(case, "intake"), outcome_form(today(), 1)).status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(OutcomeMeasure)).one().client_physical == 1
    stale = client.post(
        url(case, "intake"),
        data={**outcome_form(today(), 0), "version": "1", "csrf_token": csrf_token_from(page)},
    )
    assert stale.status_code == 409
    db.session.expire_all()
    assert db.session.scalars(select(OutcomeMeasure)).one().client_physical == 1


def test_bad_input_shows_every_problem_and_writes_nothing(active):
    client, case = active
    response = post_form(
        client,
        url(case, "intake"),
        outcome_form(
            today(),
            measured_on=["31", "2", "2026"],
            client_physical="",
            client_children="9",
            partner_source="",
            children_exposure="",
        ),
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "govuk-error-summary" in html
    for message in (
        "The date the measures were taken must be a real date",
        "Select how often in the last 3 months: physical harm",
        "Select how often in the last 3 months: harm directed at the children",
        "Select whether the partner was asked, and by whom",
        "Select the children&#39;s exposure to abuse",
    ):
        assert message in html, message
    assert count() == 0


def test_the_partners_answers_are_needed_only_when_they_were_asked(active):
    client, case = active
    asked = post_form(
        client,
        url(case, "intake"),
        outcome_form(today(), partner_feels_safe="", partner_quality_of_life=""),
    )
    assert asked.status_code == 400
    assert "Select how safe the partner feels, from 0 to 10" in asked.get_data(as_text=True)
    not_asked = post_form(
        client,
        url(case, "intake"),
        outcome_form(
            today(),
            partner_source="declined",
            partner_feels_safe="",
            partner_abuse_frequency="",
            partner_quality_of_life="",
        ),
    )
    assert not_asked.status_code == 302
    assert db.session.scalars(select(OutcomeMeasure)).one().partner_source == "declined"


def test_a_closed_case_offers_only_its_follow_ups(signed_in):
    client, practitioner = signed_in("practitioner")
    received = today() - timedelta(days=170)
    case = fa.case(
        "closed",
        practitioner=practitioner,
        received_on=received,
        started_on=received + timedelta(days=14),
    )
    shown = section(client.get(f"/cases/{case.reference}").get_data(as_text=True))
    assert url(case, "followup_3") in shown and url(case, "followup_6") in shown
    assert url(case, "intake") not in shown and url(case, "exit") not in shown
    refused = client.get(url(case, "exit")).get_data(as_text=True)
    assert "only its follow-up measures" in refused
    posted = post_form(client, url(case, "exit"), outcome_form(today()))
    assert posted.status_code in (400, 409) and count() == 0
    assert post_form(client, url(case, "followup_3"), outcome_form(today())).status_code == 302
    assert count() == 1


def test_an_unknown_point_is_not_found(active):
    client, case = active
    assert client.get(url(case, "week_9")).status_code == 404


def test_a_manager_sees_the_measures_but_does_not_record_them(signed_in, active):
    client, case = active
    post_form(client, url(case, "intake"), outcome_form(today()))
    manager, _ = signed_in("manager")
    shown = section(manager.get(f"/cases/{case.reference}").get_data(as_text=True))
    assert 'id="outcome-figures"' in shown and url(case, "mid") not in shown
    assert manager.get(url(case, "mid")).status_code == 403


@pytest.mark.parametrize("role", ["spoc", "finance", "evaluator", "admin"])
def test_other_roles_never_see_the_measures_nor_reach_the_form(signed_in, active, role):
    client, case = active
    post_form(client, url(case, "intake"), outcome_form(today()))
    other, _ = signed_in(role, borough_name="Camden" if role == "spoc" else None)
    body = other.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Outcome measures" not in body
    token = csrf_token_from(other.get("/").get_data(as_text=True))
    assert other.get(url(case, "mid")).status_code == 403
    posted = other.post(url(case, "mid"), data={**outcome_form(today()), "csrf_token": token})
    assert posted.status_code == 403
    assert count() == 1


def test_the_closure_page_warns_while_the_exit_measures_are_missing(active):
    """Exit has no dated due item and cannot be recorded once the case is closed: the
    closure page says so, with a link, until the exit measures are recorded."""
    client, case = active
    page = client.get(f"/cases/{case.reference}/close").get_data(as_text=True)
    assert 'id="exit-measures-missing"' in page and url(case, "exit") in page
    assert post_form(client, url(case, "exit"), outcome_form(today())).status_code == 302
    page = client.get(f"/cases/{case.reference}/close").get_data(as_text=True)
    assert 'id="exit-measures-missing"' not in page
