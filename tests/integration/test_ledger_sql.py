"""The database adds up the ledger exactly as `accommodation.ledger` does (on SQLite and,
with EIP_TEST_DATABASE_URL, PostgreSQL): for any ledger of commits, releases, invoices,
payments and reversals of them, dated on any days, the per-placement figures, the pot's
figures and the burn-down that `accommodation.ledger_sql` computes in SQL equal the pure
module's, to the penny."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from accommodation import ledger, ledger_sql
from accommodation.budget.summary import DatedEntry, burn_down
from accommodation.models import LedgerEntry
from eip.extensions import db
from tests import factories_accommodation as fa
from tests.conftest import truncate_all

POT = 1_400_000
DAY = date(2026, 4, 1)
PLACEMENTS = 3

# One step: (kind, which placement, pence, day offset, which earlier entry a reversal undoes)
steps = st.lists(
    st.tuples(
        st.sampled_from(ledger.KINDS),
        st.integers(0, PLACEMENTS - 1),
        st.integers(1, 300_000),
        st.integers(-5, 40),
        st.integers(0, 10_000),
    ),
    max_size=40,
)


def _write(placements, plan) -> list[DatedEntry]:
    """Write the plan's entries (a reversal undoes one not yet reversed entry, of its own
    placement and amount, or is skipped when there is none) and return them as written."""
    written: list[DatedEntry] = []
    reversed_ids: set[int] = set()
    for kind, which, pence, offset, pick in plan:
        on = DAY + timedelta(days=offset)
        if kind == ledger.REVERSAL:
            open_ = [
                d.entry
                for d in written
                if d.entry.kind != ledger.REVERSAL and d.entry.id not in reversed_ids
            ]
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
            row = LedgerEntry(
                placement_id=placements[which], kind=kind, amount_pence=pence, effective_on=on
            )
        db.session.add(row)
        db.session.flush()
        entry = ledger.Entry(
            row.kind, row.placement_id, row.amount_pence, reverses=row.reverses_id, id=row.id
        )
        written.append(DatedEntry(entry, on))
    return written


def _placements() -> list[int]:
    case = fa.accommodation_case()
    return [fa.placement(case, "requested").id for _ in range(PLACEMENTS)]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=steps)
def test_the_database_adds_up_the_ledger_as_the_ledger_module_does(app, plan):
    truncate_all(app)
    with app.app_context():
        placements = _placements()
        db.session.execute(delete(LedgerEntry).where(LedgerEntry.reverses_id.is_not(None)))
        db.session.execute(delete(LedgerEntry))
        written = _write(placements, plan)
        entries = [d.entry for d in written]

        assert ledger_sql.placement_totals(db.session) == ledger.all_placement_totals(entries)
        assert ledger_sql.pot_totals(db.session, POT) == ledger.pot_totals(entries, POT)
        assert ledger_sql.burn_down(db.session, POT) == burn_down(written, POT)
        some = placements[:2]
        assert ledger_sql.placement_totals(db.session, some) == {
            pid: totals
            for pid, totals in ledger.all_placement_totals(entries).items()
            if pid in some
        }
        db.session.rollback()


def test_an_empty_ledger_leaves_the_whole_pot_available(app_context):
    assert ledger_sql.pot_totals(db.session, POT) == ledger.pot_totals([], POT)
    assert ledger_sql.placement_totals(db.session) == {}
    assert ledger_sql.burn_down(db.session, POT) == []


def test_the_factories_ledger_of_stays_adds_up_the_same(app_context):
    """Approvals, an extension's commitment, early move-outs and cancellations as the
    services write them (the factories), not only random entries."""
    fa.placement(state="approved")
    fa.placement(state="checked_in")
    fa.placement(state="ended", moved_out_after=3)
    fa.placement(state="cancelled")
    rows = db.session.query(LedgerEntry).order_by(LedgerEntry.id).all()
    entries = [
        ledger.Entry(r.kind, r.placement_id, r.amount_pence, reverses=r.reverses_id, id=r.id)
        for r in rows
    ]
    dated = [DatedEntry(e, r.effective_on) for e, r in zip(entries, rows, strict=True)]
    assert {e.kind for e in entries} >= {ledger.COMMIT, ledger.RELEASE}
    assert ledger_sql.placement_totals(db.session) == ledger.all_placement_totals(entries)
    assert ledger_sql.pot_totals(db.session, POT) == ledger.pot_totals(entries, POT)
    assert ledger_sql.burn_down(db.session, POT) == burn_down(dated, POT)
