"""A demo subject access request: from the client of an open case with a partner, received
25 days ago and not yet completed, so its due date (one calendar month on) is within the
week and the managers' list and reminders show it."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from eip.audit import record
from eip.auth.models import User
from eip.cases.models import Case
from eip.cases.rules import CLOSED_STATES
from eip.privacy.statutory import due_date
from eip.privacy.subject_access import SubjectAccessRequest


def seed(session: Session, today: date, manager: User) -> SubjectAccessRequest | None:
    case = session.scalars(
        select(Case)
        .where(Case.status.not_in(CLOSED_STATES))
        .where(Case.client_id.is_not(None), Case.partner_id.is_not(None))
        .order_by(Case.id)
    ).first()
    if case is None:
        return None
    received = today - timedelta(days=25)
    request = SubjectAccessRequest(
        person_id=case.client_id,
        case_id=case.id,
        role="client",
        requested_by="The client, by e-mail",
        received_on=received,
        due_on=due_date(received),
        recorded_by_id=manager.id,
    )
    session.add(request)
    session.flush()
    record(
        session,
        "subject_access.recorded",
        actor_label="seed-demo",
        object_type="subject_access_request",
        object_id=request.id,
        case_reference=case.reference,
        details={
            "person": "client",
            "received_on": received.isoformat(),
            "due_on": request.due_on.isoformat(),
        },
    )
    return request
