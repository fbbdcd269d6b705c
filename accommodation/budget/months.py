"""The budget month by month, for the months CSV export and the monthly report: new
commitments, releases, invoiced and paid in each month, and the money left at its end.
A pure function over what the database adds up (`ledger_sql.day_sums`, the movements per
day, and `ledger_sql.burn_down`, the pot after each day), on the same signed amounts as
`accommodation.ledger`, so the months add up to the pot's totals to the penny.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from accommodation.budget.summary import BurnPoint, MonthRow


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


# Empty months are listed between two months with movements only when the gap is at most
# this long: a mistyped date years back must not turn the statement into thousands of rows.
MAX_EMPTY_MONTHS = 24


def _months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def month_rows(
    days: Mapping[date, tuple[int, int, int, int]],
    burn: Sequence[BurnPoint],
    pot_pence: int,
) -> list[MonthRow]:
    """Every month from the first entry's to the last's (empty months too, so a month with
    no movement is visibly nil, unless a gap runs past `MAX_EMPTY_MONTHS`): new
    commitments, releases, invoiced and paid in the month (`days`: per day, of the
    placements the reader may see), a reversal counting against its kind in the month it
    is dated. `burn` is the whole pot's burn-down, one point per day with entries: the
    months are those of its days, and the uncommitted money at each month's end is the
    pot's after its last day in the month."""
    if not burn:
        return []
    rows: dict[date, MonthRow] = {}
    previous: date | None = None
    for moved in sorted({p.on.replace(day=1) for p in burn}):
        if previous is not None and _months_between(previous, moved) - 1 <= MAX_EMPTY_MONTHS:
            month = _next_month(previous)
            while month < moved:
                rows[month] = MonthRow(month)
                month = _next_month(month)
        rows[moved] = MonthRow(moved)
        previous = moved
    for on, (commitments, releases, invoiced, paid) in days.items():
        row = rows[on.replace(day=1)]
        row.commitments += commitments
        row.releases += releases
        row.invoiced += invoiced
        row.paid += paid
    ordered = [rows[month] for month in sorted(rows)]
    available, points = pot_pence, iter(burn)
    point = next(points, None)
    for row in ordered:
        end = _next_month(row.month)
        while point is not None and point.on < end:
            available, point = point.available, next(points, None)
        row.available_at_end = available
    return ordered
