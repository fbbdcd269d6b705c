"""The placements page pages by key: those waiting for the SPOC come first on the first page
(oldest first); the rest, newest first, are paged by created_at and id, forwards and back,
each exactly once across placements made at the same moment, for a manager, a SPOC (their
borough) and with the state filter; a forged link is a 400."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from accommodation.placements import queue_page
from eip.extensions import db
from tests import factories_accommodation as fa
from tests.web.test_case_list_paging import NEXT, PREV, walk

STATES = ["approved", "declined", "withdrawn", "requested", "approved", "cancelled"]


def names(html: str) -> list[str]:
    return re.findall(r'href="/placements/\d+">([^<]+)</a>', html)


@pytest.fixture
def placements(monkeypatch):
    monkeypatch.setattr(queue_page, "PAGE_SIZE", 4)
    moment = datetime(2026, 11, 20, 10, 0, 0, 500000, tzinfo=UTC)
    made = []
    for i in range(24):
        case = fa.accommodation_case(borough_name=("Camden", "Hackney")[i % 4 // 3])
        placement = fa.placement(case, STATES[i % len(STATES)], nights=5)
        placement.created_at = moment - timedelta(hours=i // 3)  # three at each moment
        made.append(placement)
    db.session.commit()
    return made


def in_order(placements):
    waiting = sorted(
        (p for p in placements if p.state == "requested"), key=lambda p: (p.created_at, p.id)
    )
    rest = sorted(
        (p for p in placements if p.state != "requested"), key=lambda p: (p.created_at, p.id)
    )
    return [p.name for p in waiting] + [p.name for p in reversed(rest)]


@pytest.mark.parametrize(
    ("role", "borough", "args", "keep"),
    [
        ("manager", None, "", lambda p: True),
        ("spoc", "Camden", "", lambda p: p.case.borough.name == "Camden"),
        ("manager", None, "state=approved", lambda p: p.state == "approved"),
    ],
)
def test_the_list_pages_forwards_and_back_showing_each_placement_once(
    signed_in, placements, role, borough, args, keep
):
    client, _ = signed_in(role, **({"borough_name": borough} if borough else {}))
    expected = in_order([p for p in placements if keep(p)])
    forwards, last_url = walk(client, f"/placements?{args}", NEXT, items=names)
    assert [name for page in forwards for name in page] == expected
    assert len(forwards) > 1
    backwards, _ = walk(client, last_url, PREV, items=names)
    assert list(reversed(backwards)) == forwards


@pytest.mark.parametrize("query", ["after=x", "before=1.2&after=3.4", "after=1.2.3"])
def test_a_forged_placements_link_is_a_400(signed_in, query):
    client, _ = signed_in("manager")
    assert client.get(f"/placements?{query}").status_code == 400
