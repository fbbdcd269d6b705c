"""The MARAC referral: prepared from the latest DASH review that met MARAC (the form starts
from its criteria, the case's agencies and the partner's safe contact times), stored so the
pack can be downloaded again, and recorded as sent, which closes the open MARAC referral
action (the due item goes with it: eip/cases/due_store.py refreshes at the commit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from eip.auth.models import User
from eip.cases import dash, marac, rules
from eip.cases.common import audit_change, commit, commit_addition, not_in_future
from eip.cases.dash_services import stored_thresholds
from eip.cases.models import Case
from eip.cases.records import CaseAction, DashReview, MaracReferral, OnwardReferral
from eip.clock import now
from eip.domain import NotFound, RuleBroken
from eip.formatting import long_date
from eip.workdays import london_date

TEXT_MAX = 5000
PHONE_MAX = 40
NO_MARAC_REVIEW = (
    "The latest DASH review did not meet the MARAC criteria. Record a DASH review (with your "
    "professional judgement if the score alone does not show it) before preparing the referral"
)
NO_REVIEW = "There is no DASH review yet: the MARAC referral is prepared from one"
AGENCY_NAMES = {
    "dvpp": "Domestic violence perpetrator programme",
    "idva": "IDVA service",
    "marac": "MARAC",
    "victim_services": "Victim services",
}


def latest_review(session: Session, case: Case) -> DashReview | None:
    return session.scalars(
        select(DashReview)
        .where(DashReview.case_id == case.id)
        .order_by(DashReview.completed_on.desc(), DashReview.id.desc())
        .limit(1)
    ).first()


def review_criteria(review: DashReview) -> list[str]:
    """The MARAC criteria the review met, against the thresholds stored with it."""
    thresholds = stored_thresholds(review)
    assessment = dash.assess(
        review.score, thresholds, review.professional_judgement, review.escalation_incidents
    )
    return marac.criteria_met(
        assessment, thresholds, review.escalation_incidents, review.judgement_note
    )


def review_for_referral(session: Session, case: Case) -> DashReview:
    """The review a referral is prepared from: the latest, which must have met MARAC."""
    review = latest_review(session, case)
    if review is None:
        raise RuleBroken(NO_REVIEW)
    if not review.marac:
        raise RuleBroken(NO_MARAC_REVIEW)
    return review


def agencies_known(session: Session, case: Case) -> str:
    """The agencies the case already names: the referring social worker's team and the
    onward referrals made (the form starts from these; the practitioner adds the rest)."""
    lines = []
    team = ", ".join(v for v in (case.referrer_team, case.borough.name) if v)
    lines.append(f"Children's social care ({team})")
    referrals = session.scalars(
        select(OnwardReferral)
        .where(OnwardReferral.case_id == case.id)
        .order_by(OnwardReferral.referred_on, OnwardReferral.id)
    )
    for referral in referrals:
        if referral.agency == "marac":
            continue
        name = referral.agency_name or AGENCY_NAMES.get(referral.agency, "Another service")
        lines.append(f"{name} (referred {long_date(referral.referred_on)})")
    return "\n".join(dict.fromkeys(lines))


@dataclass(frozen=True)
class Prefill:
    review: DashReview
    reasons: str
    agencies_involved: str
    safe_contact: str


def prefill(session: Session, case: Case) -> Prefill:
    """What the form starts from: the latest prepared referral's answers if it was made from
    the same review, or else the review's criteria, the case's agencies and safe times."""
    review = review_for_referral(session, case)
    previous = latest_referral(session, case)
    if previous is not None and previous.dash_review_id == review.id:
        return Prefill(
            review, previous.reasons, previous.agencies_involved, previous.safe_contact or ""
        )
    return Prefill(
        review,
        "\n".join(review_criteria(review)),
        agencies_known(session, case),
        case.partner_safe_contact_times or "",
    )


def latest_referral(session: Session, case: Case) -> MaracReferral | None:
    return session.scalars(
        select(MaracReferral)
        .where(MaracReferral.case_id == case.id)
        .order_by(MaracReferral.id.desc())
        .limit(1)
    ).first()


def _text(value: str | None) -> str:
    return (value or "").strip()


def check_referral(
    reasons: str | None,
    agencies_involved: str | None,
    safe_contact: str | None,
    partner_aware: str | None,
    referrer_phone: str | None,
) -> None:
    """Every problem with the form at once, each beside its field."""
    errors = {}
    if not _text(reasons):
        errors["reasons"] = "Enter the reasons for the referral"
    elif len(_text(reasons)) > TEXT_MAX:
        errors["reasons"] = f"The reasons must be {TEXT_MAX} characters or fewer"
    if not _text(agencies_involved):
        errors["agencies_involved"] = "Enter the agencies involved with the family"
    elif len(_text(agencies_involved)) > TEXT_MAX:
        errors["agencies_involved"] = f"The agencies must be {TEXT_MAX} characters or fewer"
    if len(_text(safe_contact)) > TEXT_MAX:
        errors["safe_contact"] = (
            f"The safe contact arrangements must be {TEXT_MAX} characters or fewer"
        )
    if partner_aware not in marac.PARTNER_AWARE_LABELS:
        errors["partner_aware"] = "Select whether the partner knows about this referral"
    if not _text(referrer_phone):
        errors["referrer_phone"] = "Enter a phone number MARAC can reach you on"
    elif len(_text(referrer_phone)) > PHONE_MAX:
        errors["referrer_phone"] = f"The phone number must be {PHONE_MAX} characters or fewer"
    if errors:
        raise RuleBroken(errors=errors)


def prepare_referral(
    session: Session,
    user: User,
    case: Case,
    *,
    reasons: str | None,
    agencies_involved: str | None,
    safe_contact: str | None,
    partner_aware: str | None,
    referrer_phone: str | None,
    submission: str | None = None,
) -> MaracReferral:
    """Store the referral as the practitioner completed it, from the latest DASH review
    (which must have met MARAC). Allowed whenever a DASH review may be recorded: a
    MARAC referral may be needed after closure too."""
    rules.can_record_dash_or_incident(case.status).enforce()
    check_referral(reasons, agencies_involved, safe_contact, partner_aware, referrer_phone)
    review = review_for_referral(session, case)
    referral = MaracReferral(
        case_id=case.id,
        recorded_by_id=user.id,
        dash_review_id=review.id,
        partner_id=case.partner_id,
        reasons=_text(reasons),
        agencies_involved=_text(agencies_involved),
        safe_contact=_text(safe_contact) or None,
        partner_aware=str(partner_aware),
        referrer_phone=_text(referrer_phone),
    )
    session.add(referral)
    session.flush()
    fields = ["reasons", "agencies_involved", "partner_aware", "referrer_phone"]
    if referral.safe_contact:
        fields.append("safe_contact")
    audit_change(session, user, case, "case.marac_prepared", fields=fields, record=referral.id)
    commit_addition(session, user, submission, "marac_referral")
    return referral


def referral_of(session: Session, case: Case, referral_id: int) -> MaracReferral:
    referral = session.get(MaracReferral, referral_id)
    if referral is None or referral.case_id != case.id:
        raise NotFound("This case has no such MARAC referral")
    return referral


def record_sent(
    session: Session, user: User, case: Case, referral_id: int, *, sent_on: date | None
) -> MaracReferral:
    """Record the date the referral was sent to MARAC, and close the case's open MARAC
    referral actions: the referral they asked for has been made."""
    referral = referral_of(session, case, referral_id)
    if sent_on is None:
        raise RuleBroken("Enter the date the referral was sent", field="sent_on")
    not_in_future(sent_on, "sent_on", "The date the referral was sent")
    prepared = london_date(referral.created_at)
    if sent_on < prepared:
        raise RuleBroken(
            f"The date the referral was sent cannot be before it was prepared "
            f"({long_date(prepared)})",
            field="sent_on",
        )
    # Only once, decided by the database: of two people recording it at once, the second
    # is told rather than overwriting the first's date.
    marked = session.execute(
        update(MaracReferral)
        .where(MaracReferral.id == referral.id, MaracReferral.sent_on.is_(None))
        .values(sent_on=sent_on, sent_by_id=user.id)
        .execution_options(synchronize_session=False)
    )
    if marked.rowcount != 1:
        session.rollback()
        raise RuleBroken("This referral is already recorded as sent")
    closed = session.scalars(
        update(CaseAction)
        .where(
            CaseAction.case_id == case.id,
            CaseAction.kind == "marac_referral",
            CaseAction.completed_at.is_(None),
        )
        .values(completed_at=now(), completed_by_id=user.id)
        .returning(CaseAction.id)
        .execution_options(synchronize_session=False)
    ).all()
    session.refresh(referral)
    audit_change(session, user, case, "case.marac_sent", fields=["sent_on"], record=referral.id)
    for action_id in closed:
        audit_change(
            session,
            user,
            case,
            "case.action_completed",
            fields=["completed_at", "completed_by_id"],
            action_id=action_id,
        )
    commit(session)
    return referral


def previous_sent(session: Session, referral: MaracReferral) -> list[date | None]:
    """The dates other MARAC referrals of the same partner were sent, on any case."""
    if referral.partner_id is None:
        return []
    return list(
        session.scalars(
            select(MaracReferral.sent_on).where(
                MaracReferral.partner_id == referral.partner_id,
                MaracReferral.id != referral.id,
                MaracReferral.sent_on.is_not(None),
            )
        )
    )


def is_repeat(session: Session, referral: MaracReferral) -> bool:
    return marac.is_repeat_referral(
        previous_sent(session, referral), london_date(referral.created_at)
    )
