"""The monthly report's standing figures as at the month's end, and its two versions:
internal (nothing suppressed) and the funder's (small counts hidden with the evaluation's
rules, and marked so on every page), each downloaded by managers only and audited as its own
document (issue 19, item 4)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from io import BytesIO

import pytest
import time_machine
from pypdf import PdfReader
from sqlalchemy import select

from accommodation import store
from eip.audit import AuditEvent
from eip.extensions import db
from eip.reports.monthly import monthly_data
from tests import factories
from tests import factories_accommodation as fa
from tests.web.test_report_downloads import REPORT, march  # noqa: F401 (a fixture)

OCTOBER, RUN_ON = date(2026, 10, 1), date(2026, 12, 6)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(12), UTC)


def _case(received: date, closed: date | None = None):
    case = factories.case("Camden", status="closed" if closed else "active")
    case.received_at = _at(received)
    case.closed_at = _at(closed) if closed else None
    return case


def _approved(decided: date, *, cancelled: date | None = None, rate: int = 7_000):
    """A placement approved on `decided` (its commitment dated then), cancelled later if
    told (its release dated then); its case received after October."""
    with time_machine.travel(_at(decided), tick=False):
        placement = fa.placement(state="approved", rate_pence=rate)
    if cancelled:
        placement.state, placement.cancelled_on = "cancelled", cancelled
        store.append(db.session, None, "release", placement, 28 * rate, effective_on=cancelled)
    placement.case.received_at = _at(date(2026, 12, 1))
    return placement


def test_octobers_standing_figures_are_as_at_31_october_when_run_in_december(app_context):
    _case(date(2026, 9, 20))  # open all along
    _case(date(2026, 10, 5), closed=date(2026, 11, 10))  # open on 31 October
    _case(date(2026, 9, 1), closed=date(2026, 10, 31))  # closed on 31 October
    _case(date(2026, 11, 2))  # not yet referred on 31 October
    _approved(date(2026, 10, 7), cancelled=date(2026, 11, 3))  # counted on 31 October
    _approved(date(2026, 11, 20))  # approved after October: not counted in October
    _approved(date(2026, 11, 21))
    db.session.commit()
    manager = factories.user("manager")
    data = monthly_data(db.session, manager, OCTOBER, RUN_ON)
    # The placements' own cases (received in December) are not open on 31 October.
    assert data.cases_open == 2
    assert data.accommodation.people_so_far == 1
    # Only the October commitment (28 nights at £70.00), not November's nor its release.
    assert data.spend.closing.committed == 28 * 7_000
    assert data.last_day == date(2026, 10, 31)


def _pages(response) -> list[str]:
    reader = PdfReader(BytesIO(response.data))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def _downloaded() -> list[str]:
    return [
        event.details["document"]
        for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "document.downloaded")
        )
    ]


def test_the_funders_version_hides_small_counts_and_says_so_on_every_page(signed_in, march):  # noqa: F811
    client, _ = signed_in("manager")
    response = client.get(REPORT + "&version=funder")
    assert response.status_code == 200
    assert "programme-report-2026-03-for-the-funder.pdf" in response.headers["Content-Disposition"]
    pages = _pages(response)
    assert len(pages) > 1
    for page in pages:
        assert "for the funder, suppressed" in page
    text = " ".join(pages)
    # 4 referrals, 2 consultations, 1 high-risk case: all under k = 5.
    for expected in (
        "Referrals received <5",
        "Consultations held <5",
        "Cases found at high risk (DASH) <5",
    ):
        assert expected in text, expected
    assert "Referrals received 4" not in text
    assert "Median wait for a consultation Hidden: fewer than 5 cases" in text
    assert "Available at 31 March 2026 £14,000.00" in text  # money in full
    assert _downloaded() == ["programme_report_funder"]


def test_the_internal_version_shows_every_number_and_says_so_on_every_page(signed_in, march):  # noqa: F811
    client, _ = signed_in("manager")
    response = client.get(REPORT + "&version=internal")
    pages = _pages(response)
    for page in pages:
        assert "internal, not suppressed" in page
    assert "Referrals received 4" in " ".join(pages)
    assert _downloaded() == ["programme_report"]


@pytest.mark.parametrize("version", ["internal", "funder"])
@pytest.mark.parametrize("role", ["practitioner", "spoc", "finance", "evaluator", "admin"])
def test_only_managers_download_either_version(signed_in, role, version):
    client, _ = signed_in(role, borough_name="Camden") if role == "spoc" else signed_in(role)
    response = client.get(f"{REPORT}&version={version}")
    assert response.status_code == 403
    assert _downloaded() == []


def test_an_unknown_version_shows_the_form_again(signed_in):
    client, _ = signed_in("manager")
    assert client.get(REPORT + "&version=everything").status_code == 400
    assert _downloaded() == []
