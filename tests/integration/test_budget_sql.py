"""The budget page, the finance home, the CSV statements and the monthly report read the
ledger added up by the database (`accommodation.budget.queries`, `accommodation.ledger_sql`);
before issue 16 they read every entry and added it up in Python. On SQLite and PostgreSQL,
for ledgers of stays in every state (approvals, extensions' commitments, early move-outs,
cancellations) with random commitments, releases, invoices, payments and reversals of them on
any days, every figure equals what the whole-ledger path gave: `ledger.all_placement_totals`
and `summary.burn_down` over all the entries, and the months as the old `month_rows` added
them up (kept below as the reference).
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from accommodation import forecast, ledger, store
from accommodation.budget import queries
from accommodation.budget import summary as budget
from accommodation.budget.summary import DatedEntry, MonthRow
from accommodation.models import LedgerEntry, Placement
from eip import paging
from eip.clock import today
from eip.extensions import db
from eip.policy import visible_placements
from tests import factories
from tests import factories_accommodation as fa
from tests.conftest import truncate_all

STATES = ("approved", "agreement_signed", "checked_in", "ended", "cancelled", "requested")

stays = st.lists(
    st.tuples(
        st.sampled_from(STATES),
        st.sampled_from(["Camden", "Islington"]),
        st.integers(1, 40),  # nights
        st.integers(1_000, 12_345),  # rate
        st.integers(0, 9),  # nights stayed before an early move-out
    ),
    min_size=1,
    max_size=5,
)
# (kind, which placement, pence, day offset from today, which entry a reversal undoes)
extra = st.lists(
    st.tuples(
        st.sampled_from(ledger.KINDS),
        st.integers(0, 4),
        st.integers(1, 300_000),
        st.integers(-70, 30),
        st.integers(0, 10_000),
    ),
    max_size=25,
)


def _old_month_rows(dated, pot_pence, include=None) -> list[MonthRow]:
    """`accommodation.budget.months.month_rows` as it was, over the whole dated ledger."""
    if not dated:
        return []

    def next_month(m: date) -> date:
        return date(m.year + m.month // 12, m.month % 12 + 1, 1)

    ordered = sorted(dated, key=lambda d: (d.on, d.entry.id or 0))
    signed = ledger.movements([d.entry for d in ordered])
    rows: dict[date, MonthRow] = {}
    previous = None
    for moved in sorted({d.on.replace(day=1) for d in ordered}):
        gap = (moved.year - previous.year) * 12 + moved.month - previous.month if previous else 0
        if previous is not None and gap - 1 <= 24:
            month = next_month(previous)
            while month < moved:
                rows[month] = MonthRow(month)
                month = next_month(month)
        rows[moved] = MonthRow(moved)
        previous = moved
    rows = dict(sorted(rows.items()))
    running = ledger.Running(pot_pence)
    by_month: dict[date, list] = {}
    for d, movement in zip(ordered, signed, strict=True):
        by_month.setdefault(d.on.replace(day=1), []).append(movement)
    for month, row in rows.items():
        for placement_id, kind, amount in by_month.get(month, []):
            running.add(placement_id, kind, amount)
            if include is not None and placement_id not in include:
                continue
            field = {"commit": "commitments", "release": "releases", "invoice": "invoiced"}
            name = field.get(kind, "paid")
            setattr(row, name, getattr(row, name) + amount)
        row.available_at_end = running.available
    return list(rows.values())


def _write_extra(placements: list[Placement], plan) -> None:
    written = db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id)).all()
    reversed_ids = {e.reverses_id for e in written if e.reverses_id is not None}
    for kind, which, pence, offset, pick in plan:
        on = today() + timedelta(days=offset)
        if kind == ledger.REVERSAL:
            open_ = [e for e in written if e.kind != ledger.REVERSAL and e.id not in reversed_ids]
            if not open_:
                continue
            target = open_[pick % len(open_)]
            reversed_ids.add(target.id)
            row = LedgerEntry(
                placement_id=target.placement_id,
                kind=kind,
                amount_pence=target.amount_pence,
                reverses_id=target.id,
                effective_on=on,
            )
        else:
            p = placements[which % len(placements)]
            row = LedgerEntry(placement_id=p.id, kind=kind, amount_pence=pence, effective_on=on)
        db.session.add(row)
        db.session.flush()
        written.append(row)


def _check_every_figure_against_the_whole_ledger(users) -> None:
    dated = [DatedEntry(entry, on) for entry, on in store.entries_with_dates(db.session)]
    entries = [d.entry for d in dated]
    per = ledger.all_placement_totals(entries)
    on = today()
    for user in users:
        data = queries.load(db.session, user)
        result, read = queries.build(db.session, user, on, boroughs=True)
        pot = data.settings.pot_pence
        assert data.totals == per
        visible = set(db.session.scalars(visible_placements(user).with_only_columns(Placement.id)))
        assert {p.id for p in data.placements if p.visible} == visible
        old_rows = budget.placement_rows(per, data.placements, on)
        # The figures, the chart's series and the spend by borough the database adds up
        # (`figures_sql`) equal summary's definitions over every placement.
        figures = budget.figures(
            per, data.placements, pot_pence=pot, max_people=data.settings.max_people, today=on
        )
        assert result.figures == figures
        assert result.burn_down == budget.burn_down(dated, pot)
        assert result.spend == budget.spend_series(per, data.placements, pot_pence=pot, today=on)
        assert read.boroughs == budget.by_borough(old_rows)
        assert read.forecast == forecast.read(db.session, data.settings)
        assert budget.placement_rows(data.totals, data.placements, on) == old_rows
        # The table's pages hold the same rows (newest first rather than by borough).
        paged, position = [], paging.FIRST_PAGE
        while True:
            rows, page = queries.row_page(db.session, user, on, position)
            paged += rows
            if page.next_after is None:
                break
            position = paging.position_from({"after": page.next_after})
        assert sorted(paged, key=lambda r: r.facts.id) == sorted(old_rows, key=lambda r: r.facts.id)
        assert queries.month_rows(db.session, user, pot) == _old_month_rows(dated, pot, visible)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(made=stays, plan=extra)
def test_the_budget_read_in_sql_equals_the_whole_ledger_path(app, made, plan):
    truncate_all(app)
    with app.app_context():
        placements = [
            fa.placement(
                fa.accommodation_case(borough_name=borough),
                state,
                nights=nights,
                rate_pence=rate,
                moved_out_after=min(stayed, nights) if state == "ended" else None,
            )
            for state, borough, nights, rate, stayed in made
        ]
        _write_extra(placements, plan)
        users = [
            factories.user("manager"),
            factories.user("finance"),
            fa.spoc_of(placements[0].case),
        ]
        _check_every_figure_against_the_whole_ledger(users)
        db.session.rollback()
