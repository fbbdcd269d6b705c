"""The budget at a glance, computed from the ledger: pure functions, no Flask, no database.

Every figure is derived from each placement's ledger totals (`ledger.PlacementTotals`, which
the pages read added up by the database: `accommodation.ledger_sql`) and a few plain facts
about each placement, with DOMAIN.md's formulas as `accommodation.ledger` implements them;
nothing here is stored. The per-placement, per-borough and per-month breakdowns (the months
are `accommodation.budget.months`') are built from the same signed amounts as
`ledger.pot_totals`, so their totals reconcile with it to the penny, which the property tests
check. `burn_down` over the dated entries is the definition that the database's burn-down
(`ledger_sql.burn_down`, which the pages use) is tested against.

Nights: night d is "occupied" when the client sleeps there from d to d + 1, so a stay from
check-in c to move-out m occupies the nights c … m - 1. Nights up to `today` are the nights
before today (tonight is not yet stayed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from accommodation import ledger
from accommodation.ledger import INVOICE, PAYMENT
from accommodation.rules import COUNTS_TOWARDS_PEOPLE_CAP
from eip.vocabulary import placement_name


@dataclass(frozen=True)
class DatedEntry:
    """A ledger entry with the business date it belongs to (`LedgerEntry.effective_on`)."""

    entry: ledger.Entry
    on: date


@dataclass(frozen=True)
class PlacementFacts:
    """What the budget needs to know about one placement, and nothing personal.

    `visible` is False for a placement the user may not see row by row (another borough's,
    for a SPOC): it still counts in the pot's figures, which are programme-wide, but never
    appears in a table, a breakdown or an export.
    """

    id: int
    client_id: int | None
    reference: str
    borough: str
    state: str
    rate_pence: int | None
    approved_nights: int | None
    start_on: date
    checked_in_on: date | None = None
    moved_out_on: date | None = None
    planned_move_out_on: date | None = None
    visible: bool = True

    @property
    def name(self) -> str:
        """The placement's name (eip.vocabulary): case reference and move-in date."""
        return placement_name(
            self.reference, self.start_on, moved_in=self.checked_in_on is not None
        )


@dataclass(frozen=True)
class Figures:
    """The pot at a glance (pence, except people and nights)."""

    pot: int
    committed: int
    invoiced: int
    paid: int
    exposure: int
    available: int
    unpaid: int
    accrued: int
    to_invoice: int
    people: int
    max_people: int
    nights_stayed: int
    nights_approved: int


@dataclass(frozen=True)
class BurnPoint:
    """The pot after every entry dated `on` or earlier."""

    on: date
    committed: int
    invoiced: int
    paid: int
    exposure: int
    available: int


@dataclass(frozen=True)
class SpendPoint:
    """Cost of the nights occupied before `on` (actual up to today, then the forecast)."""

    on: date
    spent: int
    remaining: int
    forecast: bool


@dataclass(frozen=True)
class PlacementRow:
    facts: PlacementFacts
    totals: ledger.PlacementTotals
    accrued: int


@dataclass
class BoroughSpend:
    borough: str
    placements: int = 0
    committed: int = 0
    invoiced: int = 0
    paid: int = 0
    exposure: int = 0


@dataclass
class MonthRow:
    month: date
    commitments: int = 0
    releases: int = 0
    invoiced: int = 0
    paid: int = 0
    available_at_end: int = 0

    @property
    def committed(self) -> int:
        return self.commitments - self.releases


@dataclass(frozen=True)
class Budget:
    figures: Figures
    burn_down: list[BurnPoint]
    spend: list[SpendPoint]


# ---------------------------------------------------------------------------
# Nights


def occupied_nights(p: PlacementFacts, upto: date) -> int:
    """Nights actually stayed before `upto`: only a stay that has checked in has any, and a
    live stay counts no further than its planned move-out (beyond it an extension is missing)."""
    if p.checked_in_on is None or p.state not in ("checked_in", "ended"):
        return 0
    end = p.moved_out_on if p.state == "ended" else p.planned_move_out_on
    last = upto if end is None else min(upto, end)
    return max(0, (last - p.checked_in_on).days)


def accrued(p: PlacementFacts, invoiced_pence: int, today: date) -> int:
    """The cost of the nights stayed before `today` that has not been invoiced yet (never
    below zero): the one definition of accrued, for the budget and the placement page."""
    return max(0, occupied_nights(p, today) * (p.rate_pence or 0) - invoiced_pence)


def stay_span(p: PlacementFacts, today: date) -> tuple[date, date] | None:
    """The nights the stay occupies as (first night, move-out), actual or planned.

    A stay approved but not yet checked in is assumed to start today at the earliest, since
    nights before a check-in were not stayed; a request, a refusal or a cancellation has none.
    """
    if p.state == "ended" and p.checked_in_on and p.moved_out_on:
        return p.checked_in_on, p.moved_out_on
    if p.state == "checked_in" and p.checked_in_on and p.planned_move_out_on:
        return p.checked_in_on, p.planned_move_out_on
    if p.state in ("approved", "agreement_signed") and p.approved_nights:
        first = max(p.start_on, today)
        return first, first + timedelta(days=p.approved_nights)
    return None


def _allowance_nights(p: PlacementFacts) -> int:
    """Nights that count against the allowance (as `Placement.nights_used`)."""
    if p.state == "ended" and p.checked_in_on and p.moved_out_on:
        return (p.moved_out_on - p.checked_in_on).days
    if p.state in COUNTS_TOWARDS_PEOPLE_CAP and p.approved_nights:
        return p.approved_nights
    return 0


# ---------------------------------------------------------------------------
# The pot over time


def _point(running: ledger.Running, on: date) -> BurnPoint:
    return BurnPoint(
        on=on,
        committed=running.committed,
        invoiced=running.kinds[INVOICE],
        paid=running.kinds[PAYMENT],
        exposure=running.exposure,
        available=running.available,
    )


def burn_down(dated: Sequence[DatedEntry], pot_pence: int) -> list[BurnPoint]:
    """The pot after each day that has entries, oldest first (entries of a day in id order).

    Sorting by business date can put a correction before the entry it corrects (a reversal
    dated earlier than a back-dated invoice); the signs come from the whole ledger, so each
    day's point is still the sum of what was dated by then.
    """
    ordered = sorted(dated, key=lambda d: (d.on, d.entry.id or 0))
    signed = ledger.movements([d.entry for d in ordered])
    running, points = ledger.Running(pot_pence), []
    for index, (d, (placement_id, kind, amount)) in enumerate(zip(ordered, signed, strict=True)):
        running.add(placement_id, kind, amount)
        if index + 1 == len(ordered) or ordered[index + 1].on != d.on:
            points.append(_point(running, d.on))
    return points


# ---------------------------------------------------------------------------
# Figures, forecast, breakdowns


Totals = Mapping[int, ledger.PlacementTotals]


def figures(
    per: Totals,
    placements: Iterable[PlacementFacts],
    *,
    pot_pence: int,
    max_people: int,
    today: date,
) -> Figures:
    """The pot's figures. Accrued is, per placement, the cost of the nights stayed so far
    less what has been invoiced for it (never below zero); to-invoice is what is committed
    but not yet invoiced, which is what Camden should still expect to receive."""
    totals = ledger.pot_of(dict(per), pot_pence)
    zero = ledger.placement_totals([], 0)
    placements = list(placements)
    owed = sum(accrued(p, per.get(p.id, zero).invoiced, today) for p in placements)
    return Figures(
        pot=totals.pot,
        committed=totals.committed,
        invoiced=totals.invoiced,
        paid=totals.paid,
        exposure=totals.exposure,
        available=totals.available,
        unpaid=totals.invoiced - totals.paid,
        accrued=owed,
        to_invoice=sum(max(0, t.committed - t.invoiced) for t in per.values()),
        people=len({p.client_id for p in placements if p.state in COUNTS_TOWARDS_PEOPLE_CAP}),
        max_people=max_people,
        nights_stayed=sum(occupied_nights(p, today) for p in placements),
        nights_approved=sum(_allowance_nights(p) for p in placements),
    )


def spend_series(
    per: Totals,
    placements: Iterable[PlacementFacts],
    *,
    pot_pence: int,
    today: date,
) -> list[SpendPoint]:
    """Day by day, the cost of the nights occupied before that day: actual up to today,
    then the forecast as the committed stays run their course, reaching the committed total
    on the last (planned) move-out.

    Each stay costs its rate a night, capped at what is committed for it; whatever is
    committed beyond rate x nights (an added commitment for an invoice) counts on its
    move-out day, and a commitment with no stay (a cancellation charge) counts from today.
    """
    spans: list[tuple[date, date, int, int]] = []
    loose = 0
    for p in placements:
        committed = max(0, per[p.id].committed) if p.id in per else 0
        span = stay_span(p, today)
        if span is None or not p.rate_pence:
            loose += committed
        elif committed:
            spans.append((span[0], span[1], p.rate_pence, committed))
    if not spans and not loose:
        return []
    first = min([today, *(a for a, _b, _r, _c in spans)])
    last = max([today, *(b for _a, b, _r, _c in spans)])
    # One pass: each stay adds its rate a day while it runs (until its commitment is used up)
    # and a jump on its move-out to its committed total, as a change of the daily increase
    # (`slope`) and one-day steps (`step`) on the day they start; the series is their running
    # sum. Looping over every day of every stay instead took most of the budget request.
    size = (last - first).days + 1
    slope, step = [0] * (size + 1), [0] * (size + 1)
    spent = 0  # on `first`, from what was already there before it

    def add(index: int, pence: int) -> None:
        nonlocal spent
        if index <= 0:
            spent += pence
        else:
            step[index] += pence

    add((today - first).days, loose)
    for a, b, rate, committed in spans:
        start, stop, nights = (a - first).days, (b - first).days, (b - a).days
        # From its move-out on, a stay costs all it has committed (what its nights cost, plus
        # any commitment beyond rate x nights); before, its nights so far, capped.
        at_end = min(committed, rate * max(0, nights)) + max(0, committed - rate * nights)
        if nights <= 0:
            add(stop, at_end)
            continue
        whole = committed // rate  # nights paid in full before the cap
        ramp_end = min(start + whole, stop - 1)  # last day the full rate is added
        if ramp_end >= start + 1:
            slope[start + 1] += rate
            slope[ramp_end + 1] -= rate
        if start + whole + 1 <= stop - 1:
            step[start + whole + 1] += committed - rate * whole
        add(stop, at_end - min(committed, rate * (nights - 1)))
    points, rising = [], 0
    for index in range(size):
        if index:
            rising += slope[index]
            spent += rising + step[index]
        day = first + timedelta(days=index)
        points.append(SpendPoint(day, spent, pot_pence - spent, forecast=day > today))
    return points


def holds_money(p: PlacementFacts, per: Totals) -> bool:
    """Whether a placement belongs in the budget's rows: approved (it has a rate) or with
    entries. `queries.row_page` asks the same in SQL."""
    return p.rate_pence is not None or p.id in per


def placement_row(p: PlacementFacts, per: Totals, today: date) -> PlacementRow:
    totals = per.get(p.id) or ledger.placement_totals([], 0)
    return PlacementRow(p, totals, accrued(p, totals.invoiced, today))


def placement_rows(
    per: Totals, placements: Iterable[PlacementFacts], today: date
) -> list[PlacementRow]:
    """One row per visible placement that holds or held money, by borough then reference."""
    rows = [placement_row(p, per, today) for p in placements if p.visible and holds_money(p, per)]
    return sorted(rows, key=lambda r: (r.facts.borough, r.facts.reference, r.facts.id))


def by_borough(rows: Iterable[PlacementRow]) -> list[BoroughSpend]:
    """Committed, invoiced and paid per borough, over the rows the user may see."""
    spend: dict[str, BoroughSpend] = {}
    for row in rows:
        b = spend.setdefault(row.facts.borough, BoroughSpend(row.facts.borough))
        b.placements += 1
        b.committed += row.totals.committed
        b.invoiced += row.totals.invoiced
        b.paid += row.totals.paid
        b.exposure += row.totals.exposure
    return [spend[name] for name in sorted(spend)]


def build(
    per: Totals,
    burn: list[BurnPoint],
    placements: Sequence[PlacementFacts],
    *,
    pot_pence: int,
    max_people: int,
    today: date,
) -> Budget:
    """What the budget page and the finance home both show (the figures and the chart's
    series): from each placement's totals, the burn-down and the placements' facts
    (`queries.build`). The budget page adds the spend by borough and a page of rows."""
    return Budget(
        figures=figures(per, placements, pot_pence=pot_pence, max_people=max_people, today=today),
        burn_down=burn,
        spend=spend_series(per, placements, pot_pence=pot_pence, today=today),
    )
