"""Who is told of a case's events (docs/notifications.md, "Notices"): a late referral waits
for the managers' decision (closed once decided), a case reassigned goes to its new
practitioner, a consent withdrawn to the case's practitioner. Written in the change's own
transaction, with the case reference only (eip/notifications/events.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from eip.cases.models import Case
from eip.clock import now
from eip.notifications import events

LATE_TOPIC = "late_referral"


def _case(case: Case) -> dict:
    return {"case_id": case.id, "case_reference": case.reference}


def late_referral_received(session: Session, actor_id: int | None, case: Case) -> list[int]:
    """Every manager: a late referral waits for the agreement (the case id is flushed)."""
    if case.status != "awaiting_late_agreement":
        return []
    return events.tell(
        session,
        "late_referral_waiting",
        events.managers(session),
        actor_id=actor_id,
        topic=LATE_TOPIC,
        subject=f"case:{case.id}",
        event_key=f"case:{case.id}",
        now=now(),
        **_case(case),
    )


def late_referral_decided(session: Session, case: Case) -> int:
    return events.close_waiting(session, LATE_TOPIC, f"case:{case.id}", now())


def case_reassigned(session: Session, actor_id: int, case: Case, practitioner_id: int) -> list[int]:
    """The new practitioner; the moment names this reassignment (a case may come back)."""
    moment = now()
    return events.tell(
        session,
        "case_reassigned",
        events.practitioners(session, [practitioner_id]),
        actor_id=actor_id,
        topic="case_reassigned",
        subject=f"case:{case.id}",
        event_key=f"case:{case.id}|to:{practitioner_id}|{moment.isoformat()}",
        now=moment,
        **_case(case),
    )


def consent_withdrawn(session: Session, actor_id: int, case: Case, consent_id: int) -> list[int]:
    """The case's practitioner (unless they recorded it themselves)."""
    return events.tell(
        session,
        "consent_withdrawn",
        events.practitioners(session, [case.allocated_practitioner_id]),
        actor_id=actor_id,
        topic="consent_withdrawn",
        subject=f"consent:{consent_id}",
        event_key=f"consent:{consent_id}",
        now=now(),
        **_case(case),
    )
