"""The one kit for versioned records (a case, a placement): the check of the version the
user's page showed, moving the version when only a related row changed, and the one commit
that turns a save beaten by someone else's into a `Conflict`, nothing saved.

A versioned model has SQLAlchemy's `version_id_col` and names, as `bump_column`, the column
`bump` marks changed (flagging the version column itself would write the same number back).
The user is told the record's name (its class name in lower case), never its contents.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from eip.domain import Conflict, DomainError


class Versioned(Protocol):
    version: int
    bump_column: str


def conflict_message(noun: str) -> str:
    return (
        f"Someone else changed this {noun} while you were working on it. "
        f"Your change was not saved: reload the {noun} and try again."
    )


def conflict(record: Versioned | type) -> Conflict:
    cls = record if isinstance(record, type) else type(record)
    return Conflict(conflict_message(cls.__name__.lower()))


def check_version(record: Versioned, version: int | str | None) -> None:
    """Refuse a save made from a page showing an older version of the record (a missing or
    garbled version counts as older)."""
    try:
        seen = int(version) if version not in (None, "") else None
    except (TypeError, ValueError):
        seen = None
    if seen is None or seen != record.version:
        raise conflict(record)


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
        raise conflict(record) from None
    except IntegrityError:
        session.rollback()
        if duplicate is None:
            raise
        raise duplicate from None
