"""Reading the budget's plain data in a constant number of queries, scoped by the policy.

The pot's figures are programme-wide (the £14,000 is one pot London-wide), so they are
computed from every placement's numbers; which placements appear row by row, in the spend by
borough and in the exports comes from `visible_placements(user)`: a SPOC sees only their own
borough's, finance only approved ones. No query here reads a name: finance and SPOCs see the
case reference and the borough, nothing else about the people.

No page reads the ledger's rows: the database adds them up (`accommodation.ledger_sql`), one
row per placement (its facts beside its totals) and one per day (the burn-down), so a page
costs the same with 100 entries or 100,000.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import bindparam, case, literal, or_, select, true
from sqlalchemy.orm import Session, lazyload, load_only

from accommodation import forecast, ledger, ledger_sql
from accommodation.budget import figures_sql, memo
from accommodation.budget import months as budget_months
from accommodation.budget import summary as budget
from accommodation.models import LedgerEntry, Placement
from eip import paging
from eip.admin.models import ProgrammeSettings
from eip.auth.models import User
from eip.cases.models import Case
from eip.models import Borough
from eip.policy import placements_scope, visible_placements
from eip.programme import current_settings

# Rows of the budget page's placements table a page (as the placements list).
PAGE_SIZE = 25


@dataclass(frozen=True)
class BudgetData:
    placements: list[budget.PlacementFacts]
    totals: dict[int, ledger.PlacementTotals]
    settings: ProgrammeSettings

    @property
    def by_id(self) -> dict[int, budget.PlacementFacts]:
        return {p.id: p for p in self.placements}


def _planned_move_out(start: date, nights: int | None) -> date | None:
    # As `Placement.planned_move_out_on`, without loading the objects.
    return start + timedelta(days=nights) if nights is not None else None


def _facts_query(seen, *, with_money: bool, listed: bool):
    columns = [
        Placement.id,
        Placement.client_id,
        Placement.state,
        Placement.nightly_rate_pence,
        Placement.approved_nights,
        Placement.move_in_on,
        Placement.checked_in_on,
        Placement.moved_out_on,
        seen,
        Case.reference,
        Borough.name,
    ]
    query = (
        select(*columns)
        .join(Case, Case.id == Placement.case_id)
        .join(Borough, Borough.id == Placement.borough_id)
        .order_by(Placement.id)
    )
    if listed:
        query = query.where(Placement.id.in_(bindparam("ids", expanding=True)))
    if with_money:
        # A few placements: only their entries added up; all of them: the whole ledger's.
        money = (
            ledger_sql.per_listed_placement().subquery()
            if listed
            else ledger_sql.money_by_placement()
        )
        query = query.add_columns(money.c.committed, money.c.invoiced, money.c.paid).outerjoin(
            money, money.c.placement_id == Placement.id
        )
    return query


@functools.cache
def _seen_facts_query():
    """`_facts` of listed placements the user may see (a page of `row_page`, which the
    policy let through), with their money: built once (building it cost a page more than
    running it)."""
    return _facts_query(literal(1), with_money=True, listed=True)


def _facts(
    session: Session, user: User, with_money: bool, seen_ids: list[int] | None = None
) -> tuple[list[budget.PlacementFacts], dict[int, ledger.PlacementTotals]]:
    if seen_ids is not None:
        rows = session.execute(_seen_facts_query(), {"ids": seen_ids, "placement_ids": seen_ids})
    else:
        # Whether the user may see it, as a column (the policy's select of ids, IN): the
        # pot's figures count every placement, the rows only those.
        seen = case(
            (Placement.id.in_(visible_placements(user).with_only_columns(Placement.id)), 1),
            else_=None,
        )
        rows = session.execute(_facts_query(seen, with_money=with_money, listed=False))
    facts, totals = [], {}
    for row in rows:
        pid, client_id, state, rate, nights, move_in, checked_in, moved_out = row[:8]
        seen, reference, borough = row[8:11]
        start = checked_in or move_in
        if seen is None:  # counted in the pot, never named
            reference = borough = ""
        facts.append(
            budget.PlacementFacts(
                id=pid,
                client_id=client_id,
                reference=reference,
                borough=borough,
                state=state,
                rate_pence=rate,
                approved_nights=nights,
                start_on=start,
                checked_in_on=checked_in,
                moved_out_on=moved_out,
                planned_move_out_on=_planned_move_out(start, nights),
                visible=seen is not None,
            )
        )
        if with_money and row[11] is not None:
            committed, invoiced, paid = (int(v) for v in row[11:14])
            totals[pid] = ledger.PlacementTotals(
                committed=committed,
                invoiced=invoiced,
                paid=paid,
                exposure=ledger.exposure(committed, invoiced),
                unpaid_invoiced=invoiced - paid,
            )
    return facts, totals


def placement_facts(session: Session, user: User) -> list[budget.PlacementFacts]:
    """Every placement's numbers, with the case reference and borough filled in only for
    those the user may see (through the policy): one statement, one row per placement."""
    return _facts(session, user, with_money=False)[0]


def load(session: Session, user: User) -> BudgetData:
    """The placements (as `placement_facts`), each with its ledger totals beside it in the
    same statement, however many entries the ledger holds; and the settings."""
    facts, totals = _facts(session, user, with_money=True)
    return BudgetData(placements=facts, totals=totals, settings=current_settings(session))


@functools.cache
def _head():
    # The forecast's inputs and the figures side by side, one row (built once).
    return forecast.inputs_query(figures_sql.figures_query().subquery("figures"))


@dataclass(frozen=True)
class BudgetRead:
    """What `build` read beside the budget: the settings, the pot's forecast, (when asked
    for) the spend by borough of the placements the user may see, and the key the pot's
    figures and chart are kept under between requests (`memo`; None: not kept), under which
    a page may keep what it draws from them."""

    settings: ProgrammeSettings
    forecast: forecast.Forecast
    boroughs: list[budget.BoroughSpend]
    key: tuple | None = None


@dataclass(frozen=True)
class _Pot:
    # The whole pot's part of `build`, the same for every user: kept between requests.
    budget: budget.Budget
    requests: int
    nights: int
    median: int | None


def build(
    session: Session, user: User, today: date, *, boroughs: bool = False
) -> tuple[budget.Budget, BudgetRead]:
    """The budget page's and the finance home's figures, forecast, chart and (`boroughs`)
    spend by borough, added up by the database (`figures_sql`): one row of figures (one per
    borough with `boroughs`) and one row per day of the chart, however many placements
    there are. Kept between requests while the money's mark holds (`memo`): one short
    statement then, three when the money has changed (the mark, the figures with the spend
    by borough, the chart), two for another scope's spend by borough."""
    settings = current_settings(session)
    pot, on = settings.pot_pence, {"today": today.toordinal()}
    mark = memo.mark(session)
    key = (mark, "pot", today, pot, settings.max_people) if mark is not None else None
    scope = (mark, "boroughs", placements_scope(user)) if boroughs and mark else None
    kept = memo.get(key)
    spends = memo.get(scope) if boroughs else []
    if kept is None:
        head = _head()
        if spends is None:
            visible = visible_placements(user).with_only_columns(Placement.id)
            head_row = head.subquery("head")
            spend = figures_sql.by_borough_query(visible).subquery("boroughs")
            head = (
                select(head_row, spend)
                .select_from(head_row.outerjoin(spend, true()))
                .order_by(spend.c.borough)
            )
        rows = session.execute(head, on).all()
        requests, nights, median, figure_row = forecast.inputs_of_row(rows[0][:13])
        figures = figures_sql.figures_of_row(figure_row, pot, settings.max_people)
        if spends is None:
            spends = figures_sql.boroughs_of_rows(row[13:] for row in rows if row[13] is not None)
            memo.put(scope, spends)
        burn, spend_series = figures_sql.chart_of_rows(
            session.execute(figures_sql.chart_query(), on), pot_pence=pot, today=today
        )
        result = budget.Budget(figures=figures, burn_down=burn, spend=spend_series)
        kept = _Pot(result, requests, nights, median)
        memo.put(key, kept)
    elif spends is None:
        visible = visible_placements(user).with_only_columns(Placement.id)
        spends = figures_sql.boroughs_of_rows(
            session.execute(figures_sql.by_borough_query(visible))
        )
        memo.put(scope, spends)
    figures = kept.budget.figures
    totals = ledger.PotTotals(
        pot=pot,
        committed=figures.committed,
        invoiced=figures.invoiced,
        paid=figures.paid,
        exposure=figures.exposure,
        available=figures.available,
    )
    read = BudgetRead(
        settings=settings,
        forecast=forecast.of(
            settings, totals, figures.people, kept.requests, kept.nights, kept.median
        ),
        boroughs=spends,
        key=key,
    )
    return kept.budget, read


def row_page(
    session: Session,
    user: User,
    today: date,
    position: paging.Position,
    kept_under: tuple | None = None,
) -> tuple[list[budget.PlacementRow], paging.Page]:
    """One page of the placements table, newest first by key (created_at, id) as the
    placements list: the placements the user may see that hold or held money
    (`summary.holds_money`), with their facts and money (of their own entries only). Two
    statements, of a page's rows each. The first page, the one nearly every visit shows, is
    kept between requests under `kept_under` (`build`'s key: the money's mark and today) and
    the user's scope: every figure in it is read from the tables that change the mark, beside
    the case's reference, which never changes once a case has a placement. The page's `rows`
    are the placements' ids."""
    if kept_under is not None and position == paging.FIRST_PAGE:
        key = (*kept_under, "rows", placements_scope(user))
        return memo.kept(key, lambda: _row_page(session, user, today, position))
    return _row_page(session, user, today, position)


def _row_page(
    session: Session, user: User, today: date, position: paging.Position
) -> tuple[list[budget.PlacementRow], paging.Page]:
    has_entries = select(LedgerEntry.id).where(LedgerEntry.placement_id == Placement.id).exists()
    page = paging.fetch_page(
        session,
        visible_placements(user).where(or_(Placement.nightly_rate_pence.is_not(None), has_entries)),
        Placement,
        Placement.created_at,
        Placement.id,
        position,
        PAGE_SIZE,
        nullable=False,
        # Only the keys: the rows' facts are read below (`_facts`), not from the entities.
        options=(load_only(Placement.id, Placement.created_at), lazyload(Placement.borough)),
    )
    ids = [p.id for p in page.rows]
    facts, totals = _facts(session, user, with_money=True, seen_ids=ids) if ids else ([], {})
    by_id = {p.id: p for p in facts}
    rows = [budget.placement_row(by_id[i], totals, today) for i in ids]
    return rows, paging.Page(ids, page.next_after, page.prev_before)


def month_rows(session: Session, user: User, pot_pence: int) -> list[budget.MonthRow]:
    """The months CSV: the movements of the placements the user may see, the pot's money
    left at each month's end (two queries)."""
    visible = visible_placements(user).with_only_columns(Placement.id)
    return budget_months.month_rows(
        ledger_sql.day_sums(session, visible), ledger_sql.burn_down(session, pot_pence), pot_pence
    )


def facts_of(placement: Placement) -> budget.PlacementFacts:
    """One loaded placement as the budget's plain data (for its own money panel)."""
    return budget.PlacementFacts(
        id=placement.id,
        client_id=placement.client_id,
        reference="",
        borough="",
        state=placement.state,
        rate_pence=placement.nightly_rate_pence,
        approved_nights=placement.approved_nights,
        start_on=placement.start_on,
        checked_in_on=placement.checked_in_on,
        moved_out_on=placement.moved_out_on,
        planned_move_out_on=placement.planned_move_out_on,
    )


def forecast_of(session: Session, result: budget.Budget, data: BudgetRead) -> forecast.Forecast:
    """The pot's forecast (whole pot, whoever is looking), which `build` read in its own
    statement (accommodation.forecast)."""
    return data.forecast
