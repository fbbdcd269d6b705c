"""The money panel of the placement page: the placement's figures, its ledger and its
invoices with their payments, and which of Camden finance's buttons to show.

Practitioners and managers, and the SPOC of the placement's borough, see the same figures
and entries read-only; only finance gets the buttons (the routes check again). Three
queries: the entries, the invoices, their payments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from accommodation import ledger, store
from accommodation.budget import summary as budget
from accommodation.budget.queries import facts_of
from accommodation.finance.services import FINANCE_REVERSES
from accommodation.finance.statement import FIXED_RELEASE_REASONS
from accommodation.models import Invoice, LedgerEntry, Placement
from eip.auth.models import User
from eip.clock import today
from eip.policy import can

KIND_LABELS = {
    ledger.COMMIT: "Commitment",
    ledger.RELEASE: "Release",
    ledger.INVOICE: "Invoice",
    ledger.PAYMENT: "Payment",
    ledger.REVERSAL: "Reversal",
}


@dataclass(frozen=True)
class EntryLine:
    id: int
    kind: str
    kind_label: str
    amount_pence: int
    effective_on: date
    # What the notes column says: the recorded reason, or for finance fixed words per kind.
    notes: str
    reverses_id: int | None
    reversed_by_id: int | None
    invoice_id: int | None
    payment_id: int | None
    # Whether this user may open the reversal page for it (finance: invoices and payments).
    reversible: bool = False

    @property
    def reversed(self) -> bool:
        return self.reversed_by_id is not None

    @property
    def signed_pence(self) -> int:
        """The entry's effect on its own kind's total, as finance reads a statement."""
        return -self.amount_pence if self.kind == ledger.REVERSAL else self.amount_pence


@dataclass(frozen=True)
class PaymentLine:
    id: int
    paid_on: date
    amount_pence: int
    reference: str
    reversed: bool


@dataclass(frozen=True)
class InvoiceLine:
    id: int
    supplier: str
    number: str
    invoice_date: date
    first_night: date
    last_night: date
    amount_pence: int
    paid_pence: int
    reversed: bool
    payments: list[PaymentLine] = field(default_factory=list)

    @property
    def unpaid_pence(self) -> int:
        return 0 if self.reversed else self.amount_pence - self.paid_pence

    @property
    def nights(self) -> int:
        return (self.last_night - self.first_night).days + 1


def _invoices(session: Session, placement_id: int) -> list[InvoiceLine]:
    rows = session.scalars(
        select(Invoice)
        .where(Invoice.placement_id == placement_id)
        .options(selectinload(Invoice.payments))
        .order_by(Invoice.invoice_date, Invoice.id)
    )
    lines = []
    for invoice in rows:
        payments = [
            PaymentLine(p.id, p.paid_on, p.amount_pence, p.reference, p.reversed_at is not None)
            for p in invoice.payments
        ]
        lines.append(
            InvoiceLine(
                id=invoice.id,
                supplier=invoice.supplier,
                number=invoice.number,
                invoice_date=invoice.invoice_date,
                first_night=invoice.first_night,
                last_night=invoice.last_night,
                amount_pence=invoice.amount_pence,
                paid_pence=sum(p.amount_pence for p in payments if not p.reversed),
                reversed=invoice.reversed_at is not None,
                payments=payments,
            )
        )
    return lines


def is_added_commitment(row: LedgerEntry, approval_id: int | None) -> bool:
    """A commitment the SPOC added for an invoice: neither the approval nor an extension."""
    return row.kind == ledger.COMMIT and row.extension_id is None and row.id != approval_id


def fixed_note(row: LedgerEntry, approval_id: int | None) -> str:
    """Fixed words for what an entry was, never free text: what finance reads, since a
    SPOC's or a practitioner's reason may carry details finance must not see."""
    if row.kind == ledger.REVERSAL:
        return f"Reverses entry {row.reverses_id}"
    if row.kind == ledger.COMMIT:
        if row.extension_id is not None:
            return "Extension approved by the SPOC"
        if is_added_commitment(row, approval_id):
            return "Added commitment approved by the SPOC"
        return "Placement approved by the SPOC"
    if row.kind == ledger.RELEASE:
        return row.reason if row.reason in FIXED_RELEASE_REASONS else "Release"
    return ""


def _notes(row: LedgerEntry, finance: bool, approval_id: int | None) -> str:
    if finance:
        return fixed_note(row, approval_id)
    if row.reverses_id is not None:
        return f"Reverses entry {row.reverses_id}" + (f": {row.reason}" if row.reason else "")
    return row.reason or ""


def money_panel(session: Session, user: User, placement: Placement) -> dict[str, Any]:
    """What the placement page's money panel shows to this user (empty when they may not
    see the placement, or it was never approved and so never held money)."""
    if not can(user, "placement.view", placement):
        return {"visible": False}
    rows = store.placement_ledger(session, placement.id)
    reversed_by = {row.reverses_id: row.id for row in rows if row.reverses_id is not None}
    finance = can(user, "finance.record")
    decider = can(user, "placement.decide", placement)
    # The approval is the placement's first commitment; later ones are extensions or added.
    approval_id = next((row.id for row in rows if row.kind == ledger.COMMIT), None)

    def reversible(row: LedgerEntry) -> bool:
        if row.id in reversed_by:
            return False
        if finance:
            return row.kind in FINANCE_REVERSES
        # The borough's SPOC may take back an added commitment (the route checks the rest).
        return decider and is_added_commitment(row, approval_id)

    lines = [
        EntryLine(
            id=row.id,
            kind=row.kind,
            kind_label=KIND_LABELS[row.kind],
            amount_pence=row.amount_pence,
            effective_on=row.effective_on,
            notes=_notes(row, finance, approval_id),
            reverses_id=row.reverses_id,
            reversed_by_id=reversed_by.get(row.id),
            invoice_id=row.invoice_id,
            payment_id=row.payment_id,
            reversible=reversible(row),
        )
        for row in rows
    ]
    entries = [
        ledger.Entry(r.kind, r.placement_id, r.amount_pence, r.reverses_id, r.id) for r in rows
    ]
    totals = ledger.placement_totals(entries, placement.id)
    facts = facts_of(placement)
    stayed = budget.occupied_nights(facts, today())
    accrued = budget.accrued(facts, totals.invoiced, today())
    return {
        "visible": placement.nightly_rate_pence is not None or bool(lines),
        "totals": totals,
        "accrued": accrued,
        "nights_stayed": stayed,
        "entries": lines,
        "invoices": _invoices(session, placement.id),
        "can_record_invoice": finance and placement.nightly_rate_pence is not None,
        "can_record_payment": finance,
        "can_reverse": finance or decider,
        "read_only": not finance,
    }
