"""Home pages draw a fixed number of rows with a fixed number of queries, whatever the
number of cases: the rest is a "see all" link away (issue 16)."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from accommodation.placements import queue_page
from eip.cases import queries
from eip.extensions import db
from tests import factories
from tests import factories_accommodation as accommodation
from tests.web.test_case_lists import count_queries


def overdue_cases(n, practitioner, borough="Camden"):
    made = []
    for i in range(n):
        case = factories.case(borough, practitioner=practitioner)
        case.received_at = datetime.now(UTC) - timedelta(days=20 + 7 * i)
        made.append(case)
    db.session.commit()
    return made


def test_the_work_list_stops_at_its_limit_and_links_to_all_of_it(signed_in, monkeypatch):
    monkeypatch.setattr(queries, "HOME_DUE_LIMIT", 3)
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    client, me = signed_in("practitioner")
    cases = overdue_cases(5, me)
    html = client.get("/").get_data(as_text=True)
    overdue = html.split("Overdue", 1)[1].split("Due today", 1)[0]
    # Each referral owes an acknowledgement and a booking: 10 overdue items, 3 shown.
    assert "(10)" in overdue
    assert overdue.count("<li>") == 3
    assert "And 7 more overdue." in overdue
    assert 'href="/work">See all 10 items overdue or due soon' in html
    # The oldest referral's deadlines are the most overdue: they come first.
    assert cases[-1].reference in overdue and cases[0].reference not in overdue
    # The open cases: a page of 2, newest referral first, and the next pages.
    table = html.split('id="open-cases"', 1)[1].split("</table>", 1)[0]
    assert cases[0].reference in table and cases[2].reference not in table
    # Paged by key like the case list: "next" carries the last row's date and id.
    link = re.search(r'href="(/\?after=[0-9]+\.[0-9]+)" rel="next"', html)
    assert link is not None and "Page 1 of" not in html
    second = client.get(link.group(1)).get_data(as_text=True)
    assert 'rel="prev"' in second
    table = second.split('id="open-cases"', 1)[1].split("</table>", 1)[0]
    assert cases[2].reference in table and cases[0].reference not in table
    # "See all": every item, in pages, in the same order and with the same direct links.
    work = client.get("/work").get_data(as_text=True)
    assert work.count("<li>") == 10
    assert all(case.reference in work for case in cases)
    assert f'href="/cases/{cases[-1].reference}/acknowledge">Acknowledge the referral' in work
    assert client.get("/work?page=99").status_code == 200


def test_the_work_list_is_a_practitioners_own(signed_in):
    client, _me = signed_in("practitioner")
    theirs = overdue_cases(1, factories.user("practitioner"))[0]
    assert theirs.reference not in client.get("/work").get_data(as_text=True)
    assert theirs.reference not in client.get("/").get_data(as_text=True)


def test_the_spoc_home_shows_the_oldest_waiting_decisions_and_the_newest_cases(
    signed_in, monkeypatch
):
    monkeypatch.setattr(queue_page, "HOME_LIMIT", 2)
    first = accommodation.accommodation_case()
    client, spoc = signed_in("spoc", borough_name=first.borough.name)
    waiting = [accommodation.placement(first)]
    waiting += [accommodation.placement(accommodation.accommodation_case()) for _ in range(2)]
    html = client.get("/").get_data(as_text=True)
    assert "Waiting for your decision <span" in html and "(3)" in html
    assert html.count('class="govuk-summary-card__title"') == 2
    assert waiting[0].name in html and waiting[2].name not in html
    assert "And 1 more waiting" in html
    assert "All 3 of your borough&#39;s cases" in html or "All 3 of your borough's cases" in html
    assert f"/cases/?borough={spoc.borough_id}" in html


@pytest.mark.parametrize("role", ["practitioner", "spoc", "manager", "finance"])
def test_each_home_makes_the_same_queries_for_3_or_15_cases(app, signed_in, role):
    client, user = signed_in(role, **({"borough_name": "Camden"} if role == "spoc" else {}))
    practitioner = user if role == "practitioner" else factories.user("practitioner")

    def grow(n):
        overdue_cases(n, practitioner)
        for _ in range(n // 3):
            accommodation.placement(accommodation.accommodation_case(practitioner), "checked_in")

    grow(3)
    with count_queries(app) as few:
        assert client.get("/").status_code == 200
    grow(12)
    with count_queries(app) as many:
        page = client.get("/")
        assert page.status_code == 200
    assert len(many) == len(few)
    assert len(few) <= 20
