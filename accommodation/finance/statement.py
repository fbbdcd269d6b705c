"""The finance statement for Camden: what moved in the pot over a period, and where it
stood at the period's start and end, worked out from the ledger.

Every figure comes from the ledger entries and their business dates (`effective_on`),
with DOMAIN.md's formulas: a balance "at" a date is the ledger's totals over the entries
dated on or before it, exactly what `ledger.pot_totals` gives for those entries. A
reversal counts against the kind of the entry it undoes, on its own date; its sign is
taken from the whole ledger, so a correction dated before a back-dated entry still adds
up (as in `budget.burn_down`) instead of making the statement fail.

Placements appear by case reference and borough only (the placements table adds the
move-in date, as every page names a placement), through `visible_placements`, and
no free text typed by a user is printed: each movement is described from fixed words,
the invoice's number and supplier, and the payment's reference.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from accommodation import ledger, store
from accommodation.rules import STATE_LABELS
from accommodation.stay.services import CANCELLED, EARLY_MOVE_OUT, SHORTENED_TO_PROGRAMME_END
from accommodation.store import LedgerLine
from eip.auth.models import User
from eip.cases.models import Case
from eip.domain import RuleBroken
from eip.formatting import accounts_pence, short_date
from eip.models import Borough
from eip.policy import visible_placements
from eip.programme import current_settings
from eip.vocabulary import placement_name

MOVEMENT_KINDS = (ledger.COMMIT, ledger.RELEASE, ledger.INVOICE, ledger.PAYMENT)
FIXED_RELEASE_REASONS = (EARLY_MOVE_OUT, CANCELLED, SHORTENED_TO_PROGRAMME_END)
# An invoice still unpaid this many days after its date, at the period's end, is flagged.
UNPAID_FLAG_DAYS = 30


def check_period(start: date, end: date) -> tuple[date, date]:
    """The statement's period, read by the form's two GOV.UK dates: the end may not come
    before the start, and a year before 2000 is a mistyped one ("26" for 2026)."""
    errors: dict[str, str] = {}
    for name, day, label, example in (
        ("start", start, "start", "1 4 2026"),
        ("end", end, "end", "30 4 2026"),
    ):
        if day.year < 2000:
            errors[name] = f"The {label} date must be a real date, like {example}"
    if not errors and end < start:
        errors["end"] = "The end date must be the same as or after the start date"
    if errors:
        first = next(iter(errors))
        raise RuleBroken(errors[first], field=first, errors=errors)
    return start, end


# A statement's lines are named tuples, not frozen dataclasses: it makes one per movement
# and per placement (thousands), and a frozen dataclass costs several times as much to make
# (as `store.LedgerLine`).
class Movement(NamedTuple):
    on: date
    placement_id: int
    reference: str
    borough: str
    kind: str  # the kind it counts against: commit, release, invoice or payment
    signed_pence: int  # negative for a reversal
    description: str


class Nights(NamedTuple):
    """A placement's nights at the period's end, from its ledger and its stay's dates:
    approved (the approval and extensions), used (stayed by the end), released (given back
    by a move-out, cancellation or late check-in). A figure is None when its money is not
    a whole number of nights at the rate (an added commitment is money, not nights)."""

    approved: int | None
    used: int
    released: int | None

    @property
    def to_come(self) -> int | None:
        if self.approved is None or self.released is None:
            return None
        return max(0, self.approved - self.used - self.released)


class PlacementLine(NamedTuple):
    id: int
    reference: str
    name: str  # case reference and move-in date (eip.vocabulary), as every page names it
    borough: str
    provider: str | None
    state: str  # as it stood at the period's end
    rate_pence: int | None
    approved_nights: int | None
    totals: ledger.PlacementTotals
    nights: Nights | None = None


class UnpaidInvoice(NamedTuple):
    """An invoice dated more than `UNPAID_FLAG_DAYS` before the period's end and not paid
    in full by then."""

    on: date
    reference: str
    borough: str
    number: str | None
    supplier: str | None
    outstanding_pence: int
    days: int


@dataclass(frozen=True)
class Statement:
    start: date
    end: date
    opening: ledger.PotTotals  # entries dated before `start`
    closing: ledger.PotTotals  # entries dated on or before `end`
    movements: dict[str, list[Movement]]
    placements: list[PlacementLine] = field(default_factory=list)
    unpaid: list[UnpaidInvoice] = field(default_factory=list)

    def moved(self, kind: str) -> int:
        return sum(m.signed_pence for m in self.movements[kind])


# ---------------------------------------------------------------------------
# Pure arithmetic


def describe(
    row: LedgerLine, reversed_row: LedgerLine | None = None, label: Label | None = None
) -> str:
    """Fixed words for what an entry was; a reversal names what it undoes; a release says
    why, with its nights at the placement's rate."""
    if row.kind == ledger.REVERSAL:
        if reversed_row is None:
            return "Correction of an earlier entry"
        return (
            f"Correction of: {describe(reversed_row, label=label)} ({short_date(reversed_row.on)})"
        )
    if row.kind == ledger.COMMIT:
        if row.extension_id is not None:
            return "Extension approved"
        return "Added commitment" if row.reason else "Placement approved"
    if row.kind == ledger.RELEASE:
        return release_reason(row, label)
    if row.kind == ledger.INVOICE:
        nights = ""
        if row.first_night and row.last_night:
            nights = f", nights {short_date(row.first_night)} to {short_date(row.last_night)}"
        return f"Invoice {row.invoice_number or ''} from {row.supplier or 'the supplier'}{nights}"
    return f"Payment {row.payment_reference or ''} of invoice {row.invoice_number or ''}".strip()


def release_reason(row: LedgerLine, label: Label | None) -> str:
    """A release's fixed reason; for one written without it (older data), the reason its
    placement's dates give (the cancellation, move-out or check-in it is dated on)."""
    reason = row.reason if row.reason in FIXED_RELEASE_REASONS else None
    if reason is None and label is not None:
        by_date = (
            (label.cancelled_on, CANCELLED),
            (label.moved_out_on, EARLY_MOVE_OUT),
            (label.checked_in_on, SHORTENED_TO_PROGRAMME_END),
        )
        reason = next((why for on, why in by_date if on is not None and on == row.on), None)
    reason = reason or "Release: reason not recorded"
    rate = label.rate_pence if label is not None else None
    nights = whole_nights(row.amount_pence, rate)
    if nights is None or rate is None:
        return reason
    return f"{reason} ({nights} night{'' if nights == 1 else 's'} at {accounts_pence(rate)})"


def whole_nights(pence: int, rate_pence: int | None) -> int | None:
    """The nights an amount pays for at the rate, or None when it is not whole nights."""
    if not rate_pence or pence % rate_pence:
        return None
    return pence // rate_pence


def state_at(label: Label, end: date) -> str:
    """The placement's state as it stood at the end of `end`, from its stay's dates (the
    placement row holds only today's state)."""

    def by(day: date | None) -> bool:
        return day is not None and day <= end

    if by(label.cancelled_on):
        return f"{STATE_LABELS['cancelled']} on {short_date(label.cancelled_on)}"  # type: ignore[arg-type]
    if by(label.moved_out_on):
        early = " early" if label.ended_early else ""
        return f"Ended{early} on {short_date(label.moved_out_on)}"  # type: ignore[arg-type]
    if by(label.checked_in_on):
        return f"Checked in on {short_date(label.checked_in_on)}"  # type: ignore[arg-type]
    if by(label.agreement_signed_on):
        return STATE_LABELS["agreement_signed"]
    return STATE_LABELS["approved"]


def nights_at(
    signed: list[tuple[LedgerLine, ledger.Movement]], label: Label, end: date
) -> Nights | None:
    """The placement's nights at the end of `end` (its ledger rows in `signed`)."""
    rate = label.rate_pence
    if not rate:
        return None
    mine = [(row, move) for row, move in signed if row.on <= end]
    commits = [row for row, _m in mine if row.kind == ledger.COMMIT]
    approval_id = min((row.id for row in commits), default=None)
    approved_pence = sum(
        row.amount_pence for row in commits if row.id == approval_id or row.extension_id
    )
    released_pence = sum(amount for _r, (_p, kind, amount) in mine if kind == ledger.RELEASE)
    approved = whole_nights(approved_pence, rate)
    released = whole_nights(released_pence, rate)
    used = 0
    if label.checked_in_on is not None and label.checked_in_on <= end:
        last = end + timedelta(days=1)  # the night that begins on the period's last day
        if label.moved_out_on is not None:
            last = min(last, label.moved_out_on)
        if approved is not None:
            last = min(last, label.checked_in_on + timedelta(days=approved - (released or 0)))
        used = max(0, (last - label.checked_in_on).days)
    return Nights(approved=approved, used=used, released=released)


def unpaid_invoices(
    signed: list[tuple[LedgerLine, ledger.Movement]],
    by_id: dict[int, LedgerLine],
    labels: dict[int, Label],
    end: date,
) -> list[UnpaidInvoice]:
    """Invoices of the placements in `labels`, dated more than `UNPAID_FLAG_DAYS` before
    `end`, with less paid than invoiced by `end` (reversals counted on their own dates)."""
    invoiced: dict[int, int] = {}
    paid: dict[int, int] = {}
    first: dict[int, LedgerLine] = {}
    for row, (_pid, kind, amount) in signed:
        if row.on > end or row.placement_id not in labels:
            continue
        source = by_id.get(row.reverses_id) if row.reverses_id else row
        invoice_id = source.invoice_id if source is not None else None
        if invoice_id is None:
            continue
        if kind == ledger.INVOICE:
            invoiced[invoice_id] = invoiced.get(invoice_id, 0) + amount
            if source is row:
                first.setdefault(invoice_id, row)
        elif kind == ledger.PAYMENT:
            paid[invoice_id] = paid.get(invoice_id, 0) + amount
    found = []
    for invoice_id, row in first.items():
        outstanding = invoiced[invoice_id] - paid.get(invoice_id, 0)
        days = (end - row.on).days
        if outstanding > 0 and days > UNPAID_FLAG_DAYS:
            label = labels[row.placement_id]
            found.append(
                UnpaidInvoice(
                    row.on,
                    label.reference,
                    label.borough,
                    row.invoice_number,
                    row.supplier,
                    outstanding,
                    days,
                )
            )
    found.sort(key=lambda u: (u.on, u.reference))
    return found


def _signed(rows: list[LedgerLine]) -> list[tuple[LedgerLine, ledger.Movement]]:
    """Each entry with its movement, the signs taken from the whole ledger (a corrupt
    ledger raises here exactly as it does for the budget)."""
    return list(zip(rows, ledger.movements(r.entry for r in rows), strict=True))


def _totals(
    signed: list[tuple[LedgerLine, ledger.Movement]],
    pot_pence: int,
    included: Callable[[LedgerLine], bool],
) -> tuple[ledger.PotTotals, dict[int, ledger.PlacementTotals]]:
    """The ledger's figures over the entries `included(row)` keeps."""
    per = ledger.totals_of_movements(move for row, move in signed if included(row))
    return ledger.pot_of(per, pot_pence), per


class Label(NamedTuple):
    reference: str
    borough: str
    provider: str | None
    state: str
    rate_pence: int | None
    approved_nights: int | None
    move_in_on: date | None = None
    checked_in_on: date | None = None
    agreement_signed_on: date | None = None
    moved_out_on: date | None = None
    ended_early: bool | None = None
    cancelled_on: date | None = None

    @property
    def name(self) -> str:
        return placement_name(
            self.reference,
            self.checked_in_on or self.move_in_on,
            moved_in=self.checked_in_on is not None,
        )


def build(
    rows: list[LedgerLine], labels: dict[int, Label], *, pot_pence: int, start: date, end: date
) -> Statement:
    """The statement over `rows` (the whole ledger). Only placements in `labels` (those the
    user may see) are listed; the balance is the pot's, which is programme-wide."""
    signed = _signed(rows)
    by_id = {r.id: r for r in rows}
    opening, _ = _totals(signed, pot_pence, lambda r: r.on < start)
    closing, per = _totals(signed, pot_pence, lambda r: r.on <= end)
    movements: dict[str, list[Movement]] = {kind: [] for kind in MOVEMENT_KINDS}
    by_placement: dict[int, list[tuple[LedgerLine, ledger.Movement]]] = {}
    for pair in signed:
        by_placement.setdefault(pair[0].placement_id, []).append(pair)
    for row, (_pid, kind, amount) in sorted(signed, key=lambda s: (s[0].on, s[0].id)):
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
                description=describe(row, reversed_row, label),
            )
        )
    placements = [
        PlacementLine(
            id=pid,
            reference=label.reference,
            name=label.name,
            borough=label.borough,
            provider=label.provider,
            state=state_at(label, end),
            rate_pence=label.rate_pence,
            approved_nights=label.approved_nights,
            totals=per[pid],
            nights=nights_at(by_placement.get(pid, []), label, end),
        )
        for pid, label in labels.items()
        if pid in per
    ]
    placements.sort(key=lambda p: (p.borough, p.reference, p.id))
    unpaid = unpaid_invoices(signed, by_id, labels, end)
    return Statement(start, end, opening, closing, movements, placements, unpaid)


# ---------------------------------------------------------------------------
# Loading


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
            scoped.c.move_in_on,
            scoped.c.checked_in_on,
            scoped.c.agreement_signed_on,
            scoped.c.moved_out_on,
            scoped.c.ended_early,
            scoped.c.cancelled_on,
        )
        .join(Case, Case.id == scoped.c.case_id)
        .join(Borough, Borough.id == scoped.c.borough_id)
    )
    return {pid: Label(ref, borough, *rest) for pid, ref, borough, *rest in rows}


def statement(session: Session, user: User, start: date, end: date) -> Statement:
    settings = current_settings(session)
    return build(
        store.ledger_lines(session),
        load_labels(session, user),
        pot_pence=settings.pot_pence,
        start=start,
        end=end,
    )


def day_before(value: date) -> date:
    return value - timedelta(days=1)
