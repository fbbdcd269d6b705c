"""Which cases each dashboard figure counts: one definition, used both to count (grouped, in
SQL) and to list the cases behind a figure's link (eip.reports.dashboard, the drill-down page).

A figure's link names it by key with plain parameters (a month "2026-10", a borough's id, an
outcome or risk level code): never personal data. `Period` is the dashboard's months.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, exists, or_, select
from sqlalchemy import case as sql_case

from accommodation.models import Placement
from accommodation.rules import COUNTS_TOWARDS_PEOPLE_CAP
from eip.cases.choices import CONSULTATION_OUTCOME
from eip.cases.deadlines import CLOSED
from eip.cases.models import Case, CaseActivity
from eip.cases.records import (
    CaseAction,
    CaseDashLevels,
    Consultation,
    MaracReferral,
    OnwardReferral,
)
from eip.reports.monthly import months_back, next_month
from eip.workdays import london_day_start

MONTHS = 6
QUIET_DAYS = 14
LEVELS = ("standard", "medium", "high")
MOVES = ("down", "same", "up")
OUTCOMES = dict(CONSULTATION_OUTCOME)
REFERRAL_MADE = ("made", "accepted")


@dataclass(frozen=True)
class Period:
    months: tuple[date, ...]  # first days, oldest first
    today: date

    @classmethod
    def ending(cls, today: date) -> Period:
        return cls(tuple(months_back(today.replace(day=1), MONTHS)), today)

    @property
    def start(self) -> date:
        return self.months[0]

    @property
    def end(self) -> date:
        return next_month(self.months[-1])

    def month_of(self, text: str | None) -> date | None:
        """The month a link's "2026-10" names, if it is one of the period's."""
        for month in self.months:
            if text == f"{month:%Y-%m}":
                return month
        return None

    def bounds(self, month: date | None) -> tuple[date, date]:
        return (month, next_month(month)) if month else (self.start, self.end)


def open_cases():
    return Case.status.not_in(CLOSED)


def month_bucket(column, months: tuple[date, ...], as_instants: bool):
    """The index in `months` of the month a date (or instant) falls in, for GROUP BY: a CASE
    over the months' starts (their London midnights for an instant), on both engines."""
    starts = [london_day_start(m) if as_instants else m for m in months]
    return sql_case(
        *((column < start, i - 1) for i, start in enumerate(starts[1:], start=1)),
        else_=len(months) - 1,
    )


# --- referrals and pathway outcomes ---------------------------------------------------


def referred(start: date, end: date):
    return and_(
        Case.received_at >= london_day_start(start), Case.received_at < london_day_start(end)
    )


def outcome_held(start: date, end: date, outcome: str | None = None):
    """The case had a consultation held in [start, end) with an outcome (that outcome)."""
    held = [
        Consultation.case_id == Case.id,
        Consultation.held_on >= start,
        Consultation.held_on < end,
        Consultation.outcome.is_not(None),
    ]
    if outcome:
        held.append(Consultation.outcome == outcome)
    return exists().where(*held)


# --- risk ----------------------------------------------------------------------------


def level_rank(column):
    return sql_case({level: i for i, level in enumerate(LEVELS)}, value=column, else_=0)


def moved(move: str):
    """The case's DASH level moved `move` (down, same, up) from its first review to its
    latest."""
    now, intake = level_rank(CaseDashLevels.latest_level), level_rank(CaseDashLevels.intake_level)
    return {"up": now > intake, "down": now < intake}.get(move, now == intake)


def _latest_review_where(*conditions):
    """The case's latest DASH review meets `conditions` (on CaseDashLevels).

    One row per reviewed case, kept by triggers (migration 3159b750bcf3): the cases are found
    by one pass over those rows (`IN`), no review ranked at the request."""
    return Case.id.in_(select(CaseDashLevels.case_id).where(*conditions))


def _onward_made(agency: str):
    return exists().where(
        OnwardReferral.case_id == CaseDashLevels.case_id,
        OnwardReferral.agency == agency,
        OnwardReferral.status.in_(REFERRAL_MADE),
        OnwardReferral.referred_on >= CaseDashLevels.latest_completed_on,
    )


def _action_done(kind: str):
    # The case too (an action is always its review's case's): its index finds the case's few
    # actions, where the kind's would scan every action of that kind for each review.
    return exists().where(
        CaseAction.case_id == CaseDashLevels.case_id,
        CaseAction.source_id == CaseDashLevels.latest_review_id,
        CaseAction.kind == kind,
        CaseAction.completed_at.is_not(None),
    )


def high_risk_without_idva():
    """An open case whose latest DASH review is high risk, with no IDVA referral made for it:
    its IDVA referral action not done, and no onward referral to the IDVA service made on or
    after the review's date."""
    made = or_(_action_done("idva_referral"), _onward_made("idva"))
    return and_(open_cases(), _latest_review_where(CaseDashLevels.latest_level == "high", ~made))


def marac_without_referral():
    """An open case whose latest DASH review meets MARAC, with no MARAC referral made for it:
    its MARAC action not done, no MARAC referral sent from it, and no onward referral to MARAC
    made on or after the review's date."""
    sent = exists().where(
        MaracReferral.case_id == CaseDashLevels.case_id,  # indexed, as _action_done
        MaracReferral.dash_review_id == CaseDashLevels.latest_review_id,
        MaracReferral.sent_on.is_not(None),
    )
    made = or_(_action_done("marac_referral"), sent, _onward_made("marac"))
    return and_(open_cases(), _latest_review_where(CaseDashLevels.latest_marac.is_(True), ~made))


# --- queues and accommodation ---------------------------------------------------------


def late_waiting():
    return Case.status == "awaiting_late_agreement"


def quiet(today: date):
    """An open case with nothing recorded on it for QUIET_DAYS days: no record of any kind
    (eip.cases.page.RECORD_LISTS: consultations, sessions, meetings, notes, contacts, …) and
    no placement created since, and neither created, received nor acknowledged since. The
    latest of those instants is kept per case (CaseActivity), so this is an index range."""
    cutoff = london_day_start(today - timedelta(days=QUIET_DAYS - 1))
    return Case.id.in_(
        select(CaseActivity.case_id).where(CaseActivity.is_open, CaseActivity.last_at < cutoff)
    )


def accommodated():
    """A case with a placement in a state that counts towards the people cap
    (accommodation.rules.COUNTS_TOWARDS_PEOPLE_CAP, as the budget counts people), as cases:
    a re-referred client's cases each appear."""
    return exists().where(
        Placement.case_id == Case.id, Placement.state.in_(COUNTS_TOWARDS_PEOPLE_CAP)
    )
