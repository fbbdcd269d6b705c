"""DASH risk reviews through the service, on a real database: scoring, risk levels,
the IDVA and MARAC referral actions and their working-day due dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eip.admin.models import NonWorkingDay
from eip.audit import AuditEvent
from eip.cases import dash_services
from eip.cases.records import CaseAction, DashReview
from eip.clock import today
from eip.domain import RuleBroken
from eip.extensions import db
from eip.programme import current_settings
from tests import factories
from tests import factories_pathway_activity as fa

FRIDAY = date(2026, 3, 6)
THURSDAY_BEFORE_EASTER = date(2026, 4, 2)  # Good Friday 3 April, Easter Monday 6 April


@pytest.fixture
def user(app_context):
    return factories.user("practitioner", name="Alex Practitioner")


def record(user, case, yes=0, **values):
    defaults = {
        "completed_on": FRIDAY,
        "answers": fa.answers(yes),
        "professional_judgement": "none",
        "judgement_note": None,
        "escalation_incidents": 0,
    }
    return dash_services.record_dash(db.session, user, case, **{**defaults, **values})


def actions(kind: str | None = None) -> list[CaseAction]:
    db.session.expire_all()
    query = select(CaseAction).order_by(CaseAction.id)
    if kind:
        query = query.where(CaseAction.kind == kind)
    return list(db.session.scalars(query))


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def set_settings(**values) -> None:
    settings = current_settings(db.session)
    for name, value in values.items():
        setattr(settings, name, value)
    db.session.add(settings)
    db.session.commit()


def test_the_score_is_the_count_of_yes_and_is_stored_with_every_answer(user):
    case = fa.case("active")
    answers = {**fa.answers(5, rest="not_known"), 24: "no"}
    outcome = record(user, case, answers=answers)
    review = outcome.review
    assert review.score == 5
    assert review.answers["1"] == "yes" and review.answers["6"] == "not_known"
    assert review.answers["24"] == "no" and len(review.answers) == 24
    assert review.risk_level == "standard"
    assert actions() == []


def test_a_dash_of_11_is_high_risk_an_idva_action_due_in_1_working_day_and_no_marac(user):
    case = fa.case("active", practitioner=user)
    outcome = record(user, case, yes=11)
    assert outcome.review.risk_level == "high" and not outcome.review.marac
    [idva] = actions("idva_referral")
    assert actions("marac_referral") == []
    # Friday + 1 working day, over the weekend, is Monday.
    assert idva.due_on == date(2026, 3, 9)
    assert idva.urgent and idva.source_id == outcome.review.id
    assert idva.owner == "Alex Practitioner"
    assert "6 March 2026" in idva.description


def test_a_dash_of_15_makes_both_idva_in_1_working_day_and_marac_in_2(user):
    case = fa.case("active", practitioner=user)
    outcome = record(user, case, yes=15)
    assert outcome.review.risk_level == "high" and outcome.review.marac
    [idva], [marac] = actions("idva_referral"), actions("marac_referral")
    assert idva.due_on == date(2026, 3, 9)  # Monday
    assert marac.due_on == date(2026, 3, 10)  # Tuesday
    assert idva.urgent and marac.urgent


def test_each_review_stores_the_thresholds_in_force_when_it_was_made(user):
    set_settings(
        high_risk_threshold_yes=8,
        marac_threshold_yes=12,
        escalation_min_incidents=2,
        escalation_months=6,
        escalation_kinds="police_callout,other_agency",
    )
    review = record(user, fa.case("active"), yes=9).review
    stored = (
        review.high_risk_threshold,
        review.marac_threshold,
        review.escalation_min_incidents,
        review.escalation_months,
        review.escalation_kinds,
    )
    assert stored == (8, 12, 2, 6, "police_callout,other_agency")
    set_settings(high_risk_threshold_yes=10, marac_threshold_yes=14)
    # The level and its explanation stay those of its day.
    assert review.risk_level == "high"
    assert dash_services.review_reasons(review) == [
        "High risk: score 9 ≥ 8 (the threshold on 6 March 2026)"
    ]


def test_the_due_dates_skip_easter_and_the_managers_extra_days(user):
    db.session.add(NonWorkingDay(day=date(2026, 4, 7), reason="Office closed"))
    db.session.commit()
    case = fa.case("active")
    record(user, case, yes=20, completed_on=THURSDAY_BEFORE_EASTER)
    # Good Friday and Easter Monday are bank holidays; Tuesday 7 April is the extra day.
    assert actions("idva_referral")[0].due_on == date(2026, 4, 8)
    assert actions("marac_referral")[0].due_on == date(2026, 4, 9)


def test_the_working_days_are_programme_settings(user):
    set_settings(idva_action_working_days=0, marac_action_working_days=5)
    case = fa.case("active")
    record(user, case, yes=14)
    assert actions("idva_referral")[0].due_on == FRIDAY
    assert actions("marac_referral")[0].due_on == date(2026, 3, 13)


def test_nine_yes_is_standard_and_creates_no_actions(user):
    case = fa.case("active")
    assert record(user, case, yes=9).review.risk_level == "standard"
    assert actions() == []


def test_the_thresholds_are_settings(user):
    set_settings(high_risk_threshold_yes=12, marac_threshold_yes=12)
    case = fa.case("active")
    assert record(user, case, yes=11).review.risk_level == "medium"
    assert actions() == []
    assert record(user, case, yes=12).review.marac
    assert len(actions()) == 2


def test_a_judgement_of_high_risk_alone_makes_an_idva_action_only(user):
    case = fa.case("active")
    outcome = record(
        user, case, yes=2, professional_judgement="high", judgement_note="Threats to kill"
    )
    assert outcome.review.risk_level == "high"
    assert outcome.review.professional_judgement_high
    assert outcome.review.judgement_note == "Threats to kill"
    assert {a.kind for a in actions()} == {"idva_referral"}


def test_a_judgement_of_marac_makes_both_actions(user):
    case = fa.case("active")
    record(user, case, yes=2, professional_judgement="marac", judgement_note="Strangulation")
    assert {a.kind for a in actions()} == {"idva_referral", "marac_referral"}


def test_a_later_marac_review_adds_the_marac_action_beside_the_open_idva_one(user):
    case = fa.case("active")
    record(user, case, yes=11)
    record(user, case, yes=15, completed_on=FRIDAY + timedelta(days=3))
    assert len(actions("idva_referral")) == 1 and len(actions("marac_referral")) == 1


def test_escalation_makes_both_actions(user):
    case = fa.case("active")
    assert record(user, case, yes=1, escalation_incidents=3).review.marac
    assert len(actions()) == 2


def test_two_incidents_are_not_escalation(user):
    case = fa.case("active")
    assert record(user, case, yes=1, escalation_incidents=2).review.risk_level == "standard"


def test_the_count_defaults_to_the_kinds_incidents_in_the_months_before_the_review(user):
    case = fa.case("active")
    fa.incident(case, date(2025, 3, 6))  # exactly 12 months before: counts
    fa.incident(case, date(2025, 3, 5))  # a day too early
    fa.incident(case, date(2026, 2, 1))
    fa.incident(case, date(2026, 2, 2), source="partner_disclosure")  # not a kind counted
    fa.incident(case, date(2026, 3, 7))  # after the review
    outcome = record(user, case, yes=1, escalation_incidents=None)
    assert outcome.review.escalation_incidents == 2
    assert outcome.review.police_callouts_12_months == 2
    assert outcome.review.risk_level == "standard"


def test_escalation_counts_every_kind_the_settings_name(user):
    set_settings(escalation_kinds="police_callout,partner_disclosure,other_agency")
    case = fa.case("active")
    fa.incident(case, date(2026, 1, 10))
    fa.incident(case, date(2026, 2, 2), source="partner_disclosure")
    fa.incident(case, date(2026, 2, 20), source="other_agency")
    outcome = record(user, case, yes=1, escalation_incidents=None)
    assert outcome.review.escalation_incidents == 3
    assert outcome.review.police_callouts_12_months == 1
    assert outcome.review.marac


def test_three_recorded_callouts_make_the_default_high_risk(user):
    case = fa.case("active")
    for day in (date(2025, 9, 1), date(2025, 12, 1), date(2026, 3, 1)):
        fa.incident(case, day)
    assert record(user, case, escalation_incidents=None).review.risk_level == "high"


def test_a_second_high_review_adds_no_second_open_idva_or_marac_action(user):
    case = fa.case("active")
    record(user, case, yes=14)
    record(user, case, yes=16, completed_on=FRIDAY + timedelta(days=7))
    assert len(actions("idva_referral")) == 1 and len(actions("marac_referral")) == 1


def test_only_the_kind_still_open_is_skipped(user):
    case = fa.case("active")
    fa.action(case, "idva_referral", completed_at=datetime(2026, 3, 1, tzinfo=UTC))
    fa.action(case, "marac_referral")
    record(user, case, yes=14)
    assert len(actions("idva_referral")) == 2  # the old one was done: a new referral is due
    assert len(actions("marac_referral")) == 1  # still open: not duplicated


def test_a_dash_review_after_closure_is_accepted_and_still_raises_the_referrals(user):
    case = fa.case("closed")
    record(user, case, yes=15)
    assert case.status == "closed"
    assert len(actions()) == 2


def test_a_review_is_audited_by_field_names_only(user):
    case = fa.case("active")
    record(user, case, yes=14, professional_judgement="marac", judgement_note="Strangulation")
    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case.dash_recorded")
    )
    assert "judgement_note" in event.details["fields"]
    text = str(event.details)
    assert "Strangulation" not in text and "marac" not in text


def test_a_missing_answer_names_its_question_and_nothing_is_saved(user):
    case = fa.case("active")
    answers = fa.answers(14)
    del answers[7]
    answers[12] = "perhaps"
    with pytest.raises(RuleBroken) as refused:
        record(user, case, answers=answers)
    assert refused.value.errors == {
        "q7": "Answer question 7 (Conflict over child contact)",
        "q12": "Answer question 12 (Controlling behaviour)",
    }
    assert count(DashReview) == 0 and actions() == []


def test_every_problem_is_reported_at_once(user):
    case = fa.case("active")
    with pytest.raises(RuleBroken) as refused:
        record(
            user,
            case,
            answers={},
            completed_on=today() + timedelta(days=1),
            professional_judgement=None,
            escalation_incidents=100,
        )
    errors = refused.value.errors
    assert errors["completed_on"] == "The date the review was completed cannot be in the future"
    assert errors["professional_judgement"] == "Select your professional judgement of the risk"
    assert errors["escalation_incidents"] == "Enter the number of incidents, from 0 to 99"
    assert len([name for name in errors if name.startswith("q")]) == 24


def test_a_judgement_that_raises_the_level_needs_a_reason_and_nothing_is_saved(user):
    case = fa.case("active")
    with pytest.raises(RuleBroken) as refused:
        record(user, case, yes=11, professional_judgement="marac", judgement_note="  ")
    assert refused.value.errors == {
        "judgement_note": "Say why you judge the risk to be higher than the score shows"
    }
    assert count(DashReview) == 0 and actions() == []


def test_a_judgement_the_score_already_meets_needs_no_reason(user):
    case = fa.case("active")
    assert record(user, case, yes=11, professional_judgement="high").review.risk_level == "high"


def test_a_review_cannot_be_dated_before_the_referral(user):
    case = fa.case("active")
    with pytest.raises(RuleBroken) as refused:
        record(user, case, completed_on=fa.RECEIVED - timedelta(days=1))
    assert refused.value.field is None
    assert "before the referral was received" in refused.value.errors["completed_on"]


def test_a_review_recorded_while_another_was_saved_is_saved_too(user):
    """24 answers typed while a colleague saved a review are not lost."""
    case = fa.case("active")
    record(user, case)
    record(user, case, yes=20)
    assert count(DashReview) == 2
