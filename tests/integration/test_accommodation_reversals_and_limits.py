"""The review's findings on the accommodation pot, through the services and a real database:
only invoices and payments are finance's to reverse, a SPOC may take back an added
commitment only while the stay keeps its money, invoice dates start at the approval,
approval and check-in count nights from when the stay can really start, the settings cannot
cut into approved stays, and invoice numbers are unique however they are typed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from accommodation import ledger, store
from accommodation.budget import chart as budget_chart
from accommodation.budget import months as budget_months
from accommodation.budget import queries
from accommodation.budget import summary as budget
from accommodation.finance import services as finance
from accommodation.models import LedgerEntry, Placement
from accommodation.placements import commitment_services as commitments
from accommodation.placements import decision_services as decisions
from accommodation.stay import services as stay
from eip.admin import settings_services
from eip.admin.models import ProgrammeSettings
from eip.audit import AuditEvent
from eip.clock import today
from eip.domain import NotAllowed, RuleBroken
from eip.extensions import db
from tests import factories
from tests import factories_accommodation as fa

pytestmark = pytest.mark.usefixtures("app_context")

RATE = fa.RATE
POT = 1_400_000


def _ledger() -> list[tuple]:
    db.session.rollback()
    return db.session.execute(
        select(LedgerEntry.id, LedgerEntry.kind, LedgerEntry.amount_pence).order_by(LedgerEntry.id)
    ).all()


def _refused(call, *, field: str | None = None) -> RuleBroken:
    before = _ledger()
    with pytest.raises(RuleBroken) as error:
        call()
    db.session.rollback()
    if field is not None:
        assert field in error.value.errors, error.value.errors
    assert _ledger() == before
    return error.value


def _totals(placement: Placement) -> ledger.PlacementTotals:
    return ledger.placement_totals(store.entries(db.session), placement.id)


def _approved_days_ago(placement: Placement, days: int) -> Placement:
    placement.decided_at = datetime.now(UTC) - timedelta(days=days)
    db.session.commit()
    return placement


def _programme_end(day: date) -> None:
    settings = db.session.get(ProgrammeSettings, 1)
    settings.programme_end_date = day
    db.session.commit()


def _added(placement: Placement, amount: int, spoc=None):
    spoc = spoc or fa.spoc_of(placement.case)
    db.session.refresh(placement)
    commitments.add_commitment(
        db.session,
        spoc,
        placement.id,
        amount_pence=amount,
        reason="The invoice for the deposit",
        version=placement.version,
    )
    return spoc, db.session.scalars(
        select(LedgerEntry)
        .where(LedgerEntry.placement_id == placement.id, LedgerEntry.kind == "commit")
        .order_by(LedgerEntry.id.desc())
    ).first()


def _reverse(spoc, placement: Placement, entry: LedgerEntry, reason="Not needed after all"):
    db.session.refresh(placement)
    return commitments.reverse_added_commitment(
        db.session, spoc, entry.id, reason=reason, version=placement.version
    )


def _invoice(placement: Placement, user, **changes):
    values = {
        "supplier": "Fictional Lets Ltd",
        "number": "INV-100",
        "invoice_date": today(),
        "first_night": placement.start_on,
        "last_night": placement.start_on + timedelta(days=6),
        "amount_pence": 7 * RATE,
    }
    values.update(changes)
    return finance.record_invoice(db.session, user, placement.id, **values)


# ---------------------------------------------------------------------------
# 1. Who corrects commitments and releases


def test_finance_cannot_reverse_the_commitment_of_a_live_stay_so_it_can_still_end():
    p = fa.placement(state="checked_in", nights=28)
    commit = db.session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "commit")).one()
    error = _refused(
        lambda: finance.reverse_entry(
            db.session, factories.user("finance"), commit.id, reason="Mistake"
        )
    )
    assert "corrects only the invoices and payments" in error.message
    assert _totals(p).committed == 28 * RATE


def test_a_spoc_reverses_an_added_commitment_the_stay_does_not_need():
    p = fa.placement(state="checked_in", nights=28)
    spoc, added = _added(p, 13_000)
    assert _totals(p).committed == 28 * RATE + 13_000
    reversal = _reverse(spoc, p, added)
    assert (reversal.kind, reversal.reverses_id, reversal.amount_pence) == (
        "reversal",
        added.id,
        13_000,
    )
    assert _totals(p).committed == 28 * RATE
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "placement.commitment_reversed")
    )
    assert event.details["ledger_entry"] == added.id
    assert "Not needed" not in str(event.details)


def test_a_spoc_cannot_reverse_an_added_commitment_an_invoice_already_uses():
    p = fa.placement(state="checked_in", nights=28)
    spoc, added = _added(p, 13_000)
    _invoice(p, factories.user("finance"), amount_pence=28 * RATE + 13_000)
    error = _refused(lambda: _reverse(spoc, p, added))
    assert "less than the £1,950.00 already invoiced" in error.message


def test_a_spoc_cannot_reverse_an_added_commitment_a_live_stays_nights_still_need():
    # Checked in 10 days ago for 28 nights: 18 nights (£1,170.00) are still to come.
    p = fa.placement(state="checked_in", nights=28)
    store.append(db.session, None, "release", p, 20 * RATE, effective_on=today())
    db.session.commit()  # an older shortfall: only 8 nights' money left committed
    spoc, added = _added(p, 5 * RATE)
    error = _refused(lambda: _reverse(spoc, p, added))
    assert "the nights it has left need £1,170.00" in error.message


def test_the_approval_and_an_extension_are_not_added_commitments():
    p = fa.placement(state="checked_in", nights=20)
    spoc = fa.spoc_of(p.case)
    extension = decisions.request_extension(
        db.session,
        factories.user("practitioner"),
        p.id,
        nights=3,
        reason="Waiting for a refuge place",
        version=p.version,
    )
    db.session.refresh(p)
    decisions.decide_extension(
        db.session, spoc, extension.id, approve=True, reason=None, version=p.version
    )
    for entry in db.session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "commit")):
        error = _refused(lambda entry=entry: _reverse(spoc, p, entry))
        assert error.message.startswith("Only an added commitment can be reversed here")


@pytest.mark.parametrize("role", ["practitioner", "manager", "finance", "other spoc"])
def test_only_the_boroughs_spoc_reverses_an_added_commitment(role):
    p = fa.placement(state="checked_in")
    _spoc, added = _added(p, 1_000)
    user = (
        factories.user("spoc", borough_name="Hackney")
        if role == "other spoc"
        else factories.user(role)
    )
    before = _ledger()
    with pytest.raises(NotAllowed):
        _reverse(user, p, added)
    assert _ledger() == before


def test_the_commitment_check_refuses_only_steps_that_take_money_from_a_short_live_stay():
    entries = [ledger.Entry("commit", 1, 10 * RATE, id=1)]
    release = ledger.Entry("release", 1, 5 * RATE)
    assert ledger.check_keeps_commitment(entries, release, 5 * RATE) is None
    assert "need £390.00" in ledger.check_keeps_commitment(entries, release, 6 * RATE)
    invoice = ledger.Entry("invoice", 1, RATE)
    assert ledger.check_keeps_commitment(entries, invoice, 20 * RATE) is None


# ---------------------------------------------------------------------------
# 2. Invoice dates, and a ledger whose dates run far back


def test_an_invoice_dated_before_the_approval_is_refused_beside_its_date():
    p = _approved_days_ago(fa.placement(state="checked_in"), 3)
    clerk = factories.user("finance")
    for day in (today() - timedelta(days=4), date(1, 1, 1)):
        error = _refused(lambda day=day: _invoice(p, clerk, invoice_date=day), field="invoice_date")
        assert error.errors["invoice_date"].startswith(
            "The invoice date cannot be before the SPOC approved the placement"
        )
    _invoice(p, clerk, invoice_date=today() - timedelta(days=3))


def test_the_budget_and_its_chart_survive_an_entry_dated_in_year_one():
    """Rows already written cannot be deleted, so the figures must cope with them."""
    p = fa.placement(state="checked_in")
    store.append(db.session, None, "invoice", p, RATE, effective_on=date(1, 1, 1))
    db.session.commit()
    result, _read = queries.build(db.session, factories.user("manager"), today())
    chart = budget_chart.pot_chart(result.burn_down, result.spend, POT, today())
    floor = today() - budget_chart.REACH
    assert f"The accommodation pot of £14,000.00 from {budget_chart.long_date(floor)}" in chart
    rows = budget_chart.table_rows(result.burn_down, result.spend, POT, today())
    assert all(row.on >= today() - budget_chart.REACH for row in rows)
    months = queries.month_rows(db.session, factories.user("manager"), POT)
    assert len(months) <= 3 and months[0].month == date(1, 1, 1)
    assert sum(m.invoiced for m in months) == RATE
    assert months[-1].available_at_end == result.figures.available


def test_month_rows_still_list_a_short_run_of_empty_months():
    on = date(2026, 9, 15)
    dated = [
        budget.DatedEntry(ledger.Entry("commit", 1, 1_000, id=1), on),
        budget.DatedEntry(ledger.Entry("release", 1, 500, id=2), date(2026, 12, 1)),
    ]
    days = {on: (1_000, 0, 0, 0), date(2026, 12, 1): (0, 500, 0, 0)}
    burn = budget.burn_down(dated, POT)
    months = [m.month for m in budget_months.month_rows(days, burn, POT)]
    assert months == [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)]


# ---------------------------------------------------------------------------
# 5. A move-in date that has passed, and a late check-in


def test_approval_counts_the_nights_from_today_when_the_move_in_date_has_passed():
    _programme_end(today() + timedelta(days=10))
    case = fa.accommodation_case()
    p = fa.placement(case, "requested", nights=14, move_in_on=today() - timedelta(days=5))
    spoc = fa.spoc_of(case)

    def approve(nights):
        db.session.refresh(p)
        return decisions.approve(
            db.session,
            spoc,
            p.id,
            provider="Fictional Lets Ltd",
            address="Flat 1",
            rate_pence=5_000,
            nights=nights,
            version=p.version,
        )

    error = _refused(lambda: approve(14), field="nights")
    assert "at most 10 nights from" in error.errors["nights"]
    approve(10)
    practitioner = factories.user("practitioner")
    db.session.refresh(p)
    stay.sign_agreement(db.session, practitioner, p.id, signed_on=today(), version=p.version)
    db.session.refresh(p)
    result = stay.check_in(db.session, practitioner, p.id, checked_in_on=today(), version=p.version)
    assert result.shortened_from is None and result.placement.approved_nights == 10


# ---------------------------------------------------------------------------
# 6. Settings that would cut into approved stays


def _save(**changes):
    values, version, _row = settings_services.current(db.session)
    if "programme_end_date" in changes:
        # The programme cannot end before the referral window closes: close it today.
        changes = {"referral_window_end": today(), **changes}
    return settings_services.update_settings(
        db.session, factories.user("manager"), {**values, **changes}, version=version
    )


def test_the_programme_cannot_end_before_a_live_placements_planned_move_out():
    stay_one = fa.placement(state="checked_in", nights=28)  # planned move-out in 18 days
    fa.placement(state="approved", nights=14)  # 7 days ahead, 14 nights: in 21 days
    fa.placement(state="ended", moved_out_after=3)  # over: does not count
    latest = today() + timedelta(days=21)
    with pytest.raises(RuleBroken) as refused:
        _save(programme_end_date=stay_one.planned_move_out_on)
    message = refused.value.errors["programme_end_date"]
    assert "1 placement approved or under way runs until" in message
    assert f"{latest.day} {latest:%B %Y}" in message
    db.session.rollback()
    with pytest.raises(RuleBroken) as refused:
        _save(programme_end_date=today() + timedelta(days=10))
    assert (
        "2 placements approved or under way run until"
        in (refused.value.errors["programme_end_date"])
    )
    db.session.rollback()
    assert "programme_end_date" in _save(programme_end_date=latest)
    assert db.session.get(ProgrammeSettings, 1).programme_end_date == latest


def test_the_most_nights_per_client_cannot_go_below_what_a_client_already_has():
    fa.placement(state="checked_in", nights=20)
    fa.placement(state="ended", nights=28, moved_out_after=12)  # used 12
    with pytest.raises(RuleBroken) as refused:
        _save(max_nights_per_client=19)
    assert refused.value.errors["max_nights_per_client"] == (
        "The most nights per client cannot be 19: 1 client has already had or been approved "
        "up to 20 nights, so it must be 20 or more"
    )
    db.session.rollback()
    assert db.session.get(ProgrammeSettings, 1).max_nights_per_client == 28
    assert _save(max_nights_per_client=20) == {"max_nights_per_client": (28, 20)}


# ---------------------------------------------------------------------------
# 7. Invoice numbers typed differently


@pytest.mark.parametrize("typed", ["inv-100", "INV 100", "INV/100", "Inv.100", " INV - 100 "])
def test_an_invoice_number_typed_differently_is_still_a_duplicate(typed):
    p = fa.placement(state="checked_in")
    clerk = factories.user("finance")
    _invoice(p, clerk, amount_pence=RATE)
    error = _refused(
        lambda: _invoice(p, clerk, number=typed, amount_pence=RATE, supplier="FICTIONAL lets ltd"),
        field="number",
    )
    assert "already recorded" in error.errors["number"]


def test_a_folded_number_is_free_again_once_the_invoice_is_reversed_or_from_another_supplier():
    p = fa.placement(state="checked_in")
    clerk = factories.user("finance")
    first = _invoice(p, clerk, amount_pence=RATE)
    _invoice(p, clerk, number="inv 100", supplier="Another Fictional Hotel", amount_pence=RATE)
    entry = db.session.scalars(select(LedgerEntry).where(LedgerEntry.invoice_id == first.id)).one()
    finance.reverse_entry(db.session, clerk, entry.id, reason="Typed the wrong amount")
    again = _invoice(p, clerk, number="inv-100", amount_pence=2 * RATE)
    assert again.number == "inv-100"
    assert finance.fold_number("INV-100") == finance.fold_number("i n v/1.0-0") == "inv100"
