"""The stay after the SPOC's approval: the signed agreement, check-in, the move-out (early,
with a release, or at term) and cancellation before check-in. The return-home review, which
the move-out needs first, is `accommodation.stay.review`'.

Each step asks `accommodation.rules` whether it may happen now, so an out-of-order step is
refused with the state machine's reason. The steps that move money (check-in, move-out and
cancellation) run inside `accommodation.store.pot_transaction`: lock the pot, re-read the
placement, read the ledger, check, then write the placement, the ledger entry and the audit
event in one commit. Every refusal is raised before anything is written, so a failed step leaves the
ledger exactly as it was (the view rolls the transaction back).

The form carries the placement's version: a save made from a page that showed an older
placement is refused (409), and two saves racing are caught by SQLAlchemy's version counter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from accommodation import ledger, rules, store
from accommodation.models import LedgerEntry, Placement
from accommodation.placements.common import check_placement_version
from accommodation.stay.common import (
    approved_on,
    audit,
    commit,
    load,
    money_step,
    past_date,
    planned_move_out,
)
from eip.auth.models import User
from eip.clock import today
from eip.domain import RuleBroken
from eip.formatting import long_date
from eip.problems import Problems
from eip.programme import current_settings

EARLY_MOVE_OUT = "Early move-out: nights approved but not used"
CANCELLED = "Cancelled before check-in: the whole commitment"
SHORTENED_TO_PROGRAMME_END = "Checked in late: nights past the programme end"


# ---------------------------------------------------------------------------
# Agreement and check-in


def sign_agreement(
    session: Session,
    user: User,
    placement_id: int,
    *,
    signed_on: date | None,
    version: int | str | None,
) -> Placement:
    """Record the date the client signed the accommodation agreement (before check-in)."""
    placement = load(session, user, placement_id)
    check_placement_version(placement, version)
    target = rules.next_state(placement.state, "sign_agreement")
    problems = Problems()
    approval = approved_on(placement)
    past_date(
        problems,
        "signed_on",
        signed_on,
        "The date the agreement was signed",
        required="Enter the date the client signed the agreement",
        not_before=approval,
        before_message=(
            "The agreement cannot be signed before the SPOC approved the placement "
            f"({long_date(approval)})"
        ),
    )
    problems.raise_any()

    placement.state = target
    placement.agreement_signed_on = signed_on
    audit(session, user, placement, "placement.agreement_signed", ["state", "agreement_signed_on"])
    commit(session)
    return placement


@dataclass(frozen=True)
class CheckedIn:
    placement: Placement
    # Set when the approved nights from the actual check-in would have run past the
    # programme end: the nights first approved, and the money given back for the rest.
    shortened_from: int | None = None
    released_pence: int = 0


def _shorten_to_programme_end(
    tx: store.PotTransaction, checked_in_on: date, programme_end: date
) -> tuple[int | None, int]:
    """Shorten the approved nights of a late check-in so the stay ends on the programme end,
    and release the nights cut off. The client has arrived, a fact that must be recordable,
    but no night can be paid past the programme end: so the stay is fitted to it rather than
    refused (which would leave only cancelling a stay that began). Runs under the pot lock."""
    placement = tx.placement
    approved = placement.approved_nights or 0
    allowed = (programme_end - checked_in_on).days
    if allowed >= approved:
        return None, 0
    if allowed < 1:
        raise RuleBroken(
            f"The programme ends on {long_date(programme_end)}: no night can be paid from "
            f"{long_date(checked_in_on)}, so cancel this placement instead",
            field="checked_in_on",
        )
    released = (approved - allowed) * (placement.nightly_rate_pence or 0)
    entries = tx.entries()
    refusal = ledger.check_release(entries, placement.id, released)
    proposed = ledger.Entry(ledger.RELEASE, placement.id, released)
    refusal = refusal or store.commitment_refusal(
        entries,
        placement,
        proposed,
        on=today(),
        state="checked_in",
        approved_nights=allowed,
        checked_in_on=checked_in_on,
    )
    if refusal:
        raise RuleBroken(refusal, field="checked_in_on")
    placement.approved_nights = allowed
    tx.append(
        ledger.RELEASE, released, effective_on=checked_in_on, reason=SHORTENED_TO_PROGRAMME_END
    )
    return approved, released


def check_in(
    session: Session,
    user: User,
    placement_id: int,
    *,
    checked_in_on: date | None,
    version: int | str | None,
) -> CheckedIn:
    """Record the date the client actually arrived; the approved nights run from it. When
    they would run past the programme end, they are shortened to end on it and the nights
    cut off are released (so this step takes the pot lock)."""
    with money_step(session, user, placement_id, version) as tx:
        return _check_in(tx, checked_in_on)


def _check_in(tx: store.PotTransaction, checked_in_on: date | None) -> CheckedIn:
    session, user, placement = tx.session, tx.user, tx.placement
    target = rules.next_state(placement.state, "check_in")
    problems = Problems()
    signed = placement.agreement_signed_on
    past_date(
        problems,
        "checked_in_on",
        checked_in_on,
        "The check-in date",
        required="Enter the date the client checked in",
        not_before=signed,
        before_message=(
            "The check-in date cannot be before the client signed the agreement "
            f"({long_date(signed)})"
        ),
    )
    problems.raise_any()
    assert checked_in_on is not None

    programme_end = current_settings(session).programme_end_date
    shortened_from, released = _shorten_to_programme_end(tx, checked_in_on, programme_end)
    placement.state = target
    placement.checked_in_on = checked_in_on
    fields = ["state", "checked_in_on"]
    more = {}
    if shortened_from is not None:
        fields.append("approved_nights")
        more["released_pence"] = released
    audit(session, user, placement, "placement.checked_in", fields, **more)
    return CheckedIn(placement, shortened_from, released)


# ---------------------------------------------------------------------------
# The end of the stay


@dataclass(frozen=True)
class Ended:
    placement: Placement
    released_pence: int


def _release(
    tx: store.PotTransaction,
    amount: int,
    state: str,
    *,
    entries: list[ledger.Entry],
    on: date,
    reason: str,
) -> LedgerEntry:
    """Give `amount` of the placement's commitment back to the pot, dated `on`: refused when
    the ledger (`entries`, read under the pot lock) does not hold it, or when the placement,
    once in `state`, would keep less than its remaining nights need."""
    placement = tx.placement
    refusal = ledger.check_release(entries, placement.id, amount) or store.commitment_refusal(
        entries,
        placement,
        ledger.Entry(ledger.RELEASE, placement.id, amount),
        on=today(),
        state=state,
    )
    if refusal:
        raise RuleBroken(refusal)
    return tx.append(ledger.RELEASE, amount, effective_on=on, reason=reason)


def _move_out_problems(placement: Placement, moved_out_on: date | None) -> None:
    problems = Problems()
    field = "moved_out_on"
    checked_in_on = placement.checked_in_on
    planned = planned_move_out(placement)
    if moved_out_on is None:
        problems.add(field, "Enter the date the client moved out")
    elif checked_in_on is not None and moved_out_on < checked_in_on:
        problems.add(field, "The move-out date cannot be before the check-in date")
    elif moved_out_on > today():
        problems.add(field, "The move-out date cannot be in the future")
    elif moved_out_on > planned:
        problems.add(
            field,
            f"The approved nights end on {long_date(planned)}: the SPOC must approve an "
            "extension before a later move-out can be recorded",
        )
    problems.raise_any()


def move_out(
    session: Session,
    user: User,
    placement_id: int,
    *,
    moved_out_on: date | None,
    version: int | str | None,
) -> Ended:
    """End the stay. Before the planned move-out it ends early and releases the nights not
    used, `(approved nights - nights used) x rate`; on the planned date it ends at term and
    releases nothing. Either way the return-home review must be recorded first."""
    with money_step(session, user, placement_id, version) as tx:
        return _move_out(tx, moved_out_on)


def _move_out(tx: store.PotTransaction, moved_out_on: date | None) -> Ended:
    session, user, placement = tx.session, tx.user, tx.placement
    review_done = placement.return_home_review is not None
    # Both endings share their refusals (not checked in; no review), so ask before the date.
    rules.next_state(placement.state, "end_at_term", return_home_review_done=review_done)
    _move_out_problems(placement, moved_out_on)
    assert moved_out_on is not None and placement.checked_in_on is not None

    early = moved_out_on < planned_move_out(placement)
    action = "move_out_early" if early else "end_at_term"
    target = rules.next_state(placement.state, action, return_home_review_done=review_done)
    released = 0
    entry_ids: list[int] = []
    if early:
        used = ledger.nights_between(placement.checked_in_on, moved_out_on)
        released = ledger.release_for_early_move_out(
            placement.approved_nights or 0, used, placement.nightly_rate_pence or 0
        )
        if released > 0:
            entry = _release(
                tx,
                released,
                target,
                entries=tx.entries(),
                on=moved_out_on,
                reason=EARLY_MOVE_OUT,
            )
            entry_ids.append(entry.id)

    placement.state = target
    placement.moved_out_on = moved_out_on
    placement.ended_early = early
    audit(
        session,
        user,
        placement,
        "placement.moved_out",
        ["state", "moved_out_on", "ended_early"],
        ledger_entries=entry_ids,
    )
    return Ended(placement, released)


def cancel(
    session: Session,
    user: User,
    placement_id: int,
    *,
    cancelled_on: date | None,
    reason: str | None,
    version: int | str | None,
) -> Ended:
    """Cancel an approved placement before check-in: release everything still committed."""
    with money_step(session, user, placement_id, version) as tx:
        return _cancel(tx, cancelled_on, reason)


def _cancel(tx: store.PotTransaction, cancelled_on: date | None, reason: str | None) -> Ended:
    session, user, placement = tx.session, tx.user, tx.placement
    target = rules.next_state(placement.state, "cancel")
    problems = Problems()
    approval = approved_on(placement)
    past_date(
        problems,
        "cancelled_on",
        cancelled_on,
        "The date of the cancellation",
        required="Enter the date the placement was cancelled",
        not_before=approval,
        before_message=(
            f"The placement cannot be cancelled before the SPOC approved it ({long_date(approval)})"
        ),
    )
    why = problems.text("reason", reason, "Enter why the placement was cancelled")
    problems.raise_any()
    assert cancelled_on is not None

    entries = tx.entries()
    committed = ledger.placement_totals(entries, placement.id).committed
    entry_ids: list[int] = []
    if committed > 0:
        entry = _release(
            tx,
            committed,
            target,
            entries=entries,
            on=cancelled_on,
            reason=CANCELLED,
        )
        entry_ids.append(entry.id)

    placement.state = target
    placement.cancelled_on = cancelled_on
    placement.cancel_reason = why
    audit(
        session,
        user,
        placement,
        "placement.cancelled",
        ["state", "cancelled_on", "cancel_reason"],
        ledger_entries=entry_ids,
    )
    return Ended(placement, max(committed, 0))
