"""Camden finance's writes: invoices, payments and reversals of mistaken entries.

Each runs inside `accommodation.store.pot_transaction`: lock the pot, re-read the placement,
read the ledger under the lock, run the pure checks, then write the row, its ledger entry and
the audit event, and commit once. Any refusal raises before anything is written and rolls the
session back, so a refused step leaves the ledger exactly as it was.

Which placements can be invoiced: any the SPOC approved (it has a nightly rate), whatever
happened next, since nights stayed are owed even after the move-out. That includes a
cancelled one: its commitment was released in full, so an invoice is refused by the ledger
("the SPOC must approve an added commitment first") until the SPOC commits money for a
cancellation charge, and then only for nights of the stay that was planned. A request that
was never approved has no rate, no stay and no money, so it is refused outright.
"""

from __future__ import annotations

import re
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accommodation import ledger, store
from accommodation.models import Invoice, LedgerEntry, Payment, Placement
from accommodation.placements.common import audit_placement
from accommodation.stay.common import approved_on
from eip.auth.models import User
from eip.clock import now, today
from eip.domain import DomainError, NotAllowed, NotFound, RuleBroken
from eip.formatting import format_pence, long_date
from eip.notifications.centre import close_reminders_about
from eip.policy import can
from eip.problems import Problems

RECORD = "finance.record"
SUPPLIER_MAX, NUMBER_MAX, REFERENCE_MAX, REASON_MAX = 120, 60, 60, 2000


def supplier_key(supplier: str) -> str:
    """The supplier's name folded for uniqueness: case and spacing do not make a new one."""
    return " ".join(supplier.casefold().split())


def _tidy(text: str | None) -> str:
    return " ".join((text or "").split())


def _may_record(user: User) -> None:
    if not can(user, RECORD):
        raise NotAllowed("Only Camden finance records invoices, payments and reversals")


def _pot(
    session: Session, user: User, placement_id: int, *, duplicate: DomainError | None = None
) -> AbstractContextManager[store.PotTransaction]:
    """The pot transaction on a placement the finance user may see (re-read after the lock)."""
    return store.pot_transaction(
        session, placement_id, user=user, action="placement.view", duplicate=duplicate
    )


def _audit(session: Session, user: User, action: str, placement: Placement, **details) -> None:
    # Ids and amounts only: no supplier names, references or reasons (free text).
    audit_placement(session, user, placement, action, details)


def stay_nights(placement: Placement) -> tuple[date, date] | None:
    """The first night and the move-out date an invoice's nights must fall within: the
    actual stay once it has ended, else the approved one (planned move-out)."""
    if placement.nightly_rate_pence is None:
        return None
    first = placement.start_on
    if placement.state == "ended" and placement.moved_out_on is not None:
        return first, placement.moved_out_on
    end = placement.planned_move_out_on
    return (first, end) if end is not None else None


def _invoice_field_problems(
    problems: Problems,
    supplier: str,
    number: str,
    invoice_date: date | None,
    first_night: date | None,
    last_night: date | None,
) -> None:
    if not supplier:
        problems.add("supplier", "Enter the supplier's name")
    elif len(supplier) > SUPPLIER_MAX:
        problems.add("supplier", f"The supplier's name must be {SUPPLIER_MAX} characters or fewer")
    if not number:
        problems.add("number", "Enter the invoice number")
    elif len(number) > NUMBER_MAX:
        problems.add("number", f"The invoice number must be {NUMBER_MAX} characters or fewer")
    if invoice_date is not None and invoice_date > today():
        problems.add("invoice_date", "The invoice date cannot be in the future")
    if first_night is not None and last_night is not None and last_night < first_night:
        problems.add("last_night", "The last night cannot be before the first night")


def _night_problems(
    problems: Problems,
    placement: Placement,
    invoice_date: date | None,
    first_night: date | None,
    last_night: date | None,
) -> None:
    stay = stay_nights(placement)
    if stay is None:
        raise RuleBroken("Only a placement the SPOC approved can be invoiced")
    approval = approved_on(placement)
    if approval is not None and invoice_date is not None and invoice_date < approval:
        # The invoice date becomes the ledger entry's date: one before the approval (or a
        # mistyped year) would put money on the pot's history before it was promised.
        problems.add(
            "invoice_date",
            f"The invoice date cannot be before the SPOC approved the placement on "
            f"{long_date(approval)}",
        )
    first, move_out = stay
    if first_night is not None and first_night < first:
        problems.add(
            "first_night", f"The first night cannot be before the stay began on {long_date(first)}"
        )
    if last_night is not None and last_night >= move_out:
        problems.add(
            "last_night",
            f"The last night must be before the move-out on {long_date(move_out)}: "
            "this invoice covers nights outside the placement",
        )


def _invoice_problems(
    session: Session,
    entries,
    placement: Placement,
    *,
    supplier: str,
    number: str,
    invoice_date: date | None,
    first_night: date | None,
    last_night: date | None,
    amount_pence: int | None,
) -> None:
    """Every rule an invoice breaks, raised together (`RuleBroken`): its fields, its nights
    against the stay, its number against the supplier's live invoices, its amount against
    what is committed. A value that could not be read (None) is not checked."""
    problems = Problems()
    _invoice_field_problems(problems, supplier, number, invoice_date, first_night, last_night)
    _night_problems(problems, placement, invoice_date, first_night, last_night)
    if number and _live_duplicate(session, supplier_key(supplier), number):
        problems.add("number", _duplicate(number).message)
    if amount_pence is not None and (
        refusal := ledger.check_invoice(entries, placement.id, amount_pence)
    ):
        problems.add("amount", refusal)
    problems.raise_any()


def check_invoice(
    session: Session,
    placement: Placement,
    *,
    supplier: str | None,
    number: str | None,
    invoice_date: date | None,
    first_night: date | None,
    last_night: date | None,
    amount_pence: int | None,
) -> None:
    """The invoice's rules on what was typed, for a form that failed its own checks
    (eip/steps.validate): nothing is locked or written; `record_invoice` applies them again
    under the pot lock."""
    _invoice_problems(
        session,
        store.entries(session),
        placement,
        supplier=_tidy(supplier),
        number=_tidy(number),
        invoice_date=invoice_date,
        first_night=first_night,
        last_night=last_night,
        amount_pence=amount_pence,
    )


def fold_number(number: str) -> str:
    """An invoice number folded for uniqueness: "INV-100", "inv 100" and "INV/1.00" are one
    number, since suppliers and typists differ in case and separators, not in the invoice."""
    return re.sub(r"[\s\-/.]", "", number.casefold())


def _live_duplicate(session: Session, key: str, number: str) -> bool:
    """Whether a live invoice of the supplier has the same folded number (asked under the
    pot lock, so two finance users cannot both pass it; the exact-match unique index stays
    as the database's backstop)."""
    folded = fold_number(number)
    numbers = session.scalars(
        select(Invoice.number).where(Invoice.supplier_key == key, Invoice.reversed_at.is_(None))
    )
    return any(fold_number(existing) == folded for existing in numbers)


def _duplicate(number: str) -> RuleBroken:
    return RuleBroken(
        f"Invoice {number} from this supplier is already recorded: an invoice number can be "
        "used once per supplier (reverse the first one if it was a mistake)",
        field="number",
    )


def record_invoice(
    session: Session,
    user: User,
    placement_id: int,
    *,
    supplier: str,
    number: str,
    invoice_date: date,
    first_night: date,
    last_night: date,
    amount_pence: int,
) -> Invoice:
    """Record a supplier's invoice for nights of one placement, and its ledger entry."""
    _may_record(user)
    supplier, number = _tidy(supplier), _tidy(number)
    # A unique index refusing at the commit: another finance user recorded the same number
    # a moment ago.
    with _pot(session, user, placement_id, duplicate=_duplicate(number)) as tx:
        placement = tx.placement
        _invoice_problems(
            session,
            tx.entries(),
            placement,
            supplier=supplier,
            number=number,
            invoice_date=invoice_date,
            first_night=first_night,
            last_night=last_night,
            amount_pence=amount_pence,
        )
        key = supplier_key(supplier)
        invoice = Invoice(
            placement_id=placement.id,
            supplier=supplier,
            supplier_key=key,
            number=number,
            invoice_date=invoice_date,
            first_night=first_night,
            last_night=last_night,
            amount_pence=amount_pence,
            recorded_by_id=user.id,
        )
        session.add(invoice)
        session.flush()
        entry = tx.append(
            ledger.INVOICE, amount_pence, effective_on=invoice_date, invoice_id=invoice.id
        )
        _audit(
            session,
            user,
            "placement.invoice_recorded",
            placement,
            invoice_id=invoice.id,
            entry_id=entry.id,
            amount_pence=amount_pence,
        )
    return invoice


def paid_on_invoice(session: Session, invoice_id: int) -> int:
    """What has been paid against the invoice, leaving out reversed payments."""
    return session.scalar(
        select(func.coalesce(func.sum(Payment.amount_pence), 0)).where(
            Payment.invoice_id == invoice_id, Payment.reversed_at.is_(None)
        )
    )


def record_payment(
    session: Session,
    user: User,
    invoice_id: int,
    *,
    paid_on: date,
    amount_pence: int,
    reference: str,
) -> Payment:
    """Record Camden's payment of (part of) an invoice; never twice, never past the invoice."""
    _may_record(user)
    reference = _tidy(reference)
    if not reference:
        raise RuleBroken("Enter the payment reference", field="reference")
    if len(reference) > REFERENCE_MAX:
        message = f"The payment reference must be {REFERENCE_MAX} characters or fewer"
        raise RuleBroken(message, field="reference")
    if paid_on > today():
        raise RuleBroken("The payment date cannot be in the future", field="paid_on")
    invoice = session.get(Invoice, invoice_id)
    if invoice is None:
        raise NotFound("No invoice has that number")
    # An invoice's placement never changes; the invoice itself is re-read under the lock.
    with _pot(session, user, invoice.placement_id) as tx:
        placement = tx.placement
        invoice = session.get(Invoice, invoice_id, populate_existing=True)
        if invoice.reversed_at is not None:
            raise RuleBroken("This invoice was reversed, so it cannot be paid")
        if paid_on < invoice.invoice_date:
            raise RuleBroken(
                "The payment date cannot be before the invoice date, "
                f"{long_date(invoice.invoice_date)}",
                field="paid_on",
            )
        unpaid = invoice.amount_pence - paid_on_invoice(session, invoice.id)
        if unpaid <= 0:
            raise RuleBroken("This invoice has already been paid in full", field="amount")
        if amount_pence > unpaid:
            raise RuleBroken(
                f"This invoice has {format_pence(unpaid)} left to pay: "
                f"{format_pence(amount_pence)} would overpay it",
                field="amount",
            )
        refusal = ledger.check_payment(tx.entries(), placement.id, amount_pence)
        if refusal:
            raise RuleBroken(refusal, field="amount")
        payment = Payment(
            invoice_id=invoice.id,
            paid_on=paid_on,
            amount_pence=amount_pence,
            reference=reference,
            recorded_by_id=user.id,
        )
        session.add(payment)
        session.flush()
        entry = tx.append(
            ledger.PAYMENT,
            amount_pence,
            effective_on=paid_on,
            invoice_id=invoice.id,
            payment_id=payment.id,
        )
        _audit(
            session,
            user,
            "placement.payment_recorded",
            placement,
            invoice_id=invoice.id,
            payment_id=payment.id,
            entry_id=entry.id,
            amount_pence=amount_pence,
        )
        if amount_pence == unpaid:
            close_reminders_about(session, "invoice", f"invoice:{invoice.id}", now())
    return payment


FINANCE_REVERSES = frozenset({ledger.INVOICE, ledger.PAYMENT})
NOT_FINANCE_ENTRY = (
    "Camden finance corrects only the invoices and payments it records. Commitments and "
    "releases follow the stay: they are corrected through the SPOC's and the practitioner's "
    "steps (approval, extension, cancellation, move-out)"
)


def reversal_refusal(session: Session, entry: LedgerEntry, pot_pence: int) -> str | None:
    """Why finance cannot reverse this entry now, or None.

    Only invoices and payments: reversing a commitment or a release would leave a live stay
    without the money its nights were promised (and a move-out that can never be released).
    Then the ledger's rules; the invariant that a live stay keeps its commitment; and one of
    ours: an invoice that still has payments keeps them unless they are reversed first, so
    that no payment is left standing against an invoice that no longer exists."""
    if entry.kind in (ledger.COMMIT, ledger.RELEASE):
        return NOT_FINANCE_ENTRY
    entries = store.entries(session)
    refusal = ledger.check_reversal(entries, entry.id, pot_pence=pot_pence)
    if refusal:
        return refusal
    target = ledger.Entry(entry.kind, entry.placement_id, entry.amount_pence, id=entry.id)
    refusal = store.commitment_refusal(
        entries, entry.placement, ledger.reversal_of(target), on=today()
    )
    if refusal:
        return refusal
    invoice_id = entry.invoice_id if entry.kind == ledger.INVOICE else None
    if invoice_id is not None and paid_on_invoice(session, invoice_id) > 0:
        return "Reverse the payments of this invoice first"
    return None


def reverse_entry(session: Session, user: User, entry_id: int, *, reason: str) -> LedgerEntry:
    """Undo a mistaken entry in full with a reversal entry; the mistake stays on record."""
    _may_record(user)
    reason = (reason or "").strip()
    if not reason:
        raise RuleBroken("Enter the reason for the reversal", field="reason")
    if len(reason) > REASON_MAX:
        raise RuleBroken(f"The reason must be {REASON_MAX} characters or fewer", field="reason")
    entry = session.get(LedgerEntry, entry_id)
    if entry is None:
        raise NotFound("No ledger entry has that number")
    # A unique index refusing at the commit: a second reversal of the same entry at the
    # same moment.
    already = RuleBroken("This entry has already been reversed")
    with _pot(session, user, entry.placement_id, duplicate=already) as tx:
        placement = tx.placement
        entry = session.get(LedgerEntry, entry_id, populate_existing=True)
        refusal = reversal_refusal(session, entry, tx.pot_pence)
        if refusal:
            raise RuleBroken(refusal)
        reversal = tx.reverse(entry, reason=reason, on=today())
        now = datetime.now(UTC)
        if entry.kind == ledger.INVOICE and entry.invoice_id is not None:
            # Frees the invoice number for the corrected invoice.
            session.get(Invoice, entry.invoice_id).reversed_at = now
        if entry.kind == ledger.PAYMENT and entry.payment_id is not None:
            session.get(Payment, entry.payment_id).reversed_at = now
        _audit(
            session,
            user,
            "placement.entry_reversed",
            placement,
            entry_id=entry.id,
            reversal_id=reversal.id,
            kind=entry.kind,
            amount_pence=entry.amount_pence,
        )
    return reversal
