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
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from sqlalchemy import delete, event, insert, select
from sqlalchemy.orm import Session

from eip.cases import hooks
from eip.cases.deadlines import SOON_WORKING_DAYS, DueItem, due_items
from eip.cases.models import Case, CaseDueItem
from eip.workdays import is_working_day

_PENDING = "due_store.cases"
_ALL = "due_store.all"
BATCH = 500
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


def as_item(row: CaseDueItem, reference: str) -> DueItem:
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
            session.execute(insert(CaseDueItem), rows)


def refresh_all(session: Session) -> int:
    """Rewrite every case's due items (closed cases have none); the number of cases."""
    ids = list(session.scalars(select(Case.id).order_by(Case.id)))
    refresh(session, ids)
    return len(ids)


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


def _touches_all(obj: object) -> bool:
    return _touches_all_model(type(obj))


@event.listens_for(Session, "after_flush")
def _note_changed_cases(session: Session, _context) -> None:
    pending: set[int] = session.info.setdefault(_PENDING, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if _touches_all(obj):
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
            refresh_all(session)
        elif pending:
            refresh(session, pending)
        else:
            return


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_ALL, None)


def stored(session: Session, case_ids: Sequence[int]) -> dict[int, list[CaseDueItem]]:
    """The stored items of these cases, in due_items' order (one query)."""
    found: dict[int, list[CaseDueItem]] = {case_id: [] for case_id in case_ids}
    if not case_ids:
        return found
    for row in session.scalars(
        select(CaseDueItem)
        .where(CaseDueItem.case_id.in_(case_ids))
        .order_by(CaseDueItem.case_id, CaseDueItem.position)
    ):
        found[row.case_id].append(row)
    return found
