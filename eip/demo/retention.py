"""Demo data for the retention review: two cases of an earlier (fictional) pilot, closed
seven years ago, so that the managers' review lists one case past retention and shows
another kept under a legal hold. They carry no referral date and no people: the programme's
figures, equality counts and evaluation extracts are its own referrals', unchanged."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from eip.audit import record
from eip.auth.models import User
from eip.cases.models import Case
from eip.models import Borough
from eip.privacy.retention_models import RetentionHold
from eip.privacy.rules import add_years
from eip.workdays import LONDON

HOLD_REASON = "A civil claim about the placement is open: keep until it is settled"


def _at(day: date) -> datetime:
    return datetime.combine(day, time(11), tzinfo=LONDON)


def seed(session: Session, today: date, manager: User) -> tuple[Case, Case]:
    """The case awaiting review and the case under a legal hold."""
    camden = session.scalar(select(Borough).where(Borough.name == "Camden"))
    closed_on = add_years(today, -7)
    made = []
    for number in (901, 902):
        case = Case(
            reference=f"EIP-{closed_on.year}-{number:04d}",
            borough_id=camden.id,
            status="closed",
            status_before_closure="active",
            closed_at=_at(closed_on),
            closure_outcome="completed",
        )
        session.add(case)
        made.append(case)
    session.flush()
    held = made[1]
    hold = RetentionHold(
        case_id=held.id, reason=HOLD_REASON, placed_by_id=manager.id, placed_at=_at(today)
    )
    session.add(hold)
    session.flush()
    record(
        session,
        "retention.hold_placed",
        actor=manager,
        object_type="retention_hold",
        object_id=hold.id,
        case_reference=held.reference,
        reason=HOLD_REASON,
    )
    return made[0], held
