"""What the risk panel derives from the records: why a review is high, repeat MARAC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

from eip.cases import dash
from eip.cases.dash_services import last_marac_referral, review_reasons, risk_summary

TODAY = date(2026, 6, 1)


def review(score=5, level="standard", judgement=False, callouts=0, on=date(2026, 5, 1)):
    return SimpleNamespace(
        score=score,
        risk_level=level,
        professional_judgement_high=judgement,
        police_callouts_12_months=callouts,
        completed_on=on,
    )


def marac_action(completed: date | None):
    moment = datetime(completed.year, completed.month, completed.day, 12, tzinfo=UTC)
    return SimpleNamespace(kind="marac_referral", completed_at=moment if completed else None)


def onward(agency="marac", status="made", on=date(2026, 1, 10)):
    return SimpleNamespace(agency=agency, status=status, referred_on=on)


def records(reviews=(), actions=(), referrals=()):
    return {
        "dash_reviews": list(reviews),
        "actions": list(actions),
        "onward_referrals": list(referrals),
    }


def test_a_review_that_is_not_high_has_no_reasons():
    assert review_reasons(review(score=13, level="medium"), 14) == ()


def test_each_trigger_of_a_high_review_is_given_in_order():
    high = review(score=15, level="high", judgement=True, callouts=4)
    assert review_reasons(high, 14) == (
        dash.TRIGGER_SCORE,
        dash.TRIGGER_JUDGEMENT,
        dash.TRIGGER_ESCALATION,
    )


def test_judgement_alone_is_the_only_reason_given():
    assert review_reasons(review(score=3, level="high", judgement=True), 14) == (
        dash.TRIGGER_JUDGEMENT,
    )


def test_a_high_review_explained_by_nothing_else_met_the_threshold_of_its_day():
    # Recorded under a threshold of 10; the setting is 14 now.
    assert review_reasons(review(score=11, level="high"), 14) == (dash.TRIGGER_SCORE,)


def test_the_latest_review_sets_the_level_and_the_flag():
    summary = risk_summary(
        records([review(16, "high"), review(4, "standard", on=date(2026, 5, 20))]), 14, TODAY
    )
    assert summary.latest.score == 4
    assert not summary.high
    assert summary.reasons == ()


def test_a_high_latest_review_flags_the_case_high_risk():
    summary = risk_summary(records([review(4), review(15, "high")]), 14, TODAY)
    assert summary.high and summary.reasons == (dash.TRIGGER_SCORE,)


def test_a_case_with_no_review_is_not_high_risk():
    summary = risk_summary(records(), 14, TODAY)
    assert summary.latest is None and not summary.high


def test_a_completed_marac_referral_within_12_months_makes_a_repeat_marac():
    summary = risk_summary(records(actions=[marac_action(date(2025, 6, 1))]), 14, TODAY)
    assert summary.last_marac_on == date(2025, 6, 1)
    assert summary.repeat_marac


def test_one_more_than_12_months_ago_does_not():
    summary = risk_summary(records(actions=[marac_action(date(2025, 5, 31))]), 14, TODAY)
    assert not summary.repeat_marac


def test_an_open_marac_action_is_not_a_referral_yet():
    open_action = SimpleNamespace(kind="marac_referral", completed_at=None)
    assert last_marac_referral([open_action], []) is None


def test_an_onward_referral_to_marac_counts_once_made():
    assert last_marac_referral([], [onward(status="made")]) == date(2026, 1, 10)
    assert last_marac_referral([], [onward(status="planned")]) is None
    assert last_marac_referral([], [onward(agency="idva")]) is None


def test_the_latest_marac_referral_is_the_one_that_counts():
    latest = last_marac_referral(
        [marac_action(date(2025, 1, 1)), marac_action(date(2026, 2, 1))],
        [onward(on=date(2025, 12, 1))],
    )
    assert latest == date(2026, 2, 1)
