"""Who looks after a case: a manager reassigns it to another active practitioner, with a
reason (audited; the new practitioner is told), and sees the open cases that nobody active
looks after (their practitioner's account was disabled, or none was allocated).

DOMAIN.md: managers may see every case; the admin who disables an account sees only how many
open cases it held (`open_case_count`), never which.
"""

from __future__ import annotations

from sqlalchemy import Integer, cast, func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from eip.audit import record
from eip.auth.models import User
from eip.cases import notices
from eip.cases.common import commit, lock_case
from eip.cases.models import Case
from eip.cases.rules import CLOSED_STATES
from eip.domain import NotAllowed, RuleBroken
from eip.policy import can
from eip.problems import Problems
from eip.roles import Role

REASON_MAX = 500


def active_practitioners(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .where(User.role == Role.PRACTITIONER.value, User.active.is_(True))
            .order_by(User.name, User.id)
        )
    )


def _open():
    return Case.status.not_in(CLOSED_STATES)


def open_case_count(session: Session, practitioner_id: int) -> int:
    """How many open cases this user looks after: a number only, for the admin."""
    return (
        session.scalar(
            select(func.count(Case.id)).where(
                Case.allocated_practitioner_id == practitioner_id, _open()
            )
        )
        or 0
    )


def _without_practitioner_query():
    allocated = aliased(User)
    return (
        select(Case)
        .outerjoin(allocated, Case.allocated_practitioner_id == allocated.id)
        .where(
            _open(),
            or_(
                Case.allocated_practitioner_id.is_(None),
                allocated.active.is_(False),
                allocated.role != Role.PRACTITIONER.value,
            ),
        )
    )


def without_practitioner(session: Session) -> list[Case]:
    """Open cases with no active practitioner, oldest referral first (managers only)."""
    return list(
        session.scalars(
            _without_practitioner_query()
            .options(selectinload(Case.allocated_practitioner))
            .order_by(Case.received_at, Case.id)
        )
    )


def count_without_practitioner(session: Session) -> int:
    """How many open cases have no active practitioner: the manager's home shows the number
    (one count, no rows) and links to the list."""
    query = _without_practitioner_query().with_only_columns(
        func.count(), maintain_column_froms=True
    )
    return session.scalar(query) or 0


def capped_without_practitioner():
    """The same count as `count_without_practitioner`, as a scalar subquery read no further
    than `paging.COUNT_CAP` rows a part, each part a range of the partial index of open cases
    (practitioner first): the unallocated ones, and those of each inactive or
    no-longer-practitioner account (few), one account at a time. Not `IN (those accounts)`:
    PostgreSQL then hashes the accounts and reads every open case (73,000 index entries at
    100,000 cases) looking for the cap's worth that a left account rarely has. Past the cap
    the sum is still at least the cap, so `count_text` says "1,000 or more" alike (cast: a
    sum is a decimal on PostgreSQL)."""
    from eip import paging
    from eip.cases.queries import open_cases

    gone = aliased(User)
    unallocated = paging.capped(open_cases().where(Case.allocated_practitioner_id.is_(None)))
    held = open_cases().where(Case.allocated_practitioner_id == gone.id).correlate(gone)
    left = (
        select(cast(func.coalesce(func.sum(paging.capped(held)), 0), Integer))
        .where(or_(gone.active.is_(False), gone.role != Role.PRACTITIONER.value))
        .scalar_subquery()
    )
    return unallocated + left


def check_reassignment(
    session: Session, case: Case, *, practitioner_id: int | None, reason: str | None
) -> tuple[User, str]:
    """The chosen practitioner and the reason, or every problem at once (writes nothing)."""
    if case.status in CLOSED_STATES:
        raise RuleBroken("The case is closed: reopen it before reassigning it")
    problems = Problems()
    chosen = session.get(User, practitioner_id) if practitioner_id is not None else None
    if chosen is None:
        problems.add("practitioner", "Select the practitioner who will look after the case")
    elif not chosen.active or chosen.role != Role.PRACTITIONER.value:
        problems.add("practitioner", "Select an active practitioner")
    elif chosen.id == case.allocated_practitioner_id:
        problems.add("practitioner", "The case is already allocated to this practitioner")
    why = problems.text("reason", reason, "Enter the reason for reassigning the case")
    if len(why) > REASON_MAX:
        problems.add("reason", f"The reason must be {REASON_MAX} characters or fewer")
    problems.raise_any()
    assert chosen is not None
    return chosen, why


def reassign(
    session: Session, user: User, case: Case, *, practitioner_id: int | None, reason: str | None
) -> User:
    """Give the open case to another active practitioner. Returns the new practitioner."""
    if not can(user, "case.reassign", case):
        raise NotAllowed("Only a programme manager reassigns cases")
    lock_case(session, case)
    chosen, why = check_reassignment(session, case, practitioner_id=practitioner_id, reason=reason)
    before = case.allocated_practitioner_id
    case.allocated_practitioner_id = chosen.id
    # The practitioner is one of the referral's details: a referral form open elsewhere
    # must not silently put the old practitioner back.
    case.referral_version += 1
    record(
        session,
        "case.reassigned",
        actor=user,
        object_type="case",
        object_id=case.id,
        case_reference=case.reference,
        reason=why,
        details={"from_user_id": before, "to_user_id": chosen.id},
    )
    notices.case_reassigned(session, user.id, case, chosen.id)
    commit(session)
    return chosen
