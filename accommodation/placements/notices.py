"""Who is told of a placement request and its decisions (docs/notifications.md, "Notices").

- A request, or an extension request, waits for the borough's SPOCs: each active SPOC of the
  placement's borough is told, and the notice closes when the request is decided (by anyone,
  including the practitioner withdrawing it), so nobody is sent to finished work.
- A decision (approved, refused, money run out; an extension approved or declined) is told
  to the practitioner who asked and to every manager.

Called by the services in the decision's own transaction; the notices carry the case
reference and the placement number only (eip/notifications/events.py).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from accommodation.models import Placement, PlacementExtension
from eip.auth.models import User
from eip.clock import now
from eip.notifications import events

REQUEST_TOPIC, EXTENSION_TOPIC = "placement_request", "extension_request"
# A request's outcome -> the kind told to the practitioner and the managers (None: the
# practitioner closed it themselves, e.g. withdrew it; only the SPOCs' notices close).
OUTCOME_KINDS = {
    "approve": "placement_approved",
    "decline": "placement_refused",
    "record_no_accommodation": "placement_refused",
    "record_pot_exhausted": "placement_pot_exhausted",
}


def _subject(placement: Placement) -> str:
    return f"placement:{placement.id}"


def _about(placement: Placement) -> dict:
    return {
        "case_id": placement.case_id,
        "case_reference": placement.case.reference,
        "placement_id": placement.id,
    }


def request_made(session: Session, user: User, placement: Placement) -> list[int]:
    """The borough's SPOCs are told a request is waiting (placement id already flushed)."""
    return events.tell(
        session,
        "placement_requested",
        events.borough_spocs(session, placement.borough_id),
        actor_id=user.id,
        topic=REQUEST_TOPIC,
        subject=_subject(placement),
        event_key=_subject(placement),
        now=now(),
        **_about(placement),
    )


def request_decided(session: Session, user: User, placement: Placement, action: str) -> None:
    moment = now()
    events.close_waiting(session, REQUEST_TOPIC, _subject(placement), moment)
    kind = OUTCOME_KINDS.get(action)
    if kind is None:
        return
    events.tell(
        session,
        kind,
        [
            *events.practitioners(session, [placement.requested_by_id]),
            *events.managers(session),
        ],
        actor_id=user.id,
        topic="placement_decision",
        subject=_subject(placement),
        event_key=_subject(placement),
        now=moment,
        **_about(placement),
    )


def extension_made(
    session: Session, user: User, placement: Placement, extension: PlacementExtension
) -> list[int]:
    return events.tell(
        session,
        "extension_requested",
        events.borough_spocs(session, placement.borough_id),
        actor_id=user.id,
        topic=EXTENSION_TOPIC,
        subject=f"extension:{extension.id}",
        event_key=f"extension:{extension.id}",
        now=now(),
        **_about(placement),
    )


def extension_decided(
    session: Session, user: User, placement: Placement, extension: PlacementExtension
) -> None:
    moment = now()
    subject = f"extension:{extension.id}"
    events.close_waiting(session, EXTENSION_TOPIC, subject, moment)
    events.tell(
        session,
        "extension_approved" if extension.state == "approved" else "extension_declined",
        [
            *events.practitioners(session, [extension.requested_by_id]),
            *events.managers(session),
        ],
        actor_id=user.id,
        topic="extension_decision",
        subject=subject,
        event_key=subject,
        now=moment,
        **_about(placement),
    )
