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
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.orm import Session

from eip.cases.deadlines import (
    CLOSED,
    Deadlines,
    acknowledgement_due,
    consultation_booking_due,
)
from eip.cases.models import Case
from eip.cases.records import CaseAction, Consultation, DashReview, LateReferralDecision
from eip.reports import tagged_rows
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


# The rows fall on a few hundred days, so the working-day sums repeat: remembered by their
# arguments (the non-working days among them), as pure functions of them.


@lru_cache(maxsize=16384)
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


def _received_part(start: date, end: date):
    """The referrals received in [start, end): what the acknowledgement and the booking read
    (received, acknowledged, late, agreed, status; first consultation recorded)."""
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
    return (
        tagged_rows.part(
            "received",
            texts=[Case.status],
            ints=[Case.id, cast(Case.late_referral, Integer)],
            days=[agreed.c.on],
            at=[Case.received_at, Case.acknowledged_at, booked.c.at],
        )
        .outerjoin(agreed, agreed.c.case_id == Case.id)
        .outerjoin(booked, booked.c.case_id == Case.id)
        .where(*_received(start, end))
    )


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


def parts(period: tuple[date, date], keys: tuple[str, ...] = MEASURES) -> list:
    """The rows the measures `keys` read, as tagged_rows parts: the referrals received (read
    once for both the acknowledgement and the booking) and each referral action's."""
    start, end = period
    found = []
    if {"acknowledgement", "consultation"} & set(keys):
        found.append(_received_part(start, end))
    found += [_action_part(key, start, end) for key in ("idva", "marac") if key in keys]
    return found


def _on_days(received_rows) -> list[tuple]:
    """The received part's rows with their instants as London dates (None kept), made once
    for both measures that read them."""
    return [
        (status, case_id, late, agreed_on, *(london_date(at) if at else None for at in instants))
        for status, case_id, late, agreed_on, *instants in received_rows
    ]


def acknowledgement(received_days, deadlines: Deadlines, today: date) -> Measure:
    """`received_days` are the received part's rows through `_on_days`."""
    rows = []
    for _status, case_id, _late, _agreed_on, received, done, _booked in received_days:
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


def consultation(received_days, deadlines: Deadlines, today: date) -> Measure:
    """`received_days` are the received part's rows through `_on_days`."""
    rows = []
    for status, case_id, late, agreed_on, received, _acknowledged, booked in received_days:
        if late and agreed_on is None:
            continue  # waiting for (or refused) the agreement: no booking is due yet
        if booked is None and status in CLOSED:
            continue
        begin = agreed_on if late else received
        due = consultation_booking_due(received, agreed_on if late else None, deadlines)
        rows.append((case_id, begin, due, booked))
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
        (case_id, reviewed_on, due_on, london_date(completed_at) if completed_at else None)
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
    received = _on_days(found.get("received", ()))
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
    """The measure `key` (one of MEASURES) of the period [start, end), alone."""
    found = tagged_rows.read(session, parts(period, (key,)))
    return from_rows(found, deadlines, action_days, today, (key,))[key]
