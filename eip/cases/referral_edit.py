"""Correcting a referral: every field but the borough (fixed for the life of the case)
and the reference. The form carries the referral details' own version
(`Case.referral_version`), so a second person's stale save is a Conflict, not a silent
overwrite, while a consent, a closure or an addition meanwhile refuses nothing; the audit
names the changed fields only."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from eip.auth.models import User
from eip.cases.child_services import match_count
from eip.cases.common import audit_change, check_version, commit, lock_case
from eip.cases.models import Case, Person
from eip.cases.records import LateReferralDecision
from eip.cases.referral_rules import CASE_COLUMNS, CLIENT_COLUMNS, PARTNER_COLUMNS, ReferralDetails
from eip.cases.referral_services import (
    check_details,
    fill_person,
    starting_status,
)
from eip.cases.rules import CLOSED_CASE, CLOSED_STATES, NOT_ACCEPTED_CASE
from eip.domain import NotAllowed, RuleBroken
from eip.policy import can


def current_details(case: Case) -> ReferralDetails:
    """What the case records now, in the shape the forms and checks use."""
    details = ReferralDetails()
    for detail, column in CASE_COLUMNS.items():
        setattr(details, detail, getattr(case, column))
    for person, columns in ((case.client, CLIENT_COLUMNS), (case.partner, PARTNER_COLUMNS)):
        if person is not None:
            for detail, column in columns.items():
                setattr(details, detail, getattr(person, column))
    return details


def _received_change_problem(session: Session, case: Case, details: ReferralDetails) -> str | None:
    """A new received time may not come after the acknowledgement, and may change whether
    the referral is late only while nobody has decided on it."""
    if case.acknowledged_at is not None and details.received_at > case.acknowledged_at:
        return "The time received cannot be after the referral was acknowledged"
    late = starting_status(session, details) == "awaiting_late_agreement"
    if late == case.late_referral:
        return None
    decided = session.scalar(
        select(LateReferralDecision.id).where(LateReferralDecision.case_id == case.id).limit(1)
    )
    if case.status not in ("referred", "awaiting_late_agreement") or decided is not None:
        return (
            "This date would change whether the referral is late, which can no longer "
            "change at this stage of the case"
        )
    return None


def update_referral(
    session: Session, user: User, case: Case, *, version: int | str | None, details: ReferralDetails
) -> list[str]:
    """Correct the referral's details (not its borough or reference). Returns the names of
    the fields that changed; nothing is written when none did."""
    if not can(user, "case.edit", case):
        raise NotAllowed("You may not change this case")
    lock_case(session, case)
    check_version(
        case, version, attr="referral_version", actions=("case.updated",), noun="referral"
    )
    if case.status in CLOSED_STATES:
        raise RuleBroken(CLOSED_CASE if case.status == "closed" else NOT_ACCEPTED_CASE)
    details = check_details(
        session, replace(details, borough_id=case.borough_id), check_borough=False
    )
    before = current_details(case)
    changed = [
        name for name in ReferralDetails.names() if getattr(before, name) != getattr(details, name)
    ]
    if not changed:
        return []
    if "received_at" in changed:
        problem = _received_change_problem(session, case, details)
        if problem:
            raise RuleBroken(problem, field="received_time")
        late = starting_status(session, details) == "awaiting_late_agreement"
        if late != case.late_referral:
            case.late_referral = late
            acknowledged = case.acknowledged_at is not None
            case.status = (
                "awaiting_late_agreement"
                if late
                else ("acknowledged" if acknowledged else "referred")
            )
    if "children_count" in changed:
        match_count(session, case, details.children_count, recorded_by_id=user.id)
    for detail, column in CASE_COLUMNS.items():
        setattr(case, column, getattr(details, detail))
    for who, columns in (("client", CLIENT_COLUMNS), ("partner", PARTNER_COLUMNS)):
        person = getattr(case, who)
        if person is None:
            person = Person()
            session.add(person)
            setattr(case, who, person)
        fill_person(person, details, columns, keep_old=False)
    audit_change(session, user, case, "case.updated", fields=changed)
    case.referral_version += 1
    commit(session)
    return changed
