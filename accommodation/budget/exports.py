"""Camden finance's CSV statements, per placement and per month: pure, like `budget`.

Amounts are plain numbers of pounds (1234.50) so that a spreadsheet adds them up; each file
ends with a totals line that equals the ledger's totals. Every cell goes through
`eip.csvsafe` (the one CSV writer), because a borough or provider name typed as
`=HYPERLINK(...)` would otherwise run as a formula in the spreadsheet finance opens.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from accommodation.budget.summary import MonthRow, PlacementRow
from eip.csvsafe import to_csv
from eip.formatting import plain_pounds

__all__ = ["month_csv", "placement_csv", "to_csv"]


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


PLACEMENT_HEADER = [
    "Placement",
    "Case reference",
    "Borough",
    "State",
    "Nightly rate",
    "Approved nights",
    "First night",
    "Planned move-out",
    "Moved out",
    "Committed",
    "Invoiced",
    "Paid",
    "Exposure",
    "Invoiced unpaid",
    "Accrued not invoiced",
]


def placement_csv(rows: Sequence[PlacementRow], state_labels: dict[str, str]) -> list[list[str]]:
    """The per-placement statement: one line per placement, then the totals. A placement is
    named as on every page, by case reference and move-in date, never by its row number."""
    out = [PLACEMENT_HEADER]
    for row in rows:
        p, t = row.facts, row.totals
        out.append(
            [
                p.name,
                p.reference,
                p.borough,
                state_labels.get(p.state, p.state),
                plain_pounds(p.rate_pence) if p.rate_pence else "",
                str(p.approved_nights or ""),
                _iso(p.checked_in_on or p.start_on),
                _iso(p.planned_move_out_on),
                _iso(p.moved_out_on),
                *map(
                    plain_pounds, (t.committed, t.invoiced, t.paid, t.exposure, t.unpaid_invoiced)
                ),
                plain_pounds(row.accrued),
            ]
        )
    total = [
        sum(r.totals.committed for r in rows),
        sum(r.totals.invoiced for r in rows),
        sum(r.totals.paid for r in rows),
        sum(r.totals.exposure for r in rows),
        sum(r.totals.unpaid_invoiced for r in rows),
        sum(r.accrued for r in rows),
    ]
    out.append(["Total", "", "", "", "", "", "", "", "", *map(plain_pounds, total)])
    return out


MONTH_HEADER = [
    "Month",
    "New commitments",
    "Released",
    "Net committed",
    "Invoiced",
    "Paid",
    "Available at month end",
]


def month_csv(months: Sequence[MonthRow]) -> list[list[str]]:
    """The per-month statement: movements in each month, then the totals (which are the
    ledger's committed, invoiced and paid)."""
    out = [MONTH_HEADER]
    for m in months:
        out.append(
            [
                m.month.strftime("%Y-%m"),
                *map(plain_pounds, (m.commitments, m.releases, m.committed, m.invoiced, m.paid)),
                plain_pounds(m.available_at_end),
            ]
        )
    sums = [
        sum(m.commitments for m in months),
        sum(m.releases for m in months),
        sum(m.committed for m in months),
        sum(m.invoiced for m in months),
        sum(m.paid for m in months),
    ]
    closing = months[-1].available_at_end if months else 0
    out.append(["Total", *map(plain_pounds, sums), plain_pounds(closing)])
    return out
