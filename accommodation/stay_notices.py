"""Telling the borough's SPOCs that consent to accommodation was withdrawn.

DOMAIN.md: a withdrawal never ends a placement by itself; the practitioner gets an urgent
review action (eip/cases/consent_services.py) and the SPOC a notice. The SPOC may see the
case reference and the placement, never the client's or the partner's name, the reason for
the withdrawal or anything about risk, so the message carries the reference and a link and
nothing else. Mail goes after the withdrawal has committed (a message cannot be unsent if
the transaction rolled back); the audit event that follows says how many SPOCs were
written to, by user id, never by address.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from accommodation import rules
from accommodation.models import Placement
from eip.audit import record
from eip.auth.models import User
from eip.cases.models import Case
from eip.mail import Mail, MailNotSent, send
from eip.roles import Role

NOTICE_KIND = "placement_consent_withdrawn"


def live_placement_ids(session: Session, case: Case) -> list[int]:
    """The case's placements that have not ended (requests included), oldest first."""
    return list(
        session.scalars(
            select(Placement.id)
            .where(Placement.case_id == case.id, Placement.state.in_(rules.NOT_YET_ENDED))
            .order_by(Placement.id)
        )
    )


def _borough_spocs(session: Session, borough_id: int) -> list[tuple[int, str]]:
    rows = session.execute(
        select(User.id, User.email)
        .where(
            User.role == Role.SPOC.value,
            User.active.is_(True),
            User.borough_id == borough_id,
        )
        .order_by(User.id)
    )
    return [(user_id, email) for user_id, email in rows]


def placement_link(placement_id: int) -> str:
    """The placement page's full address, built without a request (a job may send this)."""
    path = current_app.url_map.bind("localhost").build(
        "accommodation.placement", {"placement_id": placement_id}
    )
    return current_app.config["EIP_BASE_URL"] + path


def withdrawal_notice(to: str, reference: str, placement_ids: Sequence[int]) -> Mail:
    links = "\n".join(placement_link(pid) for pid in placement_ids)
    body = (
        f"Consent to temporary accommodation has been withdrawn on case {reference}, "
        "which has a placement in your borough that has not ended.\n\n"
        "This does not end the placement: the practitioner will review the case "
        "urgently.\n\n"
        f"The placement:\n{links}\n\n"
        "Sign in to see it. This message was sent automatically; do not reply to it."
    )
    return Mail(
        to=to,
        subject=f"Accommodation consent withdrawn: case {reference}",
        body=body,
        kind=NOTICE_KIND,
    )


def notify_spocs_of_withdrawal(
    session: Session, user: User, case: Case, placement_ids: Sequence[int]
) -> int:
    """E-mail every active SPOC of the case's borough; record it; return how many got it.

    Called after the withdrawal committed. A message that could not be sent is counted in
    the audit event, so a manager can see the notice did not go; the withdrawal stands.
    """
    spocs = _borough_spocs(session, case.borough_id)
    sent: list[int] = []
    failed: list[int] = []
    for spoc_id, email in spocs:
        try:
            send(withdrawal_notice(email, case.reference, placement_ids))
        except MailNotSent:
            failed.append(spoc_id)
        else:
            sent.append(spoc_id)
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
            "sent_to_user_ids": sent,
            "not_sent_to_user_ids": failed,
        },
    )
    session.commit()
    return len(sent)
