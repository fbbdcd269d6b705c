"""Reading and writing the ledger under the pot lock: the one way money is written.

Every service that writes money does it inside `with pot_transaction(session, placement_id)
as tx`, which locks the pot, re-reads the placement (and checks its version when given);
the service reads the ledger and the caps *after* the lock (`tx.entries()`), runs the pure
checks of `accommodation.ledger` and `accommodation.rules` on what it read, writes with
`tx.append` / `tx.reverse`, and the block's end commits (any exception rolls it all back).
The lock is the programme settings row (it holds the pot): `SELECT … FOR UPDATE` on
PostgreSQL; on SQLite every transaction that may write begins with `BEGIN IMMEDIATE` (eip/db.py:
any request but a GET, the CLI, jobs), which takes the database's write lock at once; a GET's
read transaction refuses any write, so a pot transaction there fails before it writes anything.
Either way, two approvals at the same instant run one after the other, and the second sees the
first's commitment.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from accommodation import ledger, rules
from accommodation.models import Invoice, LedgerEntry, Payment, Placement
from eip.admin.models import ProgrammeSettings
from eip.auth.models import User
from eip.domain import DomainError, NotAllowed, NotFound
from eip.policy import can
from eip.versioning import check_version, commit_or_conflict


def lock_pot(session: Session) -> ProgrammeSettings:
    """Lock the pot row for the rest of this transaction and return the settings as they
    are now (re-read, not a copy from earlier in the session: the caps may have changed)."""
    settings = session.get(ProgrammeSettings, 1, with_for_update=True, populate_existing=True)
    if settings is None:
        raise NotFound("The programme settings have not been created: run the migrations")
    return settings


def lock_placement(session: Session, placement_id: int) -> Placement:
    """The placement, re-read after the pot lock so that its state is the committed one."""
    placement = session.get(Placement, placement_id, populate_existing=True)
    if placement is None:
        raise NotFound("No placement has that number")
    return placement


@dataclass
class PotTransaction:
    """What a money step sees inside `pot_transaction`: the settings and the placement as
    committed when the lock was taken, and the only ways to write to the ledger."""

    session: Session
    user: User | None
    settings: ProgrammeSettings
    placement: Placement

    @property
    def pot_pence(self) -> int:
        return self.settings.pot_pence

    def entries(self) -> list[ledger.Entry]:
        """The whole ledger, read under the lock (so it includes any entry just appended)."""
        return entries(self.session)

    def append(self, kind: str, amount_pence: int, *, effective_on: date, **links) -> LedgerEntry:
        return append(
            self.session, self.user, kind, self.placement, amount_pence,
            effective_on=effective_on, **links,
        )  # fmt: skip

    def reverse(self, entry: LedgerEntry, *, reason: str, on: date) -> LedgerEntry:
        """Undo `entry` in full: a reversal of the same amount, dated `on`, linked to the
        entry and to its invoice or payment. The mistaken entry stays on the ledger."""
        return append(
            self.session, self.user, ledger.REVERSAL, self.placement, entry.amount_pence,
            effective_on=on, reason=reason, reverses_id=entry.id,
            invoice_id=entry.invoice_id, payment_id=entry.payment_id,
        )  # fmt: skip


@contextmanager
def pot_transaction(
    session: Session,
    placement_id: int,
    *,
    user: User | None,
    version: int | str | object | None = ...,
    action: str | None = None,
    duplicate: DomainError | None = None,
) -> Iterator[PotTransaction]:
    """The pot transaction, the ONLY way money is written: lock the pot, re-read the
    placement (refused unless `user` may do `action` to it, when given; refused as a
    conflict unless it is still at `version`, when given), let the block check and write,
    then commit once. Any exception in the block rolls everything back, so a refused step
    leaves the ledger exactly as it was. `duplicate` is what a unique index's refusal at
    the commit means to this step (eip.versioning.commit_or_conflict)."""
    try:
        settings = lock_pot(session)
        placement = lock_placement(session, placement_id)
        if action is not None and not can(user, action, placement):
            raise NotAllowed("You may not change this placement")
        if version is not ...:
            check_version(placement, version)
        yield PotTransaction(session, user, settings, placement)
    except BaseException:
        session.rollback()
        raise
    commit_or_conflict(session, placement, duplicate=duplicate)


def entries_with_dates(
    session: Session, placement_ids: Collection[int] | None = None
) -> list[tuple[ledger.Entry, date]]:
    """The whole ledger as pure entries with their business dates (`effective_on`), oldest
    first (tens of placements: read it all), or only the entries of `placement_ids` (a
    reversal always belongs to the placement of the entry it undoes, so those add up)."""
    query = select(
        LedgerEntry.id,
        LedgerEntry.kind,
        LedgerEntry.placement_id,
        LedgerEntry.amount_pence,
        LedgerEntry.reverses_id,
        LedgerEntry.effective_on,
    ).order_by(LedgerEntry.id)
    if placement_ids is not None:
        query = query.where(LedgerEntry.placement_id.in_(placement_ids))
    return [
        (ledger.Entry(kind, placement_id, amount, reverses=reverses, id=entry_id), on)
        for entry_id, kind, placement_id, amount, reverses, on in session.execute(query)
    ]


def entries(session: Session, placement_ids: Collection[int] | None = None) -> list[ledger.Entry]:
    """The whole ledger (or `placement_ids`' entries) as pure entries, oldest first."""
    return [entry for entry, _on in entries_with_dates(session, placement_ids)]


def placement_ledger(session: Session, placement_id: int) -> list[LedgerEntry]:
    """One placement's ledger rows, oldest first, for its page (with their links)."""
    return list(
        session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.placement_id == placement_id)
            .order_by(LedgerEntry.id)
        )
    )


class LedgerLine(NamedTuple):
    """One ledger entry with what describes it on a statement (its invoice's number and
    supplier, its payment's reference): fixed fields only, no free text but the reason.
    A named tuple rather than a frozen dataclass: a statement reads the whole ledger, and a
    frozen dataclass of fourteen fields cost five times as much to make, line by line."""

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
    # The invoice an invoice entry records or a payment entry pays (its reversal has none).
    invoice_id: int | None = None

    @property
    def entry(self) -> ledger.Entry:
        return ledger.Entry(
            self.kind, self.placement_id, self.amount_pence, self.reverses_id, self.id
        )


def ledger_lines(session: Session) -> list[LedgerLine]:
    """The whole ledger with what describes each entry, oldest first (one query)."""
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
            func.coalesce(LedgerEntry.invoice_id, Payment.invoice_id),
        )
        .outerjoin(Invoice, Invoice.id == LedgerEntry.invoice_id)
        .outerjoin(Payment, Payment.id == LedgerEntry.payment_id)
        .outerjoin(paid_invoice, paid_invoice.id == Payment.invoice_id)
        .order_by(LedgerEntry.id)
    )
    return [LedgerLine(*row[:8], row[8] or row[13], *row[9:13], row[14]) for row in result]


def append(
    session: Session,
    user: User | None,
    kind: str,
    placement: Placement,
    amount_pence: int,
    *,
    effective_on: date,
    reason: str | None = None,
    reverses_id: int | None = None,
    extension_id: int | None = None,
    invoice_id: int | None = None,
    payment_id: int | None = None,
) -> LedgerEntry:
    """Write one entry. Services write only through `pot_transaction` (`tx.append`); this
    is called directly only to seed a ledger (the demo, test factories, the benchmark). Validated by
    `ledger.Entry` first, so a bad kind or amount never reaches the database."""
    ledger.Entry(kind, placement.id, amount_pence, reverses=reverses_id)
    row = LedgerEntry(
        placement_id=placement.id,
        kind=kind,
        amount_pence=amount_pence,
        effective_on=effective_on,
        reason=reason,
        reverses_id=reverses_id,
        extension_id=extension_id,
        invoice_id=invoice_id,
        payment_id=payment_id,
        recorded_by_id=user.id if user is not None else None,
    )
    session.add(row)
    session.flush()
    return row


def commitment_refusal(
    entries: list[ledger.Entry],
    placement: Placement,
    proposed: ledger.Entry,
    *,
    on: date,
    state: str | None = None,
    approved_nights: int | None = None,
    checked_in_on: date | None = None,
) -> str | None:
    """`ledger.check_keeps_commitment` for the placement as it will be after the step (the
    state, approved nights and check-in given, else the placement's own): every path that
    releases or reverses money asks it before writing."""
    remaining = rules.remaining_nights(
        state or placement.state,
        approved_nights if approved_nights is not None else placement.approved_nights,
        checked_in_on or placement.checked_in_on,
        on,
    )
    needed = remaining * (placement.nightly_rate_pence or 0)
    return ledger.check_keeps_commitment(entries, proposed, needed)


def people_counted(session: Session) -> set[int]:
    """Person ids of the clients who count towards the people cap (DOMAIN.md)."""
    return set(
        session.scalars(
            select(Placement.client_id)
            .where(Placement.state.in_(rules.COUNTS_TOWARDS_PEOPLE_CAP))
            .distinct()
        )
    )


def nights_used_by_client(
    session: Session, client_id: int, *, leaving_out: int | None = None
) -> int:
    """The client's nights over all their placements (see `Placement.nights_used`),
    optionally leaving one placement out (the one being decided or extended)."""
    query = select(Placement).where(Placement.client_id == client_id)
    if leaving_out is not None:
        query = query.where(Placement.id != leaving_out)
    return nights_used(session.scalars(query))


def nights_used(placements: Iterable[Placement]) -> int:
    """The nights these placements count against their client's allowance."""
    return sum(p.nights_used for p in placements)
