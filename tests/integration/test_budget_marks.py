"""The whole pot's figures, forecast inputs and chart kept between requests
(`accommodation.budget.memo`) under the money's mark (`budget_marks`, changed by triggers on
every write to the ledger, the placements, their extensions and the boroughs: migration
e8b4d1f6a2c9). What a user must be able to trust: a page never shows figures from before a
write, whichever process or path made it, and a transaction that wrote sees its own figures.
tests/conftest.py also checks after every test that what is kept under the current mark
equals working it out afresh.
"""

from __future__ import annotations

from sqlalchemy import text, update

from accommodation import ledger_sql, store
from accommodation.budget import memo, queries
from accommodation.finance import services as finance_services
from accommodation.finance.views import unpaid_invoices
from accommodation.models import Invoice, Payment, Placement, PlacementExtension
from eip.cases.models import Case
from eip.clock import today
from eip.extensions import db
from eip.models import Borough
from eip.programme import current_settings
from tests import factories
from tests import factories_accommodation as fa
from tests.conftest import kept_budget_mismatches, sign_in


def _mark() -> str | None:
    db.session.commit()  # the mark a new transaction reads
    return memo.mark(db.session)


def _committed(user=None) -> int:
    result, _read = queries.build(db.session, user, today())
    return result.figures.committed


def test_every_write_to_what_the_figures_are_read_from_changes_the_mark(app_context):
    stay = fa.placement(fa.accommodation_case(), "approved")
    marks = [_mark()]
    store.append(db.session, None, "commit", stay, 1_234, effective_on=today())
    db.session.commit()
    marks.append(_mark())
    db.session.execute(update(Placement).where(Placement.id == stay.id).values(approved_nights=30))
    db.session.commit()
    marks.append(_mark())
    fa.placement(fa.accommodation_case(), "requested")
    marks.append(_mark())
    db.session.add(
        PlacementExtension(
            placement_id=stay.id, nights=3, reason="The new flat is not ready", state="requested"
        )
    )
    db.session.commit()
    marks.append(_mark())
    db.session.execute(update(Borough).where(Borough.id == stay.borough_id).values(active=True))
    db.session.commit()
    marks.append(_mark())
    finance = factories.user("finance")
    invoice = fa.invoice_unpaid_for_40_days(finance, "INV-MARK-1")
    marks.append(_mark())
    # By hand, with no ledger entry beside it: the invoices' and payments' own triggers.
    db.session.execute(update(Invoice).where(Invoice.id == invoice.id).values(supplier="Other"))
    db.session.commit()
    marks.append(_mark())
    payment = finance_services.record_payment(
        db.session, finance, invoice.id, paid_on=today(), amount_pence=100, reference="P-1"
    )
    marks.append(_mark())
    db.session.execute(update(Payment).where(Payment.id == payment.id).values(reference="P-2"))
    db.session.commit()
    marks.append(_mark())
    assert None not in marks
    assert len(set(marks)) == len(marks)


def test_a_write_elsewhere_leaves_the_mark_alone(app_context):
    stay = fa.placement(fa.accommodation_case(), "approved")
    before = _mark()
    factories.user("manager")
    db.session.execute(update(Case).where(Case.id == stay.case_id).values(version=Case.version + 1))
    db.session.commit()
    assert _mark() == before


def test_the_budget_page_shows_a_commitment_made_after_its_figures_were_kept(signed_in):
    fa.placement(fa.accommodation_case(), "approved", nights=10, rate_pence=5_001)
    client, _user = signed_in("finance")
    assert "£500.10" in client.get("/budget").get_data(as_text=True)
    assert "£500.10" in client.get("/budget").get_data(as_text=True)  # kept
    assert memo.entries()
    fa.placement(fa.accommodation_case(borough_name="Islington"), "approved", nights=3)
    committed = ledger_sql.pot_totals(db.session, 0).committed
    page = client.get("/budget").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert committed != 50_010
    for shown in (page, home):
        assert f"£{committed // 100:,}.{committed % 100:02d}" in shown


def test_another_process_sees_a_write_made_through_this_one(app, make_app, app_context):
    fa.placement(fa.accommodation_case(), "approved", nights=10, rate_pence=5_001)
    other = make_app()
    finance = factories.user("finance")
    client = other.test_client()
    assert sign_in(client, finance.email, factories.PASSWORD).status_code == 302
    assert "£500.10" in client.get("/").get_data(as_text=True)
    # Written by this app (another worker, a job): the other app's kept figures give way.
    fa.placement(fa.accommodation_case(), "cancelled", nights=2, rate_pence=1_000)
    stay = fa.placement(fa.accommodation_case(), "approved", nights=1, rate_pence=99)
    assert stay.id
    assert "£500.10" not in client.get("/").get_data(as_text=True)
    assert "£501.09" in client.get("/").get_data(as_text=True)


def test_a_transaction_that_wrote_to_the_ledger_reads_its_own_figures(app_context):
    stay = fa.placement(fa.accommodation_case(), "approved", nights=10, rate_pence=5_001)
    db.session.commit()
    assert _committed() == 50_010
    assert _committed() == 50_010  # kept
    # Not yet committed (on PostgreSQL the mark changes at the commit): its own figures.
    store.append(db.session, None, "commit", stay, 7, effective_on=today())
    db.session.flush()
    assert _committed() == 50_017
    db.session.rollback()
    assert _committed() == 50_010


def _boroughs(user):
    return queries.build(db.session, user, today(), boroughs=True)[1].boroughs


def test_each_scope_keeps_its_own_spend_by_borough(app_context):
    camden = fa.placement(fa.accommodation_case(), "approved", nights=2, rate_pence=1_000)
    fa.placement(fa.accommodation_case(borough_name="Islington"), "approved", nights=3)
    fa.placement(fa.accommodation_case(borough_name="Islington"), "requested")
    camden_spoc = factories.user("spoc", borough_name="Camden")
    islington_spoc = factories.user("spoc", borough_name="Islington")
    manager = factories.user("manager")
    for _ in range(2):  # worked out, then kept
        seen = {
            who.email: [b.borough for b in _boroughs(who)]
            for who in (camden_spoc, islington_spoc, manager)
        }
        assert seen == {
            camden_spoc.email: ["Camden"],
            islington_spoc.email: ["Islington"],
            manager.email: ["Camden", "Islington"],
        }
    assert camden.borough.name == "Camden"


def test_nothing_is_kept_while_there_is_no_mark(app_context):
    fa.placement(fa.accommodation_case(), "approved", nights=10, rate_pence=5_001)
    db.session.execute(text("DELETE FROM budget_marks"))
    db.session.commit()
    assert memo.mark(db.session) is None
    assert _committed() == 50_010
    assert memo.entries() == []
    fa.placement(fa.accommodation_case(), "approved", nights=1, rate_pence=1)
    assert _mark() is not None
    assert _committed() == 50_011


def test_the_suites_check_finds_figures_kept_past_a_change(app, app_context):
    fa.placement(fa.accommodation_case(), "approved", nights=10, rate_pence=5_001)
    result, read = queries.build(db.session, None, today())
    db.session.commit()  # the check reads in its own session
    assert read.key is not None and kept_budget_mismatches(app) == []
    queries.build(db.session, None, today())
    kept = memo.get(read.key)
    figures = kept.budget.figures.__class__(
        **{**kept.budget.figures.__dict__, "committed": kept.budget.figures.committed + 1}
    )
    stale = kept.__class__(
        kept.budget.__class__(figures, kept.budget.burn_down, kept.budget.spend),
        kept.requests,
        kept.nights,
        kept.median,
    )
    memo.put(read.key, stale)
    db.session.commit()
    assert kept_budget_mismatches(app) == [read.key]
    assert result.figures.committed == 50_010


def test_a_change_of_the_pot_is_shown_at_once(signed_in):
    fa.placement(fa.accommodation_case(), "approved", nights=10, rate_pence=5_001)
    client, _user = signed_in("finance")
    client.get("/budget")
    settings = current_settings(db.session)
    settings.pot_pence += 100_00
    db.session.commit()
    available = settings.pot_pence - 50_010
    page = client.get("/budget").get_data(as_text=True)
    assert f"£{available // 100:,}.{available % 100:02d}" in page


def test_the_triggers_are_in_place_at_the_head(app_context):
    """A later migration that rebuilds one of these tables (SQLite's batch mode copies it)
    would drop its triggers silently, and pages would keep figures past a write: this says
    so."""
    tables = (
        "ledger_entries",
        "placements",
        "placement_extensions",
        "boroughs",
        "invoices",
        "payments",
    )
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            rows = conn.execute(
                text(
                    "SELECT c.relname, t.tgname FROM pg_trigger t"
                    " JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname LIKE 'budget_marks%'"
                )
            ).all()
            expected = {
                (t, n) for t in tables for n in ("budget_marks_written", "budget_marks_touch")
            }
        else:
            rows = conn.execute(
                text(
                    "SELECT tbl_name, name FROM sqlite_master"
                    " WHERE type = 'trigger' AND name LIKE 'budget_marks%'"
                )
            ).all()
            expected = {
                (t, f"budget_marks_on_{t}_{event}")
                for t in tables
                for event in ("insert", "update", "delete")
            }
    assert set(map(tuple, rows)) == expected


def test_the_finance_homes_unpaid_invoices_give_way_to_a_payment(signed_in):
    client, finance = signed_in("finance")
    invoice = fa.invoice_unpaid_for_40_days(finance, "INV-KEPT-1")
    for _ in range(2):  # the second is kept
        home = client.get("/").get_data(as_text=True)
        assert "Invoice INV-KEPT-1" in home and "1 unpaid, £650.00 in all" in home
    assert any("unpaid invoices" in key for key, _value in memo.entries())
    finance_services.record_payment(
        db.session, finance, invoice.id, paid_on=today(), amount_pence=15_000, reference="P-1"
    )
    home = client.get("/").get_data(as_text=True)
    assert "1 unpaid, £500.00 in all" in home
    # Paid by hand in SQL (no ledger entry beside it): the payments' trigger moves the mark.
    db.session.execute(update(Payment).values(amount_pence=65_000))
    db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert "INV-KEPT-1" not in home and "No invoice is waiting to be paid." in home


def test_the_suites_check_finds_unpaid_invoices_kept_past_a_change(app, app_context):
    finance = factories.user("finance")
    fa.invoice_unpaid_for_40_days(finance, "INV-KEPT-2")

    def keep() -> tuple:
        _result, read = queries.build(db.session, finance, today())
        unpaid_invoices(db.session, finance, today(), 5, kept_under=read.key)
        db.session.commit()  # the check reads in its own session
        [(key, value)] = [(k, v) for k, v in memo.entries() if "unpaid invoices" in k]
        return key, value

    keep()
    assert kept_budget_mismatches(app) == []
    key, (rows, count, total) = keep()
    assert (count, total) == (1, 65_000)
    memo.put(key, (rows, count, total + 1))
    assert kept_budget_mismatches(app) == [key]
