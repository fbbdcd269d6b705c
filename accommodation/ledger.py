"""The accommodation budget ledger: DOMAIN.md's arithmetic, and the checks that keep it safe.

The £14,000 pot is public money, so no figure is ever stored: every total is computed here,
from an append-only list of entries, with the formulas in DOMAIN.md (per placement p):

    committed(p) = Σ commits - Σ releases        invoiced(p) = Σ invoices
    exposure(p)  = max(committed(p), invoiced(p))  paid(p) = Σ payments
    available    = pot - Σ exposure(p)

A mistaken entry is never edited or deleted; a *reversal* entry undoes it, taking its amount
off the total of the reversed entry's kind. Each `check_*` function answers "may this entry be
appended?" with a refusal message or None. They are pure, so the services call them inside the
transaction that holds the pot lock, on the entries read under that lock: the check and the
write then see the same ledger, and two approvals at once can never together overspend.

Every check works the same way: append the proposed entry to a copy and test the invariants
(available ≥ 0, committed(p) ≥ 0, paid(p) ≤ invoiced(p), invoiced(p) ≤ committed(p) when the
entry is an invoice). Comparing before-and-after states, not re-deriving special cases, is what
lets the property tests show that nothing a check allows can break the pot.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from eip.domain import RuleBroken
from eip.formatting import format_pence

COMMIT = "commit"
RELEASE = "release"
INVOICE = "invoice"
PAYMENT = "payment"
REVERSAL = "reversal"
KINDS = (COMMIT, RELEASE, INVOICE, PAYMENT, REVERSAL)

MORE_THAN_ZERO = "The amount must be more than £0"


@dataclass(frozen=True)
class Entry:
    """One line of the ledger. Amounts are always positive pence: the kind gives the sign.

    A reversal carries the id of the entry it undoes in `reverses`, the same placement and the
    same amount (`reversal_of` builds one); `id` is None only for an entry not yet written.
    """

    kind: str
    placement_id: int
    amount_pence: int
    reverses: int | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Unknown ledger entry kind {self.kind!r}")
        if isinstance(self.amount_pence, bool) or not isinstance(self.amount_pence, int):
            raise TypeError("Ledger amounts are whole pence (int)")
        if self.amount_pence <= 0:
            raise ValueError("Ledger amounts are positive; the kind of entry gives the sign")
        if (self.kind == REVERSAL) != (self.reverses is not None):
            raise ValueError("A reversal, and only a reversal, names the entry it reverses")


def reversal_of(entry: Entry) -> Entry:
    """The (unwritten) entry that undoes `entry` in full: partial reversals are not allowed,
    because a correction is re-entering the right figure, which keeps the trail readable."""
    if entry.id is None:
        raise ValueError("Only a written entry (with an id) can be reversed")
    return Entry(REVERSAL, entry.placement_id, entry.amount_pence, reverses=entry.id)


@dataclass(frozen=True)
class PlacementTotals:
    """The figures of one placement, all in pence."""

    committed: int
    invoiced: int
    paid: int
    exposure: int
    unpaid_invoiced: int


@dataclass(frozen=True)
class PotTotals:
    """The figures of the whole pot: each is the sum of the per-placement figures."""

    pot: int
    committed: int
    invoiced: int
    paid: int
    exposure: int
    available: int


# A movement is what one entry does to the totals: (placement, the kind it counts against,
# signed pence). A reversal counts as minus its amount against the kind it reverses.
Movement = tuple[int, str, int]


def movements(entries: Iterable[Entry]) -> list[Movement]:
    """Each entry's movement, in the order given (the statement and the burn-down add them
    up over a date range, in business-date order).

    A reversal of an unknown entry, of a reversal, of another placement's entry, for another
    amount, or a second reversal of one entry means the ledger is corrupt: ValueError, because
    showing a wrong figure for public money is worse than showing an error page.
    """
    entries = list(entries)
    by_id: dict[int, Entry] = {}
    for entry in entries:
        if entry.id is not None:
            if entry.id in by_id:
                raise ValueError(f"Two ledger entries have id {entry.id}")
            by_id[entry.id] = entry
    reversed_ids: set[int] = set()
    found: list[Movement] = []
    for entry in entries:
        if entry.kind != REVERSAL:
            found.append((entry.placement_id, entry.kind, entry.amount_pence))
            continue
        target = by_id.get(entry.reverses)  # type: ignore[arg-type]
        if target is None or target.kind == REVERSAL or entry.reverses in reversed_ids:
            raise ValueError(f"Reversal {entry.id} does not undo one ordinary entry")
        if (target.placement_id, target.amount_pence) != (entry.placement_id, entry.amount_pence):
            raise ValueError(f"Reversal {entry.id} does not match entry {target.id}")
        reversed_ids.add(target.id)  # type: ignore[arg-type]
        found.append((entry.placement_id, target.kind, -entry.amount_pence))
    return found


def _sums(moves: Iterable[Movement]) -> dict[int, dict[str, int]]:
    """Per placement, the net sum of each kind."""
    sums: dict[int, dict[str, int]] = {}
    for placement_id, kind, signed_pence in moves:
        sums.setdefault(placement_id, dict.fromkeys(KINDS[:4], 0))[kind] += signed_pence
    return sums


def exposure(committed: int, invoiced: int) -> int:
    """What one placement holds of the pot: the larger of committed and invoiced."""
    return max(committed, invoiced)


def _placement(sums: dict[str, int] | None) -> PlacementTotals:
    sums = sums or dict.fromkeys(KINDS[:4], 0)
    committed = sums[COMMIT] - sums[RELEASE]
    invoiced, paid = sums[INVOICE], sums[PAYMENT]
    return PlacementTotals(
        committed=committed,
        invoiced=invoiced,
        paid=paid,
        exposure=exposure(committed, invoiced),
        unpaid_invoiced=invoiced - paid,
    )


def placement_totals(entries: Iterable[Entry], placement_id: int) -> PlacementTotals:
    """The figures of one placement (all zero for a placement with no entries)."""
    return _placement(_sums(movements(entries)).get(placement_id))


def all_placement_totals(entries: Iterable[Entry]) -> dict[int, PlacementTotals]:
    """The figures of every placement that has entries, for statements and CSV exports."""
    return totals_of_movements(movements(entries))


def pot_totals(entries: Iterable[Entry], pot_pence: int) -> PotTotals:
    """The pot's figures, built by adding up the placements so that they always reconcile."""
    return pot_of(all_placement_totals(entries), pot_pence)


def totals_of_movements(moves: Iterable[Movement]) -> dict[int, PlacementTotals]:
    """The figures of every placement with movements: for a statement, which adds up the
    movements dated in a range (the signs taken from the whole ledger by `movements`)."""
    return {pid: _placement(sums) for pid, sums in _sums(moves).items()}


def pot_of(per_placement: dict[int, PlacementTotals], pot_pence: int) -> PotTotals:
    """The pot's figures as the sum of the placements' figures."""
    placements = per_placement.values()
    exposure = sum(p.exposure for p in placements)
    return PotTotals(
        pot=pot_pence,
        committed=sum(p.committed for p in placements),
        invoiced=sum(p.invoiced for p in placements),
        paid=sum(p.paid for p in placements),
        exposure=exposure,
        available=pot_pence - exposure,
    )


class Running:
    """The pot's totals kept up to date movement by movement (for figures over time: the
    burn-down and the month rows), with the same formulas as `pot_totals`.

    A movement is (placement, the kind it counts against, signed pence): a reversal counts
    as minus the amount of the kind it reverses.
    """

    def __init__(self, pot_pence: int) -> None:
        self.pot = pot_pence
        self._sums: dict[int, dict[str, int]] = {}
        self.kinds = dict.fromkeys(KINDS[:4], 0)
        self.exposure = 0

    def add(self, placement_id: int, kind: str, signed_pence: int) -> None:
        sums = self._sums.setdefault(placement_id, dict.fromkeys(KINDS[:4], 0))
        before = _placement(sums).exposure
        sums[kind] += signed_pence
        self.kinds[kind] += signed_pence
        self.exposure += _placement(sums).exposure - before

    @property
    def committed(self) -> int:
        return self.kinds[COMMIT] - self.kinds[RELEASE]

    @property
    def available(self) -> int:
        return self.pot - self.exposure


# ---------------------------------------------------------------------------
# Checks: a refusal message, or None when the entry may be appended


def _not_enough(before: PotTotals, after: PotTotals) -> str:
    needed = after.exposure - before.exposure
    left = max(before.available, 0)
    return (
        f"There is not enough money in the pot: this needs {format_pence(needed)} "
        f"and only {format_pence(left)} is available"
    )


def _bad_amount(amount: int) -> str | None:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("Ledger amounts are whole pence (int)")
    return MORE_THAN_ZERO if amount <= 0 else None


@dataclass(frozen=True)
class CommitEffect:
    """What committing an amount would do to the pot, in pence."""

    available_before: int
    rise: int
    available_after: int


def max_nightly_rate(available_pence: int, nights: int) -> int:
    """The highest nightly rate (pence) that `nights` new nights can cost with the money
    available (for a placement with no invoice above its commitment)."""
    return max(available_pence, 0) // nights if nights > 0 else 0


def commit_effect(
    entries: Sequence[Entry], pot_pence: int, placement_id: int, amount: int
) -> CommitEffect:
    """The rise in the pot's exposure (what the pot loses) and the money available after
    committing `amount` more to the placement. The rise is less than `amount` when an
    invoice already exceeds the commitment. The SPOC's preview and `check_commit` both use
    it (the preview through `commit_effect_on`, on totals the database added up), so what
    the page promises is what the check allows."""
    return commit_effect_on(
        pot_totals(entries, pot_pence), placement_totals(entries, placement_id), amount
    )


def commit_effect_on(pot: PotTotals, placement: PlacementTotals, amount: int) -> CommitEffect:
    """`commit_effect` from the pot's and the placement's totals: committing more changes
    only that placement's exposure, max(committed + amount, invoiced)."""
    if amount <= 0:
        return CommitEffect(pot.available, 0, pot.available)
    rise = exposure(placement.committed + amount, placement.invoiced) - placement.exposure
    return CommitEffect(pot.available, rise, pot.available - rise)


def check_commit(
    entries: Sequence[Entry], pot_pence: int, placement_id: int, amount: int
) -> str | None:
    """May `amount` more be committed to the placement (approval, extension, added commitment)?

    Refused when it would make `available` negative.
    """
    if refusal := _bad_amount(amount):
        return refusal
    effect = commit_effect(entries, pot_pence, placement_id, amount)
    if effect.available_after < 0:
        return (
            f"There is not enough money in the pot: this needs {format_pence(effect.rise)} "
            f"and only {format_pence(max(effect.available_before, 0))} is available"
        )
    return None


def check_release(entries: Sequence[Entry], placement_id: int, amount: int) -> str | None:
    """May `amount` be released (early move-out, cancellation)? Not more than is committed."""
    if refusal := _bad_amount(amount):
        return refusal
    committed = placement_totals(entries, placement_id).committed
    if amount > committed:
        return (
            f"Cannot release {format_pence(amount)}: only {format_pence(committed)} "
            "is committed for this placement"
        )
    return None


def check_keeps_commitment(
    entries: Sequence[Entry], proposed: Entry, needed_pence: int
) -> str | None:
    """The invariant every release and reversal keeps: a live stay (approved, agreement
    signed, checked in) still holds `needed_pence` committed after `proposed` is appended:
    the nights it has left times its rate (0 once the step ends the stay). Refused only when
    `proposed` takes committed money away, so that a step which gives nothing back (an
    invoice's correction) is never blocked by an older shortfall. Checked before writing, so
    a live stay is never left short of the money its nights were promised, which would free
    pot money still owed and leave a move-out that can never be released."""
    before = placement_totals(entries, proposed.placement_id).committed
    after = placement_totals([*entries, proposed], proposed.placement_id).committed
    if after < before and after < needed_pence:
        return (
            f"This would leave {format_pence(after)} committed for this placement, but the "
            f"nights it has left need {format_pence(needed_pence)}: a stay keeps its money "
            "until it ends"
        )
    return None


def check_invoice(entries: Sequence[Entry], placement_id: int, amount: int) -> str | None:
    """May an invoice of `amount` be recorded? Not if invoiced would exceed committed.

    Such an invoice is refused until the SPOC approves an added commitment (itself a commit
    under `check_commit`), so an invoice never reduces `available` on its own.
    """
    if refusal := _bad_amount(amount):
        return refusal
    totals = placement_totals(entries, placement_id)
    excess = totals.invoiced + amount - totals.committed
    if excess > 0:
        return (
            f"This invoice is more than is committed for this placement: it needs the SPOC "
            f"to approve an added commitment of {format_pence(excess)} first"
        )
    return None


def check_payment(entries: Sequence[Entry], placement_id: int, amount: int) -> str | None:
    """May a payment of `amount` be recorded? Not more than is invoiced and still unpaid."""
    if refusal := _bad_amount(amount):
        return refusal
    unpaid = placement_totals(entries, placement_id).unpaid_invoiced
    if amount > unpaid:
        return (
            f"Cannot pay {format_pence(amount)}: only {format_pence(unpaid)} is invoiced "
            "and unpaid for this placement"
        )
    return None


def check_reversal(entries: Sequence[Entry], entry_id: int, *, pot_pence: int) -> str | None:
    """May the entry `entry_id` be reversed (in full)?

    Refused for an unknown entry, a reversal (correct it by entering the right figure again),
    or an entry already reversed. Then the reversal must leave the ledger as safe as any other
    entry would: reversing a commit cannot take committed below zero (reverse the release
    first); reversing an invoice cannot leave paid above invoiced (reverse the payment first);
    reversing a release raises exposure, so it is refused like a commit when it would make
    `available` negative (hence `pot_pence`, keyword-only so that it cannot be forgotten).
    Reversing a commit or an invoice only lowers exposure; reversing a payment is always safe.
    """
    target = next((e for e in entries if e.id == entry_id), None)
    if target is None:
        return "There is no such ledger entry to reverse"
    if target.kind == REVERSAL:
        return "A reversal cannot itself be reversed: record the right entry again instead"
    if any(e.reverses == entry_id for e in entries):
        return "This entry has already been reversed"
    after_entries = [*entries, reversal_of(target)]
    after = placement_totals(after_entries, target.placement_id)
    if after.committed < 0:
        return "Reverse the release of this commitment first"
    if after.paid > after.invoiced:
        return "Reverse the payment of this invoice first"
    if target.kind == RELEASE:
        before_pot = pot_totals(entries, pot_pence)
        after_pot = pot_totals(after_entries, pot_pence)
        if after_pot.available < 0:
            return _not_enough(before_pot, after_pot)
    return None


# ---------------------------------------------------------------------------
# Nights and early move-out


def nights_between(check_in: date, move_out: date) -> int:
    """Nights stayed: move-out date minus check-in date (a same-day move-out is 0 nights)."""
    nights = (move_out - check_in).days
    if nights < 0:
        raise RuleBroken("The move-out date cannot be before the check-in date", field="move_out")
    return nights


def release_for_early_move_out(approved_nights: int, nights_used: int, rate_pence: int) -> int:
    """What an early move-out gives back: (approved nights - nights used) * nightly rate.

    Nights used above the approved nights mean an extension is missing, not a negative
    release, so that is refused rather than clamped to zero and hidden.
    """
    if approved_nights < 0 or rate_pence < 0:
        raise ValueError("Approved nights and the nightly rate cannot be negative")
    if nights_used < 0:
        raise RuleBroken("The move-out date cannot be before the check-in date", field="move_out")
    if nights_used > approved_nights:
        raise RuleBroken(
            f"The client stayed {nights_used} nights but only {approved_nights} were approved: "
            "the SPOC must approve an extension first",
            field="move_out",
        )
    return (approved_nights - nights_used) * rate_pence
