"""Home pages draw a fixed number of rows with a fixed number of queries, whatever the
number of cases: the rest is a "see all" link away (issue 16)."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from accommodation.models import PlacementExtension
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


def test_two_practitioners_each_see_only_their_own_work_one_after_the_other(signed_in):
    # Each list's statement is built once per user and kept (eip/statement_cache.py).
    first_client, first = signed_in("practitioner")
    second_client, second = signed_in("practitioner")
    mine, theirs = overdue_cases(1, first)[0], overdue_cases(1, second)[0]
    for _ in range(2):
        for client, own, other in ((first_client, mine, theirs), (second_client, theirs, mine)):
            for path in ("/", "/work"):
                html = client.get(path).get_data(as_text=True)
                assert own.reference in html and other.reference not in html


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


def _work_items_and_links(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    items = (
        re.findall(r"<li>.*?</li>", html.split("eip-due-list", 1)[1], re.S)
        if ("eip-due-list" in html)
        else []
    )
    links = dict(
        (rel, href.replace("&amp;", "&"))
        for href, rel in re.findall(r'href="(/work\?[^"]+)" rel="(next|prev)"', html)
    )
    return items, links, html


def test_the_work_list_pages_by_key_forwards_and_back_in_the_same_order(signed_in, monkeypatch):
    from eip.main import home

    client, me = signed_in("practitioner")
    overdue_cases(4, me)
    everything, links, html = _work_items_and_links(client, "/work")
    assert len(everything) == 8 and links == {}  # one page: no links
    monkeypatch.setattr(home, "WORK_PAGE_SIZE", 3)
    pages, path = [], "/work"
    while path:
        items, links, html = _work_items_and_links(client, path)
        assert ("prev" in links) == bool(pages)
        assert "Page 1 of" not in html
        pages.append(items)
        path = links.get("next")
    assert [len(page) for page in pages] == [3, 3, 2]
    assert [
        item for page in pages for item in page
    ] == everything  # next by next: every item once, in the same order
    # "Previous" from the last page: the pages before it, the same as on the way forwards.
    back = links["prev"]
    for expected in reversed(pages[:-1]):
        items, links, _html = _work_items_and_links(client, back)
        assert items == expected
        back = links.get("prev")
    assert back is None


def test_an_old_numbered_work_list_link_opens_the_first_page(signed_in):
    client, me = signed_in("practitioner")
    overdue_cases(2, me)
    first, _links, _html = _work_items_and_links(client, "/work")
    for old in ("/work?page=2", "/work?page=99", "/work?page=nonsense"):
        assert _work_items_and_links(client, old)[0] == first


@pytest.mark.parametrize(
    "query",
    [
        "after=nonsense",
        "after=1764979200000000.12",  # the case list's kind of token
        "after=20271399.0.1.0",  # no such date
        "before=20271206.2.1.0",  # urgent is 0 or 1
        "after=20271206.0.99999999999999999999.0",
        "after=20271206.0.1.0&before=20271206.0.1.0",
    ],
)
def test_a_work_list_link_this_service_did_not_make_is_refused(signed_in, query):
    client, me = signed_in("practitioner")
    overdue_cases(1, me)
    assert client.get(f"/work?{query}").status_code == 400


def test_the_counts_are_exact_below_the_cap_and_say_so_at_it(signed_in, monkeypatch):
    from eip import paging

    monkeypatch.setattr(queries, "HOME_DUE_LIMIT", 3)
    client, me = signed_in("practitioner")
    overdue_cases(4, me)  # 8 overdue items
    monkeypatch.setattr(paging, "COUNT_CAP", 9)
    html = client.get("/").get_data(as_text=True)
    assert "(8)" in html and "And 5 more overdue." in html
    assert "See all 8 items overdue or due soon" in html
    assert "8 overdue, 0 due today" in client.get("/work").get_data(as_text=True)
    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    html = client.get("/").get_data(as_text=True)
    assert "(5 or more)" in html and "And at least 2 more overdue." in html
    assert "See all 5 or more items overdue or due soon" in html
    assert "5 or more overdue, 0 due today" in client.get("/work").get_data(as_text=True)


def test_the_count_wording(monkeypatch):
    from eip.formatting import count_text, more_text, total_text

    assert [count_text(n) for n in (0, 1, 999)] == ["0", "1", "999"]
    assert count_text(1000) == "1,000 or more"
    assert more_text(999, 20) == "979" and more_text(1000, 20) == "at least 980"
    # A sum is exact while no count reached the cap, however large.
    assert total_text([999, 600]) == "1599" and total_text([1000, 600]) == "1,600 or more"


def test_the_manager_and_spoc_homes_count_cases_exactly_and_cap_the_unallocated(
    signed_in, monkeypatch
):
    """Cases by status and borough come exact from the running tallies at any size; the
    open cases with no practitioner are a count of rows, so that one is capped."""
    from eip import paging

    practitioner = factories.user("practitioner")
    overdue_cases(3, practitioner)
    for case in overdue_cases(2, None):
        case.allocated_practitioner_id = None
    db.session.commit()
    manager, _ = signed_in("manager")
    html = manager.get("/").get_data(as_text=True)
    assert '<span class="eip-figure__number">5</span>' in html  # cases in the tracker
    assert '<span class="eip-figure__number">2</span>' in html  # with no practitioner
    monkeypatch.setattr(paging, "COUNT_CAP", 2)
    html = manager.get("/").get_data(as_text=True)
    assert (
        '<span class="eip-figure__number">5</span>'
        '<span class="eip-figure__label">cases in the tracker' in html
    )
    assert (
        '<span class="eip-figure__number">2 or more</span><span class="eip-figure__label">' in html
    )
    assert (
        'data-label="Borough">Camden</td><td class="govuk-table__cell '
        'govuk-table__cell--numeric" data-label="Cases">5</td>' in html
    )
    monkeypatch.setattr(queue_page, "HOME_LIMIT", 1)
    spoc, _ = signed_in("spoc", borough_name="Camden")
    html = spoc.get("/").get_data(as_text=True)
    assert "the newest 1 of 5" in html and "All 5 of your borough" in html


def test_the_spoc_home_merges_waiting_requests_and_extensions_oldest_first(signed_in, monkeypatch):
    # Requests wait since they were made, extensions since they were asked for; the home
    # shows the oldest few of both together and counts every one, once, of its own borough.
    monkeypatch.setattr(queue_page, "HOME_LIMIT", 2)
    now = datetime.now(UTC)
    newer = accommodation.placement(accommodation.accommodation_case())
    older = accommodation.placement(accommodation.accommodation_case())
    newer.created_at, older.created_at = now - timedelta(days=2), now - timedelta(days=5)
    staying = accommodation.placement(accommodation.accommodation_case(), "checked_in")
    # Two extensions of one stay wait: the first asked for is the one to decide.
    first = PlacementExtension(
        placement_id=staying.id, nights=7, reason="Housing offer", requested_at=now
    )
    second = PlacementExtension(
        placement_id=staying.id, nights=3, reason="More", requested_at=now - timedelta(days=9)
    )
    db.session.add(first)
    db.session.flush()
    db.session.add(second)
    first.requested_at = now - timedelta(days=3)
    decided = accommodation.placement(accommodation.accommodation_case(), "checked_in")
    db.session.add(
        PlacementExtension(
            placement_id=decided.id,
            nights=2,
            reason="Declined",
            state="declined",
            requested_at=now - timedelta(days=30),
        )
    )
    elsewhere = accommodation.placement(accommodation.accommodation_case(borough_name="Hackney"))
    elsewhere.created_at = now - timedelta(days=60)
    db.session.commit()
    client, _ = signed_in("spoc", borough_name="Camden")
    html = client.get("/").get_data(as_text=True)
    assert "Waiting for your decision <span" in html and "(3)" in html
    cards = html.split('class="govuk-summary-card__title"')[1:]
    assert len(cards) == 2
    assert f"Request: placement {older.name}" in cards[0]
    assert f"Extension: placement {staying.name}" in cards[1]
    assert f"extensions/{first.id}/decide" in cards[1] or f"extensions/{first.id}" in cards[1]
    assert f"extensions/{second.id}" not in html
    assert newer.name not in html.split("Your borough")[0]
    assert elsewhere.name not in html and decided.name not in html.split("Your borough")[0]
    assert "And 1 more waiting" in html


def test_the_spoc_home_shows_the_pot_as_it_is_after_every_change_of_the_money(signed_in):
    # The whole pot's figures are kept between requests (accommodation.budget.memo) while the
    # money has not changed: an approval anywhere, or a request made, shows on the next view.
    def available(html):
        return re.search(r"Available in the pot now: <strong>([^<]+)</strong>", html).group(1)

    def pence(text):
        return int(text.replace("£", "").replace(",", "").replace(".", ""))

    client, _ = signed_in("spoc", borough_name="Camden")
    accommodation.placement(accommodation.accommodation_case(), "approved", nights=10)
    before = client.get("/").get_data(as_text=True)
    assert "No placement requests are waiting" in before
    assert available(client.get("/").get_data(as_text=True)) == available(before)  # kept
    elsewhere = accommodation.accommodation_case(borough_name="Hackney")
    accommodation.placement(elsewhere, "approved", nights=7, rate_pence=5_000)
    after = client.get("/").get_data(as_text=True)
    assert pence(available(before)) - pence(available(after)) == 7 * 5_000
    waiting = accommodation.placement(accommodation.accommodation_case())
    html = client.get("/").get_data(as_text=True)
    assert f"Request: placement {waiting.name}" in html and "Fair share for each of the" in html
