"""Managers' decisions on role grants, e-mail changes and re-enabling (DOMAIN.md: a role
that sees personal data needs a manager's approval besides the admin's action; and the
administrator alone must not be able to take over any account).

Approving applies the change in the same transaction as the decision and its
audit event. Nobody decides a request about their own account.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from eip.admin import rules
from eip.admin.changes import (
    Outbox,
    apply_email_change,
    approval_decided,
    atomic,
    commit,
    email_taken,
    now_or,
)
from eip.admin.changes import locked_user as _locked_user
from eip.admin.models import ApprovalRequest
from eip.audit import record
from eip.auth.models import User
from eip.domain import Conflict, NotAllowed, NotFound, RuleBroken
from eip.roles import Role

NOTE_MAX = 500


def approvals(session: Session, recent: int = 20) -> tuple[list[ApprovalRequest], list]:
    """Pending requests, oldest first, and the latest decisions."""
    pending = session.scalars(
        select(ApprovalRequest)
        .where(ApprovalRequest.status == "pending")
        .order_by(ApprovalRequest.requested_at, ApprovalRequest.id)
    )
    decided = session.scalars(
        select(ApprovalRequest)
        .where(ApprovalRequest.status != "pending")
        .order_by(ApprovalRequest.decided_at.desc(), ApprovalRequest.id.desc())
        .limit(recent)
    )
    return list(pending), list(decided)


def approval(session: Session, request_id: int) -> ApprovalRequest:
    request = session.get(ApprovalRequest, request_id)
    if request is None:
        raise NotFound("No such request")
    return request


def may_decide(actor: User, request: ApprovalRequest) -> bool:
    """A manager, and the request is neither about them nor asked by them."""
    return actor.has_role(Role.MANAGER) and actor.id not in (
        request.user_id,
        request.requested_by_id,
    )


def _approve(session: Session, request: ApprovalRequest, user: User, now, outbox) -> dict:
    if request.kind == "enable":
        if user.active:
            raise RuleBroken("This account is already active: reject the request")
        user.active, user.disabled_at = True, None
        return {"enabled": True}
    if not user.active:
        raise RuleBroken("This account is disabled: reject the request instead")
    if request.kind == "role":
        before = user.role
        user.role, user.borough_id = request.requested_role, request.requested_borough_id
        return {"role": user.role, "previous_role": before}
    email = rules.normalise_email(request.requested_email or "")
    if email_taken(session, email, user.id):
        raise RuleBroken("Another account now uses this email address: reject the request")
    apply_email_change(session, user, email, now, outbox)
    return {"fields": ["email"]}


@atomic
def decide(
    session: Session,
    actor: User,
    request_id: int,
    *,
    approve: bool,
    note: str | None = None,
    now: datetime | None = None,
) -> bool:
    """Approve (the change takes effect now) or reject. Returns False if an e-mail
    the change sends could not be sent."""
    now = now_or(now)
    request = session.get(ApprovalRequest, request_id, with_for_update=True, populate_existing=True)
    if request is None:
        raise NotFound("No such request")
    if not may_decide(actor, request):
        raise NotAllowed("Nobody may decide a change to their own account")
    if request.status != "pending":
        raise Conflict("This request has already been decided or withdrawn")
    note = (note or "").strip() or None
    if note and len(note) > NOTE_MAX:
        raise RuleBroken(f"The note must be {NOTE_MAX} characters or fewer", field="note")
    user = _locked_user(session, request.user_id)
    outbox = Outbox()
    details: dict = {"request_id": request.id, "kind": request.kind}
    if approve:
        details.update(_approve(session, request, user, now, outbox))
    request.status = "approved" if approve else "rejected"
    request.decided_by_id, request.decided_at, request.decision_note = actor.id, now, note
    approval_decided(session, request, now)
    record(
        session,
        "account.approval_approved" if approve else "account.approval_rejected",
        actor=actor,
        object_type="user",
        object_id=user.id,
        details=details,
        reason=note,
    )
    commit(session)
    return outbox.deliver()
