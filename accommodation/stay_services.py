"""The stay after the SPOC's approval: the signed agreement, check-in, the return-home
review, the move-out (early, with a release, or at term) and cancellation before check-in.

Each step asks `accommodation.rules` whether it may happen now, so an out-of-order step is
refused with the state machine's reason. The steps that move money (move-out and
cancellation) follow `accommodation.store`'s order: lock the pot, re-read the placement,
read the ledger, check, then write the placement, the ledger entry and the audit event in
one commit. Every refusal is raised before anything is written, so a failed step leaves the
ledger exactly as it was (the view rolls the transaction back).

The form carries the placement's version: a save made from a page that showed an older
placement is refused (409), and two saves racing are caught by SQLAlchemy's version counter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from accommodation import ledger, rules, store
from accommodation.models import Placement, ReturnHomeReview
from accommodation.stay_common import (
    approved_on,
    audit,
    check_version,
    commit,
    load,
    past_date,
    planned_move_out,
)
from eip.auth.models import User
from eip.cases.common import today
from eip.cases.progress_support import Problems
from eip.domain import RuleBroken
from eip.programme import current_settings
from eip.templating import long_date

EARLY_MOVE_OUT = "Early move-out: nights approved but not used"
CANCELLED = "Cancelled before check-in: the whole commitment"
REVIEW_FIELDS = (
    "reviewed_on",
    "children_risks_reviewed",
    "adults_risks_reviewed",
    "return_safe",
    "support_package",
    "protective_steps",
)


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
    check_version(placement, version)
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


def programme_end_refusal(placement: Placement, start: date, programme_end: date) -> str | None:
    """Why the approved nights from `start` would run past the programme end, or None."""
    nights = placement.approved_nights or 0
    move_out = start + timedelta(days=nights)
    if move_out <= programme_end:
        return None
    return (
        f"The programme ends on {long_date(programme_end)}, but {nights} approved nights "
        f"from {long_date(start)} would run until {long_date(move_out)}. No one can approve "
        "nights past the programme end, not even the SPOC: cancel this placement and request "
        "fewer nights"
    )


def check_in(
    session: Session,
    user: User,
    placement_id: int,
    *,
    checked_in_on: date | None,
    version: int | str | None,
) -> Placement:
    """Record the date the client actually arrived; the approved nights run from it."""
    placement = load(session, user, placement_id)
    check_version(placement, version)
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
    if not problems.errors and checked_in_on is not None:
        programme_end = current_settings(session).programme_end_date
        refusal = programme_end_refusal(placement, checked_in_on, programme_end)
        if refusal:
            problems.add("checked_in_on", refusal)
    problems.raise_any()

    placement.state = target
    placement.checked_in_on = checked_in_on
    audit(session, user, placement, "placement.checked_in", ["state", "checked_in_on"])
    commit(session)
    return placement


# ---------------------------------------------------------------------------
# The end of the stay


@dataclass(frozen=True)
class Ended:
    placement: Placement
    released_pence: int


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
    placement = load(session, user, placement_id, money=True)
    check_version(placement, version)
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
            refusal = ledger.check_release(store.entries(session), placement.id, released)
            if refusal:
                raise RuleBroken(refusal)
            entry = store.append(
                session,
                user,
                ledger.RELEASE,
                placement,
                released,
                effective_on=moved_out_on,
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
    commit(session)
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
    placement = load(session, user, placement_id, money=True)
    check_version(placement, version)
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

    entries = store.entries(session)
    committed = ledger.placement_totals(entries, placement.id).committed
    entry_ids: list[int] = []
    if committed > 0:
        refusal = ledger.check_release(entries, placement.id, committed)
        if refusal:
            raise RuleBroken(refusal)
        entry = store.append(
            session,
            user,
            ledger.RELEASE,
            placement,
            committed,
            effective_on=cancelled_on,
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
    commit(session)
    return Ended(placement, max(committed, 0))


# ---------------------------------------------------------------------------
# The return-home review


def review_refusal(placement: Placement) -> str | None:
    """Why a return-home review cannot be recorded on this placement now, or None."""
    if placement.return_home_review is not None:
        return "The return-home review has already been recorded for this placement"
    if placement.state == "checked_in":
        return None
    if placement.state in {"requested", "approved", "agreement_signed"}:
        return "The return-home review is recorded once the client has checked in"
    return rules.refusal_reason(placement.state, "end_at_term")


def record_return_home_review(
    session: Session,
    user: User,
    placement_id: int,
    *,
    reviewed_on: date | None,
    children_risks_reviewed: bool,
    adults_risks_reviewed: bool,
    return_safe: bool | None,
    support_package: str | None,
    protective_steps: str | None,
    version: int | str | None,
) -> ReturnHomeReview:
    """Before the stay ends: the risks to the children and to the adults reviewed, and the
    support package agreed or, when going home is unsafe, the protective steps taken."""
    placement = load(session, user, placement_id)
    check_version(placement, version)
    refusal = review_refusal(placement)
    if refusal:
        raise RuleBroken(refusal)
    problems = Problems()
    past_date(
        problems,
        "reviewed_on",
        reviewed_on,
        "The date of the review",
        required="Enter the date of the return-home review",
        not_before=placement.checked_in_on,
        before_message="The review cannot be before the client checked in "
        f"({long_date(placement.checked_in_on)})",
    )
    if not children_risks_reviewed:
        problems.add(
            "children_risks_reviewed", "Confirm that the risks to the children have been reviewed"
        )
    if not adults_risks_reviewed:
        problems.add(
            "adults_risks_reviewed", "Confirm that the risks to the adults have been reviewed"
        )
    support = (support_package or "").strip() or None
    steps = (protective_steps or "").strip() or None
    if return_safe is None:
        problems.add("return_safe", "Select whether it is safe for the client to return home")
    elif return_safe and support is None:
        problems.add("support_package", "Enter the support package agreed for the return home")
    elif not return_safe and steps is None:
        problems.add(
            "protective_steps", "Enter the protective steps taken, as returning home is unsafe"
        )
    problems.raise_any()

    review = ReturnHomeReview(
        placement_id=placement.id,
        reviewed_on=reviewed_on,
        children_risks_reviewed=True,
        adults_risks_reviewed=True,
        return_safe=return_safe,
        support_package=support,
        protective_steps=steps,
        recorded_by_id=user.id,
    )
    session.add(review)
    # The review is part of the placement's state: move its version so that a stale
    # move-out form, or a second review typed at the same time, is refused.
    flag_modified(placement, "state")
    given = {"support_package": support, "protective_steps": steps}
    fields = [name for name in REVIEW_FIELDS if given.get(name, True)]
    audit(session, user, placement, "placement.return_home_review_recorded", fields)
    commit(session)
    return review
