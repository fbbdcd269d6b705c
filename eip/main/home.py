"""What each role's home page shows first (JOURNEYS.md)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from eip.admin.models import ApprovalRequest
from eip.audit import AuditEvent, is_account_event
from eip.auth.models import User
from eip.cases.deadlines import DUE_SOON, DUE_TODAY, OVERDUE
from eip.cases.models import Case
from eip.models import Borough
from eip.policy import visible_cases
from eip.programme import current_settings
from eip.roles import Role


def _practitioner(session: Session, user: User) -> dict[str, Any]:
    """My open cases with what is overdue, due today and due in the next 2 working days."""
    from eip.cases.queries import caseload, deadline_settings
    from eip.clock import today

    now = today()
    rows = caseload(session, user, now)
    extra = deadline_settings(session).extra_non_working_days
    groups: dict[str, list] = {OVERDUE: [], DUE_TODAY: [], DUE_SOON: []}
    for row in rows:
        for item in row.due:
            urgency = item.urgency(now, extra)
            if urgency in groups:
                groups[urgency].append((row.case, item))
    for items in groups.values():
        items.sort(key=lambda pair: (pair[1].due_on, not pair[1].urgent))
    return {"caseload": rows, "due_groups": groups}


def _manager(session: Session, user: User) -> dict[str, Any]:
    by_status = session.execute(
        select(Case.status, func.count()).group_by(Case.status).order_by(Case.status)
    ).all()
    by_borough = session.execute(
        select(Borough.name, func.count(Case.id))
        .join(Case, Case.borough_id == Borough.id)
        .group_by(Borough.name)
        .order_by(Borough.name)
    ).all()
    pending = session.scalar(
        select(func.count()).select_from(ApprovalRequest).where(ApprovalRequest.status == "pending")
    )
    from eip.cases.assignment import without_practitioner

    return {
        "by_status": by_status,
        "by_borough": by_borough,
        "pending_approvals": pending,
        "without_practitioner": len(without_practitioner(session)),
    }


def _spoc(session: Session, user: User) -> dict[str, Any]:
    """What is waiting for my decision, oldest first; my borough's placements and spend;
    then my borough's cases (accommodation.placements.queue_page.spoc_home)."""
    from accommodation.placements.queue_page import spoc_home

    cases = session.scalars(visible_cases(user).order_by(Case.created_at.desc())).all()
    return {**spoc_home(session, user), "borough_cases": cases}


def _finance(session: Session, user: User) -> dict[str, Any]:
    """How much is committed, spent and left, and what will still be invoiced: the budget's
    figures and chart, and the unpaid invoices (accommodation.budget.views, finance.views)."""
    from accommodation.budget import chart as budget_chart
    from accommodation.budget import queries as budget_queries
    from accommodation.finance.views import invoice_rows
    from eip.clock import today

    on = today()
    result, data = budget_queries.build(session, user, on)
    pot = data.settings.pot_pence
    # Finance's working list: what is waiting to be paid, oldest first.
    unpaid = [row for row in invoice_rows(session, user, on) if row["unpaid"] > 0]
    return {
        "settings": current_settings(session),
        "budget": result,
        "chart": budget_chart.pot_chart(result.burn_down, result.spend, pot, on),
        "unpaid_invoices": unpaid,
        "unpaid_total": sum(row["unpaid"] for row in unpaid),
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


def for_role(session: Session, user: User) -> dict[str, Any]:
    return BUILDERS[Role(user.role)](session, user)
