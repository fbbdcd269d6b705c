"""What the consultation, consent and closure services share: the step and permission
checks, collecting field problems so a form shows them all at once, and the one commit
that turns a concurrent save into the conflict message."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from eip.auth.models import User
from eip.cases import rules
from eip.cases.models import Case
from eip.cases.records import Consultation
from eip.domain import NotAllowed, RuleBroken
from eip.policy import can


def require(user: User, action: str, case: Case) -> None:
    """The access policy again, for callers that did not come through a view."""
    if not can(user, action, case):
        raise NotAllowed("You may not do this on this case")


def step_refusal(case: Case, action: str) -> str | None:
    """Why the state machine does not allow `action` now, or None when it does."""
    if case.status in rules.TRANSITIONS[action]:
        return None
    return rules.refusal_reason(case.status, action)


def require_step(case: Case, action: str) -> None:
    reason = step_refusal(case, action)
    if reason:
        raise RuleBroken(reason)


def closed_refusal(case: Case) -> str | None:
    """Why nothing new may be added to this case, or None while it is open."""
    if case.status == "closed":
        return rules.CLOSED_CASE
    if case.status == "not_accepted":
        return rules.NOT_ACCEPTED_CASE
    return None


def require_open(case: Case) -> None:
    reason = closed_refusal(case)
    if reason:
        raise RuleBroken(reason)


def held_consultation(session: Session, case: Case) -> Consultation | None:
    """The consultation that decided the case's outcome: the latest one held."""
    return session.scalar(
        select(Consultation)
        .where(Consultation.case_id == case.id, Consultation.held_on.is_not(None))
        .order_by(Consultation.held_on.desc(), Consultation.id.desc())
        .limit(1)
    )


def latest_held(consultations: Iterable[Consultation]) -> Consultation | None:
    """`held_consultation` from the case's consultations already read (the case page's)."""
    held = [c for c in consultations if c.held_on is not None]
    return max(held, key=lambda c: (c.held_on, c.id), default=None)
