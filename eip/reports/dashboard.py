"""The manager's dashboard: the programme's live figures, unsuppressed (the manager is inside
the programme; suppression is for figures that leave it), each with the cases behind it.

Counts of cases are grouped queries, most over rows and tallies kept by triggers as they are
written (docs/dashboard.md, "Kept by triggers"; eip.reports.dashboard_cases says which cases
each counts, and its lists read the cases themselves); the timeliness figures read narrow
rows and decide with the working-day rules (eip.reports.dashboard_timeliness); the money is
the budget's and the forecast's own (accommodation.budget.queries, accommodation.forecast),
never recomputed here. The number of statements is the same at 3 cases as at 300.

`cases_behind(key, params)` is the one list behind each figure's link: the figure's own
definition as a filter on the cases, paged by key like the case list.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, Integer, Select, func, literal, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session, joinedload

from eip import paging
from eip.auth.models import User
from eip.cases import outcomes
from eip.cases.models import Case, MeetingTally, OutcomeTally, ReferralTally
from eip.cases.queries import deadline_settings, non_working_days, stored_rows
from eip.cases.records import CaseDashLevels, ProfessionalsMeeting
from eip.models import Borough
from eip.policy import visible_cases
from eip.programme import current_settings
from eip.reports import dashboard_cases as dc
from eip.reports import dashboard_outcomes as outcome_figures
from eip.reports import dashboard_timeliness as timeliness
from eip.reports import tagged_rows
from eip.reports.london_day import london_day
from eip.reports.monthly import next_month
from eip.workdays import london_day_start

PAGE_SIZE = 25


class UnknownFigure(LookupError):
    """A drill-down link this service did not make (an unknown figure or parameter)."""


@dataclass(frozen=True)
class MonthMeetings:
    month: date
    cases: int  # in their intervention for some of the month
    held: int
    due: int
    short_cases: int  # cases with fewer meetings than due
    short: tuple[int, ...]  # their ids, when read case by case (else empty)


def _borough_part():
    """The boroughs, with their place in the order of their names (the database's)."""
    order = func.row_number().over(order_by=Borough.name)
    return tagged_rows.part("boroughs", texts=[Borough.name], ints=[Borough.id, order])


def _referral_part(period: dc.Period):
    """(borough id, month index, n): the referrals received in each month (dc.referred), the
    tallies kept by triggers (ReferralTally), a row per borough and month."""
    which = dc.month_bucket(ReferralTally.month, period.months, as_instants=False)
    return tagged_rows.part(
        "referrals", ints=[ReferralTally.borough_id, which, ReferralTally.n]
    ).where(
        ReferralTally.month >= period.start,
        ReferralTally.month < period.end,
        ReferralTally.n != 0,
    )


def _outcome_part(period: dc.Period):
    """(outcome, month index, borough id, n): cases with a consultation of that outcome held
    then (dc.outcome_held), each once per outcome and month: the tallies kept by triggers
    (OutcomeTally), a row per outcome, month and borough."""
    which = dc.month_bucket(OutcomeTally.month, period.months, as_instants=False)
    return tagged_rows.part(
        "outcomes",
        texts=[OutcomeTally.outcome],
        ints=[which, OutcomeTally.borough_id, OutcomeTally.n],
    ).where(
        OutcomeTally.month >= period.start,
        OutcomeTally.month < period.end,
        OutcomeTally.n != 0,
    )


def _month_part(month: date, last: date, by_case: bool):
    """The cases in their intervention for some of `month` up to `last`: the first and last
    day of it they were (started, not yet closed) and the meetings held for them in it,
    grouped by those with a count (or `by_case`, each case's with its id and 1)."""
    held = (
        select(ProfessionalsMeeting.case_id, func.count().label("n"))
        .where(ProfessionalsMeeting.held_on >= month, ProfessionalsMeeting.held_on <= last)
        .group_by(ProfessionalsMeeting.case_id)
        .subquery()
    )
    started = Case.intervention_started_on
    first = sql_case((started > month, started), else_=literal(month, Date))
    after = london_day_start(last + timedelta(days=1))
    stop = sql_case((Case.closed_at < after, london_day(Case.closed_at)), else_=literal(last, Date))
    n_held = func.coalesce(held.c.n, 0)
    index = literal(month.toordinal(), Integer)  # the month, as its first day's ordinal
    if by_case:
        query = tagged_rows.part(
            "meeting_cases", ints=[index, n_held, Case.id, literal(1)], days=[first, stop]
        )
    else:
        query = tagged_rows.part(
            "meeting_cases",
            ints=[index, n_held, literal(None, Integer), func.count()],
            days=[first, stop],
        ).group_by(n_held, first, stop)
    return (
        query.select_from(Case)
        .outerjoin(held, held.c.case_id == Case.id)
        .where(
            started.is_not(None),
            started <= last,
            or_(Case.closed_at.is_(None), Case.closed_at >= london_day_start(month)),
        )
    )


def _meeting_parts(period: dc.Period, by_case: bool = False):
    """The meetings held in each month, and the cases in their intervention in each month
    (grouped by their days and meetings held, unless `by_case`): a few rows per month however
    many cases (eip.reports.london_day)."""
    last_day = min(period.end - timedelta(days=1), period.today)
    # The meetings held by day (MeetingTally, kept by triggers), up to today.
    which = dc.month_bucket(MeetingTally.held_on, period.months, as_instants=False)
    held = (
        tagged_rows.part("meetings_held", ints=[which, func.sum(MeetingTally.n)])
        .where(MeetingTally.held_on >= period.start, MeetingTally.held_on <= last_day)
        .group_by(which)
    )
    months = [
        _month_part(month, min(next_month(month) - timedelta(days=1), period.today), by_case)
        for month in period.months
        if month <= period.today
    ]
    return [held, *months]


def meetings(session: Session, period: dc.Period, interval: int) -> list[MonthMeetings]:
    """Per month, as the monthly report counts them (`meetings_from`), read alone, case by
    case (with the ids of the cases short of meetings)."""
    found = tagged_rows.read(session, _meeting_parts(period, by_case=True))
    return meetings_from(found, period, interval)


def meetings_from(found, period: dc.Period, interval: int) -> list[MonthMeetings]:
    """Per month, from the rows of `_meeting_parts`: one meeting due every `interval` days of
    the part of the month each case was in its intervention (started, not yet closed); the
    meetings held in the month; and the cases that had fewer than were due."""
    totals = dict(found["meetings_held"])
    by_month: dict[int, list[tuple]] = {}
    for row in found["meeting_cases"]:
        by_month.setdefault(row[0], []).append(row[1:])
    result = []
    for m, month in enumerate(period.months):
        in_month, due, short_cases, short = 0, 0, 0, []
        for held, case_id, n, first, stop in by_month.get(month.toordinal(), ()):
            if first > stop:
                continue
            in_month += n
            owed = ((stop - first).days + 1) // interval
            due += owed * n
            if held < owed:
                short_cases += n
                if case_id is not None:
                    short.append(case_id)
        result.append(
            MonthMeetings(month, in_month, totals.get(m, 0), due, short_cases, tuple(short))
        )
    return result


def _dash_part():
    intake, now = CaseDashLevels.intake_level, CaseDashLevels.latest_level
    # In the order of the index (latest, intake), read alone.
    return tagged_rows.part("dash", texts=[intake, now], ints=[func.count()]).group_by(now, intake)


def movement(pairs: dict[tuple[str, str], int]) -> dict[str, int]:
    rank = {level: i for i, level in enumerate(dc.LEVELS)}
    moves: Counter[str] = Counter({move: 0 for move in dc.MOVES})
    for (intake, now), n in pairs.items():
        step = rank.get(now, 0) - rank.get(intake, 0)
        moves["up" if step > 0 else "down" if step < 0 else "same"] += n
    return dict(moves)


QUEUES = ("late", "no_idva", "no_marac", "quiet")


def _queue_parts(today: date):
    """Each queue counted by the database."""
    conditions = (
        dc.late_waiting(),
        dc.high_risk_without_idva(),
        dc.marac_without_referral(),
        dc.quiet(today),
    )
    return [
        tagged_rows.part("queues", texts=[literal(name)], ints=[func.count()])
        .select_from(Case)
        .where(condition)
        for name, condition in zip(QUEUES, conditions, strict=True)
    ]


def _accommodation(session: Session, user: User, today: date) -> dict[str, Any]:
    from accommodation.budget import queries as budget_queries

    result, data = budget_queries.build(session, user, today)
    return {
        "figures": result.figures,
        "forecast": budget_queries.forecast_of(session, result, data),
    }


def _action_days(settings) -> dict[str, int]:
    """The working days the IDVA and MARAC referral actions were given (dash_services)."""
    return {
        "idva": settings.idva_action_working_days,
        "marac": settings.marac_action_working_days,
    }


def figures(session: Session, user: User, today: date) -> dict[str, Any]:
    """Every figure of the dashboard, for the months ending with `today`'s: the settings (with
    the non-working days), the counts in one statement, the rows the working-day and meeting
    rules read in another, then the budget's own."""
    period = dc.Period.ending(today)
    deadlines = deadline_settings(session)  # first: the settings and the days in one query
    settings = current_settings(session)
    counts = tagged_rows.read(
        session,
        [
            _borough_part(),
            _referral_part(period),
            _outcome_part(period),
            _dash_part(),
            *_queue_parts(today),
            *outcome_figures.parts(today),
            _meeting_parts(period)[0],
        ],
    )
    bounds = (period.start, period.end)
    rows = tagged_rows.read(session, [*timeliness.parts(bounds), *_meeting_parts(period)[1:]])
    pairs = {(intake, now): n for intake, now, n in counts["dash"]}
    ranked = sorted(counts["boroughs"], key=lambda row: row[2])
    queues = dict(counts["queues"])
    return {
        "period": period,
        "boroughs": [(borough_id, name) for name, borough_id, _place in ranked],
        "referrals": {(borough, m): n for borough, m, n in counts["referrals"]},
        "outcomes": {(outcome, m, borough): n for outcome, m, borough, n in counts["outcomes"]},
        "outcome_labels": list(dc.OUTCOMES.items()),
        "timeliness": timeliness.from_rows(rows, deadlines, _action_days(settings), today),
        "meetings": meetings_from({**counts, **rows}, period, settings.meeting_interval_days),
        "meeting_interval": settings.meeting_interval_days,
        "dash": pairs,
        "dash_movement": movement(pairs),
        "levels": dc.LEVELS,
        "accommodation": _accommodation(session, user, today),
        "queues": {name: queues.get(name, 0) for name in QUEUES},
        "quiet_days": dc.QUIET_DAYS,
        "outcome_measures": outcome_figures.from_rows(counts),
    }


# --- the cases behind a figure ----------------------------------------------------------


TITLES = {
    "referrals": "Referrals received",
    "outcomes": "Consultations held with this outcome",
    "acknowledgement": "Referrals not acknowledged in time",
    "consultation": "Case consultations not booked in time",
    "idva": "IDVA referrals not made in time",
    "marac": "MARAC referrals not made in time",
    "meetings": "Cases with fewer professionals meetings than due",
    "dash": "Cases by DASH risk level at intake and now",
    "dash_movement": "Cases whose DASH risk level moved",
    "accommodated": "Cases of the people accommodated",
    "late": "Late referrals waiting for agreement",
    "no_idva": "High-risk cases without an IDVA referral",
    "no_marac": "Cases meeting MARAC without a MARAC referral",
    "quiet": f"Open cases with nothing recorded for {dc.QUIET_DAYS} days",
    "outcome_change": "Cases measured at intake and later, by change in an outcome measure",
    "outcome_points": "Cases with outcome measures recorded at this point",
    "outcome_due": "Cases with a follow-up outcome measurement due and not recorded",
}


def _choice(params: dict[str, str], name: str, allowed, required: bool = False) -> str | None:
    value = params.get(name) or None
    if (value is None and required) or (value is not None and value not in allowed):
        raise UnknownFigure(name)
    return value


def _filter(session: Session, key: str, params: dict[str, str], today: date):
    """The condition on Case for the figure `key` with `params` (UnknownFigure if either is
    not one the dashboard links to)."""
    period = dc.Period.ending(today)
    month_text = params.get("month") or None
    month = period.month_of(month_text)
    if month_text and month is None:
        raise UnknownFigure("month")
    start, end = period.bounds(month)
    if key == "referrals":
        borough = params.get("borough") or None
        if borough is not None and not borough.isdigit():
            raise UnknownFigure("borough")
        condition = dc.referred(start, end)
        return condition if borough is None else condition & (Case.borough_id == int(borough))
    if key == "outcomes":
        outcome = _choice(params, "outcome", dc.OUTCOMES, required=True)
        borough = params.get("borough") or None
        if borough is not None and not borough.isdigit():
            raise UnknownFigure("borough")
        condition = dc.outcome_held(start, end, outcome)
        return condition if borough is None else condition & (Case.borough_id == int(borough))
    if key in timeliness.MEASURES:
        measure = timeliness.measure(
            session,
            key,
            (period.start, period.end),
            deadline_settings(session),
            _action_days(current_settings(session)),
            today,
        )
        return Case.id.in_(measure.missed)
    if key == "meetings":
        if month is None:
            raise UnknownFigure("month")
        interval = current_settings(session).meeting_interval_days
        row = meetings(session, period, interval)[period.months.index(month)]
        return Case.id.in_(row.short)
    if key in ("dash", "dash_movement"):
        query = select(CaseDashLevels.case_id)
        if key == "dash":
            intake = _choice(params, "intake", dc.LEVELS)
            now = _choice(params, "now", dc.LEVELS)
            if intake:
                query = query.where(CaseDashLevels.intake_level == intake)
            if now:
                query = query.where(CaseDashLevels.latest_level == now)
        else:
            query = query.where(dc.moved(_choice(params, "move", dc.MOVES, required=True)))
        return Case.id.in_(query)
    if key == "outcome_change":
        measure = _choice(params, "measure", outcome_figures.MEASURES)
        change = _choice(params, "change", outcome_figures.CHANGES, required=bool(measure))
        if change and not measure:
            raise UnknownFigure("measure")
        return outcome_figures.changed(measure, change)
    if key == "outcome_points":
        return outcome_figures.measured(_choice(params, "point", outcomes.POINTS, required=True))
    if key == "outcome_due":
        point = _choice(params, "point", outcome_figures.DUE_POINTS, required=True)
        return outcome_figures.followup_due(point, today)
    simple = {
        "accommodated": dc.accommodated,
        "late": dc.late_waiting,
        "no_idva": dc.high_risk_without_idva,
        "no_marac": dc.marac_without_referral,
        "quiet": lambda: dc.quiet(today),
    }
    if key not in simple:
        raise UnknownFigure(key)
    return simple[key]()


def cases_query(session: Session, user: User, key: str, params: dict[str, str], today: date):
    return visible_cases(user).where(_filter(session, key, params, today))


@dataclass(frozen=True)
class CasesBehind:
    title: str
    total: int
    rows: list
    next_after: str | None
    prev_before: str | None


def cases_behind(
    session: Session,
    user: User,
    key: str,
    params: dict[str, str],
    today: date,
    position: paging.Position = paging.FIRST_PAGE,
) -> CasesBehind:
    """A page of the cases behind the figure `key`, newest referrals first, with their count."""
    query: Select = cases_query(session, user, key, params, today)
    total = session.scalar(
        query.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)
    )
    page = paging.fetch_page(
        session,
        query,
        Case,
        Case.received_at,
        Case.id,
        position,
        PAGE_SIZE,
        options=(joinedload(Case.allocated_practitioner), joinedload(Case.client)),
    )
    rows = stored_rows(session, page.rows, today, non_working_days(session))
    return CasesBehind(TITLES[key], total or 0, rows, page.next_after, page.prev_before)
