"""Telling the borough's SPOCs that consent to accommodation was withdrawn.

DOMAIN.md: a withdrawal never ends a placement by itself; the practitioner gets an urgent
review action (eip/cases/consent_services.py) and the SPOC a notice. The SPOC may see the
case reference and the placement, never the client's or the partner's name, the reason for
the withdrawal or anything about risk, so the notice carries the reference and a link to
the placement and nothing else (its wording is `placement_consent_withdrawn` in
eip/notifications/kinds.py).

The notice is a notification written in the withdrawal's own transaction: it exists
exactly when the withdrawal does, shows in the SPOC's notification centre at once, and its
e-mail is sent by the scheduler's send job (or in the SPOC's daily digest), retried while
the mail server is down. Nothing is sent from the web request, so a slow or unreachable
mail server never holds up the practitioner. The audit event names the SPOCs told by user
id, never by address.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from accommodation import rules
from accommodation.models import Placement
from eip.audit import record
from eip.auth.models import User
from eip.cases.models import Case
from eip.notifications.centre import add_notices
from eip.notifications.reminders import Reminder
from eip.roles import Role

NOTICE_KIND = "placement_consent_withdrawn"
TOPIC = "consent_withdrawn"


@dataclass(frozen=True)
class Spoc:
    id: int
    notification_email: str  # immediate or digest (eip.notifications)


def live_placement_ids(session: Session, case: Case) -> list[int]:
    """The case's placements that have not ended (requests included), oldest first."""
    return list(
        session.scalars(
            select(Placement.id)
            .where(Placement.case_id == case.id, Placement.state.in_(rules.NOT_YET_ENDED))
            .order_by(Placement.id)
        )
    )


def borough_spocs(session: Session, borough_id: int) -> list[Spoc]:
    """The active SPOCs of a borough, read before the withdrawal changes anything."""
    rows = session.execute(
        select(User.id, User.notification_email)
        .where(
            User.role == Role.SPOC.value,
            User.active.is_(True),
            User.borough_id == borough_id,
        )
        .order_by(User.id)
    )
    return [Spoc(user_id, preference) for user_id, preference in rows]


def dedupe_key(placement_id: int, consent_id: int) -> str:
    """One notice per SPOC, placement and withdrawal (a consent is withdrawn only once)."""
    return f"{NOTICE_KIND}|placement:{placement_id}|consent:{consent_id}"


def notify_spocs_of_withdrawal(
    session: Session,
    user: User,
    case: Case,
    *,
    consent_id: int,
    placement_ids: Sequence[int],
    spocs: Sequence[Spoc],
    now: datetime,
) -> int:
    """Add a notice for each SPOC and placement, and the audit event, to the withdrawal's
    transaction (the caller commits). Returns how many SPOCs were told; none means the
    borough has no active SPOC, which the audit event records too.

    No query is made here: the caller's commit is the first flush, so a concurrent change
    to the case is refused there as a conflict."""
    notices = [
        Reminder(
            user_id=spoc.id,
            kind=NOTICE_KIND,
            topic=TOPIC,
            subject=f"placement:{placement_id}",
            due_on=None,
            dedupe_key=dedupe_key(placement_id, consent_id),
            case_id=case.id,
            case_reference=case.reference,
            placement_id=placement_id,
        )
        for spoc in spocs
        for placement_id in placement_ids
    ]
    add_notices(session, notices, {spoc.id: spoc.notification_email for spoc in spocs}, now)
    record(
        session,
        "placement.spoc_notified",
        actor=user,
        object_type="case",
        object_id=case.id,
        case_reference=case.reference,
        details={
            "notice": "accommodation_consent_withdrawn",
            "placement_ids": list(placement_ids),
            "notified_user_ids": [spoc.id for spoc in spocs],
        },
    )
    return len(spocs)
