"""The audit trail pages by key ("newer"/"older" carry the edge event's time and id), never
by OFFSET: walking forwards and back shows every matching event exactly once, newest first,
across events recorded at the same instant, with each filter; a forged link is a 400."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from eip.audit import AuditEvent, record, search
from eip.extensions import db
from eip.workdays import london_date
from tests import factories
from tests.web.test_case_list_paging import NEXT, PREV, walk


@pytest.fixture
def trail(signed_in):
    """45 events in the past, three at each instant, by two users, about two cases, half of
    them account events; plus whatever signing in recorded."""
    client, manager = signed_in("manager")
    other = factories.user("practitioner")
    first, second = factories.case("Camden"), factories.case("Hackney")
    moment = datetime(2026, 11, 20, 12, 0, 0, 250000, tzinfo=UTC)
    for i in range(45):
        event = record(
            db.session,
            ("auth.sign_in", "case.view")[i % 2],
            actor=(manager, other)[i % 3 % 2],
            case_reference=(first.reference, second.reference, None)[i % 3],
            reason=f"event {i}",
        )
        event.at = moment - timedelta(hours=i // 3 * 7)
    db.session.commit()
    return client, manager, other, first


def expected(*conditions) -> list[int]:
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.reason.like("event %"), *conditions)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    return [int(event.reason.split()[1]) for event in events]


def numbers(pages) -> list[int]:
    return [n for page in pages for n in page]


def event_numbers(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"event (\d+)", html)]


def walk_events(client, url, link):
    return walk(client, url, link, items=event_numbers)


@pytest.mark.parametrize("page_size", [50, 4, 7])
def test_paging_the_trail_forwards_and_back_shows_every_event_once_in_order(
    trail, monkeypatch, page_size
):
    client, _, other, case = trail
    monkeypatch.setattr(search, "PAGE_SIZE", page_size)
    day = london_date(datetime(2026, 11, 19, 12, tzinfo=UTC))
    boxes = f"{day.day}&date_from={day.month}&date_from={day.year}"
    to_boxes = f"{day.day}&date_to={day.month}&date_to={day.year}"
    for args, conditions in [
        ("", ()),
        (f"user={other.id}", (AuditEvent.actor_id == other.id,)),
        (f"case_reference={case.reference}", (AuditEvent.case_reference == case.reference,)),
        (
            f"date_from={boxes}&date_to={to_boxes}",
            (
                AuditEvent.at >= datetime(2026, 11, 19, tzinfo=UTC),
                AuditEvent.at < datetime(2026, 11, 20, tzinfo=UTC),
            ),
        ),
    ]:
        want = expected(*conditions)
        assert want, args
        forwards, last_url = walk_events(client, f"/audit/?{args}", NEXT)
        assert numbers(forwards) == want, args
        backwards, _ = walk_events(client, last_url, PREV)
        assert list(reversed(backwards)) == forwards, args


def test_the_account_events_page_pages_by_key_for_an_admin(trail, signed_in, monkeypatch):
    monkeypatch.setattr(search, "PAGE_SIZE", 4)
    admin_client, _ = signed_in("admin")
    want = expected(AuditEvent.action.startswith("auth."))
    forwards, last_url = walk_events(admin_client, "/audit/account-events", NEXT)
    assert numbers(forwards) == want
    backwards, _ = walk_events(admin_client, last_url, PREV)
    assert list(reversed(backwards)) == forwards


@pytest.mark.parametrize(
    "query", ["after=x", "before=1.2&after=3.4", "after=-99999999999999999.1", "before=1"]
)
def test_a_forged_trail_link_is_a_400(trail, query):
    client, *_ = trail
    response = client.get(f"/audit/?{query}")
    assert response.status_code == 400
    assert "could not be processed" in response.get_data(as_text=True)


def test_a_well_formed_link_to_an_undated_event_shows_nothing_after_it(trail):
    """Audit events always have a time; a token for "no date" comes after all of them."""
    client, *_ = trail
    response = client.get("/audit/?after=n.5")
    assert response.status_code == 200 and "event 0" not in response.get_data(as_text=True)
    response = client.get("/audit/?before=n.5")
    assert response.status_code == 200, response.status_code
    back = response.get_data(as_text=True)
    assert event_numbers(back) == expected()  # fewer than a page: the first page
