"""The budget month by month, for the months CSV export and the monthly report: new
commitments, releases, invoiced and paid in each month, and the money left at its end.
Pure functions over the dated ledger, like `accommodation.budget.summary`, on the same movements
(`ledger.movements`), so the months add up to the pot's totals to the penny.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from accommodation import ledger
from accommodation.budget.summary import DatedEntry, MonthRow
from accommodation.ledger import COMMIT, INVOICE, RELEASE


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


# Empty months are listed between two months with movements only when the gap is at most
# this long: a mistyped date years back must not turn the statement into thousands of rows.
MAX_EMPTY_MONTHS = 24


def _months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def month_rows(
    dated: Sequence[DatedEntry], pot_pence: int, include: set[int] | None = None
) -> list[MonthRow]:
    """Every month from the first entry's to the last's (empty months too, so a month with
    no movement is visibly nil, unless a gap runs past `MAX_EMPTY_MONTHS`): new
    commitments, releases, invoiced and paid in the month, a reversal counting against its
    kind in the month it is dated. `include` limits the movements to some placements; the
    uncommitted money at each month's end is the pot's."""
    if not dated:
        return []
    ordered = sorted(dated, key=lambda d: (d.on, d.entry.id or 0))
    signed = ledger.movements([d.entry for d in ordered])
    rows: dict[date, MonthRow] = {}
    previous: date | None = None
    for moved in sorted({d.on.replace(day=1) for d in ordered}):
        if previous is not None and _months_between(previous, moved) - 1 <= MAX_EMPTY_MONTHS:
            month = _next_month(previous)
            while month < moved:
                rows[month] = MonthRow(month)
                month = _next_month(month)
        rows[moved] = MonthRow(moved)
        previous = moved
    rows = dict(sorted(rows.items()))
    running = ledger.Running(pot_pence)
    by_month: dict[date, list[tuple[int, str, int]]] = {}
    for d, movement in zip(ordered, signed, strict=True):
        by_month.setdefault(d.on.replace(day=1), []).append(movement)
    for month, row in rows.items():
        for placement_id, kind, amount in by_month.get(month, []):
            running.add(placement_id, kind, amount)
            if include is not None and placement_id not in include:
                continue
            if kind == COMMIT:
                row.commitments += amount
            elif kind == RELEASE:
                row.releases += amount
            elif kind == INVOICE:
                row.invoiced += amount
            else:
                row.paid += amount
        row.available_at_end = running.available
    return list(rows.values())
