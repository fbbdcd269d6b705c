"""DASH risk reviews: recording one, the IDVA and MARAC actions high risk sets off,
and what the case page's risk panel shows (latest level, its reasons, repeat MARAC).

Nothing about risk is stored on the case itself: the case is high risk while its
latest review's level is high, and a repeat MARAC while its last MARAC referral is
within the last 12 months. Both are read from the records each time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from eip.auth.models import User
from eip.cases import dash, rules
from eip.cases.activity_services import received_on
from eip.cases.common import audit_change, commit_addition
from eip.cases.models import Case
from eip.cases.queries import deadline_settings
from eip.cases.records import CaseAction, DashReview, Incident, OnwardReferral
from eip.clock import today
from eip.domain import RuleBroken
from eip.formatting import long_date
from eip.programme import current_settings
from eip.workdays import add_working_days, london_date

MAX_CALLOUTS = 99
REFERRAL_KINDS = ("idva_referral", "marac_referral")
# An onward referral to MARAC from the consultation counts once it has been made.
MARAC_REFERRAL_MADE = frozenset({"made", "accepted"})


def question_field(number: int) -> str:
    """The form field (and error key) of question `number`."""
    return f"q{number}"


def thresholds_of(settings: Any) -> dash.Thresholds:
    """The programme's thresholds now: what a review made today is assessed under."""
    return dash.Thresholds(
        high_risk=settings.high_risk_threshold_yes,
        marac=settings.marac_threshold_yes,
        escalation_incidents=settings.escalation_min_incidents,
        escalation_months=settings.escalation_months,
        escalation_kinds=dash.split_kinds(settings.escalation_kinds),
    )


def stored_thresholds(review: DashReview) -> dash.Thresholds:
    """The thresholds a review was made under, as it stored them."""
    return dash.Thresholds(
        high_risk=review.high_risk_threshold,
        marac=review.marac_threshold,
        escalation_incidents=review.escalation_min_incidents,
        escalation_months=review.escalation_months,
        escalation_kinds=dash.split_kinds(review.escalation_kinds),
    )


def police_callouts_before(session: Session, case: Case, on: date) -> int:
    """Police call-outs known on this case in the 12 months up to `on` (inclusive), from
    the referral's count and the incidents recorded (`dash.known_police_callouts`): stored
    on each review for the evaluation."""
    incidents = session.scalars(
        select(Incident.occurred_on).where(
            Incident.case_id == case.id,
            Incident.police_callout.is_(True),
            Incident.occurred_on >= dash.one_year_before(on),
            Incident.occurred_on <= on,
        )
    )
    return dash.known_police_callouts(
        on, incidents, received_on(case), case.police_callouts_12_months
    )


def escalation_before(session: Session, case: Case, on: date, thresholds: dash.Thresholds) -> int:
    """The incidents of the settings' kinds known on this case in their window up to `on`
    (`dash.escalation_count`): the default for a review completed on that date."""
    rows = session.execute(
        select(Incident.occurred_on, Incident.source).where(
            Incident.case_id == case.id,
            Incident.occurred_on >= dash.months_before(on, thresholds.escalation_months),
            Incident.occurred_on <= on,
        )
    ).all()
    return dash.escalation_count(
        on, thresholds, rows, received_on(case), case.police_callouts_12_months
    )


@dataclass
class DashOutcome:
    review: DashReview
    assessment: dash.RiskAssessment
    actions: list[CaseAction] = field(default_factory=list)


def _answer_errors(answers: Mapping[int, str | None]) -> dict[str, str]:
    errors = {}
    for q in dash.questions():
        if answers.get(q.number) not in dash.ANSWERS:
            errors[question_field(q.number)] = f"Answer question {q.number} ({q.label})"
    return errors


def _check(
    case: Case,
    answers: Mapping[int, str | None],
    completed_on: date | None,
    judgement: str | None,
    incidents: int | None,
) -> None:
    """Every problem at once, each beside its field (the judgement's reason is checked
    once the level is known: `record_dash`)."""
    errors: dict[str, str] = {}
    if completed_on is None:
        errors["completed_on"] = "Enter the date the review was completed"
    elif completed_on > today():
        errors["completed_on"] = "The date the review was completed cannot be in the future"
    elif (referral := received_on(case)) is not None and completed_on < referral:
        errors["completed_on"] = (
            "The date the review was completed cannot be before the referral was received"
        )
    errors.update(_answer_errors(answers))
    if judgement not in dash.JUDGEMENTS:
        errors["professional_judgement"] = "Select your professional judgement of the risk"
    if incidents is not None and not 0 <= incidents <= MAX_CALLOUTS:
        errors["escalation_incidents"] = f"Enter the number of incidents, from 0 to {MAX_CALLOUTS}"
    if errors:
        raise RuleBroken(errors=errors)


def record_dash(
    session: Session,
    user: User,
    case: Case,
    *,
    completed_on: date | None,
    answers: Mapping[int, str | None],
    professional_judgement: str | None,
    judgement_note: str | None = None,
    escalation_incidents: int | None = None,
    submission: str | None = None,
) -> DashOutcome:
    """Score the 24 answers, assess them under today's thresholds, store the review with
    its level and those thresholds, and add an IDVA referral action when the risk is high
    and a MARAC referral action when MARAC is met (unless one of that kind is still open).

    Allowed at any time, closed cases included. `escalation_incidents=None` counts the
    incidents of the settings' kinds recorded on the case in their window before the
    date of the review. A judgement that raises the level needs its reason.
    """
    rules.can_record_dash_or_incident(case.status).enforce()
    _check(case, answers, completed_on, professional_judgement, escalation_incidents)
    assert completed_on is not None and professional_judgement is not None
    clean = {number: str(answers[number]) for number in range(1, dash.QUESTION_COUNT + 1)}
    thresholds = thresholds_of(current_settings(session))
    counted = escalation_incidents
    if counted is None:
        counted = escalation_before(session, case, completed_on, thresholds)
    score = dash.score(clean)
    note = (judgement_note or "").strip() or None
    if note is None and dash.judgement_raises(score, thresholds, professional_judgement, counted):
        raise RuleBroken(
            "Say why you judge the risk to be higher than the score shows",
            field="judgement_note",
        )
    assessment = dash.assess(score, thresholds, professional_judgement, counted)
    review = DashReview(
        case_id=case.id,
        recorded_by_id=user.id,
        completed_on=completed_on,
        answers={str(number): answer for number, answer in clean.items()},
        score=assessment.score,
        professional_judgement=professional_judgement,
        professional_judgement_high=professional_judgement != "none",
        judgement_note=note,
        police_callouts_12_months=police_callouts_before(session, case, completed_on),
        escalation_incidents=counted,
        risk_level=assessment.level,
        marac=assessment.marac,
        **thresholds.as_stored(),
    )
    session.add(review)
    session.flush()
    actions = _referral_actions(session, user, case, review, assessment)
    fields = ["answers", "completed_on", "professional_judgement", "escalation_incidents"]
    if review.judgement_note:
        fields.append("judgement_note")
    audit_change(session, user, case, "case.dash_recorded", fields=fields)
    commit_addition(session, user, submission, "dash_review")
    return DashOutcome(review, assessment, actions)


def _referral_actions(
    session: Session,
    user: User,
    case: Case,
    review: DashReview,
    assessment: dash.RiskAssessment,
) -> list[CaseAction]:
    """The IDVA referral action for a high-risk review and the MARAC one when MARAC is met,
    one open of each kind at most."""
    settings = current_settings(session)
    extra = deadline_settings(session).extra_non_working_days
    open_kinds = set(
        session.scalars(
            select(CaseAction.kind).where(
                CaseAction.case_id == case.id,
                CaseAction.completed_at.is_(None),
                CaseAction.kind.in_(REFERRAL_KINDS),
            )
        )
    )
    when = long_date(review.completed_on)
    owner = case.allocated_practitioner.name if case.allocated_practitioner else user.name
    wanted = []
    if dash.idva_referral_needed(assessment):
        wanted.append(
            (
                "idva_referral",
                f"Refer the partner to the IDVA service: high risk found by the DASH review "
                f"of {when}",
                settings.idva_action_working_days,
            )
        )
    if dash.marac_referral_needed(assessment):
        wanted.append(
            (
                "marac_referral",
                f"Refer the case to MARAC: the MARAC criteria met by the DASH review of {when}",
                settings.marac_action_working_days,
            )
        )
    made = []
    for kind, description, working_days in wanted:
        if kind in open_kinds:
            continue
        action = CaseAction(
            case_id=case.id,
            recorded_by_id=user.id,
            kind=kind,
            description=description,
            owner=owner,
            due_on=add_working_days(review.completed_on, working_days, extra),
            urgent=True,
            source_id=review.id,
        )
        session.add(action)
        made.append(action)
    return made


# ---------------------------------------------------------------------------
# What the risk panel shows


def review_reasons(review: DashReview) -> list[str]:
    """Why a stored review has its level, against the thresholds stored with it (so a
    later change of setting neither changes nor stops explaining it)."""
    thresholds = stored_thresholds(review)
    assessment = dash.assess(
        review.score, thresholds, review.professional_judgement, review.escalation_incidents
    )
    return dash.explain(
        assessment,
        thresholds,
        review.escalation_incidents,
        long_date(review.completed_on),
    )


def last_marac_referral(
    actions: list[CaseAction], onward_referrals: list[OnwardReferral]
) -> date | None:
    """When the case was last referred to MARAC: a completed MARAC referral action, or an
    onward referral to MARAC from the consultation that has been made."""
    days = [
        london_date(action.completed_at)
        for action in actions
        if action.kind == "marac_referral" and action.completed_at is not None
    ]
    days += [
        referral.referred_on
        for referral in onward_referrals
        if referral.agency == "marac" and referral.status in MARAC_REFERRAL_MADE
    ]
    return max(days, default=None)


@dataclass(frozen=True)
class RiskSummary:
    reviews: list[DashReview]
    latest: DashReview | None
    reasons: list[str]
    last_marac_on: date | None
    repeat_marac: bool
    threshold: int

    @property
    def high(self) -> bool:
        return self.latest is not None and self.latest.risk_level == "high"

    @property
    def marac(self) -> bool:
        return self.latest is not None and self.latest.marac


def risk_summary(records: dict[str, list[Any]], marac_threshold: int, on: date) -> RiskSummary:
    """The risk panel's figures from the case page's records (no queries)."""
    reviews = records["dash_reviews"]
    latest = reviews[-1] if reviews else None
    last_marac = last_marac_referral(records["actions"], records["onward_referrals"])
    return RiskSummary(
        reviews=reviews,
        latest=latest,
        reasons=review_reasons(latest) if latest else [],
        last_marac_on=last_marac,
        repeat_marac=dash.is_repeat_marac(last_marac, on),
        threshold=marac_threshold,
    )
