"""Pieces every pathway service shares: loading a case through the policy, auditing a
change by field names, taking the case's row before a step moves the case on (`lock_case`),
and the commits. The version check and the commit are eip/versioning's (re-exported here for
the pathway services)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from eip import submissions
from eip.audit import record
from eip.auth.models import User
from eip.cases.models import Case
from eip.clock import now, today
from eip.domain import NotAllowed, NotFound, RuleBroken
from eip.formatting import long_date
from eip.policy import can
from eip.programme import current_settings
from eip.versioning import check_version as check_version
from eip.versioning import commit_or_conflict, conflict_message

CONFLICT_MESSAGE = conflict_message("case")


def load_case(session: Session, user: User, reference: str, action: str) -> Case:
    """The case, if this user may do `action` to it. Refusals are audited by the caller's view.
    Its people come in the same query: every case page names the client, and the case page
    the partner and the allocated practitioner (each was a query of its own)."""
    case = session.scalar(_case_statement(), {"reference": reference})
    if case is None:
        raise NotFound("No case has that reference")
    if not can(user, action, case):
        raise NotAllowed("You may not do this on this case")
    return case


@cache
def _case_statement():
    """Built once: building it and its cache key cost more than running it (issue 16)."""
    return (
        select(Case)
        .options(
            joinedload(Case.client),
            joinedload(Case.partner),
            joinedload(Case.allocated_practitioner),
        )
        .where(Case.reference == bindparam("reference"))
    )


def audit_change(
    session: Session,
    user: User,
    case: Case,
    action: str,
    fields: Iterable[str] = (),
    **details,
) -> None:
    """Record a change to case data: field NAMES only, never their values."""
    payload = dict(details)
    names = sorted(set(fields))
    if names:
        payload["fields"] = names
    record(
        session,
        action,
        actor=user,
        object_type="case",
        object_id=case.id,
        case_reference=case.reference,
        details=payload or None,
    )


def not_in_future(value: date | datetime | None, field: str, label: str) -> None:
    if value is None:
        return
    limit = now() if isinstance(value, datetime) else today()
    if value > limit:
        raise RuleBroken(f"{label} cannot be in the future", field=field)


def _a_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def latest_due_date(session: Session) -> tuple[date, str]:
    """The last date an action may be due, and why: a year after the programme ends (a
    year from today once it has ended). A mistyped year such as 9999 would otherwise be
    kept, and every page and reminder run would count working days up to it."""
    end = current_settings(session).programme_end_date
    since, why = (
        (end, "a year after the programme ends")
        if end >= today()
        else (today(), "a year from today")
    )
    limit = _a_year_after(since)
    return limit, f"{long_date(limit)}, {why}"


def lock_case(session: Session, case: Case) -> Case:
    """Take the case's row for this transaction and read it afresh, before a step checks the
    state machine or which record is newest: a second acknowledgement, closure, reopening or
    consultation outcome saved at the same moment then waits, reads what the first left and
    is refused by the same checks as one made a minute later. PostgreSQL takes the row lock
    (`SELECT … FOR UPDATE`); SQLite's transactions already begin IMMEDIATE (eip/db.py)."""
    session.scalars(
        select(Case)
        .where(Case.id == case.id)
        # OF cases: the borough is joined in (lazy="joined"), and PostgreSQL locks no
        # row on the nullable side of an outer join.
        .with_for_update(of=Case)
        .execution_options(populate_existing=True)
    ).one()
    return case


def commit_addition(session: Session, user: User, submission: str | None, kind: str) -> None:
    """An addition's one commit, once its rules have passed. Sent from a form, it claims the
    form's one-time token (eip/submissions) first: the same page sent twice is
    `AlreadySaved`, not a second record, and the unique token index refusing at the commit
    means the other of two clicks saved it a moment ago. `submission` None: not from a form
    (tests, scripts)."""
    if submission is not None:
        submissions.claim(session, user, submission, kind)
    commit_or_conflict(session, Case, duplicate=submissions.AlreadySaved())


def commit(session: Session, record: object = Case) -> None:
    """A pathway service's one commit (eip/versioning: a save beaten by another is a Conflict)."""
    commit_or_conflict(session, record)
