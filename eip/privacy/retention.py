"""Which closed cases are past retention on a day, and the nightly purge of what needs no
review (eip.privacy.rules has the rule itself).

The due list is one SQL query over the closed cases' index range (`ix_cases_closed_at_id`):
the children rule is a CASE over each child's recorded age, compared with cut-offs worked
out here for the day, so the database never does calendar arithmetic (the same on SQLite
and PostgreSQL) and a page is bounded however many cases there are.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    delete,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session

from eip.admin.models import ProgrammeSettings
from eip.cases.models import Case
from eip.cases.records import Child
from eip.privacy import rules
from eip.privacy.retention_models import AuditPurge, RetentionHold
from eip.programme import current_settings
from eip.workdays import LONDON, london_date

CLOSED_STATUSES = ("closed", "not_accepted")
PAGE_SIZE = 50


def recorded_by(day: date) -> datetime:
    """The UTC instant after which a record is no longer "recorded on or before `day`"
    (London days)."""
    return datetime.combine(rules.day_after(day), time.min, tzinfo=LONDON).astimezone(UTC)


def _cutoff(day: date, years: int) -> datetime:
    """Records dated (London) up to `years` before `day` are past a `years` rule."""
    return recorded_by(rules.sub_years(day, years))


def _child_still_held(day: date, extra: int) -> ColumnElement[bool]:
    """A child (of known age, not flagged) whose 18th birthday plus `extra` years has not
    come by `day`: its case is not due yet."""
    whens = [
        (Child.age_years == age, _cutoff(day, rules.years_held_after_recording(age, extra)))
        for age in range(0, rules.ADULT)
    ]
    whens.append((Child.age_years >= rules.ADULT, _cutoff(day, extra)))
    whens += [
        (
            and_(Child.age_years.is_(None), Child.age_band == band),
            _cutoff(day, rules.years_held_after_recording(youngest, extra)),
        )
        for band, youngest in rules.BAND_YOUNGEST.items()
    ]
    # A child of unknown age gives NULL here: never "held", but the case goes to review.
    return and_(Child.needs_review.is_(False), Child.created_at >= case(*whens, else_=None))


def _child_unknown() -> ColumnElement[bool]:
    return or_(
        Child.needs_review.is_(True),
        and_(
            Child.age_years.is_(None),
            or_(Child.age_band.is_(None), Child.age_band.not_in(rules.BAND_YOUNGEST)),
        ),
    )


def _on_hold() -> ColumnElement[bool]:
    return exists().where(RetentionHold.case_id == Case.id, RetentionHold.removed_at.is_(None))


def _due_where(day: date, settings: ProgrammeSettings) -> list[ColumnElement[bool]]:
    return [
        Case.closed_at < _cutoff(day, settings.retain_case_years),
        # Through a function, so the planner walks the closure-time index (oldest first,
        # stopping at a page) rather than the status index and a sort of every closed case.
        func.coalesce(Case.status, "").in_(CLOSED_STATUSES),
        Case.anonymised_at.is_(None),
        ~_on_hold(),
        ~exists().where(
            Child.case_id == Case.id, _child_still_held(day, settings.retain_child_extra_years)
        ),
    ]


def due_query(day: date, settings: ProgrammeSettings) -> Select:
    """The closed cases past retention on `day`, oldest closure first."""
    unknown = exists().where(Child.case_id == Case.id, _child_unknown())
    return (
        select(Case.id, Case.reference, Case.closed_at, unknown.label("children_unknown"))
        .where(*_due_where(day, settings))
        .order_by(Case.closed_at, Case.id)
    )


def due_count(session: Session, day: date) -> int:
    settings = current_settings(session)
    return session.scalar(select(func.count(Case.id)).where(*_due_where(day, settings))) or 0


@dataclass(frozen=True)
class DueCase:
    id: int
    reference: str
    closed_on: date
    due: rules.Due
    children: int


def _children_of(session: Session, case_ids: list[int]) -> dict[int, list[rules.ChildAge]]:
    found: dict[int, list[rules.ChildAge]] = {case_id: [] for case_id in case_ids}
    if not case_ids:
        return found
    query = select(
        Child.case_id, Child.created_at, Child.age_years, Child.age_band, Child.needs_review
    ).where(Child.case_id.in_(case_ids))
    for case_id, created_at, age_years, age_band, needs_review in session.execute(query):
        found[case_id].append(
            rules.ChildAge(london_date(created_at), age_years, age_band, bool(needs_review))
        )
    return found


def due_cases(
    session: Session, day: date, *, page: int = 1, ids: list[int] | None = None
) -> tuple[list[DueCase], bool]:
    """One page of the cases due on `day` (or those of `ids` still due), with the date each
    became due and the rule that decided it; and whether there is a next page."""
    settings = current_settings(session)
    query = due_query(day, settings)
    if ids is not None:
        query = query.where(Case.id.in_(ids))
    else:
        query = query.limit(PAGE_SIZE + 1).offset((max(page, 1) - 1) * PAGE_SIZE)
    rows = session.execute(query).all()
    more = ids is None and len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE] if ids is None else rows
    children = _children_of(session, [row.id for row in rows])
    result = []
    for row in rows:
        closed_on = london_date(row.closed_at)
        ages = children[row.id]
        decided = rules.due(
            closed_on, ages, settings.retain_case_years, settings.retain_child_extra_years
        )
        result.append(DueCase(row.id, row.reference, closed_on, decided, len(ages)))
    return result, more


# ---------------------------------------------------------------------------
# The nightly purge of what needs no review


@dataclass(frozen=True)
class Purged:
    notifications: int = 0
    extracts: int = 0
    audit_events: int = 0
    files: tuple[str, ...] = ()


def purge(session: Session, now: datetime) -> Purged:
    """Delete, in the caller's transaction, the records past their retention days; the
    unreleased extracts' files go once the caller has committed (`remove_extract_files`)."""
    from eip.audit import AuditEvent
    from eip.notifications.centre import Notification
    from evaluation.models import EvaluationExtract

    settings = current_settings(session)
    # Read or no longer due: an open reminder is kept while its thing is still due.
    notifications = session.execute(
        delete(Notification).where(
            Notification.created_at < now - timedelta(days=settings.retain_notifications_days),
            or_(Notification.closed_at.is_not(None), Notification.read_at.is_not(None)),
        )
    ).rowcount
    stale = session.execute(
        select(EvaluationExtract.id, EvaluationExtract.file_name).where(
            EvaluationExtract.state == "prepared",
            EvaluationExtract.prepared_at
            < now - timedelta(days=settings.retain_unreleased_extracts_days),
        )
    ).all()
    if stale:
        session.execute(
            delete(EvaluationExtract).where(EvaluationExtract.id.in_([row.id for row in stale]))
        )
    # The append-only trigger lets through only events older than this row's cut-off,
    # and only while the row exists: inside this transaction.
    before = _cutoff(london_date(now), settings.retain_audit_years)
    permit = AuditPurge(before=before)
    session.add(permit)
    session.flush()
    events = session.execute(delete(AuditEvent).where(AuditEvent.at < before)).rowcount
    session.delete(permit)
    session.flush()
    files = tuple(row.file_name for row in stale if row.file_name)
    return Purged(notifications, len(stale), events, files)


def remove_extract_files(
    session: Session, instance_path: str | Path, purged: Purged, now: datetime
) -> int:
    """After the purge's commit: delete the purged extracts' files, and any file in the
    extracts' folder that no extract names and that is older than the unreleased extracts'
    days (left by a crash between a commit and a delete)."""
    from evaluation.models import EvaluationExtract
    from evaluation.services import folder

    where = folder(instance_path)
    days = current_settings(session).retain_unreleased_extracts_days
    named = set(
        session.scalars(
            select(EvaluationExtract.file_name).where(EvaluationExtract.file_name.is_not(None))
        )
    )
    session.rollback()  # end the read
    old = (now - timedelta(days=days)).timestamp()
    removed = 0
    for path in where.iterdir():
        orphan = path.name not in named and path.stat().st_mtime < old
        if path.is_file() and (path.name in purged.files or orphan):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
    return removed
