"""Rectification and erasure requests: recorded by a practitioner or a manager, decided by
a manager. A granted erasure anonymises the case in place (eip.privacy.anonymise: the ledger
and every figure stay whole); a granted rectification is carried out through the case's own
edit pages and then recorded as done. Every step is audited, with no values."""

from __future__ import annotations

import calendar
from datetime import date

from sqlalchemy import case as sql_case
from sqlalchemy import select
from sqlalchemy.orm import Session

from eip import audit
from eip.auth.models import User
from eip.cases.models import Case
from eip.clock import now as clock_now
from eip.domain import Conflict, NotAllowed, NotFound, RuleBroken
from eip.policy import can
from eip.privacy.anonymise import anonymise_case
from eip.privacy.models import DataRequest

KINDS = {"rectification": "Rectification (correct their data)", "erasure": "Erasure"}
PERSONS = {"client": "The client", "partner": "The partner"}
ASKED_BY = {
    "client": "The client",
    "partner": "The partner",
    "representative": "Someone acting for them (a solicitor or advocate)",
}
DECISIONS = {"granted": "Grant", "refused": "Refuse"}
WHAT_MAX = 2000


def due_on(received_on: date) -> date:
    """One calendar month from receipt; the month's last day when it is shorter (a request
    received on 31 January is due on 28 or 29 February), as the ICO counts it."""
    year = received_on.year + received_on.month // 12
    month = received_on.month % 12 + 1
    return date(year, month, min(received_on.day, calendar.monthrange(year, month)[1]))


def state(request: DataRequest, today: date) -> str:
    """What a list shows of a request."""
    if request.decision == "refused":
        return "Refused"
    if request.done_at is not None:
        return "Erased (anonymised)" if request.kind == "erasure" else "Corrected"
    if request.decision == "granted":
        return "Granted: correction to make"
    return "Overdue" if today > request.due_on else "Waiting for a decision"


def record_request(
    session: Session,
    user: User,
    *,
    reference: str,
    person_role: str,
    asked_by: str,
    kind: str,
    what: str,
    received_on: date,
    today: date,
) -> DataRequest:
    if not can(user, "privacy.record"):
        raise NotAllowed("You may not record a data request")
    case = session.scalar(select(Case).where(Case.reference == reference.strip().upper()))
    if case is None or not can(user, "case.view", case):
        raise RuleBroken("Enter the reference of a case you can see", field="reference")
    if received_on > today:
        raise RuleBroken("The date received cannot be in the future", field="received_on")
    if kind == "erasure" and case.anonymised_at is not None:
        raise RuleBroken(f"Case {case.reference} has already been anonymised", field="kind")
    request = DataRequest(
        case_id=case.id,
        person_role=person_role,
        asked_by=asked_by,
        kind=kind,
        what=what,
        received_on=received_on,
        due_on=due_on(received_on),
        recorded_by_id=user.id,
    )
    session.add(request)
    session.flush()
    _audit(session, user, "privacy.request_recorded", request, fields=["kind", "what"])
    session.commit()
    return request


def get(session: Session, user: User, request_id: int) -> DataRequest:
    if not can(user, "privacy.requests"):
        raise NotAllowed("You may not see data requests")
    request = session.get(DataRequest, request_id)
    if request is None:
        raise NotFound("No such request")
    return request


def listing(session: Session, user: User) -> list[DataRequest]:
    """Open requests first, the soonest due first; then the answered ones, newest first."""
    if not can(user, "privacy.requests"):
        raise NotAllowed("You may not see data requests")
    answered = sql_case(
        (DataRequest.decision == "refused", 1), (DataRequest.done_at.is_not(None), 1), else_=0
    )
    return list(
        session.scalars(
            select(DataRequest).order_by(answered, DataRequest.due_on, DataRequest.id.desc())
        )
    )


def decide(
    session: Session, user: User, request_id: int, *, decision: str, reason: str, version: int
) -> DataRequest:
    """The manager's decision. A granted erasure is carried out at once, in the same
    transaction: the case is anonymised (its ledger, placements and figures kept whole)."""
    if not can(user, "privacy.decide"):
        raise NotAllowed("Only a manager may decide a data request")
    request = get(session, user, request_id)
    if request.version != version:
        raise Conflict("Someone else changed this request meanwhile: read it again")
    if request.decision is not None:
        raise Conflict("This request has already been decided")
    request.decision = decision
    request.decision_reason = reason
    request.decided_at = clock_now()
    request.decided_by_id = user.id
    _audit(session, user, "privacy.request_decided", request, fields=["decision"])
    if decision == "granted" and request.kind == "erasure":
        request.done_at, request.done_by_id = request.decided_at, user.id
        session.flush()
        anonymise_case(session, user, request.case, reason=f"Erasure request {request.id} granted")
    session.commit()
    return request


def record_corrected(session: Session, user: User, request_id: int, *, version: int) -> DataRequest:
    """A granted rectification, carried out on the case's edit pages, recorded as done."""
    if not can(user, "privacy.record"):
        raise NotAllowed("You may not record a data request")
    request = get(session, user, request_id)
    if request.version != version:
        raise Conflict("Someone else changed this request meanwhile: read it again")
    if request.kind != "rectification" or request.decision != "granted" or request.done_at:
        raise Conflict("Only a granted rectification not yet done can be recorded as done")
    request.done_at, request.done_by_id = clock_now(), user.id
    _audit(session, user, "privacy.request_done", request, fields=["done_at"])
    session.commit()
    return request


def _audit(session: Session, user: User, action: str, request: DataRequest, *, fields) -> None:
    audit.record(
        session,
        action,
        actor=user,
        object_type="data_request",
        object_id=request.id,
        case_reference=request.case.reference if request.case else None,
        details={"fields": fields},
    )
