"""`seed-synthetic`: every table the pages read gets rows, the same rows for the same seed, and
the ledger it writes passes the pot's own checks entry by entry (the pages: tests/web)."""

from __future__ import annotations

from sqlalchemy import func, select

from accommodation import ledger, store
from accommodation.models import Invoice, LedgerEntry, Payment, Placement
from eip.admin.models import ProgrammeSettings
from eip.audit import AuditEvent
from eip.auth.models import UserSession
from eip.cases.models import Case, Person
from eip.cases.records import (
    CaseAction,
    Consent,
    Consultation,
    DashReview,
    InterventionSession,
    ProfessionalsMeeting,
)
from eip.demo.synthetic import seed_synthetic
from eip.extensions import db
from eip.notifications.centre import Notification
from tests.conftest import truncate_all

LIVE = ("approved", "agreement_signed", "checked_in")


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_command_fills_every_table_the_pages_read(runner, app_context):
    result = runner.invoke(args=["eip", "seed-synthetic", "--cases", "80", "--placements", "50"])
    assert result.exit_code == 0, result.output
    assert "80 cases" in result.output
    assert _count(Case) == 80
    assert _count(Placement) == 50
    for model in (
        Person, Consultation, Consent, InterventionSession, ProfessionalsMeeting, DashReview,
        CaseAction, Notification, AuditEvent, UserSession, Invoice, Payment, LedgerEntry,
    ):  # fmt: skip
        assert _count(model) > 0, model.__tablename__
    states = set(db.session.scalars(select(Placement.state)))
    assert {"ended", "checked_in", "requested"} <= states
    assert db.session.scalar(select(func.count()).where(Case.status == "active")) > 10


def test_more_placements_than_cases_is_refused(runner, app_context):
    result = runner.invoke(args=["eip", "seed-synthetic", "--cases", "3", "--placements", "4"])
    assert result.exit_code != 0
    assert "cannot be more than --cases" in result.output
    assert _count(Case) == 0


def test_the_synthetic_ledger_passes_every_check_of_the_pot(app, app_context):
    seed_synthetic(db.session, 150, placements=120)
    pot = db.session.get(ProgrammeSettings, 1).pot_pence
    rows = db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id)).all()
    states = dict(db.session.execute(select(Placement.id, Placement.state)).all())
    seen: list[ledger.Entry] = []
    for row in rows:
        entry = ledger.Entry(row.kind, row.placement_id, row.amount_pence, id=row.id)
        check = {
            "commit": lambda e: ledger.check_commit(seen, pot, e.placement_id, e.amount_pence),
            "release": lambda e: ledger.check_release(seen, e.placement_id, e.amount_pence),
            "invoice": lambda e: ledger.check_invoice(seen, e.placement_id, e.amount_pence),
            "payment": lambda e: ledger.check_payment(seen, e.placement_id, e.amount_pence),
        }[row.kind]
        assert check(entry) is None, (row.id, row.kind)
        seen.append(entry)
    # What the app reads back: the pot never overspent, the paperwork matches the ledger.
    entries = store.entries(db.session)
    assert ledger.pot_totals(entries, pot).available >= 0
    per = ledger.all_placement_totals(entries)
    for placement in db.session.scalars(select(Placement)):
        totals = per.get(placement.id, ledger.placement_totals([], 0))
        invoices = sum(i.amount_pence for i in placement.invoices)
        payments = sum(p.amount_pence for i in placement.invoices for p in i.payments)
        assert (totals.invoiced, totals.paid) == (invoices, payments)
        if states[placement.id] in LIVE:  # a live stay keeps its nights' money
            assert totals.committed >= placement.approved_nights * placement.nightly_rate_pence
        if states[placement.id] == "ended":
            used = (placement.moved_out_on - placement.checked_in_on).days
            assert totals.committed == used * placement.nightly_rate_pence
    people = db.session.scalar(
        select(func.count(func.distinct(Placement.client_id))).where(
            Placement.state.in_((*LIVE, "ended"))
        )
    )
    assert people <= db.session.get(ProgrammeSettings, 1).max_people


def _snapshot() -> list[tuple]:
    return [
        *db.session.execute(
            select(Case.reference, Case.status, Case.borough_id, Case.received_at).order_by(Case.id)
        ).all(),
        *db.session.execute(
            select(LedgerEntry.kind, LedgerEntry.amount_pence, LedgerEntry.effective_on).order_by(
                LedgerEntry.id
            )
        ).all(),
    ]


def test_the_same_seed_gives_the_same_data(app, app_context):
    seed_synthetic(db.session, 40, seed=3, placements=30)
    first = _snapshot()
    db.session.remove()
    truncate_all(app)
    seed_synthetic(db.session, 40, seed=3, placements=30)
    again = _snapshot()
    # The clock moved between the runs: compare what does not depend on the moment.
    assert [row[:3] for row in first] == [row[:3] for row in again]
