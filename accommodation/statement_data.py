"""The finance statement for Camden: what moved in the pot over a period, and where it
stood at the period's start and end, worked out from the ledger.

Every figure comes from the ledger entries and their business dates (`effective_on`),
with DOMAIN.md's formulas: a balance "at" a date is the ledger's totals over the entries
dated on or before it, exactly what `ledger.pot_totals` gives for those entries. A
reversal counts against the kind of the entry it undoes, on its own date; its sign is
taken from the whole ledger, so a correction dated before a back-dated entry still adds
up (as in `budget.burn_down`) instead of making the statement fail.

Placements appear by case reference and borough only, through `visible_placements`, and
no free text typed by a user is printed: each movement is described from fixed words,
the invoice's number and supplier, and the payment's reference.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from accommodation import ledger
from accommodation.models import Invoice, LedgerEntry, Payment
from accommodation.rules import STATE_LABELS
from accommodation.stay_services import CANCELLED, EARLY_MOVE_OUT, SHORTENED_TO_PROGRAMME_END
from eip.access import visible_placements
from eip.auth.models import User
from eip.cases.models import Case
from eip.domain import RuleBroken
from eip.models import Borough
from eip.programme import current_settings

MOVEMENT_KINDS = (ledger.COMMIT, ledger.RELEASE, ledger.INVOICE, ledger.PAYMENT)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FIXED_RELEASE_REASONS = (EARLY_MOVE_OUT, CANCELLED, SHORTENED_TO_PROGRAMME_END)


def parse_period(start: str | None, end: str | None) -> tuple[date, date]:
    """The period from the statement form's two dates (YYYY-MM-DD, as a date box sends
    them). Raises `RuleBroken` with every problem by field."""
    errors: dict[str, str] = {}
    parsed: dict[str, date] = {}
    for name, text, label in (("start", start, "start"), ("end", end, "end")):
        text = (text or "").strip()
        if not text:
            errors[name] = f"Enter the {label} date of the period"
            continue
        try:
            if not _ISO_DATE.match(text):
                raise ValueError(text)
            parsed[name] = date.fromisoformat(text)
        except ValueError:
            example = "2026-04-01" if name == "start" else "2026-04-30"
            errors[name] = f"The {label} date must be a real date, like {example}"
    if not errors and parsed["end"] < parsed["start"]:
        errors["end"] = "The end date must be the same as or after the start date"
    if errors:
        first = next(iter(errors))
        raise RuleBroken(errors[first], field=first, errors=errors)
    return parsed["start"], parsed["end"]


@dataclass(frozen=True)
class Row:
    """One ledger entry with what the statement prints about it."""

    id: int
    placement_id: int
    kind: str
    amount_pence: int
    reverses_id: int | None
    on: date
    extension_id: int | None
    reason: str | None
    invoice_number: str | None
    supplier: str | None
    first_night: date | None
    last_night: date | None
    payment_reference: str | None


@dataclass(frozen=True)
class Movement:
    on: date
    placement_id: int
    reference: str
    borough: str
    kind: str  # the kind it counts against: commit, release, invoice or payment
    signed_pence: int  # negative for a reversal
    description: str


@dataclass(frozen=True)
class PlacementLine:
    id: int
    reference: str
    borough: str
    provider: str | None
    state: str
    rate_pence: int | None
    approved_nights: int | None
    totals: ledger.PlacementTotals


@dataclass(frozen=True)
class Statement:
    start: date
    end: date
    opening: ledger.PotTotals  # entries dated before `start`
    closing: ledger.PotTotals  # entries dated on or before `end`
    movements: dict[str, list[Movement]]
    placements: list[PlacementLine] = field(default_factory=list)

    def moved(self, kind: str) -> int:
        return sum(m.signed_pence for m in self.movements[kind])


# ---------------------------------------------------------------------------
# Pure arithmetic


def _short(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def describe(row: Row, reversed_row: Row | None = None) -> str:
    """Fixed words for what an entry was; a reversal names what it undoes."""
    if row.kind == ledger.REVERSAL:
        if reversed_row is None:
            return "Correction of an earlier entry"
        return f"Correction of: {describe(reversed_row)} ({_short(reversed_row.on)})"
    if row.kind == ledger.COMMIT:
        if row.extension_id is not None:
            return "Extension approved"
        return "Added commitment" if row.reason else "Placement approved"
    if row.kind == ledger.RELEASE:
        return row.reason if row.reason in FIXED_RELEASE_REASONS else "Release"
    if row.kind == ledger.INVOICE:
        nights = ""
        if row.first_night and row.last_night:
            nights = f", nights {_short(row.first_night)} to {_short(row.last_night)}"
        return f"Invoice {row.invoice_number or ''} from {row.supplier or 'the supplier'}{nights}"
    return f"Payment {row.payment_reference or ''} of invoice {row.invoice_number or ''}".strip()


def _signed(rows: list[Row]) -> list[tuple[Row, str, int]]:
    """Each entry with the kind it counts against and its signed amount. The ledger's own
    totals are taken first, so a corrupt ledger raises here exactly as it does there."""
    ledger.all_placement_totals(
        ledger.Entry(r.kind, r.placement_id, r.amount_pence, r.reverses_id, r.id) for r in rows
    )
    by_id = {r.id: r for r in rows}
    signed = []
    for r in rows:
        if r.kind == ledger.REVERSAL:
            signed.append((r, by_id[r.reverses_id].kind, -r.amount_pence))
        else:
            signed.append((r, r.kind, r.amount_pence))
    return signed


def _totals(
    signed: list[tuple[Row, str, int]], pot_pence: int, included: Callable[[Row], bool]
) -> tuple[ledger.PotTotals, dict[int, ledger.PlacementTotals]]:
    """The ledger's figures over the entries `included(row)` keeps."""
    sums: dict[int, dict[str, int]] = {}
    for row, kind, amount in signed:
        if included(row):
            sums.setdefault(row.placement_id, dict.fromkeys(MOVEMENT_KINDS, 0))[kind] += amount
    per: dict[int, ledger.PlacementTotals] = {}
    for pid, s in sums.items():
        committed = s[ledger.COMMIT] - s[ledger.RELEASE]
        invoiced, paid = s[ledger.INVOICE], s[ledger.PAYMENT]
        per[pid] = ledger.PlacementTotals(
            committed=committed,
            invoiced=invoiced,
            paid=paid,
            exposure=max(committed, invoiced),
            unpaid_invoiced=invoiced - paid,
        )
    exposure = sum(t.exposure for t in per.values())
    pot = ledger.PotTotals(
        pot=pot_pence,
        committed=sum(t.committed for t in per.values()),
        invoiced=sum(t.invoiced for t in per.values()),
        paid=sum(t.paid for t in per.values()),
        exposure=exposure,
        available=pot_pence - exposure,
    )
    return pot, per


@dataclass(frozen=True)
class Label:
    reference: str
    borough: str
    provider: str | None
    state: str
    rate_pence: int | None
    approved_nights: int | None


def build(
    rows: list[Row], labels: dict[int, Label], *, pot_pence: int, start: date, end: date
) -> Statement:
    """The statement over `rows` (the whole ledger). Only placements in `labels` (those the
    user may see) are listed; the balance is the pot's, which is programme-wide."""
    signed = _signed(rows)
    by_id = {r.id: r for r in rows}
    opening, _ = _totals(signed, pot_pence, lambda r: r.on < start)
    closing, per = _totals(signed, pot_pence, lambda r: r.on <= end)
    movements: dict[str, list[Movement]] = {kind: [] for kind in MOVEMENT_KINDS}
    for row, kind, amount in sorted(signed, key=lambda s: (s[0].on, s[0].id)):
        label = labels.get(row.placement_id)
        if label is None or not start <= row.on <= end:
            continue
        reversed_row = by_id.get(row.reverses_id) if row.reverses_id else None
        movements[kind].append(
            Movement(
                on=row.on,
                placement_id=row.placement_id,
                reference=label.reference,
                borough=label.borough,
                kind=kind,
                signed_pence=amount,
                description=describe(row, reversed_row),
            )
        )
    placements = [
        PlacementLine(
            id=pid,
            reference=label.reference,
            borough=label.borough,
            provider=label.provider,
            state=STATE_LABELS.get(label.state, label.state),
            rate_pence=label.rate_pence,
            approved_nights=label.approved_nights,
            totals=per[pid],
        )
        for pid, label in labels.items()
        if pid in per
    ]
    placements.sort(key=lambda p: (p.borough, p.reference, p.id))
    return Statement(start, end, opening, closing, movements, placements)


# ---------------------------------------------------------------------------
# Loading


def load_rows(session: Session) -> list[Row]:
    """The whole ledger with what describes each entry (one query)."""
    paid_invoice = aliased(Invoice)
    result = session.execute(
        select(
            LedgerEntry.id,
            LedgerEntry.placement_id,
            LedgerEntry.kind,
            LedgerEntry.amount_pence,
            LedgerEntry.reverses_id,
            LedgerEntry.effective_on,
            LedgerEntry.extension_id,
            LedgerEntry.reason,
            Invoice.number,
            Invoice.supplier,
            Invoice.first_night,
            Invoice.last_night,
            Payment.reference,
            paid_invoice.number,
        )
        .outerjoin(Invoice, Invoice.id == LedgerEntry.invoice_id)
        .outerjoin(Payment, Payment.id == LedgerEntry.payment_id)
        .outerjoin(paid_invoice, paid_invoice.id == Payment.invoice_id)
        .order_by(LedgerEntry.id)
    )
    return [
        Row(
            id=eid,
            placement_id=pid,
            kind=kind,
            amount_pence=amount,
            reverses_id=reverses,
            on=on,
            extension_id=extension,
            reason=reason,
            invoice_number=number or paid_number,
            supplier=supplier,
            first_night=first,
            last_night=last,
            payment_reference=payment_ref,
        )
        for (
            eid,
            pid,
            kind,
            amount,
            reverses,
            on,
            extension,
            reason,
            number,
            supplier,
            first,
            last,
            payment_ref,
            paid_number,
        ) in result
    ]


def load_labels(session: Session, user: User) -> dict[int, Label]:
    """The placements this user may see, by case reference and borough (one query)."""
    scoped = visible_placements(user).subquery()
    rows = session.execute(
        select(
            scoped.c.id,
            Case.reference,
            Borough.name,
            scoped.c.provider,
            scoped.c.state,
            scoped.c.nightly_rate_pence,
            scoped.c.approved_nights,
        )
        .join(Case, Case.id == scoped.c.case_id)
        .join(Borough, Borough.id == scoped.c.borough_id)
    )
    return {pid: Label(ref, borough, *rest) for pid, ref, borough, *rest in rows}


def statement(session: Session, user: User, start: date, end: date) -> Statement:
    settings = current_settings(session)
    return build(
        load_rows(session),
        load_labels(session, user),
        pot_pence=settings.pot_pence,
        start=start,
        end=end,
    )


def day_before(value: date) -> date:
    return value - timedelta(days=1)
