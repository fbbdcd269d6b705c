"""The ledger's totals added up by the database, for the pages that only show them.

`accommodation.ledger` is the definition (DOMAIN.md's formulas over a list of entries) and
the money steps keep using it on the entries they read under the pot lock. A page that
shows the pot's figures needs only sums, so the database adds them up here with the same
arithmetic, and a page costs the same with 100 entries or 100,000:

    counted kind of an entry = its kind, or for a reversal the kind of the entry it undoes
    signed amount            = its amount, or minus it for a reversal
    per placement p          committed = Σ commit - Σ release, invoiced = Σ invoice,
                             paid = Σ payment
    exposure(p)              = max(committed(p), invoiced(p));  available = pot - Σ exposure(p)

tests/integration/test_ledger_sql.py checks, on SQLite and PostgreSQL, that every figure here
equals what `accommodation.ledger` and `accommodation.budget.summary.burn_down` give for the
same entries (reversals, releases and extensions included).
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from datetime import date

from sqlalchemy import Select, bindparam, case, func, select
from sqlalchemy.orm import Session, aliased

from accommodation import ledger
from accommodation.budget.summary import BurnPoint
from accommodation.models import LedgerEntry


def _larger(a, b):
    """max(a, b) on both engines (SQLite's two-argument max is PostgreSQL's GREATEST)."""
    return case((a > b, a), else_=b)


def _movements(placement_ids: Collection[int] | Select | None = None) -> Select:
    """One row per entry: placement, business date and the signed pence it moves on each
    of committed, invoiced and paid (a reversal counts against the kind it undoes), and
    on new commitments and releases apart (the month rows show both)."""
    undone = aliased(LedgerEntry)
    reversal = LedgerEntry.kind == ledger.REVERSAL
    kind = case((reversal, undone.kind), else_=LedgerEntry.kind)
    signed = case((reversal, -LedgerEntry.amount_pence), else_=LedgerEntry.amount_pence)

    def of(*kinds: str, sign: int = 1):
        return case((kind.in_(kinds), signed * sign), else_=0)

    query = select(
        LedgerEntry.placement_id.label("placement_id"),
        LedgerEntry.effective_on.label("on"),
        (of(ledger.COMMIT) + of(ledger.RELEASE, sign=-1)).label("committed"),
        of(ledger.INVOICE).label("invoiced"),
        of(ledger.PAYMENT).label("paid"),
        of(ledger.COMMIT).label("commitments"),
        of(ledger.RELEASE).label("releases"),
    ).outerjoin(undone, undone.id == LedgerEntry.reverses_id)
    if placement_ids is not None:
        query = query.where(LedgerEntry.placement_id.in_(placement_ids))
    return query


def per_placement(placement_ids: Collection[int] | Select | None = None) -> Select:
    """A select of (placement_id, committed, invoiced, paid): one row per placement with
    entries, to join to the placements where a page needs their facts beside their money."""
    moves = _movements(placement_ids).subquery()
    return select(
        moves.c.placement_id,
        func.sum(moves.c.committed).label("committed"),
        func.sum(moves.c.invoiced).label("invoiced"),
        func.sum(moves.c.paid).label("paid"),
    ).group_by(moves.c.placement_id)


def placement_totals(
    session: Session, placement_ids: Collection[int] | Select | None = None
) -> dict[int, ledger.PlacementTotals]:
    """Each placement's figures (those with entries; all of them, or `placement_ids`, a
    list or a select of ids): one statement, one row per placement."""
    found = {}
    if placement_ids is None or isinstance(placement_ids, Select):
        rows = session.execute(per_placement(placement_ids))
    else:
        rows = session.execute(per_listed_placement(), {"placement_ids": list(placement_ids)})
    for pid, committed, invoiced, paid in rows:
        found[pid] = placement_totals_of_row(committed, invoiced, paid)
    return found


def placement_totals_of_row(committed, invoiced, paid) -> ledger.PlacementTotals:
    """`per_placement`'s sums of one placement as its figures."""
    committed, invoiced, paid = int(committed), int(invoiced), int(paid)
    return ledger.PlacementTotals(
        committed=committed,
        invoiced=invoiced,
        paid=paid,
        exposure=ledger.exposure(committed, invoiced),
        unpaid_invoiced=invoiced - paid,
    )


@functools.cache
def per_listed_placement() -> Select:
    """`per_placement` of a list of ids given when it runs (`placement_ids`, expanding),
    built once: building the statement cost a page more than running it."""
    return per_placement(bindparam("placement_ids", expanding=True))


def pot_totals_query(placement_ids: Collection[int] | Select | None = None) -> Select:
    """One row: committed, invoiced, paid and exposure (for `pot_totals`, or to read beside
    other one-row figures in the same statement, as accommodation.forecast does); over the
    whole ledger it is built once (`whole_pot_totals_query`)."""
    if placement_ids is None:
        return whole_pot_totals_query()
    return _pot_totals_query(placement_ids)


@functools.cache
def whole_pot_totals_query() -> Select:
    """`pot_totals_query()` over the whole ledger, built once (not to be changed in place:
    every caller shares it)."""
    return _pot_totals_query(None)


def _pot_totals_query(placement_ids: Collection[int] | Select | None) -> Select:
    per = per_placement(placement_ids).subquery()
    return select(
        func.coalesce(func.sum(per.c.committed), 0).label("committed"),
        func.coalesce(func.sum(per.c.invoiced), 0).label("invoiced"),
        func.coalesce(func.sum(per.c.paid), 0).label("paid"),
        func.coalesce(func.sum(_larger(per.c.committed, per.c.invoiced)), 0).label("exposure"),
    )


def pot_totals(
    session: Session, pot_pence: int, placement_ids: Collection[int] | Select | None = None
) -> ledger.PotTotals:
    """The pot's figures, as `ledger.pot_totals` over the whole ledger (or over the entries
    of `placement_ids` only: a borough's spend): one statement, one row, however many
    entries and placements there are."""
    return totals_of_row(pot_pence, session.execute(pot_totals_query(placement_ids)).one())


def totals_of_row(pot_pence: int, row) -> ledger.PotTotals:
    """`pot_totals_query`'s row as the pot's figures."""
    committed, invoiced, paid, exposure = row
    return ledger.PotTotals(
        pot=pot_pence,
        committed=int(committed),
        invoiced=int(invoiced),
        paid=int(paid),
        exposure=int(exposure),
        available=pot_pence - int(exposure),
    )


@functools.cache
def money_by_placement():
    """`per_placement()` over the whole ledger as a subquery, built once: building these
    nested selects (their column collections) cost a page more than running them."""
    money = per_placement().subquery()
    _ = money.c  # its columns made now, once, not by the first requests at the same time
    return money


@functools.cache
def _burn_down_statement() -> Select:
    moves = _movements().subquery()
    daily = (
        select(
            moves.c.placement_id,
            moves.c.on,
            func.sum(moves.c.committed).label("committed"),
            func.sum(moves.c.invoiced).label("invoiced"),
            func.sum(moves.c.paid).label("paid"),
        )
        .group_by(moves.c.placement_id, moves.c.on)
        .subquery()
    )
    by_placement = {"partition_by": daily.c.placement_id, "order_by": daily.c.on}
    running = select(
        daily,
        _larger(
            func.sum(daily.c.committed).over(**by_placement),
            func.sum(daily.c.invoiced).over(**by_placement),
        ).label("exposure"),
    ).subquery()
    changes = select(
        running.c.on,
        running.c.committed,
        running.c.invoiced,
        running.c.paid,
        (
            running.c.exposure
            - func.coalesce(
                func.lag(running.c.exposure).over(
                    partition_by=running.c.placement_id, order_by=running.c.on
                ),
                0,
            )
        ).label("exposure"),
    ).subquery()
    return (
        select(
            changes.c.on,
            func.sum(changes.c.committed).label("committed"),
            func.sum(changes.c.invoiced).label("invoiced"),
            func.sum(changes.c.paid).label("paid"),
            func.sum(changes.c.exposure).label("exposure"),
        )
        .group_by(changes.c.on)
        .order_by(changes.c.on)
    )


def burn_down(session: Session, pot_pence: int) -> list[BurnPoint]:
    """The pot after each day that has entries, oldest first, as `summary.burn_down`: per
    placement and day the change in its figures; each placement's running totals give its
    exposure at the end of each of its days, and the change in that exposure is what the
    day adds to the pot's. One statement (built once), one row per day."""
    return burn_of_rows(session.execute(_burn_down_statement()), pot_pence)


def burn_down_changes() -> Select:
    """`burn_down`'s statement unordered, to read beside another in one statement."""
    return _burn_down_statement().order_by(None)


def burn_of_rows(rows, pot_pence: int) -> list[BurnPoint]:
    """The burn-down's rows (day, then the changes in committed, invoiced, paid and exposure,
    oldest first) as the pot after each day: running sums."""
    points, totals = [], [0, 0, 0, 0]
    for on, *moved in rows:
        totals = [t + int(m) for t, m in zip(totals, moved, strict=True)]
        committed, invoiced, paid, exposure = totals
        points.append(
            BurnPoint(
                on=on if isinstance(on, date) else date.fromisoformat(on),
                committed=committed,
                invoiced=invoiced,
                paid=paid,
                exposure=exposure,
                available=pot_pence - exposure,
            )
        )
    return points


def day_sums(
    session: Session, placement_ids: Collection[int] | Select | None = None
) -> dict[date, tuple[int, int, int, int]]:
    """Per business date with entries (of `placement_ids` only, if given): the new
    commitments, releases, invoiced and paid dated that day, a reversal counting against
    its kind on its own date, as `accommodation.budget.months` adds them up by month. One
    statement, one row per day."""
    moves = _movements(placement_ids).subquery()
    by_day = select(
        moves.c.on,
        func.sum(moves.c.commitments),
        func.sum(moves.c.releases),
        func.sum(moves.c.invoiced),
        func.sum(moves.c.paid),
    ).group_by(moves.c.on)
    return {
        (on if isinstance(on, date) else date.fromisoformat(on)): tuple(int(v) for v in sums)
        for on, *sums in session.execute(by_day)
    }
