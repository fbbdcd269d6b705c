"""The figures of the monthly programme report for managers, gathered into plain values.

Aggregates only: counts, shares, medians and money, by borough and month at the finest.
No query here reads a name, and no case reference leaves this module. The figures are
unsuppressed (the managers' own copy); the funder's copy hides small counts
(eip.reports.monthly_document, with the evaluation's rules).

The standing figures (cases open, people accommodated so far, the pot) are as they stood at
the end of the month's last day, not as they stand today: a report on October run in
December counts the cases open on 31 October, the people whose placement had been approved by
then and not cancelled by then, and the ledger entries dated up to then.

Dates are London dates (a referral received at 00:30 BST on the 1st is that month's).
The acknowledgement deadline is `eip.cases.deadlines.acknowledgement_due` with the
programme settings, the managers' extra non-working days included, as on the case pages.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from types import SimpleNamespace

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    true,
    tuple_,
    union,
)
from sqlalchemy.orm import Session, aliased

from accommodation import ledger, ledger_sql
from accommodation.budget import months as budget_months
from accommodation.budget import queries as budget_queries
from accommodation.budget import summary as budget
from accommodation.models import Placement
from eip.auth.models import User
from eip.cases.choices import CONSULTATION_OUTCOME
from eip.cases.deadlines import acknowledged_in_time, acknowledgement_due
from eip.cases.models import Case
from eip.cases.queries import deadline_settings
from eip.cases.records import (
    DASH_MET_MARAC,
    Consultation,
    DashReview,
    MaracReferral,
    OnwardReferral,
    ProfessionalsMeeting,
)
from eip.domain import RuleBroken
from eip.models import Borough
from eip.programme import current_settings
from eip.reports import tagged_rows
from eip.workdays import london_date, london_day_start

TREND_MONTHS = 6
# Short names for the chart's axis; the table beside it uses the full ones.
OUTCOME_SHORT = {
    "intervention": "Intervention",
    "intervention_with_accommodation": "With accommodation",
    "consultation_only": "Consultation only",
    "not_suitable": "Not suitable",
}
NOT_A_MONTH = "The month of the report must be a real month, like 10 2026"
FUTURE_MONTH = "The report is for a month that has begun: choose this month or an earlier one"


def check_month(month: date, today: date) -> date:
    """The first day of the month the form's month and year boxes name: a real month (a
    year before 2000 is a mistyped one, "26" for 2026) that has begun."""
    if month.year < 2000:
        raise RuleBroken(
            "The month of the report must be a real month, like 10 2026", field="month"
        )
    month = month.replace(day=1)
    if month > today:
        raise RuleBroken(FUTURE_MONTH, field="month")
    return month


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def months_back(month: date, count: int) -> list[date]:
    """`count` months ending with `month`, oldest first."""
    months = [month]
    while len(months) < count:
        first = months[0]
        months.insert(0, date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1))
    return months


@dataclass(frozen=True)
class Timeliness:
    received: int
    on_time: int
    late: int
    not_yet_due: int
    working_days: int
    median_days_to_consultation: float | None
    consultations_counted: int

    @property
    def share_on_time(self) -> float | None:
        decided = self.on_time + self.late
        return self.on_time / decided if decided else None


@dataclass(frozen=True)
class Meetings:
    held: int
    due: int  # fell due in the month, or were waiting at its start
    overdue: int  # of those, still waiting at the month's end
    cases: int
    interval_days: int


@dataclass(frozen=True)
class Risk:
    dash_reviews: int
    high_risk_cases: int
    at_threshold: int
    threshold: int
    referrals: dict[str, dict[str, int]]  # agency -> {"made": n, "planned": n}
    marac_met: int  # cases whose latest DASH review by the month's end met MARAC
    marac_referred: int  # of those, referred to MARAC by then

    @property
    def marac_not_referred(self) -> int:
        return self.marac_met - self.marac_referred


@dataclass(frozen=True)
class Accommodation:
    requests: int
    approved: int
    people: int
    nights: int
    people_so_far: int  # at the month's end
    max_people: int


@dataclass(frozen=True)
class Spend:
    months: list[budget.MonthRow]  # the trend months, oldest first
    committed: int  # this month, net of releases
    invoiced: int
    paid: int
    closing: ledger.PotTotals  # at the month's end


@dataclass(frozen=True)
class MonthlyData:
    month: date
    last_day: date  # the month's last day, or today while the month runs
    complete: bool
    trend: list[date]
    referrals_by_month: list[int]
    referrals_by_borough: list[tuple[str, list[int]]]
    outcomes: list[tuple[str, str, int]]  # code, label, count
    timeliness: Timeliness
    meetings: Meetings
    risk: Risk
    accommodation: Accommodation
    spend: Spend
    cases_open: int  # at the month's end

    @property
    def referrals(self) -> int:
        return self.referrals_by_month[-1]


def _parts(trend: list[date], month: date, end: date) -> list[Select]:
    """What the report reads row by row, as tagged_rows parts sent in one statement."""
    return [
        *_referral_parts(trend, end),
        tagged_rows.part("outcomes", texts=[Consultation.outcome], ints=[func.count()])
        .where(Consultation.held_on >= month, Consultation.held_on < end)
        .group_by(Consultation.outcome),
        *_timeliness_parts(month, end),
        *_risk_parts(month, end),
    ]


def _referral_parts(trend: list[date], end: date) -> list[Select]:
    """Referrals received per London month of `trend` and per borough, counted by the
    database: each month is a range of instants (its first London midnight to the next), and
    each borough's count in it one range of the index on (borough, received_at), so the count
    steps over that borough's referrals of the month only (a CASE naming each referral's month
    and a GROUP BY over every referral of the six months were a fifth of the report at
    100,000 cases). A part per month, a row per borough: the zeros are left out by
    `_referrals`."""
    bounds = [london_day_start(month) for month in trend] + [london_day_start(end)]
    return [
        tagged_rows.part(
            "referrals",
            texts=[Borough.name],
            ints=[
                literal(i),
                select(func.count())
                .where(
                    Case.borough_id == Borough.id,
                    Case.received_at >= start,
                    Case.received_at < stop,
                )
                .scalar_subquery(),
            ],
        ).select_from(Borough)
        for i, (start, stop) in enumerate(pairwise(bounds))
    ]


def _referrals(rows: list[tuple], trend: list[date]):
    by_month = [0] * len(trend)
    by_borough: dict[str, list[int]] = {}
    for borough, i, count in rows:
        if count:  # a borough with no referral in the six months is not listed
            by_month[i] += count
            by_borough.setdefault(borough, [0] * len(trend))[i] += count
    return by_month, sorted(by_borough.items())


def _timeliness_parts(month: date, end: date) -> list[Select]:
    """The month's referrals (received, acknowledged), and the days from receipt to each
    case's first consultation held, for those held this month: the month's consultations
    (an index range) of cases with none held before it."""
    received = tagged_rows.part("received", at=[Case.received_at, Case.acknowledged_at]).where(
        Case.received_at >= london_day_start(month), Case.received_at < london_day_start(end)
    )
    earlier = aliased(Consultation)
    held_before = (
        select(earlier.id)
        .where(earlier.case_id == Consultation.case_id, earlier.held_on < month)
        .exists()
    )
    first_held = (
        tagged_rows.part(
            "first_consultations", days=[func.min(Consultation.held_on)], at=[Case.received_at]
        )
        .select_from(Consultation)
        .join(Case, Case.id == Consultation.case_id)
        .where(
            Consultation.held_on >= month,
            Consultation.held_on < end,
            ~held_before,
            Case.received_at.is_not(None),
        )
        .group_by(Consultation.case_id, Case.received_at)
    )
    return [received, first_held]


def _timeliness(
    session: Session, found: dict[str, list[tuple]], end: date, as_of: date
) -> Timeliness:
    """The month's referrals acknowledged on time, late, or not yet due, as they stood at
    the month's end: one acknowledged after it was then still waiting, late only if its
    deadline had passed by `as_of` (the day after the month, or today while it runs)."""
    deadlines = deadline_settings(session)
    month_over = london_day_start(end)
    on_time = late = waiting = 0
    cases = found["received"]
    for received_at, acknowledged_at in cases:
        received_on = london_date(received_at)
        due = acknowledgement_due(received_on, deadlines)
        if acknowledged_at is not None and acknowledged_at < month_over:
            if acknowledged_in_time(received_on, london_date(acknowledged_at), deadlines):
                on_time += 1
            else:
                late += 1
        elif as_of > due:
            late += 1
        else:
            waiting += 1
    waits = [
        (held_on - london_date(received_at)).days
        for held_on, received_at in found["first_consultations"]
    ]
    return Timeliness(
        received=len(cases),
        on_time=on_time,
        late=late,
        not_yet_due=waiting,
        working_days=deadlines.acknowledge_working_days,
        median_days_to_consultation=statistics.median(waits) if waits else None,
        consultations_counted=len(waits),
    )


def _outcomes(rows: list[tuple]) -> list[tuple[str, str, int]]:
    counts = dict(rows)
    return [(code, label, counts.get(code, 0)) for code, label in CONSULTATION_OUTCOME]


def _meetings(month: date, last_day: date, as_of: date, interval: int) -> Select:
    """Meetings held in the month against those due, counted as the case page counts them
    (`deadlines.due_items`): a case's next meeting is due `interval` days after the later of
    its intervention's start and its last meeting. A due date counts when it fell in the
    month while the case was open, or fell before and was still waiting at the month's
    start; it is overdue when still waiting before `as_of` (the day after the month, or
    today while the month runs), as the case page said on the month's last day.

    The cases in intervention during the month are only counted (one pass over the index
    of intervention starts and closings); the work per case is for the few with a "base"
    (their start, or a meeting) from `cut` (the month's first day less the interval) on,
    found from the index ranges of the starts and meetings since `cut`. A case with none
    has one due date before the month (its last base before `cut`, plus the interval):
    it was waiting at the month's start, and still waiting at its end, when no meeting was
    held from `cut` to then. Dates are only compared with values worked out here, so
    neither engine adds days to a column: "due on or before D" is "base on or before D -
    interval"."""
    gap = timedelta(days=interval)
    cut = month - gap
    month_start = london_day_start(month)
    after = london_day_start(last_day + timedelta(days=1))
    open_in_month = or_(Case.closed_at.is_(None), Case.closed_at >= month_start)
    open_at_end = or_(Case.closed_at.is_(None), Case.closed_at >= after)
    meeting = ProfessionalsMeeting
    # The cases in intervention during the month, counted from their index alone.
    started = Case.intervention_started_on
    old = started < cut
    counts = (
        select(
            func.count().label("cases"),
            func.coalesce(func.sum(case((old, 1), else_=0)), 0).label("old"),
            func.coalesce(func.sum(case((and_(old, open_at_end), 1), else_=0)), 0).label(
                "old_open"
            ),
        )
        .where(started.is_not(None), started <= last_day, open_in_month)
        .subquery()
    )

    # The bases from `cut` on: the starts since then, and the meetings since then of every
    # case in intervention during the month (a set: one per day, as a case's due dates).
    bases = union(
        select(Case.id.label("case_id"), started.label("on"), Case.closed_at, started).where(
            started >= cut, started <= last_day, open_in_month
        ),
        select(meeting.case_id, meeting.held_on, Case.closed_at, started)
        .join(Case, Case.id == meeting.case_id)
        .where(
            meeting.held_on >= cut,
            meeting.held_on <= last_day,
            meeting.held_on >= started,
            open_in_month,
        ),
    ).subquery()
    # A case closed within the month has no meeting due from its closing day (London):
    # the last base whose due date came before it, one branch per day of the month.
    closed_limit = case(
        *(
            (
                bases.c.closed_at < london_day_start(day + timedelta(days=1)),
                day - gap,
            )
            for day in _days(month, last_day)
        ),
        else_=None,
    )
    # Open at the month's end first: the day-by-day CASE only for the few closed in it.
    bases_open_at_end = or_(bases.c.closed_at.is_(None), bases.c.closed_at >= after)
    fell_due = and_(bases.c.on <= last_day - gap, or_(bases_open_at_end, bases.c.on < closed_limit))
    # Per case with a base since `cut`: the due dates that fell in the month, its last base
    # (overdue at the end when due before `as_of`), and whether a case started before
    # `cut` met before the month (its earlier due date was then not waiting at its start).
    per_case = (
        select(
            func.sum(case((fell_due, 1), else_=0)).label("due"),
            func.max(bases.c.on).label("last_on"),
            func.min(bases.c.on).label("first_on"),
            bases.c.closed_at,
            bases.c.intervention_started_on.label("started"),
        )
        .group_by(bases.c.case_id, bases.c.closed_at, bases.c.intervention_started_on)
        .subquery()
    )
    recent_open = or_(per_case.c.closed_at.is_(None), per_case.c.closed_at >= after)
    recent_old = per_case.c.started < cut
    recent = select(
        func.coalesce(func.sum(per_case.c.due), 0).label("due"),
        _count_where(and_(per_case.c.last_on < as_of - gap, recent_open)).label("overdue"),
        _count_where(and_(recent_old, per_case.c.first_on < month)).label("old_met_early"),
        _count_where(and_(recent_old, recent_open)).label("old_open_met"),
    ).subquery()
    return select(
        select(func.count())
        .where(meeting.held_on >= month, meeting.held_on <= last_day)
        .scalar_subquery()
        .label("held"),
        counts.c.cases,
        (recent.c.due + counts.c.old - recent.c.old_met_early).label("due"),
        (recent.c.overdue + counts.c.old_open - recent.c.old_open_met).label("overdue"),
    ).select_from(counts.join(recent, true()))  # a row each


def _meetings_from(row: SimpleNamespace, interval: int) -> Meetings:
    # int(): PostgreSQL sums a sum as a numeric.
    return Meetings(
        held=row.held,
        due=int(row.due),
        overdue=int(row.overdue),
        cases=row.cases,
        interval_days=interval,
    )


def _count_where(condition: ColumnElement[bool]):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _risk_parts(month: date, end: date) -> list[Select]:
    """The month's DASH reviews, and its IDVA and MARAC referrals. A MARAC referral is
    recorded either as an onward referral or by sending the MARAC pack
    (eip.cases.marac_services), which is kept apart: both are referrals made."""
    return [
        tagged_rows.part(
            "reviews", texts=[DashReview.risk_level], ints=[DashReview.case_id, DashReview.score]
        ).where(DashReview.completed_on >= month, DashReview.completed_on < end),
        tagged_rows.part("onward", texts=[OnwardReferral.agency, OnwardReferral.status]).where(
            OnwardReferral.referred_on >= month,
            OnwardReferral.referred_on < end,
            OnwardReferral.agency.in_(("idva", "marac")),
        ),
        tagged_rows.part("packs", texts=[literal("marac"), literal("made")]).where(
            MaracReferral.sent_on >= month, MaracReferral.sent_on < end
        ),
    ]


def _risk(found: dict[str, list[tuple]], marac: SimpleNamespace, threshold: int) -> Risk:
    reviews = [(case, score, level) for level, case, score in found["reviews"]]
    referrals: dict[str, dict[str, int]] = {"idva": Counter(), "marac": Counter()}
    for agency, status in [*found["onward"], *found["packs"]]:
        referrals[agency]["planned" if status == "planned" else "made"] += 1
    return Risk(
        dash_reviews=len(reviews),
        high_risk_cases=len({case for case, _s, level in reviews if level == "high"}),
        at_threshold=len({case for case, score, _l in reviews if score >= threshold}),
        threshold=threshold,
        referrals={agency: dict(counts) for agency, counts in referrals.items()},
        marac_met=marac.met,
        marac_referred=int(marac.referred),
    )


def _marac_at(month: date, last_day: date) -> Select:
    """As at the month's end: the cases in the programme during the month whose latest DASH
    review by then met MARAC (any criterion, under the thresholds it was assessed with), and
    how many of them had been referred by then: a MARAC pack sent, or an onward referral
    to MARAC made (not only planned), on any date up to the month's end.

    Read from the reviews that met MARAC (their own partial index), each kept when no later
    review of its case by the month's end follows it: a few of the reviews rather than a
    look-up of every case in the programme."""
    later = aliased(DashReview)
    superseded = (
        select(later.id)
        .where(
            later.case_id == DashReview.case_id,
            later.completed_on <= last_day,
            tuple_(later.completed_on, later.id) > tuple_(DashReview.completed_on, DashReview.id),
        )
        .exists()
    )
    # In the programme during the month: not closed before it. Asked as "no case closed
    # before the month" so that PostgreSQL reads the few closed cases from their index
    # instead of hashing every case to join the reviews to.
    closed_before = (
        select(Case.id)
        .where(Case.id == DashReview.case_id, Case.closed_at < london_day_start(month))
        .exists()
    )
    met_cases = (
        select(DashReview.case_id.label("case_id"))
        .where(
            # The flag the review was saved with, or its score at its own threshold.
            DASH_MET_MARAC,
            DashReview.completed_on <= last_day,
            ~superseded,
            ~closed_before,
        )
        .subquery()
    )
    pack_sent = (
        select(MaracReferral.id)
        .where(
            MaracReferral.case_id == met_cases.c.case_id,
            MaracReferral.sent_on <= last_day,
        )
        .exists()
    )
    onward_made = (
        select(OnwardReferral.id)
        .where(
            OnwardReferral.case_id == met_cases.c.case_id,
            OnwardReferral.agency == "marac",
            OnwardReferral.status != "planned",
            OnwardReferral.referred_on <= last_day,
        )
        .exists()
    )
    return select(
        func.count().label("met"), _count_where(or_(pack_sent, onward_made)).label("referred")
    ).select_from(met_cases)


def _accommodation(
    session: Session,
    user: User,
    month: date,
    end: date,
    today: date,
    placements: SimpleNamespace,
    max_people: int,
) -> Accommodation:
    facts = budget_queries.placement_facts(session, user)
    upto = min(end, today)  # tonight is not yet stayed
    people: set[int | None] = set()
    nights = 0
    for p in facts:
        stayed = budget.occupied_nights(p, upto) - budget.occupied_nights(p, month)
        if stayed > 0:
            nights += stayed
            people.add(p.client_id)
    return Accommodation(
        requests=placements.requests,
        approved=placements.approved,
        people=len(people),
        nights=nights,
        people_so_far=placements.people_so_far,
        max_people=max_people,
    )


def _placements(month: date, end: date) -> Select:
    """The month's requests for accommodation and approvals, and the people accommodated so
    far as it stood before `end` (a London day): clients with a placement approved by then
    and not cancelled by then (an ended stay still counts, as in DOMAIN.md's people cap). The
    states are today's, so the dates decide."""
    month_start, month_over = london_day_start(month), london_day_start(end)
    approved = Placement.nightly_rate_pence.is_not(None)
    return select(
        select(func.count())
        .where(Placement.created_at >= month_start, Placement.created_at < month_over)
        .scalar_subquery()
        .label("requests"),
        select(func.count())
        .where(approved, Placement.decided_at >= month_start, Placement.decided_at < month_over)
        .scalar_subquery()
        .label("approved"),
        select(func.count(func.distinct(Placement.client_id)))
        .where(
            approved,
            Placement.decided_at < month_over,
            or_(Placement.cancelled_on.is_(None), Placement.cancelled_on >= end),
        )
        .scalar_subquery()
        .label("people_so_far"),
    )


def _cases_open(end: date) -> Select:
    """Cases received and not yet closed (closed or not accepted) before `end`."""
    start = london_day_start(end)
    return select(func.count().label("n")).where(
        Case.received_at < start,
        or_(Case.closed_at.is_(None), Case.closed_at >= start),
    )


def _one_row(session: Session, **queries: Select) -> dict[str, SimpleNamespace]:
    """Several one-row queries sent as one statement (each a subquery, joined on true):
    each one's row by its name, what it would have read alone."""
    named = {name: query.subquery(name) for name, query in queries.items()}
    subqueries = iter(named.values())
    joined = next(subqueries)
    for subquery in subqueries:
        joined = joined.join(subquery, true())
    columns = [c.label(f"{name}__{c.name}") for name, sq in named.items() for c in sq.c]
    row = session.execute(select(*columns).select_from(joined)).one()._mapping
    return {
        name: SimpleNamespace(**{c.name: row[f"{name}__{c.name}"] for c in sq.c})
        for name, sq in named.items()
    }


def _spend(session: Session, trend: list[date], pot_pence: int, last_day: date) -> Spend:
    points = ledger_sql.burn_down(session, pot_pence)
    moved = {
        row.month: row
        for row in budget_months.month_rows(ledger_sql.day_sums(session), points, pot_pence)
    }
    months = []
    for month in trend:
        row = moved.get(month, budget.MonthRow(month))
        at_end = _pot_at(points, pot_pence, min(next_month(month) - timedelta(days=1), last_day))
        months.append(
            budget.MonthRow(
                month, row.commitments, row.releases, row.invoiced, row.paid, at_end.available
            )
        )
    this = months[-1]
    return Spend(
        months=months,
        committed=this.committed,
        invoiced=this.invoiced,
        paid=this.paid,
        closing=_pot_at(points, pot_pence, last_day),
    )


def _pot_at(points: list[budget.BurnPoint], pot_pence: int, day: date) -> ledger.PotTotals:
    """The pot after every entry dated on or before `day`: the last burn-down point then
    (which takes each reversal's sign from the whole ledger)."""
    before = [p for p in points if p.on <= day]
    if not before:
        return ledger.pot_totals([], pot_pence)
    point = before[-1]
    return ledger.PotTotals(
        pot=pot_pence,
        committed=point.committed,
        invoiced=point.invoiced,
        paid=point.paid,
        exposure=point.exposure,
        available=point.available,
    )


def monthly_data(session: Session, user: User, month: date, today: date) -> MonthlyData:
    """The report's figures for `month` (its first day), as of `today`. `user` is the
    manager asking: the placements are read through the policy like every other query."""
    month = month.replace(day=1)
    settings = current_settings(session)
    end = next_month(month)
    last_day = min(end - timedelta(days=1), today)
    # Judged as the case pages judged on the month's last day once it is over (late means
    # due before the next day), today while the month runs.
    as_of = min(end, today)
    trend = months_back(month, TREND_MONTHS)
    found = tagged_rows.read(session, _parts(trend, month, end))
    by_month, by_borough = _referrals(found["referrals"], trend)
    # The figures of one row each, in one statement.
    standing = _one_row(
        session,
        meetings=_meetings(month, last_day, as_of, settings.meeting_interval_days),
        marac=_marac_at(month, last_day),
        placements=_placements(month, end),
        cases_open=_cases_open(last_day + timedelta(days=1)),
    )
    return MonthlyData(
        month=month,
        last_day=last_day,
        complete=end <= today,
        trend=trend,
        referrals_by_month=by_month,
        referrals_by_borough=by_borough,
        outcomes=_outcomes(found["outcomes"]),
        timeliness=_timeliness(session, found, end, as_of),
        meetings=_meetings_from(standing["meetings"], settings.meeting_interval_days),
        risk=_risk(found, standing["marac"], settings.marac_threshold_yes),
        accommodation=_accommodation(
            session, user, month, end, today, standing["placements"], settings.max_people
        ),
        spend=_spend(session, trend, settings.pot_pence, last_day),
        cases_open=standing["cases_open"].n,
    )
