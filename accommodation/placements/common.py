"""What the placement services share: loading a placement through the policy, the check of
the version the user's page showed, moving that version when only a related row changed, the
one commit, and the audit event of a step (field names and ids, never values)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from accommodation.models import Placement
from eip.audit import record
from eip.auth.models import User
from eip.domain import NotAllowed, NotFound
from eip.policy import can
from eip.versioning import bump, check_version, commit_or_conflict, conflict_message

PLACEMENT_CONFLICT = conflict_message("placement")


def load_placement(session: Session, user: User, placement_id: int, action: str) -> Placement:
    """The placement, if this user may do `action` to it (refusals are audited by the view)."""
    placement = session.get(Placement, placement_id)
    if placement is None:
        raise NotFound("No placement has that number")
    if not can(user, action, placement):
        raise NotAllowed("You may not do this to this placement")
    return placement


# The version check, `touch` (bump) and the one commit are eip/versioning's.
check_placement_version = check_version
touch = bump


def commit_placement(session: Session) -> None:
    """The one commit; a concurrent save that got in first means a conflict, nothing saved."""
    commit_or_conflict(session, Placement)


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
