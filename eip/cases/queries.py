"""Reading cases in bulk: lists, caseloads and what is due, in a constant number of queries.

Every case query starts from `visible_cases(user)`. Facts for due dates are
gathered with one grouped query per kind of record for all the cases on the
page at once, never one query per case.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Date, and_, bindparam, func, literal_column, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session, selectinload

from eip import paging, statement_cache
from eip.admin.models import NonWorkingDay
from eip.auth.models import User
from eip.cases import hooks, outcomes
from eip.cases.deadlines import (
    CLOSED,
    DUE_SOON,
    DUE_TODAY,
    LATER,
    OVERDUE,
    RETURN_HOME_REVIEW_LEAD_DAYS,
    URGENCY_ORDER,
    Deadlines,
    DueFacts,
    DueItem,
    IncidentFacts,
    OpenAction,
    SafetyPlanFacts,
    due_items,
)
from eip.cases.due_store import as_item, overdue, soon_until, stored
from eip.cases.listing import (
    ITEM_COLUMNS,
    REF_COLUMNS,
    CaseRef,
    ListedCase,
    case_ref,
    listed_case,
    listed_cases,
    with_client,
)
from eip.cases.models import Case, CaseDueItem
from eip.cases.records import (
    CaseAction,
    Child,
    Consultation,
    DashReview,
    Incident,
    LateReferralDecision,
    OutcomeMeasure,
    ProfessionalsMeeting,
    SafetyPlan,
)
from eip.policy import visible_cases
from eip.programme import settings_and_non_working_days
from eip.workdays import london_date

PAGE_SIZE = 25


def non_working_days(session: Session) -> frozenset[date]:
    """The managers' non-working days (one query): what "due soon" counts past."""
    return frozenset(session.scalars(select(NonWorkingDay.day)))


def deadline_settings(session: Session) -> Deadlines:
    settings, extra = settings_and_non_working_days(session)
    return Deadlines(
        acknowledge_working_days=settings.acknowledge_working_days,
        consultation_booking_working_days=settings.consultation_booking_working_days,
        meeting_interval_days=settings.meeting_interval_days,
        dash_review_days=settings.dash_review_days,
        outcome_mid_point_weeks=settings.outcome_mid_point_weeks,
        extra_non_working_days=extra,
    )


def _latest(session: Session, column, case_ids: Sequence[int]) -> dict[int, date]:
    model = column.class_
    rows = session.execute(
        select(model.case_id, func.max(column))
        .where(model.case_id.in_(case_ids))
        .group_by(model.case_id)
    )
    return dict(rows.all())


def _late_agreements(session: Session, case_ids: Sequence[int]) -> dict[int, date]:
    """The London date each late referral's agreement was recorded (one query): the
    consultation-booking deadline counts from it."""
    rows = session.execute(
        select(LateReferralDecision.case_id, LateReferralDecision.created_at).where(
            LateReferralDecision.case_id.in_(case_ids),
            LateReferralDecision.decision == "agreed",
        )
    )
    return {case_id: london_date(created_at) for case_id, created_at in rows}


def _incidents(session: Session, case_ids: Sequence[int]) -> dict[int, list[IncidentFacts]]:
    """Each case's incidents with the London date each was recorded (one query)."""
    rows = session.execute(
        select(Incident.case_id, Incident.occurred_on, Incident.created_at).where(
            Incident.case_id.in_(case_ids)
        )
    )
    incidents: dict[int, list[IncidentFacts]] = defaultdict(list)
    for case_id, occurred_on, created_at in rows:
        incidents[case_id].append(IncidentFacts(occurred_on, london_date(created_at)))
    return incidents


def safety_plan_facts(plan: SafetyPlan, child: Child | None) -> SafetyPlanFacts:
    """One plan's facts; `child` is the plan's child (None for the partner's plan)."""
    from eip.cases.safety_plans import short_name

    return SafetyPlanFacts(
        who=short_name(child),
        written_on=london_date(plan.created_at),
        last_reviewed_on=plan.last_reviewed_on,
    )


def _safety_plans(session: Session, case_ids: Sequence[int]) -> dict[int, list[SafetyPlanFacts]]:
    """Each case's safety plans with their children (one query)."""
    plans: dict[int, list[SafetyPlanFacts]] = defaultdict(list)
    for plan, child in session.execute(
        select(SafetyPlan, Child)
        .outerjoin(Child, Child.id == SafetyPlan.child_id)
        .where(SafetyPlan.case_id.in_(case_ids))
        .order_by(SafetyPlan.id)
    ):
        plans[plan.case_id].append(safety_plan_facts(plan, child))
    return plans


def outcome_facts(case: Case, measures: Sequence[OutcomeMeasure]) -> outcomes.OutcomeFacts:
    """What the due dates of the case's outcome measures count from."""
    intake = next((m.measured_on for m in measures if m.point == outcomes.INTAKE), None)
    return outcomes.OutcomeFacts(
        intervention_started_on=case.intervention_started_on,
        closed_on=london_date(case.closed_at) if case.closed_at else None,
        intake_on=intake,
        recorded=frozenset(m.point for m in measures),
    )


def _outcome_measures(session: Session, case_ids: Sequence[int]) -> dict[int, list[OutcomeMeasure]]:
    """Each case's outcome measurements (one query)."""
    found: dict[int, list[OutcomeMeasure]] = defaultdict(list)
    for measure in session.scalars(
        select(OutcomeMeasure).where(OutcomeMeasure.case_id.in_(case_ids))
    ):
        found[measure.case_id].append(measure)
    return found


def facts_for(session: Session, cases: Sequence[Case]) -> dict[int, DueFacts]:
    """DueFacts for many cases with a fixed number of queries."""
    ids = [case.id for case in cases]
    if not ids:
        return {}
    booked = set(session.scalars(select(Consultation.case_id).where(Consultation.case_id.in_(ids))))
    meetings = _latest(session, ProfessionalsMeeting.held_on, ids)
    dash = _latest(session, DashReview.completed_on, ids)
    incidents = _incidents(session, ids)
    agreed = _late_agreements(session, ids)
    actions: dict[int, list[OpenAction]] = defaultdict(list)
    for action in session.scalars(
        select(CaseAction).where(CaseAction.case_id.in_(ids), CaseAction.completed_at.is_(None))
    ):
        actions[action.case_id].append(
            OpenAction(action.kind, action.description, action.due_on, action.urgent, action.id)
        )
    stays = hooks.stays(session, ids)
    plans = _safety_plans(session, ids)
    measures = _outcome_measures(session, ids)
    return {
        case.id: DueFacts(
            reference=case.reference,
            status=case.status,
            received_on=london_date(case.received_at) if case.received_at else None,
            acknowledged=case.acknowledged_at is not None,
            late_agreed_on=agreed.get(case.id),
            consultation_booked=case.id in booked,
            intervention_started_on=case.intervention_started_on,
            last_meeting_on=meetings.get(case.id),
            last_dash_on=dash.get(case.id),
            incidents=tuple(incidents.get(case.id, ())),
            open_actions=tuple(actions[case.id]),
            stays=tuple(stays.get(case.id, ())),
            safety_plans=tuple(plans.get(case.id, ())),
            outcomes=outcome_facts(case, measures.get(case.id, ())),
        )
        for case in cases
    }


def facts_from_records(case: Case, records: dict[str, list]) -> DueFacts:
    """The same DueFacts as `facts_for(session, [case])`, from the case page's records
    (`page.load_records`, all of the case's records and other features' own, already read):
    nothing is read again."""
    agreed = [d for d in records["late_decisions"] if d.decision == "agreed"]
    meetings = [m.held_on for m in records["meetings"]]
    dash = [r.completed_on for r in records["dash_reviews"]]
    children = {child.id: child for child in records["children"]}
    return DueFacts(
        reference=case.reference,
        status=case.status,
        received_on=london_date(case.received_at) if case.received_at else None,
        acknowledged=case.acknowledged_at is not None,
        late_agreed_on=london_date(agreed[-1].created_at) if agreed else None,
        consultation_booked=bool(records["consultations"]),
        intervention_started_on=case.intervention_started_on,
        last_meeting_on=max(meetings, default=None),
        last_dash_on=max(dash, default=None),
        incidents=tuple(
            IncidentFacts(i.occurred_on, london_date(i.created_at)) for i in records["incidents"]
        ),
        open_actions=tuple(
            OpenAction(a.kind, a.description, a.due_on, a.urgent, a.id)
            for a in records["actions"]
            if a.completed_at is None
        ),
        stays=tuple(hooks.stays_in_records(case, records)),
        safety_plans=tuple(
            safety_plan_facts(plan, children.get(plan.child_id))
            for plan in sorted(records["safety_plans"], key=lambda plan: plan.id)
        ),
        outcomes=outcome_facts(case, records["outcome_measures"]),
    )


@dataclass(frozen=True)
class CaseRow:
    case: Case | ListedCase
    due: list[DueItem]
    worst: str | None  # the most urgent state among its due items

    @property
    def overdue(self) -> bool:
        return self.worst == OVERDUE


def rows_for(session: Session, cases: Sequence[Case], today: date) -> list[CaseRow]:
    settings = deadline_settings(session)
    facts = facts_for(session, cases)
    rows = []
    for case in cases:
        items = due_items(facts[case.id], settings)
        states = [item.urgency(today, settings.extra_non_working_days) for item in items]
        worst = (
            min(states, key=("overdue", "due_today", "due_soon", "later").index) if states else None
        )
        rows.append(CaseRow(case, items, worst))
    return rows


@dataclass(frozen=True)
class CaseFilters:
    status: str | None = None
    borough_id: int | None = None
    practitioner_id: int | None = None
    overdue_only: bool = False
    reference: str | None = None
    position: paging.Position = paging.FIRST_PAGE


@dataclass(frozen=True)
class CaseListPage:
    rows: list[CaseRow]
    next_after: str | None
    prev_before: str | None


@dataclass(frozen=True)
class CaseloadPage:
    """A page of one practitioner's own open cases, by key like the case list
    (eip/paging.py): "next" and "previous", no count."""

    rows: list[CaseRow]
    next_after: str | None
    prev_before: str | None


def _with_relations(query):
    return query.options(selectinload(Case.allocated_practitioner), selectinload(Case.client))


def list_cases(session: Session, user: User, filters: CaseFilters, today: date) -> CaseListPage:
    """One page of the cases the user may see, newest referrals first (undated last), by
    keyset from `filters.position`: each filter has an index `(filter, received_at, id)`;
    "overdue only" is an EXISTS on the stored due items (`due_store.overdue`), probed by
    the index `(case_id, due_on)` as the cases are read in order. The statement is kept
    per user and set of filters given (eip/statement_cache.py), their values parameters."""
    reference = filters.reference.strip().upper() if filters.reference else None
    values = {
        "status": filters.status or None,
        "borough_id": filters.borough_id or None,
        "practitioner_id": filters.practitioner_id or None,
        # As `contains(..., autoescape=True)` escapes it: LIKE's wildcards taken literally.
        "reference": reference and _LIKE_SPECIAL.sub(r"/\g<0>", reference),
        "today": today if filters.overdue_only else None,
    }
    given = tuple(name for name, value in values.items() if value)
    # The columns the list shows, their borough, practitioner and client joined into the
    # page's one query.
    page = paging.fetch_page(
        session,
        lambda: _case_list_query(user, given),
        listed_cases(),
        Case.received_at,
        Case.id,
        filters.position,
        PAGE_SIZE,
        kept=(("case list", *statement_cache.user_key(user), given), values),
    )
    cases = [listed_case(row) for row in page.rows]
    rows = stored_rows(session, cases, today, non_working_days(session))
    return CaseListPage(rows, page.next_after, page.prev_before)


_LIKE_SPECIAL = re.compile(r"[/%_]")

# Each filter of the case list as a test of its named parameter.
_CASE_FILTERS = {
    "status": lambda: Case.status == bindparam("status"),
    "borough_id": lambda: Case.borough_id == bindparam("borough_id"),
    "practitioner_id": lambda: Case.allocated_practitioner_id == bindparam("practitioner_id"),
    "reference": lambda: Case.reference.contains(bindparam("reference"), escape="/"),
    "today": lambda: overdue(bindparam("today", type_=Date())),
}


def _case_list_query(user: User, given: tuple[str, ...]):
    """The cases the user may see, filtered by each of `given` (names of _CASE_FILTERS)."""
    return visible_cases(user).where(*(_CASE_FILTERS[name]() for name in given))


def stored_rows(
    session: Session, cases: Sequence[Case | ListedCase], today: date, extra: frozenset[date]
) -> list[CaseRow]:
    """Rows for a page of cases from their stored due items (one query), as `rows_for`
    would compute them from the records."""
    items = stored(session, [c.id for c in cases])
    window = WorkWindow(today, soon_until(today, extra), extra)
    rows = []
    for case_row in cases:
        due = [as_item(row, case_row.reference) for row in items[case_row.id]]
        states = [window.urgency(item) for item in due]
        worst = min(states, key=URGENCY_ORDER.__getitem__) if states else None
        rows.append(CaseRow(case_row, due, worst))
    return rows


def caseload(session: Session, user: User, today: date) -> list[CaseRow]:
    """A practitioner's open cases, newest referrals first, with what is due."""
    query = _with_relations(
        visible_cases(user)
        .where(
            Case.allocated_practitioner_id == user.id,
            Case.status.not_in(("closed", "not_accepted")),
        )
        .order_by(Case.received_at.desc().nulls_last(), Case.id.desc())
    )
    return rows_for(session, session.scalars(query).all(), today)


# How many due items and open cases the practitioner's home shows; the rest is a page away.
HOME_DUE_LIMIT = 20


@dataclass(frozen=True)
class WorkWindow:
    """The dates that split a practitioner's due items into overdue, due today and due
    soon (DueItem.urgency), worked out in Python (working days) and passed to SQL."""

    today: date
    soon_until: date  # the last date at most SOON_WORKING_DAYS working days ahead
    extra: frozenset[date] = frozenset()  # the managers' non-working days

    def urgency(self, item: DueItem) -> str:
        """`item.urgency(today, extra)`, with the working days counted once for the window
        rather than once per item (a page has dozens)."""
        if item.due_on < self.today:
            return OVERDUE
        if item.due_on == self.today:
            return DUE_TODAY
        if item.soon_from is not None and self.today >= item.soon_from:
            return DUE_SOON
        return DUE_SOON if item.due_on <= self.soon_until else LATER

    @property
    def reach(self) -> date:
        # The furthest due date shown: a return-home review is "soon" from
        # RETURN_HOME_REVIEW_LEAD_DAYS before its due date, whatever the working days.
        return max(self.soon_until, self.today + timedelta(days=RETURN_HOME_REVIEW_LEAD_DAYS))

    def urgency_sql(self):
        return _urgency_sql(self.today)

    def shown(self):
        """Overdue, due today or due soon: the same test as DueItem.urgency, on the index
        (practitioner, due date) range up to `reach`."""
        return _shown(self.today, self.soon_until, self.reach)

    def params(self) -> dict[str, date]:
        """The values of _TODAY, _SOON_UNTIL and _REACH in the kept statements."""
        return {"today": self.today, "soon_until": self.soon_until, "reach": self.reach}


def _urgency_sql(today):
    return sql_case(
        (CaseDueItem.due_on < today, OVERDUE),
        (CaseDueItem.due_on == today, DUE_TODAY),
        else_=DUE_SOON,
    )


def _shown(today, soon_until, reach):
    return and_(
        CaseDueItem.due_on <= reach,
        or_(CaseDueItem.due_on <= soon_until, CaseDueItem.soon_from <= today),
    )


# A WorkWindow's dates as named parameters: the work list's statements are built once per
# user and shape (eip/statement_cache.py) and run with `WorkWindow.params()`.
_TODAY, _SOON_UNTIL, _REACH = (bindparam(n, type_=Date()) for n in ("today", "soon_until", "reach"))


def work_window(session: Session, today: date) -> WorkWindow:
    extra = non_working_days(session)
    return WorkWindow(today, soon_until(today, extra), extra)


def _my_items(user: User):
    return (
        visible_cases(user)
        .join(CaseDueItem, CaseDueItem.case_id == Case.id)
        .where(CaseDueItem.practitioner_id == user.id, _shown(_TODAY, _SOON_UNTIL, _REACH))
    )


def work_counts(session: Session, user: User, window: WorkWindow) -> dict[str, int]:
    """How many of my items are overdue, due today and due soon (one query), each counted
    no further than `paging.COUNT_CAP` rows of the index (practitioner, due date, …, soon
    from) alone: a range of it per group. The cases are joined only when the policy narrows
    what this user may see (it does not for a practitioner)."""
    statement = statement_cache.cached(
        ("work counts", paging.COUNT_CAP, *statement_cache.user_key(user)),
        lambda: _work_counts_statement(user),
    )
    counts = session.execute(statement, window.params()).one()
    return dict(zip((OVERDUE, DUE_TODAY, DUE_SOON), counts, strict=True))


def _work_counts_statement(user: User):
    mine = select(CaseDueItem.id).where(CaseDueItem.practitioner_id == user.id)
    scope = visible_cases(user)
    if scope.whereclause is not None:
        mine = mine.where(CaseDueItem.case_id.in_(scope.with_only_columns(Case.id)))
    due_on = CaseDueItem.due_on
    # Overdue and due today are always shown; `shown()` only on "due soon", since beside
    # `due_on = today` SQLite would take its `due_on <= reach` for the range and read every
    # overdue item first.
    groups = {
        OVERDUE: due_on < _TODAY,
        DUE_TODAY: due_on == _TODAY,
        DUE_SOON: and_(due_on > _TODAY, _shown(_TODAY, _SOON_UNTIL, _REACH)),
    }
    return select(*(paging.capped(mine.where(test)).label(name) for name, test in groups.items()))


@dataclass(frozen=True)
class WorkKey:
    """A work-list item's place in the list's order (due date, urgent first, newer case,
    its place among the case's items): the "next"/"previous" links' token, no personal
    data. Like eip.paging.Key, for a key of four columns."""

    due_on: date
    urgent: bool
    case_id: int
    position: int

    def token(self) -> str:
        return f"{self.due_on:%Y%m%d}.{int(self.urgent)}.{self.case_id}.{self.position}"


_WORK_TOKEN = re.compile(r"([0-9]{8})\.([01])\.([0-9]{1,18})\.([0-9]{1,9})")


def parse_work_key(text: str) -> WorkKey:
    match = _WORK_TOKEN.fullmatch(text)
    if match is None:
        raise paging.BadCursor("not a work list token")
    day, urgent, case_id, position = match.groups()
    if int(case_id) > 2**63 - 1:
        raise paging.BadCursor("case number out of range")
    try:
        due_on = datetime.strptime(day, "%Y%m%d").date()
    except ValueError as exc:
        raise paging.BadCursor("not a date") from exc
    return WorkKey(due_on, urgent == "1", int(case_id), int(position))


# The work list's order; True: ascending. The index ix_case_due_items_practitioner_work
# has these columns in these directions after practitioner_id, so a page is a range of it.
_WORK_ORDER = (
    (CaseDueItem.due_on, True),
    (CaseDueItem.urgent, False),
    (CaseDueItem.case_id, False),
    (CaseDueItem.position, True),
)


def _work_order(backwards: bool):
    return [
        column.asc() if ascending != backwards else column.desc()
        for column, ascending in _WORK_ORDER
    ]


# A WorkKey's values as named parameters (`_key_params`), each of its column's type.
_KEY = tuple(bindparam(f"key_{column.key}", type_=column.type) for column, _ in _WORK_ORDER)


def _key_params(key: WorkKey) -> dict:
    values = (key.due_on, key.urgent, key.case_id, key.position)
    return {param.key: value for param, value in zip(_KEY, values, strict=True)}


def _beyond(backwards: bool):
    """The rows after the key `_KEY` in the list's order (before it, `backwards`): the row
    comparison written out, since its columns run in both directions; led by the due
    date's bound, which starts the index range."""
    condition = None
    for (column, ascending), value in reversed(list(zip(_WORK_ORDER, _KEY, strict=True))):
        later = column > value if ascending != backwards else column < value
        condition = later if condition is None else or_(later, and_(column == value, condition))
    due_on, key_due_on = CaseDueItem.due_on, _KEY[0]
    return and_(due_on <= key_due_on if backwards else due_on >= key_due_on, condition)


def _work_key(item) -> WorkKey:
    """The key of a row with ITEM_COLUMNS."""
    return WorkKey(item.due_on, bool(item.urgent), item.case_id, item.position)


def work_items(
    session: Session,
    user: User,
    window: WorkWindow,
    *,
    limit: int,
    position: paging.Position = paging.FIRST_PAGE,
) -> list[tuple[str, CaseRef, DueItem, WorkKey]]:
    """My overdue, due-today and due-soon items, soonest first, urgent first on a day, then
    the newer case, from `position` (backwards: the `limit` before it, in the list's order):
    (urgency, case, item, its key). The columns they show, read as values, not objects; the
    client (for the first name beside the reference) joined into the same query."""
    shape = (position.key is not None, position.backwards, limit)
    statement = statement_cache.cached(
        ("work items", *statement_cache.user_key(user), *shape),
        lambda: _work_items_statement(user, *shape),
    )
    params = window.params()
    if position.key is not None:
        params.update(_key_params(position.key))
    rows = [
        (row.urgency, case_ref(row), as_item(row, row.reference), _work_key(row))
        for row in session.execute(statement, params)
    ]
    if position.backwards:
        rows.reverse()
    return rows


def _work_items_statement(user: User, keyed: bool, backwards: bool, limit: int):
    columns = (*REF_COLUMNS, _urgency_sql(_TODAY).label("urgency"), *ITEM_COLUMNS)
    query = with_client(_my_items(user).with_only_columns(*columns))
    if keyed:
        query = query.where(_beyond(backwards))
    # Only the items' own columns, so the index gives the order and the limit stops the scan.
    return query.order_by(*_work_order(backwards)).limit(limit)


def work_page(
    session: Session, user: User, window: WorkWindow, position: paging.Position, size: int
) -> paging.Page:
    """A page of my work list by key, as eip.paging.fetch_page pages the case list: its
    rows are (urgency, case, item)."""
    rows = work_items(session, user, window, limit=size + 1, position=position)
    more = len(rows) > size
    if not position.backwards:
        rows = rows[:size]
        return paging.Page(
            rows=[row[:3] for row in rows],
            next_after=rows[-1][3].token() if more else None,
            prev_before=rows[0][3].token() if position.key is not None and rows else None,
        )
    if len(rows) < size:
        # Back past the start (items were done or added meanwhile): the first page.
        return work_page(session, user, window, paging.FIRST_PAGE, size)
    rows = rows[-size:]
    return paging.Page(
        rows=[row[:3] for row in rows],
        next_after=rows[-1][3].token(),
        prev_before=rows[0][3].token() if more else None,
    )


def open_cases():
    """The open cases, on the partial index ix_cases_open_practitioner_received_at_id. The
    statuses are written into the SQL, not bound: the index has this very condition, and
    the planner (SQLite's above all) uses it only for a query that repeats it."""
    closed = [literal_column(f"'{status}'") for status in sorted(CLOSED)]
    return select(Case.id).where(Case.status.not_in(closed))


def _open_caseload(user: User):
    return visible_cases(user).where(
        Case.allocated_practitioner_id == user.id,
        open_cases().whereclause,
    )


def caseload_page(
    session: Session,
    user: User,
    window: WorkWindow,
    position: paging.Position = paging.FIRST_PAGE,
    per_page: int | None = None,
) -> CaseloadPage:
    """A page of my open cases, newest referrals first, each with its stored due items, by
    key (eip/paging.py) on the partial index of open cases (practitioner, received_at, id):
    the columns the table shows, as the case list reads them."""
    page = paging.fetch_page(
        session,
        lambda: _open_caseload(user),
        listed_cases(),
        Case.received_at,
        Case.id,
        position,
        per_page or PAGE_SIZE,
        kept=(("caseload", *statement_cache.user_key(user)), {}),
    )
    cases = [listed_case(row) for row in page.rows]
    rows = stored_rows(session, cases, window.today, window.extra)
    return CaseloadPage(rows, page.next_after, page.prev_before)
