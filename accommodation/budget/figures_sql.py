"""The budget's figures and its spend series added up by the database, for the pages.

`accommodation.budget.summary` is the definition (plain functions over every placement's
facts and totals); a page that shows only the pot's figures, the spend by borough and the
chart needs only sums, so the database works them out here with the same arithmetic, and the
page reads one row of figures and one row per day of the chart however many placements there
are. tests/integration/test_budget_sql.py checks, on SQLite and PostgreSQL, that every figure
here equals what `summary` gives over the placements `queries.load` reads.

Dates become whole day numbers (`date.toordinal()`) in SQL, so the nights between two dates
are a subtraction on both engines.
"""

from __future__ import annotations

import functools
from datetime import date

from sqlalchemy import (
    BigInteger,
    Integer,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from accommodation import ledger_sql
from accommodation.budget import summary
from accommodation.models import Placement
from accommodation.rules import COUNTS_TOWARDS_PEOPLE_CAP


class day_number(FunctionElement):
    """A date as its day number, as Python's `date.toordinal()`."""

    type = Integer()
    inherit_cache = True


@compiles(day_number)
def _day_number(element, compiler, **kw):
    return f"({compiler.process(element.clauses, **kw)} - DATE '0001-01-01' + 1)"


@compiles(day_number, "sqlite")
def _day_number_sqlite(element, compiler, **kw):
    # julianday of a date is its day at noon (n.5): the whole part, less 0001-01-01's.
    return f"(CAST(julianday({compiler.process(element.clauses, **kw)}) AS INTEGER) - 1721424)"


def _larger(a, b):
    return case((a > b, a), else_=b)


def _smaller(a, b):
    return case((a < b, a), else_=b)


@functools.cache
def _per_placement():
    """One row per placement: its facts as day numbers and whole pence beside its money
    (`ledger_sql.money_by_placement`), and `today` as a bound parameter."""
    money = ledger_sql.money_by_placement()
    checked_in = day_number(Placement.checked_in_on)
    start = day_number(func.coalesce(Placement.checked_in_on, Placement.move_in_on))
    return (
        select(
            Placement.id.label("id"),
            Placement.client_id.label("client_id"),
            Placement.borough_id.label("borough_id"),
            Placement.state.label("state"),
            Placement.nightly_rate_pence.label("rate"),
            Placement.approved_nights.label("nights"),
            start.label("start"),
            checked_in.label("checked_in"),
            day_number(Placement.moved_out_on).label("moved_out"),
            (start + Placement.approved_nights).label("planned"),
            (money.c.placement_id.is_not(None)).label("has_money"),
            cast(func.coalesce(money.c.committed, 0), BigInteger).label("committed"),
            cast(func.coalesce(money.c.invoiced, 0), BigInteger).label("invoiced"),
            cast(func.coalesce(money.c.paid, 0), BigInteger).label("paid"),
        )
        .outerjoin(money, money.c.placement_id == Placement.id)
        .subquery("per_placement")
    )


def _occupied_nights(p, today):
    """As `summary.occupied_nights(p, today)`."""
    end = case((p.c.state == "ended", p.c.moved_out), else_=p.c.planned)
    last = case((end.is_(None), today), else_=_smaller(today, end))
    return case(
        (
            and_(p.c.checked_in.is_not(None), p.c.state.in_(("checked_in", "ended"))),
            _larger(last - p.c.checked_in, 0),
        ),
        else_=0,
    )


def _allowance_nights(p):
    """As `summary._allowance_nights(p)`."""
    return case(
        (
            and_(p.c.state == "ended", p.c.checked_in.is_not(None), p.c.moved_out.is_not(None)),
            p.c.moved_out - p.c.checked_in,
        ),
        (
            and_(p.c.state.in_(sorted(COUNTS_TOWARDS_PEOPLE_CAP)), p.c.nights != 0),
            p.c.nights,
        ),
        else_=0,
    )


# Today's day number, passed when a statement runs (`{"today": date.toordinal()}`): the
# statements are built once, not per request (building them cost as much as running them).
TODAY = bindparam("today", type_=Integer)


@functools.cache
def figures_query():
    """One row: the pot's committed, invoiced, paid and exposure, the accrued, to-invoice,
    people and nights of `summary.figures`, over every placement."""
    p = _per_placement()
    stayed = _occupied_nights(p, TODAY)
    counted = p.c.state.in_(sorted(COUNTS_TOWARDS_PEOPLE_CAP))
    return select(
        func.coalesce(func.sum(p.c.committed), 0).label("committed"),
        func.coalesce(func.sum(p.c.invoiced), 0).label("invoiced"),
        func.coalesce(func.sum(p.c.paid), 0).label("paid"),
        func.coalesce(func.sum(_larger(p.c.committed, p.c.invoiced)), 0).label("exposure"),
        func.coalesce(
            func.sum(_larger(stayed * func.coalesce(p.c.rate, 0) - p.c.invoiced, 0)), 0
        ).label("accrued"),
        func.coalesce(func.sum(_larger(p.c.committed - p.c.invoiced, 0)), 0).label("to_invoice"),
        func.count(func.distinct(case((counted, p.c.client_id), else_=None))).label("people"),
        func.coalesce(func.sum(stayed), 0).label("nights_stayed"),
        func.coalesce(func.sum(_allowance_nights(p)), 0).label("nights_approved"),
    )


def figures_of_row(row, pot_pence: int, max_people: int) -> summary.Figures:
    committed, invoiced, paid, exposure, accrued, to_invoice, people, stayed, approved = (
        int(v) for v in row
    )
    return summary.Figures(
        pot=pot_pence,
        committed=committed,
        invoiced=invoiced,
        paid=paid,
        exposure=exposure,
        available=pot_pence - exposure,
        unpaid=invoiced - paid,
        accrued=accrued,
        to_invoice=to_invoice,
        people=people,
        max_people=max_people,
        nights_stayed=stayed,
        nights_approved=approved,
    )


def by_borough_query(visible_ids):
    """The spend by borough (`summary.by_borough` over `summary.placement_rows`): the visible
    placements that hold money, grouped by borough name."""
    from eip.models import Borough

    p = _per_placement()
    return (
        select(
            Borough.name.label("borough"),
            func.count(),
            func.sum(p.c.committed),
            func.sum(p.c.invoiced),
            func.sum(p.c.paid),
            func.sum(_larger(p.c.committed, p.c.invoiced)),
        )
        .join(Borough, Borough.id == p.c.borough_id)
        .where(p.c.id.in_(visible_ids), (p.c.rate.is_not(None)) | p.c.has_money)
        .group_by(Borough.name)
        .order_by(Borough.name)
    )


def boroughs_of_rows(rows) -> list[summary.BoroughSpend]:
    return [
        summary.BoroughSpend(
            borough=name,
            placements=int(n),
            committed=int(c),
            invoiced=int(i),
            paid=int(pd),
            exposure=int(e),
        )
        for name, n, c, i, pd, e in rows
    ]


# The spend series' events: (day number, change of the daily increase, one-day step, is a
# stay's first night, is a stay's end), as `summary.spend_series` writes them into its lists.
@functools.cache
def spend_events_query():
    """The changes `summary.spend_series` adds up day by day, one row per day that has any:
    each stay's ramp (its rate a night from the night after its first, until its commitment
    is used up), the step to its committed total on its move-out, and what no stay carries
    (a cancellation charge) on today."""
    p = _per_placement()
    approved_first = _larger(p.c.start, TODAY)
    is_approved = and_(p.c.state.in_(("approved", "agreement_signed")), p.c.nights != 0)
    a = case(
        (
            and_(p.c.state == "ended", p.c.checked_in.is_not(None), p.c.moved_out.is_not(None)),
            p.c.checked_in,
        ),
        (
            and_(p.c.state == "checked_in", p.c.checked_in.is_not(None), p.c.planned.is_not(None)),
            p.c.checked_in,
        ),
        (is_approved, approved_first),
        else_=None,
    )
    b = case(
        (
            and_(p.c.state == "ended", p.c.checked_in.is_not(None), p.c.moved_out.is_not(None)),
            p.c.moved_out,
        ),
        (
            and_(p.c.state == "checked_in", p.c.checked_in.is_not(None), p.c.planned.is_not(None)),
            p.c.planned,
        ),
        (is_approved, approved_first + p.c.nights),
        else_=None,
    )
    committed = _larger(p.c.committed, 0)
    has_span = and_(a.is_not(None), p.c.rate.is_not(None), p.c.rate != 0)
    spans = (
        select(
            a.label("a"),
            b.label("b"),
            p.c.rate.label("r"),
            committed.label("c"),
            (b - a).label("n"),
            # Whole nights paid for: both positive integers, so SQL's integer division is
            # Python's // (SQLAlchemy's // would call FLOOR, a Python function on SQLite).
            case((has_span, committed.op("/", return_type=BigInteger)(p.c.rate)), else_=None).label(
                "whole"
            ),
            case((has_span, 1), else_=0).label("stay"),
        )
        .where(committed > 0)
        # Read by each kind of event below: a CTE, worked out once (both engines materialise
        # a CTE named more than once), not once per kind. A commitment with no stay (`stay`
        # 0) counts on today.
        .cte("spans")
    )
    s = spans.c
    at_end = _smaller(s.c, s.r * _larger(s.n, 0)) + _larger(s.c - s.r * s.n, 0)
    ramp_end = _smaller(s.a + s.whole, s.b - 1)
    zero, no, one = literal(0, BigInteger), literal(0, Integer), literal(1, Integer)
    ramps = (s.stay == 1, s.n > 0, ramp_end >= s.a + 1)

    def event(day, slope, step, starts, ends, *where):
        return select(
            day.label("day"),
            cast(slope, BigInteger).label("slope"),
            cast(step, BigInteger).label("step"),
            starts.label("starts"),
            ends.label("ends"),
        ).where(*where)

    loose = select(
        TODAY.label("day"),
        zero.label("slope"),
        cast(func.coalesce(func.sum(s.c), 0), BigInteger).label("step"),
        no.label("starts"),
        no.label("ends"),
    ).where(s.stay == 0)
    events = union_all(
        event(s.a, zero, zero, one, no, s.stay == 1),
        event(s.b, zero, at_end, no, one, s.stay == 1, s.n <= 0),
        event(s.b, zero, at_end - _smaller(s.c, s.r * (s.n - 1)), no, one, s.stay == 1, s.n > 0),
        event(s.a + 1, s.r, zero, no, no, *ramps),
        event(ramp_end + 1, -s.r, zero, no, no, *ramps),
        event(
            s.a + s.whole + 1,
            zero,
            s.c - s.r * s.whole,
            no,
            no,
            *ramps[:2],
            s.a + s.whole + 1 <= s.b - 1,
        ),
        loose,
    ).subquery("events")
    e = events.c
    return (
        select(
            e.day,
            func.sum(e.slope).label("slope"),
            func.sum(e.step).label("step"),
            func.sum(e.starts).label("starts"),
            func.sum(e.ends).label("ends"),
        )
        .group_by(e.day)
        .order_by(e.day)
    )


def spend_of_rows(rows, *, pot_pence: int, today: date) -> list[summary.SpendPoint]:
    """`spend_events_query`'s rows as `summary.spend_series`: one pass over the days."""
    rows = [(int(d), int(sl), int(st), int(a), int(b)) for d, sl, st, a, b in rows]
    starts = [d for d, _sl, _st, a, _b in rows if a]
    ends = [d for d, _sl, _st, _a, b in rows if b]
    if not starts and not any(st for _d, _sl, st, _a, _b in rows):
        return []  # no stay, and nothing committed outside one
    t = today.toordinal()
    first = min([t, *starts])
    last = max([t, *ends])
    spent, slope, step = 0, {}, {}
    for d, sl, st, _a, _b in rows:
        if d <= first:
            spent += st  # on `first`, from what was already there before it
        else:
            step[d] = step.get(d, 0) + st
        if sl:
            slope[d] = slope.get(d, 0) + sl
    points, rising = [], 0
    for d in range(first, last + 1):
        if d > first:
            rising += slope.get(d, 0)
            spent += rising + step.get(d, 0)
        day = date.fromordinal(d)
        points.append(summary.SpendPoint(day, spent, pot_pence - spent, forecast=day > today))
    return points


@functools.cache
def chart_query():
    """The chart's two series in one statement: the burn-down's changes by day
    (`ledger_sql.burn_down`, marked 0) and the spend series' events by day (marked 1)."""
    burn = ledger_sql.burn_down_changes().subquery("burn")
    spend = spend_events_query().order_by(None).subquery("spend")
    both = union_all(
        select(literal(0, Integer).label("series"), day_number(burn.c.on), *list(burn.c)[1:]),
        select(literal(1, Integer).label("series"), *spend.c),
    ).subquery("chart")
    return select(both).order_by(both.c.series, list(both.c)[1])


def chart_of_rows(rows, *, pot_pence: int, today: date):
    """`chart_query`'s rows as (the burn-down, the spend series)."""
    burn, spend = [], []
    for series, day, *values in rows:
        (spend if series else burn).append((int(day), *values))
    burn_down = ledger_sql.burn_of_rows(
        ((date.fromordinal(day), *values) for day, *values in burn), pot_pence
    )
    return burn_down, spend_of_rows(spend, pot_pence=pot_pence, today=today)
