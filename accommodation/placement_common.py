"""What the placement services share: loading a placement through the policy, the check of
the version the user's page showed, moving that version when only a related row changed, the
one commit, and the audit event of a step (field names and ids, never values)."""

from __future__ import annotations

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from accommodation.models import Placement
from eip.access import can
from eip.audit import record
from eip.auth.models import User
from eip.domain import Conflict, NotAllowed, NotFound

PLACEMENT_CONFLICT = (
    "Someone else changed this placement while you were working on it. "
    "Your change was not saved: reload the placement and try again."
)


def load_placement(session: Session, user: User, placement_id: int, action: str) -> Placement:
    """The placement, if this user may do `action` to it (refusals are audited by the view)."""
    placement = session.get(Placement, placement_id)
    if placement is None:
        raise NotFound("No placement has that number")
    if not can(user, action, placement):
        raise NotAllowed("You may not do this to this placement")
    return placement


def check_placement_version(placement: Placement, version: int | str | None) -> None:
    """Refuse a save made from a page showing an older version of the placement."""
    try:
        seen = int(version) if version not in (None, "") else None
    except (TypeError, ValueError):
        seen = None
    if seen is None or seen != placement.version:
        raise Conflict(PLACEMENT_CONFLICT)


def touch(placement: Placement) -> None:
    """Move the placement's version when only a related row changed (an extension, a
    ledger entry), so that a second save from the same page is told, not applied twice."""
    flag_modified(placement, "state")


def commit_placement(session: Session) -> None:
    """The one commit; a concurrent save that got in first means a conflict, nothing saved."""
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        raise Conflict(PLACEMENT_CONFLICT) from None


def audit_placement(
    session: Session, user: User, placement: Placement, action: str, details: dict | None
) -> None:
    """A step's audit event on the placement, under the case's reference. `details` holds
    field names, ids and amounts only: no free text, no personal values."""
    record(
        session,
        action,
        actor=user,
        object_type="placement",
        object_id=placement.id,
        case_reference=placement.case.reference,
        details=details,
    )
