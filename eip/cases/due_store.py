"""The stored copy of what is due on each open case (`case_due_items`), kept equal to
`deadlines.due_items` so the home pages can ask SQL for what is overdue, due today and due
soon with an index and a limit (issue 16): nothing on a home page grows with the caseload.

One function writes the rows (`refresh`), from the same facts and rules the case page uses.
It runs at every commit that touched a case's facts: session listeners note the case of
every record added, changed or deleted (a record with a `case_id`, the case itself, or what
a feature maps to its case through `hooks.HOOKS.due_case_of`; by a flush or by an UPDATE or
DELETE statement on the model), and before the commit
rewrites those cases' rows in the same transaction, so no service has to remember to call
it. A change to the deadline settings or the managers' non-working days rewrites every
case. `refresh_all` (`flask eip refresh-due-items`, and the nightly job) is the safety net
for what no commit announces: a new year's bank holidays after an upgrade of `holidays`,
rows written with bulk inserts (the synthetic seed calls it itself).

Rewriting every case takes about a millisecond a case, too long for one request (or one
SQLite write lock) at 100,000 cases. So only a change to a setting the due dates read
(`Deadlines`) or to the non-working days asks for it, and when there are more cases than
EIP_DUE_REFRESH_IN_COMMIT the commit saves a `DueRefresh` instead: the scheduler's "due-items"
job rewrites the cases a batch per transaction and the pages say how far it has got.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, event, func, insert, inspect, select, update
from sqlalchemy.orm import Session

from eip.cases import hooks
from eip.cases.deadlines import SOON_WORKING_DAYS, Deadlines, DueItem, due_items
from eip.cases.listing import ITEM_COLUMNS
from eip.cases.models import Case, CaseDueItem, DueRefresh
from eip.workdays import is_working_day

_PENDING = "due_store.cases"
_ALL = "due_store.all"
BATCH = 500
# Above this many cases a change to every case's due dates is left to the scheduler.
IN_COMMIT_DEFAULT = 1000
# The settings the due dates read: a change to any other setting rewrites nothing.
_DEADLINE_SETTINGS = tuple(f.name for f in fields(Deadlines) if f.name != "extra_non_working_days")
# Records with a case_id that no due date reads: a notice about a case is not a fact of it.
_NOT_FACTS = frozenset({"case_due_items", "notifications"})


def soon_until(today: date, extra: Iterable[date] = ()) -> date:
    """The last date still "due soon" by working days (DueItem.urgency): at most
    SOON_WORKING_DAYS working days after today. The home query passes it to SQL."""
    extra = frozenset(extra)
    day, counted = today, 0
    while True:
        day += timedelta(days=1)
        if is_working_day(day, extra):
            counted += 1
            if counted > SOON_WORKING_DAYS:
                return day - timedelta(days=1)


def overdue(today: date):
    """The SQL test "this case has something overdue" (a stored item due before today,
    as DueItem.urgency says): the case list's "overdue only", one EXISTS probed on the
    index (case_id, due_on)."""
    return (
        select(CaseDueItem.id)
        .where(CaseDueItem.case_id == Case.id, CaseDueItem.due_on < today)
        .exists()
    )


def as_item(row: Any, reference: str) -> DueItem:
    """A stored item (a CaseDueItem, or a row of its columns) as the DueItem it copies."""
    return DueItem(
        row.kind,
        row.label,
        row.due_on,
        reference,
        urgent=row.urgent,
        action_id=row.action_id,
        soon_from=row.soon_from,
    )


def refresh(session: Session, case_ids: Iterable[int]) -> None:
    """Rewrite the stored due items of these cases from their facts, now."""
    from eip.cases.queries import deadline_settings, facts_for

    ids = sorted(set(case_ids))
    if not ids:
        return
    settings = deadline_settings(session)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        # Take the cases' rows first (in id order): two transactions adding to one case at
        # once would otherwise each delete the rows they can see and insert their own, and
        # leave both sets. The second now waits, then reads the first's records and rows.
        # NO KEY UPDATE (key_share): a record just inserted holds KEY SHARE on its case,
        # and FOR UPDATE would wait on the other transaction's, which waits on ours.
        # (SQLite's writing transactions are already serial: BEGIN IMMEDIATE, eip/db.py.)
        session.execute(
            select(Case.id)
            .where(Case.id.in_(chunk))
            .order_by(Case.id)
            .with_for_update(key_share=True)
        )
        session.execute(delete(CaseDueItem).where(CaseDueItem.case_id.in_(chunk)))
        cases = session.scalars(select(Case).where(Case.id.in_(chunk))).all()
        facts = facts_for(session, cases)
        rows = [
            {
                "case_id": case.id,
                "practitioner_id": case.allocated_practitioner_id,
                "position": position,
                "kind": item.kind,
                "label": item.label,
                "due_on": item.due_on,
                "urgent": item.urgent,
                "action_id": item.action_id,
                "soon_from": item.soon_from,
            }
            for case in cases
            for position, item in enumerate(due_items(facts[case.id], settings))
        ]
        if rows:
            # The table's INSERT, not the ORM's: one executemany, where the ORM's bulk
            # insert ran a statement per row.
            session.execute(insert(CaseDueItem.__table__), rows)


def refresh_all(session: Session) -> int:
    """Rewrite every case's due items (closed cases have none); the number of cases."""
    ids = list(session.scalars(select(Case.id).order_by(Case.id)))
    refresh(session, ids)
    return len(ids)


@dataclass(frozen=True)
class Progress:
    """How far the scheduler's rewrite of every case has got."""

    done: int
    total: int
    requested_at: datetime

    @property
    def percent(self) -> int:
        return min(99, self.done * 100 // self.total) if self.total else 0


def _in_commit_limit() -> int:
    from flask import current_app, has_app_context

    if has_app_context():
        return int(current_app.config.get("EIP_DUE_REFRESH_IN_COMMIT", IN_COMMIT_DEFAULT))
    return IN_COMMIT_DEFAULT


def refresh_everything(session: Session) -> None:
    """Every case's due dates have moved: rewrite them now if there are few, else save a
    `DueRefresh` (in this same transaction, so it exists exactly when the change does)."""
    from eip.clock import now

    total = session.scalar(select(func.count(Case.id))) or 0
    if total <= _in_commit_limit():
        refresh_all(session)
        _finish(session, now())
    else:
        request_refresh_all(session, now(), total)


def request_refresh_all(session: Session, when: datetime, total: int | None = None) -> None:
    """Ask for every case to be rewritten in batches, starting again from the first case if
    a rewrite was already under way (its earlier batches read the settings before this)."""
    if total is None:
        total = session.scalar(select(func.count(Case.id))) or 0
    row = session.get(DueRefresh, 1, with_for_update=True)
    if row is None:
        session.add(
            DueRefresh(id=1, generation=1, requested_at=when, total=total, done=0, after_case_id=0)
        )
        return
    row.generation += 1
    row.requested_at, row.total, row.done, row.after_case_id = when, total, 0, 0
    row.finished_at = None


def _finish(session: Session, when: datetime) -> None:
    # A rewrite in the commit covers whatever batches were still waiting.
    session.execute(
        update(DueRefresh)
        .where(DueRefresh.finished_at.is_(None))
        .values(finished_at=when, done=DueRefresh.total, generation=DueRefresh.generation + 1)
    )


def progress(session: Session) -> Progress | None:
    """The rewrite still under way, or None (one primary-key read)."""
    row = session.execute(
        select(DueRefresh.done, DueRefresh.total, DueRefresh.requested_at).where(
            DueRefresh.id == 1, DueRefresh.finished_at.is_(None)
        )
    ).first()
    return None if row is None else Progress(*row)


def waiting(session: Session) -> bool:
    return progress(session) is not None


def continue_refresh(
    session: Session, when: datetime, on_batch: Callable[[Progress], None] | None = None
) -> str:
    """Rewrite the waiting cases a batch per transaction until none is left. Each batch
    moves the row on only if no one else has since (the same generation and starting
    point), so a new change, or a second scheduler, sends this one back to re-read it."""
    rewritten = 0
    while True:
        row = session.execute(
            select(DueRefresh.generation, DueRefresh.after_case_id, DueRefresh.finished_at).where(
                DueRefresh.id == 1
            )
        ).first()
        if row is None or row.finished_at is not None:
            session.commit()
            return f"refreshed the due items of {rewritten} cases"
        ids = list(
            session.scalars(
                select(Case.id).where(Case.id > row.after_case_id).order_by(Case.id).limit(BATCH)
            )
        )
        refresh(session, ids)
        moved = session.execute(
            update(DueRefresh)
            .where(
                DueRefresh.id == 1,
                DueRefresh.generation == row.generation,
                DueRefresh.after_case_id == row.after_case_id,
            )
            .values(
                after_case_id=ids[-1] if ids else row.after_case_id,
                done=DueRefresh.done + len(ids),
                finished_at=None if ids else when,
            )
        ).rowcount
        session.commit()
        if moved:
            rewritten += len(ids)
            if on_batch is not None and (now_at := progress(session)) is not None:
                on_batch(now_at)


def _case_of(session: Session, obj: object) -> int | None:
    if isinstance(obj, Case):
        return obj.id
    if getattr(obj, "__tablename__", None) in _NOT_FACTS:
        return None
    case_id = getattr(obj, "case_id", None)
    if isinstance(case_id, int):
        return case_id
    for mapper in hooks.HOOKS.due_case_of:
        found = mapper(session, obj)
        if found is not None:
            return found
    return None


def _touches_all_model(model: type) -> bool:
    from eip.admin.models import NonWorkingDay, ProgrammeSettings

    return issubclass(model, NonWorkingDay | ProgrammeSettings)


def _touches_all(session: Session, obj: object) -> bool:
    """Does this flushed change move every case's due dates? A non-working day does; a
    settings row only when a setting the due dates read has changed."""
    from eip.admin.models import ProgrammeSettings

    if not _touches_all_model(type(obj)):
        return False
    if not isinstance(obj, ProgrammeSettings) or obj in session.new or obj in session.deleted:
        return True
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in _DEADLINE_SETTINGS)


@event.listens_for(Session, "after_flush")
def _note_changed_cases(session: Session, _context) -> None:
    pending: set[int] = session.info.setdefault(_PENDING, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if _touches_all(session, obj):
            session.info[_ALL] = True
            continue
        case_id = _case_of(session, obj)
        if case_id is not None:
            pending.add(case_id)


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_changes(state) -> None:
    """An UPDATE or DELETE statement on a model (`update(CaseAction).where(...)`, as
    `activity_services.complete_action` runs) passes by the flush: note the cases of the
    rows it will touch, read with the same criteria just before it runs."""
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return
    model = state.bind_mapper.class_
    if _touches_all_model(model):
        state.session.info[_ALL] = True
        return
    if getattr(model, "__tablename__", None) in _NOT_FACTS:
        return
    column = model.id if model is Case else getattr(model, "case_id", None)
    if column is None:
        return
    query = select(column)
    if state.statement.whereclause is not None:
        query = query.where(state.statement.whereclause)
    found = {case_id for case_id in state.session.scalars(query) if case_id is not None}
    state.session.info.setdefault(_PENDING, set()).update(found)


@event.listens_for(Session, "before_commit")
def _refresh_changed_cases(session: Session) -> None:
    # A refresh may itself flush (autoflush), noting more cases: loop until none is left.
    for _ in range(5):
        session.flush()
        everything = session.info.pop(_ALL, False)
        pending = session.info.pop(_PENDING, set())
        if everything:
            refresh_everything(session)
        elif pending:
            refresh(session, pending)
        else:
            return


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_ALL, None)


def stored(session: Session, case_ids: Sequence[int]) -> dict[int, list[Any]]:
    """The stored items of these cases, in due_items' order (one query): rows of the
    columns `as_item` reads, not objects (a list reads them and changes none)."""
    found: dict[int, list[Any]] = {case_id: [] for case_id in case_ids}
    if not case_ids:
        return found
    for row in session.execute(
        select(*ITEM_COLUMNS)
        .where(CaseDueItem.case_id.in_(case_ids))
        .order_by(CaseDueItem.case_id, CaseDueItem.position)
    ):
        found[row.case_id].append(row)
    return found
