"""What each role's home page shows first (JOURNEYS.md)."""

from __future__ import annotations

import functools
from typing import Any

from flask import get_template_attribute, request
from markupsafe import Markup
from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session, selectinload

from eip import paging
from eip.admin.models import ApprovalRequest
from eip.audit import AuditEvent, is_account_event
from eip.auth.models import User
from eip.cases import due_store
from eip.cases.deadlines import DUE_SOON, DUE_TODAY, OVERDUE
from eip.cases.models import Case, CaseTally
from eip.models import Borough
from eip.policy import visible_cases
from eip.roles import Role


def _practitioner(
    session: Session, user: User, position: paging.Position = paging.FIRST_PAGE
) -> dict[str, Any]:
    """What of mine is overdue, due today and due in the next 2 working days, from the
    stored due items with a limit (the rest on the work list), and a page of my open
    cases: a fixed number of rows and queries however many cases I hold."""
    from eip.cases.queries import HOME_DUE_LIMIT, caseload_page, work_counts, work_items
    from eip.cases.queries import work_window as window_of
    from eip.clock import today

    window = window_of(session, today())
    groups: dict[str, list] = {OVERDUE: [], DUE_TODAY: [], DUE_SOON: []}
    for urgency, case, item, _key in work_items(session, user, window, limit=HOME_DUE_LIMIT):
        groups[urgency].append((case, item))
    counts = work_counts(session, user, window)
    return {
        "due_refresh": due_store.progress(session),
        "due_groups": groups,
        "due_counts": counts,
        "due_more": sum(counts.values()) > sum(len(items) for items in groups.values()),
        "caseload": caseload_page(session, user, window, position),
    }


WORK_PAGE_SIZE = 50


def work_list(session: Session, user: User, position: paging.Position) -> dict[str, Any]:
    """A page of my overdue, due-today and due-soon items, in the home page's order, by
    key from `position` ("next"/"previous", no page numbers), with the counts capped."""
    from eip.cases.queries import work_counts, work_page, work_window
    from eip.clock import today

    window = work_window(session, today())
    return {
        "due_refresh": due_store.progress(session),
        "work": work_page(session, user, window, position, WORK_PAGE_SIZE),
        "counts": work_counts(session, user, window),
    }


@functools.cache
def _counts_statement():
    # Built once: building these selects cost the manager's home more than running them.
    tallies = select(CaseTally.status, Borough.name.label("borough"), CaseTally.n).join(
        Borough, Borough.id == CaseTally.borough_id
    )
    tallies = tallies.where(CaseTally.n > 0).subquery()
    by_status = select(
        literal("status").label("kind"), tallies.c.status.label("name"), func.sum(tallies.c.n)
    ).group_by(tallies.c.status)
    by_borough = select(
        literal("borough").label("kind"), tallies.c.borough.label("name"), func.sum(tallies.c.n)
    ).group_by(tallies.c.borough)
    both = union_all(by_status, by_borough).subquery()
    return select(both).order_by(both.c.kind.desc(), both.c.name)


def case_counts(session: Session) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """Every case counted by status and by borough name, each in name order, leaving out
    those with none: from the running tallies (CaseTally), in one statement of a few rows
    however many cases there are."""
    rows = session.execute(_counts_statement()).all()
    return (
        [(name, count) for kind, name, count in rows if kind == "status"],
        [(name, count) for kind, name, count in rows if kind == "borough"],
    )


@functools.cache
def _waiting_for_manager_statement():
    """The pending account approvals and the open cases with no active practitioner
    (capped), side by side: built once."""
    from eip.cases.assignment import capped_without_practitioner

    pending = (
        select(func.count())
        .select_from(ApprovalRequest)
        .where(ApprovalRequest.status == "pending")
        .scalar_subquery()
    )
    return select(pending, capped_without_practitioner())


def _manager(session: Session, user: User) -> dict[str, Any]:
    """The programme's cases by status and by borough, exact from the running tallies
    (CaseTally), and what waits for a manager, the open unallocated cases read no further
    than `paging.COUNT_CAP` rows of their index: the page costs the same at any number of
    cases. The monthly report's form is the same for every manager: drawn once."""
    by_status, by_borough = case_counts(session)
    pending_approvals, without = session.execute(_waiting_for_manager_statement()).one()
    return {
        "by_status": by_status,
        "by_borough": by_borough,
        "pending_approvals": pending_approvals,
        "without_practitioner": without,
        "monthly_report_form": _monthly_report_form,
    }


def _monthly_report_form() -> Markup:
    """The monthly report's form, empty: the same for everyone, so drawn once per app and
    address (its GOV.UK date boxes and buttons were a fifth of the manager's home)."""
    from accommodation.budget import memo

    def draw() -> Markup:
        return get_template_attribute("reports/monthly_macros.html", "monthly_report_form")()

    return memo.kept(("monthly report form", request.script_root), draw)


def _spoc(session: Session, user: User) -> dict[str, Any]:
    """What is waiting for my decision, oldest first; my borough's placements and spend;
    then my borough's cases (accommodation.placements.queue_page.spoc_home)."""
    from accommodation.placements.queue_page import HOME_LIMIT, spoc_home

    # The borough's count rides on its newest cases' query, as a subquery of the borough's
    # running tallies (CaseTally): a few rows, however many cases the borough holds. Only
    # the columns the table shows, as plain rows: loading Case entities (eighty columns,
    # each borough joined) cost the page more than the query.
    total = (
        select(func.coalesce(func.sum(CaseTally.n), 0))
        .where(CaseTally.borough_id == user.borough_id)
        .scalar_subquery()
    )
    shown = visible_cases(user).with_only_columns(
        Case.reference,
        Case.status,
        Case.created_at,
        Borough.name.label("borough_name"),
        total,
    )
    rows = session.execute(
        shown.join(Borough, Borough.id == Case.borough_id)
        .order_by(Case.created_at.desc(), Case.id.desc())
        .limit(HOME_LIMIT)
    ).all()
    cases = rows
    return {
        **spoc_home(session, user, HOME_LIMIT),
        "borough_cases": cases,
        "borough_cases_total": rows[0][4] if rows else 0,
    }


FINANCE_UNPAID_SHOWN = 5


def _finance(session: Session, user: User) -> dict[str, Any]:
    """How much is committed, spent and left, and what will still be invoiced: the budget's
    figures and chart, and the unpaid invoices (accommodation.budget.views, finance.views)."""
    from accommodation.budget import queries as budget_queries
    from accommodation.budget.views import kept_chart
    from accommodation.finance.views import unpaid_invoices
    from eip.clock import today

    on = today()
    result, data = budget_queries.build(session, user, on)
    pot = data.settings.pot_pence
    # Finance's working list: what is waiting to be paid, the oldest few (all on the
    # invoices page).
    unpaid, unpaid_count, unpaid_total = unpaid_invoices(
        session, user, on, FINANCE_UNPAID_SHOWN, kept_under=data.key
    )
    return {
        "settings": data.settings,
        "budget": result,
        "forecast": budget_queries.forecast_of(session, result, data),
        "chart": kept_chart(result, data.key, pot, on),
        "unpaid_invoices": unpaid,
        "unpaid_count": unpaid_count,
        "unpaid_total": unpaid_total,
        "overdue_days": data.settings.invoice_unpaid_days,
    }


def _evaluator(session: Session, user: User) -> dict[str, Any]:
    """The released extracts, newest first: what an evaluator comes for (JOURNEYS.md)."""
    from evaluation.services import listing

    return {"extracts": listing(session, user)}


def _admin(session: Session, user: User) -> dict[str, Any]:
    by_role = dict(
        session.execute(
            select(User.role, func.count()).where(User.active.is_(True)).group_by(User.role)
        ).all()
    )
    invited = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.password_hash.is_(None), User.active.is_(True))
    )
    recent = session.scalars(
        select(AuditEvent)
        .options(selectinload(AuditEvent.actor))  # the actors named, in one query
        .where(is_account_event())
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(10)
    ).all()
    return {
        "by_role": [(role, by_role.get(role.value, 0)) for role in Role],
        "awaiting_role": by_role.get(None, 0),
        "invited": invited,
        "recent_events": recent,
    }


BUILDERS = {
    Role.PRACTITIONER: _practitioner,
    Role.MANAGER: _manager,
    Role.SPOC: _spoc,
    Role.FINANCE: _finance,
    Role.EVALUATOR: _evaluator,
    Role.ADMIN: _admin,
}


def for_role(
    session: Session, user: User, position: paging.Position = paging.FIRST_PAGE
) -> dict[str, Any]:
    """The role's home page; `position` is where the practitioner's open cases start."""
    role = Role(user.role)
    if role is Role.PRACTITIONER:
        return _practitioner(session, user, position)
    return BUILDERS[role](session, user)
