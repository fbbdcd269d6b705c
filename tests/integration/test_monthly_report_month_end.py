"""Issue 20, the monthly report's content: professionals meetings due and overdue as the case
page counts them, the cases at the MARAC threshold and whether they were referred (the MARAC
pack included), and the timeliness figures as they stood at the month's end. Read from the
PDF's text of a report on October 2026 printed on 6 December 2026."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import BytesIO

import pytest
import time_machine
from pypdf import PdfReader

from eip.cases.models import Case
from eip.cases.records import DashReview, MaracReferral, OnwardReferral, ProfessionalsMeeting
from eip.extensions import db
from eip.reports.monthly import monthly_data
from eip.reports.monthly_document import produce
from eip.reports.versions import FUNDER
from tests import factories

OCTOBER = date(2026, 10, 1)
PRINTED = datetime(2026, 12, 6, 12, tzinfo=UTC)


def report_text(which: str = "internal") -> str:
    manager = factories.user("manager")
    with time_machine.travel(PRINTED, tick=False):
        document = produce(db.session, manager, OCTOBER, at=PRINTED, which=which)
    reader = PdfReader(BytesIO(document.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def october(today: date = date(2026, 12, 6)):
    return monthly_data(db.session, factories.user("manager"), OCTOBER, today)


def intervention(started: date, *meetings: date, closed_at: datetime | None = None) -> Case:
    case = factories.case("Camden", status="closed" if closed_at else "active")
    case.intervention_started_on = started
    case.closed_at = closed_at
    for held_on in meetings:
        db.session.add(
            ProfessionalsMeeting(case_id=case.id, held_on=held_on, attendees="Practitioner")
        )
    db.session.commit()
    return case


@pytest.fixture
def meetings_in_october(app_context):
    """Six meetings held in October; eight fell due, two of them still not held at its end.

    - weekly from 1 October, held on each due day: due and held 8, 15, 22 and 29 October;
    - last met 4 October: due that day and again on 11 October, never held: overdue;
    - started 1 August and never met: due 8 August, still overdue all October;
    - closed on 14 October (London), met 30 September and 7 October: due 7 October; the
      one due on its closing day is not counted;
    - started 25 October: its first is due 1 November.
    """
    intervention(date(2026, 10, 1), *(date(2026, 10, d) for d in (8, 15, 22, 29)))
    intervention(date(2026, 9, 20), date(2026, 9, 27), date(2026, 10, 4))
    intervention(date(2026, 8, 1))
    intervention(
        date(2026, 9, 1),
        date(2026, 9, 30),
        date(2026, 10, 7),
        closed_at=datetime(2026, 10, 14, 9, tzinfo=UTC),
    )
    intervention(date(2026, 10, 25))


def test_meetings_due_and_overdue_are_counted_as_the_case_page_does(meetings_in_october):
    """Defect: "6 held, at least 0 due" while two were overdue: the report counted whole
    7-day periods of each case's month, not the meetings the case pages showed due."""
    meetings = october().meetings
    assert (meetings.held, meetings.due, meetings.overdue, meetings.cases) == (6, 8, 2, 5)
    text = report_text()
    assert "Professionals meetings 6 held; 8 were due, 2 of them overdue at 31 October 2026" in (
        text
    )
    assert "Meetings due 8 Of those, overdue at 31 October 2026 2" in text
    assert "at least" not in text


def test_a_meeting_held_late_in_the_month_was_overdue_until_then(app_context):
    """A case last met on 1 September, met again on 20 October: the meeting due on
    8 September was still waiting when October began, so it was due in October (held on
    the 20th); the next, due 27 October, was not held by the month's end: overdue."""
    intervention(date(2026, 8, 25), date(2026, 9, 1), date(2026, 10, 20))
    meetings = october().meetings
    assert (meetings.held, meetings.due, meetings.overdue) == (1, 2, 1)


def test_while_the_month_runs_overdue_means_before_today(app_context):
    """On 22 October (the month not over) the meeting due that day is due today, not
    overdue, as on the case page; the one due on 15 October is overdue."""
    intervention(date(2026, 10, 1), date(2026, 10, 8), date(2026, 10, 15))
    intervention(date(2026, 10, 1), date(2026, 10, 8))
    meetings = october(date(2026, 10, 22)).meetings
    assert (meetings.held, meetings.due, meetings.overdue) == (3, 5, 1)


def test_a_case_closed_late_in_the_evening_in_london_counts_for_that_day(app_context):
    """Closed at 23:30 UTC on 30 September, 00:30 on 1 October in London: it was open when
    October began, with its meeting due 8 September still waiting, and is not overdue at
    the month's end."""
    intervention(date(2026, 9, 1), closed_at=datetime(2026, 9, 30, 23, 30, tzinfo=UTC))
    intervention(date(2026, 9, 1), closed_at=datetime(2026, 9, 30, 22, 30, tzinfo=UTC))
    meetings = october().meetings
    assert (meetings.due, meetings.overdue, meetings.cases) == (1, 0, 1)


def dash(case: Case, on: date, score: int) -> DashReview:
    review = DashReview(
        case_id=case.id,
        completed_on=on,
        answers={},
        score=score,
        risk_level="high" if score >= 14 else "standard",
        marac=score >= 14,
    )
    db.session.add(review)
    db.session.commit()
    return review


def pack(case: Case, review: DashReview, sent_on: date | None) -> None:
    db.session.add(
        MaracReferral(
            case_id=case.id,
            dash_review_id=review.id,
            reasons="Visible high risk",
            agencies_involved="Police",
            partner_aware="yes",
            referrer_phone="020 7946 0000",
            sent_on=sent_on,
        )
    )
    db.session.commit()


@pytest.fixture
def marac_in_october(app_context):
    """Four cases whose latest DASH review by 31 October met MARAC, two of them referred by
    then: one through the MARAC pack (sent 12 October), one by an onward referral made on
    2 October. One sent its pack only on 5 November; one has no referral; one met MARAC
    on 1 October but its review of 20 October did not; one met it but closed in September."""
    unreferred = factories.case("Camden", status="active")
    dash(unreferred, date(2026, 10, 5), 16)
    by_pack = factories.case("Camden", status="active")
    pack(by_pack, dash(by_pack, date(2026, 10, 10), 15), date(2026, 10, 12))
    by_onward = factories.case("Camden", status="active")
    dash(by_onward, date(2026, 9, 28), 14)
    db.session.add(
        OnwardReferral(
            case_id=by_onward.id, agency="marac", referred_on=date(2026, 10, 2), status="made"
        )
    )
    sent_later = factories.case("Camden", status="active")
    pack(sent_later, dash(sent_later, date(2026, 10, 3), 17), date(2026, 11, 5))
    lower = factories.case("Camden", status="active")
    dash(lower, date(2026, 10, 1), 15)
    dash(lower, date(2026, 10, 20), 5)
    closed = factories.case("Camden", status="closed")
    closed.closed_at = datetime(2026, 9, 25, 12, tzinfo=UTC)
    dash(closed, date(2026, 9, 1), 18)
    db.session.commit()


def test_the_cases_at_the_marac_threshold_say_how_many_were_referred(marac_in_october):
    """Defect: "MARAC 0 made" for a case at the threshold, without comment: the report
    counted only onward referrals made in the month, not the MARAC pack sent, and never
    said how many cases at the threshold were still to be referred."""
    risk = october().risk
    assert (risk.marac_met, risk.marac_referred, risk.marac_not_referred) == (4, 2, 2)
    text = report_text()
    assert (
        "MARAC 4 cases met the MARAC threshold at 31 October 2026; 2 referred; "
        "2 not yet referred" in text
    )
    # The pack sent on 12 October is a referral made in October, beside the onward one.
    assert "Referrals to MARAC 2 made, 0 planned" in text
    assert "IDVA and MARAC referrals made 2" in text


def test_the_funders_version_hides_the_marac_referrals_when_a_count_is_small(
    marac_in_october,
):
    text = report_text(FUNDER)
    assert "MARAC <" in text and "referrals hidden: small numbers" in text
    assert "2 not yet referred" not in text


def received(on: date, acknowledged: date | None) -> Case:
    case = factories.case("Camden", status="acknowledged" if acknowledged else "referred")
    case.received_at = datetime(on.year, on.month, on.day, 10, tzinfo=UTC)
    if acknowledged:
        case.acknowledged_at = datetime(
            acknowledged.year, acknowledged.month, acknowledged.day, 14, tzinfo=UTC
        )
    db.session.commit()
    return case


def test_the_timeliness_figures_are_as_they_stood_at_the_month_end(app_context):
    """Defect: the report's figures are as at the month's end, but an October referral
    acknowledged in November was judged by its acknowledgement, and one never acknowledged
    by the day the report was printed: on 31 October both were still within their
    3 working days. 3 working days from Wednesday 28 October is Monday 2 November."""
    received(date(2026, 10, 28), date(2026, 11, 3))  # late, but not yet at 31 October
    received(date(2026, 10, 29), None)  # due 3 November
    received(date(2026, 10, 26), date(2026, 11, 5))  # due 29 October: late by then
    received(date(2026, 10, 5), date(2026, 10, 6))  # on time
    t = october().timeliness
    assert (t.on_time, t.late, t.not_yet_due) == (1, 1, 2)
    text = report_text()
    assert "Acknowledged within 3 working days 1 of 2 (50%)" in text
    assert "Not acknowledged yet, deadline still to come 2" in text
