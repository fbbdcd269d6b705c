"""The SPOC's added commitments: more money committed to an approved placement, so that an
invoice above what was committed can be recorded; and taking one back when it is no longer
needed (the invoice it was for was lower, or reversed).

Both follow `accommodation.store`'s order: lock the pot, re-read the placement, check, then
write the ledger entry and the audit event in one commit; a refusal is raised before anything
is written.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from accommodation import ledger, store
from accommodation.models import LedgerEntry, Placement
from accommodation.placements.common import (
    audit_placement,
    check_placement_version,
    load_placement,
    touch,
)
from accommodation.placements.decision_services import DECIDE, limited_text, require_money
from accommodation.placements.request_services import TEXT_MAX
from eip.auth.models import User
from eip.clock import today
from eip.domain import NotFound, RuleBroken
from eip.formatting import format_pence
from eip.problems import Problems

NOT_APPROVED = "Only a placement the SPOC approved can have an added commitment"


def add_commitment(
    session: Session,
    user: User,
    placement_id: int,
    *,
    amount_pence: int | None,
    reason: str | None,
    version: int | str | None,
) -> Placement:
    """Commit more money to an approved placement, so that an invoice above what was
    committed can be recorded. The same money check as an approval."""
    placement = load_placement(session, user, placement_id, DECIDE)
    check_placement_version(placement, version)
    problems = Problems()
    text = limited_text(problems, "reason", reason, "Enter why more money is needed", TEXT_MAX)
    if amount_pence is None:
        problems.add("amount", "Enter the amount")
    elif isinstance(amount_pence, bool) or not isinstance(amount_pence, int) or amount_pence <= 0:
        problems.add("amount", ledger.MORE_THAN_ZERO)
    problems.raise_any()

    with store.pot_transaction(session, placement_id, user=user, version=version) as tx:
        settings, placement = tx.settings, tx.placement
        if placement.nightly_rate_pence is None:
            raise RuleBroken(NOT_APPROVED)
        require_money(session, settings.pot_pence, placement, amount_pence)
        entry = tx.append(ledger.COMMIT, amount_pence, effective_on=today(), reason=text)
        touch(placement)
        audit_placement(
            session, user, placement, "placement.commitment_added", {"ledger_entry": entry.id}
        )
    return placement


def added_commitment_refusal(
    session: Session, placement: Placement, entry: LedgerEntry, pot_pence: int
) -> str | None:
    """Why the SPOC cannot reverse this entry now, or None. Only an added commitment (not
    the approval's, not an extension's) and only while the placement keeps committed at
    least what is invoiced and, for a live stay, its remaining nights times its rate."""
    entries = store.entries(session)
    approval_id = next(
        (e.id for e in entries if e.kind == ledger.COMMIT and e.placement_id == placement.id),
        None,
    )
    if (
        entry.kind != ledger.COMMIT
        or entry.placement_id != placement.id
        or entry.extension_id is not None
        or entry.id == approval_id
    ):
        return (
            "Only an added commitment can be reversed here: the approval and extensions are "
            "given back by a cancellation or a move-out"
        )
    refusal = ledger.check_reversal(entries, entry.id, pot_pence=pot_pence)
    if refusal:
        return refusal
    target = ledger.Entry(entry.kind, entry.placement_id, entry.amount_pence, id=entry.id)
    reversal = ledger.reversal_of(target)
    after = ledger.placement_totals([*entries, reversal], placement.id)
    if after.committed < after.invoiced:
        return (
            f"This would leave {format_pence(after.committed)} committed for this placement, "
            f"less than the {format_pence(after.invoiced)} already invoiced"
        )
    return store.commitment_refusal(entries, placement, reversal, on=today())


def reverse_added_commitment(
    session: Session,
    user: User,
    entry_id: int,
    *,
    reason: str | None,
    version: int | str | None,
) -> LedgerEntry:
    """The SPOC takes back an added commitment no longer needed (the invoice it was for was
    lower, or reversed), with a reason; the commitment stays on the ledger beside it."""
    entry = session.get(LedgerEntry, entry_id)
    if entry is None:
        raise NotFound("No ledger entry has that number")
    placement = load_placement(session, user, entry.placement_id, DECIDE)
    check_placement_version(placement, version)
    problems = Problems()
    text = limited_text(
        problems, "reason", reason, "Enter why the commitment is reversed", TEXT_MAX
    )
    problems.raise_any()

    with store.pot_transaction(session, placement.id, user=user, version=version) as tx:
        settings, placement = tx.settings, tx.placement
        entry = session.get(LedgerEntry, entry_id, populate_existing=True)
        refusal = added_commitment_refusal(session, placement, entry, settings.pot_pence)
        if refusal:
            raise RuleBroken(refusal)
        reversal = tx.reverse(entry, reason=text, on=today())
        touch(placement)
        audit_placement(
            session,
            user,
            placement,
            "placement.commitment_reversed",
            {"ledger_entry": entry.id, "reversal": reversal.id},
        )
    return reversal
