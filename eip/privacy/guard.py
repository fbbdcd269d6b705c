"""An anonymised case refuses every change: one `before_flush` guard, whichever page, job
or service writes. `eip.privacy.anonymise.anonymise_case` sets `ANONYMISING` on the session
while it writes, so that its own changes pass. Imported by the app factory (through the
privacy blueprint), so the guard is armed in every process."""

from __future__ import annotations

from sqlalchemy import event, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from accommodation.models import Placement, PlacementExtension, ReturnHomeReview
from eip.cases.models import Case, CaseDueItem
from eip.domain import RuleBroken
from eip.formatting import long_date
from eip.notifications.centre import Notification
from eip.workdays import london_date


class CaseAnonymised(RuleBroken):
    """An anonymised case is kept for its figures only: nothing on it may change. A rule
    broken with no field: a step page shows it at the top of the form, and writes nothing."""


def anonymised_reason(case: Case) -> str | None:
    """What a page says to a change on an anonymised case (None: the case is not)."""
    if case.anonymised_at is None:
        return None
    return (
        f"Case {case.reference} was anonymised on {long_date(london_date(case.anonymised_at))}: "
        "its records are kept for the figures only and cannot be changed."
    )


def refuse_if_anonymised(case: Case) -> None:
    reason = anonymised_reason(case)
    if reason is not None:
        raise CaseAnonymised(reason)


# Set while anonymise_case writes, so that the guard below lets its own changes through.
ANONYMISING = "eip.privacy.anonymising"
# Rows written about an anonymised case that are not its data: derived rows, reminders.
_NOT_EDITS = (CaseDueItem, Notification)


def _case_id_of(session: Session, obj: object) -> int | None:
    if isinstance(obj, Case):
        return obj.id
    if isinstance(obj, _NOT_EDITS):
        return None
    case_id = getattr(obj, "case_id", None)
    if case_id is None and isinstance(obj, (PlacementExtension, ReturnHomeReview)):
        placement = obj.placement or session.get(Placement, obj.placement_id)
        case_id = placement.case_id if placement is not None else None
    return case_id if isinstance(case_id, int) else None


@event.listens_for(Session, "before_flush")
def _refuse_edits_to_anonymised_cases(session: Session, _context, _instances) -> None:
    """The one place every edit passes: a change to an anonymised case's row, or a new
    record on it, is refused whichever page or job makes it."""
    if session.info.get(ANONYMISING):
        return
    touched = [
        obj
        for obj in (*session.new, *session.deleted, *session.dirty)
        if obj in session.new or obj in session.deleted or session.is_modified(obj)
    ]
    if not touched:
        return
    case_ids: set[int] = set()
    with session.no_autoflush:
        for obj in touched:
            if isinstance(obj, Case):
                if obj.anonymised_at is not None and obj not in session.new:
                    refuse_if_anonymised(obj)
                continue
            case_id = _case_id_of(session, obj)
            if case_id is not None:
                case_ids.add(case_id)
        # The cases already loaded are read as they are; the rest in one query, not one each.
        loaded = {i: session.identity_map.get(identity_key(Case, i)) for i in case_ids}
        for case in loaded.values():
            if case is not None:
                refuse_if_anonymised(case)
        unloaded = [i for i, case in loaded.items() if case is None]
        if unloaded:
            found = session.scalars(
                select(Case).where(Case.id.in_(unloaded), Case.anonymised_at.is_not(None)).limit(1)
            ).first()
            if found is not None:
                refuse_if_anonymised(found)
