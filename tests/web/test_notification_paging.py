"""The notification centre pages its two lists by key, each on its own: walking either
forwards and back shows every notification of that list exactly once, newest first, across
notifications made at the same moment, and keeps the other list where it was."""

import re
from html import unescape

import pytest

from eip.notifications import centre
from tests.web.test_notification_pages import notify

NAV = 'aria-label="Pages of {} notifications">(.*?)</nav>'


def part(html: str, which: str) -> str:
    new, _, earlier = html.partition('id="earlier"')
    return new if which == "new" else earlier


def walk(client, url: str, which: str, rel: str) -> tuple[list[list[str]], str]:
    pages = []
    while True:
        response = client.get(url)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        pages.append(re.findall(r"Case (EIP-2026-\d+)\.", part(html, which)))
        nav = re.search(NAV.format(which), html, re.S)
        link = nav and re.search(rf'href="([^"]+)" rel="{rel}"', nav.group(1))
        if not link:
            return pages, url
        url = unescape(link.group(1))


@pytest.fixture
def many(signed_in, monkeypatch):
    monkeypatch.setattr(centre, "NEW_PAGE_SIZE", 4)
    monkeypatch.setattr(centre, "EARLIER_PAGE_SIZE", 3)
    client, user = signed_in("practitioner")
    made = []
    for i in range(30):
        made.append(
            notify(
                user,
                reference=f"EIP-2026-{1000 + i}",
                minutes=i // 3,  # three at each moment
                read=i % 3 == 0,
                closed="done" if i % 7 == 0 and i % 3 else None,
            )
        )
    return client, made


def newest_first(items):
    return [n.case_reference for n in sorted(items, key=lambda n: (n.created_at, n.id))][::-1]


@pytest.mark.parametrize("which", ["new", "earlier"])
def test_each_list_pages_forwards_and_back_showing_each_notification_once(many, which):
    client, made = many
    is_new = [n for n in made if n.read_at is None and n.closed_at is None]
    expected = newest_first(is_new if which == "new" else [n for n in made if n not in is_new])
    forwards, last_url = walk(client, "/notifications", which, "next")
    assert [ref for page in forwards for ref in page] == expected
    assert len(forwards) > 2
    backwards, _ = walk(client, last_url, which, "prev")
    assert list(reversed(backwards)) == forwards


def test_paging_one_list_keeps_the_other_where_it_was(many):
    client, _ = many
    html = client.get("/notifications").get_data(as_text=True)
    new_next = unescape(re.search(r'href="([^"]+)" rel="next"', html).group(1))
    second = client.get(new_next).get_data(as_text=True)
    earlier_next = re.search(NAV.format("earlier"), second, re.S).group(1)
    link = unescape(re.search(r'href="([^"]+)" rel="next"', earlier_next).group(1))
    assert "earlier_after=" in link and "after=" in link.replace("earlier_after=", "")
    third = client.get(link).get_data(as_text=True)
    assert re.findall(r"Case (EIP-2026-\d+)\.", part(third, "new")) == re.findall(
        r"Case (EIP-2026-\d+)\.", part(second, "new")
    )


@pytest.mark.parametrize("query", ["after=zz", "earlier_before=1.2.3", "after=1.2&before=1.3"])
def test_a_forged_notifications_link_is_a_400(many, query):
    client, _ = many
    assert client.get(f"/notifications?{query}").status_code == 400
