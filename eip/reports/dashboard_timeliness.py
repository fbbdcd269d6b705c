"""The dashboard's timeliness figures: which deadlines of DOMAIN.md's table were met.

A deadline counted in England working days needs the calendar, so these read narrow rows
(ids and dates, one statement per measure, whatever the number of cases) and decide in
Python with the same rules the case pages use (`eip.cases.deadlines`, `eip.workdays`):

- acknowledgement: referrals received in the period; met when acknowledged on or before
  `acknowledgement_due`; missed when acknowledged later, or not yet and the day has passed;
- consultation booked: referrals received in the period; due `consultation_booking_due`
  (for a late referral, counted from its agreement; one not agreed is not yet due); met when
  the first consultation was recorded on or before it; a case closed without one and never
  booked is left out (it needed none);
- IDVA and MARAC referral: the referral actions a DASH review in the period set off, due on the
  action's stored date (1 and 2 working days after the review by default); an action closed
  as "not needed" is left out.

The median is in working days, from the start (the next working day on or after it) to the
day the step was done, for the steps done.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eip.cases.deadlines import (
    CLOSED,
    Deadlines,
    acknowledgement_due,
    consultation_booking_due,
)
from eip.cases.models import Case
from eip.cases.records import CaseAction, Consultation, DashReview, LateReferralDecision
from eip.workdays import london_date, london_day_start, next_working_day, working_days_between

MEASURES = ("acknowledgement", "consultation", "idva", "marac")


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    target: str
    met: int
    missed: tuple[int, ...]  # the case ids, each once
    waiting: int  # not done and not yet due
    days: tuple[int, ...]  # working days taken, for each step done

    @property
    def decided(self) -> int:
        return self.met + len(self.missed)

    @property
    def share_met(self) -> float | None:
        return self.met / self.decided if self.decided else None

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.days) if self.days else None


def _taken(start: date, done: date, extra: frozenset[date]) -> int:
    begin = next_working_day(start, extra)
    return working_days_between(begin, done, extra) if done > begin else 0


def _measure(key, label, target, rows, extra: frozenset[date], today: date) -> Measure:
    """`rows` are (case id, start, due, done or None)."""
    met, missed, waiting, days = 0, [], 0, []
    for case_id, start, due, done in rows:
        if done is not None:
            days.append(_taken(start, done, extra))
            if done <= due:
                met += 1
            else:
                missed.append(case_id)
        elif today > due:
            missed.append(case_id)
        else:
            waiting += 1
    return Measure(key, label, target, met, tuple(dict.fromkeys(missed)), waiting, tuple(days))


def _received(start: date, end: date):
    return Case.received_at >= london_day_start(start), Case.received_at < london_day_start(end)


def acknowledgement(
    session: Session, start: date, end: date, deadlines: Deadlines, today: date
) -> Measure:
    rows = []
    for case_id, received_at, acknowledged_at in session.execute(
        select(Case.id, Case.received_at, Case.acknowledged_at).where(*_received(start, end))
    ):
        received = london_date(received_at)
        done = london_date(acknowledged_at) if acknowledged_at else None
        rows.append((case_id, received, acknowledgement_due(received, deadlines), done))
    days = deadlines.acknowledge_working_days
    return _measure(
        "acknowledgement",
        "Referral acknowledged",
        f"within {days} working day{'s' if days != 1 else ''} of receipt",
        rows,
        deadlines.extra_non_working_days,
        today,
    )


def consultation(
    session: Session, start: date, end: date, deadlines: Deadlines, today: date
) -> Measure:
    booked = (
        select(Consultation.case_id, func.min(Consultation.created_at).label("at"))
        .group_by(Consultation.case_id)
        .subquery()
    )
    agreed = (
        select(LateReferralDecision.case_id, func.max(LateReferralDecision.decided_on).label("on"))
        .where(LateReferralDecision.decision == "agreed")
        .group_by(LateReferralDecision.case_id)
        .subquery()
    )
    rows = []
    for case_id, received_at, late, status, agreed_on, booked_at in session.execute(
        select(Case.id, Case.received_at, Case.late_referral, Case.status, agreed.c.on, booked.c.at)
        .outerjoin(agreed, agreed.c.case_id == Case.id)
        .outerjoin(booked, booked.c.case_id == Case.id)
        .where(*_received(start, end))
    ):
        if late and agreed_on is None:
            continue  # waiting for (or refused) the agreement: no booking is due yet
        if booked_at is None and status in CLOSED:
            continue
        received = london_date(received_at)
        begin = agreed_on if late else received
        due = consultation_booking_due(received, agreed_on if late else None, deadlines)
        rows.append((case_id, begin, due, london_date(booked_at) if booked_at else None))
    days = deadlines.consultation_booking_working_days
    return _measure(
        "consultation",
        "Case consultation booked",
        f"within {days} working day{'s' if days != 1 else ''} of receipt "
        "(of the agreement, for a late referral)",
        rows,
        deadlines.extra_non_working_days,
        today,
    )


def referral_action(
    session: Session,
    kind: str,
    working_days: int,
    period: tuple[date, date],
    extra: frozenset[date],
    today: date,
) -> Measure:
    """`kind` is "idva" or "marac": the referral actions of DASH reviews completed in the
    period, each against its own stored due date."""
    start, end = period
    rows = [
        (case_id, reviewed_on, due_on, london_date(completed_at) if completed_at else None)
        for case_id, reviewed_on, due_on, completed_at in session.execute(
            select(
                CaseAction.case_id,
                DashReview.completed_on,
                CaseAction.due_on,
                CaseAction.completed_at,
            )
            .join(DashReview, DashReview.id == CaseAction.source_id)
            .where(
                CaseAction.kind == f"{kind}_referral",
                CaseAction.due_on.is_not(None),
                DashReview.completed_on >= start,
                DashReview.completed_on < end,
                (CaseAction.resolution.is_(None)) | (CaseAction.resolution != "not_needed"),
            )
        )
    ]
    within = f"within {working_days} working day{'s' if working_days != 1 else ''}"
    if kind == "idva":
        label, target = "IDVA referral made", f"{within} of high risk being found"
    else:
        label, target = "MARAC referral made", f"{within} of the MARAC criteria being met"
    return _measure(kind, label, target, rows, extra, today)


def measure(
    session: Session,
    key: str,
    period: tuple[date, date],
    deadlines: Deadlines,
    action_days: dict[str, int],
    today: date,
) -> Measure:
    """The measure `key` (one of MEASURES) of the period [start, end); `action_days` the
    settings' working days for the IDVA and the MARAC referral (as the actions' stored due
    dates were set)."""
    start, end = period
    if key == "acknowledgement":
        return acknowledgement(session, start, end, deadlines, today)
    if key == "consultation":
        return consultation(session, start, end, deadlines, today)
    extra = deadlines.extra_non_working_days
    return referral_action(session, key, action_days[key], period, extra, today)


def measures(
    session: Session,
    period: tuple[date, date],
    deadlines: Deadlines,
    action_days: dict[str, int],
    today: date,
) -> dict[str, Measure]:
    return {key: measure(session, key, period, deadlines, action_days, today) for key in MEASURES}
