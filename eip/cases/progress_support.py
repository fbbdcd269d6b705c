"""What the consultation, consent and closure services share: the step and permission
checks, collecting field problems so a form shows them all at once, and the one commit
that turns a concurrent save into the conflict message."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from eip.access import can
from eip.auth.models import User
from eip.cases import rules
from eip.cases.common import today
from eip.cases.models import Case
from eip.cases.records import Consultation
from eip.domain import NotAllowed, RuleBroken
from eip.templating import london_datetime, long_date
from eip.workdays import london_date


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


class Problems:
    """Field problems gathered before anything is written, raised together."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def text(self, field: str, value: str | None, message: str) -> str:
        """The stripped text, or a problem when it is empty."""
        cleaned = (value or "").strip()
        if not cleaned:
            self.add(field, message)
        return cleaned

    def choice(self, field: str, value: str | None, allowed, message: str) -> None:
        if value not in {known for known, _ in allowed}:
            self.add(field, message)

    def date(
        self,
        field: str,
        value: date | None,
        label: str,
        *,
        required: str,
        case: Case | None = None,
        not_future: bool = True,
    ) -> None:
        """A date that must be given, not in the future, and not before the referral."""
        if value is None:
            self.add(field, required)
            return
        if not_future and value > today():
            self.add(field, f"{label} cannot be in the future")
        elif case is not None and case.received_at and value < london_date(case.received_at):
            received = long_date(london_date(case.received_at))
            self.add(field, f"{label} cannot be before the referral was received ({received})")

    def not_before_referral(self, field: str, value: datetime, label: str, case: Case) -> None:
        if case.received_at and value < case.received_at:
            received = london_datetime(case.received_at)
            self.add(field, f"{label} cannot be before the referral was received ({received})")

    def raise_any(self) -> None:
        if self.errors:
            raise RuleBroken(errors=self.errors)
