"""What every step of the stay shares: loading the placement inside the transaction
(the pot transaction for a money step), the one commit, auditing by field name, and the date
checks. The check of the placement's version is `placements.common.check_placement_version`."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from datetime import date

from sqlalchemy.orm import Session

from accommodation import store
from accommodation.models import Placement
from accommodation.placements.common import audit_placement
from eip.auth.models import User
from eip.clock import today
from eip.domain import NotAllowed
from eip.policy import can
from eip.problems import Problems
from eip.versioning import commit_or_conflict, conflict
from eip.workdays import london_date

MANAGE = "placement.manage"


def load(session: Session, user: User, placement_id: int) -> Placement:
    """The placement re-read inside this transaction, if the user may run its stay."""
    placement = store.lock_placement(session, placement_id)
    if not can(user, MANAGE, placement):
        raise NotAllowed("You may not change this placement")
    return placement


def money_step(
    session: Session, user: User, placement_id: int, version: int | str | None
) -> AbstractContextManager[store.PotTransaction]:
    """A stay step that moves money: the pot transaction (store.py), for a user who may run
    the stay, from a page showing the placement's current version."""
    return store.pot_transaction(
        session,
        placement_id,
        user=user,
        action=MANAGE,
        version=version,
        duplicate=conflict(Placement),
    )


def commit(session: Session) -> None:
    # A unique index refusing means someone else's save of this placement's one review
    # got in first: the same conflict as a moved version.
    commit_or_conflict(session, Placement, duplicate=conflict(Placement))


def audit(
    session: Session, user: User, placement: Placement, action: str, fields: Iterable[str], **more
) -> None:
    """Field NAMES only: the values (dates, free text, the review's judgement) stay out."""
    audit_placement(session, user, placement, action, {"fields": sorted(set(fields)), **more})


def past_date(
    problems: Problems,
    field: str,
    value: date | None,
    label: str,
    *,
    required: str,
    not_before: date | None = None,
    before_message: str = "",
) -> None:
    """A date that happened: given, not in the future, not before `not_before`."""
    if value is None:
        problems.add(field, required)
    elif value > today():
        problems.add(field, f"{label} cannot be in the future")
    elif not_before is not None and value < not_before:
        problems.add(field, before_message)


def approved_on(placement: Placement) -> date | None:
    """The London date of the SPOC's approval."""
    return london_date(placement.decided_at) if placement.decided_at else None


def planned_move_out(placement: Placement) -> date:
    """The morning after the last approved night (only asked of an approved placement)."""
    move_out = placement.planned_move_out_on
    if move_out is None:
        raise ValueError("An approved placement has its approved nights")
    return move_out
