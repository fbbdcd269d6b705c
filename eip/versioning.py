"""The one kit for versioned records (the referral details, a consultation, a consent, an
onward referral, the scenario plan, a placement): the check of the version the user's page
showed, moving the version when only a related row changed, and the one commit that turns a
save beaten by someone else's into a `Conflict`, nothing saved.

Each record has its own version, so editing one record never conflicts with a change to
another record of the same case. A versioned model has SQLAlchemy's `version_id_col` and
names, as `bump_column`, the column `bump` marks changed (flagging the version column itself
would write the same number back); the referral details, which live on the case row, have
their own counter (`Case.referral_version`, `check_version(..., attr=...)`). A form editing a
record that may not exist yet (the scenario plan, a person's consent for a purpose, the
booking) carries `seen_token`: `new` or `id.version`. The case's own `version` is checked by
no form: it only makes two writes racing on the case row one save and one Conflict.
The user is told the record's name, what was last done to it and by whom (from the audit
trail: an action and a colleague's name, never a value), and the refusal carries the
record's current version, so that the page can show the form again with what was typed and
let the user save it once they have checked it (eip/steps.show_conflict).
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from eip.audit import AuditEvent
from eip.domain import Conflict, DomainError
from eip.formatting import london_datetime


class Versioned(Protocol):
    version: int
    bump_column: str


class StaleRecord(Conflict):
    """Someone else saved the record first. `version` is its version now (None when not
    known), which a form may carry so that the user's checked resubmission is saved."""

    def __init__(self, message: str, version: int | str | None = None) -> None:
        super().__init__(message)
        self.version = version


def conflict_message(noun: str, change: str = "", *, kept: bool = False) -> str:
    """The refusal. `kept`: the page shows the form again with what was typed and the
    current version, so saving it again (after checking) is what the user should do."""
    what = f": {change}" if change else ""
    then = (
        "What you typed is kept below: check it against their change and save again."
        if kept
        else f"Reload the {noun} and try again."
    )
    return f"Someone else changed this {noun} while you were working on it{what}. " + (
        f"Your change was not saved. {then}"
    )


# What the user is told was done, by the audit action's name; other actions are named by
# their own words ("consultation recorded").
_CHANGES = {
    "case.updated": "the referral details were changed",
    "case.acknowledged": "the referral was acknowledged",
    "placement.requested": "the request was changed",
}
# Looking is not changing, and neither is adding a record beside the case (they leave its
# version alone: eip/cases/activity_services.py, dash_services.py).
_NOT_CHANGES = (
    "case.viewed",
    "case.partner_viewed",
    "case.session_recorded",
    "case.meeting_recorded",
    "case.incident_recorded",
    "case.dash_recorded",
    "case.action_added",
    "case.action_completed",
    "case.action_not_needed",
)


def _noun(record: object) -> str:
    kind = record if isinstance(record, type) else type(record)
    return getattr(kind, "record_noun", kind.__name__.lower())


def _change_events(record: object, actions: tuple[str, ...] | None):
    """The audit events that may have changed the record, newest first. A case record
    (it names `change_actions`) is audited on its case, with its id in the details."""
    session = object_session(record)
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    own = getattr(record, "change_actions", ())
    if own:
        query = query.where(
            AuditEvent.object_type == "case",
            AuditEvent.object_id == str(record.case_id),
            AuditEvent.action.in_(actions or own),
        )
    else:
        query = query.where(
            AuditEvent.object_type == type(record).__name__.lower(),
            AuditEvent.object_id == str(record.id),
        )
        query = query.where(
            AuditEvent.action.in_(actions) if actions else AuditEvent.action.not_in(_NOT_CHANGES)
        )
    for event in session.scalars(query.limit(50)):
        details = event.details or {}
        if not own or details.get("record") in (None, record.id):
            return event
    return None


def last_change(record: Versioned, actions: tuple[str, ...] | None = None) -> str:
    """`the referral details were changed by Tom Reilly on 6 December 2026, 2:05pm`, from
    the newest audit event on the record that changed it ("" when there is none).
    `actions`: only these count (the referral details are changed by `case.updated` alone)."""
    if object_session(record) is None or getattr(record, "id", None) is None:
        return ""
    event = _change_events(record, actions)
    if event is None:
        return ""
    what = _CHANGES.get(event.action) or event.action.partition(".")[2].replace("_", " ")
    who = event.actor.name if event.actor is not None else (event.actor_label or "the system")
    return f"{what} by {who} on {london_datetime(event.at)}"


def conflict(
    record: Versioned | type,
    *,
    attr: str = "version",
    actions: tuple[str, ...] | None = None,
    noun: str | None = None,
) -> Conflict:
    if isinstance(record, type):
        return StaleRecord(conflict_message(noun or _noun(record)))
    change = last_change(record, actions)
    return StaleRecord(
        conflict_message(noun or _noun(record), change, kept=True), getattr(record, attr)
    )


def check_version(
    record: Versioned,
    version: int | str | None,
    *,
    attr: str = "version",
    actions: tuple[str, ...] | None = None,
    noun: str | None = None,
) -> None:
    """Refuse a save made from a page showing an older version of the record (a missing or
    garbled version counts as older). `attr` names the counter when it is not `version`
    (the referral details' `referral_version` on the case row)."""
    try:
        seen = int(version) if version not in (None, "") else None
    except (TypeError, ValueError):
        seen = None
    if seen is None or seen != getattr(record, attr):
        raise conflict(record, attr=attr, actions=actions, noun=noun)


NO_RECORD = "new"


def seen_token(record: Versioned | None) -> str:
    """What a form carries when the record it edits may not exist yet (the scenario plan,
    a person's consent for a purpose, the consultation booking): `new`, or `id.version`."""
    return NO_RECORD if record is None else f"{record.id}.{record.version}"


def check_seen(current: Versioned | None, seen: str | None, kind: type) -> None:
    """Refuse a save made from a page that showed another record, or another version of it,
    than the one in force now (one written meanwhile, or changed meanwhile)."""
    if (seen or "").strip() == seen_token(current):
        return
    if current is None:
        raise StaleRecord(conflict_message(_noun(kind), kept=True), NO_RECORD)
    raise StaleRecord(
        conflict_message(_noun(current), last_change(current), kept=True), seen_token(current)
    )


def bump(record: Versioned) -> None:
    """Move the record's version when only a related row changed, so that a second save
    from the same page is told, not applied twice."""
    flag_modified(record, record.bump_column)


def commit_or_conflict(
    session: Session, record: Versioned | type, *, duplicate: DomainError | None = None
) -> None:
    """The step's one commit. A concurrent save that got in between our read and our write
    moved the version: roll back and refuse with the conflict message. `duplicate` is what
    a unique index's refusal means to this step (without it, the IntegrityError rises)."""
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        # Read after the rollback: the record as the other save left it.
        raise conflict(record) from None
    except IntegrityError:
        session.rollback()
        if duplicate is None:
            raise
        raise duplicate from None
