"""The manager's dashboard as a page: who may open it, its links from the manager's home,
bad links, the accommodation figures (the budget's own), paging of a long list, and a bounded
number of statements however many cases there are."""

from __future__ import annotations

import pytest

from accommodation.budget import queries as budget_queries
from eip.cases.records import OutcomeMeasure
from eip.clock import today
from eip.extensions import db
from eip.formatting import format_pence
from tests import factories
from tests import factories_accommodation as fa
from tests.web.test_case_lists import count_queries


@pytest.mark.parametrize("role", ["practitioner", "spoc", "finance", "evaluator", "admin"])
def test_only_managers_open_the_dashboard_and_its_lists(signed_in, role):
    client, _user = signed_in(role)
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/dashboard/cases/referrals").status_code == 403


def test_the_managers_home_links_the_dashboard_and_no_longer_promises_figures(signed_in):
    client, _manager = signed_in("manager")
    html = client.get("/").get_data(as_text=True)
    assert 'href="/dashboard/"' in html
    assert "appear here as cases move along the pathway" not in html
    assert client.get("/dashboard/").status_code == 200


@pytest.mark.parametrize(
    "link",
    [
        "/dashboard/cases/nonsense",
        "/dashboard/cases/referrals?month=1999-01",
        "/dashboard/cases/referrals?borough=Camden",
        "/dashboard/cases/outcomes",
        "/dashboard/cases/outcomes?outcome=made_up",
        "/dashboard/cases/dash?intake=purple",
        "/dashboard/cases/dash_movement?move=sideways",
        "/dashboard/cases/meetings",
        "/dashboard/cases/outcome_change?change=improved",
        "/dashboard/cases/outcome_change?measure=behaviour",
        "/dashboard/cases/outcome_change?measure=height&change=improved",
        "/dashboard/cases/outcome_change?measure=behaviour&change=better",
        "/dashboard/cases/outcome_points",
        "/dashboard/cases/outcome_points?point=week_2",
        "/dashboard/cases/outcome_due?point=intake",
    ],
)
def test_a_link_the_dashboard_did_not_make_is_not_found(signed_in, link):
    client, _manager = signed_in("manager")
    assert client.get(link).status_code == 404


def test_a_forged_page_position_is_refused(signed_in):
    client, _manager = signed_in("manager")
    assert client.get("/dashboard/cases/referrals?after=forged").status_code == 400


def test_the_accommodation_figures_are_the_budgets_own_and_list_the_people_accommodated(
    signed_in,
):
    client, manager = signed_in("manager")
    stay = fa.placement(state="checked_in")
    fa.placement(state="requested")
    html = client.get("/dashboard/").get_data(as_text=True)
    result, data = budget_queries.build(db.session, manager, today())
    f = result.figures
    assert f"{f.people} of {f.max_people} at most" in html
    for money in (f.pot, f.committed, f.invoiced, f.paid, f.available):
        assert format_pence(money) in html
    forecast = budget_queries.forecast_of(db.session, result, data)
    assert format_pence(forecast.spend) in html
    listing = client.get("/dashboard/cases/accommodated").get_data(as_text=True)
    assert stay.case.reference in listing
    assert 'id="cases-total">1 case' in listing


def test_a_long_list_of_cases_comes_a_page_at_a_time(signed_in):
    from eip.reports.dashboard import PAGE_SIZE

    client, _manager = signed_in("manager")
    for _ in range(PAGE_SIZE + 2):
        factories.case(status="awaiting_late_agreement")
    first = client.get("/dashboard/cases/late").get_data(as_text=True)
    assert f'id="cases-total">{PAGE_SIZE + 2} cases' in first
    assert 'rel="next"' in first
    next_link = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert next_link.startswith("/dashboard/cases/late?after=")
    second = client.get(next_link.replace("&amp;", "&"))
    assert second.status_code == 200
    assert 'rel="prev"' in second.get_data(as_text=True)


def test_the_dashboard_makes_the_same_queries_for_3_or_15_cases(app, signed_in):
    client, _manager = signed_in("manager")
    practitioner = factories.user("practitioner")

    def grow(n):
        for _ in range(n):
            case = fa.accommodation_case(practitioner)
            case.received_at = case.created_at
            for point in ("intake", "mid"):
                db.session.add(
                    OutcomeMeasure(
                        case_id=case.id,
                        point=point,
                        measured_on=today(),
                        partner_source="practitioner",
                        partner_feels_safe=5,
                        children_exposure="aware",
                    )
                )
        for _ in range(n // 3):
            fa.placement(fa.accommodation_case(practitioner), "checked_in")
        db.session.commit()

    grow(3)
    with count_queries(app) as few:
        assert client.get("/dashboard/").status_code == 200
    grow(12)
    with count_queries(app) as many:
        assert client.get("/dashboard/").status_code == 200
    assert len(many) == len(few)
