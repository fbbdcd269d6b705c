"""Demo DASH reviews under the two thresholds (eip.cases.dash): each review stores the
thresholds it was made under, and sets off the IDVA referral (high risk, 1 working day)
and the MARAC referral (MARAC met, 2 working days) as the service would."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from eip.cases import dash
from eip.cases.records import CaseAction, DashReview
from eip.formatting import long_date
from eip.workdays import add_working_days

# The programme's default settings: the demo never changes them.
THRESHOLDS = dash.Thresholds()
REFERRALS = {
    "idva_referral": ("Refer the partner to the IDVA service: high risk found", 1),
    "marac_referral": ("Refer the case to MARAC: the MARAC criteria met", 2),
}


@dataclass(frozen=True)
class DemoReview:
    on: date
    answers: dict[str, str]
    judgement: str = "none"
    note: str | None = None
    police_callouts: int = 0


def add_review(
    session: Session, case_id: int, who_id: int, owner: str, review: DemoReview, open_case: bool
) -> dash.RiskAssessment:
    """Store the review and, on an open case, the referral actions it sets off (one open of
    each kind at most, as `dash_services.record_dash` adds them)."""
    score = dash.score({int(k): v for k, v in review.answers.items()})
    # Only police call-outs count in the default settings.
    counted = review.police_callouts
    assessment = dash.assess(score, THRESHOLDS, review.judgement, counted)
    stored = DashReview(
        case_id=case_id,
        completed_on=review.on,
        answers=review.answers,
        score=score,
        professional_judgement=review.judgement,
        professional_judgement_high=review.judgement != "none",
        judgement_note=review.note,
        police_callouts_12_months=review.police_callouts,
        escalation_incidents=counted,
        risk_level=assessment.level,
        marac=assessment.marac,
        **THRESHOLDS.as_stored(),
        recorded_by_id=who_id,
    )
    session.add(stored)
    session.flush()  # its id: the referral actions name the review that set them off
    if not open_case:
        return assessment
    wanted = {
        "idva_referral": dash.idva_referral_needed(assessment),
        "marac_referral": dash.marac_referral_needed(assessment),
    }
    already = set(
        session.scalars(
            select(CaseAction.kind).where(
                CaseAction.case_id == case_id, CaseAction.completed_at.is_(None)
            )
        )
    )
    for kind, needed in wanted.items():
        if needed and kind not in already:
            text, working_days = REFERRALS[kind]
            session.add(
                CaseAction(
                    case_id=case_id,
                    kind=kind,
                    description=f"{text} by the DASH review of {long_date(review.on)}",
                    owner=owner,
                    due_on=add_working_days(review.on, working_days),
                    urgent=True,
                    source_id=stored.id,
                    recorded_by_id=who_id,
                )
            )
    return assessment
