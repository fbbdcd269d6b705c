"""The dashboard's timeliness figures: which deadlines of DOMAIN.md's table were met.

A deadline counted in England working days needs the calendar, so these read narrow rows
(ids and dates: `parts`, sent with the dashboard's other rows in one statement whatever the
number of cases) and decide in Python with the same rules the case pages use
(`eip.cases.deadlines`, `eip.workdays`):

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

The dashboard reads the referrals received counted by their London days (received,
acknowledged, first consultation recorded, agreed) and whether closed and late: tallies kept
by triggers (eip.cases.models.TimelinessTally), so the rules run once per combination of
days, a few hundred rows however many cases the period holds, and give the same figures as
case by case (the median too: it is a median of whole working days, taken from their
counts). The rules stay here, not in the tallies: the deadlines and the non-working days are
settings that change, and "missed" depends on today. The list behind a figure reads the same
days case by case (eip.reports.london_day), for the ids of the cases that missed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlalchemy import Date, Integer, cast, func, literal, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session

from eip.cases.deadlines import (
    CLOSED,
    Deadlines,
    acknowledgement_due,
    consultation_booking_due,
)
from eip.cases.models import NOT_YET, Case, TimelinessTally
from eip.cases.records import CaseAction, Consultation, DashReview, LateReferralDecision
from eip.reports import tagged_rows
from eip.reports.london_day import london_day
from eip.workdays import london_date, london_day_start, next_working_day, working_days_between

MEASURES = ("acknowledgement", "consultation", "idva", "marac")


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    target: str
    met: int
    missed_cases: int  # the cases that missed it (a case with two late actions counts once)
    missed: tuple[int, ...]  # their ids, each once, when read case by case (else empty)
    waiting: int  # not done and not yet due
    days: tuple[tuple[int, int], ...]  # (working days taken, steps done in that many), sorted

    @property
    def decided(self) -> int:
        return self.met + self.missed_cases

    @property
    def share_met(self) -> float | None:
        return self.met / self.decided if self.decided else None

    @property
    def median_days(self) -> float | None:
        return median_of_counts(self.days)


def median_of_counts(counted: tuple[tuple[int, int], ...]) -> float | None:
    """The median of the values `counted` holds as sorted (value, how many) pairs, as
    `statistics.median` gives it for the values listed one by one: the middle value (an int),
    or the mean of the two middle ones."""
    total = sum(n for _value, n in counted)
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]  # the middle positions, 0-based
    found, seen = [], 0
    for value, n in counted:
        while wanted and wanted[0] < seen + n:
            found.append(value)
            wanted.pop(0)
        seen += n
    low, high = found
    return low if total % 2 else (low + high) / 2


# The rows fall on a few hundred days, so the working-day sums repeat: remembered by their
# arguments (the non-working days among them), as pure functions of them.


@lru_cache(maxsize=16384)
def _taken(start: date, done: date, extra: frozenset[date]) -> int:
    begin = next_working_day(start, extra)
    return working_days_between(begin, done, extra) if done > begin else 0


def _measure(key, label, target, rows, extra: frozenset[date], today: date) -> Measure:
    """`rows` are (case id or None, start, due, done or None, how many): a case's own row
    (its id, 1), or a count of cases with those days (None, n)."""
    met, missed, missed_counted, waiting, days = 0, [], 0, 0, Counter()
    for case_id, start, due, done, n in rows:
        if done is not None:
            days[_taken(start, done, extra)] += n
        if done is not None and done <= due:
            met += n
        elif done is not None or today > due:
            if case_id is None:
                missed_counted += n
            else:
                missed.append(case_id)
        else:
            waiting += n
    ids = tuple(dict.fromkeys(missed))
    taken = tuple(sorted(days.items()))
    return Measure(key, label, target, met, len(ids) + missed_counted, ids, waiting, taken)


def _received(start: date, end: date):
    return Case.received_at >= london_day_start(start), Case.received_at < london_day_start(end)


def _received_part(start: date, end: date):
    """The referrals received in [start, end), each case's row with its id and 1: whether
    closed, late, the day agreed; the London days received, acknowledged and the first
    consultation recorded (what the lists behind the acknowledgement and the booking read)."""
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
    closed = sql_case((Case.status.in_(CLOSED), 1), else_=0)
    late = cast(Case.late_referral, Integer)
    days = [
        agreed.c.on,
        london_day(Case.received_at),
        london_day(Case.acknowledged_at),
        london_day(booked.c.at),
    ]
    return (
        tagged_rows.part("received", ints=[Case.id, closed, late, literal(1)], days=days)
        .outerjoin(agreed, agreed.c.case_id == Case.id)
        .outerjoin(booked, booked.c.case_id == Case.id)
        .where(*_received(start, end))
    )


def _tallied_part(start: date, end: date):
    """The same rows counted: the tallies of the days received in [start, end) (kept by
    triggers, TimelinessTally), a row per combination of days with its count."""
    tally = TimelinessTally

    def reached(day):
        return func.nullif(day, literal(NOT_YET, Date))

    days = [reached(tally.agreed_on), tally.received_on]
    days += [reached(tally.acknowledged_on), reached(tally.booked_on)]
    return tagged_rows.part(
        "received", ints=[literal(None, Integer), tally.closed, tally.late, tally.n], days=days
    ).where(tally.received_on >= start, tally.received_on < end, tally.n != 0)


def _action_part(kind: str, start: date, end: date):
    """`kind` is "idva" or "marac": the referral actions of DASH reviews completed in
    [start, end), each with its stored due date."""
    return (
        tagged_rows.part(
            kind,
            ints=[CaseAction.case_id],
            days=[DashReview.completed_on, CaseAction.due_on],
            at=[CaseAction.completed_at],
        )
        .select_from(CaseAction)
        .join(DashReview, DashReview.id == CaseAction.source_id)
        .where(
            CaseAction.kind == f"{kind}_referral",
            CaseAction.due_on.is_not(None),
            DashReview.completed_on >= start,
            DashReview.completed_on < end,
            (CaseAction.resolution.is_(None)) | (CaseAction.resolution != "not_needed"),
        )
    )


def parts(
    period: tuple[date, date], keys: tuple[str, ...] = MEASURES, by_case: bool = False
) -> list:
    """The rows the measures `keys` read, as tagged_rows parts: the referrals received (read
    once for both the acknowledgement and the booking; grouped by day unless `by_case`) and
    each referral action's."""
    start, end = period
    found = []
    if {"acknowledgement", "consultation"} & set(keys):
        found.append(_received_part(start, end) if by_case else _tallied_part(start, end))
    found += [_action_part(key, start, end) for key in ("idva", "marac") if key in keys]
    return found


def acknowledgement(received_rows, deadlines: Deadlines, today: date) -> Measure:
    """`received_rows` are the received part's."""
    rows = []
    for case_id, _closed, _late, n, _agreed_on, received, done, _booked in received_rows:
        rows.append((case_id, received, acknowledgement_due(received, deadlines), done, n))
    days = deadlines.acknowledge_working_days
    return _measure(
        "acknowledgement",
        "Referral acknowledged",
        f"within {days} working day{'s' if days != 1 else ''} of receipt",
        rows,
        deadlines.extra_non_working_days,
        today,
    )


def consultation(received_rows, deadlines: Deadlines, today: date) -> Measure:
    """`received_rows` are the received part's."""
    rows = []
    for case_id, closed, late, n, agreed_on, received, _acknowledged, booked in received_rows:
        if late and agreed_on is None:
            continue  # waiting for (or refused) the agreement: no booking is due yet
        if booked is None and closed:
            continue
        begin = agreed_on if late else received
        due = consultation_booking_due(received, agreed_on if late else None, deadlines)
        rows.append((case_id, begin, due, booked, n))
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
    kind: str, action_rows, working_days: int, extra: frozenset[date], today: date
) -> Measure:
    """`kind` is "idva" or "marac"; `action_rows` its part's rows."""
    rows = [
        (case_id, reviewed_on, due_on, london_date(completed_at) if completed_at else None, 1)
        for case_id, reviewed_on, due_on, completed_at in action_rows
    ]
    within = f"within {working_days} working day{'s' if working_days != 1 else ''}"
    if kind == "idva":
        label, target = "IDVA referral made", f"{within} of high risk being found"
    else:
        label, target = "MARAC referral made", f"{within} of the MARAC criteria being met"
    return _measure(kind, label, target, rows, extra, today)


def from_rows(
    found: dict[str, list[tuple]],
    deadlines: Deadlines,
    action_days: dict[str, int],
    today: date,
    keys: tuple[str, ...] = MEASURES,
) -> dict[str, Measure]:
    """The measures `keys` from the rows their `parts` read; `action_days` the settings'
    working days for the IDVA and the MARAC referral (as the actions' stored due dates were
    set)."""
    received = found.get("received", ())
    made = {
        "acknowledgement": lambda: acknowledgement(received, deadlines, today),
        "consultation": lambda: consultation(received, deadlines, today),
    }
    extra = deadlines.extra_non_working_days
    for kind in ("idva", "marac"):
        made[kind] = lambda kind=kind: referral_action(
            kind, found[kind], action_days[kind], extra, today
        )
    return {key: made[key]() for key in keys}


def measure(
    session: Session,
    key: str,
    period: tuple[date, date],
    deadlines: Deadlines,
    action_days: dict[str, int],
    today: date,
) -> Measure:
    """The measure `key` (one of MEASURES) of the period [start, end), alone, case by case
    (with the ids of the cases that missed it)."""
    found = tagged_rows.read(session, parts(period, (key,), by_case=True))
    return from_rows(found, deadlines, action_days, today, (key,))[key]
