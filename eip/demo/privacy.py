"""Data requests in the demo (`make run`): one erasure request waiting for a manager's
decision, and one granted and carried out, so that a closed case shows what anonymisation
leaves (its references, dates, DASH and money; no names, contacts or free text). Made
through the real services, so the audit trail holds them. Every person here is made up."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from accommodation.models import Placement
from eip.auth.models import User
from eip.cases.models import Case
from eip.privacy import requests


def _only_case_of_its_people(session: Session, case: Case) -> bool:
    """Whether nobody on the case is on another (the demo's re-referral stays linked)."""
    ids = [i for i in (case.client_id, case.partner_id) if i is not None]
    others = session.scalar(
        select(func.count())
        .select_from(Case)
        .where(Case.id != case.id, or_(Case.client_id.in_(ids), Case.partner_id.in_(ids)))
    )
    return not others


def seed(session: Session, *, manager: User, today: date) -> None:
    closed = session.scalars(
        select(Case)
        .where(
            Case.status == "closed",
            ~select(Placement.id).where(Placement.case_id == Case.id).exists(),
        )
        .order_by(Case.id.desc())
    ).all()
    erased = next(c for c in closed if _only_case_of_its_people(session, c))
    granted = requests.record_request(
        session,
        manager,
        reference=erased.reference,
        person_role="client",
        asked_by="client",
        kind="erasure",
        what="Asked in writing for everything held about them to be erased now that "
        "the case is closed.",
        received_on=today - timedelta(days=12),
        today=today,
    )
    requests.decide(
        session,
        manager,
        granted.id,
        decision="granted",
        reason="Closed, no child on the case, nothing to keep it for.",
        version=granted.version,
    )
    waiting = next(c for c in closed if c.id != erased.id)
    requests.record_request(
        session,
        manager,
        reference=waiting.reference,
        person_role="partner",
        asked_by="representative",
        kind="erasure",
        what="Their solicitor asks for the partner's details to be erased.",
        received_on=today - timedelta(days=20),
        today=today,
    )
