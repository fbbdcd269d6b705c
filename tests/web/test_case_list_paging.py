"""The case list pages by key ("next"/"previous" carry the edge row's received_at and id),
never by OFFSET: walking forwards and back shows every matching case exactly once and in
order, across ties in received_at and the undated cases (which come last), with each
filter, on whichever engine the suite runs; a forged or mangled link is a 400."""

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest

from eip.cases import queries
from eip.clock import today
from eip.extensions import db
from tests import factories

REFERENCE = re.compile(r'href="/cases/(EIP-[0-9-]+)"')
NEXT = re.compile(r'href="([^"]+)" rel="next"')
PREV = re.compile(r'href="([^"]+)" rel="prev"')


def references(html: str) -> list[str]:
    return REFERENCE.findall(html)


def walk(client, url: str, link: re.Pattern, items=references) -> tuple[list[list], str]:
    """Follow `link` from `url` to the end: each page's `items`, and the last URL."""
    pages = []
    while True:
        response = client.get(url)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        pages.append(items(html))
        found = link.search(html)
        if found is None:
            return pages, url
        url = unescape(found.group(1))
        assert "page=" not in url and "offset" not in url


@pytest.fixture
def many_cases(signed_in):
    """60 cases: received in threes at the very same moment (ties), every sixth undated,
    spread over two boroughs, two practitioners and two statuses."""
    client, user = signed_in("practitioner")
    other = factories.user("practitioner")
    moment = datetime.now(UTC).replace(microsecond=123456)
    cases = []
    for i in range(60):
        case = factories.case(
            ("Camden", "Hackney")[i % 2],
            practitioner=(user, other)[i % 4 // 2],
            status=("referred", "active")[i % 3 % 2],
        )
        case.received_at = None if i % 6 == 5 else moment - timedelta(days=i // 3)
        cases.append(case)
    db.session.commit()
    return client, user, other, cases


def in_list_order(cases):
    """received_at DESC NULLS LAST, id DESC, written out in Python."""
    dated = sorted((c for c in cases if c.received_at), key=lambda c: (c.received_at, c.id))
    undated = sorted((c for c in cases if c.received_at is None), key=lambda c: c.id)
    return [c.reference for c in reversed(dated)] + [c.reference for c in reversed(undated)]


def filters(user, other, cases):
    camden = cases[0].borough_id
    return [
        ("", cases),
        (f"borough={camden}", [c for c in cases if c.borough_id == camden]),
        (f"practitioner={other.id}", [c for c in cases if c.allocated_practitioner_id == other.id]),
        ("status=active", [c for c in cases if c.status == "active"]),
        ("reference=1", [c for c in cases if "1" in c.reference]),
        (
            f"status=referred&borough={camden}",
            [c for c in cases if c.status == "referred" and c.borough_id == camden],
        ),
    ]


@pytest.mark.parametrize("page_size", [25, 4, 5])
def test_paging_forwards_and_back_shows_every_case_once_in_order_with_each_filter(
    many_cases, monkeypatch, page_size
):
    client, user, other, cases = many_cases
    monkeypatch.setattr(queries, "PAGE_SIZE", page_size)
    for args, matching in filters(user, other, cases):
        expected = in_list_order(matching)
        forwards, last_url = walk(client, f"/cases/?{args}", NEXT)
        assert [ref for page in forwards for ref in page] == expected, args
        assert all(len(page) == page_size for page in forwards[:-1])
        backwards, first_url = walk(client, last_url, PREV)
        assert list(reversed(backwards)) == forwards, args
        assert len(forwards) == 1 or "before=" in first_url


def test_the_overdue_filter_pages_by_key_too(many_cases, monkeypatch):
    client, _, _, cases = many_cases
    monkeypatch.setattr(queries, "PAGE_SIZE", 4)
    overdue = {
        row.case.reference for row in queries.rows_for(db.session, cases, today()) if row.overdue
    }
    assert 4 < len(overdue) < len(cases)  # the walk crosses pages and skips cases
    expected = [ref for ref in in_list_order(cases) if ref in overdue]
    forwards, last_url = walk(client, "/cases/?overdue=y", NEXT)
    assert [ref for page in forwards for ref in page] == expected
    backwards, _ = walk(client, last_url, PREV)
    assert list(reversed(backwards)) == forwards


def test_links_carry_a_date_and_a_row_number_only(many_cases):
    client, *_ = many_cases
    html = client.get("/cases/").get_data(as_text=True)
    link = unescape(NEXT.search(html).group(1))
    assert re.fullmatch(r"/cases/\?after=[0-9]+\.[0-9]+", link)
    assert "Page 1 of" not in html


@pytest.mark.parametrize(
    "query",
    [
        "after=nonsense",
        "before=",
        "after=1.2&before=3.4",
        "after=99999999999999999.1",
        "after=n.99999999999999999999",
        "after=1.2.3",
        "after=%00",
        "before=-99999999999999999.5",
    ],
)
def test_a_forged_or_mangled_link_is_refused_with_a_400_or_shows_the_first_page(many_cases, query):
    client, *_ = many_cases
    response = client.get(f"/cases/?{query}")
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert "could not be processed" in response.get_data(as_text=True)


def test_a_well_formed_link_to_a_key_no_case_has_still_pages_from_there(many_cases):
    client, _, _, cases = many_cases
    expected = in_list_order(cases)
    # A moment before every case: nothing dated after it, then the undated cases.
    html = client.get("/cases/?after=0.1").get_data(as_text=True)
    assert references(html) == expected[-10:]
    html = client.get("/cases/?after=n.999999999").get_data(as_text=True)
    assert references(html) == expected[-10:]
    assert references(client.get("/cases/?after=n.1").get_data(as_text=True)) == []
    # Back from before every case: the first page.
    html = client.get("/cases/?before=9999999999999999.1").get_data(as_text=True)
    assert references(html) == expected[:25]
