"""Issue 16, the monthly report at scale: the meetings due and overdue are worked out case by
case only for the cases with a start or a meeting from the interval before the month on, and
the others only counted; the MARAC figures start from the reviews that met MARAC. These are
the cases on each side of those lines, with the figures the case pages gave (October 2026,
meetings every 7 days, so the line is 24 September)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from eip.cases.models import Case
from eip.cases.records import DashReview, OnwardReferral
from eip.extensions import db
from tests import factories
from tests.integration.test_monthly_report_month_end import intervention, october


def test_meetings_due_and_overdue_either_side_of_the_interval_before_the_month(app_context):
    # Met on 26 September (after the line) only: due 3 October, never held: overdue.
    intervention(date(2026, 8, 1), date(2026, 9, 26))
    # Last met before the line (20 September): due 27 September, still waiting when October
    # began, held on 5 October; the next, due 12 October, never held: overdue.
    intervention(date(2026, 8, 1), date(2026, 9, 10), date(2026, 9, 20), date(2026, 10, 5))
    # Started after the line, met on its first day as well (one due date), then 5 October.
    intervention(date(2026, 9, 28), date(2026, 9, 28), date(2026, 10, 5))
    # A meeting before the intervention began does not count; due 8 September, held on
    # 28 October; the next is due 4 November.
    intervention(date(2026, 9, 1), date(2026, 8, 20), date(2026, 10, 28))
    # Met 30 September, closed 2 October (London) before its next was due: nothing due.
    intervention(
        date(2026, 8, 1), date(2026, 9, 30), closed_at=datetime(2026, 10, 2, 12, tzinfo=UTC)
    )
    # Met only after the month: waiting all October, overdue at its end.
    intervention(date(2026, 8, 1), date(2026, 11, 1))
    # Not in intervention during October: started after it, or closed before it.
    intervention(date(2026, 11, 2))
    intervention(date(2026, 8, 1), closed_at=datetime(2026, 9, 30, 12, tzinfo=UTC))

    meetings = october().meetings
    assert (meetings.held, meetings.due, meetings.overdue, meetings.cases) == (3, 7, 4, 6)


def test_meetings_when_every_case_started_long_before_the_month(app_context):
    """Only counted, none read: due 8 August, waiting all October; one met on
    29 October, due again 5 November, so not overdue at the end."""
    for _ in range(3):
        intervention(date(2026, 8, 1))
    intervention(date(2026, 8, 1), date(2026, 10, 29))
    meetings = october().meetings
    assert (meetings.held, meetings.due, meetings.overdue, meetings.cases) == (1, 4, 3, 4)


def review(
    case: Case, on: date, score: int, *, marac: bool = False, threshold: int = 14
) -> DashReview:
    added = DashReview(
        case_id=case.id,
        completed_on=on,
        answers={},
        score=score,
        risk_level="high" if score >= 14 else "standard",
        marac=marac,
        marac_threshold=threshold,
    )
    db.session.add(added)
    db.session.commit()
    return added


def referral(case: Case, on: date, status: str = "made") -> None:
    db.session.add(OnwardReferral(case_id=case.id, agency="marac", referred_on=on, status=status))
    db.session.commit()


def test_marac_met_is_each_cases_latest_review_by_the_month_end(app_context):
    active = lambda: factories.case("Camden", status="active")  # noqa: E731
    # Two reviews the same day: the one saved later is the latest.
    later_met = active()
    review(later_met, date(2026, 10, 10), 3)
    review(later_met, date(2026, 10, 10), 16, marac=True)
    later_not = active()
    review(later_not, date(2026, 10, 10), 16, marac=True)
    review(later_not, date(2026, 10, 10), 3)
    # A review after the month does not undo October's.
    reviewed_since = active()
    review(reviewed_since, date(2026, 10, 3), 15, marac=True)
    review(reviewed_since, date(2026, 11, 4), 2)
    # Met by its score at the threshold it was assessed with; referral only planned.
    own_threshold = active()
    review(own_threshold, date(2026, 10, 6), 11, threshold=10)
    referral(own_threshold, date(2026, 10, 7), status="planned")
    # Met by the practitioner's judgement (the flag) with a low score; referred in October.
    by_flag = active()
    review(by_flag, date(2026, 9, 2), 4, marac=True)
    referral(by_flag, date(2026, 10, 15))
    # Closed during October: still in the programme in the month; referred only after it.
    closed_in_month = factories.case("Camden", status="closed")
    closed_in_month.closed_at = datetime(2026, 10, 15, 12, tzinfo=UTC)
    review(closed_in_month, date(2026, 9, 20), 18, marac=True)
    referral(closed_in_month, date(2026, 11, 3))
    # Not counted: closed before October; met only after it; below its threshold.
    closed_before = factories.case("Camden", status="closed")
    closed_before.closed_at = datetime(2026, 9, 29, 12, tzinfo=UTC)
    review(closed_before, date(2026, 9, 20), 18, marac=True)
    review(active(), date(2026, 11, 2), 20, marac=True)
    review(active(), date(2026, 10, 2), 13)

    risk = october().risk
    assert (risk.marac_met, risk.marac_referred) == (5, 1)
