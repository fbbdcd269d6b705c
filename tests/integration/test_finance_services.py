"""Camden finance's writes on a real database: invoices, payments and reversals, each rule
and each refusal, with the ledger left exactly as it was after every refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accommodation import ledger, store
from accommodation.finance import services as finance
from accommodation.models import Invoice, LedgerEntry, Payment
from eip.admin.models import ProgrammeSettings
from eip.audit import AuditEvent
from eip.clock import today
from eip.domain import NotAllowed, NotFound, RuleBroken
from eip.extensions import db
from tests import factories
from tests import factories_accommodation as fa

pytestmark = pytest.mark.usefixtures("app_context")

RATE = fa.RATE
SUPPLIER = "Fictional Lets Ltd"


@pytest.fixture
def finance_user():
    return factories.user("finance")


def ledger_rows() -> list[tuple]:
    db.session.rollback()
    return db.session.execute(
        select(
            LedgerEntry.id, LedgerEntry.kind, LedgerEntry.amount_pence, LedgerEntry.reverses_id
        ).order_by(LedgerEntry.id)
    ).all()


def totals(placement) -> ledger.PlacementTotals:
    return ledger.placement_totals(store.entries(db.session), placement.id)


def invoice(placement, user, **changes) -> Invoice:
    values = {
        "supplier": SUPPLIER,
        "number": "INV-1",
        "invoice_date": today(),
        "first_night": placement.start_on,
        "last_night": placement.start_on + timedelta(days=6),
        "amount_pence": 7 * RATE,
    }
    values.update(changes)
    return finance.record_invoice(db.session, user, placement.id, **values)


def pay(inv, user, **changes) -> Payment:
    values = {"paid_on": today(), "amount_pence": inv.amount_pence, "reference": "BACS-001"}
    values.update(changes)
    return finance.record_payment(db.session, user, inv.id, **values)


def entry_of(kind, **links) -> LedgerEntry:
    query = select(LedgerEntry).where(LedgerEntry.kind == kind)
    for name, value in links.items():
        query = query.where(getattr(LedgerEntry, name) == value)
    return db.session.scalars(query).one()


def approved_days_ago(placement, days: int) -> None:
    """Back-date the SPOC's approval, so that invoices may be dated from then."""
    placement.decided_at = datetime.now(UTC) - timedelta(days=days)
    db.session.commit()


def refused(call, *, field=None, match=None):
    """The call is refused with RuleBroken (beside `field`) and the ledger is untouched."""
    before = ledger_rows()
    with pytest.raises(RuleBroken) as error:
        call()
    if field is not None:
        assert field in error.value.errors, error.value.errors
    if match is not None:
        assert match in error.value.message or any(match in m for m in error.value.errors.values())
    assert ledger_rows() == before
    return error.value


# ---------------------------------------------------------------------------
# Invoices


def test_an_invoice_within_the_stay_is_recorded_with_its_ledger_entry(finance_user):
    p = fa.placement(state="checked_in")
    approved_days_ago(p, 12)
    inv = invoice(p, finance_user, invoice_date=today() - timedelta(days=2))
    assert (inv.supplier_key, inv.number, inv.amount_pence) == (
        "fictional lets ltd",
        "INV-1",
        45_500,
    )
    entry = entry_of("invoice", invoice_id=inv.id)
    assert (entry.amount_pence, entry.effective_on) == (45_500, today() - timedelta(days=2))
    assert entry.recorded_by_id == finance_user.id
    t = totals(p)
    assert (t.committed, t.invoiced, t.paid, t.exposure) == (182_000, 45_500, 0, 182_000)


def test_the_invoice_is_audited_by_ids_and_amount_without_the_suppliers_name(finance_user):
    p = fa.placement(state="checked_in")
    inv = invoice(p, finance_user)
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "placement.invoice_recorded")
    )
    assert event.case_reference == p.case.reference
    assert event.details["invoice_id"] == inv.id and event.details["amount_pence"] == 45_500
    assert SUPPLIER not in str(event.details) and "INV-1" not in str(event.details)


def test_an_invoice_may_cover_every_night_of_the_stay_and_no_more(finance_user):
    p = fa.placement(state="checked_in")
    first, move_out = p.checked_in_on, p.planned_move_out_on
    refused(
        lambda: invoice(p, finance_user, first_night=first - timedelta(days=1)),
        field="first_night",
        match="before the stay began",
    )
    refused(
        lambda: invoice(p, finance_user, first_night=first, last_night=move_out),
        field="last_night",
        match="nights outside the placement",
    )
    inv = invoice(
        p, finance_user, first_night=first, last_night=move_out - timedelta(1), amount_pence=182_000
    )
    assert totals(p).invoiced == inv.amount_pence == 182_000


def test_an_ended_stay_is_invoiced_only_up_to_the_actual_move_out(finance_user):
    p = fa.placement(state="ended", moved_out_after=5)
    refused(
        lambda: invoice(p, finance_user, last_night=p.moved_out_on, amount_pence=5 * RATE),
        field="last_night",
    )
    invoice(p, finance_user, last_night=p.moved_out_on - timedelta(1), amount_pence=5 * RATE)
    assert totals(p) == ledger.PlacementTotals(5 * RATE, 5 * RATE, 0, 5 * RATE, 5 * RATE)


def test_an_approved_stay_not_yet_begun_may_be_invoiced_in_advance_for_its_planned_nights(
    finance_user,
):
    p = fa.placement(state="agreement_signed", nights=5)
    invoice(p, finance_user, last_night=p.move_in_on + timedelta(4), amount_pence=5 * RATE)
    refused(
        lambda: invoice(
            p,
            finance_user,
            number="INV-2",
            first_night=p.move_in_on + timedelta(5),
            last_night=p.move_in_on + timedelta(5),
            amount_pence=RATE,
        ),
        field="last_night",
    )


def test_a_request_never_approved_is_not_finances_to_invoice(finance_user):
    p = fa.placement(state="requested")
    before = ledger_rows()
    with pytest.raises(NotAllowed):
        invoice(p, finance_user)
    assert ledger_rows() == before


def test_a_cancelled_placement_is_invoiced_only_after_the_spoc_commits_a_charge(finance_user):
    p = fa.placement(state="cancelled", nights=5)
    refused(
        lambda: invoice(p, finance_user, last_night=p.move_in_on, amount_pence=RATE),
        field="amount",
        match="added commitment of £65.00",
    )
    store.append(db.session, None, "commit", p, RATE, effective_on=today(), reason="No-show fee")
    db.session.commit()
    invoice(p, finance_user, last_night=p.move_in_on, amount_pence=RATE)
    assert totals(p).invoiced == RATE


def test_an_invoice_above_what_is_committed_is_refused_with_the_ledgers_message(finance_user):
    p = fa.placement(state="checked_in")
    error = refused(
        lambda: invoice(p, finance_user, amount_pence=182_001),
        field="amount",
    )
    assert error.errors["amount"] == ledger.check_invoice(store.entries(db.session), p.id, 182_001)
    assert "added commitment of £0.01" in error.errors["amount"]


def test_an_invoice_in_the_future_or_with_nights_backwards_is_refused(finance_user):
    p = fa.placement(state="checked_in")
    refused(
        lambda: invoice(p, finance_user, invoice_date=today() + timedelta(1)),
        field="invoice_date",
    )
    refused(
        lambda: invoice(p, finance_user, last_night=p.start_on - timedelta(1)), field="last_night"
    )
    refused(lambda: invoice(p, finance_user, supplier="  "), field="supplier")
    refused(lambda: invoice(p, finance_user, number=""), field="number")


@pytest.mark.parametrize("role", ["practitioner", "manager", "spoc", "evaluator", "admin"])
def test_only_finance_records_invoices(role):
    p = fa.placement(state="checked_in")
    before = ledger_rows()
    with pytest.raises(NotAllowed):
        invoice(p, factories.user(role))
    assert ledger_rows() == before


def test_an_invoice_for_no_such_placement_is_not_found(finance_user):
    with pytest.raises(NotFound):
        finance.record_invoice(
            db.session,
            finance_user,
            999_999,
            supplier=SUPPLIER,
            number="INV-1",
            invoice_date=today(),
            first_night=today(),
            last_night=today(),
            amount_pence=100,
        )


# ---------------------------------------------------------------------------
# Invoice numbers


def test_a_suppliers_invoice_number_is_refused_twice_however_the_name_is_typed(finance_user):
    p = fa.placement(state="checked_in")
    invoice(p, finance_user)
    error = refused(
        lambda: invoice(p, finance_user, supplier="  fictional   LETS ltd ", amount_pence=RATE),
        field="number",
    )
    assert "already recorded" in error.errors["number"]


def test_the_same_number_from_another_supplier_is_allowed(finance_user):
    p = fa.placement(state="checked_in")
    invoice(p, finance_user, amount_pence=RATE)
    other = invoice(p, finance_user, supplier="Another Fictional Hotel", amount_pence=RATE)
    assert other.number == "INV-1" and totals(p).invoiced == 2 * RATE


def test_a_reversed_invoice_frees_its_number_for_the_corrected_one(finance_user):
    p = fa.placement(state="checked_in")
    first = invoice(p, finance_user, amount_pence=RATE)
    finance.reverse_entry(
        db.session,
        finance_user,
        entry_of("invoice", invoice_id=first.id).id,
        reason="Typed £65 instead of £130",
    )
    assert db.session.get(Invoice, first.id).reversed_at is not None
    corrected = invoice(p, finance_user, amount_pence=2 * RATE)
    assert corrected.number == first.number
    assert totals(p).invoiced == 2 * RATE


def test_the_database_refuses_a_second_live_invoice_with_the_same_number(finance_user):
    """The backstop behind the service's own check: the partial unique index."""
    p = fa.placement(state="checked_in")
    invoice(p, finance_user, amount_pence=RATE)
    values = {
        "placement_id": p.id,
        "supplier": SUPPLIER,
        "supplier_key": "fictional lets ltd",
        "number": "INV-1",
        "invoice_date": today(),
        "first_night": p.start_on,
        "last_night": p.start_on,
        "amount_pence": RATE,
    }
    db.session.add(Invoice(**values))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(Invoice(**values, reversed_at=p.created_at))
    db.session.commit()  # a reversed one does not hold the number


# ---------------------------------------------------------------------------
# Payments


def test_a_payment_settles_the_invoice_without_changing_what_the_pot_holds(finance_user):
    p = fa.placement(state="checked_in")
    inv = invoice(p, finance_user)
    payment = pay(inv, finance_user, reference=" BACS  778 ")
    assert payment.reference == "BACS 778"
    entry = entry_of("payment", payment_id=payment.id)
    assert (entry.amount_pence, entry.effective_on, entry.invoice_id) == (45_500, today(), inv.id)
    t = totals(p)
    assert (t.invoiced, t.paid, t.exposure, t.unpaid_invoiced) == (45_500, 45_500, 182_000, 0)
    settings = db.session.get(ProgrammeSettings, 1)
    assert ledger.pot_totals(store.entries(db.session), settings.pot_pence).available == (
        1_400_000 - 182_000
    )


def test_an_invoice_cannot_be_paid_twice(finance_user):
    p = fa.placement(state="checked_in")
    inv = invoice(p, finance_user)
    pay(inv, finance_user)
    refused(lambda: pay(inv, finance_user), field="amount", match="already been paid in full")


def test_an_invoice_cannot_be_overpaid_even_in_parts(finance_user):
    p = fa.placement(state="checked_in")
    inv = invoice(p, finance_user)
    pay(inv, finance_user, amount_pence=40_000)
    error = refused(lambda: pay(inv, finance_user, amount_pence=5_501), field="amount")
    assert error.errors["amount"] == (
        "This invoice has £55.00 left to pay: £55.01 would overpay it"
    )
    pay(inv, finance_user, amount_pence=5_500, reference="BACS-002")
    assert totals(p).paid == 45_500


def test_a_payment_cannot_settle_another_invoice_of_the_same_placement(finance_user):
    """Paying past one invoice is refused even while the placement has other unpaid ones."""
    p = fa.placement(state="checked_in")
    small = invoice(p, finance_user, amount_pence=RATE)
    invoice(p, finance_user, number="INV-2", amount_pence=5 * RATE)
    refused(lambda: pay(small, finance_user, amount_pence=2 * RATE), field="amount")


def test_a_payment_before_the_invoice_date_or_in_the_future_is_refused(finance_user):
    p = fa.placement(state="checked_in")
    approved_days_ago(p, 12)
    inv = invoice(p, finance_user, invoice_date=today() - timedelta(days=3))
    refused(lambda: pay(inv, finance_user, paid_on=today() - timedelta(days=4)), field="paid_on")
    refused(lambda: pay(inv, finance_user, paid_on=today() + timedelta(days=1)), field="paid_on")
    refused(lambda: pay(inv, finance_user, reference="   "), field="reference")
    pay(inv, finance_user, paid_on=today() - timedelta(days=3))


def test_a_reversed_invoice_cannot_be_paid(finance_user):
    p = fa.placement(state="checked_in")
    inv = invoice(p, finance_user)
    finance.reverse_entry(
        db.session, finance_user, entry_of("invoice", invoice_id=inv.id).id, reason="Wrong case"
    )
    refused(lambda: pay(inv, finance_user), match="reversed")


@pytest.mark.parametrize("role", ["practitioner", "manager", "spoc"])
def test_only_finance_records_payments(role, finance_user):
    p = fa.placement(state="checked_in")
    inv = invoice(p, finance_user)
    before = ledger_rows()
    with pytest.raises(NotAllowed):
        pay(inv, factories.user(role))
    assert ledger_rows() == before


# ---------------------------------------------------------------------------
# Reversals


def test_a_reversal_needs_a_reason(finance_user):
    fa.placement(state="checked_in")
    refused(
        lambda: finance.reverse_entry(
            db.session, finance_user, entry_of("commit").id, reason="   "
        ),
        field="reason",
    )


def test_a_paid_invoice_is_reversed_only_after_its_payments(finance_user):
    p = fa.placement(state="checked_in")
    inv = invoice(p, finance_user)
    payment = pay(inv, finance_user)
    invoice_entry = entry_of("invoice", invoice_id=inv.id)
    refused(
        lambda: finance.reverse_entry(db.session, finance_user, invoice_entry.id, reason="Wrong"),
        match="Reverse the payment",
    )
    finance.reverse_entry(
        db.session, finance_user, entry_of("payment").id, reason="Paid the wrong invoice"
    )
    assert db.session.get(Payment, payment.id).reversed_at is not None
    assert totals(p).paid == 0
    finance.reverse_entry(db.session, finance_user, invoice_entry.id, reason="Wrong placement")
    t = totals(p)
    assert (t.invoiced, t.paid, t.committed) == (0, 0, 182_000)


def test_an_invoice_with_a_payment_is_not_reversed_even_when_the_placement_has_more_invoiced(
    finance_user,
):
    p = fa.placement(state="checked_in")
    paid_one = invoice(p, finance_user, amount_pence=RATE)
    pay(paid_one, finance_user)
    invoice(p, finance_user, number="INV-2", amount_pence=5 * RATE)
    refused(
        lambda: finance.reverse_entry(
            db.session, finance_user, entry_of("invoice", invoice_id=paid_one.id).id, reason="x"
        ),
        match="Reverse the payments of this invoice first",
    )


def test_a_reversal_is_itself_never_reversed_and_an_entry_is_reversed_once(finance_user):
    p = fa.placement(state="checked_in")
    inv = invoice(p, finance_user)
    target = entry_of("invoice", invoice_id=inv.id)
    reversal = finance.reverse_entry(db.session, finance_user, target.id, reason="Duplicate")
    assert (reversal.kind, reversal.reverses_id, reversal.reason) == (
        "reversal",
        target.id,
        "Duplicate",
    )
    assert reversal.effective_on == today()
    refused(
        lambda: finance.reverse_entry(db.session, finance_user, reversal.id, reason="Undo"),
        match="cannot itself be reversed",
    )
    refused(
        lambda: finance.reverse_entry(db.session, finance_user, target.id, reason="Again"),
        match="already been reversed",
    )
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "placement.entry_reversed")
    )
    assert event.details["entry_id"] == target.id and "Duplicate" not in str(event.details)


@pytest.mark.parametrize("kind", ["commit", "release"])
def test_finance_cannot_reverse_a_commitment_or_a_release(finance_user, kind):
    """Commitments and releases follow the stay (approval, extension, cancellation,
    move-out): reversing one would leave a stay without its money, or free money twice."""
    p = fa.placement(state="ended", moved_out_after=10)
    error = refused(
        lambda: finance.reverse_entry(
            db.session, finance_user, entry_of(kind, placement_id=p.id).id, reason="x"
        ),
    )
    assert error.message == finance.NOT_FINANCE_ENTRY
    assert totals(p).committed == 10 * RATE


def test_reversing_no_such_entry_is_not_found(finance_user):
    with pytest.raises(NotFound):
        finance.reverse_entry(db.session, finance_user, 999_999, reason="x")


@pytest.mark.parametrize("role", ["practitioner", "manager", "spoc"])
def test_only_finance_reverses_entries(role):
    fa.placement(state="checked_in")
    before = ledger_rows()
    with pytest.raises(NotAllowed):
        finance.reverse_entry(db.session, factories.user(role), entry_of("commit").id, reason="x")
    assert ledger_rows() == before


# ---------------------------------------------------------------------------
# The figures, to the penny


def test_the_pot_reconciles_to_the_penny_after_a_month_of_finance_work(finance_user):
    stay = fa.placement(state="checked_in", rate_pence=7_345)  # 28 nights: £2,056.60
    ended = fa.placement(state="ended", moved_out_after=9, rate_pence=6_199)  # 9 nights: £557.91
    first = invoice(stay, finance_user, amount_pence=7 * 7_345)
    pay(first, finance_user, amount_pence=30_000)
    pay(first, finance_user, amount_pence=7 * 7_345 - 30_000, reference="BACS-2")
    second = invoice(
        ended,
        finance_user,
        supplier="Another Fictional Hotel",
        last_night=ended.start_on + timedelta(days=8),
        amount_pence=9 * 6_199,
    )
    pay(second, finance_user, amount_pence=9 * 6_199 - 1)
    wrong = invoice(stay, finance_user, number="INV-9", amount_pence=1_234)
    finance.reverse_entry(
        db.session, finance_user, entry_of("invoice", invoice_id=wrong.id).id, reason="Typo"
    )
    pot = ledger.pot_totals(store.entries(db.session), 1_400_000)
    assert pot.committed == 28 * 7_345 + 9 * 6_199 == 261_451
    assert pot.invoiced == 7 * 7_345 + 9 * 6_199 == 107_206
    assert pot.paid == 107_205
    assert pot.exposure == 261_451
    assert pot.available == 1_400_000 - 261_451
