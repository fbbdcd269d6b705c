"""The case page's access log is bounded (the latest few events, however often the case is
viewed), with a link to the case's whole log, a page at a time by key, for the same roles."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eip.audit import AuditEvent
from eip.cases.access_log import ACCESS_LOG_LIMIT, ACCESS_LOG_PAGE_SIZE
from eip.clock import now
from eip.extensions import db
from tests import factories


def _earlier_events(case, count: int) -> None:
    """`count` events on the case before today's views, the oldest "Job 0001"."""
    start = now() - timedelta(days=2)
    db.session.add_all(
        AuditEvent(
            at=start + timedelta(minutes=n),
            actor_label=f"job-{n:04d}",
            action="case.viewed",
            object_type="case",
            object_id=str(case.id),
            case_reference=case.reference,
        )
        for n in range(1, count + 1)
    )
    db.session.commit()


def _log_section(html: str) -> str:
    return html[html.index('id="access-log-heading"') :]


def _rows(html: str) -> int:
    """The first table's rows, less its heading row."""
    table = html[html.index("<table") : html.index("</table>")]
    return table.count('<tr class="govuk-table__row">') - 1


def _events_on(case) -> int:
    return db.session.scalar(
        select(func.count()).where(AuditEvent.case_reference == case.reference)
    )


@pytest.mark.parametrize(
    "before, shown, linked",
    [
        (ACCESS_LOG_LIMIT - 2, ACCESS_LOG_LIMIT - 1, False),  # below the bound
        (ACCESS_LOG_LIMIT - 1, ACCESS_LOG_LIMIT, False),  # at it, with this view
        (ACCESS_LOG_LIMIT, ACCESS_LOG_LIMIT, True),  # one over
        (3 * ACCESS_LOG_LIMIT, ACCESS_LOG_LIMIT, True),  # far over
    ],
)
def test_the_case_page_shows_the_latest_events_and_links_to_the_rest(
    signed_in, before, shown, linked
):
    """`before` events on the case before this view (its creation's among them)."""
    case = factories.case("Lambeth")
    earlier = before - _events_on(case)
    _earlier_events(case, earlier)
    client, user = signed_in("practitioner")
    log = _log_section(client.get(f"/cases/{case.reference}").get_data(as_text=True))
    assert _rows(log) == shown
    assert user.name in log  # this very view, newest, is among them
    full = f'href="/cases/{case.reference}/access-log"'
    assert (full in log) is linked
    assert (f"Showing the latest {ACCESS_LOG_LIMIT} events" in log) is linked
    # The newest earlier events are shown, the oldest left to the whole log.
    assert f"Job {earlier:04d}" in log
    assert ("Job 0001" in log) is not linked


def _older_link(html: str) -> str | None:
    found = re.search(r'href="([^"]+)" rel="next"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def _newer_link(html: str) -> str | None:
    found = re.search(r'href="([^"]+)" rel="prev"', html)
    return found.group(1).replace("&amp;", "&") if found else None


@pytest.mark.parametrize("role", ["practitioner", "manager"])
def test_the_whole_access_log_pages_by_key_through_every_event(signed_in, role):
    case = factories.case("Lambeth")
    other = factories.case("Lambeth")
    _earlier_events(case, ACCESS_LOG_PAGE_SIZE + 5 - _events_on(case))
    _earlier_events(other, 3)  # another case's events are never in this log
    client, user = signed_in(role)
    first = client.get(f"/cases/{case.reference}/access-log")
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    assert _rows(html) == ACCESS_LOG_PAGE_SIZE
    assert user.name in html  # viewing the whole log is itself an audited view of the case
    assert _newer_link(html) is None
    older = _older_link(html)
    assert older and older.startswith(f"/cases/{case.reference}/access-log?after=")
    second = client.get(older).get_data(as_text=True)
    # 55 events before and this view: 50, then 6 (and the second page's own view is newer).
    assert _rows(second) == 6
    assert "Job 0001" in second and _older_link(second) is None
    back = client.get(_newer_link(second)).get_data(as_text=True)
    assert _rows(back) == ACCESS_LOG_PAGE_SIZE
    views = db.session.scalars(
        select(AuditEvent.details).where(
            AuditEvent.case_reference == case.reference, AuditEvent.actor_id == user.id
        )
    ).all()
    assert views == [{"view": "access log"}] * 3


def test_a_link_to_a_page_of_the_log_that_this_service_did_not_make_is_refused(signed_in):
    case = factories.case("Lambeth")
    client, _ = signed_in("practitioner")
    assert client.get(f"/cases/{case.reference}/access-log?after=nonsense").status_code == 400
    assert client.get(f"/cases/{case.reference}/access-log?after=1.2&before=3.4").status_code == 400


def test_a_spoc_may_not_see_a_cases_access_log_and_the_refusal_is_audited(signed_in):
    case = factories.case("Hackney")
    client, user = signed_in("spoc", borough_name="Hackney")
    response = client.get(f"/cases/{case.reference}/access-log")
    assert response.status_code == 403
    refusal = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "access.refused"))
    # Refused by role, before the case is read: a SPOC may see no case's access log.
    assert refusal.actor_id == user.id
    viewed = select(func.count()).where(AuditEvent.action == "case.viewed")
    assert db.session.scalar(viewed) == 0


@pytest.mark.parametrize("role", ["finance", "evaluator", "admin"])
def test_roles_without_case_access_are_refused_the_access_log(signed_in, role):
    case = factories.case("Camden")
    client, _ = signed_in(role)
    assert client.get(f"/cases/{case.reference}/access-log").status_code == 403


def test_an_unknown_cases_access_log_is_404(signed_in):
    client, _ = signed_in("manager")
    assert client.get("/cases/EIP-2026-9999/access-log").status_code == 404
